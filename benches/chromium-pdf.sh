#!/usr/bin/env bash
# The same one-page letters as benches/pdf.rs, as print-styled HTML, printed to PDF by headless Chromium: the way a
# user might otherwise make PDFs. Usage: benches/chromium-pdf.sh [N]   (default 20; needs the Debian `chromium`)
set -euo pipefail
n=${1:-20}
command -v chromium >/dev/null || { echo "skipped: chromium not installed"; exit 0; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
for i in $(seq 1 "$n"); do
  cat > "$work/letter$i.html" <<HTML
<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Letter $i</title>
<style>@page { size: letter; margin: 1in } body { font: 11.5pt/1.35 "Libertinus Serif", serif; } p { margin: 0 0 0.9em; text-align: justify }</style>
</head><body>
<p>July 11, 2018</p>
<p>Representative Member $i<br>United States House of Representatives<br>$i Longworth House Office Building<br>Washington, DC 20515</p>
<p>Dear Representative Member $i,</p>
<p>On the occasion of the Secretary's visit to Mexico City to meet with President Enrique Peña Nieto and President-elect Andrés Manuel López Obrador, we write to you as representatives of organizations that closely follow the human rights situation in Mexico.</p>
<p>Impunity for human rights violations remains a problem with extremely low prosecution rates for all crimes. Between 2012 and 2016, fewer than four percent of investigations resulted in convictions.</p>
<p>We urge you to address these key issues and look forward to working with you to enhance accountability and respect for human rights in Mexico.</p>
<p>Sincerely,</p>
<p>Latin America Working Group (LAWG)</p><p>Washington Office on Latin America (WOLA)</p>
<p>Amnesty International USA, Marselha Gonçalves Margerin</p><p>Due Process of Law Foundation (DPLF)</p><p>Robert F. Kennedy Human Rights</p>
</body></html>
HTML
done
start=$(date +%s.%N)
peak=0
for i in $(seq 1 "$n"); do
  profile=$(mktemp -d -p "$work")
  # GNU time's %M is the peak RSS of the browser's main process, in KB (its helper processes come on top).
  /usr/bin/time -f %M -o "$work/rss" chromium --headless --no-sandbox --disable-gpu --no-first-run \
    --disable-background-networking --disable-component-update --disable-sync --user-data-dir="$profile" \
    --no-pdf-header-footer --print-to-pdf="$work/letter$i.pdf" "file://$work/letter$i.html" >/dev/null 2>&1
  rss=$(cat "$work/rss"); [ "$rss" -gt "$peak" ] && peak=$rss
done
end=$(date +%s.%N)
awk -v s="$start" -v e="$end" -v n="$n" -v p="$peak" 'BEGIN {
  t = e - s
  printf "chromium: %d letters in %.1f s = %.0f ms/letter; 1,000 letters ≈ %.0f s; main-process peak RSS %d MB\n", n, t, t * 1000 / n, t * 1000 / n, p / 1024
}'
ls "$work"/letter1.pdf >/dev/null
