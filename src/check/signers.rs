//! Signatories a variant selects that its letter never shows. The list a coordinator approves is the variant's
//! selection, but the template decides whom the signature block prints: a `(filter signatories scope="national")`
//! drops an organization whose `scope` is "National " or "regional", and nothing else would say so. `check` looks
//! for each selected organization in the first letter of each variant (every letter of a variant carries the same
//! list) and names the rows the letter shows no value of.

use crate::diag::Problem;
use crate::plan::Letter;
use crate::render::{escape, Rendered};

/// Rows named per variant; the rest are counted in one more warning.
const SHOWN: usize = 5;

/// The selected signatories none of whose own values (in any language column) the letter shows. A value counts
/// only when it is a name or an address (several words, or an `@`) that no other selected row has in the same
/// column: a `status` of "signed" or a `scope` of "National " is found in any letter that says "the undersigned"
/// or "National organizations". A per-signatory letter shows its one signatory by design and is not looked at.
pub fn unshown(letter: &Letter, r: &Rendered) -> Vec<Problem> {
    let (Some(t), false) = (letter.variant.signatory_table, letter.variant.per_signatory) else {
        return Vec::new();
    };
    let text = r.markdown.to_lowercase();
    let rows = &letter.variant.signatories;
    let own = |column: usize, value: &str| {
        rows.iter()
            .filter(|other| other.get(column).trim() == value)
            .count()
            == 1
    };
    let shows = |column: usize, value: &str| {
        let value = value.trim();
        (value.contains(char::is_whitespace) || value.contains('@'))
            && own(column, value)
            && (text.contains(&value.to_lowercase())
                || text.contains(&escape::markdown(value).to_lowercase()))
    };
    let missing: Vec<_> = letter
        .variant
        .signatories
        .iter()
        .filter(|row| !(0..t.headers.len()).any(|c| shows(c, row.get(c))))
        .collect();
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
                "`{}` signs variant `{variant}` (it is on the list approved and counted), but the letter `{}` does \
                 not show it: a condition in the template (a `filter` or `#if` on one of its cells) leaves it out",
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
                "{} more organizations that sign variant `{variant}` are not shown in its letter `{}`",
                missing.len() - SHOWN,
                r.id
            ))
            .in_file(&t.path),
        );
    }
    out
}
