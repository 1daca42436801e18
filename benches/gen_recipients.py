#!/usr/bin/env python3
"""Writes a copy of the example campaign with N generated U.S. officials, for the render and send benchmarks.

usage: benches/gen_recipients.py N DEST [--text-only] [--no-roster] [--smtp PORT CONNECTIONS]

--text-only drops the attached PDF (attach_pdf, body) so a benchmark measures text letters alone;
--no-roster drops `[roster]`, whose U.S. Congress file the copy does not have (check would report it missing);
--smtp points [smtp] at an SMTP sink on 127.0.0.1:PORT (security "none": loopback only).
"""
import csv
import shutil
import sys
from pathlib import Path

n, dest = int(sys.argv[1]), Path(sys.argv[2])
args = sys.argv[3:]
root = Path(__file__).resolve().parent.parent
if dest.exists():
    shutil.rmtree(dest)
dest.mkdir(parents=True)
for part in ["lettermerge.toml", "templates", "recipients", "attachments"]:
    src = root / part
    (shutil.copytree if src.is_dir() else shutil.copy)(src, dest / part)

titles = ["Senator", "Representative", "Secretary of State", "Governor", "Mayor"]
issues = "impunity;migrants;torture;ayotzinapa;defenders;rule_of_law"
with open(dest / "recipients" / "officials.csv", "w", newline="", encoding="utf-8") as f:
    w = csv.writer(f)
    w.writerow(["id", "title", "honorific", "first_name", "last_name", "gender", "position", "organization",
                "address", "email", "country", "lang", "issues", "committee", "channel"])
    for i in range(n):
        w.writerow([f"o{i:07d}", titles[i % len(titles)], "", f"Alex{i}", f"Núñez{i}", "female" if i % 2 else "male",
                    "", "Office of the People", f"{i} Main Street\nSpringfield, IL 62701", f"o{i}@gov.example",
                    "US", "en", issues, "", "email"])

if "--text-only" in args:
    for name in ["letter.hbs", "carta.hbs"]:
        t = dest / "templates" / name
        lines = [l for l in t.read_text(encoding="utf-8").splitlines(keepends=True)
                 if not l.startswith(("attach_pdf:", "body:"))]
        t.write_text("".join(lines), encoding="utf-8")
if "--no-roster" in args:
    toml = dest / "lettermerge.toml"
    lines = toml.read_text(encoding="utf-8").splitlines(keepends=True)
    toml.write_text("".join(l for l in lines if not l.startswith("us_congress")), encoding="utf-8")
if "--smtp" in args:
    i = args.index("--smtp")
    port, connections = args[i + 1], args[i + 2]
    with open(dest / "lettermerge.toml", "a", encoding="utf-8") as f:
        f.write(f'\n[smtp]\nhost = "127.0.0.1"\nport = {port}\nsecurity = "none"\nconnections = {connections}\n')
