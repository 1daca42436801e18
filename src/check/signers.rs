//! Signatories a variant selects that its letter never shows. The list a coordinator approves is the variant's
//! selection, but the template decides whom the signature block prints: a `(filter signatories scope="national")`
//! drops an organization whose `scope` is "National " or "regional", and nothing else would say so. `check` looks
//! for each selected organization in the first letter of each variant (every letter of a variant carries the same
//! list) and names the rows the letter shows nothing of.
//!
//! An organization's name may also be written in the letter's own text ("as Amnesty International USA documented"),
//! so finding it proves nothing. The letter is rendered once more with each organization's own values (its names
//! and addresses) replaced by marks that say whose they are: an organization is shown when one of its marks is.

use serde_json::Value;

use crate::diag::Problem;
use crate::load::table::{Row, Table};
use crate::plan::Letter;
use crate::render::{escape, Rendered, Renderer};

/// Rows named per variant; the rest are counted in one more warning.
const SHOWN: usize = 5;

/// The selected signatories the letter shows none of the own values of. A per-signatory letter shows its one
/// signatory by design and is not looked at.
pub fn unshown(letter: &Letter, r: &Rendered, renderer: &Renderer) -> Vec<Problem> {
    let (Some(t), false) = (letter.variant.signatory_table, letter.variant.per_signatory) else {
        return Vec::new();
    };
    let rows = &letter.variant.signatories;
    let own: Vec<Vec<usize>> = rows.iter().map(|row| own_columns(t, rows, row)).collect();
    let missing: Vec<&Row> = match probe(letter, renderer, t, &own) {
        Some(text) => rows
            .iter()
            .zip(&own)
            .enumerate()
            .filter(|(i, (_, cols))| {
                !cols.is_empty() && !cols.iter().any(|&c| text.contains(&mark(*i, c)))
            })
            .map(|(_, (row, _))| *row)
            .collect(),
        // The marks broke the letter (a value a condition compares): the values themselves are looked for.
        None => {
            let text = r.markdown.to_lowercase();
            rows.iter()
                .zip(&own)
                .filter(|(row, cols)| {
                    !cols.is_empty()
                        && !cols.iter().any(|&c| {
                            let v = row.get(c).trim();
                            text.contains(&v.to_lowercase())
                                || text.contains(&escape::markdown(v).to_lowercase())
                        })
                })
                .map(|(row, _)| *row)
                .collect()
        }
    };
    warnings(letter, r, t, &missing)
}

/// The columns whose value is the organization's own: a name or an address (several words, or an `@`) that no other
/// selected row has in the same column. A `status` of "signed" or a `scope` of "national" says nothing of whom.
fn own_columns(t: &Table, rows: &[&Row], row: &Row) -> Vec<usize> {
    (0..t.headers.len())
        .filter(|&c| {
            let v = row.get(c).trim();
            (v.contains(char::is_whitespace) || v.contains('@'))
                && rows.iter().filter(|o| o.get(c).trim() == v).count() == 1
        })
        .collect()
}

/// The mark that stands for row `i`'s value in column `c`: letters and digits only, so no escaping changes it, and
/// lower case is compared (a template may print a name in capitals).
fn mark(i: usize, c: usize) -> String {
    format!("lmmark{i}x{c}q")
}

/// The letter rendered with every own value replaced by its mark, lower case; `None` when that render fails.
fn probe(letter: &Letter, renderer: &Renderer, t: &Table, own: &[Vec<usize>]) -> Option<String> {
    let mut ctx = renderer.context(letter);
    let mark_rows = |list: Option<&mut Value>| {
        if let Some(Value::Array(items)) = list {
            for (i, item) in items.iter_mut().enumerate() {
                let (Some(Value::Object(obj)), Some(cols)) = (Some(item), own.get(i)) else {
                    continue;
                };
                for &c in cols {
                    if let Some(v) = obj.get_mut(&t.headers[c]) {
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
    let probed = renderer.render_value(letter, ctx).ok()?;
    Some(probed.markdown.to_lowercase())
}

fn warnings(letter: &Letter, r: &Rendered, t: &Table, missing: &[&Row]) -> Vec<Problem> {
    let total = letter.variant.signatories.len();
    let variant = &letter.variant.name;
    if missing.len() == total && total > 1 {
        // No signature block at all (or one the letter builds from other data): said once.
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
                 condition in the template (a `filter` or `#if` on one of its cells) leaves it out",
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
