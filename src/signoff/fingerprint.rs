//! A variant's fingerprints: the text (with a short fingerprint per part, to say what changed) and the list.

use std::collections::BTreeMap;

use crate::load::table::Table;
use crate::load::Campaign;
use crate::plan::reads::Order;
use crate::plan::Variant;

use super::{assets, normalize, sha, short};

#[derive(Debug, Clone, PartialEq)]
pub struct Fingerprint {
    pub text: String,
    pub list: String,
    pub signatories: Vec<String>,
    /// Per signatory key, a short fingerprint of the columns the letter shows: to say which one was edited.
    pub signatory_prints: BTreeMap<String, String>,
    /// Per file or setting of the text, a short fingerprint.
    pub parts: BTreeMap<String, String>,
    /// Per table file, per row key, a short fingerprint of the row.
    pub rows: BTreeMap<String, BTreeMap<String, String>>,
    /// The text fingerprint as earlier versions computed it, where that differs (see [`Fingerprint::approves`]).
    /// Kept for the approvals of the campaigns already under way; it may go once those are sent.
    pub legacy_texts: Vec<String>,
    /// The text fingerprint without `per_signatory`: what a translation of this variant compares (who signs each
    /// letter is not a sentence to translate).
    pub translated: String,
    /// The parts an earlier version computed otherwise, as it computed them: a difference there alone is no change
    /// to name.
    pub legacy_parts: BTreeMap<String, String>,
}

/// The part that says a variant sends one letter per signatory.
pub(super) const PER_SIGNATORY: &str = "per_signatory = true";

impl Fingerprint {
    /// Whether an approval's text fingerprint is this text's: today's, or the one an earlier version of lettermerge
    /// computed for the same text (the PDF settings with `[vars]` in the file's order; `[smtp] from` in a public
    /// copy), so that upgrading does not unapprove a letter.
    pub fn approves(&self, approved: &str) -> bool {
        self.text == approved || self.legacy_texts.iter().any(|t| t == approved)
    }
}

/// Whether the office receives the letter as a PDF too: attached to the email (`attach_pdf`), or printed from the
/// PDFs `render` writes by default (`pdf` in `[output] formats`).
pub fn has_pdf(campaign: &Campaign, variant: &Variant) -> bool {
    campaign.templates[&variant.template].front.attach_pdf
        || campaign
            .manifest
            .manifest
            .output
            .formats
            .iter()
            .any(|f| f.trim() == "pdf")
}

/// The fingerprints of `variant`, whose letters attach the files `attachments` (paths inside the campaign).
pub fn of(campaign: &Campaign, variant: &Variant, attachments: &[String]) -> Fingerprint {
    let reads = &variant.reads;
    let mut parts = BTreeMap::new();
    let template = &campaign.templates[&variant.template];
    parts.insert(
        template.path.clone(),
        short(&[&normalize(&template.source)]),
    );
    for p in campaign
        .partials
        .iter()
        .filter(|p| reads.partials.contains(&p.name))
    {
        parts.insert(p.path.clone(), short(&[&normalize(&p.source)]));
    }
    for path in &reads.letters {
        if let Some(t) = campaign.templates.get(path) {
            parts.insert(path.clone(), short(&[&normalize(&t.source)]));
        }
    }
    let vars: BTreeMap<_, _> = variant.vars.iter().collect();
    parts.insert(
        "[vars]".into(),
        short(&[&normalize(
            &serde_json::to_string(&vars).unwrap_or_default(),
        )]),
    );
    let m = &campaign.manifest.manifest;
    // The office sees the sender: without a `from:` in the template, it is `[smtp] from`. A public copy is never
    // sent, so no sender is part of its text.
    let smtp_from = m
        .smtp
        .as_ref()
        .and_then(|s| s.from.as_ref())
        .filter(|_| template.front.from.is_empty())
        .map(|from| short(&[&from.to_string()]));
    if let Some(from) = smtp_from.clone().filter(|_| !variant.is_public()) {
        parts.insert("[smtp] from".into(), from);
    }
    if has_pdf(campaign, variant) {
        parts.extend(assets::pdf_parts(campaign, &variant.vars));
    }
    // One letter per organization, signed by it alone, says other things than the coalition's letter ("It is
    // signed by WOLA"): turning it on or off is a new text.
    if variant.per_signatory {
        parts.insert(PER_SIGNATORY.into(), short(&["true"]));
    }
    for path in attachments {
        parts
            .entry(path.clone())
            .or_insert_with(|| assets::attachment_part(campaign, path));
    }

    let mut rows = BTreeMap::new();
    for (name, table) in &campaign.tables {
        let Some(order) = reads.tables.get(name) else {
            continue;
        };
        let file = table.path.display().to_string().replace('\\', "/");
        if order == Order::Shown {
            let keys: Vec<&str> = table.rows.iter().map(|r| table.key(r)).collect();
            parts.insert(format!("{file} (row order)"), short(&keys));
        }
        rows.insert(file, row_prints(table));
    }
    let text = text_of(&parts, &rows);
    let translated = if parts.contains_key(PER_SIGNATORY) {
        let mut own = parts.clone();
        own.remove(PER_SIGNATORY);
        text_of(&own, &rows)
    } else {
        text.clone()
    };
    // The parts as approvals made before December 2026 had them: `[vars]` in the file's order for the PDF; and
    // `[smtp] from` in a public copy's text, or (a sender added since, which no longer counts) not. (Not the lack of
    // `per_signatory`: an approval that did not know it asks to be renewed once, rather than let a variant turned
    // per-signatory since go out unapproved.)
    let mut legacy = parts.clone();
    if legacy.contains_key("[pdf]") {
        legacy.insert("[pdf]".into(), assets::legacy_pdf_settings(campaign));
    }
    let legacy_parts: BTreeMap<String, String> = legacy
        .iter()
        .filter(|(k, v)| parts.get(*k) != Some(*v))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    let mut legacy_texts = Vec::new();
    if legacy != parts {
        legacy_texts.push(text_of(&legacy, &rows));
    }
    if let Some(from) = smtp_from.filter(|_| variant.is_public()) {
        legacy.insert("[smtp] from".into(), from);
        legacy_texts.push(text_of(&legacy, &rows));
    }
    let (signatories, list, signatory_prints) = list(variant);
    Fingerprint {
        text,
        list,
        signatories,
        signatory_prints,
        parts,
        rows,
        legacy_texts,
        translated,
        legacy_parts,
    }
}

fn text_of(
    parts: &BTreeMap<String, String>,
    rows: &BTreeMap<String, BTreeMap<String, String>>,
) -> String {
    let mut text_parts: Vec<String> = parts.iter().map(|(k, v)| format!("{k}={v}")).collect();
    for (file, prints) in rows {
        text_parts.extend(prints.iter().map(|(k, v)| format!("{file}#{k}={v}")));
    }
    let refs: Vec<&str> = text_parts.iter().map(String::as_str).collect();
    sha(&refs)
}

/// Every column of every row, by key.
fn row_prints(table: &Table) -> BTreeMap<String, String> {
    table
        .rows
        .iter()
        .map(|r| {
            let fields: Vec<String> = (0..table.headers.len())
                .map(|c| format!("{}={}", table.headers[c], normalize(r.get(c))))
                .collect();
            let refs: Vec<&str> = fields.iter().map(String::as_str).collect();
            (table.key(r).to_string(), short(&refs))
        })
        .collect()
}

/// The signatory columns the letter names (for `check`'s warnings about empty ones).
pub fn shown_columns(variant: &Variant) -> Vec<String> {
    let Some(t) = variant.signatory_table else {
        return Vec::new();
    };
    t.headers
        .iter()
        .filter(|h| variant.reads.signatory_columns.named.contains(*h))
        .cloned()
        .collect()
}

/// The selected signatories' keys, the list fingerprint (keys in order with the columns the letter shows), and each
/// signatory's own fingerprint of those columns.
fn list(variant: &Variant) -> (Vec<String>, String, BTreeMap<String, String>) {
    let Some(t) = variant.signatory_table else {
        return (Vec::new(), sha(&[]), BTreeMap::new());
    };
    let shown: Vec<usize> = (0..t.headers.len())
        .filter(|&c| variant.reads.signatory_columns.contains(&t.headers[c]))
        .collect();
    let keys: Vec<String> = variant
        .signatories
        .iter()
        .map(|r| t.key(r).to_string())
        .collect();
    let mut items = Vec::new();
    let mut prints = BTreeMap::new();
    for r in &variant.signatories {
        let shown: Vec<String> = shown.iter().map(|&c| normalize(r.get(c))).collect();
        let refs: Vec<&str> = shown.iter().map(String::as_str).collect();
        prints.insert(t.key(r).to_string(), short(&refs));
        items.push(t.key(r).to_string());
        items.extend(shown);
    }
    let refs: Vec<&str> = items.iter().map(String::as_str).collect();
    (keys, sha(&refs), prints)
}
