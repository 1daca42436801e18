//! Column names as templates see them. A form's export is used untouched: the manifest's `columns` gives a header
//! the name the templates use (`email = "Email Address"`); every other header is used as it is when a template can
//! already write it (`first_name`, `Email`, `organización`), and is made such a name otherwise ("Your name" →
//! `your_name`, see [`slug`]).

use unicode_normalization::UnicodeNormalization;

use super::{declare, TableSpec};
use crate::diag::{Problem, Problems};
use crate::load::manifest;

/// Whether `{{s}}` reads the column: a letter or `_` first, then letters, digits, `_` or `-`.
pub fn is_name(s: &str) -> bool {
    let mut chars = s.chars();
    chars.next().is_some_and(|c| c.is_alphabetic() || c == '_')
        && chars.all(|c| c.is_alphanumeric() || c == '_' || c == '-')
}

/// The name a template uses for an unmapped header: the header itself when [`is_name`]; otherwise lowercased, each
/// run of characters other than letters and digits made one `_` (none at either end), with `_` before a leading
/// digit. "Email Address" → `email_address`, "Organization name (as it should appear)" →
/// `organization_name_as_it_should_appear`, "2018 dues" → `_2018_dues`. `None` when no letter or digit is left.
pub fn slug(header: &str) -> Option<String> {
    if is_name(header) {
        return Some(header.to_owned());
    }
    let mut out = String::new();
    let mut gap = false;
    for c in header.nfc().flat_map(char::to_lowercase) {
        if c.is_alphanumeric() {
            if gap && !out.is_empty() {
                out.push('_');
            }
            gap = false;
            out.push(c);
        } else {
            gap = true;
        }
    }
    if out.starts_with(char::is_numeric) {
        out.insert(0, '_');
    }
    (!out.is_empty()).then_some(out)
}

/// A header as compared with the manifest's `columns`: spaces inside folded, as a form's long question may wrap.
fn squash(header: &str) -> String {
    header
        .nfc()
        .collect::<String>()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// The table's column names for the file's `raw` headers (trimmed, NFC). Problems with the manifest's `columns` and
/// `dedupe` go to lettermerge.toml; a header that makes no name, or the same name as another, is placed by
/// `at_header(problem, column)`. Empty and repeated headers are the reader's to report.
pub(super) fn resolve(
    raw: &[String],
    table: &str,
    spec: &TableSpec,
    at_header: &dyn Fn(Problem, usize) -> Problem,
    problems: &mut Problems,
) -> Vec<String> {
    let file = spec.path.display().to_string().replace('\\', "/");
    let in_manifest = |message: String, help: String| {
        Problem::error(format!("table `{table}`: {message}"))
            .in_file(manifest::FILE)
            .help(help)
    };
    let mut names: Vec<Option<String>> = vec![None; raw.len()];
    for (to, header) in &spec.columns {
        if !is_name(to) {
            let example = slug(to).unwrap_or_else(|| "name".to_owned());
            problems.push(in_manifest(
                format!("`{to}` in `columns` is not a name a template can write"),
                format!("use letters, digits and `_`, starting with a letter, e.g. `{example}`"),
            ));
            continue;
        }
        let want = squash(header);
        match raw.iter().position(|h| squash(h) == want) {
            Some(i) => match &names[i] {
                Some(other) => problems.push(in_manifest(
                    format!(
                        "`columns` gives the header \"{header}\" two names, `{other}` and `{to}`"
                    ),
                    "a column has one name: keep one of the two".to_owned(),
                )),
                None => names[i] = Some(to.clone()),
            },
            None => {
                let near = raw
                    .iter()
                    .find(|h| squash(h).to_lowercase() == want.to_lowercase());
                let help = match near {
                    Some(h) => format!(
                        "the file has \"{h}\", which differs in case: copy the header exactly"
                    ),
                    None => format!("its headers are {}; copy one exactly", quoted(raw)),
                };
                problems.push(in_manifest(
                    format!("`columns` maps `{to}` to the header \"{header}\", which {file} does not have"),
                    help,
                ));
            }
        }
    }
    for (i, h) in raw.iter().enumerate() {
        if names[i].is_some() || h.is_empty() {
            continue;
        }
        names[i] = slug(h);
        if names[i].is_none() {
            problems.push(at_header(
                Problem::error(format!(
                    "the header \"{h}\" has no letter or digit to name the column by"
                ))
                .help(format!(
                    "rename it, or name it in lettermerge.toml: columns = {{ notes = \"{h}\" }}"
                )),
                i,
            ));
        }
    }
    for i in 0..raw.len() {
        let Some(name) = &names[i] else { continue };
        let Some(j) = (0..i).find(|&j| names[j].as_ref() == Some(name) && raw[j] != raw[i]) else {
            continue;
        };
        let mapped = spec.columns.iter().find(|(to, _)| to == name);
        let message =
            match mapped {
                Some((_, header)) => format!(
                "`{name}` names the header \"{header}\" in `columns`, and is the header \"{}\" too",
                if squash(&raw[i]) == squash(header) { &raw[j] } else { &raw[i] }
            ),
                None => format!(
                    "the headers \"{}\" and \"{}\" both become `{name}` in templates",
                    raw[j], raw[i]
                ),
            };
        problems.push(at_header(
            Problem::error(message).help(
                "rename one of the headers, or give one another name in lettermerge.toml: columns = { … }",
            ),
            i,
        ));
    }
    let names: Vec<String> = names
        .into_iter()
        .zip(raw)
        .map(|(n, h)| n.unwrap_or_else(|| h.clone()))
        .collect();
    if let Some(d) = &spec.dedupe {
        // A `by` that `columns` failed to map is reported there.
        let missing =
            d.by.iter()
                .filter(|b| !names.contains(b) && !is_mapped(spec, b));
        for by in missing {
            let help = match raw.iter().position(|h| h == by) {
                Some(i) => format!("\"{by}\" is the column `{}`: name that", names[i]),
                None => format!("the columns are {}", listed(&names)),
            };
            problems.push(in_manifest(
                format!("`dedupe` by `{by}`: {file} has no such column"),
                help,
            ));
        }
    }
    names
}

/// Whether `columns` gives `name` to some header (found in the file or not).
pub(super) fn is_mapped(spec: &TableSpec, name: &str) -> bool {
    spec.columns.iter().any(|(to, _)| to == name)
}

/// The problem for a key column the table lacks, unplaced. `raw` are the headers as written, `names` as resolved.
pub(super) fn missing_key(
    table: &str,
    spec: &TableSpec,
    raw: &[String],
    names: &[String],
) -> Problem {
    let key = &spec.key;
    let shown = names
        .iter()
        .zip(raw)
        .map(|(n, h)| {
            if n == h {
                format!("`{n}`")
            } else {
                format!("`{n}` (\"{h}\")")
            }
        })
        .collect::<Vec<_>>()
        .join(", ");
    let p = Problem::error(format!("no key column `{key}`: the headers are {shown}"));
    if let Some(i) = raw.iter().position(|h| h == key) {
        return p.help(format!(
            "the header \"{key}\" is the column `{}` in templates: declare the key by that name in {}",
            names[i],
            declare(table, spec, "key", &names[i])
        ));
    }
    if let Some(near) = names
        .iter()
        .find(|n| n.to_lowercase() == key.to_lowercase())
    {
        return p.help(format!(
            "`{near}` differs only in case: rename it `{key}`, or declare the key in {}",
            declare(table, spec, "key", near)
        ));
    }
    // A sign-on form has no id column; its email column is the natural key.
    let example = names
        .iter()
        .find(|n| n.as_str() == "email")
        .or_else(|| names.iter().find(|n| !n.is_empty()))
        .map_or("code", |n| n.as_str());
    p.help(format!(
        "add a `{key}` column with a unique value in every row, or declare which column is the key in {}",
        declare(table, spec, "key", example)
    ))
}

fn listed(names: &[String]) -> String {
    names
        .iter()
        .map(|n| format!("`{n}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

fn quoted(names: &[String]) -> String {
    names
        .iter()
        .map(|n| format!("\"{n}\""))
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_stay_and_other_headers_are_slugged() {
        assert_eq!(slug("first_name").as_deref(), Some("first_name"));
        assert_eq!(slug("Email").as_deref(), Some("Email"));
        assert_eq!(slug("organización").as_deref(), Some("organización"));
        assert_eq!(slug("Email Address").as_deref(), Some("email_address"));
        assert_eq!(
            slug("Organization name (as it should appear)").as_deref(),
            Some("organization_name_as_it_should_appear")
        );
        assert_eq!(
            slug("Nombre de la Organización").as_deref(),
            Some("nombre_de_la_organización")
        );
        assert_eq!(slug("2018 dues").as_deref(), Some("_2018_dues"));
        assert_eq!(slug("E-mail").as_deref(), Some("E-mail"));
        assert_eq!(slug("  ¿Firma?  ").as_deref(), Some("firma"));
        assert_eq!(slug("???"), None);
    }

    fn resolved(raw: &[&str], columns: &[(&str, &str)]) -> (Vec<String>, Vec<String>) {
        let raw: Vec<String> = raw.iter().map(|s| s.to_string()).collect();
        let spec = TableSpec {
            columns: columns
                .iter()
                .map(|(a, b)| (a.to_string(), b.to_string()))
                .collect(),
            ..TableSpec::new("form.csv")
        };
        let mut problems = Problems::new();
        let names = resolve(
            &raw,
            "signons",
            &spec,
            &|p, i| p.at(1, Some(i + 1)),
            &mut problems,
        );
        (names, problems.iter().map(|p| p.to_string()).collect())
    }

    #[test]
    fn columns_rename_and_the_rest_keep_their_names() {
        let (names, problems) = resolved(
            &[
                "Timestamp",
                "Email Address",
                "Organization name",
                "Your name",
            ],
            &[
                ("organization", "Organization  name"),
                ("signer_name", "Your name"),
            ],
        );
        assert_eq!(
            names,
            ["Timestamp", "email_address", "organization", "signer_name"]
        );
        assert!(problems.is_empty(), "{problems:?}");
    }

    #[test]
    fn a_missing_mapped_header_names_both_names_and_lists_the_file_s() {
        let (_, problems) = resolved(&["Timestamp", "Email Address"], &[("email", "E-mail")]);
        assert_eq!(problems.len(), 1, "{problems:?}");
        let p = &problems[0];
        assert!(
            p.contains(
                "`columns` maps `email` to the header \"E-mail\", which form.csv does not have"
            ),
            "{p}"
        );
        assert!(
            p.contains("its headers are \"Timestamp\", \"Email Address\""),
            "{p}"
        );
        let (_, problems) = resolved(&["Email Address"], &[("email", "email address")]);
        assert!(
            problems[0].contains("the file has \"Email Address\", which differs in case"),
            "{problems:?}"
        );
    }

    #[test]
    fn two_headers_making_one_name_are_named_both() {
        let (_, problems) = resolved(&["id", "E mail", "E.mail"], &[]);
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert!(
            problems[0].contains("the headers \"E mail\" and \"E.mail\" both become `e_mail`"),
            "{problems:?}"
        );
        let (_, problems) = resolved(
            &["id", "email", "Email Address"],
            &[("email", "Email Address")],
        );
        assert!(
            problems[0].contains("`email` names the header \"Email Address\" in `columns`, and is the header \"email\" too"),
            "{problems:?}"
        );
    }
}
