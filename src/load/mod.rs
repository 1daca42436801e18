//! Load: the manifest, the CSV tables and the templates of a campaign folder.
//!
//! Everything here reads files and nothing else; a campaign that loads is internally consistent
//! (every table and template named by the manifest exists and parses), so later stages can trust it.

pub mod approvals;
pub mod manifest;
pub mod nesting;
pub mod table;
pub mod template;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::diag::{Problem, Problems};
use manifest::ManifestFile;
use table::Table;
use template::{LetterTemplate, Partial};

/// The name the primary table goes by in messages and in `tables.NAME` when it is also listed there.
pub const RECIPIENTS: &str = "recipients";

#[derive(Debug)]
pub struct Campaign {
    pub dir: PathBuf,
    pub manifest: ManifestFile,
    pub recipients: Table,
    /// `[tables]`, by name.
    pub tables: BTreeMap<String, Table>,
    /// Every letter template any variant uses, by relative path.
    pub templates: BTreeMap<String, LetterTemplate>,
    pub partials: Vec<Partial>,
    /// `approvals.toml`, once the first `approve` wrote it.
    pub approvals: Option<approvals::Approvals>,
}

impl Campaign {
    /// Loads everything, reporting every problem found rather than the first.
    pub fn load(dir: &Path) -> Result<Campaign, Problems> {
        let manifest = ManifestFile::load(dir)?;
        let m = &manifest.manifest;
        let mut problems = Problems::new();

        let recipients = match m.letter.recipients.spec(m.letter.key.as_deref()) {
            Ok(spec) => match Table::load(dir, RECIPIENTS, &spec) {
                Ok(t) => Some(t),
                Err(p) => {
                    problems.extend(p);
                    None
                }
            },
            Err(msg) => {
                problems.push(manifest.problem("letter", Some("recipients"), msg));
                None
            }
        };
        if let Some(t) = &recipients {
            if t.rows.is_empty() {
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
                Ok(spec) => match Table::load(dir, name, &spec) {
                    Ok(t) => {
                        tables.insert(name.clone(), t);
                    }
                    Err(p) => problems.extend(p),
                },
                Err(msg) => problems.push(manifest.problem("tables", Some(name), msg)),
            }
        }

        let mut templates = BTreeMap::new();
        let mut paths = vec![m.letter.template.clone()];
        paths.extend(m.variants.values().filter_map(|v| v.template.clone()));
        for path in paths {
            if templates.contains_key(&path) {
                continue;
            }
            if let Err(p) = inside_campaign(&path) {
                problems.push(p);
                continue;
            }
            match LetterTemplate::load(dir, &path) {
                Ok(t) => {
                    templates.insert(path, t);
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
            }),
            _ => Err(problems),
        }
    }

    /// A table by the name templates and the manifest use (`recipients` for the primary one).
    pub fn table(&self, name: &str) -> Option<&Table> {
        if name == RECIPIENTS {
            Some(&self.recipients)
        } else {
            self.tables.get(name)
        }
    }
}

/// A path from a manifest or front matter must stay inside the campaign: relative, no `..`.
pub fn inside_campaign(path: &str) -> Result<(), Problem> {
    let p = Path::new(path);
    let escapes = p.is_absolute()
        || p.components().any(|c| {
            !matches!(
                c,
                std::path::Component::Normal(_) | std::path::Component::CurDir
            )
        });
    if escapes {
        Err(
            Problem::error(format!("`{path}` is outside the campaign folder"))
                .in_file(manifest::FILE)
                .help("use a path relative to the campaign folder, without `..`"),
        )
    } else {
        Ok(())
    }
}
