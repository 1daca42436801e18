//! check: the whole data path walked without writing — load, plan, every letter rendered — plus what rendering
//! alone cannot see: names inside `#if`, columns that shadow context names, unknown titles, duplicate recipients,
//! near-duplicate organizations, file names two letters share.

pub mod channels;
pub mod limits;
pub mod names;
pub mod rows;

use std::collections::{BTreeSet, HashMap};

use handlebars::template::Template;

use crate::cli::Selection;
use crate::diag::{Problem, Problems};
use crate::load::template::LetterTemplate;
use crate::load::Campaign;
use crate::plan::{Plan, PlanOptions, Recipients};
use crate::render::Renderer;
use names::{Scope, Shape, Walker};

pub fn campaign(campaign: &Campaign, sel: &Selection) -> Problems {
    let mut problems = Problems::new();
    let plan = match Plan::new(
        campaign,
        &PlanOptions {
            variants: sel.variants.clone(),
            date: sel.date,
        },
    ) {
        Ok(p) => p,
        Err(p) => return p,
    };
    let renderer = match Renderer::new(&plan) {
        Ok(r) => r,
        Err(p) => return p,
    };
    problems.extend(rows::columns(campaign));
    let names = template_names(campaign, &plan);
    // A misspelt name fails every letter that reaches it; once is enough to say so.
    let render_letters = !names.has_errors();
    problems.extend(names);
    problems.extend(rows::titles(campaign));
    problems.extend(channels::rows(&campaign.recipients));
    problems.extend(rows::duplicate_recipients(campaign));
    if let Some(t) = plan.variants.iter().find_map(|v| v.signatory_table) {
        problems.extend(rows::near_duplicates(t));
    }
    for v in &plan.variants {
        problems.extend(rows::translations(v));
        problems.extend(rows::signatory_gaps(
            v,
            &crate::signoff::shown_columns(campaign, v),
        ));
    }
    for p in crate::signoff::problems(campaign, &plan.variants) {
        problems.push(p);
    }

    let (limits, found) = limits::Limits::new(campaign);
    problems.extend(found);
    let mut stems: HashMap<(String, String), String> = HashMap::new();
    // A letter whose `channel` names no channel is reported once, by its row.
    for letter in plan.letters().filter(|l| {
        render_letters && l.selected_by(&sel.only) && l.channel(&campaign.recipients).is_ok()
    }) {
        match renderer.render(&letter) {
            Ok(r) => {
                // A public copy goes to no office, by no channel.
                if !matches!(letter.variant.recipients, Recipients::Public) {
                    problems.extend(limits.letter(&r));
                }
                if let Some(other) =
                    stems.insert((r.variant.clone(), r.file_stem.clone()), r.id.clone())
                {
                    problems.push(
                        Problem::error(format!("letters {other} and {} would both be written to {}/{}", r.id, r.variant, r.file_stem))
                            .help("make [output] filename (or the template's `filename`) unique, e.g. \"{{letter.key}}\""),
                    );
                }
                if r.channel.is_email()
                    && r.headers.to.is_empty()
                    && r.headers.cc.is_empty()
                    && !matches!(letter.variant.recipients, Recipients::Public)
                    && !campaign.templates[&letter.variant.template]
                        .front
                        .to
                        .is_empty()
                {
                    problems.push(Problem::warning(format!(
                        "letter {} has no email address: `send` will fail it",
                        r.id
                    )));
                }
            }
            Err(p) => problems.push(p),
        }
    }
    dedupe(problems)
}

/// The same template problem is found once per variant that uses the template; report it once.
fn dedupe(problems: Problems) -> Problems {
    let mut seen = BTreeSet::new();
    let mut out = Problems::new();
    for p in problems {
        if seen.insert((p.file.clone(), p.line, p.column, p.message.clone())) {
            out.push(p);
        }
    }
    out
}

fn columns_of(headers: &[String]) -> BTreeSet<String> {
    headers.iter().cloned().collect()
}

/// Walks each variant's templates with the columns it will see.
pub fn template_names(campaign: &Campaign, plan: &Plan) -> Problems {
    let mut problems = Problems::new();
    let mut partials = HashMap::new();
    for p in &campaign.partials {
        if let Ok(t) = Template::compile(&p.source) {
            partials.insert(p.name.clone(), (p.path.clone(), t));
        }
    }
    let tables: HashMap<String, (String, BTreeSet<String>)> = campaign
        .tables
        .iter()
        .map(|(n, t)| {
            (
                n.clone(),
                (t.path.display().to_string(), columns_of(&t.headers)),
            )
        })
        .collect();
    let recipient_cols = columns_of(&campaign.recipients.headers);
    let recipient_file = campaign.recipients.path.display().to_string();
    for variant in &plan.variants {
        let signatory = variant
            .signatory_table
            .map(|t| (t.path.display().to_string(), columns_of(&t.headers)));
        let vars: BTreeSet<String> = variant.vars.keys().cloned().collect();
        let scope = Scope {
            recipient: match variant.recipients {
                Recipients::Public => None,
                _ => Some((recipient_file.as_str(), &recipient_cols)),
            },
            signatory: signatory.as_ref().map(|(f, c)| (f.as_str(), c)),
            tables: &tables,
            vars: &vars,
            partials: &partials,
        };
        let template = &campaign.templates[&variant.template];
        walk_letter(template, &scope, &mut problems);
        let filename = &campaign.manifest.manifest.output.filename;
        if template.front.filename.is_none() {
            if let Ok(t) = Template::compile(filename) {
                let mut stack = vec![Shape::Root];
                let mut ps = Problems::new();
                Walker::new(&scope, &mut ps).template(
                    &t,
                    crate::load::manifest::FILE,
                    0,
                    &mut stack,
                );
                for p in ps {
                    problems.push(Problem {
                        line: campaign.manifest.line_of("output", Some("filename")),
                        column: None,
                        ..p
                    });
                }
            }
        }
    }
    problems
}

fn walk_letter(template: &LetterTemplate, scope: &Scope, problems: &mut Problems) {
    let mut stack = vec![Shape::Root];
    if let Ok(t) = Template::compile(&template.body) {
        Walker::new(scope, problems).template(&t, &template.path, template.body_offset, &mut stack);
    }
    let f = &template.front;
    let fields = f
        .from
        .iter()
        .chain(&f.to)
        .chain(&f.cc)
        .chain(&f.bcc)
        .chain(&f.reply_to)
        .chain(&f.attachments);
    for field in fields.chain(f.subject.iter()).chain(f.filename.iter()) {
        if let Ok(t) = Template::compile(&field.source) {
            let mut ps = Problems::new();
            Walker::new(scope, &mut ps).template(&t, &template.path, 0, &mut stack);
            // A front-matter value is one line: its problems belong to that line.
            for p in ps {
                problems.push(Problem {
                    line: Some(field.line),
                    column: None,
                    ..p
                });
            }
        }
    }
    if let Some(cover) = &f.body {
        if let Ok(t) = Template::compile(&format!("{{{{> {}}}}}", cover.source)) {
            Walker::new(scope, problems).template(&t, &template.path, cover.line - 1, &mut stack);
        }
    }
}
