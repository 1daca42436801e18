//! A letter new to the journal that an office already has under another id. A renamed key, key column or variant, or
//! keys that shift when a row is inserted (row numbers), give letters new ids, and a new id is a letter never sent:
//! without this, `send` would mail the office the same letter a second time. The journal's records keep each letter's
//! envelope, so a letter new to the journal is held back when a letter of the same variant already went to exactly
//! its addresses (from the same organization, in a per-signatory variant, known by its key or, when the key was
//! renamed, by the rest of its row), or a letter of a variant the manifest no longer has did.

use std::hash::{Hash, Hasher};

use crate::diag::Problem;
use crate::load::Campaign;
use crate::plan::Letter;

use super::journal::{Journal, SendState};

/// The letters that went (sent, uncertain, or left at `sending`), by a hash of what they went to: 16 bytes each, two
/// to four per letter.
#[derive(Debug, Default)]
pub struct Moved {
    /// By (variant, envelope, signatory), sorted: the journal offset of the letter's last send record.
    same_variant: Vec<(u64, u64)>,
    /// By (envelope, signatory), for the letters of variants the manifest no longer has.
    gone_variant: Vec<(u64, u64)>,
}

impl Moved {
    pub fn find(campaign: &Campaign, journal: &Journal) -> Moved {
        let mut moved = Moved::default();
        let variants = &campaign.manifest.manifest.variants;
        for e in journal.entries() {
            let went = matches!(
                e.send_state(),
                Some(SendState::Sent | SendState::Uncertain | SendState::Sending)
            );
            if !went {
                continue;
            }
            let at = e.some_record();
            let Some(r) = journal.record_at(at) else {
                continue;
            };
            if r.to.is_empty() {
                continue;
            }
            // A per-signatory letter is known by its organization's key and, when the record has it, by the rest of
            // the organization's row: a renamed key keeps the second.
            let signers = signers(r.signatory.as_deref(), &r.signer);
            for s in &signers {
                moved
                    .same_variant
                    .push((key(Some(&r.variant), &r.to, *s), at));
            }
            // A campaign without variants has the one `default`; any other name is a variant renamed or deleted.
            let gone = if variants.is_empty() {
                r.variant != crate::plan::DEFAULT_VARIANT
            } else {
                !variants.contains_key(&r.variant)
            };
            if gone {
                for s in &signers {
                    moved.gone_variant.push((key(None, &r.to, *s), at));
                }
            }
        }
        moved.same_variant.sort_unstable();
        moved.gone_variant.sort_unstable();
        moved
    }

    /// Why `letter` (its id `id`), new to the journal, to `to`, is held back: that office already has a letter. A
    /// per-signatory letter from another organization to the same office is a letter of its own.
    pub fn holds(
        &self,
        journal: &Journal,
        letter: &Letter,
        id: &str,
        to: &[String],
    ) -> Option<Problem> {
        let variant = letter.variant.name.as_str();
        let signatory = letter.signatory_key();
        let signer = letter.signer_prints();
        let still_signs = |k: &str| {
            letter
                .variant
                .signatory_table
                .is_some_and(|t| t.find(k).is_some())
        };
        let find = |list: &[(u64, u64)], k: u64| {
            list.binary_search_by(|(h, _)| h.cmp(&k))
                .ok()
                .map(|i| list[i].1)
        };
        let old = signers(signatory, &signer).iter().find_map(|s| {
            let at = find(&self.same_variant, key(Some(variant), to, *s))
                .or_else(|| find(&self.gone_variant, key(None, to, *s)))?;
            let old = journal.record_at(at)?;
            // Known by a fingerprint, the organization counts as renamed only when its old key is gone: another
            // organization with the same signer's address is a letter of its own.
            let renamed = match (s, old.signatory.as_deref()) {
                (Signer::Print(_), Some(k)) => !still_signs(k),
                _ => true,
            };
            renamed.then_some(old)
        })?;
        let how = match old.state {
            super::journal::State::Send(SendState::Sent) => "already received",
            _ => "may already have received (its send is uncertain)",
        };
        Some(
            Problem::error(format!(
                "{} {how} `{}` on {}: was a key, the key column or a variant renamed, or the keys renumbered? \
                 Sending `{id}` would give that office a second copy",
                to.join(", "),
                old.id,
                old.at.format("%Y-%m-%d")
            ))
            .for_letter(id, None)
            .help(format!(
                "if it is the same letter under a new name, record it: `lettermerge mark {id} delivered`; \
                 if it is a new letter for them, send it with `lettermerge send --resend --only {id}`"
            )),
        )
    }
}

/// Who signs a letter alone, as far as the journal can tell: by key, or by the rest of the organization's row.
#[derive(Clone, Copy, Hash)]
enum Signer<'a> {
    Everyone,
    Key(&'a str),
    Print(&'a str),
}

/// The ways a letter's signer is known: one for a letter every signatory signs, else its key and (when known) its
/// fingerprints.
fn signers<'a>(signatory: Option<&'a str>, prints: &'a [String]) -> Vec<Signer<'a>> {
    match signatory {
        None => vec![Signer::Everyone],
        Some(k) => std::iter::once(Signer::Key(k))
            .chain(prints.iter().map(|p| Signer::Print(p)))
            .collect(),
    }
}

/// A hash of the variant (when given), the envelope's addresses (lower case, sorted) and the signer.
fn key(variant: Option<&str>, to: &[String], signatory: Signer) -> u64 {
    let mut to: Vec<String> = to.iter().map(|a| a.trim().to_lowercase()).collect();
    to.sort();
    to.dedup();
    let mut h = std::collections::hash_map::DefaultHasher::new();
    (variant, to, signatory).hash(&mut h);
    h.finish()
}
