//! CSV tables (SPEC §3).
//!
//! The parser is `csv_core` driven by hand rather than the `csv` crate, because the checks need what `csv` hides: the
//! physical line and byte of a bad byte (not just of its record), and a cap on a field's size that holds while the
//! field is being read, so an unclosed quote in a 1 GB export costs an error message, not 1 GB of memory.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use crate::diag::{Problem, Problems};

mod reader;
mod scan;
mod source;
#[cfg(test)]
mod tests;

pub use reader::RowReader;

/// The largest field accepted, in bytes of UTF-8.
pub const MAX_FIELD_BYTES: usize = 1 << 20;
/// Caps a record made of many fields each under the field limit.
const MAX_RECORD_BYTES: usize = 16 << 20;
/// Excel's own column limit: no spreadsheet export has more.
const MAX_COLUMNS: usize = 16_384;
const CHUNK: usize = 64 * 1024;
/// `Table::load` stops listing problems here: a wrong delimiter or encoding would otherwise give one per row.
const MAX_PROBLEMS: usize = 100;

/// How the manifest declares one table.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TableSpec {
    /// Relative to the campaign folder.
    pub path: PathBuf,
    /// An encoding_rs (WHATWG) label: "windows-1252", "latin1", "utf-16"…; `None` is UTF-8.
    pub encoding: Option<String>,
    pub delimiter: u8,
    pub key: String,
}

impl TableSpec {
    pub fn new(path: impl Into<PathBuf>) -> Self {
        TableSpec {
            path: path.into(),
            encoding: None,
            delimiter: b',',
            key: "id".to_owned(),
        }
    }
}

/// One record of a table.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Row {
    /// Physical line (from 1) where the record starts.
    pub line: usize,
    fields: Vec<Box<str>>,
}

impl Row {
    /// The value in `column`, `""` past the end.
    pub fn get(&self, column: usize) -> &str {
        self.fields.get(column).map_or("", |f| f)
    }

    pub fn fields(&self) -> impl Iterator<Item = &str> {
        self.fields.iter().map(|f| &**f)
    }
}

/// A whole table in memory, validated, with its rows indexed by key.
#[derive(Clone, Debug)]
pub struct Table {
    pub name: String,
    /// As in the spec: relative to the campaign folder.
    pub path: PathBuf,
    pub headers: Vec<String>,
    pub key_column: usize,
    pub rows: Vec<Row>,
    index: HashMap<Box<str>, usize>,
}

impl Table {
    /// Reads and validates the whole table. `campaign_dir` joined with `spec.path` is the file.
    pub fn load(campaign_dir: &Path, name: &str, spec: &TableSpec) -> Result<Table, Problems> {
        let (mut reader, mut problems) = RowReader::start(campaign_dir, name, spec)?;
        let key_column = reader.key_column;
        let mut rows = Vec::new();
        let mut index: HashMap<Box<str>, usize> = HashMap::new();
        let mut unlisted = 0usize;
        for item in reader.by_ref() {
            let fault = match item {
                Err(p) => Some(p),
                Ok(row) => match key_column {
                    None => {
                        rows.push(row);
                        None
                    }
                    Some(k) => match index.get(row.get(k)) {
                        Some(&first) => Some(duplicate_key(
                            &spec.path,
                            &spec.key,
                            row.get(k),
                            row.line,
                            rows.get(first).map_or(0, |r: &Row| r.line),
                        )),
                        None => {
                            index.insert(row.get(k).into(), rows.len());
                            rows.push(row);
                            None
                        }
                    },
                },
            };
            if let Some(p) = fault {
                if problems.len() < MAX_PROBLEMS {
                    problems.push(p);
                } else {
                    unlisted += 1;
                }
            }
        }
        if unlisted > 0 {
            problems.push(
                Problem::error(format!(
                    "…and {unlisted} more problems like these in this table"
                ))
                .in_file(&spec.path),
            );
        }
        match key_column {
            Some(key_column) if !problems.has_errors() => Ok(Table {
                name: name.to_owned(),
                path: spec.path.clone(),
                headers: reader.headers,
                key_column,
                rows,
                index,
            }),
            _ => Err(problems),
        }
    }

    pub fn column(&self, header: &str) -> Option<usize> {
        self.headers.iter().position(|h| h == header)
    }

    pub fn key<'a>(&self, row: &'a Row) -> &'a str {
        row.get(self.key_column)
    }

    pub fn find(&self, key: &str) -> Option<&Row> {
        self.index.get(key).and_then(|&i| self.rows.get(i))
    }

    pub fn value<'a>(&'a self, row: &'a Row, header: &str) -> Option<&'a str> {
        self.column(header).map(|c| row.get(c))
    }

    /// The row as a JSON object {header: value}, headers in file order.
    pub fn row_json(&self, row: &Row) -> serde_json::Map<String, serde_json::Value> {
        self.headers
            .iter()
            .enumerate()
            .map(|(i, h)| (h.clone(), serde_json::Value::String(row.get(i).to_owned())))
            .collect()
    }
}

fn duplicate_key(file: &Path, key: &str, value: &str, line: usize, first: usize) -> Problem {
    Problem::error(format!(
        "duplicate `{key}` \"{value}\": line {line} repeats line {first}"
    ))
    .in_file(file)
    .at(line, None)
    .help(format!(
        "every row needs its own `{key}`: change one of the two, or delete the repeated row"
    ))
}

/// Key uniqueness for rows streamed by [`RowReader`], which cannot check it alone without holding every key.
#[derive(Debug)]
pub struct KeySet {
    file: PathBuf,
    key: String,
    seen: HashMap<Box<str>, usize>,
}

impl KeySet {
    /// Records `key` as seen on `line`; a key seen before is an error naming both lines.
    pub fn insert(&mut self, key: &str, line: usize) -> Result<(), Problem> {
        if let Some(&first) = self.seen.get(key) {
            return Err(duplicate_key(&self.file, &self.key, key, line, first));
        }
        self.seen.insert(key.into(), line);
        Ok(())
    }

    pub fn len(&self) -> usize {
        self.seen.len()
    }

    pub fn is_empty(&self) -> bool {
        self.seen.is_empty()
    }
}
