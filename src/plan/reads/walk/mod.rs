//! The one walk over a letter's parsed templates: body, front matter, file name, cover note, and every partial they
//! reach, each with what `this` is at each point. What it finds is told to a [`Visit`]: the sign-off analysis
//! ([`super::Reads`]) and `check`'s name checks (`crate::check::names`) are two visitors of the same walk.
//!
//! It also keeps rendering safe: a partial that includes itself (directly or through others) and nesting deeper than
//! [`MAX_DEPTH`] through partials are errors here, so the renderer never recurses without end.

use std::collections::HashMap;

use handlebars::template::{BlockParam, HelperTemplate, Parameter, Template, TemplateElement};
use serde_json::Value;

mod calls;

use super::{Parsed, Place};
use crate::diag::{Problem, Problems};
use crate::load::nesting::MAX_DEPTH;

/// handlebars' own helpers.
const BUILTINS: &[&str] = &[
    "if", "unless", "each", "with", "lookup", "raw", "log", "eq", "ne", "gt", "gte", "lt", "lte",
    "and", "or", "not", "len",
];

/// The helpers lettermerge adds, by name: part of the template language the analysis reads, so it lives here, and
/// `render::helpers::register` registers exactly these (a debug assertion says so in every test run).
pub const HELPERS: &[&str] = &[
    "salutation",
    "addressee",
    "join",
    "date",
    "rows",
    "filter",
    "mailbox",
    "upper",
    "lower",
    "default",
    "columns",
];

/// Whether handlebars knows `name` as a helper (its own or ours).
pub fn is_helper(name: &str) -> bool {
    BUILTINS.contains(&name) || HELPERS.contains(&name)
}

/// The columns `salutation` and `addressee` read from the rows they are given.
const ADDRESS_COLUMNS: &[&str] = &[
    "title",
    "first_name",
    "last_name",
    "salutation",
    "gender",
    "honorific",
];

/// Elements visited per letter before the walk gives up: partials included many times over could otherwise make it
/// exponential.
const BUDGET: usize = 2_000_000;

/// Where rows come from.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Source {
    Recipient,
    Signatory,
    /// A `[tables]` table, by name.
    Table(String),
}

/// What a value is, as far as the walk can tell.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Shape {
    /// The letter's whole context.
    Root,
    /// `tables`: every table by name.
    Tables,
    /// `coalition`: what the whole coalition shares, also in a per-signatory letter (`coalition.signatories`).
    Coalition,
    Rows(Source),
    Row(Source),
    /// A cell, a var, a count: no campaign rows in it.
    Value,
    /// Something only known when rendering; whatever campaign data it holds was reached through values the walk saw.
    Unknown,
}

impl Shape {
    /// Whether the value holds rows or tables (so using it whole reads them all).
    pub fn holds_data(&self) -> bool {
        !matches!(self, Shape::Value | Shape::Unknown)
    }

    fn child(&self, seg: &str) -> Shape {
        match self {
            Shape::Root => match seg {
                "tables" => Shape::Tables,
                "coalition" => Shape::Coalition,
                "signatories" => Shape::Rows(Source::Signatory),
                "signatory" => Shape::Row(Source::Signatory),
                "addressees" => Shape::Rows(Source::Recipient),
                _ => Shape::Value,
            },
            Shape::Tables => Shape::Rows(Source::Table(seg.to_string())),
            Shape::Coalition if seg == "signatories" => Shape::Rows(Source::Signatory),
            Shape::Coalition => Shape::Value,
            Shape::Rows(s) => Shape::Row(s.clone()),
            Shape::Row(_) | Shape::Value => Shape::Value,
            Shape::Unknown => Shape::Unknown,
        }
    }

    pub fn below(&self, segs: &[String]) -> Shape {
        segs.iter().fold(self.clone(), |s, seg| s.child(seg))
    }

    /// One item of `{{#each}}` over this.
    fn item(&self) -> Shape {
        match self {
            Shape::Rows(s) => Shape::Row(s.clone()),
            Shape::Value => Shape::Value,
            _ => Shape::Unknown,
        }
    }
}

/// A place in a file, for messages.
#[derive(Debug, Clone, Copy)]
pub struct At<'f> {
    pub file: &'f str,
    pub line: usize,
    pub col: Option<usize>,
}

impl At<'_> {
    pub fn error(&self, message: impl Into<String>) -> Problem {
        Problem::error(message)
            .in_file(self.file)
            .at(self.line, self.col)
    }
}

/// A template a letter may include as a partial.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Node {
    Partial(String),
    /// A letter template, by path (handlebars finds templates by name too).
    Letter(String),
}

impl Node {
    fn name(&self) -> &str {
        match self {
            Node::Partial(n) | Node::Letter(n) => n,
        }
    }
}

/// What a walk tells its visitor. Every method has a default that ignores it.
pub trait Visit {
    /// A path read from `from` (`segs` after the start). With `../` the walk cannot always tell which scope is meant:
    /// it calls this for each, `likely` for the one handlebars usually picks.
    fn path(&mut self, _at: &At, _from: &Shape, _segs: &[String], _likely: bool) {}
    /// A value used whole (printed, given to a helper): everything in it counts as read.
    fn whole(&mut self, _at: &At, _shape: &Shape) {}
    /// A column named by a string (`join signatories "organization"`, `filter … status="x"`).
    fn column(&mut self, _source: &Source, _column: &str) {}
    /// A column a `filter` compares (`scope="national"`), where it is: a name that is no column selects nothing.
    fn compared(&mut self, _at: &At, _source: &Source, _column: &str) {}
    /// A table read by `rows` (by key, `in_order` false) or by name; `None`: any table.
    fn table(&mut self, _name: Option<&str>, _in_order: bool) {}
    fn helper(&mut self, _at: &At, _name: &str, _block: bool, _with_params: bool) {}
    fn missing_partial(&mut self, _at: &At, _name: &str) {}
    fn reached(&mut self, _node: &Node) {}
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct Frame {
    this: Shape,
    params: Vec<(String, Shape)>,
}

pub struct Walker<'a, V: Visit> {
    parsed: &'a Parsed,
    vars: &'a serde_json::Map<String, Value>,
    visit: &'a mut V,
    problems: Problems,
    frames: Vec<Frame>,
    active: Vec<Node>,
    memo: HashMap<(Node, Vec<Frame>), usize>,
    depth: usize,
    deepest: usize,
    steps: usize,
    halted: bool,
}

impl<'a, V: Visit> Walker<'a, V> {
    pub fn new(
        parsed: &'a Parsed,
        vars: &'a serde_json::Map<String, Value>,
        visit: &'a mut V,
    ) -> Self {
        Walker {
            parsed,
            vars,
            visit,
            problems: Problems::new(),
            frames: vec![Frame {
                this: Shape::Root,
                params: Vec::new(),
            }],
            active: Vec::new(),
            memo: HashMap::new(),
            depth: 0,
            deepest: 0,
            steps: 0,
            halted: false,
        }
    }

    /// The errors that make the letter unsafe to render: cycles, nesting, constructs the walk refuses.
    pub fn finish(self) -> Problems {
        self.problems
    }

    /// Walks everything of the letter template at `path`: body, front matter, cover note, and the file name.
    pub fn letter(&mut self, path: &str) {
        let parsed = self.parsed;
        let Some(letter) = parsed.letters.get(path) else {
            return;
        };
        let node = Node::Letter(path.to_string());
        self.active.push(node);
        self.walk(letter.body.as_ref(), &letter.body_place());
        self.active.pop();
        for field in &letter.fields {
            self.walk(field.ast.as_ref(), &field.place(path));
        }
        if let Some((name, line)) = &letter.cover {
            let at = At {
                file: path,
                line: *line,
                col: None,
            };
            let frame = self.frames[0].clone();
            match parsed.partials.contains_key(name) {
                true => {
                    self.include(&Node::Partial(name.clone()), frame, &at);
                }
                false => self.visit.missing_partial(&at, name),
            }
        }
        if !letter.names_file {
            self.walk(parsed.filename.as_ref(), &parsed.filename_place());
        }
    }

    /// A template that did not compile reads everything (the renderer reports why).
    fn walk(&mut self, t: Option<&Template>, place: &Place) {
        match t {
            Some(t) => self.template(t, place),
            None => {
                let at = place.at(None);
                self.visit.whole(&at, &Shape::Root);
                for name in self.parsed.partials.keys() {
                    self.visit.reached(&Node::Partial(name.clone()));
                }
            }
        }
    }

    fn template(&mut self, t: &Template, place: &Place) {
        for (i, el) in t.elements.iter().enumerate() {
            if self.halted {
                return;
            }
            self.steps += 1;
            let at = place.at(t.mapping.get(i).map(|m| (m.0, m.1)));
            if self.steps > BUDGET {
                self.halted = true;
                self.problems.push(at.error("the templates include each other too many times to be checked").help(
                    "include large partials once, not inside partials that are themselves included many times",
                ));
                return;
            }
            self.element(el, &at, place);
        }
    }

    fn element(&mut self, el: &TemplateElement, at: &At, place: &Place) {
        match el {
            TemplateElement::Expression(h) | TemplateElement::HtmlExpression(h) => {
                self.expression(h, at)
            }
            TemplateElement::HelperBlock(h) => self.block(h, at, place),
            TemplateElement::PartialExpression(d) => self.partial(&d.name, &d.params, &d.hash, None, at, place),
            TemplateElement::PartialBlock(d) => {
                self.partial(&d.name, &d.params, &d.hash, d.template.as_ref(), at, place)
            }
            TemplateElement::DecoratorExpression(_) | TemplateElement::DecoratorBlock(_) => {
                self.problems.push(
                    at.error("decorators such as `{{#*inline}}` are not supported")
                        .help("put the block in templates/partials/NAME.hbs and include it with {{> NAME}}"),
                )
            }
            TemplateElement::RawString(_) | TemplateElement::Comment(_) => {}
            // A construct a later handlebars adds: it may read anything.
            _ => self.visit.whole(at, &Shape::Root),
        }
    }

    fn expression(&mut self, h: &HelperTemplate, at: &At) {
        let simple = simple_name(&h.name);
        let with_params = !h.params.is_empty() || !h.hash.is_empty();
        match simple {
            Some(name) if is_helper(name) || with_params => {
                self.visit.helper(at, name, false, with_params);
                self.call(name, h, at);
            }
            _ => self.consume(&h.name, at),
        }
    }

    fn block(&mut self, h: &HelperTemplate, at: &At, place: &Place) {
        let name = simple_name(&h.name).unwrap_or("");
        self.visit.helper(at, name, true, true);
        if !self.deeper(at) {
            return;
        }
        let first = h.params.first();
        let frame = match name {
            "each" | "with" => {
                let shape = first.map_or(Shape::Value, |p| self.param(p, at));
                h.params.iter().skip(1).for_each(|p| self.consume(p, at));
                h.hash.values().for_each(|p| self.consume(p, at));
                // Iterating a row, the tables or the whole context prints everything in it, in order.
                let iterated_whole =
                    name == "each" && matches!(shape, Shape::Root | Shape::Tables | Shape::Row(_));
                if iterated_whole || shape == Shape::Tables {
                    self.visit.whole(at, &shape);
                }
                let this = if name == "each" { shape.item() } else { shape };
                let params = match &h.block_param {
                    Some(BlockParam::Single(Parameter::Name(n))) => vec![(n.clone(), this.clone())],
                    Some(BlockParam::Pair((Parameter::Name(a), Parameter::Name(b)))) => {
                        vec![(a.clone(), this.clone()), (b.clone(), Shape::Value)]
                    }
                    _ => Vec::new(),
                };
                Some(Frame { this, params })
            }
            "if" | "unless" => {
                h.params.iter().for_each(|p| {
                    self.param(p, at);
                });
                None
            }
            _ => {
                h.params.iter().for_each(|p| self.consume(p, at));
                h.hash.values().for_each(|p| self.consume(p, at));
                None
            }
        };
        if let Some(t) = &h.template {
            match frame {
                Some(f) => {
                    self.frames.push(f);
                    self.template(t, place);
                    self.frames.pop();
                }
                None => self.template(t, place),
            }
        }
        if let Some(t) = &h.inverse {
            self.template(t, place);
        }
        self.depth -= 1;
    }

    /// One level deeper; false (and an error) past the limit.
    fn deeper(&mut self, at: &At) -> bool {
        if self.depth + 1 > MAX_DEPTH {
            self.too_deep(at);
            return false;
        }
        self.depth += 1;
        self.deepest = self.deepest.max(self.depth);
        true
    }

    fn too_deep(&mut self, at: &At) {
        let mut chain: Vec<&str> = self.active.iter().map(Node::name).collect();
        if chain.len() > 8 {
            chain.splice(3..chain.len() - 3, ["…"]);
        }
        self.problems.push(
            at.error(format!(
                "blocks and partials nest more than {MAX_DEPTH} levels deep here (through {})",
                chain.join(" → ")
            ))
            .help(format!(
                "lettermerge allows {MAX_DEPTH} levels of blocks and partials within partials; include fewer partials within each other"
            )),
        );
        self.halted = true;
    }

    fn partial(
        &mut self,
        name: &Parameter,
        params: &[Parameter],
        hash: &HashMap<String, Parameter>,
        block: Option<&Template>,
        at: &At,
        place: &Place,
    ) {
        let this = match params.first() {
            Some(p) => self.param(p, at),
            None => self.this().clone(),
        };
        params.iter().skip(1).for_each(|p| self.consume(p, at));
        let bound: Vec<(String, Shape)> = hash
            .iter()
            .map(|(k, v)| (k.clone(), self.param(v, at)))
            .collect();
        let frame = Frame {
            this,
            params: bound,
        };
        let targets = self.targets(name, at, place, block.is_some());
        let mut inner = 0;
        for node in &targets {
            inner = inner.max(self.include(node, frame.clone(), at));
        }
        // A partial block's content renders inside the partial (at `{{> @partial-block}}`), or instead of a missing one.
        if let Some(t) = block {
            let before = self.depth;
            self.depth += inner;
            if self.deeper(at) {
                self.template(t, place);
                self.depth -= 1;
            }
            self.depth = before;
        }
    }

    /// The templates a partial expression may include.
    fn targets(&mut self, name: &Parameter, at: &At, place: &Place, has_block: bool) -> Vec<Node> {
        let static_name = match name {
            Parameter::Name(n) => Some(n.clone()),
            Parameter::Path(p) => Some(raw_path(p).to_string()),
            Parameter::Literal(v) => Some(v.as_str().map_or_else(|| v.to_string(), str::to_string)),
            _ => {
                self.param(name, at);
                self.known(name)
                    .map(|v| v.as_str().map_or_else(|| v.to_string(), str::to_string))
            }
        };
        let parsed = self.parsed;
        match static_name {
            Some(n) if n == "@partial-block" => Vec::new(),
            Some(n) => {
                if parsed.partials.contains_key(&n) {
                    vec![Node::Partial(n)]
                } else if parsed.letters.contains_key(&n) && place.is_body() {
                    vec![Node::Letter(n)]
                } else {
                    if !has_block {
                        self.visit.missing_partial(at, &n);
                    }
                    Vec::new()
                }
            }
            // A name only known when rendering (from a cell, say) may be any template handlebars holds.
            None => {
                let in_partial = matches!(self.active.last(), Some(Node::Partial(_)));
                if in_partial || !place.is_body() {
                    self.problems.push(
                        at.error("this partial's name is only known when each letter is rendered, so it could be any partial, this one included")
                            .help("write the name ({{> signatures}}) or take it from [vars] ({{> (lookup vars \"signature_block\")}}); a name from the letter's data is allowed only in the letter template itself"),
                    );
                    return Vec::new();
                }
                parsed
                    .partials
                    .keys()
                    .map(|n| Node::Partial(n.clone()))
                    .chain(parsed.letters.keys().map(|p| Node::Letter(p.clone())))
                    .collect()
            }
        }
    }

    /// Walks an included template once per scope; returns how many levels deep it goes.
    fn include(&mut self, node: &Node, frame: Frame, at: &At) -> usize {
        if self.halted {
            return 0;
        }
        if let Some(i) = self.active.iter().position(|n| n == node) {
            // handlebars refuses a template that includes itself directly; anything longer would recurse forever.
            if i + 1 == self.active.len() && matches!(node, Node::Letter(_)) {
                return 0;
            }
            let mut cycle: Vec<&str> = self.active[i..].iter().map(Node::name).collect();
            cycle.push(node.name());
            self.problems.push(
                at.error(format!(
                    "partials include each other without end: {}",
                    cycle.join(" → ")
                ))
                .help("a partial may not include itself, directly or through other partials"),
            );
            self.halted = true;
            return 0;
        }
        let mut frames = self.frames.clone();
        frames.push(frame.clone());
        let key = (node.clone(), frames);
        if let Some(&inner) = self.memo.get(&key) {
            if self.depth + inner > MAX_DEPTH {
                self.too_deep(at);
            }
            return inner;
        }
        self.visit.reached(node);
        if !self.deeper(at) {
            return 0;
        }
        let parsed = self.parsed;
        let (ast, place) = match node {
            Node::Partial(n) => {
                let p = &parsed.partials[n];
                (p.ast.as_ref(), Place::file(&p.path, 0))
            }
            Node::Letter(path) => {
                let l = &parsed.letters[path];
                (l.body.as_ref(), l.body_place())
            }
        };
        let start = self.depth - 1;
        let outer_deepest = self.deepest;
        self.deepest = self.depth;
        self.active.push(node.clone());
        self.frames.push(frame);
        self.walk(ast, &place);
        self.frames.pop();
        self.active.pop();
        let inner = self.deepest - start;
        self.deepest = self.deepest.max(outer_deepest);
        self.depth -= 1;
        self.memo.insert(key, inner);
        inner
    }
}

/// A one-word name (`salutation`), whichever way the parser stored it; `None` for paths such as `a.b` or `../a`.
pub fn simple_name(p: &Parameter) -> Option<&str> {
    let n = match p {
        Parameter::Name(n) => n.as_str(),
        Parameter::Path(path) => raw_path(path),
        _ => return None,
    };
    (!n.contains(['.', '/', '@', '['])).then_some(n)
}

pub fn raw_path(p: &handlebars::Path) -> &str {
    match p {
        handlebars::Path::Relative((_, raw)) => raw,
        handlebars::Path::Local((_, _, raw)) => raw,
    }
}
