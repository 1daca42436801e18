#!/bin/sh
# Sending benchmark: lettermerge's Mailer vs Postfix's smtp-source vs Python mailmerge, all to
# Postfix's smtp-sink on loopback. Needs Debian's postfix (smtp-sink, smtp-source) and
# `pip install mailmerge`. Results go to docs/PERFORMANCE.md ("Sending") by hand.
#   sh benches/send.sh [COUNT] [MAILMERGE_COUNT]
set -eu
COUNT=${1:-10000}
MM_COUNT=${2:-1000}
PORT=${PORT:-2626}
cd "$(dirname "$0")/.."
WORK=$(mktemp -d)
trap 'kill $SINK 2>/dev/null || true; rm -rf "$WORK"' EXIT

echo "machine: $(nproc) cores, $(lscpu | sed -n 's/^Model name: *//p')"
# PROFILE=release for a fully optimised build; the default dev profile already builds every
# dependency (lettre, tokio, rustls) at opt-level 2, and our layer on top is thin.
if [ "${PROFILE:-dev}" = release ]; then
    cargo build --release --example blast 2>/dev/null
    BLAST=target/release/examples/blast
else
    cargo build --example blast 2>/dev/null
    BLAST=target/debug/examples/blast
fi

# -u nobody: smtp-sink refuses to run as root; 1024: listen backlog.
SINKUSER=""
[ "$(id -u)" = 0 ] && SINKUSER="-u nobody"
smtp-sink $SINKUSER 127.0.0.1:$PORT 1024 &
SINK=$!
sleep 0.5

run() { /usr/bin/time -f "  max RSS %M KB" "$@"; }

for C in 1 4; do
    echo "== lettermerge Mailer, $C connection(s), $COUNT messages"
    run $BLAST --port $PORT --count $COUNT --connections $C
done
echo "== lettre's own socket (no TCP_NODELAY), 1 connection, 500 messages"
run $BLAST --port $PORT --count 500 --lettre

# The same ~3 KB message for smtp-source (-F adds dot-stuffing and CRLF itself).
printf 'From: Coalition <coalition@example.org>\nTo: <official@example.org>\nSubject: Letter\n\n' > "$WORK/letter.txt"
i=0; while [ $i -lt 40 ]; do
    echo "We write to ask for a meeting about the protection of the river basin." >> "$WORK/letter.txt"; i=$((i+1))
done
for C in 1 4; do
    echo "== smtp-source, $C session(s), $COUNT messages, connections reused (-d)"
    start=$(date +%s.%N)
    smtp-source -d -s $C -m $COUNT -F "$WORK/letter.txt" -f coalition@example.org \
        -t official@example.org 127.0.0.1:$PORT
    end=$(date +%s.%N)
    echo "  seconds=$(echo "$end - $start" | bc) rate=$(echo "$COUNT / ($end - $start)" | bc)/s"
done

echo "== Python mailmerge, $MM_COUNT messages (security = Never)"
cd "$WORK"
cat > mailmerge_server.conf <<CONF
[smtp_server]
host = 127.0.0.1
port = $PORT
security = Never
CONF
{
    echo "TO: {{email}}"
    echo "FROM: Coalition <coalition@example.org>"
    echo "SUBJECT: Letter {{n}}"
    echo
    i=0; while [ $i -lt 40 ]; do
        echo "We write to ask for a meeting about the protection of the river basin."; i=$((i+1))
    done
} > mailmerge_template.txt
{
    echo "email,n"
    i=0; while [ $i -lt $MM_COUNT ]; do echo "official$i@example.org,$i"; i=$((i+1)); done
} > mailmerge_database.csv
start=$(date +%s.%N)
mailmerge --no-dry-run --no-limit --output-format raw >/dev/null
end=$(date +%s.%N)
echo "  seconds=$(echo "$end - $start" | bc) rate=$(echo "$MM_COUNT / ($end - $start)" | bc)/s"
