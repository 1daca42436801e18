//! Partials spliced into the templates that include them, for speed alone.
//!
//! handlebars 6.4 gives a partial included without parameters a copy of the whole current context (its
//! `partial.rs`), and every lookup inside the partial copies what it finds from that copy: `{{> signatures}}` copied
//! the letter's context and its signatory rows several times per letter, a fifth of `check`'s time
//! (docs/PERFORMANCE.md). Where the partial cannot tell where it stands, its parsed elements put in place of the
//! `{{> name}}` render the same text: no parameters or hash, no `../` inside it (the partial's own scope would count
//! as one), no block parameters around the inclusion (a partial does not see them), no inline partials, partial
//! blocks or decorators anywhere (they change which partial a name means). The renderer renders the spliced template
//! and, should it fail, the original one, so every error still names the partial's own file and line.

use std::collections::HashMap;

use handlebars::template::{Parameter, Template, TemplateElement, TemplateMapping};
use handlebars::Handlebars;

use crate::plan::reads::path::PathRef;
use crate::plan::reads::walk::{raw_path, simple_name};

/// Body templates by name → the name under which the same template, its partials spliced in, is registered.
#[derive(Debug, Default)]
pub struct Spliced(HashMap<String, String>);

impl Spliced {
    /// Registers in `body`, beside each of `names`, its spliced twin, where it has one.
    pub fn register(body: &mut Handlebars, names: impl Iterator<Item = String>) -> Spliced {
        let mut twins = HashMap::new();
        for name in names {
            if let Some(t) = spliced(body, &name) {
                let twin = format!("{name}\u{0}spliced");
                body.register_template(&twin, t);
                twins.insert(name, twin);
            }
        }
        Spliced(twins)
    }

    /// The name under which template `name` is registered spliced, else `name` itself.
    pub fn registered<'a>(&'a self, name: &'a str) -> &'a str {
        self.0.get(name).map_or(name, String::as_str)
    }

    /// Template `name`, spliced where it can be; on any error the template as written says what went wrong and where.
    pub fn render(
        &self,
        body: &Handlebars,
        name: &str,
        ctx: &handlebars::Context,
    ) -> Result<String, handlebars::RenderError> {
        if let Some(twin) = self.0.get(name) {
            if let Ok(text) = body.render_with_context(twin, ctx) {
                return Ok(text);
            }
        }
        body.render_with_context(name, ctx)
    }
}

/// Partials inside partials are spliced this deep; deeper ones stay partials.
const DEPTH: usize = 8;

/// Template `name` of `reg` with the partials it includes spliced in, if it includes any that can be. Nothing is
/// spliced in a registry where any template holds an inline partial, a partial block or a decorator: those decide at
/// render time which partial a name means.
pub fn spliced(reg: &Handlebars, name: &str) -> Option<Template> {
    let t = reg.get_template(name)?;
    if reg.get_templates().values().any(has_decorator) {
        return None;
    }
    let mut changed = false;
    let out = splice(reg, t, 0, false, &mut changed);
    changed.then_some(out)
}

fn splice(
    reg: &Handlebars,
    t: &Template,
    depth: usize,
    block_params: bool,
    changed: &mut bool,
) -> Template {
    let mut out = Template::new();
    out.name.clone_from(&t.name);
    for (i, e) in t.elements.iter().enumerate() {
        let Some(at) = t.mapping.get(i) else {
            // Without positions the elements cannot be kept aligned with theirs: leave the template as it is.
            return t.clone();
        };
        match e {
            TemplateElement::PartialExpression(d) => {
                let partial = (!block_params && depth < DEPTH)
                    .then(|| spliceable(reg, d))
                    .flatten();
                match partial {
                    Some(p) => {
                        *changed = true;
                        let inner = splice(reg, p, depth + 1, false, changed);
                        // An error in spliced text is never shown (the original is rendered again), so the
                        // inclusion's position serves for all of it.
                        let n = inner.elements.len();
                        out.elements.extend(inner.elements);
                        out.mapping.extend(std::iter::repeat_n(at.clone(), n));
                    }
                    None => push(&mut out, e.clone(), at),
                }
            }
            TemplateElement::HelperBlock(h) => {
                let inner = block_params || h.block_param.is_some();
                let mut h = h.clone();
                if let Some(t) = &h.template {
                    h.template = Some(splice(reg, t, depth, inner, changed));
                }
                if let Some(t) = &h.inverse {
                    h.inverse = Some(splice(reg, t, depth, inner, changed));
                }
                push(&mut out, TemplateElement::HelperBlock(h), at);
            }
            other => push(&mut out, other.clone(), at),
        }
    }
    out
}

fn push(t: &mut Template, e: TemplateElement, at: &TemplateMapping) {
    t.elements.push(e);
    t.mapping.push(at.clone());
}

/// The partial a plain `{{> name}}` includes, when splicing it renders the same text.
fn spliceable<'r>(
    reg: &'r Handlebars,
    d: &handlebars::template::DecoratorTemplate,
) -> Option<&'r Template> {
    if !d.params.is_empty() || !d.hash.is_empty() || d.template.is_some() || d.indent.is_some() {
        return None;
    }
    let name = simple_name(&d.name)?;
    reg.get_template(name).filter(|p| !reads_up(p))
}

/// Whether the template holds an inline partial, a partial block or a decorator, at any depth.
fn has_decorator(t: &Template) -> bool {
    t.elements.iter().any(|e| match e {
        TemplateElement::DecoratorExpression(_)
        | TemplateElement::DecoratorBlock(_)
        | TemplateElement::PartialBlock(_) => true,
        TemplateElement::PartialExpression(d) => is_partial_block(&d.name),
        TemplateElement::HelperBlock(h) => {
            h.template.as_ref().is_some_and(has_decorator)
                || h.inverse.as_ref().is_some_and(has_decorator)
        }
        _ => false,
    })
}

/// Whether any path in the template climbs out of its scope (`../name`, `@../index`).
fn reads_up(t: &Template) -> bool {
    t.elements.iter().any(climbs_out)
}

fn climbs_out(e: &TemplateElement) -> bool {
    match e {
        TemplateElement::Expression(h)
        | TemplateElement::HtmlExpression(h)
        | TemplateElement::HelperBlock(h) => {
            std::iter::once(&h.name)
                .chain(&h.params)
                .chain(h.hash.values())
                .any(climbs)
                || h.template.as_ref().is_some_and(reads_up)
                || h.inverse.as_ref().is_some_and(reads_up)
        }
        TemplateElement::PartialExpression(d) => std::iter::once(&d.name)
            .chain(&d.params)
            .chain(d.hash.values())
            .any(climbs),
        _ => false,
    }
}

fn climbs(p: &Parameter) -> bool {
    match p {
        Parameter::Name(n) => PathRef::parse(n).up > 0,
        Parameter::Path(path) => {
            matches!(path, handlebars::Path::Local((level, _, _)) if *level > 0)
                || PathRef::parse(raw_path(path)).up > 0
        }
        Parameter::Subexpression(s) => climbs_out(s.as_element()),
        _ => false,
    }
}

/// `{{> @partial-block}}`: what it means depends on how the partial around it was included.
fn is_partial_block(p: &Parameter) -> bool {
    match p {
        Parameter::Name(n) => n.starts_with('@'),
        Parameter::Path(path) => raw_path(path).starts_with('@'),
        _ => false,
    }
}

#[cfg(test)]
mod tests;
