//! The template helpers (README, "Helpers"), registered on both registries (the Markdown body and the raw front
//! matter).
//!
//! Each returns a JSON value; the registry's escape function decides how it reaches the text, so the same helper
//! is safe in the body and exact in a header.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use handlebars::{
    Context, Handlebars, Helper, HelperDef, RenderContext, RenderError, RenderErrorReason,
    ScopedJson,
};
use lettre::message::Mailbox;
use serde_json::Value;

use super::address::{self, Person, Style};
use super::lang;
use crate::plan::reads::walk::HELPERS;

/// A table's rows as JSON, with an index by key, shared by every letter of a run.
#[derive(Debug, Default)]
pub struct TableRows {
    pub rows: Vec<Value>,
    pub index: HashMap<String, usize>,
}

pub type Tables = Arc<BTreeMap<String, TableRows>>;

/// Registers every helper of [`HELPERS`], the list the template analysis (and so `check`) knows.
pub fn register(reg: &mut Handlebars<'_>, tables: &Tables) {
    let mut added: Vec<&str> = Vec::new();
    let mut add = |name: &'static str, helper: Box<dyn HelperDef + Send + Sync + 'static>| {
        reg.register_helper(name, helper);
        added.push(name);
    };
    add("salutation", Box::new(Computed(salutation)));
    add("addressee", Box::new(Computed(addressee)));
    add("join", Box::new(Computed(join)));
    add("date", Box::new(Computed(date)));
    let tables = tables.clone();
    add(
        "rows",
        Box::new(Computed(
            move |h: &Helper, ctx: &Context, _: &mut RenderContext| rows(&tables, h, ctx),
        )),
    );
    add("filter", Box::new(Computed(filter)));
    add("mailbox", Box::new(Computed(mailbox_helper)));
    add(
        "upper",
        Box::new(Computed(
            |h: &Helper, _: &Context, _: &mut RenderContext| case(h, true),
        )),
    );
    add(
        "lower",
        Box::new(Computed(
            |h: &Helper, _: &Context, _: &mut RenderContext| case(h, false),
        )),
    );
    add("default", Box::new(Computed(default)));
    add("columns", Box::new(super::columns::Columns));
    debug_assert_eq!(
        added, HELPERS,
        "register and plan::reads::walk::HELPERS differ"
    );
}

fn fail(helper: &str, message: impl std::fmt::Display) -> RenderError {
    RenderErrorReason::Other(format!("{helper}: {message}")).into()
}

fn derived(v: impl Into<Value>) -> Result<Value, RenderError> {
    Ok(v.into())
}

/// A helper that computes a value from its call and the letter's context. Every helper here is one: the registry's
/// escape function then decides how the value reaches the text, and `(subexpressions)` get the value itself.
struct Computed<F>(F);

impl<F> HelperDef for Computed<F>
where
    F: Fn(&Helper, &Context, &mut RenderContext) -> Result<Value, RenderError> + Send + Sync,
{
    fn call_inner<'reg: 'rc, 'rc>(
        &self,
        h: &Helper<'rc>,
        _: &'reg Handlebars<'reg>,
        ctx: &'rc Context,
        rc: &mut RenderContext<'reg, 'rc>,
    ) -> Result<ScopedJson<'rc>, RenderError> {
        (self.0)(h, ctx, rc).map(ScopedJson::Derived)
    }
}

/// `lang=` on the call, else the letter's `vars.lang`.
fn language(h: &Helper, ctx: &Context) -> String {
    h.hash_get("lang")
        .and_then(|v| v.value().as_str().map(str::to_string))
        .or_else(|| {
            ctx.data()
                .pointer("/vars/lang")
                .and_then(Value::as_str)
                .map(str::to_string)
        })
        .unwrap_or_else(|| "en".into())
}

fn text(v: &Value) -> String {
    match v {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

use address::Cells as Who;

/// The people a `salutation`/`addressee` call is about: its parameter (a row or rows), else the current row inside a
/// block, else the letter's addressees.
fn people(h: &Helper, ctx: &Context, rc: &mut RenderContext<'_, '_>, lang: &str) -> Vec<Who> {
    let from = |v: &Value| -> Vec<Who> {
        match v {
            Value::Array(items) => items.iter().map(|r| Who::of_row(r, lang)).collect(),
            Value::Object(o) => match o.get("addressees") {
                Some(Value::Array(items)) if !items.is_empty() => {
                    items.iter().map(|r| Who::of_row(r, lang)).collect()
                }
                _ => vec![Who::of_row(v, lang)],
            },
            _ => Vec::new(),
        }
    };
    match h.param(0) {
        Some(p) => from(p.value()),
        None => this(ctx, rc).map(from).unwrap_or_default(),
    }
}

/// The value `this` names where a helper is called, found as handlebars finds it (the current block's value, else
/// its path from the root) without parsing the path `this` for every letter.
fn this<'a>(ctx: &'a Context, rc: &'a RenderContext) -> Option<&'a Value> {
    let Some(block) = rc.block() else {
        return Some(ctx.data());
    };
    if let Some(v) = block.base_value() {
        return Some(v);
    }
    block
        .base_path()
        .iter()
        .try_fold(ctx.data(), |v, seg| match v {
            Value::Object(m) => m.get(seg),
            Value::Array(a) => seg.parse::<usize>().ok().and_then(|i| a.get(i)),
            _ => None,
        })
}

fn salutation(h: &Helper, ctx: &Context, rc: &mut RenderContext) -> Result<Value, RenderError> {
    let lang = language(h, ctx);
    let who = people(h, ctx, rc, &lang);
    let people: Vec<Person> = who.iter().map(Who::person).collect();
    if people.is_empty() {
        return Err(fail(
            "salutation",
            "this letter has no addressee (a public copy?)",
        ));
    }
    let style = match h.hash_get("style").and_then(|v| v.value().as_str()) {
        None | Some("usual") => Style::Usual,
        Some("formal") => Style::Formal,
        Some(other) => {
            return Err(fail(
                "salutation",
                format!("style=\"{other}\": use \"formal\" or \"usual\""),
            ))
        }
    };
    derived(address::salutation(&people, &lang, style).text)
}

fn addressee(h: &Helper, ctx: &Context, rc: &mut RenderContext) -> Result<Value, RenderError> {
    let lang = language(h, ctx);
    let names: Vec<String> = people(h, ctx, rc, &lang)
        .iter()
        .map(|w| address::addressee(&w.person(), &lang))
        .collect();
    let refs: Vec<&str> = names.iter().map(String::as_str).collect();
    derived(lang::join(&refs, &lang, None, None))
}

/// The items of a list parameter: an array of strings, an array of rows with a column named, or a `;`-separated cell.
/// The items of a list: of rows, each row's value in the first of `columns` it fills (`"organization_es"
/// "organization"`: the Spanish name where there is one).
fn items(helper: &str, list: &Value, columns: &[&str]) -> Result<Vec<String>, RenderError> {
    Ok(match list {
        Value::Array(values) => values
            .iter()
            .map(|v| match (v, columns) {
                (Value::Object(_), []) => Err(fail(
                    helper,
                    "name the column to use: {{join ROWS \"column\"}}",
                )),
                (Value::Object(o), columns) => {
                    let mut found = None;
                    for c in columns {
                        let value = o.get(*c).map(text).ok_or_else(|| {
                            fail(helper, format!("the rows have no column `{c}`"))
                        })?;
                        if !value.trim().is_empty() {
                            found = Some(value);
                            break;
                        }
                    }
                    Ok(found.unwrap_or_default())
                }
                (v, _) => Ok(text(v)),
            })
            .collect::<Result<_, _>>()?,
        Value::String(s) => split_cell(s),
        Value::Null => Vec::new(),
        other => vec![text(other)],
    })
}

/// A list cell: items separated by `;`, blanks trimmed, empty items dropped.
pub fn split_cell(s: &str) -> Vec<String> {
    s.split(';')
        .map(str::trim)
        .filter(|x| !x.is_empty())
        .map(str::to_string)
        .collect()
}

fn join(h: &Helper, ctx: &Context, _rc: &mut RenderContext) -> Result<Value, RenderError> {
    let list = h
        .param(0)
        .ok_or_else(|| fail("join", "give a list: {{join signatories \"organization\"}}"))?;
    let columns: Vec<&str> = h
        .params()
        .iter()
        .skip(1)
        .filter_map(|p| p.value().as_str())
        .collect();
    let items = items("join", list.value(), &columns)?;
    let refs: Vec<&str> = items.iter().map(String::as_str).collect();
    let sep = h.hash_get("sep").and_then(|v| v.value().as_str());
    let last = h.hash_get("last").and_then(|v| v.value().as_str());
    derived(lang::join(&refs, &language(h, ctx), sep, last))
}

fn date(h: &Helper, ctx: &Context, _rc: &mut RenderContext) -> Result<Value, RenderError> {
    let raw = match h.param(0).map(|p| p.value()) {
        Some(Value::String(s)) if s == "today" => {
            ctx.data().get("today").map(text).unwrap_or_default()
        }
        Some(v) => text(v),
        None => ctx.data().get("today").map(text).unwrap_or_default(),
    };
    let date = lang::parse_date(&raw).map_err(|e| fail("date", e))?;
    let format = h.hash_get("format").and_then(|v| v.value().as_str());
    if let Some(f) = format {
        lang::check_date_format(f).map_err(|e| fail("date", e))?;
    }
    derived(lang::format_date(date, &language(h, ctx), format))
}

fn rows(tables: &Tables, h: &Helper, ctx: &Context) -> Result<Value, RenderError> {
    let name = h
        .param(0)
        .and_then(|p| p.value().as_str())
        .ok_or_else(|| fail("rows", "name the table first: (rows \"issues\" issues)"))?;
    let table = tables
        .get(name)
        .ok_or_else(|| fail("rows", format!("there is no table `{name}` in [tables]")))?;
    let keys = items(
        "rows",
        h.param(1).map(|p| p.value()).unwrap_or(&Value::Null),
        &[],
    )?;
    let asking = ctx
        .data()
        .pointer("/letter/id")
        .map(text)
        .unwrap_or_default();
    let mut out = Vec::with_capacity(keys.len());
    for key in keys {
        let &i = table.index.get(&key).ok_or_else(|| {
            fail(
                "rows",
                format!("table `{name}` has no key `{key}` (asked for by {asking})"),
            )
        })?;
        out.push(table.rows[i].clone());
    }
    derived(Value::Array(out))
}

fn filter(h: &Helper, _ctx: &Context, _rc: &mut RenderContext) -> Result<Value, RenderError> {
    let rows = match h.param(0).map(|p| p.value()) {
        Some(Value::Array(rows)) => rows,
        Some(Value::Null) | None => return derived(Value::Array(Vec::new())),
        Some(_) => {
            return Err(fail(
                "filter",
                "the first parameter must be rows: (filter signatories scope=\"state\")",
            ))
        }
    };
    let conditions: Vec<(&str, String)> = h
        .hash()
        .iter()
        .map(|(k, v)| (*k, text(v.value())))
        .collect();
    let kept = rows
        .iter()
        .filter(|r| {
            conditions
                .iter()
                .all(|(k, v)| r.get(*k).map(text).as_deref() == Some(v.as_str()))
        })
        .cloned()
        .collect();
    derived(Value::Array(kept))
}

fn mailbox_helper(
    h: &Helper,
    _ctx: &Context,
    _rc: &mut RenderContext,
) -> Result<Value, RenderError> {
    let name = h.param(0).map(|p| text(p.value())).unwrap_or_default();
    let email = h.param(1).map(|p| text(p.value())).unwrap_or_default();
    derived(mailbox(&name, &email).map_err(|e| fail("mailbox", e))?)
}

/// Why the `mailbox` helper cannot make an address.
#[derive(Debug, thiserror::Error)]
pub enum MailboxError {
    /// A line break or other control character, which could forge a header.
    #[error("`{}` holds {what}", .value.escape_debug())]
    Control { value: String, what: String },
    #[error("`{email}` is not an email address ({source})")]
    Address {
        email: String,
        source: lettre::address::AddressError,
    },
}

/// `"Name" <email>` with the name quoted as RFC 5322 needs; "" when the email is empty (the item is dropped).
pub fn mailbox(name: &str, email: &str) -> Result<String, MailboxError> {
    for value in [name, email] {
        if let Some(what) = super::headers::control_character(value) {
            return Err(MailboxError::Control {
                value: value.to_string(),
                what,
            });
        }
    }
    let name = name.replace('\t', " ");
    let email = email.trim();
    if email.is_empty() {
        return Ok(String::new());
    }
    let address = email.parse().map_err(|source| MailboxError::Address {
        email: email.to_string(),
        source,
    })?;
    let name = name.trim();
    Ok(Mailbox::new((!name.is_empty()).then(|| name.to_string()), address).to_string())
}

fn case(h: &Helper, upper: bool) -> Result<Value, RenderError> {
    let s = h.param(0).map(|p| text(p.value())).unwrap_or_default();
    derived(if upper {
        s.to_uppercase()
    } else {
        s.to_lowercase()
    })
}

fn default(h: &Helper, _ctx: &Context, _rc: &mut RenderContext) -> Result<Value, RenderError> {
    let value = h.param(0).map(|p| p.value().clone()).unwrap_or(Value::Null);
    let empty = match &value {
        Value::Null => true,
        Value::String(s) => s.trim().is_empty(),
        Value::Array(a) => a.is_empty(),
        _ => false,
    };
    if empty {
        derived(h.param(1).map(|p| p.value().clone()).unwrap_or(Value::Null))
    } else {
        derived(value)
    }
}
