#!/usr/bin/env bash
# CI's guard against a gross regression of speed or memory (issue 13): a release build (without the `pdf` feature:
# both workloads are text), then once each
#   - `render --format eml` of 10,000 plain letters (benches/gen_plain.py) to a tmpfs,
#   - `check` of the example campaign with 1,000,000 recipients (benches/gen_recipients.py --text-only --no-roster),
# failing only when a run takes more than 3× the time recorded in benches/recorded.txt or peaks over 100 MB.
# It is a benchmark run once, not a timed test: the margin absorbs a loaded machine, not a slower program.
# usage: benches/guard.sh          (WORK=... to keep the workloads elsewhere than a fresh temporary folder)
set -euo pipefail
cd "$(dirname "$0")/.."
LIMIT_MB=100
FACTOR=3

start=$(date +%s)
cargo build --release --quiet --no-default-features
echo "guard: release build (no pdf feature) took $(( $(date +%s) - start )) s"
bin=${CARGO_TARGET_DIR:-$PWD/target}/release/lettermerge

if [ -z "${WORK:-}" ]; then
  base=/tmp
  [ -d /dev/shm ] && [ -w /dev/shm ] && base=/dev/shm
  WORK=$(mktemp -d -p "$base" lettermerge-guard.XXXXXX)
  trap 'rm -rf "$WORK"' EXIT
fi

recorded() { awk -v k="$1" '$1 == k {print $2}' benches/recorded.txt; }

failed=0
# run NAME CMD...: one run under GNU time, judged against the recorded time and the memory limit.
run() {
  local name=$1; shift
  /usr/bin/time -v -o "$WORK/time.txt" "$@" >"$WORK/out.txt" 2>"$WORK/err.txt" || {
    echo "guard: $name failed:"; tail -20 "$WORK/err.txt"; failed=1; return
  }
  local secs kb limit
  secs=$(awk -F': ' '/Elapsed \(wall clock\)/ {n = split($2, p, ":"); s = 0; for (i = 1; i <= n; i++) s = s * 60 + p[i]; print s}' "$WORK/time.txt")
  kb=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$WORK/time.txt")
  limit=$(awk -v r="$(recorded "$name")" -v f="$FACTOR" 'BEGIN {print r * f}')
  echo "guard: $name: ${secs} s (recorded $(recorded "$name") s, limit ${limit} s), peak $((kb / 1024)) MB (limit $LIMIT_MB MB)"
  if awk -v s="$secs" -v l="$limit" 'BEGIN {exit !(s > l)}'; then
    echo "guard: $name is more than ${FACTOR}× slower than recorded"; failed=1
  fi
  if [ "$kb" -gt $((LIMIT_MB * 1024)) ]; then
    echo "guard: $name peaked over $LIMIT_MB MB"; failed=1
  fi
}

python3 benches/gen_plain.py 10000 "$WORK/plain"
run render-eml-10k "$bin" -C "$WORK/plain/lettermerge" render --quiet --format eml --out "$WORK/out"
rm -rf "$WORK/out" "$WORK/plain"

start=$(date +%s)
python3 benches/gen_recipients.py 1000000 "$WORK/example" --text-only --no-roster
echo "guard: 1,000,000 recipients generated in $(( $(date +%s) - start )) s"
run check-1m "$bin" -C "$WORK/example" check --quiet --variant coalition --date 2018-07-11

exit $failed
