//! Tables: CSV files and sheets of workbooks (README, "Tables (CSV)" and "Your spreadsheet"), read into one [`Table`]
//! whatever the file.
//!
//! The CSV parser is `csv_core` driven by hand rather than the `csv` crate, because the checks need what `csv` hides:
//! the physical line and byte of a bad byte (not just of its record), and a cap on a field's size that holds while
//! the field is being read, so an unclosed quote in a 1 GB export costs an error message, not 1 GB of memory.
//! Workbooks (.xlsx, .xlsm, .xlsb, .xls, .ods) are read through calamine, cell by cell, in `workbook/`. Both feed
//! the same steps: header names through the manifest's `columns` (`headers.rs`), `dedupe` (`dedupe.rs`), keys.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::diag::{Problem, Problems};

mod dedupe;
pub mod dups;
mod headers;
mod primary;
mod reader;
pub use reader::encoding_of;
mod scan;
mod source;
#[cfg(test)]
mod tests;
mod workbook;

pub use dedupe::{fold, Folded};
pub use primary::{Primary, Rows};
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
    /// An encoding_rs (WHATWG) label: "windows-1252", "latin1", "utf-16"…; `None` is UTF-8. CSV only.
    pub encoding: Option<String>,
    /// CSV only.
    pub delimiter: u8,
    pub key: String,
    /// A workbook's sheet; `None` is its first visible sheet.
    pub sheet: Option<String>,
    /// The cells of the sheet to read, in A1 notation: "A1:F200" or "B:F".
    pub range: Option<String>,
    /// (the name templates use, the header in the file), in manifest order.
    pub columns: Vec<(String, String)>,
    pub dedupe: Option<Dedupe>,
}

impl TableSpec {
    pub fn new(path: impl Into<PathBuf>) -> Self {
        TableSpec {
            path: path.into(),
            encoding: None,
            delimiter: b',',
            key: "id".to_owned(),
            sheet: None,
            range: None,
            columns: Vec::new(),
            dedupe: None,
        }
    }
}

/// `dedupe = { by = "email", keep = "last" }`: rows that share `by` are one response, of which one is kept.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Dedupe {
    pub by: Vec<String>,
    pub keep: Keep,
}

/// Which of the rows that share a value `dedupe` keeps, by their order in the file.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Keep {
    First,
    /// A form's export lists responses in the order they came, so the last is the correction.
    #[default]
    Last,
}

/// Where a table's rows are, which decides how a position reads.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Layout {
    /// A CSV file: a row's `line` is its first physical line.
    Csv { header_line: usize },
    /// A sheet of a workbook: a row's `line` is its row number, and column `i` of the table is the sheet's column
    /// `columns[i]` (from 1: A is 1).
    Sheet {
        name: String,
        header_row: usize,
        columns: Vec<usize>,
    },
}

/// One record of a table: its values one after the other in one string, with where each ends (two allocations per
/// row instead of one per value: a third of reading a row).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Row {
    /// Physical line (from 1) where the record starts; in a workbook, the row number.
    pub line: usize,
    text: Box<str>,
    ends: Box<[u32]>,
}

impl Row {
    pub fn new<S: AsRef<str>>(line: usize, fields: impl IntoIterator<Item = S>) -> Row {
        let mut text = String::new();
        let mut ends = Vec::new();
        for f in fields {
            text.push_str(f.as_ref());
            // A record is at most 16 MiB (MAX_RECORD_BYTES), a workbook cell far less.
            ends.push(u32::try_from(text.len()).unwrap_or(u32::MAX));
        }
        Row {
            line,
            text: text.into(),
            ends: ends.into(),
        }
    }

    /// The row whose values are `text` cut at `ends` (each value's end in `text`, in order).
    fn from_parts(line: usize, text: &str, ends: &[usize]) -> Row {
        Row {
            line,
            text: text.into(),
            ends: ends
                .iter()
                .map(|&e| u32::try_from(e).unwrap_or(u32::MAX))
                .collect(),
        }
    }

    /// The value in `column`, `""` past the end.
    pub fn get(&self, column: usize) -> &str {
        let Some(&end) = self.ends.get(column) else {
            return "";
        };
        let start = column.checked_sub(1).map_or(0, |c| self.ends[c]);
        self.text.get(start as usize..end as usize).unwrap_or("")
    }

    pub fn fields(&self) -> impl Iterator<Item = &str> {
        (0..self.ends.len()).map(|c| self.get(c))
    }
}

/// What every table has besides its rows: names, columns, key and where its cells are. [`Table`] and
/// [`Primary`] dereference to it, so positions and columns read the same for both.
#[derive(Clone, Debug)]
pub struct Shape {
    pub name: String,
    /// As in the spec: relative to the campaign folder.
    pub path: PathBuf,
    /// Column names as templates see them: the manifest's `columns`, else the file's header slugged.
    pub headers: Vec<String>,
    /// The headers as the file writes them (trimmed, NFC), column for column.
    pub file_headers: Vec<String>,
    pub key_column: usize,
    pub layout: Layout,
}

/// A whole table in memory, validated, with its rows indexed by key.
#[derive(Clone, Debug)]
pub struct Table {
    shape: Shape,
    pub rows: Vec<Row>,
    /// What `dedupe` folded, for `check` to list.
    pub folded: Vec<Folded>,
    index: HashMap<Box<str>, usize>,
}

impl std::ops::Deref for Table {
    type Target = Shape;
    fn deref(&self) -> &Shape {
        &self.shape
    }
}

/// A table as its file gave it: checked row by row, not yet deduplicated nor indexed by key.
pub(super) struct Read {
    headers: Vec<String>,
    file_headers: Vec<String>,
    key_column: Option<usize>,
    rows: Vec<Row>,
    layout: Layout,
    problems: Problems,
    /// Problems past [`MAX_PROBLEMS`], counted.
    unlisted: usize,
}

impl Table {
    /// Reads and validates the whole table. `campaign_dir` joined with `spec.path` is the file.
    pub fn load(campaign_dir: &Path, name: &str, spec: &TableSpec) -> Result<Table, Problems> {
        let read = if workbook::is_workbook(&campaign_dir.join(&spec.path)) {
            workbook::read(campaign_dir, name, spec)?
        } else {
            read_csv(campaign_dir, name, spec)?
        };
        let Read {
            headers,
            file_headers,
            key_column,
            rows,
            layout,
            mut problems,
            mut unlisted,
        } = read;
        let (rows, folded) = match &spec.dedupe {
            Some(d) => {
                let by: Vec<usize> =
                    d.by.iter()
                        .filter_map(|b| headers.iter().position(|h| h == b))
                        .collect();
                if by.len() == d.by.len() {
                    dedupe::dedupe(rows, &by, d.keep)
                } else {
                    // `headers::resolve` reported the unknown column.
                    (rows, Vec::new())
                }
            }
            None => (rows, Vec::new()),
        };
        let mut table = Table {
            shape: Shape {
                name: name.to_owned(),
                path: spec.path.clone(),
                headers,
                file_headers,
                key_column: key_column.unwrap_or(0),
                layout,
            },
            rows,
            folded,
            index: HashMap::new(),
        };
        if let Some(k) = key_column {
            for (i, row) in table.rows.iter().enumerate() {
                let key: &str = row.get(k);
                match table.index.get(key) {
                    Some(&first) if problems.len() < MAX_PROBLEMS => {
                        let p = duplicate_key(
                            &table.layout,
                            &spec.key,
                            key,
                            row.line,
                            table.rows[first].line,
                        );
                        problems.push(table.at(p, row.line, Some(k)));
                    }
                    Some(_) => unlisted += 1,
                    None => {
                        table.index.insert(key.into(), i);
                    }
                }
            }
        }
        let problems = in_file_order(problems, unlisted, &spec.path);
        match key_column {
            Some(_) if !problems.has_errors() => Ok(table),
            _ => Err(problems),
        }
    }

    pub fn find(&self, key: &str) -> Option<&Row> {
        self.index.get(key).and_then(|&i| self.rows.get(i))
    }

    /// The table's shape alone, for a table that becomes the streamed primary table.
    pub(crate) fn into_parts(self) -> (Shape, Vec<Row>, Vec<Folded>) {
        (self.shape, self.rows, self.folded)
    }
}

impl Shape {
    /// Help for a manifest naming `name`, which is not a column: the columns, or the name of a file header.
    pub fn columns_help(&self, name: &str) -> String {
        match self.file_headers.iter().position(|h| h == name) {
            Some(i) => format!(
                "the header \"{name}\" is the column `{}`: use that name",
                self.headers[i]
            ),
            None => format!(
                "the columns are {}",
                self.headers
                    .iter()
                    .map(|h| format!("`{h}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        }
    }

    pub fn column(&self, header: &str) -> Option<usize> {
        self.headers.iter().position(|h| h == header)
    }

    pub fn key<'a>(&self, row: &'a Row) -> &'a str {
        row.get(self.key_column)
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

impl Shape {
    /// Where a cell is, as messages write it: `file.csv:7` (the line: a CSV line has no cell columns worth
    /// counting), or `file.xlsx:Sheet!B7`.
    pub fn at(&self, p: Problem, line: usize, column: Option<usize>) -> Problem {
        let p = p.in_file(&self.path);
        match &self.layout {
            Layout::Csv { .. } => p.at(line, None),
            Layout::Sheet { name, columns, .. } => p
                .in_sheet(name)
                .at(line, column.and_then(|c| columns.get(c).copied())),
        }
    }

    /// A problem at the header cell of column `column`.
    pub fn at_header(&self, p: Problem, column: usize) -> Problem {
        match &self.layout {
            Layout::Csv { header_line } => p.in_file(&self.path).at(*header_line, Some(column + 1)),
            Layout::Sheet { header_row, .. } => self.at(p, *header_row, Some(column)),
        }
    }

    /// A row's place as text, pointing at its key cell in a workbook: `recipients/officials.csv:7`,
    /// `recipients/officials.xlsx:Officials!A7`.
    pub fn place(&self, line: usize) -> String {
        self.at(Problem::error(""), line, Some(self.key_column))
            .location()
            .unwrap_or_default()
    }

    /// How messages name a row: "line 7" of a CSV file, "row 7" of a sheet.
    pub fn row_ref(&self, line: usize) -> String {
        row_ref(&self.layout, line)
    }
}

/// Unplaced: the caller knows where.
/// A table's problems in the order of the file (rows are checked before their keys), with the count of those left
/// unlisted.
fn in_file_order(problems: Problems, unlisted: usize, path: &Path) -> Problems {
    let mut problems: Vec<Problem> = problems.into_iter().collect();
    problems.sort_by_key(|p| p.line.unwrap_or(0));
    let mut problems: Problems = problems.into_iter().collect();
    if unlisted > 0 {
        problems.push(
            Problem::error(format!(
                "…and {unlisted} more problems like these in this table"
            ))
            .in_file(path),
        );
    }
    problems
}

fn duplicate_key(layout: &Layout, key: &str, value: &str, line: usize, first: usize) -> Problem {
    Problem::error(format!(
        "duplicate `{key}` \"{value}\": {} repeats {}",
        row_ref(layout, line),
        row_ref(layout, first)
    ))
    .help(format!(
        "every row needs its own `{key}`: change one of the two, or delete the repeated row"
    ))
}

fn row_ref(layout: &Layout, line: usize) -> String {
    match layout {
        Layout::Csv { .. } => format!("line {line}"),
        Layout::Sheet { .. } => format!("row {line}"),
    }
}

/// `sheet` and `range` name a workbook's cells: on a CSV table they are a mistake.
fn csv_only(name: &str, spec: &TableSpec) -> Result<(), Problems> {
    if spec.sheet.is_some() || spec.range.is_some() {
        return Err(Problem::error(format!(
            "table `{name}`: `sheet` and `range` are for workbooks, and {} is a CSV file",
            spec.path.display()
        ))
        .in_file(crate::load::manifest::FILE)
        .help("remove them, or point `path` at the workbook (.xlsx, .ods, .xls)")
        .into());
    }
    Ok(())
}

/// Reads a CSV table whole, with every problem of its rows (up to [`MAX_PROBLEMS`]).
fn read_csv(campaign_dir: &Path, name: &str, spec: &TableSpec) -> Result<Read, Problems> {
    csv_only(name, spec)?;
    let (mut reader, mut problems) = RowReader::start(campaign_dir, name, spec)?;
    let mut rows = Vec::new();
    let mut unlisted = 0usize;
    for item in reader.by_ref() {
        match item {
            Ok(row) => rows.push(row),
            Err(p) if problems.len() < MAX_PROBLEMS => problems.push(p),
            Err(_) => unlisted += 1,
        }
    }
    Ok(Read {
        unlisted,
        layout: Layout::Csv {
            header_line: reader.header_line,
        },
        headers: std::mem::take(&mut reader.headers),
        file_headers: std::mem::take(&mut reader.file_headers),
        key_column: reader.key_column,
        rows,
        problems,
    })
}

/// Where and how the manifest would declare `setting` for table `name`, as help texts show it: the table's
/// settings written in full, so the line can replace the user's own.
pub(super) fn declare(name: &str, spec: &TableSpec, setting: &str, value: &str) -> String {
    let section = if name == "recipients" {
        "[letter]"
    } else {
        "[tables]"
    };
    let delimiter = (spec.delimiter != b',').then(|| toml_delimiter(spec.delimiter));
    let key = (spec.key != "id").then(|| spec.key.clone());
    let mut settings = vec![("path", spec.path.display().to_string().replace('\\', "/"))];
    for (name, declared) in [
        ("sheet", spec.sheet.clone()),
        ("range", spec.range.clone()),
        ("encoding", spec.encoding.clone()),
        ("delimiter", delimiter),
        ("key", key),
    ] {
        if name == setting {
            settings.push((name, value.to_owned()));
        } else if let Some(v) = declared {
            settings.push((name, v));
        }
    }
    let mut settings: Vec<String> = settings
        .iter()
        .map(|(n, v)| format!("{n} = \"{v}\""))
        .collect();
    if !spec.columns.is_empty() {
        let pairs: Vec<String> = spec
            .columns
            .iter()
            .map(|(to, header)| format!("{} = {}", toml_key(to), toml_str(header)))
            .collect();
        settings.push(format!("columns = {{ {} }}", pairs.join(", ")));
    }
    if let Some(d) = &spec.dedupe {
        let by: Vec<String> = d.by.iter().map(|b| toml_str(b)).collect();
        let by = match by.as_slice() {
            [one] => one.clone(),
            _ => format!("[{}]", by.join(", ")),
        };
        let keep = match d.keep {
            Keep::First => "first",
            Keep::Last => "last",
        };
        settings.push(format!("dedupe = {{ by = {by}, keep = \"{keep}\" }}"));
    }
    format!(
        "lettermerge.toml: {section} {name} = {{ {} }}",
        settings.join(", ")
    )
}

/// A string as TOML writes it, quoted and escaped.
fn toml_str(s: &str) -> String {
    toml::Value::from(s).to_string()
}

/// A key as TOML writes it: bare when it can be.
fn toml_key(s: &str) -> String {
    if !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
    {
        s.to_owned()
    } else {
        toml_str(s)
    }
}

/// A delimiter as written in a TOML string.
pub(super) fn toml_delimiter(d: u8) -> String {
    if d == b'\t' {
        "\\t".to_owned()
    } else {
        (d as char).to_string()
    }
}
