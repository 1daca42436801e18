//! Sign-off tied to the exact text (SPEC §5): fingerprints of what signers agreed to, and what changed since.
//!
//! The text fingerprint covers the variant's template, the partials it uses, its vars and the rows of the tables
//! its templates read — not the recipients (they may be added and edited freely) nor the signatory table (a late
//! sign-on changes the list, not the text). Everything is hashed normalized (NFC, LF) and keyed by row key, so the
//! fingerprint is the same on every machine and when rows are reordered.

pub mod proof;

use std::collections::{BTreeMap, BTreeSet};

use sha2::{Digest, Sha256};
use unicode_normalization::UnicodeNormalization;

use crate::diag::Problem;
use crate::load::approvals::{self, Approval};
use crate::load::table::Table;
use crate::load::Campaign;
use crate::plan::Variant;
use crate::render::eml::hex;

#[derive(Debug, Clone, PartialEq)]
pub struct Fingerprint {
    pub text: String,
    pub list: String,
    pub signatories: Vec<String>,
    pub parts: BTreeMap<String, String>,
    pub rows: BTreeMap<String, BTreeMap<String, String>>,
}

/// What changed in a variant since its approval.
#[derive(Debug, Clone, PartialEq)]
pub enum TextState {
    /// `approvals.toml` has no entry for it.
    Unapproved,
    Fresh,
    /// What changed, one phrase each: "templates/letter.hbs changed", "recipients/issues.csv: row impunity changed".
    Stale(Vec<String>),
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct ListChange {
    pub added: Vec<String>,
    pub removed: Vec<String>,
    /// Same organizations, but a shown column (a name, a title) was edited or the order changed.
    pub edited: bool,
}

impl ListChange {
    pub fn describe(&self) -> String {
        let mut parts = Vec::new();
        if !self.added.is_empty() {
            parts.push(format!("added {}", self.added.join(", ")));
        }
        if !self.removed.is_empty() {
            parts.push(format!("removed {}", self.removed.join(", ")));
        }
        if parts.is_empty() && self.edited {
            parts.push("edited a signatory's name, title or order".into());
        }
        format!("{} since approval", parts.join("; "))
    }
}

#[derive(Debug, Clone)]
pub struct Status {
    pub text: TextState,
    /// `None` when the list is as approved (or there is no approval to compare with).
    pub list: Option<ListChange>,
    /// For a translation whose source's text changed since the translation was approved: the source's name.
    pub stale_source: Option<String>,
}

impl Status {
    /// Whether `send` may go ahead.
    pub fn sendable(&self) -> bool {
        self.text == TextState::Fresh && self.list.is_none() && self.stale_source.is_none()
    }
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
    hex(&d.finalize())
}

fn short(parts: &[&str]) -> String {
    sha(parts)[..16].to_string()
}

/// The partials a source includes (`{{> name}}`), by name.
fn partial_refs(source: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = source;
    while let Some(i) = rest.find("{{") {
        rest = &rest[i + 2..];
        let t = rest.trim_start_matches(['~', '#']).trim_start();
        if let Some(after) = t.strip_prefix('>') {
            let name: String = after
                .trim_start()
                .chars()
                .take_while(|c| !c.is_whitespace() && *c != '}' && *c != '~')
                .collect();
            if !name.is_empty() {
                out.push(name.trim_matches('"').to_string());
            }
        }
    }
    out
}

/// The insides of a template's `{{…}}` tags, comments left out: where names are, as opposed to prose.
fn tags(source: &str) -> String {
    let mut out = String::new();
    let mut rest = source;
    while let Some(i) = rest.find("{{") {
        rest = &rest[i + 2..];
        let end = rest.find("}}").unwrap_or(rest.len());
        let tag = &rest[..end];
        if !tag.trim_start_matches('~').starts_with('!') {
            out.push_str(tag);
            out.push(' ');
        }
        rest = &rest[end..];
    }
    out
}

/// Whether `word` appears in a tag of `source` as a whole name (not inside a longer one, not in prose).
fn mentions(source: &str, word: &str) -> bool {
    let source = tags(source);
    let is_name = |c: char| c.is_alphanumeric() || c == '_';
    source.match_indices(word).any(|(i, _)| {
        let before = source[..i].chars().next_back();
        let after = source[i + word.len()..].chars().next();
        !before.is_some_and(is_name) && !after.is_some_and(is_name)
    })
}

/// The signatory columns the variant's templates name.
pub fn shown_columns(campaign: &Campaign, variant: &Variant) -> Vec<String> {
    let Some(t) = variant.signatory_table else {
        return Vec::new();
    };
    let srcs = sources(campaign, variant);
    t.headers
        .iter()
        .filter(|h| srcs.iter().any(|(_, s)| mentions(s, h)))
        .cloned()
        .collect()
}

/// The template and every partial it reaches, as (path, source).
fn sources<'c>(campaign: &'c Campaign, variant: &Variant) -> Vec<(&'c str, &'c str)> {
    let t = &campaign.templates[&variant.template];
    let mut out = vec![(t.path.as_str(), t.source.as_str())];
    let mut todo: Vec<String> = partial_refs(&t.source);
    todo.extend(t.front.body.iter().map(|f| f.source.clone()));
    let mut seen = BTreeSet::new();
    while let Some(name) = todo.pop() {
        if !seen.insert(name.clone()) {
            continue;
        }
        if let Some(p) = campaign.partials.iter().find(|p| p.name == name) {
            todo.extend(partial_refs(&p.source));
            out.push((p.path.as_str(), p.source.as_str()));
        }
    }
    out
}

fn row_prints(table: &Table, columns: Option<&[usize]>) -> BTreeMap<String, String> {
    table
        .rows
        .iter()
        .map(|r| {
            let cols: Vec<usize> =
                columns.map_or_else(|| (0..table.headers.len()).collect(), <[usize]>::to_vec);
            let fields: Vec<String> = cols
                .iter()
                .map(|&c| format!("{}={}", table.headers[c], normalize(r.get(c))))
                .collect();
            let refs: Vec<&str> = fields.iter().map(String::as_str).collect();
            (table.key(r).to_string(), short(&refs))
        })
        .collect()
}

pub fn fingerprint(campaign: &Campaign, variant: &Variant) -> Fingerprint {
    let srcs = sources(campaign, variant);
    let mut parts = BTreeMap::new();
    for (path, source) in &srcs {
        parts.insert(path.to_string(), short(&[&normalize(source)]));
    }
    let vars: BTreeMap<_, _> = variant.vars.iter().collect();
    parts.insert(
        "[vars]".into(),
        short(&[&normalize(
            &serde_json::to_string(&vars).unwrap_or_default(),
        )]),
    );

    let signatory_name = variant.signatory_table.map(|t| t.name.as_str());
    let mut rows = BTreeMap::new();
    for (name, table) in &campaign.tables {
        if Some(name.as_str()) == signatory_name {
            continue;
        }
        let used = srcs.iter().any(|(_, s)| {
            s.contains(&format!("\"{name}\"")) || s.contains(&format!("tables.{name}"))
        });
        if used {
            let file = table.path.display().to_string().replace('\\', "/");
            // `{{#each tables.NAME}}` prints rows in file order, so there the order is part of the text; `rows`
            // looks rows up by key, where it is not.
            if srcs
                .iter()
                .any(|(_, s)| s.contains(&format!("tables.{name}")))
            {
                let keys: Vec<&str> = table.rows.iter().map(|r| table.key(r)).collect();
                parts.insert(format!("{file} (row order)"), short(&keys));
            }
            rows.insert(file, row_prints(table, None));
        }
    }
    let mut text_parts: Vec<String> = parts.iter().map(|(k, v)| format!("{k}={v}")).collect();
    for (file, prints) in &rows {
        text_parts.extend(prints.iter().map(|(k, v)| format!("{file}#{k}={v}")));
    }
    let refs: Vec<&str> = text_parts.iter().map(String::as_str).collect();
    let text = sha(&refs);

    let (signatories, list) = match variant.signatory_table {
        None => (Vec::new(), sha(&[])),
        Some(t) => {
            let shown: Vec<usize> = (0..t.headers.len())
                .filter(|&c| srcs.iter().any(|(_, s)| mentions(s, &t.headers[c])))
                .collect();
            let keys: Vec<String> = variant
                .signatories
                .iter()
                .map(|r| t.key(r).to_string())
                .collect();
            let mut items = Vec::new();
            for r in &variant.signatories {
                items.push(t.key(r).to_string());
                items.extend(shown.iter().map(|&c| normalize(r.get(c))));
            }
            let refs: Vec<&str> = items.iter().map(String::as_str).collect();
            (keys, sha(&refs))
        }
    };
    Fingerprint {
        text,
        list,
        signatories,
        parts,
        rows,
    }
}

fn diff_parts(old: &Approval, now: &Fingerprint) -> Vec<String> {
    let mut out = Vec::new();
    let names: BTreeSet<&String> = old.parts.keys().chain(now.parts.keys()).collect();
    for name in names {
        match (old.parts.get(name), now.parts.get(name)) {
            (Some(a), Some(b)) if a != b => out.push(format!("{name} changed")),
            (None, Some(_)) => out.push(format!("{name} is new in the text")),
            (Some(_), None) => out.push(format!("{name} is no longer used")),
            _ => {}
        }
    }
    let files: BTreeSet<&String> = old.rows.keys().chain(now.rows.keys()).collect();
    let empty = BTreeMap::new();
    for file in files {
        let a = old.rows.get(file).unwrap_or(&empty);
        let b = now.rows.get(file).unwrap_or(&empty);
        let changed: Vec<&str> = a
            .iter()
            .filter(|(k, v)| b.get(*k).is_some_and(|w| w != *v))
            .map(|(k, _)| k.as_str())
            .collect();
        let added: Vec<&str> = b
            .keys()
            .filter(|k| !a.contains_key(*k))
            .map(String::as_str)
            .collect();
        let removed: Vec<&str> = a
            .keys()
            .filter(|k| !b.contains_key(*k))
            .map(String::as_str)
            .collect();
        let mut what = Vec::new();
        if !changed.is_empty() {
            what.push(format!("rows {} changed", changed.join(", ")));
        }
        if !added.is_empty() {
            what.push(format!("rows {} added", added.join(", ")));
        }
        if !removed.is_empty() {
            what.push(format!("rows {} removed", removed.join(", ")));
        }
        if !what.is_empty() {
            out.push(format!("{file}: {}", what.join("; ")));
        }
    }
    if out.is_empty() {
        out.push("the text changed".into());
    }
    out
}

pub fn status(campaign: &Campaign, variants: &[Variant], variant: &Variant) -> Status {
    let Some(approval) = campaign
        .approvals
        .as_ref()
        .and_then(|a| a.variants.get(&variant.name))
    else {
        return Status {
            text: TextState::Unapproved,
            list: None,
            stale_source: None,
        };
    };
    let now = fingerprint(campaign, variant);
    let text = if now.text == approval.text {
        TextState::Fresh
    } else {
        TextState::Stale(diff_parts(approval, &now))
    };
    let list = (now.list != approval.list).then(|| ListChange {
        added: now
            .signatories
            .iter()
            .filter(|k| !approval.signatories.contains(k))
            .cloned()
            .collect(),
        removed: approval
            .signatories
            .iter()
            .filter(|k| !now.signatories.contains(k))
            .cloned()
            .collect(),
        edited: true,
    });
    let stale_source = variant.translation_of.as_ref().and_then(|source| {
        let src = variants.iter().find(|v| &v.name == source)?;
        let current = fingerprint(campaign, src).text;
        (approval.source_text.as_deref() != Some(current.as_str())).then(|| source.clone())
    });
    Status {
        text,
        list,
        stale_source,
    }
}

/// The problems `check` reports for sign-off: errors for stale text, warnings for list changes.
pub fn problems(campaign: &Campaign, variants: &[Variant]) -> Vec<Problem> {
    let mut out = Vec::new();
    if campaign.approvals.is_none() {
        return out;
    }
    for v in variants {
        let s = status(campaign, variants, v);
        let again = format!("review with `lettermerge proof --variant {0}`, then `lettermerge approve --variant {0}`", v.name);
        match &s.text {
            TextState::Unapproved => out.push(
                Problem::warning(format!(
                    "variant `{}` is not approved: `send` will refuse it",
                    v.name
                ))
                .in_file(approvals::FILE)
                .help(format!("lettermerge approve --variant {}", v.name)),
            ),
            TextState::Stale(changes) => out.push(
                Problem::error(format!(
                    "variant `{}` changed since its approval: {}",
                    v.name,
                    changes.join("; ")
                ))
                .in_file(approvals::FILE)
                .help(again.clone()),
            ),
            TextState::Fresh => {}
        }
        if let Some(source) = &s.stale_source {
            out.push(
                Problem::error(format!("variant `{}` translates `{source}`, whose text changed since the translation was approved", v.name))
                    .in_file(approvals::FILE)
                    .help(format!("update {} to match, then `lettermerge approve --variant {}`", v.template, v.name)),
            );
        }
        if let Some(change) = &s.list {
            out.push(
                Problem::warning(format!(
                    "variant `{}` signatories: {}",
                    v.name,
                    change.describe()
                ))
                .in_file(approvals::FILE)
                .help(format!(
                    "`send` refuses until `lettermerge approve --list --variant {}`",
                    v.name
                )),
            );
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn partial_references_are_found() {
        assert_eq!(
            partial_refs("a {{> signatures}} b {{~> cover_es ~}} {{#> block}}x{{/block}}"),
            ["signatures", "cover_es", "block"]
        );
    }

    #[test]
    fn mentions_whole_names_only() {
        assert!(mentions("{{signer_title}}", "signer_title"));
        assert!(!mentions("{{signer_title_es}}", "signer_title"));
        assert!(!mentions("in that order {{!-- order --}}", "order"));
    }

    #[test]
    fn normalization_makes_line_endings_and_composition_equal() {
        assert_eq!(
            short(&[&normalize("Pen\u{0303}a\r\n")]),
            short(&[&normalize("Peña\n")])
        );
    }
}
