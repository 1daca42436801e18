//! `dedupe`: a sign-on form's export holds every response, repeats and corrections included. Rows whose `by`
//! columns hold the same values, compared as people compare them, are one response, and `keep` picks which row
//! stands for it. Nothing is guessed beyond that: names that only look alike (an acronym and the full name) are
//! left to `check`'s near-duplicate warning, because folding drops a signatory without asking.

use indexmap::IndexMap;
use unicode_normalization::UnicodeNormalization;

use super::{Keep, Row};

/// One group of rows folded into one: the row kept and those dropped, by line (a sheet's row number).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Folded {
    /// The first `by` column, where the rows agree.
    pub column: usize,
    /// The `by` values as the kept row writes them, joined by " / ".
    pub value: String,
    pub kept: usize,
    /// In file order.
    pub dropped: Vec<usize>,
}

/// Lowercased, accents and punctuation dropped, spaces folded: "Amnistía Internacional" ~ "AMNISTIA INTERNACIONAL.".
/// `check`'s near-duplicate warning compares organizations with it too.
pub fn fold(name: &str) -> String {
    let plain: String = name
        .nfd()
        .filter(|c| !unicode_normalization::char::is_combining_mark(*c))
        .map(|c| {
            if c.is_alphanumeric() {
                c.to_lowercase().next().unwrap_or(c)
            } else {
                ' '
            }
        })
        .collect();
    plain.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// A value as compared: an address ignoring case and surrounding spaces (`j.doe@` and `jdoe@` stay two people),
/// anything else by [`fold`].
fn compared(value: &str) -> String {
    let v = value.trim();
    if v.contains('@') {
        v.to_lowercase()
    } else {
        fold(v)
    }
}

/// The rows left, in file order, and what was folded. A row whose `by` values are all empty is never folded.
pub(super) fn dedupe(rows: Vec<Row>, by: &[usize], keep: Keep) -> (Vec<Row>, Vec<Folded>) {
    let mut groups: IndexMap<String, Vec<usize>> = IndexMap::new();
    for (i, row) in rows.iter().enumerate() {
        let parts: Vec<String> = by.iter().map(|&c| compared(row.get(c))).collect();
        if parts.iter().all(String::is_empty) {
            continue;
        }
        groups.entry(parts.join("\u{1F}")).or_default().push(i);
    }
    let mut dropped = vec![false; rows.len()];
    let mut folded = Vec::new();
    for members in groups.values().filter(|m| m.len() > 1) {
        let kept = match keep {
            Keep::First => members[0],
            Keep::Last => members[members.len() - 1],
        };
        let gone: Vec<usize> = members.iter().copied().filter(|&i| i != kept).collect();
        for &i in &gone {
            dropped[i] = true;
        }
        folded.push(Folded {
            column: by[0],
            value: by
                .iter()
                .map(|&c| rows[kept].get(c).trim())
                .collect::<Vec<_>>()
                .join(" / "),
            kept: rows[kept].line,
            dropped: gone.iter().map(|&i| rows[i].line).collect(),
        });
    }
    let rows = rows
        .into_iter()
        .zip(dropped)
        .filter_map(|(row, gone)| (!gone).then_some(row))
        .collect();
    (rows, folded)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(line: usize, fields: &[&str]) -> Row {
        Row::new(line, fields)
    }

    fn lines(rows: &[Row]) -> Vec<usize> {
        rows.iter().map(|r| r.line).collect()
    }

    #[test]
    fn addresses_fold_ignoring_case_and_keep_picks_the_row() {
        let rows = || {
            vec![
                row(2, &["ana@ngo.org", "Old"]),
                row(3, &["ben@ngo.org", "B"]),
                row(4, &[" ANA@ngo.org ", "New"]),
                row(5, &["", "No address"]),
                row(6, &["", "No address either"]),
            ]
        };
        let (kept, folded) = dedupe(rows(), &[0], Keep::Last);
        assert_eq!(lines(&kept), [3, 4, 5, 6]);
        assert_eq!(
            folded,
            [Folded {
                column: 0,
                value: "ANA@ngo.org".into(),
                kept: 4,
                dropped: vec![2]
            }]
        );
        let (kept, folded) = dedupe(rows(), &[0], Keep::First);
        assert_eq!(lines(&kept), [2, 3, 5, 6]);
        assert_eq!(folded[0].dropped, [4]);
    }

    #[test]
    fn names_fold_as_the_near_duplicate_check_compares_them_but_addresses_do_not() {
        let rows = vec![
            row(2, &["Amnistía Internacional"]),
            row(3, &["AMNISTIA INTERNACIONAL."]),
            row(4, &["j.doe@ngo.org"]),
            row(5, &["jdoe@ngo.org"]),
        ];
        let (kept, folded) = dedupe(rows, &[0], Keep::Last);
        assert_eq!(lines(&kept), [3, 4, 5]);
        assert_eq!(folded.len(), 1);
        assert_eq!(
            fold("Amnistía Internacional, A.C."),
            fold("AMNISTIA INTERNACIONAL A C")
        );
    }
}
