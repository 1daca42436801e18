//! The primary table (`[letter] recipients`), which may have a million rows: read as a stream, never held.
//!
//! Loading reads the file once, checking every row as [`Table::load`] does and keeping only the row count and an
//! 8-byte hash of each key (a repeated hash gets an exact second look, so a duplicate key is certain and named with
//! both lines). Every later pass ([`Primary::rows`]) reads the file again, row by row; a file that changed since
//! the load is an error, never a silently different set of letters.
//!
//! Two kinds of table are held in memory instead, as [`Table`] holds them: a sheet of a workbook (calamine reads a
//! sheet whole: at most `MAX_CELLS` cells) and a table with `dedupe`, whose folding compares every row with every
//! other. Both are forms and lists of a few thousand rows; a million-row table is a CSV export.

use std::fs;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use super::dups::{self, Hashes};
use super::{
    csv_only, duplicate_key, in_file_order, workbook, Folded, Layout, Row, RowReader, Shape, Table,
    TableSpec, MAX_PROBLEMS,
};
use crate::diag::{Problem, Problems};

/// The primary table: its shape, its row count and its keys' hashes; the rows stay in the file.
#[derive(Debug)]
pub struct Primary {
    shape: Shape,
    source: Source,
    /// What `dedupe` folded, for `check` to list.
    pub folded: Vec<Folded>,
    len: usize,
    keys: Hashes,
}

#[derive(Debug)]
enum Source {
    Csv(Box<CsvSource>),
    Memory(Vec<Row>),
}

/// Where a streamed table is read from again.
#[derive(Debug)]
struct CsvSource {
    dir: PathBuf,
    spec: TableSpec,
    stamp: Option<Stamp>,
}

/// What says a file is still the one loaded: its size and modification time.
#[derive(Debug, PartialEq, Eq, Clone, Copy)]
struct Stamp {
    len: u64,
    modified: Option<SystemTime>,
}

impl Stamp {
    fn of(path: &Path) -> Option<Stamp> {
        let m = fs::metadata(path).ok()?;
        Some(Stamp {
            len: m.len(),
            modified: m.modified().ok(),
        })
    }
}

impl std::ops::Deref for Primary {
    type Target = Shape;
    fn deref(&self) -> &Shape {
        &self.shape
    }
}

impl Primary {
    /// Reads and validates the table as [`Table::load`] does, with the same problems in the same order.
    pub fn load(campaign_dir: &Path, name: &str, spec: &TableSpec) -> Result<Primary, Problems> {
        let file = campaign_dir.join(&spec.path);
        if spec.dedupe.is_some() || workbook::is_workbook(&file) {
            return Table::load(campaign_dir, name, spec).map(Primary::from_table);
        }
        csv_only(name, spec)?;
        let stamp = Stamp::of(&file);
        let (mut reader, mut problems) = RowReader::start(campaign_dir, name, spec)?;
        let key_column = reader.key_column;
        let mut keys = Hashes::new();
        let (mut len, mut unlisted) = (0usize, 0usize);
        for item in reader.by_ref() {
            match item {
                Ok(row) => {
                    len += 1;
                    if let Some(k) = key_column {
                        keys.push(row.get(k));
                    }
                }
                Err(p) if problems.len() < MAX_PROBLEMS => problems.push(p),
                Err(_) => unlisted += 1,
            }
        }
        let shape = Shape {
            name: name.to_owned(),
            path: spec.path.clone(),
            headers: std::mem::take(&mut reader.headers),
            file_headers: std::mem::take(&mut reader.file_headers),
            key_column: key_column.unwrap_or(0),
            layout: Layout::Csv {
                header_line: reader.header_line,
            },
        };
        let mut primary = Primary {
            shape,
            source: Source::Csv(Box::new(CsvSource {
                dir: campaign_dir.to_path_buf(),
                spec: spec.clone(),
                stamp,
            })),
            folded: Vec::new(),
            len,
            keys,
        };
        let suspects = primary.keys.repeated();
        if let (Some(k), false) = (key_column, suspects.is_empty()) {
            // The second look: only rows whose key's hash repeats, and only when one does.
            let mut seen = Vec::new();
            let mut reader = RowReader::start(campaign_dir, name, spec)?.0;
            for row in reader.by_ref().flatten() {
                let key = row.get(k);
                if suspects.contains(key) {
                    seen.push((key.to_owned(), row.line));
                }
            }
            for r in dups::repeats(seen) {
                if problems.len() < MAX_PROBLEMS {
                    let p = duplicate_key(&primary.layout, &spec.key, &r.value, r.at, r.first);
                    problems.push(primary.at(p, r.at, Some(k)));
                } else {
                    unlisted += 1;
                }
            }
        }
        let problems = in_file_order(problems, unlisted, &spec.path);
        match key_column {
            Some(_) if !problems.has_errors() => Ok(primary),
            _ => Err(problems),
        }
    }

    /// A table read whole (a workbook's sheet, a table with `dedupe`), held as it is.
    pub fn from_table(table: Table) -> Primary {
        let (shape, rows, folded) = table.into_parts();
        let mut keys = Hashes::new();
        for r in &rows {
            keys.push(shape.key(r));
        }
        keys.repeated();
        Primary {
            shape,
            len: rows.len(),
            source: Source::Memory(rows),
            folded,
            keys,
        }
    }

    /// The number of rows.
    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Whether a row may have `key`: `false` is certain; `true` is nearly always right, and certain only once a
    /// row with that key is found.
    pub fn may_have_key(&self, key: &str) -> bool {
        self.keys.may_contain_sorted(key)
    }

    /// Every row again, in file order, read from the file (or from memory, for a table held whole).
    pub fn rows(&self) -> Result<Rows<'_>, Problem> {
        match &self.source {
            Source::Memory(rows) => Ok(Rows {
                path: &self.shape.path,
                inner: Inner::Memory(rows.iter()),
            }),
            Source::Csv(csv) => {
                let CsvSource { dir, spec, stamp } = &**csv;
                let file = dir.join(&spec.path);
                if Stamp::of(&file) != *stamp {
                    return Err(changed(&self.shape.path, "it was saved again"));
                }
                let reader = RowReader::start(dir, &self.shape.name, spec)
                    .map_err(|p| {
                        let why = p.iter().next().map_or(String::new(), |p| p.message.clone());
                        changed(&self.shape.path, &why)
                    })?
                    .0;
                Ok(Rows {
                    path: &self.shape.path,
                    inner: Inner::Csv(Box::new(reader), Some((file, stamp))),
                })
            }
        }
    }

    /// Whether the rows are read from the file on every pass (rather than held).
    pub fn is_streamed(&self) -> bool {
        matches!(self.source, Source::Csv(_))
    }
}

/// A pass over the primary table's rows.
pub struct Rows<'a> {
    path: &'a Path,
    inner: Inner<'a>,
}

enum Inner<'a> {
    /// The reader, and the file's stamp when the pass began: compared again when the pass ends, so a file written
    /// in place during the pass is an error too, not a pass that read half of each version.
    Csv(Box<RowReader>, Option<(PathBuf, &'a Option<Stamp>)>),
    Memory(std::slice::Iter<'a, Row>),
}

impl Iterator for Rows<'_> {
    type Item = Result<Row, Problem>;

    fn next(&mut self) -> Option<Self::Item> {
        match &mut self.inner {
            Inner::Memory(rows) => rows.next().cloned().map(Ok),
            // Every row was valid when the table loaded: a bad one now means the file changed under us.
            Inner::Csv(reader, end) => match reader.next() {
                Some(r) => Some(r.map_err(|p| changed(self.path, &p.message))),
                None => {
                    let (file, stamp) = end.take()?;
                    (Stamp::of(&file) != *stamp)
                        .then(|| Err(changed(self.path, "it was saved during the reading")))
                }
            },
        }
    }
}

fn changed(path: &Path, why: &str) -> Problem {
    Problem::error(format!(
        "{} changed while lettermerge was reading it ({why}): nothing more is read from it",
        path.display()
    ))
    .in_file(path)
    .help("let the spreadsheet finish saving, then run the command again")
}
