//! `lettermerge status` and `lettermerge mark`: what each office got, from the journal.

use std::collections::BTreeMap;
use std::path::Path;

use chrono::{DateTime, SecondsFormat, Utc};
use serde::Serialize;

use crate::cli::{MarkArgs, StatusArgs};
use crate::deliver::journal::{self, Journal, Record};
use crate::deliver::state::{SendState, State};
use crate::error::{Error, Result};

use super::Verbosity;

#[derive(Serialize)]
struct Letter<'a> {
    id: &'a str,
    state: State,
    #[serde(serialize_with = "rfc3339")]
    at: DateTime<Utc>,
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
    state: State,
    #[serde(serialize_with = "rfc3339")]
    at: DateTime<Utc>,
    #[serde(skip_serializing_if = "Option::is_none")]
    note: Option<&'a str>,
}

fn rfc3339<S: serde::Serializer>(at: &DateTime<Utc>, s: S) -> std::result::Result<S::Ok, S::Error> {
    s.serialize_str(&at.to_rfc3339_opts(SecondsFormat::Millis, true))
}

#[derive(Serialize)]
struct Report<'a> {
    /// Letters by their send state: sent, failed, uncertain.
    counts: BTreeMap<String, usize>,
    letters: Vec<Letter<'a>>,
    failed: Vec<&'a str>,
    uncertain: Vec<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    signatory: Option<&'a str>,
}

const UNCERTAIN: State = State::Send(SendState::Uncertain);
const FAILED: State = State::Send(SendState::Failed);

pub fn status(dir: &Path, args: &StatusArgs, v: Verbosity) -> Result<()> {
    let (journal, warnings) = Journal::read(dir)?;
    if !v.quiet {
        for w in &warnings {
            eprintln!("warning: {w}");
        }
    }
    let mut letters = Vec::new();
    for id in journal.ids() {
        let Some(latest) = journal.latest(id) else {
            continue;
        };
        if let Some(key) = &args.signatory {
            if !latest.signatories.contains(key) {
                continue;
            }
        }
        letters.push(letter(latest, &journal));
    }
    let mut counts = BTreeMap::new();
    for l in &letters {
        *counts.entry(l.state.to_string()).or_insert(0) += 1;
    }
    let report = Report {
        counts,
        failed: letters
            .iter()
            .filter(|l| l.state == FAILED)
            .map(|l| l.id)
            .collect(),
        uncertain: letters
            .iter()
            .filter(|l| l.state == UNCERTAIN)
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

fn letter<'a>(latest: &'a Record, journal: &'a Journal) -> Letter<'a> {
    let marks = journal
        .marks(&latest.id)
        .into_iter()
        .map(|r| Mark {
            state: r.state,
            at: r.at,
            note: r.note.as_deref(),
        })
        .collect();
    // Left at `sending` by a crash or recorded `uncertain`: to the coordinator, both may have arrived.
    let state = match latest.state {
        State::Send(SendState::Sending) => UNCERTAIN,
        other => other,
    };
    Letter {
        id: &latest.id,
        state,
        at: latest.at,
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
        let state = if l.state == UNCERTAIN {
            "UNCERTAIN".to_string()
        } else {
            l.state.to_string()
        };
        println!(
            "{:<10} {:<28} {}  to {}",
            state,
            l.id,
            l.at.to_rfc3339_opts(SecondsFormat::Millis, true),
            l.to.join(", ")
        );
        match (l.state, l.reply) {
            (FAILED, Some(reply)) => println!("           server said: {reply}"),
            (UNCERTAIN, Some(why)) => println!("           {why}"),
            _ => {}
        }
        for m in &l.marks {
            println!(
                "           {} {}{}",
                m.state,
                m.at.to_rfc3339_opts(SecondsFormat::Millis, true),
                m.note.map(|n| format!(": {n}")).unwrap_or_default()
            );
        }
    }
    if !r.uncertain.is_empty() {
        println!("Uncertain letters may have arrived: ask the office, then `lettermerge send --only ID --resend` if not.");
    }
}

pub fn mark(dir: &Path, args: &MarkArgs, v: Verbosity) -> Result<()> {
    let (mut journal, _) = Journal::open(dir)?;
    let latest = journal.latest(&args.id).cloned().ok_or_else(|| {
        Error::Usage(format!(
            "no letter `{}` in the journal: ids look like VARIANT/KEY (see `lettermerge status`)",
            args.id
        ))
    })?;
    let record = Record {
        at: journal::now(),
        state: args.state.into(),
        reply: None,
        note: args.note.clone(),
        ..latest
    };
    journal.append(&record).map_err(|e| Error::Write {
        path: journal.path().to_path_buf(),
        source: e,
    })?;
    if !v.quiet {
        println!("{}: {}", args.id, args.state.as_str());
    }
    Ok(())
}
