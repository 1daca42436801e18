#!/usr/bin/env python3
"""Writes the PDF workload of benches/compare.sh: the one-page letter of benches/pdf.rs (date, four-line address,
salutation, three paragraphs, five signatories) as a campaign with N recipients, so that the command line and the
library bench typeset the same page.

usage: benches/gen_pdf.py N DEST
Nothing is random: the same N always gives the same bytes.
"""
import sys
from pathlib import Path

n, dest = int(sys.argv[1]), Path(sys.argv[2])
(dest / "templates").mkdir(parents=True, exist_ok=True)
(dest / "recipients").mkdir(parents=True, exist_ok=True)
(dest / "lettermerge.toml").write_text(
    """[letter]
template = "templates/letter.hbs"
recipients = "recipients/officials.csv"
key = "id"
[vars]
coalition_name = "Mexico Human Rights Coalition"
[output]
formats = ["pdf"]
[signoff]
required = false
"""
)
(dest / "templates" / "letter.hbs").write_text(
    """---
subject: 'Human rights in Mexico'
---
{{date today}}

{{name}}
United States House of Representatives
{{office}}
Washington, DC 20515

Dear {{name}},

On the occasion of the Secretary's visit to Mexico City to meet with President Enrique Peña Nieto and President-elect \
Andrés Manuel López Obrador, we write to you as representatives of organizations that closely follow the human rights \
situation in Mexico.

Impunity for human rights violations remains a problem with extremely low prosecution rates for all crimes. Between \
2012 and 2016, fewer than four percent of investigations resulted in convictions.

We urge you to address these key issues and look forward to working with you to enhance accountability and respect \
for human rights in Mexico.

Sincerely,

Latin America Working Group (LAWG)

Washington Office on Latin America (WOLA)

Amnesty International USA, Marselha Gonçalves Margerin

Due Process of Law Foundation (DPLF)

Robert F. Kennedy Human Rights
"""
)
with open(dest / "recipients" / "officials.csv", "w", newline="") as f:
    f.write("id,name,office\n")
    for i in range(n):
        f.write(f"rep{i:05},Representative Member {i},{i} Longworth House Office Building\n")
