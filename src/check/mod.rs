//! check: the whole data path walked without writing — load, plan, every letter rendered — plus what rendering
//! alone cannot see: names inside `#if`, columns that shadow context names, forms of address, duplicate recipients,
//! near-duplicate organizations, file names two letters share, raw output of table data, a declared encoding that
//! garbles the file. Everything `send` and `render` refuse ([`preflight`]) is an error here too.

pub mod address;
pub mod channels;
pub mod filters;
pub mod limits;
pub mod names;
pub mod preflight;
pub mod primary;
mod printed;
pub mod raw;
pub mod roster;
pub mod rows;
mod signers;

use std::collections::{BTreeSet, HashMap};

use rayon::prelude::*;

use crate::diag::{Problem, Problems};
use crate::load::Campaign;
use crate::plan::reads::walk::Walker;
use crate::plan::stream::{Pick, BATCH};
use crate::plan::{Plan, PlanOptions};
use crate::render::outputs::Outputs;
use crate::render::{Format, Renderer};
use names::{Names, Scope};

/// Every problem of the campaign and of the letters `opts` plans; `only` (ids, as `--only` takes them) narrows the
/// letters looked at, none meaning all.
pub fn campaign(campaign: &Campaign, opts: &PlanOptions, only: &[String]) -> Problems {
    // The primary table's row checks read the table on a thread of their own while the letters are planned and
    // checked; what they find is listed where it always was.
    std::thread::scope(|s| {
        let rows_found = s.spawn(|| primary::pass(campaign));
        let join = move || {
            rows_found
                .join()
                .unwrap_or_else(|e| std::panic::resume_unwind(e))
        };
        checked(campaign, opts, only, join)
    })
}

fn checked(
    campaign: &Campaign,
    opts: &PlanOptions,
    only: &[String],
    rows_found: impl FnOnce() -> primary::Found,
) -> Problems {
    let mut head = Problems::new();
    // The settings `send` and `render` refuse, whatever the letters say.
    head.extend(preflight::smtp(campaign));
    let formats = preflight::manifest_formats(campaign).unwrap_or_else(|p| {
        head.push(p);
        Vec::new()
    });
    if let Err(p) = preflight::output_dir(campaign) {
        head.push(p);
    } else if campaign.manifest.manifest.smtp.is_none() {
        if let Err(p) = preflight::outbox(campaign) {
            head.push(p);
        }
    }
    head.extend(rows::encodings(campaign));
    let mut problems = Problems::new();
    problems.extend(rows::case_keys(campaign));
    // The problems so far, the row checks' keys that differ only by case, then `rest`.
    let assemble = |mut head: Problems, case_keys: Problems, rest: Problems| {
        head.extend(case_keys);
        head.extend(rest);
        head
    };
    let plan = match Plan::new(campaign, opts) {
        Ok(p) => p,
        Err(p) => {
            problems.extend(p);
            return assemble(head, rows_found().case_keys, problems).grouped();
        }
    };
    let renderer = match Renderer::new(&plan) {
        Ok(r) => r,
        Err(p) => {
            problems.extend(p);
            return assemble(head, rows_found().case_keys, problems).grouped();
        }
    };
    problems.extend(rows::columns(campaign));
    let names = template_names(campaign, &plan);
    // A misspelt name fails every letter that reaches it; once is enough to say so.
    let render_letters = !names.has_errors();
    problems.extend(names);
    problems.extend(rows::folded(campaign));
    // Here come the address rules of every unit, found by the letters' pass below.
    let mut after = Problems::new();
    after.extend(filters::signatories(campaign, &plan));
    if let Some(t) = plan.variants.iter().find_map(|v| v.signatory_table) {
        after.extend(rows::near_duplicates(t));
    }
    for v in &plan.variants {
        after.extend(rows::translations(v));
        after.extend(rows::signatory_gaps(
            v,
            &crate::signoff::fingerprint::shown_columns(v),
        ));
    }
    after.extend(crate::signoff::report::problems(campaign, &opts.variants));
    after.extend(raw::raw_outputs(campaign, &plan));

    // The PDF engine starts (and compiles the layout once) when `render` or `send` would typeset PDFs.
    let needs_pdf = formats.contains(&Format::Pdf)
        || plan
            .variants
            .iter()
            .any(|v| campaign.templates[&v.template].front.attach_pdf);
    let engine = needs_pdf && cfg!(feature = "pdf");
    if needs_pdf && !engine {
        if let Err(p) = crate::render::outputs::pdf_files(campaign) {
            after.extend(p);
        }
        after.push(Problem::warning(
            "this lettermerge was built without PDF support: the PDF layout is not checked, and `render` and `send` \
             will refuse letters that need a PDF",
        ));
    }
    // One engine (and one compiled layout) for the formats and for the channels' limits.
    let limits_pdf = limits::needs_pdf(campaign) && cfg!(feature = "pdf");
    let outputs = match Outputs::new(campaign, engine || limits_pdf) {
        Ok(o) => Some(o),
        Err(p) => {
            after.extend(p);
            None
        }
    };
    let (limits, found) = limits::Limits::new(campaign, outputs.as_ref());
    after.extend(found);
    // The first letter of every variant that makes a PDF is typeset whole: a layout that reads a missing file, or a
    // letterhead too wide for the page, fails there as it would in `render` and `send`.
    let typeset: BTreeSet<String> = plan
        .variants
        .iter()
        .filter(|v| {
            engine
                && (formats.contains(&Format::Pdf)
                    || campaign.templates[&v.template].front.attach_pdf)
        })
        .map(|v| v.name.clone())
        .collect();
    let letters = Letters {
        campaign,
        plan: &plan,
        renderer: &renderer,
        outputs: outputs.as_ref(),
        limits: &limits,
        only,
        render: render_letters,
        typeset,
    };
    let (units, by_letter) = letters.check();
    let rows_found = rows_found();
    let mut problems = assemble(head, rows_found.case_keys, problems);
    problems.extend(units);
    problems.extend(rows_found.roster);
    problems.extend(rows_found.channels);
    problems.extend(rows_found.addresses);
    problems.extend(rows_found.filters);
    problems.extend(after);
    problems.extend(by_letter);
    // The same template problem is found once per variant that uses the template, and once per letter that
    // reaches it: said once, with the letters.
    problems.grouped()
}

/// Every letter rendered and checked, batch after batch, on a pool of its own (a PDF check typesets with typst,
/// which uses rayon's global pool inside).
struct Letters<'a, 'c> {
    campaign: &'c Campaign,
    plan: &'a Plan<'c>,
    renderer: &'a Renderer<'c>,
    outputs: Option<&'a Outputs<'c>>,
    limits: &'a limits::Limits<'c, 'a>,
    only: &'a [String],
    render: bool,
    /// Variants whose first letter is typeset.
    typeset: BTreeSet<String>,
}

/// Where a letter's problem goes among the others of the same letter.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Slot {
    Address,
    Limits,
    Clash,
    Outputs,
}

impl Letters<'_, '_> {
    /// The address rules of every unit, then every letter's problems in plan order.
    fn check(&self) -> (Problems, Problems) {
        let mut units = Problems::new();
        let mut found: Vec<(usize, Slot, Problem)> = Vec::new();
        let mut names = preflight::Names::default();
        let pool = rayon::ThreadPoolBuilder::new()
            .thread_name(|i| format!("lettermerge-check-{i}"))
            .build();
        let pick = Pick::all();
        let t = &self.campaign.recipients;
        let mut typeset = self.typeset.clone();
        // Variants whose first letter is looked at for signatories it does not show.
        let mut signed: BTreeSet<&str> = self
            .plan
            .variants
            .iter()
            .filter(|v| v.signatory_table.is_some() && !v.per_signatory)
            .map(|v| v.name.as_str())
            .collect();
        // The formal forms matter only where a template may ask for them: by name, or through a variable.
        let c = self.campaign;
        let formal = c.templates.values().any(|t| t.source.contains("formal"))
            || c.partials.iter().any(|p| p.source.contains("formal"))
            || self
                .plan
                .variants
                .iter()
                .any(|v| v.vars.values().any(|x| x.as_str() == Some("formal")));
        let mut n = 0;
        let mut batches = self.plan.batches(&pick, BATCH);
        let mut next = batches.next();
        while let Some(batch) = next.take() {
            let batch = match batch {
                Ok(b) => b,
                Err(p) => {
                    units.push(p);
                    break;
                }
            };
            let lang = &batch.variant.lang;
            let rows = |unit: &crate::plan::Unit| {
                let mut found = Problems::new();
                address::unit(t, unit, lang, formal, &mut found);
                found
            };
            let letters = batch.letters();
            let first_selected = letters.iter().position(|l| self.selected(l));
            let first = first_selected.filter(|_| typeset.remove(&batch.variant.name));
            let shown = first_selected.filter(|_| signed.remove(batch.variant.name.as_str()));
            let both = || -> (Vec<Problems>, Vec<_>) {
                let in_units = batch
                    .units()
                    .collect::<Vec<_>>()
                    .par_iter()
                    .map(|u| rows(u))
                    .collect();
                (
                    in_units,
                    letters
                        .par_iter()
                        .enumerate()
                        .map(|(i, l)| self.letter(l, first == Some(i), shown == Some(i)))
                        .collect(),
                )
            };
            // The next batch is read from the table while this one is checked.
            let ((in_units, results), following) = match &pool {
                Ok(pool) => pool.install(|| rayon::join(both, || batches.next())),
                Err(_) => (
                    (
                        batch.units().map(rows).collect(),
                        letters
                            .iter()
                            .enumerate()
                            .map(|(i, l)| self.letter(l, first == Some(i), shown == Some(i)))
                            .collect(),
                    ),
                    batches.next(),
                ),
            };
            next = following;
            units.extend(in_units.into_iter().flatten());
            for (l, (problems, stem)) in letters.iter().zip(results) {
                found.extend(problems.into_iter().map(|(slot, p)| (n, slot, p)));
                if let Some(stem) = stem {
                    names.add(n, &l.variant.name, &stem);
                }
                n += 1;
            }
        }
        match names.second_look(self.plan, self.renderer, &pick) {
            Ok(clashes) => found.extend(clashes.into_iter().map(|(n, p)| (n, Slot::Clash, p))),
            Err(p) => units.push(p),
        }
        found.sort_by_key(|(n, slot, _)| (*n, *slot));
        (units, found.into_iter().map(|(_, _, p)| p).collect())
    }

    /// Whether the letter is rendered and checked: a letter whose `channel` names no channel is reported once, by
    /// its row.
    fn selected(&self, letter: &crate::plan::Letter) -> bool {
        self.render
            && letter.selected_by(self.only)
            && letter.channel(&self.campaign.recipients).is_ok()
    }

    /// One letter's problems, and the file name it would be written to; `typeset`: its PDF made too; `signers`:
    /// the organizations it should show looked for.
    fn letter(
        &self,
        letter: &crate::plan::Letter,
        typeset: bool,
        signers: bool,
    ) -> (Vec<(Slot, Problem)>, Option<String>) {
        let campaign = self.campaign;
        if !self.selected(letter) {
            return (Vec::new(), None);
        }
        let mut out = Vec::new();
        match self.renderer.render(letter) {
            Ok(r) => {
                out.extend(
                    address::letter(letter, &r, campaign)
                        .into_iter()
                        .map(|p| (Slot::Address, p)),
                );
                if signers {
                    out.extend(
                        signers::unshown(letter, &r, self.renderer)
                            .into_iter()
                            .map(|p| (Slot::Address, p)),
                    );
                }
                // A public copy goes to no office, by no channel.
                if !letter.variant.is_public() {
                    out.extend(
                        self.limits
                            .letter(&r)
                            .into_iter()
                            .map(|p| (Slot::Limits, p)),
                    );
                }
                let mut valid = true;
                if let Some(Err(p)) = self.outputs.map(|o| o.validate(&r)) {
                    valid = !p.is_error();
                    out.push((Slot::Outputs, p));
                }
                if let Some(Err(p)) = self.outputs.filter(|_| typeset && valid).map(|o| o.pdf(&r)) {
                    out.push((Slot::Outputs, p));
                }
                (out, Some(r.file_stem))
            }
            Err(p) => (vec![(Slot::Address, p)], None),
        }
    }
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
            recipient: (!variant.is_public()).then_some((recipient_file.as_str(), &recipient_cols)),
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
