//! Problems found in a campaign, reported all at once with their positions.
//!
//! Every layer (manifest, tables, templates, plan, check) reports into a [`Problems`] list instead of stopping at the
//! first fault: a coalition's staffer fixes a spreadsheet faster when she sees every bad row in one run.

use std::fmt;
use std::path::{Path, PathBuf};

use serde::Serialize;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
}

/// A workbook sheet's name, behind a thin pointer so a [`Problem`] stays small enough to return by value.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct SheetName(pub String);

/// One problem, with the place it was found and, where there is one, the fix.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Problem {
    pub severity: Severity,
    /// Path relative to the campaign folder, as the user typed it in the manifest.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub file: Option<PathBuf>,
    /// In a workbook, the sheet: `line` is then the row and `column` the column (1 = A), shown as `Sheet!B7`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sheet: Option<Box<SheetName>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub column: Option<usize>,
    /// The letters the problem stops, when it is about letters: one when found, more once [`Problems::grouped`]
    /// has merged the same mistake found in every letter.
    #[serde(skip_serializing_if = "Letters::is_empty")]
    pub letters: Letters,
    pub message: String,
    /// A boxed `str` rather than a `String`: one word less keeps `Problem` small enough to return by value.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub help: Option<Box<str>>,
}

/// A letter a problem is about: its id, and the row it comes from when it has one.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct LetterRef {
    pub id: String,
    /// `recipients/officials.csv:3`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub row: Option<String>,
}

/// The letters of a problem, boxed: most problems have none, and a `Problem` stays small enough to return by value.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(transparent)]
// One pointer instead of a Vec's three words keeps `Problem` under clippy's `result_large_err` size.
#[allow(clippy::box_collection)]
pub struct Letters(Option<Box<Vec<LetterRef>>>);

impl Letters {
    pub fn is_empty(&self) -> bool {
        self.0.as_ref().is_none_or(|v| v.is_empty())
    }

    pub fn len(&self) -> usize {
        self.as_slice().len()
    }

    pub fn as_slice(&self) -> &[LetterRef] {
        self.0.as_deref().map_or(&[], Vec::as_slice)
    }

    pub fn iter(&self) -> std::slice::Iter<'_, LetterRef> {
        self.as_slice().iter()
    }

    pub fn push(&mut self, letter: LetterRef) {
        self.0.get_or_insert_with(Default::default).push(letter);
    }
}

impl IntoIterator for Letters {
    type Item = LetterRef;
    type IntoIter = std::vec::IntoIter<LetterRef>;
    fn into_iter(self) -> Self::IntoIter {
        self.0.map(|v| *v).unwrap_or_default().into_iter()
    }
}

/// How many letters a grouped problem lists by id before saying "and N more".
const LETTERS_SHOWN: usize = 3;

impl Problem {
    pub fn error(message: impl Into<String>) -> Self {
        Problem {
            severity: Severity::Error,
            file: None,
            sheet: None,
            line: None,
            column: None,
            letters: Letters::default(),
            message: message.into(),
            help: None,
        }
    }

    pub fn warning(message: impl Into<String>) -> Self {
        Problem {
            severity: Severity::Warning,
            ..Problem::error(message)
        }
    }

    pub fn in_file(mut self, file: impl AsRef<Path>) -> Self {
        self.file = Some(file.as_ref().to_path_buf());
        self
    }

    /// A place in a workbook: `at(row, Some(column))` then reads `Sheet!B7`.
    pub fn in_sheet(mut self, sheet: &str) -> Self {
        self.sheet = Some(Box::new(SheetName(sheet.to_owned())));
        self
    }

    /// Lines and columns count from 1; a 0 (an unknown place) is left out rather than printed as `file:0`.
    pub fn at(mut self, line: usize, column: Option<usize>) -> Self {
        self.line = Some(line).filter(|&l| l > 0);
        self.column = column.filter(|&c| c > 0 && self.line.is_some());
        self
    }

    /// The problem is about the letter `id` (from the row at `row`, `file:line`).
    pub fn for_letter(mut self, id: &str, row: Option<String>) -> Self {
        self.letters = Letters::default();
        self.letters.push(LetterRef {
            id: id.to_string(),
            row,
        });
        self
    }

    /// "letter default/ana (recipients/officials.csv:2): " or "3 letters (default/ana, …): ", then the message.
    pub fn text(&self) -> String {
        match self.letters.as_slice() {
            [] => self.message.clone(),
            [one] => match &one.row {
                Some(row) => format!("letter {} ({row}): {}", one.id, self.message),
                None => format!("letter {}: {}", one.id, self.message),
            },
            many => {
                let ids: Vec<&str> = many
                    .iter()
                    .take(LETTERS_SHOWN)
                    .map(|l| l.id.as_str())
                    .collect();
                let more = many.len().saturating_sub(LETTERS_SHOWN);
                let tail = if more > 0 {
                    format!(" and {more} more")
                } else {
                    String::new()
                };
                format!(
                    "{} letters ({}{tail}): {}",
                    many.len(),
                    ids.join(", "),
                    self.message
                )
            }
        }
    }

    pub fn help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into().into_boxed_str());
        self
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }

    /// `file:line:col`, or `file.xlsx:Sheet!B7` in a workbook, as far as it is known.
    pub fn location(&self) -> Option<String> {
        let file = self.file.as_ref()?.display().to_string();
        if let Some(sheet) = &self.sheet {
            return Some(format!(
                "{file}:{}",
                sheet_place(&sheet.0, self.line, self.column)
            ));
        }
        Some(match (self.line.filter(|&l| l > 0), self.column) {
            (Some(l), Some(c)) if c > 0 => format!("{file}:{l}:{c}"),
            (Some(l), _) => format!("{file}:{l}"),
            _ => file,
        })
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(loc) = self.location() {
            write!(f, "{loc}: ")?;
        }
        f.write_str(&self.text())?;
        if let Some(help) = &self.help {
            write!(f, "\n  help: {help}")?;
        }
        Ok(())
    }
}

/// Every problem found so far, in the order found.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct Problems(Vec<Problem>);

impl Problems {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn push(&mut self, problem: Problem) {
        self.0.push(problem);
    }

    pub fn extend(&mut self, other: impl IntoIterator<Item = Problem>) {
        self.0.extend(other);
    }

    pub fn has_errors(&self) -> bool {
        self.0.iter().any(Problem::is_error)
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn iter(&self) -> impl Iterator<Item = &Problem> {
        self.0.iter()
    }

    pub fn errors(&self) -> usize {
        self.0.iter().filter(|p| p.is_error()).count()
    }

    pub fn warnings(&self) -> usize {
        self.0.len() - self.errors()
    }

    /// The same mistake found in many letters (a misspelt name every letter reaches), said once with the letters it
    /// affects; exact repeats (a template shared by two variants) said once. Order is that of first appearance.
    pub fn grouped(self) -> Problems {
        let mut out: Vec<Problem> = Vec::with_capacity(self.0.len());
        let mut index: std::collections::HashMap<Key, usize> = std::collections::HashMap::new();
        // The letters each grouped problem has, to say each once: a set, since one mistake may stop a million.
        let mut seen: Vec<std::collections::HashSet<String>> = Vec::new();
        for p in self.0 {
            let key = Key::of(&p);
            match index.get(&key) {
                Some(&i) => {
                    let into = &mut out[i];
                    for l in p.letters {
                        if seen[i].insert(l.id.clone()) {
                            into.letters.push(l);
                        }
                    }
                }
                None => {
                    index.insert(key, out.len());
                    seen.push(p.letters.iter().map(|l| l.id.clone()).collect());
                    out.push(p);
                }
            }
        }
        Problems(out)
    }

    /// `Err(self)` when any problem is an error, so `?` stops a command there.
    pub fn into_result(self) -> Result<Problems, Problems> {
        if self.has_errors() {
            Err(self)
        } else {
            Ok(self)
        }
    }
}

impl From<Problem> for Problems {
    fn from(p: Problem) -> Self {
        Problems(vec![p])
    }
}

impl FromIterator<Problem> for Problems {
    fn from_iter<I: IntoIterator<Item = Problem>>(iter: I) -> Self {
        Problems(iter.into_iter().collect())
    }
}

impl IntoIterator for Problems {
    type Item = Problem;
    type IntoIter = std::vec::IntoIter<Problem>;
    fn into_iter(self) -> Self::IntoIter {
        self.0.into_iter()
    }
}

/// What makes two problems the same mistake: everything but the letters.
#[derive(Hash, PartialEq, Eq)]
struct Key {
    severity: Severity,
    file: Option<PathBuf>,
    sheet: Option<String>,
    line: Option<usize>,
    column: Option<usize>,
    message: String,
    help: Option<Box<str>>,
    about_letters: bool,
}

impl Key {
    fn of(p: &Problem) -> Key {
        Key {
            severity: p.severity,
            file: p.file.clone(),
            sheet: p.sheet.as_ref().map(|s| s.0.clone()),
            line: p.line,
            column: p.column,
            message: p.message.clone(),
            help: p.help.clone(),
            about_letters: !p.letters.is_empty(),
        }
    }
}

/// A place in a sheet as a spreadsheet names it: `Signed!B7`, `'Form Responses 1'!B7`, a whole row as `Signed!7:7`.
pub fn sheet_place(sheet: &str, row: Option<usize>, column: Option<usize>) -> String {
    let sheet = quote_sheet(sheet);
    match (row, column) {
        (Some(r), Some(c)) => format!("{sheet}!{}{r}", column_letters(c)),
        (Some(r), None) => format!("{sheet}!{r}:{r}"),
        (None, Some(c)) => {
            let c = column_letters(c);
            format!("{sheet}!{c}:{c}")
        }
        (None, None) => sheet,
    }
}

/// A sheet name as a formula writes it: quoted (`'…'`, a quote doubled) unless it is a plain word.
fn quote_sheet(name: &str) -> String {
    let plain = name
        .chars()
        .next()
        .is_some_and(|c| c.is_alphabetic() || c == '_')
        && name
            .chars()
            .all(|c| c.is_alphanumeric() || c == '_' || c == '.');
    // `AB12` alone would read as a cell (`Sheet1` would not: no column has five letters).
    let digits = name.trim_start_matches(|c: char| c.is_ascii_alphabetic());
    let cell_like = (1..=3).contains(&(name.len() - digits.len()))
        && !digits.is_empty()
        && digits.chars().all(|c| c.is_ascii_digit());
    if plain && !cell_like {
        name.to_owned()
    } else {
        format!("'{}'", name.replace('\'', "''"))
    }
}

/// A column number from 1 as letters: 1 → `A`, 27 → `AA`.
pub fn column_letters(column: usize) -> String {
    let mut n = column.max(1);
    let mut letters = Vec::new();
    while n > 0 {
        let rem = (n - 1) % 26;
        letters.push(b'A' + rem as u8);
        n = (n - 1) / 26;
    }
    letters.reverse();
    String::from_utf8(letters).unwrap_or_default()
}

/// Line and column (both from 1, column in characters) of a byte offset in `text`.
pub fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let before = &text[..text.floor_char_boundary_compat(offset)];
    let line = before.matches('\n').count() + 1;
    let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, col)
}

trait FloorCharBoundary {
    fn floor_char_boundary_compat(&self, i: usize) -> usize;
}

impl FloorCharBoundary for str {
    fn floor_char_boundary_compat(&self, mut i: usize) -> usize {
        while i > 0 && !self.is_char_boundary(i) {
            i -= 1;
        }
        i
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_col_counts_characters_not_bytes() {
        let text = "a = 1\nñame = 2\n";
        assert_eq!(line_col(text, 0), (1, 1));
        assert_eq!(line_col(text, 6), (2, 1));
        assert_eq!(line_col(text, 8), (2, 2));
    }

    #[test]
    fn line_zero_is_never_printed() {
        let p = Problem::error("x")
            .in_file("templates/public.hbs")
            .at(0, Some(3));
        assert_eq!(p.to_string(), "templates/public.hbs: x");
    }

    #[test]
    fn one_mistake_in_every_letter_is_said_once_with_the_count() {
        let mut ps = Problems::new();
        for id in [
            "default/a",
            "default/b",
            "default/c",
            "default/d",
            "default/e",
        ] {
            ps.push(
                Problem::error("`nmae` is not in the letter's context")
                    .in_file("templates/letter.hbs")
                    .at(7, Some(1))
                    .for_letter(id, Some("recipients/officials.csv:2".into())),
            );
        }
        ps.push(Problem::error("other").for_letter("default/a", None));
        let g = ps.grouped();
        assert_eq!(g.len(), 2);
        let first = g.iter().next().unwrap();
        assert_eq!(first.letters.len(), 5);
        assert_eq!(
            first.to_string(),
            "templates/letter.hbs:7:1: 5 letters (default/a, default/b, default/c and 2 more): `nmae` is not in the letter's context"
        );
        assert_eq!(g.errors(), 2);
    }

    #[test]
    fn sheet_places_read_as_a_spreadsheet_writes_them() {
        let p = Problem::error("x")
            .in_file("recipients/coalition.xlsx")
            .in_sheet("Signed")
            .at(7, Some(2));
        assert_eq!(p.location().unwrap(), "recipients/coalition.xlsx:Signed!B7");
        assert_eq!(
            sheet_place("Form Responses 1", Some(12), Some(28)),
            "'Form Responses 1'!AB12"
        );
        assert_eq!(sheet_place("O'Brien", Some(1), None), "'O''Brien'!1:1");
        assert_eq!(sheet_place("AB12", None, None), "'AB12'");
        assert_eq!(sheet_place("Sheet1", Some(2), Some(1)), "Sheet1!A2");
        assert_eq!(sheet_place("Firmas", None, Some(3)), "Firmas!C:C");
        assert_eq!(column_letters(26), "Z");
        assert_eq!(column_letters(703), "AAA");
    }

    #[test]
    fn display_names_the_place_and_the_fix() {
        let p = Problem::error("duplicate key `sos`")
            .in_file("recipients/officials.csv")
            .at(7, None)
            .help("give every row its own `id`");
        assert_eq!(
            p.to_string(),
            "recipients/officials.csv:7: duplicate key `sos`\n  help: give every row its own `id`"
        );
    }
}
