//! What `send` delivered, known twice: by the journal (`.lettermerge/journal.jsonl`, one line per letter, not in git)
//! and, as a count per variant, by `approvals.toml`'s `[sent]` table (kept in git). A journal deleted or emptied
//! behind the campaign's back would make `send` deliver every letter again; with the count it refuses instead.

use std::collections::BTreeMap;
use std::path::Path;

use crate::deliver::files::write_durable;
use crate::deliver::journal::Journal;
use crate::diag::Problem;
use crate::load::approvals::{self, Approvals, Sent};

/// What the journal says about sign-off and sending.
#[derive(Debug, Default)]
pub struct Facts {
    /// A letter was sent under an approval: sign-off is in use for this campaign, whatever approvals.toml says.
    pub approved_sends: bool,
    /// Per variant, how many letters the journal records as sent, and when the last one went.
    sent: BTreeMap<String, (usize, chrono::DateTime<chrono::Utc>)>,
}

impl Facts {
    /// A journal that cannot be read counts as empty here: `send` cannot open it either, and says why.
    pub fn read(dir: &Path) -> Facts {
        Journal::read(dir)
            .map(|(j, _)| Facts::of(&j))
            .unwrap_or_default()
    }

    pub fn of(journal: &Journal) -> Facts {
        Facts {
            approved_sends: journal.approved_sends(),
            sent: journal.sent(),
        }
    }

    /// How many letters of `variant` the journal records as sent.
    pub fn sent(&self, variant: &str) -> usize {
        self.sent.get(variant).map_or(0, |(n, _)| *n)
    }
}

/// After a run that recorded sends: `[sent]` in approvals.toml takes the journal's counts. Counts only grow, unless
/// `journal_lost` says the user knowingly started over.
pub fn record(dir: &Path, journal: &Journal, journal_lost: bool) -> Result<(), Problem> {
    let facts = Facts::of(journal);
    let mut file = Approvals::load(dir)?.unwrap_or_default();
    let before = file.sent.clone();
    for (variant, (sent, last)) in &facts.sent {
        let entry = file.sent.entry(variant.clone()).or_insert(Sent {
            letters: 0,
            last: *last,
        });
        entry.letters = if journal_lost {
            *sent
        } else {
            entry.letters.max(*sent)
        };
        entry.last = entry.last.max(*last);
    }
    if file.sent == before {
        return Ok(());
    }
    let path = dir.join(approvals::FILE);
    write_durable(&path, file.to_toml().as_bytes()).map_err(|e| {
        Problem::error(format!("cannot record the sends: {e}")).in_file(approvals::FILE)
    })
}
