//! `approvals.toml`: what the signers agreed to, per variant (README, "What sign-off covers"), and how many letters of
//! each variant `send` delivered. Human-readable and diffable, for the coalition's git repository; written by
//! `lettermerge approve`, and by `send` after it delivered letters (the `[sent]` table), so that a lost journal cannot
//! make it send them again.

use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::diag::{line_col, Problem};

pub const FILE: &str = "approvals.toml";

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Approvals {
    #[serde(default)]
    pub variants: BTreeMap<String, Approval>,
    /// Per variant, the letters `send` delivered (as the journal counted them after its last run).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub sent: BTreeMap<String, Sent>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Sent {
    /// Letters of the variant the journal records as sent.
    pub letters: usize,
    /// When a run last sent one (RFC 3339).
    pub last: chrono::DateTime<chrono::Utc>,
}

/// A date as `--date` takes it (`YYYY-MM-DD`, years 1900 to 9999), quoted or as a TOML date: an approval's date
/// becomes its letters' date, which every letter prints and every email carries in its `Date` header.
fn letter_date<'de, D: serde::Deserializer<'de>>(d: D) -> Result<chrono::NaiveDate, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Text {
        Quoted(String),
        Date(toml::value::Datetime),
    }
    let text = match Text::deserialize(d)? {
        Text::Quoted(s) => s,
        Text::Date(d) => d.to_string(),
    };
    crate::render::lang::parse_date(&text).map_err(serde::de::Error::custom)
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Approval {
    /// The day the text was approved (`YYYY-MM-DD`); it becomes the variant's `today`.
    #[serde(deserialize_with = "letter_date")]
    pub date: chrono::NaiveDate,
    pub by: String,
    /// SHA-256 of the text: everything the office receives but the recipients and the signatory list (see
    /// `crate::signoff`).
    pub text: String,
    /// SHA-256 of the signatory list: keys, in order, and the columns the letter shows.
    pub list: String,
    /// The day the list was last approved (`approve --list` moves this, not `date`).
    #[serde(deserialize_with = "letter_date")]
    pub list_date: chrono::NaiveDate,
    /// Who approved the list last.
    #[serde(default)]
    pub list_by: String,
    pub signatories: Vec<String>,
    /// Per signatory, a short fingerprint of the columns the letter shows (approvals written before it lack it).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub signatory_prints: BTreeMap<String, String>,
    /// For a translation: the source variant's text fingerprint when this one was approved.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_text: Option<String>,
    /// For a translation: the source's parts then, to say what changed in it since.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub source_parts: BTreeMap<String, String>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub source_rows: BTreeMap<String, BTreeMap<String, String>>,
    /// Short fingerprints of each part of the text, to say what changed.
    pub parts: BTreeMap<String, String>,
    /// Per table file, per row key: a short fingerprint of the row.
    #[serde(default)]
    pub rows: BTreeMap<String, BTreeMap<String, String>>,
    /// The letter as rendered for the first recipient at approval (txt).
    pub letter: String,
}

impl Approvals {
    /// `None` when there is no `approvals.toml`.
    pub fn load(dir: &Path) -> Result<Option<Approvals>, Problem> {
        let text = match std::fs::read_to_string(dir.join(FILE)) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(Problem::error(format!("cannot read: {e}")).in_file(FILE)),
        };
        toml::from_str(&text).map(Some).map_err(|e| {
            let mut p = Problem::error(e.message().trim().to_string())
                .in_file(FILE)
                .help("approvals.toml is written by `lettermerge approve`; restore it from git (git checkout -- approvals.toml)");
            if let Some(span) = e.span() {
                let (line, col) = line_col(&text, span.start);
                p = p.at(line, Some(col));
            }
            p
        })
    }

    pub fn to_toml(&self) -> String {
        let body = toml::to_string_pretty(self).unwrap_or_default();
        format!(
            "# What the signers approved, per variant. Written by `lettermerge approve`; keep it in git with the campaign.\n\
             # A change to the text makes a variant stale (`lettermerge check` says what changed; `lettermerge proof` shows it).\n\
             # [sent.VARIANT] is written by `lettermerge send`: how many letters went out, so a lost journal cannot send them twice.\n\n{body}"
        )
    }
}
