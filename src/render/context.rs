//! The context of one letter (README, "The context of each letter"), built from parts shared across a run.

use std::collections::BTreeMap;
use std::sync::Mutex;

use serde_json::{json, Map, Value};

use crate::load::Campaign;
use crate::plan::{Letter, Variant};

/// The names the context puts at the top level; a recipient column may not use one (`check` says so).
pub const NAMES: &[&str] = &[
    "addressees",
    "coalition",
    "signatories",
    "signatory",
    "tables",
    "vars",
    "variant",
    "letter",
    "today",
];

/// What every letter of a variant shares, built once.
#[derive(Debug)]
pub struct VariantParts {
    pub signatories: Value,
    pub vars: Value,
    pub variant: Value,
    /// Copies of the shared values that letters' contexts borrow and give back ([`Lent`]): one per thread at most.
    spare: Mutex<Vec<Lent>>,
}

/// The shared values one letter's context owns while it renders: moved into the context and taken back after, so the
/// signatory list (twice) and the tables are not copied for every letter. A context is a JSON value that handlebars
/// reads by reference, so moving the same values in and out gives the letter exactly the context a copy would.
#[derive(Debug)]
pub struct Lent {
    signatories: Value,
    coalition_signatories: Value,
    vars: Value,
    variant: Value,
    tables: Value,
}

impl VariantParts {
    pub fn new(variant: &Variant) -> VariantParts {
        let signatories = match variant.signatory_table {
            Some(t) => Value::Array(
                variant
                    .signatories
                    .iter()
                    .map(|r| Value::Object(t.row_json(r)))
                    .collect(),
            ),
            None => Value::Array(Vec::new()),
        };
        VariantParts {
            signatories,
            vars: Value::Object(variant.vars.clone()),
            variant: json!({ "name": variant.name, "lang": variant.lang }),
            spare: Mutex::new(Vec::new()),
        }
    }

    /// A set of the shared values for one letter: a spare one, else copies.
    pub fn lend(&self, tables: &Value) -> Lent {
        let spare = self.spare.lock().ok().and_then(|mut s| s.pop());
        spare.unwrap_or_else(|| Lent {
            signatories: self.signatories.clone(),
            coalition_signatories: self.signatories.clone(),
            vars: self.vars.clone(),
            variant: self.variant.clone(),
            tables: tables.clone(),
        })
    }

    /// Takes back from a context made by [`letter_context_with`] what `rest` says it lent (the values `rest` no longer
    /// holds), and keeps them for the next letter.
    pub fn give_back(&self, mut rest: Lent, ctx: &mut Value) {
        let Some(ctx) = ctx.as_object_mut() else {
            return;
        };
        let take = |into: &mut Value, from: Option<&mut Value>| {
            if into.is_null() {
                if let Some(v) = from {
                    *into = std::mem::take(v);
                }
            }
        };
        take(&mut rest.vars, ctx.get_mut("vars"));
        take(&mut rest.variant, ctx.get_mut("variant"));
        take(&mut rest.signatories, ctx.get_mut("signatories"));
        take(&mut rest.tables, ctx.get_mut("tables"));
        take(
            &mut rest.coalition_signatories,
            ctx.get_mut("coalition")
                .and_then(|c| c.get_mut("signatories")),
        );
        let whole = [
            &rest.signatories,
            &rest.coalition_signatories,
            &rest.vars,
            &rest.variant,
            &rest.tables,
        ]
        .iter()
        .all(|v| !v.is_null());
        if whole {
            if let Ok(mut spare) = self.spare.lock() {
                spare.push(rest);
            }
        }
    }
}

/// Every `[tables]` table as an array of row objects, for `tables.NAME`.
pub fn tables_value(campaign: &Campaign) -> Value {
    let map: Map<String, Value> = campaign
        .tables
        .iter()
        .map(|(name, t)| {
            (
                name.clone(),
                Value::Array(
                    t.rows
                        .iter()
                        .map(|r| Value::Object(t.row_json(r)))
                        .collect(),
                ),
            )
        })
        .collect();
    Value::Object(map)
}

pub fn letter_context(
    campaign: &Campaign,
    letter: &Letter,
    parts: &BTreeMap<String, VariantParts>,
    tables: &Value,
) -> Value {
    let lent = parts[&letter.variant.name].lend(tables);
    letter_context_with(campaign, letter, lent).0
}

/// The letter's context, owning the shared values `lent` holds; what it did not take stays in the [`Lent`] returned
/// (for [`VariantParts::give_back`]).
pub fn letter_context_with(campaign: &Campaign, letter: &Letter, mut lent: Lent) -> (Value, Lent) {
    let recipients = &campaign.recipients;
    let lang = &letter.variant.lang;
    // The first addressee is the letter's own row: read once, used twice.
    let row = letter
        .row()
        .map(|r| in_language(recipients.row_json(r), lang));
    let addressees: Vec<Value> = letter
        .unit
        .rows
        .iter()
        .enumerate()
        .map(|(i, r)| match (i, &row) {
            (0, Some(first)) => Value::Object(first.clone()),
            _ => Value::Object(in_language(recipients.row_json(r), lang)),
        })
        .collect();
    let mut ctx = row.unwrap_or_default();
    if let (Some(row), Some(t)) = (letter.signatory, letter.variant.signatory_table) {
        ctx.insert("signatory".into(), Value::Object(t.row_json(row)));
    }
    ctx.insert("vars".into(), std::mem::take(&mut lent.vars));
    ctx.insert("variant".into(), std::mem::take(&mut lent.variant));
    insert_letter(&mut ctx, letter);
    ctx.insert("addressees".into(), Value::Array(addressees));
    // A per-signatory letter is signed by one organization: `signatories` is that one, so a template written for the
    // coalition letter prints one signer and counts one; the whole list stays under `coalition.signatories`.
    let signatories = match (letter.signatory, ctx.get("signatory")) {
        (Some(_), Some(one)) => Value::Array(vec![one.clone()]),
        _ => std::mem::take(&mut lent.signatories),
    };
    ctx.insert("signatories".into(), signatories);
    let mut coalition = Map::new();
    coalition.insert(
        "signatories".into(),
        std::mem::take(&mut lent.coalition_signatories),
    );
    ctx.insert("coalition".into(), Value::Object(coalition));
    // `signatory` is null outside per-signatory letters, so `{{#if signatory}}` works everywhere.
    ctx.entry("signatory").or_insert(Value::Null);
    ctx.insert("tables".into(), std::mem::take(&mut lent.tables));
    (Value::Object(ctx), lent)
}

/// The letter's own values only — its row, `letter`, `variant`, `vars`, `today` — for file names.
pub fn light_context(
    campaign: &Campaign,
    letter: &Letter,
    parts: &BTreeMap<String, VariantParts>,
) -> Value {
    Value::Object(own_values(campaign, letter, parts))
}

fn own_values(
    campaign: &Campaign,
    letter: &Letter,
    parts: &BTreeMap<String, VariantParts>,
) -> Map<String, Value> {
    let row = match letter.row() {
        Some(row) => in_language(campaign.recipients.row_json(row), &letter.variant.lang),
        None => Map::new(),
    };
    own_values_with(row, letter, parts)
}

/// The letter's own values around its row's (already read in the letter's language).
fn own_values_with(
    mut ctx: Map<String, Value>,
    letter: &Letter,
    parts: &BTreeMap<String, VariantParts>,
) -> Map<String, Value> {
    let shared = &parts[&letter.variant.name];
    if let (Some(row), Some(t)) = (letter.signatory, letter.variant.signatory_table) {
        ctx.insert("signatory".into(), Value::Object(t.row_json(row)));
    }
    ctx.insert("vars".into(), shared.vars.clone());
    ctx.insert("variant".into(), shared.variant.clone());
    insert_letter(&mut ctx, letter);
    ctx
}

/// `letter` and `today`, in that order after `vars` and `variant`.
fn insert_letter(ctx: &mut Map<String, Value>, letter: &Letter) {
    ctx.insert(
        "letter".into(),
        json!({ "index": letter.index, "count": letter.count, "key": letter.key(), "id": letter.id() }),
    );
    ctx.insert(
        "today".into(),
        Value::String(iso_date(letter.variant.today)),
    );
}

/// `2026-12-02`, as chrono's `%Y-%m-%d` writes it, without parsing that pattern again for every letter.
fn iso_date(day: chrono::NaiveDate) -> String {
    use chrono::Datelike;
    let Ok(year @ 0..=9999) = u32::try_from(day.year()) else {
        return day.format("%Y-%m-%d").to_string();
    };
    let mut out = String::with_capacity(10);
    super::mime::push_digits(&mut out, year, 4);
    out.push('-');
    super::mime::push_digits(&mut out, day.month(), 2);
    out.push('-');
    super::mime::push_digits(&mut out, day.day(), 2);
    out
}

/// The primary subtag of a language tag, lower case: "es-MX" → "es".
fn primary(lang: &str) -> String {
    lang.trim()
        .split(['-', '_'])
        .next()
        .unwrap_or("")
        .to_ascii_lowercase()
}

/// A recipient row as a letter in `lang` sees it: a filled `NAME_LANG` column (`position_es`, `title_es`) replaces
/// `NAME`, so `{{position}}` in a Spanish template prints the Spanish position. Both columns stay readable by name.
pub fn in_language(mut row: Map<String, Value>, lang: &str) -> Map<String, Value> {
    let suffix = format!("_{}", primary(lang));
    if suffix.len() < 2 {
        return row;
    }
    let wins: Vec<(String, Value)> = row
        .iter()
        .filter_map(|(k, v)| {
            let base = k.strip_suffix(&suffix)?;
            let filled = v.as_str().is_some_and(|s| !s.trim().is_empty());
            (filled && row.contains_key(base)).then(|| (base.to_owned(), v.clone()))
        })
        .collect();
    for (base, v) in wins {
        row.insert(base, v);
    }
    row
}

/// `row[NAME_LANG]` when filled, else `row[NAME]`.
pub fn localized<'a>(row: &'a Value, name: &str, lang: &str) -> Option<&'a str> {
    // Called for each part of each name on every letter: the key is built in a buffer the thread keeps.
    thread_local!(static KEY: std::cell::RefCell<String> = const { std::cell::RefCell::new(String::new()) });
    let subtag = lang.trim().split(['-', '_']).next().unwrap_or("");
    let own = KEY.with_borrow_mut(|key| {
        key.clear();
        key.push_str(name);
        key.push('_');
        key.extend(subtag.chars().map(|c| c.to_ascii_lowercase()));
        row.get(key.as_str())
    });
    let own = own.and_then(Value::as_str).filter(|s| !s.trim().is_empty());
    own.or_else(|| row.get(name).and_then(Value::as_str))
}

#[cfg(test)]
mod tests {
    #[test]
    fn today_is_written_as_chrono_writes_it() {
        for (y, m, d) in [
            (2026, 12, 2),
            (1, 1, 1),
            (987, 10, 31),
            (9999, 12, 31),
            (10000, 1, 1),
            (-44, 3, 15),
        ] {
            let day = chrono::NaiveDate::from_ymd_opt(y, m, d).unwrap();
            assert_eq!(super::iso_date(day), day.format("%Y-%m-%d").to_string());
        }
    }
}
