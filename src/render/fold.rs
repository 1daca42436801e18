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
//! A block that fails to render stays as written, so a letter still fails where and as it would have; and a letter
//! whose folded copy fails is rendered again from the template as written, as a spliced one is.

use std::collections::HashMap;
use std::sync::OnceLock;

use handlebars::template::{HelperTemplate, Parameter, Template, TemplateElement};
use handlebars::{
    Context, Handlebars, RenderContext, RenderError, RenderErrorReason, Renderable, StringOutput,
};

use crate::plan::reads::path::PathRef;
use crate::plan::reads::walk::{raw_path, simple_name};
use crate::plan::Plan;

/// The context's names every letter of a variant shares (`render::context`).
const SHARED: &[&str] = &["vars", "variant", "today", "tables", "coalition"];
/// Shared too, outside per-signatory variants.
const SIGNATORIES: &[&str] = &["signatories", "signatory"];

/// Helpers whose value depends only on their parameters, hash, and the variant's `vars.lang` and `today`. `log`
/// writes as it renders and `raw` prints its source: neither is folded.
const PURE: &[&str] = &[
    "if",
    "unless",
    "each",
    "with",
    "lookup",
    "eq",
    "ne",
    "gt",
    "gte",
    "lt",
    "lte",
    "and",
    "or",
    "not",
    "len",
    "join",
    "date",
    "rows",
    "filter",
    "mailbox",
    "upper",
    "lower",
    "default",
    "columns",
    "salutation",
    "addressee",
];
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

/// Each variant's folded copies, made by the variant's first letter.
#[derive(Debug, Default)]
pub struct Folds(HashMap<String, VariantFolds>);

#[derive(Debug, Default)]
struct VariantFolds {
    /// The shared names no recipient column also holds.
    shared: Vec<&'static str>,
    /// Body template → its folded copy, `None` when nothing folds.
    bodies: HashMap<String, OnceLock<Option<Template>>>,
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
            let folds = VariantFolds {
                shared,
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
            fold(body, t, &v.shared, ctx)
        });
        Some(render(body, folded.as_ref()?, ctx))
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
            let all = t.elements.iter().all(|e| shared(e, Scope::Root, &v.shared));
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

/// `t` with every shared block rendered into text, if any was; `ctx` is any letter of the variant's.
pub fn fold(body: &Handlebars, t: &Template, names: &[&str], ctx: &Context) -> Option<Template> {
    let mut changed = false;
    let out = fold_in(body, t, names, ctx, &mut changed);
    changed.then_some(out)
}

fn fold_in(
    body: &Handlebars,
    t: &Template,
    names: &[&str],
    ctx: &Context,
    changed: &mut bool,
) -> Template {
    let mut out = t.clone();
    for e in &mut out.elements {
        match e {
            TemplateElement::RawString(_) | TemplateElement::Comment(_) => {}
            _ if shared(e, Scope::Root, names) => {
                let mut alone = Template::new();
                alone.name.clone_from(&t.name);
                alone.elements.push(e.clone());
                if let Ok(text) = render(body, &alone, ctx) {
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

/// Whether the element renders the same text for every letter of the variant.
fn shared(e: &TemplateElement, scope: Scope, names: &[&str]) -> bool {
    match e {
        TemplateElement::RawString(_) | TemplateElement::Comment(_) => true,
        TemplateElement::Expression(h) | TemplateElement::HtmlExpression(h) => {
            call_shared(h, scope, names)
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
                && args_shared(h, scope, names)
                && h.template
                    .as_ref()
                    .is_none_or(|t| t.elements.iter().all(|e| shared(e, inside, names)))
                && h.inverse
                    .as_ref()
                    .is_none_or(|t| t.elements.iter().all(|e| shared(e, scope, names)))
        }
        _ => false,
    }
}

/// A `{{name args}}` or `{{path}}`.
fn call_shared(h: &HelperTemplate, scope: Scope, names: &[&str]) -> bool {
    if h.block || h.block_param.is_some() {
        return false;
    }
    let name = simple_name(&h.name);
    let helper = name.filter(|n| crate::plan::reads::walk::is_helper(n));
    match helper {
        Some(n) if h.params.is_empty() && READS_THIS.contains(&n) => {
            scope == Scope::Shared && h.hash.values().all(|p| param_shared(p, scope, names))
        }
        Some(n) => PURE.contains(&n) && args_shared(h, scope, names),
        None if h.params.is_empty() && h.hash.is_empty() => param_shared(&h.name, scope, names),
        None => false,
    }
}

fn args_shared(h: &HelperTemplate, scope: Scope, names: &[&str]) -> bool {
    h.params
        .iter()
        .chain(h.hash.values())
        .all(|p| param_shared(p, scope, names))
}

fn param_shared(p: &Parameter, scope: Scope, names: &[&str]) -> bool {
    match p {
        Parameter::Literal(_) => true,
        Parameter::Name(n) => path_shared(n, scope, names),
        Parameter::Path(path) => path_shared(raw_path(path), scope, names),
        Parameter::Subexpression(s) => match s.as_element() {
            TemplateElement::Expression(h) => call_shared(h, scope, names),
            _ => false,
        },
        _ => false,
    }
}

fn path_shared(raw: &str, scope: Scope, names: &[&str]) -> bool {
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
    let from_root = p.root || scope == Scope::Root;
    if from_root {
        p.head().is_some_and(|h| names.contains(&h))
    } else {
        true
    }
}

#[cfg(test)]
mod tests;
