//! Sign-off tied to the exact text (README, "What sign-off covers"): fingerprints of what signers agreed to, what
//! changed since, and the one rule book that says whether a variant may be sent ([`Signoff::verdict`]), used by
//! `check`, `send`, `proof` and `approve` alike.
//!
//! The **text** fingerprint covers everything the office receives except the recipients (added and edited freely)
//! and the signatory list (its own fingerprint): the letter template with its front matter, every partial the letter
//! reaches, the variant's vars, every row of every table the letter reads (however it names the table — the signatory
//! table too, when the letter reads it as a table), the rows' order where the letter prints them in file order, the
//! PDF layout and the files it uses (when the letter has a PDF), and the bytes of every attached file. What the
//! letter reads comes from [`crate::plan::reads`]: what cannot be decided counts as read. Everything is hashed
//! normalized (NFC, LF) and keyed by row key, so the fingerprint is the same on every machine and when rows are
//! reordered where order does not show.
//!
//! The **list** fingerprint covers the selected signatories' keys in order and the signatory columns the letter shows.

mod assets;
pub(crate) mod fingerprint;
pub(crate) mod proof;
pub(crate) mod report;
pub(crate) mod sent;
pub(crate) mod verdict;

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use sha2::{Digest, Sha256};
use unicode_normalization::UnicodeNormalization;

use crate::load::approvals::Approval;

pub use fingerprint::Fingerprint;
pub use verdict::{Approved, Refusal, Sending, Signoff, Verdict};

/// One thing that changed in a variant's text since its approval.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change {
    /// A file (template, partial, layout, font, attachment) or a setting (`[vars]`) changed.
    Changed(String),
    New(String),
    Gone(String),
    Rows {
        file: String,
        changed: Vec<String>,
        added: Vec<String>,
        removed: Vec<String>,
    },
    /// The fingerprint differs but no part says where (an approval written by an older lettermerge).
    Text,
}

impl fmt::Display for Change {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Change::Changed(p) => write!(f, "{p} changed"),
            // Counted since December 2026: an approval made before says nothing of it either way.
            Change::New(p) if p == fingerprint::PER_SIGNATORY => write!(
                f,
                "{p} is new in the text (or the approval was made before lettermerge counted it: approve again)"
            ),
            Change::New(p) => write!(f, "{p} is new in the text"),
            Change::Gone(p) => write!(f, "{p} is no longer used"),
            Change::Rows {
                file,
                changed,
                added,
                removed,
            } => {
                let mut what = Vec::new();
                for (keys, how) in [(changed, "changed"), (added, "added"), (removed, "removed")] {
                    if !keys.is_empty() {
                        what.push(format!("rows {} {how}", keys.join(", ")));
                    }
                }
                write!(f, "{file}: {}", what.join("; "))
            }
            Change::Text => f.write_str("the text changed"),
        }
    }
}

/// The changes, as one phrase: "templates/letter.hbs changed; recipients/issues.csv: rows impunity changed".
pub fn describe(changes: &[Change]) -> String {
    changes
        .iter()
        .map(Change::to_string)
        .collect::<Vec<_>>()
        .join("; ")
}

/// A change to the signatory list since approval.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ListChange {
    pub added: Vec<String>,
    pub removed: Vec<String>,
    /// Signatories whose shown columns changed; `None` when the approval predates this record.
    pub edited: Option<Vec<String>>,
}

impl fmt::Display for ListChange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut parts = Vec::new();
        if !self.added.is_empty() {
            parts.push(format!("added {}", self.added.join(", ")));
        }
        if !self.removed.is_empty() {
            parts.push(format!("removed {}", self.removed.join(", ")));
        }
        match &self.edited {
            Some(keys) if !keys.is_empty() => parts.push(format!(
                "edited {} (a name, title or other column the letter shows)",
                keys.join(", ")
            )),
            Some(_) if parts.is_empty() => parts.push("changed the signatories' order".into()),
            // An approval written before each signatory's fingerprint was kept.
            None if parts.is_empty() => {
                parts.push("edited a signatory's name, title or order".into())
            }
            _ => {}
        }
        write!(f, "{} since approval", parts.join("; "))
    }
}

/// What changed between the parts and rows recorded at approval and now.
pub fn diff(
    old_parts: &BTreeMap<String, String>,
    old_rows: &BTreeMap<String, BTreeMap<String, String>>,
    now: &Fingerprint,
) -> Vec<Change> {
    let mut out = Vec::new();
    let names: BTreeSet<&String> = old_parts.keys().chain(now.parts.keys()).collect();
    for name in names {
        match (old_parts.get(name), now.parts.get(name)) {
            (Some(a), Some(_)) if now.legacy_parts.get(name) == Some(a) => {}
            (Some(a), Some(b)) if a != b => out.push(Change::Changed(name.clone())),
            (None, Some(_)) => out.push(Change::New(name.clone())),
            (Some(_), None) => out.push(Change::Gone(name.clone())),
            _ => {}
        }
    }
    let files: BTreeSet<&String> = old_rows.keys().chain(now.rows.keys()).collect();
    let empty = BTreeMap::new();
    for file in files {
        let a = old_rows.get(file).unwrap_or(&empty);
        let b = now.rows.get(file).unwrap_or(&empty);
        let keys = |from: &BTreeMap<String, String>, pick: &dyn Fn(&String, &String) -> bool| {
            from.iter()
                .filter(|(k, v)| pick(k, v))
                .map(|(k, _)| k.clone())
                .collect::<Vec<_>>()
        };
        let changed = keys(a, &|k, v| b.get(k).is_some_and(|w| w != v));
        let added = keys(b, &|k, _| !a.contains_key(k));
        let removed = keys(a, &|k, _| !b.contains_key(k));
        if !(changed.is_empty() && added.is_empty() && removed.is_empty()) {
            out.push(Change::Rows {
                file: file.clone(),
                changed,
                added,
                removed,
            });
        }
    }
    if out.is_empty() {
        out.push(Change::Text);
    }
    out
}

/// What changed in a variant's text since `approval`.
pub fn changes_since(approval: &Approval, now: &Fingerprint) -> Vec<Change> {
    diff(&approval.parts, &approval.rows, now)
}

/// NFC and LF: the same text hashes the same on every machine and editor.
fn normalize(s: &str) -> String {
    s.replace("\r\n", "\n").nfc().collect()
}

fn sha(parts: &[&str]) -> String {
    let mut d = Sha256::new();
    for p in parts {
        d.update((p.len() as u64).to_le_bytes());
        d.update(p.as_bytes());
    }
    format!("{:x}", d.finalize())
}

fn short(parts: &[&str]) -> String {
    sha(parts)[..16].to_string()
}

/// A file's short fingerprint: text normalized as above, anything else by its bytes.
fn short_bytes(bytes: &[u8]) -> String {
    match std::str::from_utf8(bytes) {
        Ok(text) => short(&[&normalize(text)]),
        Err(_) => {
            let mut d = Sha256::new();
            d.update(bytes);
            format!("{:x}", d.finalize())[..16].to_string()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalization_makes_line_endings_and_composition_equal() {
        assert_eq!(
            short(&[&normalize("Pen\u{0303}a\r\n")]),
            short(&[&normalize("Peña\n")])
        );
        assert_eq!(short_bytes("a\r\nb".as_bytes()), short_bytes(b"a\nb"));
    }

    #[test]
    fn changes_read_as_phrases() {
        let rows = Change::Rows {
            file: "recipients/issues.csv".into(),
            changed: vec!["impunity".into()],
            added: vec![],
            removed: vec!["torture".into()],
        };
        assert_eq!(
            describe(&[Change::Changed("templates/layout.typ".into()), rows]),
            "templates/layout.typ changed; recipients/issues.csv: rows impunity changed; rows torture removed"
        );
    }
}
