//! What a variant's letter reads: the partials it reaches, the tables whose rows it shows (and whether their order
//! shows), the signatory columns it prints. Found by walking handlebars' parsed templates ([`walk`]), never by
//! searching their text; what cannot be decided before rendering counts as reading everything, never nothing.
//!
//! Sign-off fingerprints ([`crate::signoff`]), `check`'s name checks ([`crate::check::names`]) and the renderer's
//! "does any letter read `tables`" all come from here.

pub mod path;
pub mod walk;

use std::collections::{BTreeMap, BTreeSet};

use handlebars::template::Template;

use crate::diag::Problems;
use crate::load::template::front_fields;
use crate::load::{manifest, Campaign};
use walk::{At, Node, Shape, Source, Visit, Walker};

/// Every template of the campaign, parsed once.
#[derive(Debug, Default)]
pub struct Parsed {
    /// Letter templates by path.
    pub letters: BTreeMap<String, ParsedLetter>,
    /// Partials by name.
    pub partials: BTreeMap<String, ParsedPartial>,
    /// `[output] filename`, used by letters whose template names no `filename`.
    pub filename: Option<Template>,
    pub filename_line: Option<usize>,
}

#[derive(Debug)]
pub struct ParsedLetter {
    pub path: String,
    /// `None` when it does not compile (the renderer says why).
    pub body: Option<Template>,
    pub body_offset: usize,
    pub fields: Vec<ParsedField>,
    /// The cover note's partial (`body:` in front matter) and its line.
    pub cover: Option<(String, usize)>,
    /// Whether the front matter has its own `filename`.
    pub names_file: bool,
}

#[derive(Debug)]
pub struct ParsedField {
    pub line: usize,
    pub ast: Option<Template>,
}

#[derive(Debug)]
pub struct ParsedPartial {
    pub path: String,
    pub ast: Option<Template>,
}

/// Where a parsed template's positions point.
#[derive(Debug, Clone)]
pub enum Place<'f> {
    /// A template file; its line 1 is `offset` lines into the file.
    File { file: &'f str, offset: usize },
    /// A one-line value (front matter, `[output] filename`): every position is that line.
    Line { file: &'f str, line: usize },
}

impl<'f> Place<'f> {
    pub fn file(file: &'f str, offset: usize) -> Place<'f> {
        Place::File { file, offset }
    }

    /// A letter body or a partial (rendered by the body registry), as opposed to a front-matter value.
    pub fn is_body(&self) -> bool {
        matches!(self, Place::File { .. })
    }

    pub fn at(&self, pos: Option<(usize, usize)>) -> At<'f> {
        match *self {
            Place::File { file, offset } => {
                let (line, col) = pos.unwrap_or((1, 1));
                At {
                    file,
                    line: line + offset,
                    col: Some(col),
                }
            }
            Place::Line { file, line } => At {
                file,
                line,
                col: None,
            },
        }
    }
}

impl ParsedLetter {
    pub fn body_place(&self) -> Place<'_> {
        Place::file(&self.path, self.body_offset)
    }
}

impl ParsedField {
    pub fn place<'f>(&self, file: &'f str) -> Place<'f> {
        Place::Line {
            file,
            line: self.line,
        }
    }
}

impl Parsed {
    /// Templates were checked for nesting when loaded, so handlebars' recursive parser is safe on them.
    pub fn new(campaign: &Campaign) -> Parsed {
        let compile = |s: &str| Template::compile(s).ok();
        let letters = campaign
            .templates
            .iter()
            .map(|(path, t)| {
                let fields = front_fields(&t.front)
                    .map(|f| ParsedField {
                        line: f.line,
                        ast: compile(&f.source),
                    })
                    .collect();
                let letter = ParsedLetter {
                    path: path.clone(),
                    body: compile(&t.body),
                    body_offset: t.body_offset,
                    fields,
                    cover: t.front.body.as_ref().map(|f| (f.source.clone(), f.line)),
                    names_file: t.front.filename.is_some(),
                };
                (path.clone(), letter)
            })
            .collect();
        let partials = campaign
            .partials
            .iter()
            .map(|p| {
                let parsed = ParsedPartial {
                    path: p.path.clone(),
                    ast: compile(&p.source),
                };
                (p.name.clone(), parsed)
            })
            .collect();
        let m = &campaign.manifest;
        Parsed {
            letters,
            partials,
            filename: compile(&m.manifest.output.filename),
            filename_line: m.line_of("output", Some("filename")),
        }
    }

    pub fn filename_place(&self) -> Place<'_> {
        Place::Line {
            file: manifest::FILE,
            line: self.filename_line.unwrap_or(1),
        }
    }
}

/// How a letter reads a table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Order {
    /// Rows looked up by key (`rows "issues" …`): the table's order does not show.
    ByKey,
    /// Rows printed as the file lists them (`{{#each tables.issues}}`): the order is part of the text.
    Shown,
}

/// Which tables a letter reads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Tables {
    /// Every table, in file order: what a letter reads when the walk cannot tell.
    Every,
    Some(BTreeMap<String, Order>),
}

impl Default for Tables {
    fn default() -> Self {
        Tables::Some(BTreeMap::new())
    }
}

impl Tables {
    /// How the letter reads table `name`, if it does.
    pub fn get(&self, name: &str) -> Option<Order> {
        match self {
            Tables::Every => Some(Order::Shown),
            Tables::Some(m) => m.get(name).copied(),
        }
    }

    fn add(&mut self, name: &str, order: Order) {
        if let Tables::Some(m) = self {
            let o = m.entry(name.to_string()).or_insert(order);
            *o = (*o).max(order);
        }
    }
}

/// Which signatory columns a letter shows.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Columns {
    /// A row or the list is used whole somewhere (printed, given to a helper): every column may show.
    pub every: bool,
    /// The columns the templates name.
    pub named: BTreeSet<String>,
}

impl Columns {
    pub fn contains(&self, column: &str) -> bool {
        self.every || self.named.contains(column)
    }

    fn add(&mut self, column: &str) {
        self.named.insert(column.to_string());
    }
}

/// What a variant's letter reads.
#[derive(Debug, Clone, Default)]
pub struct Reads {
    /// Partials reached, by name.
    pub partials: BTreeSet<String>,
    /// Other letter templates included as partials, by path.
    pub letters: BTreeSet<String>,
    pub tables: Tables,
    /// Whether the letter reads the `tables` value of its context (so the renderer must put it there).
    pub context_tables: bool,
    pub signatory_columns: Columns,
}

impl Visit for Reads {
    fn path(&mut self, _: &At, from: &Shape, segs: &[String], _likely: bool) {
        // Every scope a `../` may mean counts: reading too much is safe, too little is not.
        let seg = |i: usize| segs.get(i).map(String::as_str);
        match from {
            Shape::Root => match (seg(0), seg(1)) {
                (Some("tables"), t) => {
                    self.context_tables = true;
                    if let Some(t) = t {
                        self.tables.add(t, Order::Shown);
                    }
                }
                (Some("signatory"), Some(c)) => self.signatory_columns.add(c),
                (Some("coalition"), Some("signatories")) => match seg(3) {
                    Some(c) => self.signatory_columns.add(c),
                    None => self.signatory_columns.every = true,
                },
                (Some("signatories"), Some(_)) => match seg(2) {
                    Some(c) => self.signatory_columns.add(c),
                    None => self.signatory_columns.every = true,
                },
                _ => {}
            },
            Shape::Tables => {
                self.context_tables = true;
                if let Some(t) = seg(0) {
                    self.tables.add(t, Order::Shown);
                }
            }
            Shape::Row(s) => {
                if let Some(c) = seg(0) {
                    self.column(s, c);
                }
            }
            Shape::Rows(s) => match seg(1) {
                Some(c) => self.column(s, c),
                None if seg(0).is_some() => self.whole_source(s),
                None => {}
            },
            Shape::Coalition => match (seg(0), seg(1), seg(2)) {
                (Some("signatories"), Some(_), Some(c)) => self.signatory_columns.add(c),
                (Some("signatories"), _, None) => self.signatory_columns.every = true,
                _ => {}
            },
            Shape::Value | Shape::Unknown => {}
        }
    }

    fn whole(&mut self, _: &At, shape: &Shape) {
        match shape {
            Shape::Root => {
                self.context_tables = true;
                self.tables = Tables::Every;
                self.signatory_columns.every = true;
            }
            Shape::Tables => {
                self.context_tables = true;
                self.tables = Tables::Every;
            }
            Shape::Rows(s) | Shape::Row(s) => self.whole_source(s),
            Shape::Coalition => self.signatory_columns.every = true,
            Shape::Value | Shape::Unknown => {}
        }
    }

    fn column(&mut self, source: &Source, column: &str) {
        if *source == Source::Signatory {
            self.signatory_columns.add(column);
        }
    }

    fn table(&mut self, name: Option<&str>, _in_order: bool) {
        match name {
            Some(t) => self.tables.add(t, Order::ByKey),
            None => self.tables = Tables::Every,
        }
    }

    fn reached(&mut self, node: &Node) {
        match node {
            Node::Partial(n) => self.partials.insert(n.clone()),
            Node::Letter(p) => self.letters.insert(p.clone()),
        };
    }
}

impl Reads {
    fn whole_source(&mut self, s: &Source) {
        match s {
            Source::Signatory => self.signatory_columns.every = true,
            Source::Table(t) => self.tables.add(t, Order::Shown),
            Source::Recipient => {}
        }
    }

    /// What the letter of template `path` reads with these vars; errors when rendering it could recurse without
    /// end or nest too deep.
    pub fn of(
        parsed: &Parsed,
        path: &str,
        vars: &serde_json::Map<String, serde_json::Value>,
    ) -> Result<Reads, Problems> {
        let mut reads = Reads::default();
        let mut walker = Walker::new(parsed, vars, &mut reads);
        walker.letter(path);
        let problems = walker.finish();
        if problems.has_errors() {
            Err(problems)
        } else {
            Ok(reads)
        }
    }
}

#[cfg(test)]
mod tests;
