//! `lettermerge mark`: record what happened to a letter of any channel — delivered by hand or through a web form,
//! replied, a meeting, no response, bounced. A mark is a journal line; `status` and the delivery sheet show it, and
//! `send` never sends again, on its own, a letter the office is marked as having.

use std::path::Path;

use crate::cli::MarkArgs;
use crate::deliver::journal::{self, Journal, Record};
use crate::deliver::track::Tracked;
use crate::error::{Error, Result};

use super::status::{with_tracking, Tracking};
use super::Verbosity;

pub fn run(dir: &Path, args: &MarkArgs, v: Verbosity) -> Result<()> {
    // A note is shown by `status` in a terminal: an escape sequence in it would colour or clear the screen.
    if let Some(c) = args.note.as_deref().and_then(|n| {
        n.chars()
            .find(|c| c.is_control() && !matches!(c, '\t' | '\n' | '\r'))
    }) {
        return Err(Error::Usage(format!(
            "--note holds the control character U+{:04X}: write the note as plain text",
            u32::from(c)
        )));
    }
    let (mut journal, warnings) = Journal::open(dir)?;
    if !v.quiet {
        for w in &warnings {
            eprintln!("warning: {w}");
        }
    }
    let (letter, approval) = with_tracking(dir, &[], &journal, v, |tracking| {
        let letter = resolve(tracking, &args.id)?;
        let approval = tracking.approvals.get(&letter.variant).cloned();
        Ok((letter, approval))
    })?;
    let base = journal.last(&letter.id);
    let record = match base {
        Some(last) => Record {
            at: journal::now(),
            state: args.state.into(),
            reply: None,
            note: args.note.clone(),
            channel: Some(letter.channel),
            ..last
        },
        None => Record {
            at: journal::now(),
            id: letter.id.clone(),
            variant: letter.variant.clone(),
            key: letter.key.clone(),
            signatory: letter.signatory.clone(),
            signer: Vec::new(),
            signatories: letter.signatories.clone(),
            approval,
            // Never handed to a server: no message, so no content hash.
            hash: String::new(),
            to: letter.to.clone(),
            state: args.state.into(),
            reply: None,
            message_id: None,
            note: args.note.clone(),
            channel: Some(letter.channel),
        },
    };
    journal.append(&record).map_err(|e| Error::Write {
        path: journal.path().to_path_buf(),
        source: e,
    })?;
    if !v.quiet {
        println!("Marked {} {}.", letter.id, args.state.words());
    }
    Ok(())
}

/// The one letter `id` names: a whole id (planned, or only in the journal), else `KEY` or `KEY/SIGNATORY` when
/// exactly one planned letter has it.
fn resolve(tracking: &Tracking, id: &str) -> Result<Tracked> {
    let short = |l: &Tracked| match &l.signatory {
        Some(s) => format!("{}/{s}", l.key),
        None => l.key.clone(),
    };
    let mut exact = None;
    let mut matches: Vec<Tracked> = Vec::new();
    tracking
        .each(&mut |l| {
            if exact.is_some() {
                return;
            }
            if l.id == id {
                exact = Some(l);
            } else if l.planned && (l.key == id || short(&l) == id) {
                matches.push(l);
            }
        })
        .map_err(|p| Error::Campaign(p.into()))?;
    if let Some(l) = exact {
        return Ok(l);
    }
    match matches.len() {
        1 => Ok(matches.remove(0)),
        0 => Err(Error::Usage(format!(
            "no letter `{id}`: ids look like VARIANT/KEY or VARIANT/KEY/SIGNATORY (see `lettermerge status`)"
        ))),
        n => {
            let ids: Vec<&str> = matches.iter().map(|l| l.id.as_str()).collect();
            Err(Error::Usage(format!(
                "`{id}` names {n} letters: {}; give the whole id",
                ids.join(", ")
            )))
        }
    }
}
