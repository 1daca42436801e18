#!/usr/bin/env python3
"""Writes a copy of the example campaign with N generated U.S. officials, for the render and send benchmarks.

usage: benches/gen_recipients.py N DEST
"""
import csv
import shutil
import sys
from pathlib import Path

n, dest = int(sys.argv[1]), Path(sys.argv[2])
root = Path(__file__).resolve().parent.parent
if dest.exists():
    shutil.rmtree(dest)
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
