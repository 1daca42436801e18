//! `lettermerge roster fill`: the roster's office details written into the recipients table, for the rows named.
//! Never silently: without `--out` or `--in-place` it only lists the changes, and `--in-place` keeps a backup.

use std::path::{Path, PathBuf};

use crate::check::roster::{load, seats, Seat};
use crate::cli::{RosterAction, RosterArgs, RosterFillArgs};
use crate::deliver::files::write_atomic;
use crate::diag::{Problem, Problems};
use crate::error::{count, Error, Result};
use crate::load::roster::{find, Match, Member};
use crate::load::table::Table;

use super::Verbosity;

/// How a column's value comes from the roster.
type FromRoster = fn(&Member) -> String;

/// The columns `fill` writes, and how each comes from the roster.
const COLUMNS: &[(&str, FromRoster)] = &[
    ("address", Member::address_block),
    ("phone", |m| m.phone.clone()),
    ("contact_form", |m| m.contact_form.clone()),
    ("bioguide_id", |m| m.bioguide_id.clone()),
];

pub fn run(dir: &Path, args: &RosterArgs, v: Verbosity) -> Result<()> {
    match &args.action {
        RosterAction::Fill(a) => fill(dir, a, v),
    }
}

fn fill(dir: &Path, a: &RosterFillArgs, v: Verbosity) -> Result<()> {
    let campaign = super::load(dir)?;
    let roster = match load(&campaign) {
        None => {
            return Err(Error::Usage(
                "lettermerge.toml names no roster; add\n[roster]\nus_congress = \"data/legislators-current.csv\"\n(the congress-legislators project's legislators-current.csv)".into(),
            ))
        }
        Some(Err(p)) => return Err(Error::Campaign(p)),
        Some(Ok(r)) => r,
    };
    // Filling rewrites the table whole, so it is read whole here (the other commands stream it).
    let m = &campaign.manifest.manifest;
    let whole = m
        .letter
        .recipients
        .spec(m.letter.key.as_deref())
        .map_err(|e| Error::Usage(e.to_string()))
        .and_then(|spec| {
            Table::load(&campaign.dir, crate::load::RECIPIENTS, &spec).map_err(Error::Campaign)
        })?;
    let t = &whole;
    let seats = seats(t);
    let chosen: Vec<&Seat> = if a.all {
        seats.iter().collect()
    } else {
        let mut chosen = Vec::new();
        for key in &a.keys {
            match seats.iter().find(|s| s.key == key) {
                Some(s) => chosen.push(s),
                None if t.find(key).is_some() => {
                    return Err(Error::Usage(format!(
                        "`{key}` is not a member of Congress by its title, so the roster has nothing for it"
                    )))
                }
                None => {
                    return Err(Error::Usage(format!(
                        "there is no recipient `{key}` in {}",
                        t.path.display()
                    )))
                }
            }
        }
        chosen
    };

    let mut headers = t.headers.clone();
    for (name, _) in COLUMNS {
        if !headers.iter().any(|h| h == name) {
            headers.push((*name).to_owned());
        }
    }
    let mut cells: Vec<Vec<String>> = t
        .rows
        .iter()
        .map(|r| (0..headers.len()).map(|i| r.get(i).to_owned()).collect())
        .collect();
    let mut problems = Problems::new();
    let mut changed = 0usize;
    for seat in chosen {
        let member = match find(&roster, &seat.wanted()) {
            Match::Exact(m) | Match::Name(m) => m,
            other => {
                problems.push(
                    Problem::error(format!("`{}` was not filled: {}", seat.key, why(&other)))
                        .in_file(&t.path)
                        .at(seat.row.line, None)
                        .help("`lettermerge check` says more; fix the row (or add its `bioguide_id`) and run again"),
                );
                continue;
            }
        };
        let index = t
            .rows
            .iter()
            .position(|r| r.line == seat.row.line)
            .unwrap_or(0);
        for (name, value) in COLUMNS {
            let col = headers.iter().position(|h| h == name).unwrap_or(0);
            let new = value(member);
            // The roster has nothing here (many House members list no contact form): keep what the table has.
            if new.trim().is_empty() {
                continue;
            }
            if cells[index][col] != new {
                if !v.quiet {
                    println!(
                        "{} {name}: “{}” → “{}”",
                        seat.key,
                        cells[index][col].replace('\n', " / "),
                        new.replace('\n', " / ")
                    );
                }
                cells[index][col] = new;
                changed += 1;
            }
        }
    }
    super::print_problems(&problems, v);

    let target = match (&a.out, a.in_place) {
        (Some(out), _) => Some(out.clone()),
        (None, true) => Some(campaign.dir.join(&t.path)),
        (None, false) => None,
    };
    match target {
        None if !v.quiet => println!(
            "Nothing written ({}): add --out FILE to write a new table, or --in-place to rewrite {} (keeping a .bak copy).",
            count(changed, "change"),
            t.path.display()
        ),
        None => {}
        Some(path) => {
            let bytes = csv_bytes(t, &campaign, &headers, &cells)?;
            if a.in_place {
                if !declared_utf8(&campaign) {
                    return Err(Error::InPlaceEncoding {
                        path: t.path.clone(),
                    });
                }
                let backup = backup_path(&path);
                std::fs::copy(&path, &backup).map_err(|e| Error::Write {
                    path: backup.clone(),
                    source: e,
                })?;
                if !v.quiet {
                    println!("Kept the old table as {}.", super::shown(&backup));
                }
            }
            write_atomic(&path, &bytes).map_err(|e| Error::Write {
                path: path.clone(),
                source: e,
            })?;
            if !v.quiet {
                println!("Wrote {} ({}).", super::shown(&path), count(changed, "change"));
            }
        }
    }
    if problems.has_errors() {
        return Err(Error::RowsNotFilled {
            rows: problems.errors(),
        });
    }
    Ok(())
}

fn why(m: &Match) -> String {
    match m {
        Match::Differs { member, .. } => format!(
            "the roster's {} is in another chamber or state ({}, {})",
            member.name(),
            member.state,
            member.bioguide_id
        ),
        Match::Ambiguous(ms) => format!("{} members of the roster fit", ms.len()),
        Match::UnknownId => "its `bioguide_id` is not in the roster".into(),
        Match::Missing => "nobody of that name is in the roster".into(),
        Match::Exact(_) | Match::Name(_) => String::new(),
    }
}

fn declared_utf8(campaign: &crate::load::Campaign) -> bool {
    let m = &campaign.manifest.manifest;
    match m.letter.recipients.spec(m.letter.key.as_deref()) {
        Ok(spec) => spec
            .encoding
            .as_deref()
            .is_none_or(|e| e.eq_ignore_ascii_case("utf-8") || e.eq_ignore_ascii_case("utf8")),
        Err(_) => false,
    }
}

/// `officials.csv` → `officials.csv.bak`, or `.bak.2`, `.bak.3`… so an earlier backup is never overwritten.
fn backup_path(path: &Path) -> PathBuf {
    let base = format!("{}.bak", path.display());
    let mut candidate = PathBuf::from(&base);
    let mut n = 2;
    while candidate.exists() {
        candidate = PathBuf::from(format!("{base}.{n}"));
        n += 1;
    }
    candidate
}

fn csv_bytes(
    t: &Table,
    campaign: &crate::load::Campaign,
    headers: &[String],
    cells: &[Vec<String>],
) -> Result<Vec<u8>> {
    let m = &campaign.manifest.manifest;
    let delimiter = m
        .letter
        .recipients
        .spec(m.letter.key.as_deref())
        .map_or(b',', |s| s.delimiter);
    let mut w = csv::WriterBuilder::new()
        .delimiter(delimiter)
        .terminator(csv::Terminator::Any(b'\n'))
        .from_writer(Vec::new());
    let fail = |e: csv::Error| Error::Write {
        path: t.path.clone(),
        source: std::io::Error::other(e),
    };
    w.write_record(headers).map_err(fail)?;
    for row in cells {
        w.write_record(row).map_err(fail)?;
    }
    w.into_inner().map_err(|e| Error::Write {
        path: t.path.clone(),
        source: std::io::Error::other(e.to_string()),
    })
}
