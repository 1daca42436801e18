//! `approvals.toml`: what the signers agreed to, per variant (SPEC §5). Human-readable and diffable, for the
//! coalition's git repository; written only by `lettermerge approve`.

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
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Approval {
    /// The day the text was approved (`YYYY-MM-DD`); it becomes the variant's `today`.
    pub date: String,
    pub by: String,
    /// SHA-256 of the text: templates, partials, vars and the rows of the tables the templates use.
    pub text: String,
    /// SHA-256 of the signatory list: keys, in order, and the columns the letter shows.
    pub list: String,
    /// The day the list was last approved (`approve --list` moves this, not `date`).
    pub list_date: String,
    pub signatories: Vec<String>,
    /// For a translation: the source variant's text fingerprint when this one was approved.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_text: Option<String>,
    /// Short fingerprints of each part of the text, to say what changed.
    pub parts: BTreeMap<String, String>,
    /// Per table file, per row key: a short fingerprint of the row.
    #[serde(default)]
    pub rows: BTreeMap<String, BTreeMap<String, String>>,
    /// The letter as rendered for the first recipient at approval (txt).
    pub letter: String,
}

impl Approvals {
    /// `None` when there is no `approvals.toml`: nothing is enforced until the first `approve`.
    pub fn load(dir: &Path) -> Result<Option<Approvals>, Problem> {
        let text = match std::fs::read_to_string(dir.join(FILE)) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(Problem::error(format!("cannot read: {e}")).in_file(FILE)),
        };
        toml::from_str(&text).map(Some).map_err(|e| {
            let mut p = Problem::error(e.message().trim().to_string())
                .in_file(FILE)
                .help("approvals.toml is written by `lettermerge approve`; restore it from git or approve again");
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
             # A change to the text makes a variant stale (`lettermerge check` says what changed; `lettermerge proof` shows it).\n\n{body}"
        )
    }
}
