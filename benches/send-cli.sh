#!/usr/bin/env bash
# End-to-end send benchmark: `lettermerge send` of N generated letters (default 10000, text only) to Postfix's
# smtp-sink on loopback, with 1 and 4 connections; journal on, fsync included. Prints letters/second and peak RSS.
# Needs postfix (smtp-sink) and GNU time. Usage: benches/send-cli.sh [N]
set -euo pipefail
cd "$(dirname "$0")/.."
n="${1:-10000}"
port=2727
cargo build --release --quiet
bin="$PWD/target/release/lettermerge"
smtp-sink -u nobody "127.0.0.1:$port" 1024 &
sink=$!
trap 'kill $sink 2>/dev/null' EXIT
sleep 0.5
for c in 1 4; do
  dir="$(mktemp -d)/campaign"
  python3 benches/gen_recipients.py "$n" "$dir" --text-only --smtp "$port" "$c"
  start=$(date +%s.%N)
  /usr/bin/time -f "peak RSS %M KB" "$bin" -C "$dir" send --yes --quiet --variant coalition --date 2018-07-11
  end=$(date +%s.%N)
  python3 -c "import sys; n,s,e=int(sys.argv[1]),float(sys.argv[2]),float(sys.argv[3]); print(f'send {n} letters, {sys.argv[4]} connection(s): {e-s:.2f} s, {n/(e-s):.0f} letters/s')" "$n" "$start" "$end" "$c"
done
