//! [`RowReader`]: the one code path that reads a table, record by record, with every check but key uniqueness.

use std::io::{self, Read};
use std::path::{Path, PathBuf};

use csv_core::{ReadRecordResult, Reader as CoreReader, ReaderBuilder};
use encoding_rs::Encoding;
use unicode_normalization::UnicodeNormalization;

use super::scan::{self, Fault, Scanner};
use super::source::open_source;
use super::{
    declare, headers, toml_delimiter, Row, TableSpec, CHUNK, MAX_COLUMNS, MAX_FIELD_BYTES,
    MAX_RECORD_BYTES,
};
use crate::diag::{Problem, Problems};

/// What made a record too big to keep; the rest of it is read and dropped.
#[derive(Clone, Copy, Debug)]
enum Oversize {
    Field(usize),
    Record,
    Columns,
}

/// A record as parsed: its fields are `out[..ends[fields-1]]` cut at `ends`, unless `oversize`.
struct Raw {
    line: usize,
    fields: usize,
    oversize: Option<Oversize>,
    fault: Option<Fault>,
    /// Where a quote left open at the end of the file was opened.
    unclosed: Option<scan::Pos>,
}

/// Validates the header, then yields rows one at a time so memory does not grow with the file. Checks everything
/// `Table::load` does except key uniqueness ([`super::Primary`] adds it).
pub struct RowReader {
    file: PathBuf,
    name: String,
    spec: TableSpec,
    src: Box<dyn Read + Send>,
    buf: Box<[u8]>,
    pos: usize,
    len: usize,
    eof: bool,
    core: CoreReader,
    scan: Scanner,
    out: Vec<u8>,
    ends: Vec<usize>,
    pub(super) headers: Vec<String>,
    pub(super) key_column: Option<usize>,
    pub(super) header_line: usize,
    pub(super) file_headers: Vec<String>,
    utf8_reported: bool,
    done: bool,
}

impl RowReader {
    #[cfg(test)]
    pub fn open(campaign_dir: &Path, name: &str, spec: &TableSpec) -> Result<RowReader, Problems> {
        let (reader, problems) = Self::start(campaign_dir, name, spec)?;
        if problems.has_errors() || reader.key_column.is_none() {
            return Err(problems);
        }
        Ok(reader)
    }

    /// Opens the file and reads the header. `Err` when no row can be read at all; header problems that still let
    /// the rows be checked (a missing key column, a duplicate header) come back beside the reader, so `load` can
    /// report them together with the rows' problems.
    pub(super) fn start(
        campaign_dir: &Path,
        name: &str,
        spec: &TableSpec,
    ) -> Result<(RowReader, Problems), Problems> {
        let file = spec.path.clone();
        let mut problems = Problems::new();
        let encoding = match &spec.encoding {
            None => None,
            Some(label) => match encoding_of(label) {
                Some(e) if e != encoding_rs::REPLACEMENT => Some(e),
                _ => {
                    problems.push(
                        Problem::error(format!("table `{name}`: unknown encoding \"{label}\""))
                            .in_file("lettermerge.toml")
                            .help(r#"use a label such as "utf-8", "windows-1252", "latin1" or "utf-16""#),
                    );
                    None
                }
            },
        };
        let d = spec.delimiter;
        if !d.is_ascii() || matches!(d, b'"' | b'\r' | b'\n') {
            problems.push(
                Problem::error(format!(
                    "table `{name}`: the delimiter cannot be byte 0x{d:02X}"
                ))
                .in_file("lettermerge.toml")
                .help(r#"use delimiter = ",", ";" or "\t""#),
            );
        }
        if !problems.is_empty() {
            return Err(problems);
        }
        let src = open_source(&campaign_dir.join(&spec.path), encoding)
            .map_err(|e| e.into_problem(name, spec))?;
        let mut reader = RowReader {
            file,
            name: name.to_owned(),
            spec: spec.clone(),
            src: src.reader,
            buf: vec![0; CHUNK].into_boxed_slice(),
            pos: 0,
            len: 0,
            eof: false,
            core: ReaderBuilder::new().delimiter(d).build(),
            scan: Scanner::new(src.skipped, src.raw, d),
            out: vec![0; 4096],
            ends: vec![0; 64],
            headers: Vec::new(),
            key_column: None,
            header_line: 1,
            file_headers: Vec::new(),
            utf8_reported: false,
            done: false,
        };
        reader.read_header(&mut problems)?;
        Ok((reader, problems))
    }

    fn read_header(&mut self, problems: &mut Problems) -> Result<(), Problems> {
        let raw = loop {
            match self.read_raw() {
                Err(e) => return Err(self.io_problem(&e).into()),
                Ok(None) => {
                    return Err(self
                        .problem(1, "the header row is missing: the file is empty")
                        .help(format!(
                            "the first line must name the columns, e.g. `{}`",
                            [self.spec.key.as_str(), "name", "email"]
                                .join(&delimiter_text(self.spec.delimiter))
                        ))
                        .into())
                }
                Ok(Some(raw)) if !self.is_blank(&raw) => break raw,
                Ok(Some(_)) => {}
            }
        };
        if let Some(at) = raw.unclosed {
            return Err(self.unclosed_quote(at).into());
        }
        if let Some(o) = raw.oversize {
            let what = match o {
                Oversize::Columns => format!("more than {MAX_COLUMNS} columns"),
                _ => "a field larger than 1 MiB".to_owned(),
            };
            return Err(self
                .problem(raw.line, &format!("the header row has {what}"))
                .help("the first line must hold the column names; is this file a CSV table?")
                .into());
        }
        match raw.fault {
            Some(f @ Fault::Nul { .. }) => return Err(self.fault_problem(f).into()),
            Some(f @ Fault::Control { .. }) => problems.push(self.fault_problem(f)),
            Some(f) => {
                self.utf8_reported = true;
                problems.push(self.fault_problem(f));
            }
            None => {}
        }
        let names: Vec<String> = self
            .field_bytes(&raw)
            .map(|b| String::from_utf8_lossy(b).trim().nfc().collect())
            .collect();
        for (i, h) in names.iter().enumerate() {
            if h.is_empty() {
                problems.push(
                    self.problem(raw.line, &format!("column {} has no header name", i + 1))
                        .help(
                            "name the column in the first row, or delete the column if it is empty",
                        ),
                );
            } else if let Some(first) = names[..i].iter().position(|n| n == h) {
                problems.push(
                    self.problem(
                        raw.line,
                        &format!("column {} is named `{h}` like column {}", i + 1, first + 1),
                    )
                    .help("header names must be unique: rename one of the two columns"),
                );
            }
        }
        let at_header = |p: Problem, _column: usize| p.in_file(&self.file).at(raw.line, None);
        let resolved = headers::resolve(&names, &self.name, &self.spec, &at_header, problems);
        self.key_column = resolved.iter().position(|h| *h == self.spec.key);
        // A key that `columns` failed to map is reported there.
        if self.key_column.is_none() && !headers::is_mapped(&self.spec, &self.spec.key) {
            problems.push(self.missing_key(&names, &resolved, raw.line));
        }
        self.headers = resolved;
        self.file_headers = names;
        self.header_line = raw.line;
        Ok(())
    }

    /// `names` as the file writes them, `resolved` as templates see them.
    fn missing_key(&self, names: &[String], resolved: &[String], line: usize) -> Problem {
        let other_delimiter = [b',', b';', b'\t'].into_iter().find(|&d| {
            d != self.spec.delimiter && names.len() == 1 && names[0].contains(d as char)
        });
        let Some(d) = other_delimiter else {
            return headers::missing_key(&self.name, &self.spec, names, resolved)
                .in_file(&self.file)
                .at(line, None);
        };
        // One header holding the other delimiter: the line was not split, so show it as written.
        self.problem(
            line,
            &format!(
                "no key column `{}`: the headers are `{}`",
                self.spec.key, names[0]
            ),
        )
        .help(format!(
            "the header looks separated by \"{}\", not \"{}\": declare it in {}",
            toml_delimiter(d),
            toml_delimiter(self.spec.delimiter),
            self.declare("delimiter", &toml_delimiter(d))
        ))
    }

    /// Where and how the manifest would declare `setting` for this table, as the help text shows it.
    fn declare(&self, setting: &str, value: &str) -> String {
        declare(&self.name, &self.spec, setting, value)
    }

    fn unclosed_quote(&self, at: scan::Pos) -> Problem {
        Problem::error(format!(
            "the quote (\") opened on line {} is never closed, so the rest of the file became one value",
            at.line
        ))
        .in_file(&self.file)
        .at(at.line, Some(at.column))
        .help("close the quote; a quote inside a quoted value is written twice (\"\")")
    }

    fn problem(&self, line: usize, message: &str) -> Problem {
        Problem::error(message).in_file(&self.file).at(line, None)
    }

    fn io_problem(&self, e: &io::Error) -> Problem {
        Problem::error(format!("cannot read the `{}` table: {e}", self.name)).in_file(&self.file)
    }

    fn fault_problem(&self, fault: Fault) -> Problem {
        match fault {
            Fault::Utf8 { at, byte } => {
                let bytes = [byte];
                let ch = encoding_rs::WINDOWS_1252
                    .decode_without_bom_handling(&bytes)
                    .0;
                let hint = if ch.chars().all(|c| !c.is_control()) {
                    format!(", which is \"{ch}\" in windows-1252")
                } else {
                    String::new()
                };
                Problem::error(format!(
                    "invalid UTF-8 at byte offset {} (byte 0x{byte:02X}{hint}): the file is not saved as UTF-8",
                    at.offset
                ))
                .in_file(&self.file)
                .at(at.line, Some(at.column))
                .help(format!(
                    "save the file as \"CSV UTF-8\", or declare its encoding in {}",
                    self.declare("encoding", "windows-1252")
                ))
            }
            Fault::Control { at, ch } => {
                let name = match ch {
                    '\u{b}' => " (a vertical tab)",
                    '\u{c}' => " (a form feed)",
                    '\u{1b}' => " (escape)",
                    '\u{7f}' => " (delete)",
                    '\u{85}' => " (next line)",
                    _ => "",
                };
                let help = if ch == '\u{b}' {
                    "some spreadsheets save a line break inside a cell as a vertical tab: put a real line break there \
                     (the cell quoted), or a space"
                } else {
                    "delete it: retype the cell, or find it with a text editor at this line and column"
                };
                Problem::error(format!(
                    "control character U+{:04X}{name} in a value: invisible in a spreadsheet, it would reach the \
                     letters (a terminal, an email header, the HTML, the PDF)",
                    u32::from(ch)
                ))
                .in_file(&self.file)
                .at(at.line, Some(at.column))
                .help(help)
            }
            Fault::Nul { at } => {
                let offset = if self.scan.raw() {
                    format!(" at byte offset {}", at.offset)
                } else {
                    String::new()
                };
                Problem::error(format!(
                    "NUL byte{offset}: the file looks binary, or is UTF-16 without a byte-order mark"
                ))
                .in_file(&self.file)
                .at(at.line, Some(at.column))
                .help(format!(
                    "save it from the spreadsheet as \"CSV UTF-8\"; if it is UTF-16, declare it in {}",
                    self.declare("encoding", "utf-16")
                ))
            }
        }
    }

    /// A line holding nothing but spaces: skipped like an empty line, except in a one-column table where it is a value.
    fn is_blank(&self, raw: &Raw) -> bool {
        raw.fields == 1
            && raw.oversize.is_none()
            && (self.headers.len() != 1)
            && self
                .field_bytes(raw)
                .all(|f| f.iter().all(|&b| b == b' ' || b == b'\t'))
    }

    fn field_bytes<'a>(&'a self, raw: &Raw) -> impl Iterator<Item = &'a [u8]> + 'a {
        let ends = if raw.oversize.is_some() {
            &[][..]
        } else {
            &self.ends[..raw.fields.min(self.ends.len())]
        };
        let out = &self.out;
        ends.iter().scan(0usize, move |start, &end| {
            let bytes = out.get(*start..end).unwrap_or_default();
            *start = end;
            Some(bytes)
        })
    }

    fn fill(&mut self) -> io::Result<()> {
        self.pos = 0;
        self.len = loop {
            match self.src.read(&mut self.buf) {
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                r => break r?,
            }
        };
        self.eof = self.len == 0;
        Ok(())
    }

    /// Parses the next record; `None` at the end of the file.
    fn read_raw(&mut self) -> io::Result<Option<Raw>> {
        let mut started = false;
        let (mut out_len, mut ends_len, mut dropped_fields) = (0usize, 0usize, 0usize);
        let mut oversize = None;
        let mut line = 0;
        self.scan.fault = None;
        loop {
            if self.pos == self.len && !self.eof {
                self.fill()?;
            }
            if !started {
                // Taking blank lines here (csv_core would skip them too) makes the scanner's line the record's line.
                let rest = &self.buf[self.pos..self.len];
                let blank = rest
                    .iter()
                    .take_while(|&&b| b == b'\n' || b == b'\r')
                    .count();
                self.scan.feed(&rest[..blank]);
                self.pos += blank;
                if self.pos == self.len {
                    if self.eof {
                        return Ok(None);
                    }
                    continue;
                }
                started = true;
                line = self.scan.line();
            }
            let input = &self.buf[self.pos..self.len];
            if input.is_empty() {
                self.scan.finish();
            }
            let (res, nin, nout, nend) =
                self.core
                    .read_record(input, &mut self.out[out_len..], &mut self.ends[ends_len..]);
            self.scan.feed(&input[..nin]);
            self.pos += nin;
            out_len += nout;
            ends_len += nend;
            match res {
                ReadRecordResult::InputEmpty if !input.is_empty() => {}
                ReadRecordResult::InputEmpty | ReadRecordResult::End => return Ok(None),
                ReadRecordResult::OutputFull => {
                    let field_start = if ends_len > 0 {
                        self.ends[ends_len - 1]
                    } else {
                        0
                    };
                    if oversize.is_none() && out_len.saturating_sub(field_start) > MAX_FIELD_BYTES {
                        oversize = Some(Oversize::Field(dropped_fields + ends_len));
                    } else if oversize.is_none() && self.out.len() >= MAX_RECORD_BYTES {
                        oversize = Some(Oversize::Record);
                    }
                    if oversize.is_some() {
                        // From here on only the field count matters; bytes and offsets are thrown away.
                        dropped_fields += ends_len;
                        ends_len = 0;
                        out_len = 0;
                    } else {
                        let len = self.out.len();
                        self.out.resize((len * 2).min(MAX_RECORD_BYTES), 0);
                    }
                }
                ReadRecordResult::OutputEndsFull => {
                    if oversize.is_none() && self.ends.len() > MAX_COLUMNS {
                        oversize = Some(Oversize::Columns);
                    }
                    if oversize.is_some() {
                        dropped_fields += ends_len;
                        ends_len = 0;
                        out_len = 0;
                    } else {
                        let len = self.ends.len();
                        self.ends.resize(len * 2, 0);
                    }
                }
                ReadRecordResult::Record => {
                    return Ok(Some(Raw {
                        line,
                        fields: dropped_fields + ends_len,
                        oversize,
                        fault: self.scan.fault.take(),
                        unclosed: if input.is_empty() {
                            self.scan.open_quote()
                        } else {
                            None
                        },
                    }))
                }
            }
        }
    }

    /// Checks a data record and makes it a row; `None` for a blank line.
    fn row(&mut self, raw: Raw) -> Option<Result<Row, Problem>> {
        let width = self.headers.len();
        if let Some(at) = raw.unclosed {
            return Some(Err(self.unclosed_quote(at)));
        }
        let big = self
            .field_bytes(&raw)
            .position(|f| f.len() > MAX_FIELD_BYTES)
            .map(Oversize::Field);
        if let Some(o) = raw.oversize.or(big) {
            let message = match o {
                Oversize::Field(i) => match self.headers.get(i) {
                    Some(h) => format!("the `{h}` field of line {} is larger than 1 MiB", raw.line),
                    None => format!("field {} of line {} is larger than 1 MiB", i + 1, raw.line),
                },
                Oversize::Record => format!("line {} is larger than 16 MiB", raw.line),
                Oversize::Columns => {
                    format!("line {} has more than {MAX_COLUMNS} fields", raw.line)
                }
            };
            return Some(Err(self.problem(raw.line, &message).help(
                "a quote (\") opened and never closed makes the rest of the file one value: check the quotes \
                 from this line on; otherwise shorten the value",
            )));
        }
        if self.is_blank(&raw) {
            return None;
        }
        match raw.fault {
            Some(f @ Fault::Nul { .. }) => {
                // A binary file or UTF-16 without BOM: anything parsed after this would be noise.
                self.done = true;
                return Some(Err(self.fault_problem(f)));
            }
            // Each row's own: the cell to mend differs.
            Some(f @ Fault::Control { .. }) => return Some(Err(self.fault_problem(f))),
            Some(f) if !self.utf8_reported => {
                // One is enough: the fix is the same for every other bad byte in the file.
                self.utf8_reported = true;
                return Some(Err(self.fault_problem(f)));
            }
            _ => {}
        }
        if raw.fields != width {
            let breaks: usize = self.field_bytes(&raw).map(scan::count_breaks).sum();
            let help = if breaks > 0 {
                format!(
                    "this row runs from line {} to line {}: check that every quote (\") in it is closed",
                    raw.line,
                    raw.line + breaks
                )
            } else if raw.fields > width {
                let d = self.spec.delimiter;
                let d = if d == b'\t' {
                    "a tab".to_owned()
                } else {
                    format!("\"{}\"", d as char)
                };
                format!("a value holding {d} must be in quotes (\"…\")")
            } else {
                "add the missing fields (they may be empty)".to_owned()
            };
            let s = if raw.fields == 1 { "" } else { "s" };
            return Some(Err(self
                .problem(
                    raw.line,
                    &format!(
                        "line {} has {} field{s} but the header has {width}",
                        raw.line, raw.fields
                    ),
                )
                .help(help)));
        }
        // The record's values lie one after the other in `out`: with no bad byte (the scanner checked) and no line
        // break to make LF, they are the row as they are.
        // (Here the record has exactly `width` values, none oversized.)
        let ends = &self.ends[..width];
        let all = &self.out[..ends.last().copied().unwrap_or(0)];
        let row = match std::str::from_utf8(all) {
            Ok(text) if raw.fault.is_none() && memchr::memchr(b'\r', all).is_none() => {
                Row::from_parts(raw.line, text, ends)
            }
            _ => Row::new(raw.line, self.field_bytes(&raw).map(text)),
        };
        if let Some(k) = self.key_column {
            // A recipient's key is a part of its letters' ids (VARIANT/KEY/SIGNATORY): a `/` in it would let two
            // letters share an id, and the journal could not tell them apart.
            if self.name == crate::load::RECIPIENTS && row.get(k).contains('/') {
                let key = &self.spec.key;
                return Some(Err(self
                    .problem(
                        raw.line,
                        &format!("line {} has a `/` in its `{key}` {:?}", raw.line, row.get(k)),
                    )
                    .help(format!(
                        "`/` separates the parts of a letter's id (VARIANT/KEY/SIGNATORY): use `-` or `_` in `{key}`"
                    ))));
            }
            if row.get(k).trim().is_empty() {
                let key = &self.spec.key;
                return Some(Err(self
                    .problem(raw.line, &format!("line {} has an empty `{key}`", raw.line))
                    .help(format!(
                        "every row needs a unique `{key}`: fill it in, or delete the row"
                    ))));
            }
        }
        Some(Ok(row))
    }
}

/// Field bytes as kept: exact, but with Excel's CRLF (and old Mac CR) line breaks inside a value made LF.
fn text(bytes: &[u8]) -> std::borrow::Cow<'_, str> {
    let s = String::from_utf8_lossy(bytes);
    if s.contains('\r') {
        s.replace("\r\n", "\n").replace('\r', "\n").into()
    } else {
        s
    }
}

impl Iterator for RowReader {
    type Item = Result<Row, Problem>;

    fn next(&mut self) -> Option<Self::Item> {
        while !self.done {
            match self.read_raw() {
                Ok(Some(raw)) => {
                    if let Some(item) = self.row(raw) {
                        return Some(item);
                    }
                }
                Ok(None) => self.done = true,
                Err(e) => {
                    self.done = true;
                    return Some(Err(self.io_problem(&e)));
                }
            }
        }
        None
    }
}

/// A delimiter as shown in an example line.
fn delimiter_text(d: u8) -> String {
    if d == b'\t' {
        "<tab>".to_owned()
    } else {
        (d as char).to_string()
    }
}

/// The encoding a table's `encoding` label names: a WHATWG label ("windows-1252", "latin1", "utf-16"), or one with
/// its dashes and underscores left out, as people write them ("latin-1", "cp-1252", "ISO_8859-15").
pub fn encoding_of(label: &str) -> Option<&'static Encoding> {
    let label = label.trim();
    Encoding::for_label(label.as_bytes()).or_else(|| {
        let bare: String = label.chars().filter(|c| !matches!(c, '-' | '_')).collect();
        Encoding::for_label(bare.as_bytes())
    })
}
