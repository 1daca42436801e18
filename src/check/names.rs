//! Every name a template uses, checked against the columns in scope where it is used (README, "What check refuses").
//!
//! handlebars' strict mode catches a missing `{{x}}` only when a letter reaches it, and never inside `{{#if x}}`
//! (by design, handlebars-rust #579). The walk of the parsed templates that sign-off uses ([`crate::plan::reads`])
//! knows what `this` is at every point; this visitor checks each name it meets, with positions, before any letter.

use std::collections::{BTreeSet, HashMap};

use crate::diag::{Problem, Problems};
use crate::plan::reads::walk::{At, Shape, Source, Visit};
use crate::render::context;

pub use crate::plan::reads::walk::is_helper;

/// What the walker knows about the campaign.
pub struct Scope<'a> {
    /// Recipient columns; `None` for a public copy, which has no recipient.
    pub recipient: Option<(&'a str, &'a BTreeSet<String>)>,
    pub signatory: Option<(&'a str, &'a BTreeSet<String>)>,
    /// Each `[tables]` table's file name and columns.
    pub tables: &'a HashMap<String, (String, BTreeSet<String>)>,
    pub vars: &'a BTreeSet<String>,
}

/// The problems with names, found by walking a letter.
pub struct Names<'a> {
    pub scope: &'a Scope<'a>,
    pub problems: Problems,
}

impl Visit for Names<'_> {
    fn path(&mut self, at: &At, from: &Shape, segs: &[String], likely: bool) {
        if !likely {
            return;
        }
        let Some(first) = segs.first() else { return };
        let problem = match from {
            Shape::Root => self.root_path(segs, at),
            // `{{#each signatories}}` with no signatory table is an empty list: the letter would end unsigned, and
            // nothing inside could be checked. Said once, at the first name inside.
            Shape::Row(Source::Signatory) if self.scope.signatory.is_none() => (!self
                .problems
                .iter()
                .any(|p| p.text().contains(NO_SIGNATORIES)))
            .then(|| no_signatories(at)),
            Shape::Row(source) => self.columns(source).and_then(|(table, columns)| {
                (!columns.contains(first)).then(|| {
                    at.error(format!("`{first}` is not a column of {table}"))
                        .help(format!(
                            "the columns are: {}; reach the letter's own values with @root.NAME",
                            list(columns)
                        ))
                })
            }),
            Shape::Coalition if first != "signatories" => Some(coalition_has_only(first, at)),
            Shape::Tables if !self.scope.tables.contains_key(first) => Some(
                at.error(format!("there is no table `{first}`"))
                    .help("list it under [tables] in lettermerge.toml"),
            ),
            _ => None,
        };
        if let Some(p) = problem {
            self.problems.push(p);
        }
    }

    fn helper(&mut self, at: &At, name: &str, block: bool, _with_params: bool) {
        if is_helper(name) {
            return;
        }
        let p = if block {
            at.error(format!("there is no block helper `{name}`"))
                .help("use #if, #unless, #each, #with or #columns")
        } else {
            at.error(format!("there is no helper `{name}`"))
                .help("the helpers are listed in the README; a value with a space in its name is written [like this]")
        };
        self.problems.push(p);
    }

    fn compared(&mut self, at: &At, source: &Source, column: &str) {
        if let Some((table, columns)) = self.columns(source) {
            if !columns.contains(column) {
                self.problems.push(
                    at.error(format!(
                        "`filter` compares `{column}`, which is not a column of {table}: it would select nothing"
                    ))
                    .help(format!("the columns are: {}", list(columns))),
                );
            }
        }
    }

    fn missing_partial(&mut self, at: &At, name: &str) {
        self.problems.push(
            at.error(format!("there is no partial `{name}`"))
                .help(format!("create templates/partials/{name}.hbs")),
        );
    }
}

const NO_SIGNATORIES: &str = "there are no signatories: lettermerge.toml has no [signatories]";

fn no_signatories(at: &At) -> Problem {
    at.error(NO_SIGNATORIES).help(
        "list the organizations under [tables] (organizations = { path = \"recipients/organizations.csv\", key = \"id\" }) \
         and name them: [signatories] table = \"organizations\"; or take the signature block out of the template",
    )
}

impl Names<'_> {
    fn columns(&self, source: &Source) -> Option<(&str, &BTreeSet<String>)> {
        match source {
            Source::Recipient => self.scope.recipient,
            Source::Signatory => self.scope.signatory,
            Source::Table(t) => self
                .scope
                .tables
                .get(t)
                .map(|(file, cols)| (file.as_str(), cols)),
        }
    }

    fn root_path(&self, segs: &[String], at: &At) -> Option<Problem> {
        let s = self.scope;
        let segs: Vec<&str> = segs.iter().map(String::as_str).collect();
        match segs.as_slice() {
            ["vars", name, ..] if !s.vars.contains(*name) => Some(
                at.error(format!("`vars.{name}` is not set"))
                    .help("add it to [vars] in lettermerge.toml (or the variant's vars)"),
            ),
            ["letter", name, ..] if !["index", "count", "key", "id"].contains(name) => Some(
                at.error(format!("`letter.{name}` does not exist"))
                    .help("letter has index, count, key and id"),
            ),
            ["variant", name, ..] if !["name", "lang"].contains(name) => Some(
                at.error(format!("`variant.{name}` does not exist"))
                    .help("variant has name and lang"),
            ),
            ["tables", name, ..] if !s.tables.contains_key(*name) => Some(
                at.error(format!("there is no table `{name}`"))
                    .help("list it under [tables] in lettermerge.toml"),
            ),
            ["coalition", name, ..] if *name != "signatories" => Some(coalition_has_only(name, at)),
            // The list itself (`{{len signatories}}`, `{{join signatories "organization"}}`, `{{#if signatories}}`):
            // without a signatory table it is empty, and the letter would say so silently.
            ["signatories"] | ["coalition", "signatories"] if s.signatory.is_none() => {
                Some(no_signatories(at))
            }
            ["signatory", col, ..]
            | ["signatories", col, ..]
            | ["coalition", "signatories", col, ..]
                if !col.starts_with('[') =>
            {
                // `signatories.0.name` indexes the list; the column comes after.
                let col = if col.parse::<usize>().is_ok() {
                    let at = if segs[0] == "coalition" { 3 } else { 2 };
                    segs.get(at).copied()?
                } else {
                    col
                };
                match s.signatory {
                    Some((t, cols)) if !cols.contains(col) => {
                        Some(at.error(format!("`{col}` is not a column of {t}")))
                    }
                    // `signatory` is null but in a per-signatory letter; `{{#if signatory}}…{{/if}}` is how a
                    // template shared between campaigns guards it (used unguarded, strict mode stops the letter).
                    None if segs[0] == "signatory" => None,
                    None => Some(no_signatories(at)),
                    _ => None,
                }
            }
            [name, ..] if context::NAMES.contains(name) => None,
            [name, ..] => match s.recipient {
                Some((_, cols)) if cols.contains(*name) => None,
                Some((t, cols)) => Some(
                    at.error(format!("`{name}` is not a column of {t}"))
                        .help(format!("the columns are: {}", list(cols))),
                ),
                None => Some(
                    at.error(format!(
                        "`{name}` is used in a public copy, which has no recipient"
                    ))
                    .help("public copies (recipients = false) have no recipient columns"),
                ),
            },
            [] => None,
        }
    }
}

fn coalition_has_only(name: &str, at: &At) -> Problem {
    at.error(format!("`coalition.{name}` does not exist"))
        .help("coalition has signatories: the whole list, also in a per-signatory letter")
}

fn list(columns: &BTreeSet<String>) -> String {
    columns.iter().cloned().collect::<Vec<_>>().join(", ")
}
