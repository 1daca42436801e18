//! `lettermerge status` and `lettermerge mark`: what each office got, from the journal.

use std::collections::BTreeMap;
use std::path::Path;

use serde::Serialize;

use crate::cli::{MarkArgs, StatusArgs};
use crate::deliver::journal::{self, Journal, Record};
use crate::error::{Error, Result};

use super::Verbosity;

#[derive(Serialize)]
struct Letter<'a> {
    id: &'a str,
    state: &'a str,
    at: &'a str,
    to: &'a [String],
    #[serde(skip_serializing_if = "Option::is_none")]
    reply: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    message_id: Option<&'a str>,
    /// Follow-up marks after sending, oldest first.
    marks: Vec<Mark<'a>>,
}

#[derive(Serialize)]
struct Mark<'a> {
    state: &'a str,
    at: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    note: Option<&'a str>,
}

#[derive(Serialize)]
struct Report<'a> {
    /// Letters by their send state: sending (uncertain), sent, failed.
    counts: BTreeMap<&'a str, usize>,
    letters: Vec<Letter<'a>>,
    failed: Vec<&'a str>,
    uncertain: Vec<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    signatory: Option<&'a str>,
}

pub fn status(dir: &Path, args: &StatusArgs, v: Verbosity) -> Result<()> {
    let (journal, warnings) = Journal::read(dir).map_err(Error::Refused)?;
    if !v.quiet {
        for w in &warnings {
            eprintln!("warning: {w}");
        }
    }
    let records = journal.records();
    let mut ids: Vec<&str> = Vec::new();
    for r in records {
        if !ids.contains(&r.id.as_str()) {
            ids.push(&r.id);
        }
    }
    let mut letters = Vec::new();
    for id in ids {
        let Some(latest) = journal.latest(id) else {
            continue;
        };
        if let Some(key) = &args.signatory {
            if !latest.signatories.contains(key) {
                continue;
            }
        }
        letters.push(letter(latest, records));
    }
    let mut counts = BTreeMap::new();
    for l in &letters {
        *counts.entry(l.state).or_insert(0) += 1;
    }
    let report = Report {
        counts,
        failed: letters
            .iter()
            .filter(|l| l.state == journal::FAILED)
            .map(|l| l.id)
            .collect(),
        uncertain: letters
            .iter()
            .filter(|l| l.state == journal::UNCERTAIN)
            .map(|l| l.id)
            .collect(),
        letters,
        signatory: args.signatory.as_deref(),
    };
    if args.json {
        println!(
            "{}",
            serde_json::to_string_pretty(&report).unwrap_or_default()
        );
        return Ok(());
    }
    print_report(&report);
    Ok(())
}

fn letter<'a>(latest: &'a Record, records: &'a [Record]) -> Letter<'a> {
    let marks = records
        .iter()
        .filter(|r| r.id == latest.id && !journal::is_send_state(&r.state) && r.at >= latest.at)
        .map(|r| Mark {
            state: &r.state,
            at: &r.at,
            note: r.note.as_deref(),
        })
        .collect();
    // Left at `sending` by a crash or recorded `uncertain`: to the coordinator, both may have arrived.
    let state = if latest.state == journal::SENDING {
        journal::UNCERTAIN
    } else {
        &latest.state
    };
    Letter {
        id: &latest.id,
        state,
        at: &latest.at,
        to: &latest.to,
        reply: latest.reply.as_deref(),
        message_id: latest.message_id.as_deref(),
        marks,
    }
}

fn print_report(r: &Report) {
    if r.letters.is_empty() {
        println!(
            "Nothing sent yet{}.",
            r.signatory
                .map(|s| format!(" with signatory {s}"))
                .unwrap_or_default()
        );
        return;
    }
    if let Some(s) = r.signatory {
        println!("Letters that carried {s}:");
    }
    let counts: Vec<String> = r.counts.iter().map(|(s, n)| format!("{n} {s}")).collect();
    println!("{}", counts.join(", "));
    for l in &r.letters {
        let state = if l.state == journal::UNCERTAIN {
            "UNCERTAIN"
        } else {
            l.state
        };
        println!(
            "{:<10} {:<28} {}  to {}",
            state,
            l.id,
            l.at,
            l.to.join(", ")
        );
        match (l.state, l.reply) {
            (journal::FAILED, Some(reply)) => println!("           server said: {reply}"),
            (journal::UNCERTAIN, Some(why)) => println!("           {why}"),
            _ => {}
        }
        for m in &l.marks {
            println!(
                "           {} {}{}",
                m.state,
                m.at,
                m.note.map(|n| format!(": {n}")).unwrap_or_default()
            );
        }
    }
    if !r.uncertain.is_empty() {
        println!("Uncertain letters may have arrived: ask the office, then `lettermerge send --only ID --resend` if not.");
    }
}

pub fn mark(dir: &Path, args: &MarkArgs, v: Verbosity) -> Result<()> {
    let (mut journal, _) = Journal::open(dir).map_err(Error::Refused)?;
    let latest = journal.latest(&args.id).cloned().ok_or_else(|| {
        Error::Usage(format!(
            "no letter `{}` in the journal: ids look like VARIANT/KEY (see `lettermerge status`)",
            args.id
        ))
    })?;
    let record = Record {
        at: journal::now(),
        state: args.state.clone(),
        reply: None,
        note: args.note.clone(),
        ..latest
    };
    journal.append(&record).map_err(|e| Error::Write {
        path: journal.path().to_path_buf(),
        source: e,
    })?;
    if !v.quiet {
        println!("{}: {}", args.id, args.state);
    }
    Ok(())
}
