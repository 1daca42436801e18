//! Checks on table rows: columns that collide with context or helper names, duplicate recipients,
//! near-duplicate organizations, missing Spanish names in a Spanish variant.

use std::collections::HashMap;

use unicode_normalization::UnicodeNormalization;

use crate::diag::{Problem, Problems};
use crate::load::table::Table;
use crate::load::Campaign;
use crate::plan::Variant;
use crate::render::context;

use super::names::is_helper;

pub fn columns(campaign: &Campaign) -> Problems {
    let mut problems = Problems::new();
    let t = &campaign.recipients;
    for (i, h) in t.headers.iter().enumerate() {
        let at = || Problem::error("").in_file(&t.path).at(1, Some(i + 1));
        if context::NAMES.contains(&h.as_str()) {
            problems.push(Problem {
                message: format!(
                    "column `{h}` has the name of a context value, which would hide it"
                ),
                help: Some("rename the column".into()),
                ..at()
            });
        } else if is_helper(h) {
            problems.push(Problem {
                severity: crate::diag::Severity::Warning,
                message: format!("column `{h}` has a helper's name: `{{{{{h}}}}}` calls the helper; write `{{{{this.{h}}}}}` for the column"),
                ..at()
            });
        }
    }
    problems
}

pub fn duplicate_recipients(campaign: &Campaign) -> Problems {
    let mut problems = Problems::new();
    let t = &campaign.recipients;
    let Some(email) = t.column("email") else {
        return problems;
    };
    let mut seen: HashMap<String, usize> = HashMap::new();
    for row in &t.rows {
        for addr in crate::render::helpers::split_cell(row.get(email)) {
            let norm = addr.to_lowercase();
            if let Some(first) = seen.insert(norm, row.line) {
                problems.push(
                    Problem::warning(format!("`{addr}` is also the address of the row on line {first}: that office would get two letters"))
                        .in_file(&t.path)
                        .at(row.line, None),
                );
            }
        }
    }
    problems
}

/// Lowercased, accents and punctuation dropped, spaces folded: "Amnistía Internacional" ~ "AMNISTIA INTERNACIONAL.".
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

/// An organization's names to compare: the full name without a parenthesized acronym, and the acronym.
fn keys(name: &str) -> Vec<String> {
    let mut out = Vec::new();
    if let (Some(open), Some(close)) = (name.find('('), name.rfind(')')) {
        if open < close {
            out.push(fold(&name[open + 1..close]));
            out.push(fold(&format!("{}{}", &name[..open], &name[close + 1..])));
        }
    }
    out.push(fold(name));
    // "Washington Office on Latin America" and a bare "WOLA" are one organization: compare initials too, with and
    // without the small words acronyms often skip.
    let full = fold(name.split('(').next().unwrap_or(name));
    let words: Vec<&str> = full.split(' ').collect();
    if words.len() >= 3 {
        let initials: String = words.iter().filter_map(|w| w.chars().next()).collect();
        let skipping: String = words
            .iter()
            .filter(|w| !SMALL_WORDS.contains(w))
            .filter_map(|w| w.chars().next())
            .collect();
        out.push(format!("acronym:{initials}"));
        out.push(format!("acronym:{skipping}"));
    }
    if words.len() == 1 && full.len() >= 3 {
        out.push(format!("acronym:{full}"));
    }
    out.retain(|k| !k.is_empty());
    out
}

const SMALL_WORDS: &[&str] = &[
    "of", "on", "the", "for", "and", "in", "de", "la", "el", "los", "las", "del", "y", "para",
];

pub fn near_duplicates(t: &Table) -> Problems {
    let mut problems = Problems::new();
    let Some(col) = t.column("organization") else {
        return problems;
    };
    let mut seen: HashMap<String, (usize, String)> = HashMap::new();
    for row in &t.rows {
        let name = row.get(col);
        let mut reported = false;
        for k in keys(name) {
            match seen.get(&k) {
                Some((line, other)) if !reported && *line != row.line => {
                    problems.push(
                        Problem::warning(format!("`{name}` looks like `{other}` (line {line}): the same organization twice?"))
                            .in_file(&t.path)
                            .at(row.line, None)
                            .help("merge the two rows, or make the names clearly different"),
                    );
                    reported = true;
                }
                Some(_) => {}
                None => {
                    seen.insert(k, (row.line, name.to_string()));
                }
            }
        }
    }
    problems
}

/// A signatory with an empty cell in a column the letter shows prints a gap in the signature block.
pub fn signatory_gaps(v: &Variant, shown: &[String]) -> Problems {
    let mut problems = Problems::new();
    let Some(t) = v.signatory_table else {
        return problems;
    };
    for col in shown {
        let Some(c) = t.column(col) else { continue };
        if col.ends_with("_es") && !v.lang.starts_with("es") {
            continue;
        }
        for row in &v.signatories {
            if row.get(c).trim().is_empty() && !col.ends_with("_es") {
                problems.push(
                    Problem::warning(format!(
                        "signatory `{}` has no `{col}`, which the letter of `{}` shows",
                        t.key(row),
                        v.name
                    ))
                    .in_file(&t.path)
                    .at(row.line, None),
                );
            }
        }
    }
    problems
}

/// In a Spanish variant, signatories without `organization_es` / `signer_title_es` print their English names.
pub fn translations(v: &Variant) -> Problems {
    let mut problems = Problems::new();
    let Some(t) = v.signatory_table else {
        return problems;
    };
    if !v.lang.starts_with("es") {
        return problems;
    }
    for col in ["organization_es", "signer_title_es"] {
        let Some(c) = t.column(col) else { continue };
        for row in &v.signatories {
            if row.get(c).trim().is_empty() {
                problems.push(
                    Problem::warning(format!(
                        "variant `{}` is in Spanish but `{}` has no `{col}`",
                        v.name,
                        t.key(row)
                    ))
                    .in_file(&t.path)
                    .at(row.line, None),
                );
            }
        }
    }
    problems
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folding_ignores_case_accents_and_punctuation() {
        assert_eq!(
            fold("Amnistía Internacional, A.C."),
            fold("AMNISTIA INTERNACIONAL A C")
        );
        let long = keys("Washington Office on Latin America");
        let short = keys("WOLA");
        assert!(long.iter().any(|k| short.contains(k)), "{long:?} {short:?}");
        assert!(keys("Washington Office on Latin America (WOLA)").contains(&"wola".to_string()));
        let other = keys("Latin America Working Group");
        assert!(!other.iter().any(|k| short.contains(k)));
    }
}
