//! Workbook tables (.xlsx, .xlsm, .xlsb, .xls, .ods) through calamine. One sheet (`sheet`, else the first visible
//! one), optionally a `range` of it, is read cell by cell: its first non-empty row is the header, each later
//! non-empty row a record, each cell the text a person reads in it (`cell.rs`), and every position the cell's own,
//! `Signed!B7`. The result is the same [`Read`] the CSV reader gives, so keys, `where`, `sort`, fingerprints and
//! `check` treat both alike.

mod area;
mod cell;

use std::fs::File;
use std::io::{self, Read as _, Seek};
use std::path::Path;

use calamine::{open_workbook_auto, Data, Range, Reader, SheetType, SheetVisible, Sheets};
use unicode_normalization::UnicodeNormalization;

use super::source::OpenError;
use super::{declare, headers, Layout, Read, Row, TableSpec, MAX_FIELD_BYTES, MAX_PROBLEMS};
use crate::diag::{column_letters, sheet_place, Problem, Problems};
use crate::load::manifest;
use area::Area;

const EXTENSIONS: &[&str] = &["xlsx", "xlsm", "xlsb", "xls", "ods"];
/// A sheet is held whole while it is read: this many non-empty cells, a thousand times a large coalition's list,
/// is the most.
const MAX_CELLS: usize = 5_000_000;

/// By its extension, or by its first bytes: a zip (.xlsx, .ods) or an OLE file (.xls) is a workbook whatever its
/// name, never a CSV file.
pub(super) fn is_workbook(path: &Path) -> bool {
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase);
    if ext.is_some_and(|e| EXTENSIONS.contains(&e.as_str())) {
        return true;
    }
    let mut head = [0u8; 4];
    File::open(path)
        .and_then(|mut f| f.read_exact(&mut head))
        .is_ok()
        && (head == *b"PK\x03\x04" || head == *b"\xD0\xCF\x11\xE0")
}

/// One non-empty cell, from 0.
struct Cell {
    row: u32,
    col: u32,
    value: Data,
    /// Only where the value is missing, which is then the problem.
    formula: Option<String>,
}

enum Fault {
    Calamine(calamine::Error),
    TooLarge,
}

impl From<calamine::Error> for Fault {
    fn from(e: calamine::Error) -> Self {
        Fault::Calamine(e)
    }
}

pub(super) fn read(campaign_dir: &Path, name: &str, spec: &TableSpec) -> Result<Read, Problems> {
    let file = spec.path.display().to_string().replace('\\', "/");
    let in_manifest = |message: String, help: String| {
        Problem::error(format!("table `{name}`: {message}"))
            .in_file(manifest::FILE)
            .help(help)
    };
    let mut problems = Problems::new();
    if spec.encoding.is_some() || spec.delimiter != b',' {
        problems.push(in_manifest(
            format!("`encoding` and `delimiter` are for CSV files, and {file} is a workbook"),
            "remove them from the table's entry: a workbook knows its own encoding".to_owned(),
        ));
    }
    let area = match &spec.range {
        None => Area::WHOLE,
        Some(r) => Area::parse(r).unwrap_or_else(|| {
            problems.push(in_manifest(
                format!("range \"{r}\" is not a range of cells"),
                "write it as a spreadsheet does: range = \"A1:F200\", or whole columns: range = \"B:F\"".to_owned(),
            ));
            Area::WHOLE
        }),
    };
    if !problems.is_empty() {
        return Err(problems);
    }
    let path = campaign_dir.join(&spec.path);
    match std::fs::metadata(&path) {
        Err(e) => return Err(OpenError::Io(e).into_problem(name, spec)),
        Ok(m) if m.is_dir() => return Err(OpenError::Folder.into_problem(name, spec)),
        Ok(_) => {}
    }
    let mut book = open_workbook_auto(&path).map_err(|e| unreadable(name, spec, &e))?;
    let sheet = choose_sheet(&book, name, spec)?;
    let cells = match cells(&mut book, &sheet, &area) {
        Ok(c) => c,
        Err(Fault::Calamine(e)) => return Err(unreadable(name, spec, &e)),
        Err(Fault::TooLarge) => {
            return Err(Problem::error(format!(
                "the sheet has more than {MAX_CELLS} filled cells: is it the right sheet?"
            ))
            .in_file(&spec.path)
            .in_sheet(&sheet)
            .help(format!(
                "read only the table's cells: {}",
                declare(name, spec, "range", "A1:F500")
            ))
            .into())
        }
    };
    build(name, spec, &sheet, cells)
}

fn unreadable(name: &str, spec: &TableSpec, e: &calamine::Error) -> Problems {
    use calamine::{Error, OdsError, XlsError, XlsxError};
    let help = match e {
        Error::Io(e) => return OpenError::Io(io::Error::new(e.kind(), e.to_string())).into_problem(name, spec),
        Error::Xlsx(XlsxError::Password) | Error::Xls(XlsError::Password) | Error::Ods(OdsError::Password) => {
            "save a copy without the password and point the manifest at it".to_owned()
        }
        _ => "open it in Excel or LibreOffice and save it again (.xlsx or .ods), or save the sheet as \"CSV UTF-8\""
            .to_owned(),
    };
    Problem::error(format!("cannot read the `{name}` table as a workbook: {e}"))
        .in_file(&spec.path)
        .help(help)
        .into()
}

fn choose_sheet<RS: io::Read + Seek>(
    book: &Sheets<RS>,
    name: &str,
    spec: &TableSpec,
) -> Result<String, Problems> {
    let sheets = book.sheets_metadata();
    let worksheets: Vec<&calamine::Sheet> = sheets
        .iter()
        .filter(|s| s.typ == SheetType::WorkSheet)
        .collect();
    let listed = worksheets
        .iter()
        .map(|s| match s.visible {
            SheetVisible::Visible => format!("\"{}\"", s.name),
            _ => format!("\"{}\" (hidden)", s.name),
        })
        .collect::<Vec<_>>()
        .join(", ");
    let Some(want) = &spec.sheet else {
        let first = worksheets
            .iter()
            .find(|s| s.visible == SheetVisible::Visible)
            .or(worksheets.first());
        return match first {
            Some(s) => Ok(s.name.clone()),
            None => Err(
                Problem::error(format!("the `{name}` workbook has no worksheet"))
                    .in_file(&spec.path)
                    .into(),
            ),
        };
    };
    if let Some(s) = worksheets.iter().find(|s| s.name == *want) {
        return Ok(s.name.clone());
    }
    let near = worksheets
        .iter()
        .find(|s| s.name.trim().to_lowercase() == want.trim().to_lowercase());
    let help = match (near, worksheets.first()) {
        (Some(s), _) => format!(
            "the sheet is named \"{}\": {}",
            s.name,
            declare(name, spec, "sheet", &s.name)
        ),
        (None, Some(s)) => format!(
            "name one of them in {}",
            declare(name, spec, "sheet", &s.name)
        ),
        (None, None) => "the workbook has no worksheet to read".to_owned(),
    };
    Err(Problem::error(format!(
        "table `{name}`: {} has no sheet \"{want}\"; its sheets are {listed}",
        spec.path.display()
    ))
    .in_file(manifest::FILE)
    .help(help)
    .into())
}

/// The sheet's non-empty cells inside `area`, and formulas without a saved value.
fn cells<RS: io::Read + Seek>(
    book: &mut Sheets<RS>,
    sheet: &str,
    area: &Area,
) -> Result<Vec<Cell>, Fault> {
    let mut out = Vec::new();
    if let Sheets::Xlsx(x) = book {
        // Streamed: the sheet's cells as stored, values and formulas in one pass, however large the sheet claims
        // to be.
        let mut reader = x
            .worksheet_cells_reader(sheet)
            .map_err(calamine::Error::Xlsx)?;
        while let Some(c) = reader
            .next_cell_with_formula()
            .map_err(calamine::Error::Xlsx)?
        {
            let (row, col) = c.pos;
            let value = Data::from(c.value);
            let formula = c.formula.filter(|f| !f.is_empty());
            if !area.contains(row, col) || (value == Data::Empty && formula.is_none()) {
                continue;
            }
            if out.len() == MAX_CELLS {
                return Err(Fault::TooLarge);
            }
            out.push(Cell {
                row,
                col,
                value,
                formula,
            });
        }
        return Ok(out);
    }
    let values = book.worksheet_range(sheet)?;
    // A format without formulas, or one calamine cannot list, still has its values.
    let formulas = book
        .worksheet_formula(sheet)
        .unwrap_or_else(|_| Range::empty());
    if let Some((r0, c0)) = values.start() {
        for (r, c, v) in values.used_cells() {
            let (row, col) = (r0 + r as u32, c0 + c as u32);
            if area.contains(row, col) {
                if out.len() == MAX_CELLS {
                    return Err(Fault::TooLarge);
                }
                out.push(Cell {
                    row,
                    col,
                    value: v.clone(),
                    formula: None,
                });
            }
        }
    }
    if let Some((r0, c0)) = formulas.start() {
        for (r, c, f) in formulas.used_cells() {
            let (row, col) = (r0 + r as u32, c0 + c as u32);
            let missing = values
                .get_value((row, col))
                .is_none_or(|v| *v == Data::Empty);
            if area.contains(row, col) && missing {
                out.push(Cell {
                    row,
                    col,
                    value: Data::Empty,
                    formula: Some(f.clone()),
                });
            }
        }
    }
    Ok(out)
}

/// The cell's text, or the problem (unplaced) that it has none.
fn cell_text(c: &Cell) -> Result<String, Problem> {
    if let (Data::Empty, Some(f)) = (&c.value, &c.formula) {
        let f = f.strip_prefix("of:").unwrap_or(f);
        let f = f.strip_prefix('=').unwrap_or(f);
        return Err(Problem::error(format!("the formula `={f}` has no saved result")).help(
            "open the workbook in Excel or LibreOffice and save it: a file written by a program may leave its \
             formulas for the spreadsheet to compute, and lettermerge reads the result the file holds",
        ));
    }
    let text = cell::text(&c.value).map_err(|cell::Unreadable::Error(e)| {
        Problem::error(format!("the cell shows the error {e}")).help(format!(
            "fix the formula or the cells it uses, or clear the cell: a letter would print \"{e}\""
        ))
    })?;
    // As in a CSV file (`scan.rs`): invisible in the sheet, such a character would reach the letters.
    match text
        .chars()
        .find(|&ch| ch.is_control() && !matches!(ch, '\t' | '\n' | '\r'))
    {
        Some(ch) => Err(Problem::error(format!(
            "the cell holds the control character U+{:04X}: invisible in a spreadsheet, it would reach the letters",
            u32::from(ch)
        ))
        .help("retype the cell")),
        None => Ok(text),
    }
}

fn build(
    name: &str,
    spec: &TableSpec,
    sheet: &str,
    mut cells: Vec<Cell>,
) -> Result<Read, Problems> {
    let place = |p: Problem, row: u32, col: Option<u32>| {
        p.in_file(&spec.path)
            .in_sheet(sheet)
            .at(row as usize + 1, col.map(|c| c as usize + 1))
    };
    cells.sort_by_key(|c| (c.row, c.col));
    let mut rows = cells.chunk_by(|a, b| a.row == b.row);
    let Some(header_cells) = rows.next() else {
        let within = match &spec.range {
            Some(r) => format!(" in the range {r}"),
            None => String::new(),
        };
        return Err(Problem::error(format!(
            "the sheet has no filled cells{within}: the header row is missing"
        ))
        .in_file(&spec.path)
        .in_sheet(sheet)
        .help(format!(
            "the first filled row must name the columns, e.g. `{}`, `name`, `email`",
            spec.key
        ))
        .into());
    };
    let mut problems = Problems::new();
    let header_row = header_cells[0].row;
    let mut columns: Vec<u32> = Vec::new();
    let mut raw: Vec<String> = Vec::new();
    for c in header_cells {
        match cell_text(c) {
            Ok(t) => {
                let t: String = t.trim().nfc().collect();
                if !t.is_empty() {
                    columns.push(c.col);
                    raw.push(t);
                }
            }
            Err(p) => problems.push(place(p, c.row, Some(c.col))),
        }
    }
    for (i, h) in raw.iter().enumerate() {
        if let Some(first) = raw[..i].iter().position(|n| n == h) {
            problems.push(place(
                Problem::error(format!(
                    "column {} is named `{h}` like column {}",
                    column_letters(columns[i] as usize + 1),
                    column_letters(columns[first] as usize + 1)
                ))
                .help("header names must be unique: rename one of the two columns"),
                header_row,
                Some(columns[i]),
            ));
        }
    }
    let at_header = |p: Problem, i: usize| place(p, header_row, columns.get(i).copied());
    let names = headers::resolve(&raw, name, spec, &at_header, &mut problems);
    let key_column = names.iter().position(|n| *n == spec.key);
    // A key that `columns` failed to map is reported there.
    if key_column.is_none() && !headers::is_mapped(spec, &spec.key) {
        problems.push(place(
            headers::missing_key(name, spec, &raw, &names),
            header_row,
            None,
        ));
    }

    let mut out = Vec::new();
    let mut unlisted = 0usize;
    let mut headless: Vec<u32> = Vec::new();
    let mut report = |problems: &mut Problems, p: Problem| {
        if problems.len() < MAX_PROBLEMS {
            problems.push(p);
        } else {
            unlisted += 1;
        }
    };
    for row_cells in rows {
        let row = row_cells[0].row;
        let mut fields = vec![String::new(); columns.len()];
        let mut sound = true;
        for c in row_cells {
            let text = match cell_text(c) {
                Ok(t) => t,
                Err(p) => {
                    report(&mut problems, place(p, row, Some(c.col)));
                    sound = false;
                    continue;
                }
            };
            match columns.binary_search(&c.col) {
                Ok(_) if text.len() > MAX_FIELD_BYTES => {
                    report(
                        &mut problems,
                        place(
                            Problem::error("the cell holds more than 1 MiB of text"),
                            row,
                            Some(c.col),
                        ),
                    );
                    sound = false;
                }
                Ok(i) => fields[i] = text,
                Err(_) if text.trim().is_empty() || headless.contains(&c.col) => {}
                Err(_) => {
                    headless.push(c.col);
                    let header_cell = sheet_place(
                        sheet,
                        Some(header_row as usize + 1),
                        Some(c.col as usize + 1),
                    );
                    let shown: String = text.chars().take(40).collect();
                    report(
                        &mut problems,
                        place(
                            Problem::error(format!("the cell holds \"{shown}\" but its column has no header"))
                                .help(format!(
                                    "name the column in {header_cell}, clear the cell, or read only the table's \
                                     columns with `range`"
                                )),
                            row,
                            Some(c.col),
                        ),
                    );
                }
            }
        }
        if sound && fields.iter().all(|f| f.is_empty()) {
            continue;
        }
        if let Some(k) = key_column.filter(|&k| sound && fields[k].trim().is_empty()) {
            let key = &spec.key;
            report(
                &mut problems,
                place(
                    Problem::error(format!("row {} has an empty `{key}`", row + 1)).help(format!(
                        "every row needs a unique `{key}`: fill it in, or delete the row"
                    )),
                    row,
                    Some(columns[k]),
                ),
            );
            sound = false;
        }
        if sound {
            out.push(Row::new(row as usize + 1, fields));
        }
    }
    Ok(Read {
        headers: names,
        file_headers: raw,
        key_column,
        rows: out,
        layout: Layout::Sheet {
            name: sheet.to_owned(),
            header_row: header_row as usize + 1,
            columns: columns.iter().map(|&c| c as usize + 1).collect(),
        },
        problems,
        unlisted,
    })
}
