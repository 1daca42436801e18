//! check: the whole data path walked without writing — load, plan, every letter rendered — plus what rendering
//! alone cannot see: names inside `#if`, columns that shadow context names, forms of address, duplicate recipients,
//! near-duplicate organizations, file names two letters share, raw output of table data, a declared encoding that
//! garbles the file. Everything `send` and `render` refuse ([`preflight`]) is an error here too.

pub mod address;
pub mod channels;
pub mod limits;
pub mod names;
pub mod preflight;
pub mod raw;
pub mod roster;
pub mod rows;

use std::collections::{BTreeSet, HashMap};

use crate::cli::Selection;
use crate::diag::{Problem, Problems};
use crate::load::Campaign;
use crate::plan::reads::walk::Walker;
use crate::plan::{Plan, PlanOptions, Recipients};
use crate::render::outputs::Outputs;
use crate::render::{Format, Renderer};
use names::{Names, Scope};

pub fn campaign(campaign: &Campaign, sel: &Selection) -> Problems {
    let mut problems = Problems::new();
    // The settings `send` and `render` refuse, whatever the letters say.
    problems.extend(preflight::smtp(campaign));
    let formats = preflight::manifest_formats(campaign).unwrap_or_else(|p| {
        problems.push(p);
        Vec::new()
    });
    if let Err(p) = preflight::output_dir(campaign) {
        problems.push(p);
    } else if campaign.manifest.manifest.smtp.is_none() {
        if let Err(p) = preflight::outbox(campaign) {
            problems.push(p);
        }
    }
    problems.extend(rows::encodings(campaign));
    problems.extend(rows::case_keys(campaign));
    let plan = match Plan::new(
        campaign,
        &PlanOptions {
            variants: sel.variants.clone(),
            date: sel.date,
        },
    ) {
        Ok(p) => p,
        Err(p) => {
            problems.extend(p);
            return problems.grouped();
        }
    };
    let renderer = match Renderer::new(&plan) {
        Ok(r) => r,
        Err(p) => {
            problems.extend(p);
            return problems.grouped();
        }
    };
    problems.extend(rows::columns(campaign));
    let names = template_names(campaign, &plan);
    // A misspelt name fails every letter that reaches it; once is enough to say so.
    let render_letters = !names.has_errors();
    problems.extend(names);
    problems.extend(rows::folded(campaign));
    problems.extend(address::rows(campaign, &plan));
    problems.extend(roster::check(campaign));
    problems.extend(channels::rows(&campaign.recipients));
    problems.extend(rows::duplicate_recipients(campaign));
    if let Some(t) = plan.variants.iter().find_map(|v| v.signatory_table) {
        problems.extend(rows::near_duplicates(t));
    }
    for v in &plan.variants {
        problems.extend(rows::translations(v));
        problems.extend(rows::signatory_gaps(
            v,
            &crate::signoff::fingerprint::shown_columns(v),
        ));
    }
    problems.extend(crate::signoff::report::problems(campaign, &sel.variants));
    problems.extend(raw::raw_outputs(campaign, &plan));

    // The PDF engine starts (and compiles the layout once) when `render` or `send` would typeset PDFs.
    let needs_pdf = formats.contains(&Format::Pdf)
        || plan
            .variants
            .iter()
            .any(|v| campaign.templates[&v.template].front.attach_pdf);
    let engine = needs_pdf && cfg!(feature = "pdf");
    if needs_pdf && !engine {
        if let Err(p) = crate::render::outputs::pdf_files(campaign) {
            problems.extend(p);
        }
        problems.push(Problem::warning(
            "this lettermerge was built without PDF support: the PDF layout is not checked, and `render` and `send` \
             will refuse letters that need a PDF",
        ));
    }
    // One engine (and one compiled layout) for the formats and for the channels' limits.
    let limits_pdf = limits::needs_pdf(campaign) && cfg!(feature = "pdf");
    let outputs = match Outputs::new(campaign, engine || limits_pdf) {
        Ok(o) => Some(o),
        Err(p) => {
            problems.extend(p);
            None
        }
    };

    let (limits, found) = limits::Limits::new(campaign, outputs.as_ref());
    problems.extend(found);
    let mut clashes = preflight::Clashes::default();
    // A letter whose `channel` names no channel is reported once, by its row.
    for letter in plan.letters().filter(|l| {
        render_letters && l.selected_by(&sel.only) && l.channel(&campaign.recipients).is_ok()
    }) {
        match renderer.render(&letter) {
            Ok(r) => {
                problems.extend(address::letter(&letter, &r, campaign));
                // A public copy goes to no office, by no channel.
                if !matches!(letter.variant.recipients, Recipients::Public) {
                    problems.extend(limits.letter(&r));
                }
                if let Some(p) = clashes.add(&r.variant, &r.file_stem, &r.id) {
                    problems.push(p);
                }
                if let Some(Err(p)) = outputs.as_ref().map(|o| o.validate(&r)) {
                    problems.push(p);
                }
            }
            Err(p) => problems.push(p),
        }
    }
    // The same template problem is found once per variant that uses the template, and once per letter that
    // reaches it: said once, with the letters.
    problems.grouped()
}

fn columns_of(headers: &[String]) -> BTreeSet<String> {
    headers.iter().cloned().collect()
}

/// Walks each variant's templates with the columns it will see.
pub fn template_names(campaign: &Campaign, plan: &Plan) -> Problems {
    let mut problems = Problems::new();
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
        };
        let mut names = Names {
            scope: &scope,
            problems: Problems::new(),
        };
        // The walk's own errors (recursion, nesting) stopped the plan already.
        Walker::new(&plan.parsed, &variant.vars, &mut names).letter(&variant.template);
        problems.extend(names.problems);
    }
    problems
}
