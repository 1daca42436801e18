//! Signatories a variant selects that its letter never shows. The list a coordinator approves is the variant's
//! selection, but the template decides whom the signature block prints: a `(filter signatories scope="national")`
//! drops an organization whose `scope` is "National " or "regional", and nothing else would say so. `check` looks
//! for each selected organization in the first letter of each variant (every letter of a variant carries the same
//! list) and names the rows the letter shows nothing of.
//!
//! An organization's name may also be written in the letter's own text ("as Amnesty International USA documented"),
//! so finding it proves nothing. The letter is rendered once more with each organization's identifying values (in a
//! column where no two organizations have the same value: its name, its signer, its address, its Spanish name where
//! it has one) replaced by marks that say whose they are, and an organization is shown when one of its marks is. The probe counts only when putting the
//! values back in its place gives the letter exactly: a mark that changed what a condition decided (a `filter` or an
//! `#if` on that column) would otherwise make an organization look dropped. When no probe counts, nothing is said.

use serde_json::Value;

use crate::diag::Problem;
use crate::load::table::{Row, Table};
use crate::plan::Letter;
use crate::render::{Rendered, Renderer};

use super::printed::unescape;

/// Rows named per variant; the rest are counted in one more warning.
const SHOWN: usize = 5;

/// The selected signatories the letter shows none of the identifying values of. A per-signatory letter shows its
/// one signatory by design and is not looked at.
pub fn unshown(letter: &Letter, r: &Rendered, renderer: &Renderer) -> Vec<Problem> {
    let (Some(t), false) = (letter.variant.signatory_table, letter.variant.per_signatory) else {
        return Vec::new();
    };
    let rows = &letter.variant.signatories;
    if rows.is_empty() {
        return Vec::new();
    }
    // Every column whose values identify an organization; failing that, those that are names or addresses (several
    // words, an `@`), which no condition is likely to compare.
    let identifying: Vec<usize> = (0..t.headers.len())
        .filter(|&c| all_distinct(rows, c))
        .collect();
    let names: Vec<usize> = identifying
        .iter()
        .copied()
        .filter(|&c| {
            rows.iter().all(|row| {
                let v = row.get(c).trim();
                v.is_empty() || v.contains(char::is_whitespace) || v.contains('@')
            })
        })
        .collect();
    let expected = plain(&r.markdown);
    for columns in [identifying, names] {
        if columns.is_empty() {
            continue;
        }
        let Some(text) = probe(letter, renderer, t, &columns, &expected) else {
            continue;
        };
        let missing: Vec<&Row> = rows
            .iter()
            .enumerate()
            .filter(|(i, row)| {
                !columns
                    .iter()
                    .any(|&c| !row.get(c).trim().is_empty() && text.contains(&mark(*i, c)))
            })
            .map(|(_, row)| *row)
            .collect();
        // None shown through the list: the letter may print them from elsewhere (`tables.organizations`), or show
        // only values several share (one signer for two organizations); said only when no name or address of theirs
        // is anywhere in it.
        if missing.len() == rows.len()
            && rows.iter().any(|row| {
                (0..t.headers.len()).any(|c| {
                    let v = row.get(c).trim();
                    (v.contains(char::is_whitespace) || v.contains('@'))
                        && expected.contains(&v.to_lowercase())
                })
            })
        {
            return Vec::new();
        }
        return warnings(letter, r, t, &missing);
    }
    Vec::new()
}

/// Some selected row fills column `c`, and no two with the same value.
fn all_distinct(rows: &[&Row], c: usize) -> bool {
    let mut values: Vec<&str> = rows
        .iter()
        .map(|r| r.get(c).trim())
        .filter(|v| !v.is_empty())
        .collect();
    values.sort_unstable();
    !values.is_empty() && values.windows(2).all(|w| w[0] != w[1])
}

/// The mark that stands for row `i`'s value in column `c`: letters and digits only, so no escaping changes it, and
/// lower case is compared (a template may print a name in capitals).
fn mark(i: usize, c: usize) -> String {
    format!("lmmark{i}x{c}q")
}

/// A letter's Markdown as compared here: escapes removed, lower case.
fn plain(markdown: &str) -> String {
    unescape(markdown).to_lowercase()
}

/// The letter rendered with the values in `columns` replaced by marks, lower case: `None` when that render fails, or
/// when the marks put back do not give `expected` (a mark changed what the letter says besides the value itself).
fn probe(
    letter: &Letter,
    renderer: &Renderer,
    t: &Table,
    columns: &[usize],
    expected: &str,
) -> Option<String> {
    let rows = &letter.variant.signatories;
    let mut ctx = renderer.context(letter);
    let mark_rows = |list: Option<&mut Value>| {
        if let Some(Value::Array(items)) = list {
            for (i, item) in items.iter_mut().enumerate() {
                let Value::Object(obj) = item else { continue };
                for &c in columns {
                    // An empty cell stays empty: `default organization_es organization` still falls back.
                    let filled = rows.get(i).is_some_and(|r| !r.get(c).trim().is_empty());
                    if let (true, Some(v)) = (filled, obj.get_mut(&t.headers[c])) {
                        *v = Value::String(mark(i, c));
                    }
                }
            }
        }
    };
    mark_rows(ctx.get_mut("signatories"));
    mark_rows(
        ctx.get_mut("coalition")
            .and_then(|c| c.get_mut("signatories")),
    );
    let text = plain(&renderer.render_value(letter, ctx).ok()?.markdown);
    let mut restored = text.clone();
    for (i, row) in rows.iter().enumerate() {
        for &c in columns {
            if !row.get(c).trim().is_empty() {
                restored = restored.replace(&mark(i, c), &row.get(c).trim().to_lowercase());
            }
        }
    }
    (restored == *expected).then_some(text)
}

fn warnings(letter: &Letter, r: &Rendered, t: &Table, missing: &[&Row]) -> Vec<Problem> {
    let total = letter.variant.signatories.len();
    let variant = &letter.variant.name;
    if missing.len() == total && total > 1 {
        // No signature block at all: said once.
        return vec![Problem::warning(format!(
            "the letter `{}` shows none of the {total} organizations that sign variant `{variant}`",
            r.id
        ))
        .help("if the letter should list its signatories, include the signature block (for example `{{> signatures}}`)")];
    }
    let mut out: Vec<Problem> = missing
        .iter()
        .take(SHOWN)
        .map(|row| {
            let p = Problem::warning(format!(
                "`{}` is on the signatory list of variant `{variant}`, but its letter `{}` does not show it: a \
                 condition in the template (a `filter` or `#if` on one of its cells) leaves it out, or the only \
                 column of it the letter prints is empty",
                t.key(row),
                r.id
            ))
            .help(
                "compare the row's cells with the values the template's signature block asks for (a capital, a space \
                 or a misspelling leaves a row out), or leave the organization out of the variant's signatories",
            );
            t.at(p, row.line, Some(t.key_column))
        })
        .collect();
    if missing.len() > SHOWN {
        out.push(
            Problem::warning(format!(
                "{} more organizations on the signatory list of variant `{variant}` are not shown in its letter `{}`",
                missing.len() - SHOWN,
                r.id
            ))
            .in_file(&t.path),
        );
    }
    out
}
