//! Every name a template uses, checked against the columns in scope where it is used (SPEC §8).
//!
//! handlebars' strict mode catches a missing `{{x}}` only when a letter reaches it, and never inside `{{#if x}}`
//! (by design, handlebars-rust #579); walking the parsed template finds them all, with positions, before any letter.

use std::collections::{BTreeSet, HashMap};

use handlebars::template::{HelperTemplate, Parameter, Template, TemplateElement};

use crate::diag::{Problem, Problems};
use crate::render::{context, helpers};

/// What the current `this` is.
#[derive(Debug, Clone)]
pub enum Shape {
    /// The letter's root: recipient columns plus the context names.
    Root,
    /// A row of a table, with its columns.
    Row {
        table: String,
        columns: BTreeSet<String>,
    },
    /// Something not modelled (a value, `vars`, an unknown list): its names are not checked.
    Any,
}

/// What the walker knows about the campaign.
pub struct Scope<'a> {
    /// Recipient columns; `None` for a public copy, which has no recipient.
    pub recipient: Option<(&'a str, &'a BTreeSet<String>)>,
    pub signatory: Option<(&'a str, &'a BTreeSet<String>)>,
    /// Each `[tables]` table's file name and columns.
    pub tables: &'a HashMap<String, (String, BTreeSet<String>)>,
    pub vars: &'a BTreeSet<String>,
    pub partials: &'a HashMap<String, (String, Template)>,
}

const BUILTINS: &[&str] = &[
    "if", "unless", "each", "with", "lookup", "raw", "log", "eq", "ne", "gt", "gte", "lt", "lte",
    "and", "or", "not", "len",
];

pub fn is_helper(name: &str) -> bool {
    BUILTINS.contains(&name) || helpers::NAMES.contains(&name)
}

pub struct Walker<'a> {
    scope: &'a Scope<'a>,
    problems: &'a mut Problems,
    /// Partials being walked, to stop on a partial that includes itself.
    active: Vec<String>,
}

impl<'a> Walker<'a> {
    pub fn new(scope: &'a Scope<'a>, problems: &'a mut Problems) -> Self {
        Walker {
            scope,
            problems,
            active: Vec::new(),
        }
    }

    /// Walks `t` (from `file`, whose line 1 is `offset` lines into the file) with `this` as `stack.last()`.
    pub fn template(&mut self, t: &Template, file: &str, offset: usize, stack: &mut Vec<Shape>) {
        for (i, el) in t.elements.iter().enumerate() {
            let (line, col) = t.mapping.get(i).map_or((1, 1), |m| (m.0, m.1));
            let at = Pos {
                file,
                line: line + offset,
                col,
                offset,
            };
            self.element(el, &at, stack);
        }
    }

    fn element(&mut self, el: &TemplateElement, at: &Pos, stack: &mut Vec<Shape>) {
        match el {
            TemplateElement::Expression(h) | TemplateElement::HtmlExpression(h) => {
                self.expression(h, at, stack)
            }
            TemplateElement::HelperBlock(h) => self.block(h, at, stack),
            TemplateElement::PartialExpression(d) | TemplateElement::PartialBlock(d) => {
                let Some(name) = d
                    .name
                    .as_name()
                    .map(str::to_string)
                    .or_else(|| match &d.name {
                        Parameter::Literal(v) => v.as_str().map(str::to_string),
                        _ => None,
                    })
                else {
                    return;
                };
                match self.scope.partials.get(&name) {
                    None => self.problems.push(
                        at.error(format!("there is no partial `{name}`"))
                            .help(format!("create templates/partials/{name}.hbs")),
                    ),
                    Some((file, t)) => {
                        if self.active.contains(&name) {
                            return;
                        }
                        self.active.push(name);
                        self.template(t, file, 0, stack);
                        self.active.pop();
                    }
                }
                if let Some(t) = &d.template {
                    self.template(t, at.file, at.offset, stack);
                }
            }
            _ => {}
        }
    }

    fn expression(&mut self, h: &HelperTemplate, at: &Pos, stack: &mut Vec<Shape>) {
        let simple = simple_name(&h.name);
        match &h.name {
            _ if simple.is_some_and(is_helper) => self.params(h, at, stack),
            _ if simple.is_some() && (!h.params.is_empty() || !h.hash.is_empty()) => self.problems.push(
                at.error(format!("there is no helper `{}`", simple.unwrap_or_default()))
                    .help("the helpers are listed in the README; a value with a space in its name is written [like this]"),
            ),
            Parameter::Name(n) => self.path(n, at, stack),
            Parameter::Path(p) => self.path(raw_path(p), at, stack),
            Parameter::Subexpression(s) => self.subexpression(s.as_element(), at, stack),
            _ => {}
        }
    }

    fn params(&mut self, h: &HelperTemplate, at: &Pos, stack: &mut Vec<Shape>) {
        for p in h.params.iter().chain(h.hash.values()) {
            self.param(p, at, stack);
        }
    }

    fn param(&mut self, p: &Parameter, at: &Pos, stack: &mut Vec<Shape>) {
        match p {
            Parameter::Name(n) => self.path(n, at, stack),
            Parameter::Path(path) => self.path(raw_path(path), at, stack),
            Parameter::Subexpression(s) => self.subexpression(s.as_element(), at, stack),
            _ => {}
        }
    }

    fn subexpression(&mut self, el: &TemplateElement, at: &Pos, stack: &mut Vec<Shape>) {
        if let TemplateElement::Expression(h) | TemplateElement::HelperBlock(h) = el {
            if let Some(n) = simple_name(&h.name).filter(|n| !is_helper(n)) {
                self.problems
                    .push(at.error(format!("there is no helper `{n}`")));
            }
            self.params(h, at, stack);
        }
    }

    fn block(&mut self, h: &HelperTemplate, at: &Pos, stack: &mut Vec<Shape>) {
        let name = simple_name(&h.name).unwrap_or("");
        if !is_helper(name) {
            self.problems.push(
                at.error(format!("there is no block helper `{name}`"))
                    .help("use #if, #unless, #each, #with or #columns"),
            );
        }
        self.params(h, at, stack);
        let inner = match name {
            "each" | "with" => h.params.first().map(|p| self.shape_of(p, stack)),
            _ => None,
        };
        if let Some(t) = &h.template {
            match inner {
                Some(shape) => {
                    stack.push(shape);
                    self.template(t, at.file, at.offset, stack);
                    stack.pop();
                }
                None => self.template(t, at.file, at.offset, stack),
            }
        }
        if let Some(t) = &h.inverse {
            self.template(t, at.file, at.offset, stack);
        }
    }

    /// The shape of the items of `#each p` (or of `#with p`).
    fn shape_of(&self, p: &Parameter, stack: &[Shape]) -> Shape {
        match p {
            Parameter::Name(n) => self.shape_of_path(n, stack),
            Parameter::Path(path) => self.shape_of_path(raw_path(path), stack),
            Parameter::Subexpression(s) => {
                let TemplateElement::Expression(h) = s.as_element() else {
                    return Shape::Any;
                };
                match (simple_name(&h.name), h.params.first()) {
                    (Some("rows"), Some(Parameter::Literal(v))) => v
                        .as_str()
                        .and_then(|t| self.table_shape(t))
                        .unwrap_or(Shape::Any),
                    (Some("filter"), Some(inner)) => self.shape_of(inner, stack),
                    _ => Shape::Any,
                }
            }
            _ => Shape::Any,
        }
    }

    fn shape_of_path(&self, raw: &str, stack: &[Shape]) -> Shape {
        let (target, segs) = resolve(raw, stack);
        if !matches!(target, Some(Shape::Root)) {
            return Shape::Any;
        }
        match segs.as_slice() {
            ["signatories"] | ["signatory"] | ["coalition", "signatories"] => {
                self.scope.signatory.map_or(Shape::Any, |(t, c)| row(t, c))
            }
            ["addressees"] => self.scope.recipient.map_or(Shape::Any, |(t, c)| row(t, c)),
            ["tables", t] => self.table_shape(t).unwrap_or(Shape::Any),
            _ => Shape::Any,
        }
    }

    fn table_shape(&self, name: &str) -> Option<Shape> {
        self.scope
            .tables
            .get(name)
            .map(|(file, cols)| row(file, cols))
    }

    fn path(&mut self, raw: &str, at: &Pos, stack: &[Shape]) {
        let (target, segs) = resolve(raw, stack);
        let Some(first) = segs.first() else { return };
        let problem = match target {
            None | Some(Shape::Any) => None,
            Some(Shape::Row { table, columns }) => (!columns.contains(*first)).then(|| {
                at.error(format!("`{first}` is not a column of {table}"))
                    .help(format!(
                        "the columns are: {}; reach the letter's own values with @root.NAME",
                        list(columns)
                    ))
            }),
            Some(Shape::Root) => self.root_path(&segs, at),
        };
        if let Some(p) = problem {
            self.problems.push(p);
        }
    }

    fn root_path(&self, segs: &[&str], at: &Pos) -> Option<Problem> {
        let s = self.scope;
        match segs {
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
            ["coalition", name, ..] if *name != "signatories" => {
                Some(at.error(format!("`coalition.{name}` does not exist")).help(
                    "coalition has signatories: the whole list, also in a per-signatory letter",
                ))
            }
            ["signatory", col, ..]
            | ["signatories", col, ..]
            | ["coalition", "signatories", col, ..]
                if !col.starts_with('[') =>
            {
                match s.signatory {
                    Some((t, cols)) if !cols.contains(*col) => {
                        Some(at.error(format!("`{col}` is not a column of {t}")))
                    }
                    None => Some(
                        at.error("there are no signatories: lettermerge.toml has no [signatories]"),
                    ),
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

struct Pos<'f> {
    file: &'f str,
    line: usize,
    col: usize,
    offset: usize,
}

impl Pos<'_> {
    fn error(&self, message: impl Into<String>) -> Problem {
        Problem::error(message)
            .in_file(self.file)
            .at(self.line, Some(self.col))
    }
}

fn row(table: &str, columns: &BTreeSet<String>) -> Shape {
    Shape::Row {
        table: table.to_string(),
        columns: columns.clone(),
    }
}

fn list(columns: &BTreeSet<String>) -> String {
    columns.iter().cloned().collect::<Vec<_>>().join(", ")
}

/// A one-word name (`salutation`), whichever way the parser stored it; `None` for paths such as `a.b` or `../a`.
fn simple_name(p: &Parameter) -> Option<&str> {
    let n = match p {
        Parameter::Name(n) => n.as_str(),
        Parameter::Path(path) => raw_path(path),
        _ => return None,
    };
    (!n.contains(['.', '/', '@', '['])).then_some(n)
}

fn raw_path(p: &handlebars::Path) -> &str {
    match p {
        handlebars::Path::Relative((_, raw)) => raw,
        handlebars::Path::Local((_, _, raw)) => raw,
    }
}

/// Which scope a path reads from, and its segments: `@root.a.b` → root, `../a` → the parent, `this.a` / `./a` /
/// `a` → the current one; `@index` and friends → nothing to check.
fn resolve<'s, 'p>(raw: &'p str, stack: &'s [Shape]) -> (Option<&'s Shape>, Vec<&'p str>) {
    let mut rest = raw;
    let mut depth = 0;
    if let Some(r) = rest.strip_prefix("@root") {
        let segs = split(r.trim_start_matches(['.', '/']));
        return (stack.first(), segs);
    }
    if rest.starts_with('@') {
        return (None, Vec::new());
    }
    while let Some(r) = rest.strip_prefix("../") {
        depth += 1;
        rest = r;
    }
    for prefix in ["this.", "this/", "./"] {
        if let Some(r) = rest.strip_prefix(prefix) {
            rest = r;
        }
    }
    if rest == "this" || rest == "." || rest.is_empty() {
        return (None, Vec::new());
    }
    let target = stack
        .len()
        .checked_sub(depth + 1)
        .and_then(|i| stack.get(i));
    (target, split(rest))
}

fn split(path: &str) -> Vec<&str> {
    path.split(['.', '/']).filter(|s| !s.is_empty()).collect()
}
