#!/usr/bin/env bash
# Issue 13's table, remeasured side by side on this machine: lettermerge against Python mailmerge 2.3 (the same plain
# letter, rendered as raw messages), against Postfix's smtp-source (the same messages sent to smtp-sink), and alone
# where nothing compares (the example campaign's letter through `render --format txt` and `check`, up to a million
# recipients). Each row runs RUNS times; the table gives the median wall time and the largest peak RSS
# (/usr/bin/time -v, "Maximum resident set size").
#
# usage: benches/compare.sh [ROW...]        rows: eml txt check send pdf (default: all but pdf)
#   RUNS=3                 runs per row
#   SIZES="100000 200000 1000000"   letters for the txt row (check takes CHECK_SIZES="200000 1000000")
#   EML_N=10000 SEND_N=10000 SEND_BIG=100000   letters for the eml and send rows (SEND_BIG: lettermerge alone)
#   PDF_N=1000             one-page letters for the pdf row (benches/gen_pdf.py; the binary needs the `pdf` feature)
#   WORK=/dev/shm/lettermerge-compare          where workloads and output go (a tmpfs when there is one)
#   BIN=path/to/lettermerge                    skip the build and measure this binary
#   PROFILE=release-lto    the build measured: the binary to hand out (Cargo.toml); PROFILE=release for `--release`'s
#   CARGO_FLAGS=--no-default-features          for the build (only the pdf row needs the `pdf` feature)
#   INSTALL=0              never install mailmerge (pip, into WORK/venv) or postfix (apt-get); rows without them say so
# Workloads are generated once per size and kept in WORK (benches/gen_recipients.py, benches/gen_plain.py); nothing
# in them is random.
set -uo pipefail
cd "$(dirname "$0")/.."
root=$PWD
RUNS=${RUNS:-3}
SIZES=${SIZES:-100000 200000 1000000}
CHECK_SIZES=${CHECK_SIZES:-200000 1000000}
EML_N=${EML_N:-10000}
SEND_N=${SEND_N:-10000}
SEND_BIG=${SEND_BIG:-100000}
PDF_N=${PDF_N:-1000}
INSTALL=${INSTALL:-1}
PORT=${PORT:-2626}
if [ -z "${WORK:-}" ]; then
  if [ -d /dev/shm ] && [ -w /dev/shm ]; then WORK=/dev/shm/lettermerge-compare; else WORK=$(mktemp -d); fi
fi
mkdir -p "$WORK"
rows=${*:-eml txt check send}

if [ -z "${BIN:-}" ]; then
  # shellcheck disable=SC2086
  cargo build --profile "${PROFILE:-release-lto}" --quiet ${CARGO_FLAGS:-} || exit 1
  BIN=${CARGO_TARGET_DIR:-$root/target}/${PROFILE:-release-lto}/lettermerge
fi
command -v /usr/bin/time >/dev/null || { echo "needs GNU time (/usr/bin/time): apt-get install time"; exit 1; }

echo "machine: $(nproc) cores, $(lscpu | sed -n 's/^Model name: *//p'), $(free -g | awk '/Mem:/ {print $2}') GiB; load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "lettermerge: $BIN; $RUNS runs per row; work in $WORK"
echo

median() { printf '%s\n' "$@" | sort -g | awk '{a[NR] = $1} END {print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2}'; }

# measure NAME CMD...: runs CMD $RUNS times (the PREP function first, untimed, if set) and sets $med (s), $user (the
# median CPU time in user mode, s: steadier than wall time on a shared machine) and $rss (MB).
measure() {
  local name=$1; shift
  local times=() users=() peak=0 status=0
  for r in $(seq "$RUNS"); do
    [ -n "${PREP:-}" ] && $PREP
    /usr/bin/time -v -o "$WORK/time.txt" "$@" >"$WORK/$name.out" 2>"$WORK/$name.err"
    status=$?
    times+=("$(awk -F': ' '/Elapsed \(wall clock\)/ {n = split($2, p, ":"); s = 0; for (i = 1; i <= n; i++) s = s * 60 + p[i]; print s}' "$WORK/time.txt")")
    users+=("$(awk -F': ' '/User time/ {print $2}' "$WORK/time.txt")")
    local kb
    kb=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$WORK/time.txt")
    [ "$kb" -gt "$peak" ] && peak=$kb
  done
  med=$(median "${times[@]}")
  user=$(median "${users[@]}")
  rss=$((peak / 1024))
  if [ "$status" -ne 0 ]; then
    echo "  ($name exited $status: see $WORK/$name.err)" >&2
  fi
}

row() { printf '| %-44s | %9s | %8s | %-34s | %9s | %8s | %-16s |\n' "$@"; }
header() {
  row "workload" "lettermerge" "peak" "anchor" "anchor" "peak" "ratio"
  row "---" "---:" "---:" "---" "---:" "---:" "---"
}

campaign() { # N: the example campaign with N generated officials, text letters, no roster
  local dir=$WORK/example-$1
  [ -f "$dir/recipients/officials.csv" ] || python3 benches/gen_recipients.py "$1" "$dir" --text-only --no-roster
  echo "$dir"
}

plain() { # N PORT CONNECTIONS: the plain letter for both sides
  local dir=$WORK/plain-$1-$3
  [ -f "$dir/mailmerge/mailmerge_database.csv" ] || python3 benches/gen_plain.py "$1" "$dir" --smtp "$2" "$3"
  echo "$dir"
}

mailmerge_bin() {
  if [ -x "$WORK/venv/bin/mailmerge" ]; then echo "$WORK/venv/bin/mailmerge"; return; fi
  if [ "$INSTALL" != 0 ]; then
    python3 -m venv "$WORK/venv" >/dev/null 2>&1 && "$WORK/venv/bin/pip" install -q "mailmerge==2.3.0" >/dev/null 2>&1
  fi
  [ -x "$WORK/venv/bin/mailmerge" ] && echo "$WORK/venv/bin/mailmerge"
}

postfix_tools() {
  if ! command -v smtp-sink >/dev/null && [ "$INSTALL" != 0 ] && [ "$(id -u)" = 0 ]; then
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends postfix >/dev/null 2>&1
  fi
  command -v smtp-sink >/dev/null && command -v smtp-source >/dev/null
}

header
for what in $rows; do
  case $what in
  eml)
    dir=$(plain "$EML_N" "$PORT" 1)
    clean() { rm -rf "$WORK/out-eml"; }
    mm=$(mailmerge_bin)
    if [ -n "$mm" ]; then
      # In pairs, one run of each after the other: a shared machine's speed drifts by a third between minutes, and
      # a ratio of two medians taken minutes apart carries that drift; the median of the pairs' ratios does not.
      ratios=() lm_times=() mm_times=() lm_users=() mm_users=() lm_rss=0 mm_rss=0
      RUNS_SAVED=$RUNS; RUNS=1
      for r in $(seq "$RUNS_SAVED"); do
        PREP=clean measure eml "$BIN" -C "$dir/lettermerge" render --quiet --format eml --out "$WORK/out-eml"
        lm_times+=("$med") lm_users+=("$user"); [ "$rss" -gt "$lm_rss" ] && lm_rss=$rss
        PREP= measure mailmerge sh -c "cd '$dir/mailmerge' && '$mm' --dry-run --no-limit --output-format raw"
        mm_times+=("$med") mm_users+=("$user"); [ "$rss" -gt "$mm_rss" ] && mm_rss=$rss
        ratios+=("$(awk -v a="$med" -v b="${lm_times[-1]}" 'BEGIN {printf "%.2f", a / b}')")
      done
      RUNS=$RUNS_SAVED
      row "render $EML_N as eml (tmpfs) vs mailmerge --dry-run" "$(median "${lm_times[@]}") s (user $(median "${lm_users[@]}") s)" "$lm_rss MB" \
        "mailmerge 2.3 raw" "$(median "${mm_times[@]}") s (user $(median "${mm_users[@]}") s)" "$mm_rss MB" \
        "$(median "${ratios[@]}")× its speed (pairs: $(printf '%s ' "${ratios[@]}" | sed 's/ $//'))"
    else
      PREP=clean measure eml "$BIN" -C "$dir/lettermerge" render --quiet --format eml --out "$WORK/out-eml"
      row "render $EML_N as eml (tmpfs)" "$med s (user $user s)" "$rss MB" "mailmerge: not installed" "" "" ""
    fi
    ;;
  txt)
    for n in $SIZES; do
      dir=$(campaign "$n")
      clean() { rm -rf "$WORK/out-txt"; }
      PREP=clean measure txt "$BIN" -C "$dir" render --quiet --variant coalition --format txt --date 2018-07-11 --out "$WORK/out-txt"
      row "render --format txt, $n (tmpfs)" "$med s (user $user s)" "$rss MB" "—" "" "" "$( [ "$rss" -lt 100 ] && echo "under 100 MB" || echo "OVER 100 MB")"
    done
    rm -rf "$WORK/out-txt"
    ;;
  check)
    for n in $CHECK_SIZES; do
      dir=$(campaign "$n")
      PREP= measure check "$BIN" -C "$dir" check --quiet --variant coalition --date 2018-07-11
      row "check, $n rows" "$med s (user $user s)" "$rss MB" "—" "" "" "$( [ "$rss" -lt 100 ] && echo "under 100 MB" || echo "OVER 100 MB")"
    done
    ;;
  send)
    if ! postfix_tools; then
      row "send" "" "" "smtp-source: not installed" "" "" ""
      continue
    fi
    sinkuser=""
    [ "$(id -u)" = 0 ] && sinkuser="-u nobody"
    # shellcheck disable=SC2086
    smtp-sink $sinkuser "127.0.0.1:$PORT" 1024 &
    sink=$!
    trap 'kill $sink 2>/dev/null' EXIT
    sleep 0.5
    for c in 1 8; do
      dir=$(plain "$SEND_N" "$PORT" "$c")
      forget() { rm -rf "$dir/lettermerge/.lettermerge" "$dir/lettermerge/approvals.toml"; }
      PREP=forget measure send "$BIN" -C "$dir/lettermerge" send --yes --quiet
      lm=$med lm_user=$user lm_rss=$rss
      # The same message for smtp-source: one of ours, as it would be handed over.
      "$BIN" -C "$dir/lettermerge" preview --format eml --only o0000000 2>/dev/null | tr -d '\r' >"$WORK/message.txt"
      size=$(wc -c <"$WORK/message.txt")
      PREP= measure smtp-source smtp-source -d -s "$c" -m "$SEND_N" -F "$WORK/message.txt" -f coalition@example.org -t official@example.org "127.0.0.1:$PORT"
      row "send $SEND_N to smtp-sink, $c connection(s)" "$lm s (user $lm_user s)" "$lm_rss MB" "smtp-source -s $c, $size-byte message" "$med s" "$rss MB" \
        "$(awk -v a="$lm" -v b="$med" 'BEGIN {printf "%.2f× its time", a / b}')"
    done
    if [ "$SEND_BIG" -gt 0 ]; then
      dir=$(plain "$SEND_BIG" "$PORT" 8)
      forget() { rm -rf "$dir/lettermerge/.lettermerge" "$dir/lettermerge/approvals.toml"; }
      RUNS_SAVED=$RUNS; RUNS=1
      PREP=forget measure send-big "$BIN" -C "$dir/lettermerge" send --yes --quiet
      RUNS=$RUNS_SAVED
      row "send $SEND_BIG to smtp-sink, 8 connections (1 run)" "$med s (user $user s)" "$rss MB" "—" "" "" "$( [ "$rss" -lt 100 ] && echo "under 100 MB" || echo "OVER 100 MB")"
    fi
    kill $sink 2>/dev/null
    trap - EXIT
    ;;
  pdf)
    # The one-page letter of benches/pdf.rs through the command line; needs a build with the `pdf` feature.
    dir=$WORK/pdf-$PDF_N
    [ -f "$dir/recipients/officials.csv" ] || python3 benches/gen_pdf.py "$PDF_N" "$dir"
    clean() { rm -rf "$WORK/out-pdf"; }
    PREP=clean measure pdf "$BIN" -C "$dir" render --quiet --format pdf --date 2018-07-11 --out "$WORK/out-pdf"
    row "render --format pdf, $PDF_N one-page (tmpfs)" "$med s (user $user s)" "$rss MB" "—" "" "" \
      "$(awk -v t="$med" 'BEGIN {print (t < 2) ? "under 2 s" : "OVER 2 s"}')"
    rm -rf "$WORK/out-pdf"
    ;;
  *) echo "unknown row $what: use eml txt check send pdf" >&2; exit 2 ;;
  esac
done
