//! Choosing and ordering rows: `where` filters and locale-aware sorting.

use std::cmp::Ordering;

use crate::load::manifest::Where;
use crate::load::table::{Row, Shape, Table};

/// Every `where` column the table lacks, so the caller can name them.
pub fn missing_columns<'w>(table: &Shape, filter: &'w Where) -> Vec<&'w str> {
    filter
        .keys()
        .filter(|c| table.column(c).is_none())
        .map(String::as_str)
        .collect()
}

/// All columns must match one of their values exactly.
pub fn matches(table: &Shape, row: &Row, filter: &Where) -> bool {
    filter.iter().all(|(column, values)| {
        let value = table.value(row, column).unwrap_or("");
        values.as_slice().iter().any(|v| v == value)
    })
}

/// Sorts by each column in turn: empty cells last, numbers by value (so an `order` column of lead signers works),
/// everything else by the Unicode Collation Algorithm, which sorts `Á` with `A` and ignores case at the first level.
pub fn sort_rows(table: &Table, rows: &mut [&Row], columns: &[String]) {
    let cols: Vec<usize> = columns.iter().filter_map(|c| table.column(c)).collect();
    if cols.is_empty() {
        return;
    }
    let mut collator = feruca::Collator::default();
    rows.sort_by(|a, b| {
        for &c in &cols {
            let ord = compare_cells(&mut collator, a.get(c).trim(), b.get(c).trim());
            if ord != Ordering::Equal {
                return ord;
            }
        }
        Ordering::Equal
    });
}

fn compare_cells(collator: &mut feruca::Collator, a: &str, b: &str) -> Ordering {
    match (a.is_empty(), b.is_empty()) {
        (true, true) => return Ordering::Equal,
        (true, false) => return Ordering::Greater,
        (false, true) => return Ordering::Less,
        _ => {}
    }
    if let (Ok(x), Ok(y)) = (a.parse::<f64>(), b.parse::<f64>()) {
        return x.partial_cmp(&y).unwrap_or(Ordering::Equal);
    }
    collator.collate(a, b)
}
