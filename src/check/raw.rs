//! `{{{x}}}` on table data: the one way a spreadsheet cell reaches the HTML page and the email as live markup.
//!
//! Every `{{x}}` is escaped for Markdown, so no cell can add a link or a tag; a triple-stash skips that. A value the
//! coalition wrote itself (`vars`, the letter's id, the date) may be trusted; a cell of a table that volunteers or a
//! signatory form filled in may not: `<script>` or `[click](javascript:…)` in it would be live in the HTML and the
//! eml. `check` warns at each such place, in the template or partial where it is.

use std::collections::{BTreeSet, HashMap};

use handlebars::template::{HelperTemplate, Parameter, Template, TemplateElement};

use crate::diag::{Problem, Problems};
use crate::load::Campaign;
use crate::plan::Plan;

use super::names::is_helper;

/// A warning for every raw output of data in the templates the plan's variants use.
pub fn raw_outputs(campaign: &Campaign, plan: &Plan) -> Problems {
    let partials: HashMap<&str, (&str, Template)> = campaign
        .partials
        .iter()
        .filter_map(|p| {
            Template::compile(&p.source)
                .ok()
                .map(|t| (p.name.as_str(), (p.path.as_str(), t)))
        })
        .collect();
    let mut walk = Walk {
        partials: &partials,
        active: Vec::new(),
        seen: BTreeSet::new(),
        problems: Problems::new(),
    };
    let used: BTreeSet<&str> = plan.variants.iter().map(|v| v.template.as_str()).collect();
    for path in used {
        let Some(t) = campaign.templates.get(path) else {
            continue;
        };
        if let Ok(body) = Template::compile(&t.body) {
            walk.template(&body, &t.path, t.body_offset);
        }
    }
    walk.problems
}

struct Walk<'a> {
    partials: &'a HashMap<&'a str, (&'a str, Template)>,
    /// Partials being walked, so one that includes itself ends.
    active: Vec<String>,
    /// Places already reported (a partial used twice is reported once).
    seen: BTreeSet<(String, usize, usize)>,
    problems: Problems,
}

impl Walk<'_> {
    fn template(&mut self, t: &Template, file: &str, offset: usize) {
        for (i, el) in t.elements.iter().enumerate() {
            let (line, col) = t.mapping.get(i).map_or((1, 1), |m| (m.0, m.1));
            match el {
                TemplateElement::HtmlExpression(h)
                    if !trusted_call(h)
                        && self.seen.insert((file.to_string(), line + offset, col)) =>
                {
                    self.problems.push(warning(h, file, line + offset, col));
                }
                TemplateElement::HelperBlock(h) => {
                    for inner in h.template.iter().chain(&h.inverse) {
                        self.template(inner, file, offset);
                    }
                }
                TemplateElement::PartialExpression(d) | TemplateElement::PartialBlock(d) => {
                    let name = match &d.name {
                        Parameter::Name(n) => Some(n.clone()),
                        Parameter::Path(p) => Some(raw_path(p).to_string()),
                        Parameter::Literal(v) => v.as_str().map(str::to_string),
                        _ => None,
                    };
                    if let Some(name) = name {
                        if let Some((pfile, pt)) = self.partials.get(name.as_str()) {
                            if !self.active.contains(&name) {
                                self.active.push(name);
                                self.template(pt, pfile, 0);
                                self.active.pop();
                            }
                        }
                    }
                    if let Some(inner) = &d.template {
                        self.template(inner, file, offset);
                    }
                }
                TemplateElement::DecoratorBlock(d) => {
                    if let Some(inner) = &d.template {
                        self.template(inner, file, offset);
                    }
                }
                _ => {}
            }
        }
    }
}

fn warning(h: &HelperTemplate, file: &str, line: usize, col: usize) -> Problem {
    let shown = match &h.name {
        Parameter::Name(n) => n.clone(),
        Parameter::Path(p) => raw_path(p).to_string(),
        _ => "…".to_string(),
    };
    Problem::warning(format!(
        "`{{{{{{{shown}}}}}}}` inserts table data without escaping: a cell holding `<script>` or \
         `[link](javascript:…)` becomes live markup in the HTML page and the email"
    ))
    .in_file(file)
    .at(line, Some(col))
    .help(format!(
        "write `{{{{{shown}}}}}`, which prints the cell exactly as typed; keep `{{{{{{…}}}}}}` for values you wrote \
         yourself in [vars]"
    ))
}

/// Whether a triple-stash prints only what the coalition wrote: `vars`, the variant, the letter's id or date, a
/// literal, or a helper given only those. A helper with no arguments (`salutation`) reads the row.
fn trusted_call(h: &HelperTemplate) -> bool {
    let helper = match &h.name {
        Parameter::Name(n) if is_helper(n) => true,
        Parameter::Name(n) => return trusted_path(n),
        Parameter::Path(p) => return trusted_path(raw_path(p)),
        Parameter::Literal(_) => return true,
        _ => false,
    };
    helper
        && !(h.params.is_empty() && h.hash.is_empty())
        && h.params.iter().chain(h.hash.values()).all(trusted_param)
}

fn trusted_param(p: &Parameter) -> bool {
    match p {
        Parameter::Literal(_) => true,
        Parameter::Name(n) => trusted_path(n),
        Parameter::Path(path) => trusted_path(raw_path(path)),
        _ => false,
    }
}

fn trusted_path(raw: &str) -> bool {
    let mut rest = raw.trim();
    loop {
        let before = rest;
        for prefix in ["@root.", "../", "./", "this."] {
            rest = rest.strip_prefix(prefix).unwrap_or(rest);
        }
        if rest == before {
            break;
        }
    }
    let head = rest.split(['.', '/', '[']).next().unwrap_or("");
    matches!(head, "vars" | "variant" | "letter" | "today")
}

fn raw_path(p: &handlebars::Path) -> &str {
    match p {
        handlebars::Path::Relative((_, raw)) => raw,
        handlebars::Path::Local((_, _, raw)) => raw,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn flagged(source: &str) -> Vec<(usize, usize)> {
        let partials = HashMap::new();
        let mut w = Walk {
            partials: &partials,
            active: Vec::new(),
            seen: BTreeSet::new(),
            problems: Problems::new(),
        };
        w.template(&Template::compile(source).unwrap(), "t.hbs", 2);
        w.problems
            .iter()
            .map(|p| (p.line.unwrap(), p.column.unwrap()))
            .collect()
    }

    #[test]
    fn raw_table_data_is_flagged_and_raw_vars_are_not() {
        assert_eq!(flagged("Dear {{{name}}},\n"), [(3, 6)]);
        assert_eq!(
            flagged("{{#each signatories}}\n{{{organization}}}\n{{/each}}"),
            [(4, 1)]
        );
        assert_eq!(
            flagged("{{{salutation}}} {{{@root.bio}}}"),
            [(3, 1), (3, 18)]
        );
        assert!(flagged(
            "{{{vars.signature_html}}} {{{@root.vars.x}}} {{{upper vars.x}}} {{name}}"
        )
        .is_empty());
        assert!(
            flagged("{{#with vars}}{{{../vars.x}}}{{/with}} {{{letter.id}}} {{{today}}}")
                .is_empty()
        );
        assert_eq!(flagged("{{{upper name}}}"), [(3, 1)]);
    }
}
