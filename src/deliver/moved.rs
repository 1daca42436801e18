//! Letters the journal says went out under an id the campaign no longer plans. A renamed key, key column or variant
//! gives every letter a new id, and a new id is a letter never sent: without this, `send` would mail each office the
//! same letter a second time. The journal's records keep each letter's envelope, so a new letter to exactly the
//! addresses of such a vanished one is held back, naming the letter they already have.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Utc};

use crate::diag::Problem;
use crate::load::Campaign;
use crate::plan::stream::{Pick, BATCH};
use crate::plan::{Plan, PlanOptions};

use super::journal::{id_key, Journal, SendState};

/// What went out under vanished ids, by the envelope it went to.
#[derive(Debug, Default)]
pub struct Moved {
    by_envelope: HashMap<String, (String, DateTime<Utc>)>,
}

impl Moved {
    /// Reads the whole plan (every variant, ids only) and the journal's letters that reached or may have reached an
    /// office. A campaign whose full plan cannot be made (a broken variant the run does not send) is not compared.
    pub fn find(campaign: &Campaign, journal: &Journal) -> Moved {
        let mut moved = Moved::default();
        if journal.is_empty() {
            return moved;
        }
        let Ok(plan) = Plan::new(campaign, &PlanOptions::default()) else {
            return moved;
        };
        // The journal's letters that went, by key, sorted: 16 bytes each, with one bit for "still planned".
        let mut went: Vec<(u128, usize)> = journal
            .entries()
            .enumerate()
            .filter(|(_, e)| {
                matches!(
                    e.send_state(),
                    Some(SendState::Sent | SendState::Uncertain | SendState::Sending)
                )
            })
            .map(|(i, e)| (e.key, i))
            .collect();
        if went.is_empty() {
            return moved;
        }
        went.sort_unstable();
        let mut planned = vec![false; went.len()];
        for batch in plan.batches(&Pick::all(), BATCH) {
            let Ok(batch) = batch else { return moved };
            for letter in batch.letters() {
                let key = id_key(&letter.id());
                if let Ok(at) = went.binary_search_by(|(k, _)| k.cmp(&key)) {
                    planned[at] = true;
                }
            }
        }
        let vanished: HashSet<usize> = went
            .iter()
            .zip(&planned)
            .filter(|(_, &p)| !p)
            .map(|((_, i), _)| *i)
            .collect();
        for (_, e) in journal
            .entries()
            .enumerate()
            .filter(|(i, _)| vanished.contains(i))
        {
            if let Some(r) = journal.some_record(e) {
                if !r.to.is_empty() {
                    let key = envelope(&r.to, r.signatory.as_deref());
                    moved.by_envelope.entry(key).or_insert((r.id, r.at));
                }
            }
        }
        moved
    }

    /// Why a letter never sent, to `to` (signed by `signatory` alone, in a per-signatory variant), is held back: its
    /// addresses already have a letter, from the same signer, that vanished. A per-signatory letter from another
    /// organization to the same office is a letter of its own.
    pub fn holds(&self, id: &str, to: &[String], signatory: Option<&str>) -> Option<Problem> {
        let (old, at) = self.by_envelope.get(&envelope(to, signatory))?;
        Some(
            Problem::error(format!(
                "{} already received `{old}` on {}, a letter the campaign no longer has: \
                 was a key, the key column or a variant renamed? Sending `{id}` would give that office a second copy",
                to.join(", "),
                at.format("%Y-%m-%d")
            ))
            .for_letter(id, None)
            .help(format!(
                "if it is the same letter under a new name, record it: `lettermerge mark {id} delivered`; \
                 if it is a new letter for them, send it with `lettermerge send --resend --only {id}`"
            )),
        )
    }
}

/// The envelope's addresses, lower case, sorted, and the one signatory, as one key.
fn envelope(to: &[String], signatory: Option<&str>) -> String {
    let mut to: Vec<String> = to.iter().map(|a| a.trim().to_lowercase()).collect();
    to.sort();
    to.dedup();
    format!("{}\n/{}", to.join("\n"), signatory.unwrap_or(""))
}
