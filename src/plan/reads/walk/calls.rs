//! What each helper does with its parameters, as far as reading goes: which tables and columns it reads, what it
//! returns (the shape the next block iterates).

use handlebars::template::{HelperTemplate, Parameter, TemplateElement};
use serde_json::Value;

use super::{is_helper, raw_path, simple_name, At, Shape, Source, Visit, Walker, ADDRESS_COLUMNS};
use crate::plan::reads::path::PathRef;

impl<V: Visit> Walker<'_, V> {
    /// A helper call's result, after reading its parameters.
    pub(super) fn call(&mut self, name: &str, h: &HelperTemplate, at: &At) -> Shape {
        let first = h.params.first();
        let result = match name {
            "rows" => {
                let table = first
                    .and_then(|p| self.known(p))
                    .and_then(|v| v.as_str().map(str::to_string));
                if let Some(p) = first {
                    self.param(p, at);
                }
                h.params.iter().skip(1).for_each(|p| self.consume(p, at));
                h.hash.values().for_each(|p| self.consume(p, at));
                match table {
                    Some(t) => {
                        self.visit.table(Some(&t), false);
                        Shape::Rows(Source::Table(t))
                    }
                    None => {
                        self.visit.table(None, true);
                        Shape::Unknown
                    }
                }
            }
            "lookup" => {
                let obj = first.map_or(Shape::Value, |p| self.param(p, at));
                let key = h.params.get(1).and_then(|p| self.known(p));
                h.params.iter().skip(1).for_each(|p| self.consume(p, at));
                h.hash.values().for_each(|p| self.consume(p, at));
                let key = key.map(|k| match k {
                    Value::String(s) => s,
                    other => other.to_string(),
                });
                match (&obj, key) {
                    (Shape::Root | Shape::Tables | Shape::Row(_), Some(k)) => {
                        let segs = [k];
                        self.visit.path(at, &obj, &segs, true);
                        obj.below(&segs)
                    }
                    (Shape::Rows(s), _) => {
                        // An item by position: the rows' order shows.
                        self.visit.whole(at, &obj);
                        Shape::Row(s.clone())
                    }
                    _ => {
                        if obj.holds_data() {
                            self.visit.whole(at, &obj);
                        }
                        Shape::Unknown
                    }
                }
            }
            "filter" => {
                let rows = first.map_or(Shape::Value, |p| self.param(p, at));
                for (column, value) in &h.hash {
                    self.consume(value, at);
                    match &rows {
                        Shape::Rows(s) | Shape::Row(s) => {
                            self.visit.column(s, column);
                            self.visit.compared(at, s, column);
                        }
                        other if other.holds_data() => self.visit.whole(at, other),
                        _ => {}
                    }
                }
                h.params.iter().skip(1).for_each(|p| self.consume(p, at));
                rows
            }
            "join" => {
                let list = first.map_or(Shape::Value, |p| self.param(p, at));
                // `join ROWS "column" "fallback"…`: every column named may show.
                let named: Vec<&str> = h
                    .params
                    .iter()
                    .skip(1)
                    .filter_map(|p| match p {
                        Parameter::Literal(Value::String(c)) => Some(c.as_str()),
                        _ => None,
                    })
                    .collect();
                match &list {
                    Shape::Rows(s) if !named.is_empty() && named.len() + 1 == h.params.len() => {
                        for c in named {
                            self.visit.column(s, c);
                        }
                    }
                    other if other.holds_data() => self.visit.whole(at, other),
                    _ => {}
                }
                h.params.iter().skip(1).for_each(|p| self.consume(p, at));
                h.hash.values().for_each(|p| self.consume(p, at));
                Shape::Value
            }
            "len" | "if" | "unless" | "not" => {
                // A count or a truth: no row's text shows.
                for p in &h.params {
                    self.param(p, at);
                }
                h.hash.values().for_each(|p| self.consume(p, at));
                Shape::Value
            }
            "salutation" | "addressee" => {
                let who = match first {
                    Some(p) => self.param(p, at),
                    None => self.this().clone(),
                };
                match &who {
                    Shape::Row(s) | Shape::Rows(s) => {
                        for c in ADDRESS_COLUMNS {
                            self.visit.column(s, c);
                        }
                    }
                    // The letter's own addressees.
                    Shape::Root => {}
                    other if other.holds_data() => self.visit.whole(at, other),
                    _ => {}
                }
                h.params.iter().skip(1).for_each(|p| self.consume(p, at));
                h.hash.values().for_each(|p| self.consume(p, at));
                Shape::Value
            }
            "default" => {
                h.hash.values().for_each(|p| self.consume(p, at));
                let shapes: Vec<Shape> = h.params.iter().map(|p| self.param(p, at)).collect();
                match shapes.split_first() {
                    Some((a, rest)) if rest.iter().all(|s| s == a) => a.clone(),
                    _ => {
                        for s in shapes.iter().filter(|s| s.holds_data()) {
                            self.visit.whole(at, s);
                        }
                        Shape::Unknown
                    }
                }
            }
            _ => {
                h.params.iter().for_each(|p| self.consume(p, at));
                h.hash.values().for_each(|p| self.consume(p, at));
                Shape::Value
            }
        };
        result
    }

    /// A parameter read for its value: rows or tables in it count as read whole.
    pub(super) fn consume(&mut self, p: &Parameter, at: &At) {
        let shape = self.param(p, at);
        if shape.holds_data() {
            self.visit.whole(at, &shape);
        }
    }

    pub(super) fn param(&mut self, p: &Parameter, at: &At) -> Shape {
        match p {
            Parameter::Literal(_) => Shape::Value,
            Parameter::Name(n) => self.path(&PathRef::parse(n), at),
            Parameter::Path(path) => self.path(&PathRef::parse(raw_path(path)), at),
            Parameter::Subexpression(s) => match s.as_element() {
                TemplateElement::Expression(h) | TemplateElement::HelperBlock(h) => {
                    let simple = simple_name(&h.name);
                    let with_params = !h.params.is_empty() || !h.hash.is_empty();
                    if !with_params && !simple.is_some_and(is_helper) {
                        return self.param(&h.name, at);
                    }
                    let name = simple.unwrap_or("");
                    self.visit.helper(at, name, false, with_params);
                    self.call(name, h, at)
                }
                _ => Shape::Unknown,
            },
            _ => {
                self.visit.whole(at, &Shape::Root);
                Shape::Unknown
            }
        }
    }

    pub(super) fn this(&self) -> &Shape {
        &self.frames[self.frames.len() - 1].this
    }

    /// Resolves a path the way handlebars does and tells the visitor.
    pub(super) fn path(&mut self, p: &PathRef, at: &At) -> Shape {
        if p.root {
            self.visit.path(at, &Shape::Root, &p.segs, true);
            return Shape::Root.below(&p.segs);
        }
        if p.local {
            return Shape::Value;
        }
        if p.up > 0 {
            let n = self.frames.len();
            let likely = n.checked_sub(p.up + 1).unwrap_or(n - 1);
            for (i, f) in self.frames.iter().enumerate() {
                self.visit.path(at, &f.this, &p.segs, i == likely);
            }
            return self.frames[likely].this.below(&p.segs);
        }
        if let Some(head) = p.head() {
            let param = self
                .frames
                .iter()
                .rev()
                .find_map(|f| f.params.iter().find(|(n, _)| n == head))
                .map(|(_, s)| s.clone());
            if let Some(shape) = param {
                let rest = &p.segs[1..];
                self.visit.path(at, &shape, rest, true);
                return shape.below(rest);
            }
        }
        let this = self.this().clone();
        self.visit.path(at, &this, &p.segs, true);
        this.below(&p.segs)
    }

    /// The value of a parameter when it is known before any letter: a literal, or a `vars` value (`vars.x`,
    /// `(lookup vars "x")`).
    pub(super) fn known(&self, p: &Parameter) -> Option<Value> {
        match p {
            Parameter::Literal(v) => Some(v.clone()),
            Parameter::Name(_) | Parameter::Path(_) => {
                let raw = match p {
                    Parameter::Path(path) => raw_path(path),
                    Parameter::Name(n) => n,
                    _ => return None,
                };
                let path = PathRef::parse(raw);
                let from_root = path.root
                    || (path.up == 0
                        && !path.local
                        && *self.this() == Shape::Root
                        && !self.is_param(path.head()?));
                match (from_root, path.segs.split_first()) {
                    (true, Some((head, rest))) if head == "vars" => {
                        let mut v = Value::Object(self.vars.clone());
                        for seg in rest {
                            v = v.get(seg.as_str())?.clone();
                        }
                        Some(v)
                    }
                    _ => None,
                }
            }
            Parameter::Subexpression(s) => match s.as_element() {
                TemplateElement::Expression(h) => {
                    if h.params.is_empty() && h.hash.is_empty() {
                        return self.known(&h.name);
                    }
                    if simple_name(&h.name) != Some("lookup") {
                        return None;
                    }
                    let obj = self.known(h.params.first()?)?;
                    match self.known(h.params.get(1)?)? {
                        Value::String(k) => obj.get(k.as_str()).cloned(),
                        Value::Number(n) => obj.get(n.as_u64()? as usize).cloned(),
                        _ => None,
                    }
                }
                _ => None,
            },
            _ => None,
        }
    }

    pub(super) fn is_param(&self, name: &str) -> bool {
        self.frames
            .iter()
            .any(|f| f.params.iter().any(|(n, _)| n == name))
    }
}
