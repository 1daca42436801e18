//! Checks on table rows: columns that collide with context or helper names, duplicate recipients,
//! near-duplicate organizations, missing Spanish names in a Spanish variant, keys that differ only by case, and a
//! declared encoding that garbles a UTF-8 file.

use std::collections::HashMap;

use crate::diag::{Problem, Problems};
pub use crate::load::table::fold;
use crate::load::table::{Shape, Table};
use crate::load::Campaign;
use crate::plan::Variant;
use crate::render::context;

use super::names::is_helper;

pub fn columns(campaign: &Campaign) -> Problems {
    let mut problems = Problems::new();
    let t = &campaign.recipients;
    for (i, h) in t.headers.iter().enumerate() {
        let at = || t.at_header(Problem::error(""), i);
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

/// Keys that differ only by case (`ABC`, `abc`): one file on Windows and macOS when they name letters, and two rows
/// easy to take for one. A warning at the second row, naming the first.
/// For the `[tables]` tables; the primary table's are found in its pass ([`super::primary`]).
pub fn case_keys(campaign: &Campaign) -> Problems {
    let mut problems = Problems::new();
    for t in campaign.tables.values() {
        let mut seen: HashMap<String, (&str, usize)> = HashMap::new();
        for row in &t.rows {
            let key = t.key(row);
            match seen.get(&fold_key(key)) {
                Some((first, line)) if *first != key => {
                    problems.push(case_key(t, first, *line, key, row.line))
                }
                Some(_) => {}
                None => {
                    seen.insert(fold_key(key), (key, row.line));
                }
            }
        }
    }
    problems
}

/// A key as a person reads it: accents composed one way (Unicode NFC), lower case. `josé` typed with a combining
/// accent and `José` are one key to a reader, two to a program.
pub fn fold_key(key: &str) -> String {
    use unicode_normalization::UnicodeNormalization;
    key.nfc().collect::<String>().to_lowercase()
}

/// An address as a server reads it: lower case, its domain in ASCII (`peña.example` is `xn--pea-8ma.example`).
pub fn fold_address(address: &str) -> String {
    let lower = address.trim().to_lowercase();
    match lower.rsplit_once('@') {
        Some((user, domain)) if !domain.is_ascii() => match idna::domain_to_ascii(domain) {
            Ok(ascii) => format!("{user}@{ascii}"),
            Err(_) => lower,
        },
        _ => lower,
    }
}

/// Keys `first` (on `first_line`) and `key` (on `line`) differ only by case, or by how an accent is encoded.
pub fn case_key(t: &Shape, first: &str, first_line: usize, key: &str, line: usize) -> Problem {
    let how = if first.to_lowercase() == key.to_lowercase() {
        "differ only by case"
    } else {
        "look the same (they differ by case or by how an accent is encoded)"
    };
    t.at(
        Problem::warning(format!(
            "keys `{first}` ({}) and `{key}` {how}: on Windows and macOS their \
             letters' files may be one file, and `--only`, `rows` and the journal tell them apart only by bytes you \
             cannot see",
            t.row_ref(first_line)
        ))
        .help(format!(
            "give one of them a key that differs by more than that, e.g. `{key}-2`"
        )),
        line,
        Some(t.key_column),
    )
}

/// A table declared in a legacy encoding (windows-1252, latin1…) whose bytes are valid UTF-8 with accented letters
/// is almost surely UTF-8: read as declared, "Gonçalves" prints as "GonÃ§alves" in every letter.
pub fn encodings(campaign: &Campaign) -> Problems {
    use crate::load::manifest::TableEntry;
    let m = &campaign.manifest.manifest;
    let mut problems = Problems::new();
    let entries = std::iter::once((crate::load::RECIPIENTS, &m.letter.recipients))
        .chain(m.tables.iter().map(|(n, e)| (n.as_str(), e)));
    for (name, entry) in entries {
        let TableEntry::Full(full) = entry else {
            continue;
        };
        let Some(label) = &full.encoding else {
            continue;
        };
        let Some(encoding) = crate::load::table::encoding_of(label) else {
            continue;
        };
        if encoding == encoding_rs::UTF_8
            || encoding == encoding_rs::UTF_16LE
            || encoding == encoding_rs::UTF_16BE
        {
            continue;
        }
        let Ok(file) = full.path.resolve(&campaign.dir) else {
            continue;
        };
        let Ok(bytes) = std::fs::read(&file) else {
            continue;
        };
        if let Some((line, word)) = utf8_word(&bytes) {
            let (garbled, _, _) = encoding.decode(word.as_bytes());
            let key = if name == crate::load::RECIPIENTS {
                "[letter] recipients".to_string()
            } else {
                format!("[tables] {name}")
            };
            problems.push(
                Problem::warning(format!(
                    "declared `encoding = \"{label}\"`, but the file is UTF-8: \"{word}\" would print as \"{garbled}\""
                ))
                .in_file(full.path.as_str())
                .at(line, None)
                .help(format!("remove `encoding` from {key} in lettermerge.toml (UTF-8 needs no declaration)")),
            );
        }
    }
    problems
}

/// The first word holding a multi-byte character, and its line, when `bytes` are valid UTF-8 (a BOM aside).
fn utf8_word(bytes: &[u8]) -> Option<(usize, &str)> {
    let text = std::str::from_utf8(bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes)).ok()?;
    let at = text.find(|c: char| !c.is_ascii())?;
    let is_sep = |c: char| c.is_whitespace() || matches!(c, ',' | ';' | '"' | '\t');
    let start = text[..at].rfind(is_sep).map_or(0, |i| i + 1);
    let end = text[at..].find(is_sep).map_or(text.len(), |i| at + i);
    let line = text[..at].matches('\n').count() + 1;
    Some((line, &text[start..end]))
}

/// `addr` on `line` is also the address of the row on `previous`: the office would get two letters.
pub fn shared_address(t: &Shape, addr: &str, line: usize, previous: usize) -> Problem {
    t.at(
        Problem::warning(format!(
            "`{addr}` is also the address of the row on {}: that office would get two letters",
            t.row_ref(previous)
        )),
        line,
        t.column("email"),
    )
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
        // A number is kept whole: "UFCW Local 75" and "UFCW Local 7" are two locals, not one acronym.
        let initial = |w: &&str| -> String {
            if w.chars().all(|c| c.is_ascii_digit()) {
                w.to_string()
            } else {
                w.chars().next().map(String::from).unwrap_or_default()
            }
        };
        let initials: String = words.iter().map(initial).collect();
        let skipping: String = words
            .iter()
            .filter(|w| !SMALL_WORDS.contains(w))
            .map(initial)
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
                        t.at(
                            Problem::warning(format!(
                                "`{name}` looks like `{other}` ({}): the same organization twice?",
                                t.row_ref(*line)
                            ))
                            .help("merge the two rows, or make the names clearly different"),
                            row.line,
                            Some(col),
                        ),
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

/// What `dedupe` folded in each table: one warning per group, at the kept row, naming the rows dropped.
pub fn folded(campaign: &Campaign) -> Problems {
    let mut problems = Problems::new();
    let tables = std::iter::once((&*campaign.recipients, &campaign.recipients.folded))
        .chain(campaign.tables.values().map(|t| (&**t, &t.folded)));
    for (t, folded) in tables {
        for f in folded {
            let column = &t.headers[f.column];
            let dropped: Vec<String> = f.dropped.iter().map(|&l| t.row_ref(l)).collect();
            let n = f.dropped.len() + 1;
            problems.push(t.at(
                Problem::warning(format!(
                    "`{}`: {n} rows with {column} \"{}\" folded into one: kept {}, dropped {}",
                    t.name,
                    f.value,
                    t.row_ref(f.kept),
                    dropped.join(", ")
                ))
                .help(format!("`dedupe` keeps one row per {column}; if these are different signers, correct the {column} of one")),
                f.kept,
                Some(f.column),
            ));
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
                problems.push(t.at(
                    Problem::warning(format!(
                        "signatory `{}` has no `{col}`, which the letter of `{}` shows",
                        t.key(row),
                        v.name
                    )),
                    row.line,
                    Some(c),
                ));
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
                problems.push(t.at(
                    Problem::warning(format!(
                        "variant `{}` is in Spanish but `{}` has no `{col}`",
                        v.name,
                        t.key(row)
                    )),
                    row.line,
                    Some(c),
                ));
            }
        }
    }
    problems
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_utf8_word_is_found_with_its_line() {
        assert_eq!(
            utf8_word("id,name\nana,\"Ana Gonçalves\"\n".as_bytes()),
            Some((2, "Gonçalves"))
        );
        assert_eq!(utf8_word(b"id,name\nana,Ana\n"), None);
        assert_eq!(utf8_word(b"id,name\nana,Gon\xe7alves\n"), None);
    }

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
