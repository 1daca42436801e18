#!/usr/bin/env bash
# Render benchmark: the example campaign with N generated recipients (default 10000), one variant, one run per
# format (FORMATS="txt html eml pdf" by default).
# Prints wall time and peak memory. Usage: benches/render.sh [N]
set -euo pipefail
cd "$(dirname "$0")/.."
n="${1:-10000}"
dir="$(mktemp -d)/campaign"
python3 benches/gen_recipients.py "$n" "$dir"
cargo build --release --quiet
bin="$PWD/target/release/lettermerge"
for formats in ${FORMATS:-txt html eml pdf}; do
  /usr/bin/time -f "render $n letters --format $formats: %e s wall, %M KB peak RSS" \
    "$bin" -C "$dir" render --quiet --variant coalition --format "$formats" --date 2018-07-11
done
