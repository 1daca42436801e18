#!/usr/bin/env python3
"""The letter of docs/PERFORMANCE.md ("A cheaper letter"), for lettermerge and for Python mailmerge, with N rows.

usage: benches/letter/gen.py N DEST   writes DEST/lettermerge (a campaign) and DEST/mailmerge (its three files)

The letter (letter.hbs, about 400 words) reads five fields: title, first_name, last_name, organization, email.
Handlebars and Jinja read `{{name}}` alike, so both tools fill the same text.
"""
import csv
import sys
from pathlib import Path

n, dest = int(sys.argv[1]), Path(sys.argv[2])
here = Path(__file__).resolve().parent
_, front, body = (here / "letter.hbs").read_text(encoding="utf-8").split("---\n", 2)
headers = dict(line.split(": ", 1) for line in front.strip().splitlines())
lm, mm = dest / "lettermerge", dest / "mailmerge"
for d in (lm / "templates", lm / "recipients", mm):
    d.mkdir(parents=True, exist_ok=True)
(lm / "lettermerge.toml").write_text(
    '[letter]\ntemplate = "templates/letter.hbs"\nrecipients = "recipients/officials.csv"\nkey = "id"\n'
    '[output]\nformats = ["eml"]\n[signoff]\nrequired = false\n', encoding="utf-8")
(lm / "templates" / "letter.hbs").write_text((here / "letter.hbs").read_text(encoding="utf-8"), encoding="utf-8")
unquote = lambda v: v.strip().strip("'")
(mm / "mailmerge_template.txt").write_text(
    f"TO: {unquote(headers['to'])}\nSUBJECT: {unquote(headers['subject'])}\nFROM: {unquote(headers['from'])}\n\n{body}",
    encoding="utf-8")
(mm / "mailmerge_server.conf").write_text("[smtp_server]\nhost = 127.0.0.1\nport = 25\nsecurity = Never\n")
titles = ["Senator", "Representative", "Secretary", "Governor", "Mayor"]
rows = [[f"o{i:07d}", titles[i % 5], f"Alex{i}", f"Núñez{i}", f"Office of the People {i}", f"o{i}@gov.example"]
        for i in range(n)]
for path in (lm / "recipients" / "officials.csv", mm / "mailmerge_database.csv"):
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["id", "title", "first_name", "last_name", "organization", "email"])
        w.writerows(rows)
