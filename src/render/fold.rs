//! Blocks that read only what every letter of a variant shares, rendered once per variant, for speed alone.
//!
//! The signature block of a coalition letter (`{{#each (filter signatories scope="national")}}…`) prints the same
//! text in every letter of its variant, yet handlebars walked it, filtered the list and copied its rows for each one:
//! a quarter of `check`'s time on the example (docs/PERFORMANCE.md). A block is folded when everything it reads is
//! the same for every letter of the variant: `vars`, `variant`, `today`, `tables`, `coalition`, and outside
//! per-signatory variants `signatories` and `signatory`, through helpers whose result depends only on what they are
//! given. Such a block, rendered once with the variant's first letter, is kept as text in the variant's copy of the
//! template. Anything else stays as written: a path that climbs (`../`), a block parameter, a partial left unspliced,
//! a decorator, a helper not known to be pure, a name a recipient column may also hold.
//!
//! A block at the top of the template that also reads a few of the letter's own cells, and nothing else of its own
//! (`{{#each (rows "issues" @root.issues)}}…`: the issue paragraphs an official's `issues` cell picks), is kept with
//! the text it rendered for each set of those cells' values: letters that pick the same issues share it.
//!
//! A block that fails to render stays as written, so a letter still fails where and as it would have; and a letter
//! whose folded copy fails is rendered again from the template as written, as a spliced one is.

use std::collections::{BTreeSet, HashMap};
use std::sync::{OnceLock, RwLock};

use handlebars::template::{HelperTemplate, Parameter, Template, TemplateElement};
use handlebars::{
    Context, Handlebars, Output, RenderContext, RenderError, RenderErrorReason, Renderable,
    StringOutput,
};

use crate::plan::reads::path::PathRef;
use crate::plan::reads::walk::{is_helper, raw_path, simple_name};
use crate::plan::Plan;
use serde_json::Value;

/// The context's names every letter of a variant shares (`render::context`).
const SHARED: &[&str] = &["vars", "variant", "today", "tables", "coalition"];
/// Shared too, outside per-signatory variants.
const SIGNATORIES: &[&str] = &["signatories", "signatory"];

/// Whether the helper's value depends only on its parameters, its hash, and the variant's `vars.lang` and `today`:
/// every helper lettermerge adds (reviewed as such: a test holds the list), and handlebars' own but `log`, which
/// writes as it renders, and `raw`, which prints its source.
fn pure(name: &str) -> bool {
    is_helper(name) && !matches!(name, "log" | "raw")
}

/// Helpers that, given no parameter, read the current value (`this`).
const READS_THIS: &[&str] = &["salutation", "addressee"];
/// Block helpers whose inside sees the value they are given.
const ENTERS: &[&str] = &["each", "with"];
/// Block helpers whose inside sees what the block's outside sees.
const STAYS: &[&str] = &["if", "unless", "columns"];

/// What `this` is where an element stands.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Scope {
    /// The letter's whole context.
    Root,
    /// A value every letter of the variant shares (an item of `signatories`, `vars`).
    Shared,
}

/// What a block may read and still be folded.
#[derive(Debug, Default)]
pub struct Names {
    /// The shared names no recipient column also holds.
    pub shared: Vec<&'static str>,
    /// The recipient columns a kept block may be keyed by (none a name of the context's own).
    pub cells: Vec<String>,
}

/// A template with its shared blocks rendered, and the blocks kept by the cells they read.
#[derive(Debug)]
pub struct Folded {
    template: Template,
    kept: Vec<Kept>,
}

/// A top-level block whose text depends on a few of the letter's cells only.
#[derive(Debug)]
struct Kept {
    /// Its place among the template's elements.
    at: usize,
    cells: Vec<String>,
    /// The cells' values → the block's text.
    texts: RwLock<HashMap<Vec<String>, String>>,
}

/// Texts kept per block at most; past that a block renders as written (a column of unique values gains nothing).
const KEPT: usize = 1024;
/// Cells a kept block may read at most.
const CELLS: usize = 4;

/// Each variant's folded copies, made by the variant's first letter.
#[derive(Debug, Default)]
pub struct Folds(HashMap<String, VariantFolds>);

#[derive(Debug, Default)]
struct VariantFolds {
    names: Names,
    /// Body template → its folded copy, `None` when nothing folds.
    bodies: HashMap<String, OnceLock<Option<Folded>>>,
    /// Front matter field template → its text, when every letter of the variant has the same (a subject, a sender).
    fields: HashMap<String, OnceLock<Option<String>>>,
}

impl Folds {
    /// A slot for every variant and each of `bodies` (body templates) and `fields` (front matter templates), by name.
    pub fn new(plan: &Plan, bodies: &[String], fields: &[String]) -> Folds {
        let columns = &plan.campaign.recipients.headers;
        // A recipient column named `signatory` stands in the context in place of the variant's own value: a name a
        // column holds is never folded.
        let taken = |name: &str| columns.iter().any(|c| c == name);
        let folds = plan.variants.iter().map(|v| {
            let extra: &[&str] = if v.per_signatory { &[] } else { SIGNATORIES };
            let shared = SHARED
                .iter()
                .chain(extra)
                .copied()
                .filter(|n| !taken(n))
                .collect();
            let cells = columns
                .iter()
                .filter(|c| !super::context::NAMES.contains(&c.as_str()))
                .cloned()
                .collect();
            let folds = VariantFolds {
                names: Names { shared, cells },
                bodies: slots(bodies),
                fields: slots(fields),
            };
            (v.name.clone(), folds)
        });
        Folds(folds.collect())
    }

    /// Body template `name` (registered in `body` as `registered`) for a letter of `variant` whose context is `ctx`:
    /// rendered from the variant's folded copy. `None` when the template has no folded copy.
    pub fn render(
        &self,
        body: &Handlebars,
        variant: &str,
        name: &str,
        registered: &str,
        ctx: &Context,
    ) -> Option<Result<String, RenderError>> {
        let v = self.0.get(variant)?;
        let folded = v.bodies.get(name)?.get_or_init(|| {
            let t = body.get_template(registered)?;
            fold(body, t, &v.names, ctx)
        });
        Some(folded.as_ref()?.render(body, ctx))
    }

    /// Front matter field `name` of `raw` for a letter of `variant`, when every letter of the variant gets the same
    /// text (`subject: 'Human rights in Mexico on the occasion of {{vars.occasion}}'`).
    pub fn field(
        &self,
        raw: &Handlebars,
        variant: &str,
        name: &str,
        ctx: &Context,
    ) -> Option<&str> {
        let v = self.0.get(variant)?;
        let text = v.fields.get(name)?.get_or_init(|| {
            let t = raw.get_template(name)?;
            let all = t.elements.iter().all(|e| shared(e, &v.names));
            all.then(|| render(raw, t, ctx).ok()).flatten()
        });
        text.as_deref()
    }
}

fn slots<T>(names: &[String]) -> HashMap<String, OnceLock<T>> {
    names.iter().map(|n| (n.clone(), OnceLock::new())).collect()
}

/// Renders a template that is not registered, as `Handlebars::render_with_context` renders a registered one.
fn render(body: &Handlebars, t: &Template, ctx: &Context) -> Result<String, RenderError> {
    let mut rc = RenderContext::new(t.name.as_ref());
    let mut out = StringOutput::new();
    t.render(body, ctx, &mut rc, &mut out)?;
    out.into_string()
        .map_err(|e| RenderErrorReason::Other(e.to_string()).into())
}

impl Folded {
    fn render(&self, body: &Handlebars, ctx: &Context) -> Result<String, RenderError> {
        if self.kept.is_empty() {
            return render(body, &self.template, ctx);
        }
        // As `Template::render` does, with each kept block's text written as raw text.
        let t = &self.template;
        let mut rc = RenderContext::new(t.name.as_ref());
        rc.set_current_template_name(t.name.as_ref());
        let mut out = StringOutput::new();
        let mut kept = self.kept.iter().peekable();
        for (i, e) in t.elements.iter().enumerate() {
            let text = kept
                .next_if(|k| k.at == i)
                .and_then(|k| k.text(body, t, e, ctx));
            match text {
                Some(text) => {
                    // What handlebars does with raw text where no partial's indentation applies (the top level).
                    let text = text?;
                    if !text.is_empty() {
                        rc.set_content_produced(true);
                        out.write(&text)?;
                        let newline = text.ends_with(['\n', '\r']);
                        rc.set_trailing_newline(newline);
                        rc.set_indent_before_write(newline);
                    }
                }
                None => e.render(body, ctx, &mut rc, &mut out)?,
            }
        }
        out.into_string()
            .map_err(|e| RenderErrorReason::Other(e.to_string()).into())
    }
}

impl Kept {
    /// The block's text for the letter of `ctx`: kept from a letter with the same cells, else rendered and kept.
    /// `None` when the block is to be rendered in place: a cell missing (the letter fails there as written), or no
    /// room left to keep another text.
    fn text(
        &self,
        body: &Handlebars,
        t: &Template,
        e: &TemplateElement,
        ctx: &Context,
    ) -> Option<Result<String, RenderError>> {
        let key: Vec<String> = self
            .cells
            .iter()
            .map(|c| match ctx.data().get(c)? {
                Value::String(s) => Some(s.clone()),
                // Told apart from any string: a cell holds no NUL (`check` refuses control characters).
                other => Some(format!("\u{0}{other}")),
            })
            .collect::<Option<_>>()?;
        let texts = self.texts.read().ok()?;
        if let Some(text) = texts.get(&key) {
            return Some(Ok(text.clone()));
        }
        if texts.len() >= KEPT {
            return None;
        }
        drop(texts);
        let text = match alone(body, t, e, ctx) {
            Ok(text) => text,
            Err(e) => return Some(Err(e)),
        };
        if let Ok(mut texts) = self.texts.write() {
            texts.insert(key, text.clone());
        }
        Some(Ok(text))
    }
}

/// One element of `t`, rendered on its own.
fn alone(
    body: &Handlebars,
    t: &Template,
    e: &TemplateElement,
    ctx: &Context,
) -> Result<String, RenderError> {
    let mut one = Template::new();
    one.name.clone_from(&t.name);
    one.elements.push(e.clone());
    render(body, &one, ctx)
}

/// `t` with every shared block rendered into text and the blocks that read a few cells marked to be kept, if
/// anything was; `ctx` is any letter of the variant's.
pub fn fold(body: &Handlebars, t: &Template, names: &Names, ctx: &Context) -> Option<Folded> {
    let mut changed = false;
    let template = fold_in(body, t, names, ctx, &mut changed);
    let kept: Vec<Kept> = template
        .elements
        .iter()
        .enumerate()
        .filter_map(|(at, e)| {
            let mut cells = BTreeSet::new();
            // Only blocks: a lone `{{cell}}` costs less to render than to look up.
            let keyed = matches!(e, TemplateElement::HelperBlock(_))
                && reads(e, Scope::Root, names, &mut cells)
                && !cells.is_empty()
                && cells.len() <= CELLS;
            keyed.then(|| Kept {
                at,
                cells: cells.into_iter().collect(),
                texts: RwLock::new(HashMap::new()),
            })
        })
        .collect();
    (changed || !kept.is_empty()).then_some(Folded { template, kept })
}

fn fold_in(
    body: &Handlebars,
    t: &Template,
    names: &Names,
    ctx: &Context,
    changed: &mut bool,
) -> Template {
    let mut out = t.clone();
    for e in &mut out.elements {
        match e {
            TemplateElement::RawString(_) | TemplateElement::Comment(_) => {}
            _ if shared(e, names) => {
                if let Ok(text) = alone(body, t, e, ctx) {
                    *e = TemplateElement::RawString(text);
                    *changed = true;
                }
            }
            // Inside a block that does not move `this`, a shared block may still stand alone.
            TemplateElement::HelperBlock(h)
                if h.block_param.is_none()
                    && simple_name(&h.name).is_some_and(|n| STAYS.contains(&n)) =>
            {
                if let Some(inner) = &h.template {
                    h.template = Some(fold_in(body, inner, names, ctx, changed));
                }
                if let Some(inner) = &h.inverse {
                    h.inverse = Some(fold_in(body, inner, names, ctx, changed));
                }
            }
            _ => {}
        }
    }
    out
}

/// Whether the element, at the top of a template, renders the same text for every letter of the variant.
fn shared(e: &TemplateElement, names: &Names) -> bool {
    let mut cells = BTreeSet::new();
    reads(e, Scope::Root, names, &mut cells) && cells.is_empty()
}

/// Whether the element's text depends only on what the variant's letters share and on the letter's cells it adds to
/// `cells`.
fn reads(e: &TemplateElement, scope: Scope, names: &Names, cells: &mut BTreeSet<String>) -> bool {
    match e {
        TemplateElement::RawString(_) | TemplateElement::Comment(_) => true,
        TemplateElement::Expression(h) | TemplateElement::HtmlExpression(h) => {
            call_reads(h, scope, names, cells)
        }
        TemplateElement::HelperBlock(h) => {
            let Some(name) = simple_name(&h.name) else {
                return false;
            };
            let inside = if ENTERS.contains(&name) {
                Scope::Shared
            } else if STAYS.contains(&name) {
                scope
            } else {
                return false;
            };
            h.block_param.is_none()
                && args_read(h, scope, names, cells)
                && h.template
                    .as_ref()
                    .is_none_or(|t| t.elements.iter().all(|e| reads(e, inside, names, cells)))
                && h.inverse
                    .as_ref()
                    .is_none_or(|t| t.elements.iter().all(|e| reads(e, scope, names, cells)))
        }
        _ => false,
    }
}

/// A `{{name args}}` or `{{path}}`.
fn call_reads(
    h: &HelperTemplate,
    scope: Scope,
    names: &Names,
    cells: &mut BTreeSet<String>,
) -> bool {
    if h.block || h.block_param.is_some() {
        return false;
    }
    let name = simple_name(&h.name);
    let helper = name.filter(|n| is_helper(n));
    match helper {
        Some(n) if h.params.is_empty() && READS_THIS.contains(&n) => {
            scope == Scope::Shared && h.hash.values().all(|p| param_reads(p, scope, names, cells))
        }
        Some(n) => pure(n) && args_read(h, scope, names, cells),
        None if h.params.is_empty() && h.hash.is_empty() => {
            param_reads(&h.name, scope, names, cells)
        }
        None => false,
    }
}

fn args_read(
    h: &HelperTemplate,
    scope: Scope,
    names: &Names,
    cells: &mut BTreeSet<String>,
) -> bool {
    h.params
        .iter()
        .chain(h.hash.values())
        .all(|p| param_reads(p, scope, names, cells))
}

fn param_reads(p: &Parameter, scope: Scope, names: &Names, cells: &mut BTreeSet<String>) -> bool {
    match p {
        Parameter::Literal(_) => true,
        Parameter::Name(n) => path_reads(n, scope, names, cells),
        Parameter::Path(path) => path_reads(raw_path(path), scope, names, cells),
        Parameter::Subexpression(s) => match s.as_element() {
            TemplateElement::Expression(h) => call_reads(h, scope, names, cells),
            _ => false,
        },
        _ => false,
    }
}

fn path_reads(raw: &str, scope: Scope, names: &Names, cells: &mut BTreeSet<String>) -> bool {
    let p = PathRef::parse(raw);
    if p.up > 0 {
        return false;
    }
    if p.local {
        // `@index`, `@first`… of a block that walks a shared list.
        return scope == Scope::Shared
            && p.segs.len() == 1
            && ["index", "first", "last", "key"].contains(&p.segs[0].as_str());
    }
    if !(p.root || scope == Scope::Root) {
        return true;
    }
    match p.segs.as_slice() {
        [head, ..] if names.shared.contains(&head.as_str()) => true,
        // One of the letter's own cells, read whole.
        [cell] if names.cells.contains(cell) => {
            cells.insert(cell.clone());
            true
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests;
