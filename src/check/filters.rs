//! Rows that a variant's `where` misses only by spaces or case (`"US "`, `"us"`, `"Signed"`, `"signed "`). The
//! filter compares cells exactly (README, "Variants"), so such a row silently gets no letter of that variant, or its
//! organization silently does not sign; `check` names each one, with the value the filter wants.

use std::collections::BTreeMap;

use crate::diag::{Problem, Problems};
use crate::load::manifest::{RecipientsOverride, Where};
use crate::load::table::{Row, Shape, Table};
use crate::load::Campaign;
use crate::plan::{select, Plan};

/// Rows named per variant and table; the rest are counted in one more warning.
const SHOWN: usize = 5;

/// The recipient filters of every variant, for `check`'s pass over the primary table.
pub struct Recipients<'m> {
    filters: Vec<(&'m str, &'m Where)>,
    found: Found,
}

impl<'m> Recipients<'m> {
    pub fn new(campaign: &'m Campaign) -> Recipients<'m> {
        let filters = campaign
            .manifest
            .manifest
            .variants
            .iter()
            .filter_map(|(name, v)| match &v.recipients {
                Some(RecipientsOverride::Filter(f)) => Some((name.as_str(), &f.filter)),
                _ => None,
            })
            .filter(|(_, w)| select::missing_columns(&campaign.recipients, w).is_empty())
            .collect();
        Recipients {
            filters,
            found: Found::default(),
        }
    }

    pub fn row(&mut self, t: &Shape, row: &Row) {
        for (variant, filter) in &self.filters {
            self.found
                .look(t, row, variant, filter, "gets no letter of");
        }
    }

    pub fn finish(self, t: &Shape) -> Problems {
        self.found.finish(t, "rows", "get no letter of")
    }
}

/// The same for the signatory filters, over the (small) signatory table: once per filter, naming every variant
/// that uses it.
pub fn signatories(campaign: &Campaign, plan: &Plan) -> Problems {
    let m = &campaign.manifest.manifest;
    let mut uses: Vec<(&Table, &Where, Vec<&str>)> = Vec::new();
    for v in &plan.variants {
        let Some(t) = v.signatory_table else { continue };
        let over = m.variants.get(&v.name).and_then(|s| s.signatories.as_ref());
        let filter = over
            .and_then(|o| o.filter.as_ref())
            .or_else(|| m.signatories.as_ref().map(|b| &b.filter));
        let Some(filter) = filter.filter(|w| select::missing_columns(t, w).is_empty()) else {
            continue;
        };
        match uses
            .iter_mut()
            .find(|(u, w, _)| u.path == t.path && *w == filter)
        {
            Some((_, _, names)) => names.push(&v.name),
            None => uses.push((t, filter, vec![&v.name])),
        }
    }
    let mut problems = Problems::new();
    for (t, filter, names) in uses {
        let label = names.join("`, `");
        let mut found = Found::default();
        for row in &t.rows {
            found.look(t, row, &label, filter, "does not sign the letters of");
        }
        problems.extend(found.finish(t, "organizations", "do not sign the letters of"));
    }
    problems
}

#[derive(Default)]
struct Found {
    problems: Vec<Problem>,
    /// Per variant, how many rows missed it so.
    misses: BTreeMap<String, usize>,
}

impl Found {
    fn look(&mut self, t: &Shape, row: &Row, variant: &str, filter: &Where, what: &str) {
        let Some((column, value, wanted)) = near(t, row, filter) else {
            return;
        };
        let n = self.misses.entry(variant.to_string()).or_default();
        *n += 1;
        if *n > SHOWN {
            return;
        }
        let p = Problem::warning(format!(
            "`{column}` is {value:?}, not {wanted:?} as the filter of `{variant}` has it: this row {what} `{variant}`"
        ))
        .help(format!(
            "write {wanted:?} in the cell (the filter compares spaces and case too), or list both values in the filter: {column} = [{wanted:?}, {value:?}]"
        ));
        self.problems.push(t.at(p, row.line, t.column(column)));
    }

    fn finish(self, t: &Shape, rows: &str, what: &str) -> Problems {
        let mut problems: Problems = self.problems.into_iter().collect();
        for (variant, n) in self.misses {
            if n > SHOWN {
                problems.push(
                    Problem::warning(format!(
                        "{} more {rows} {what} `{variant}` for the same reason: a value that differs from the filter's only by spaces or case",
                        n - SHOWN
                    ))
                    .in_file(&t.path),
                );
            }
        }
        problems
    }
}

/// The first column in which `row` misses `filter`, when it matches every column once spaces and case are ignored.
fn near<'a>(t: &Shape, row: &'a Row, filter: &'a Where) -> Option<(&'a str, &'a str, &'a str)> {
    let mut miss = None;
    for (column, values) in filter.iter() {
        let cell = t.column(column).map_or("", |c| row.get(c));
        let values = values.as_slice();
        if values.iter().any(|v| v == cell) {
            continue;
        }
        let wanted = values.iter().find(|v| loosely(v, cell))?;
        miss.get_or_insert((column.as_str(), cell, wanted.as_str()));
    }
    miss
}

fn loosely(a: &str, b: &str) -> bool {
    let (a, b) = (a.trim(), b.trim());
    a.eq_ignore_ascii_case(b)
        || a.chars()
            .flat_map(char::to_lowercase)
            .eq(b.chars().flat_map(char::to_lowercase))
}

#[cfg(test)]
mod tests {
    use super::loosely;

    #[test]
    fn spaces_and_case_are_all_that_loosely_ignores() {
        assert!(loosely("US", "US "));
        assert!(loosely("signed", " Signed"));
        assert!(loosely("México", "MÉXICO"));
        assert!(!loosely("US", "USA"));
        assert!(!loosely("national", "nacional"));
    }
}
