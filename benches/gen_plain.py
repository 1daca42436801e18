#!/usr/bin/env python3
"""Writes the side-by-side workload of benches/compare.sh: one plain letter (about 400 words, 5 fields) and N
recipients, as a lettermerge campaign and as Python mailmerge's three files, from the same data.

usage: benches/gen_plain.py N DEST [--smtp PORT CONNECTIONS]

DEST/lettermerge/ is the campaign (lettermerge.toml, templates/letter.hbs, recipients/officials.csv);
DEST/mailmerge/ holds mailmerge_template.txt, mailmerge_database.csv and mailmerge_server.conf (PORT, or 2525).
Nothing is random: the same N always gives the same bytes.
"""
import csv
import shutil
import sys
from pathlib import Path

n, dest = int(sys.argv[1]), Path(sys.argv[2])
args = sys.argv[3:]
port, connections = "2525", "1"
if "--smtp" in args:
    i = args.index("--smtp")
    port, connections = args[i + 1], args[i + 2]

# About 400 words; {0}…{4} are the five fields, each filled the same way on both sides.
BODY = """On the occasion of the delegation's visit to Mexico City, we write to you, {0} {2}, as organizations that
follow the human rights situation in Mexico closely. We ask that the defense of human rights be a fundamental part
of the relationship between our two countries, and that your office, {3}, make it part of every meeting it holds.

Impunity remains the rule. Between 2012 and 2016, fewer than four percent of the investigations into human rights
violations and crimes committed by soldiers ended in a conviction in a civilian court. In the killing of twenty-two
civilians in Tlatlaya in 2014, every person charged has since been released. We ask you to insist that security
forces who commit abuses answer for them, and to reject any law that widens the role of the armed forces in public
security without strengthening the oversight of what they do.

Migrants in transit are kidnapped, robbed and assaulted by criminal groups, at times with the help of the officials
charged with enforcing migration law. Fewer than one percent of the crimes against migrants reported to the
authorities end in a conviction. Many people who cross into Mexican territory never get the chance to ask for
asylum. We ask you to make sure that cooperation on migration respects the rights of people seeking protection.

Torture and enforced disappearance remain widespread. Two laws passed last year created important mechanisms
against them, but their implementation has been slow, underfunded, and carried out without the families of the
disappeared. Almost four years after the forty-three students of Ayotzinapa disappeared, a federal tribunal found
that the investigation was neither prompt, effective, independent nor impartial.

Journalists and human rights defenders carry out their work under threat. Thirteen journalists were killed in 2017
and nine more in the first half of this year. We welcome the support given to the mechanism that protects them, and
we encourage you to meet with defenders at risk on your next visit, so that their concerns are heard.

Strengthening the rule of law also means an independent prosecutor's office and a national anti-corruption system
with the resources and the civil society oversight it needs to work.

We would welcome the chance to discuss these concerns with you, {1} {2}, and with your staff. Please write to us at
{4} or reply to this message, and we will gladly send you the reports we cite above.

Sincerely,

The Coalition for Human Rights in Mexico
"""

LM = ["{{title}}", "{{first_name}}", "{{last_name}}", "{{organization}}", "{{email}}"]
MM = ["{{title}}", "{{first_name}}", "{{last_name}}", "{{organization}}", "{{email}}"]

if dest.exists():
    shutil.rmtree(dest)
lm, mm = dest / "lettermerge", dest / "mailmerge"
(lm / "templates").mkdir(parents=True)
(lm / "recipients").mkdir(parents=True)
mm.mkdir(parents=True)

titles = ["Senator", "Representative", "Secretary", "Governor", "Mayor"]
header = ["id", "title", "first_name", "last_name", "organization", "email"]


def rows():
    for i in range(n):
        yield [f"o{i:07d}", titles[i % len(titles)], f"Alex{i}", f"Núñez{i}", f"Office {i % 97} of the People",
               f"o{i}@gov.example"]


for path in [lm / "recipients" / "officials.csv", mm / "mailmerge_database.csv"]:
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(header)
        w.writerows(rows())

(lm / "lettermerge.toml").write_text(f"""[letter]
template = "templates/letter.hbs"
recipients = "recipients/officials.csv"

[output]
formats = ["eml"]

[smtp]
host = "127.0.0.1"
port = {port}
security = "none"
from = "Coalition <coalition@example.org>"
connections = {connections}
""", encoding="utf-8")
(lm / "templates" / "letter.hbs").write_text(
    "---\nto: \"{{first_name}} {{last_name}} <{{email}}>\"\nsubject: \"Human rights in Mexico: {{title}} {{last_name}}\"\n---\n"
    + "Dear {{title}} {{last_name}},\n\n" + BODY.format(*LM), encoding="utf-8")
(mm / "mailmerge_template.txt").write_text(
    "TO: {{first_name}} {{last_name}} <{{email}}>\nFROM: Coalition <coalition@example.org>\n"
    + "SUBJECT: Human rights in Mexico: {{title}} {{last_name}}\n\n"
    + "Dear {{title}} {{last_name}},\n\n" + BODY.format(*MM), encoding="utf-8")
(mm / "mailmerge_server.conf").write_text(
    f"[smtp_server]\nhost = 127.0.0.1\nport = {port}\nsecurity = Never\n", encoding="utf-8")
