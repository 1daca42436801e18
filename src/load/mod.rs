//! Load: the manifest, the CSV tables and the templates of a campaign folder.
//!
//! Everything here reads files and nothing else; a campaign that loads is internally consistent
//! (every table and template named by the manifest exists and parses), so later stages can trust it.

pub(crate) mod approvals;
pub(crate) mod manifest;
pub(crate) mod nesting;
pub(crate) mod paths;
pub(crate) mod roster;
pub(crate) mod smtp;
pub(crate) mod table;
pub(crate) mod template;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::diag::{Problem, Problems};
use manifest::ManifestFile;
use table::{Primary, Table};
use template::{LetterTemplate, Partial};

/// The name the primary table goes by in messages and in `tables.NAME` when it is also listed there.
pub const RECIPIENTS: &str = "recipients";

#[derive(Debug)]
pub struct Campaign {
    pub dir: PathBuf,
    pub manifest: ManifestFile,
    /// Streamed: its rows are read from the file on each pass, never held (see [`Primary`]).
    pub recipients: Primary,
    /// `[tables]`, by name.
    pub tables: BTreeMap<String, Table>,
    /// Every letter template any variant uses, by relative path.
    pub templates: BTreeMap<String, LetterTemplate>,
    pub partials: Vec<Partial>,
    /// `approvals.toml`, once the first `approve` wrote it.
    pub approvals: Option<approvals::Approvals>,
    /// What one pass over the primary table found per variant (counts, groups), made by the first plan and kept
    /// for the others.
    pub(crate) facts: std::sync::OnceLock<crate::plan::facts::Found>,
}

impl Campaign {
    /// Loads everything, reporting every problem found rather than the first.
    pub fn load(dir: &Path) -> Result<Campaign, Problems> {
        let manifest = ManifestFile::load(dir)?;
        let m = &manifest.manifest;
        let mut problems = Problems::new();

        let recipients = match m.letter.recipients.spec(m.letter.key.as_deref()) {
            Ok(spec) => match load_primary(dir, &manifest, &spec) {
                Ok(t) => Some(t),
                Err(p) => {
                    problems.extend(p);
                    None
                }
            },
            Err(e) => {
                problems.push(manifest.problem("letter", Some("recipients"), e.to_string()));
                None
            }
        };
        if let Some(t) = &recipients {
            if t.is_empty() {
                problems.push(
                    Problem::error("the recipients table has a header but no rows")
                        .in_file(&t.path)
                        .at(1, None)
                        .help("add one row per official (one letter each)"),
                );
            }
        }

        let mut tables = BTreeMap::new();
        for (name, entry) in &m.tables {
            if name == RECIPIENTS {
                problems.push(manifest.problem(
                    "tables",
                    Some(name),
                    "`recipients` names the primary table; give this table another name",
                ));
                continue;
            }
            match entry.spec(None) {
                Ok(spec) => match load_table(dir, &manifest, &["tables", name], name, &spec) {
                    Ok(t) => {
                        tables.insert(name.clone(), t);
                    }
                    Err(p) => problems.extend(p),
                },
                Err(e) => problems.push(manifest.problem("tables", Some(name), e.to_string())),
            }
        }

        let mut templates = BTreeMap::new();
        let mut named = vec![(vec!["letter", "template"], &m.letter.template)];
        for (name, v) in &m.variants {
            if let Some(t) = &v.template {
                named.push((vec!["variants", name.as_str(), "template"], t));
            }
        }
        for (key, path) in named {
            if templates.contains_key(path.as_str()) {
                continue;
            }
            let file = match path.resolve(dir) {
                Ok(f) => f,
                Err(e) => {
                    problems.push(escape_problem(&manifest, &key, path.as_str(), &e));
                    continue;
                }
            };
            // A template that is not there is the manifest's mistake: said at the line that names it.
            if !file.exists() {
                let section = key[..key.len() - 1].join(".");
                problems.push(
                    manifest
                        .problem(
                            &section,
                            Some("template"),
                            format!("template `{path}`: no such file"),
                        )
                        .help(
                            "create it, or point `template` at an existing .hbs file in templates/",
                        ),
                );
                continue;
            }
            match LetterTemplate::load(&file, path.as_str()) {
                Ok(t) => {
                    templates.insert(path.as_str().to_string(), t);
                }
                Err(p) => problems.extend(p),
            }
        }

        if let Err(p) = nesting::check(&m.output.filename, manifest::FILE, 0) {
            problems.push(Problem {
                line: manifest.line_of("output", Some("filename")),
                column: None,
                ..p
            });
        }

        let partials = template::load_partials(dir).unwrap_or_else(|p| {
            problems.extend(p);
            Vec::new()
        });

        let approvals = approvals::Approvals::load(dir).unwrap_or_else(|p| {
            problems.push(p);
            None
        });

        match (recipients, problems.has_errors()) {
            (Some(recipients), false) => Ok(Campaign {
                dir: dir.to_path_buf(),
                manifest,
                recipients,
                tables,
                templates,
                partials,
                approvals,
                facts: std::sync::OnceLock::new(),
            }),
            _ => {
                // `check` would say this too once the rest loads: said now, so one run lists what it can.
                if let Err(p) = crate::check::preflight::formats_of(&manifest) {
                    problems.push(p);
                }
                Err(problems)
            }
        }
    }

    /// What one pass over the primary table finds per variant, made once (see [`crate::plan::facts`]).
    pub fn facts(&self) -> &crate::plan::facts::Found {
        self.facts.get_or_init(|| crate::plan::facts::find(self))
    }

    /// A `[tables]` table by name. The primary table is not one: it is streamed, never held.
    pub fn table(&self, name: &str) -> Option<&Table> {
        self.tables.get(name)
    }
}

/// A table, once its path is known to stay inside the campaign.
fn load_table(
    dir: &Path,
    manifest: &ManifestFile,
    key: &[&str],
    name: &str,
    spec: &table::TableSpec,
) -> Result<Table, Problems> {
    let shown = spec.path.to_string_lossy();
    if let Err(e) = paths::resolve(dir, &shown) {
        return Err(escape_problem(manifest, key, &shown, &e).into());
    }
    Table::load(dir, name, spec).map_err(|p| at_entry(manifest, key, p))
}

/// The primary table, once its path is known to stay inside the campaign.
fn load_primary(
    dir: &Path,
    manifest: &ManifestFile,
    spec: &table::TableSpec,
) -> Result<Primary, Problems> {
    let key = ["letter", "recipients"];
    let shown = spec.path.to_string_lossy();
    if let Err(e) = paths::resolve(dir, &shown) {
        return Err(escape_problem(manifest, &key, &shown, &e).into());
    }
    Primary::load(dir, RECIPIENTS, spec).map_err(|p| at_entry(manifest, &key, p))
}

/// A table's problems with its manifest entry (`columns`, `sheet`, `dedupe`…) come without a line: the entry's.
fn at_entry(manifest: &ManifestFile, key: &[&str], problems: Problems) -> Problems {
    let line = manifest.position(key).map(|(l, _)| l);
    problems
        .into_iter()
        .map(|p| match (&p.file, p.line, line) {
            (Some(f), None, Some(l)) if f == Path::new(manifest::FILE) => p.at(l, None),
            _ => p,
        })
        .collect()
}

/// A manifest path refused by [`paths::resolve`], at the key that names it — or, for a default the manifest does not
/// spell out (`templates/letter.hbs`), at the path itself.
pub fn escape_problem(
    manifest: &ManifestFile,
    key: &[&str],
    path: &str,
    e: &paths::Escape,
) -> Problem {
    let p = match manifest.position(key) {
        Some(_) => manifest.problem_at(key, e.message(path)),
        None => Problem::error(e.message(path)).in_file(path),
    };
    p.help(e.help())
}
