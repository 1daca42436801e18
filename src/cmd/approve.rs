//! `lettermerge approve`: record what the signers agreed to in approvals.toml.

use std::path::Path;

use crate::cli::ApproveArgs;
use crate::deliver::files::write_durable;
use crate::error::{Error, Result};
use crate::load::approvals::{self, Approval, Approvals};
use crate::render::{txt, Renderer};
use crate::signoff::{self, TextState};

use super::Verbosity;

pub fn run(dir: &Path, args: &ApproveArgs, v: Verbosity) -> Result<()> {
    let campaign = super::load(dir)?;
    let plan = super::plan(&campaign, &args.selection)?;
    let renderer = Renderer::new(&plan)?;
    let mut file = campaign.approvals.clone().unwrap_or_default();
    let today = chrono::Local::now()
        .date_naive()
        .format("%Y-%m-%d")
        .to_string();
    let by = args
        .by
        .clone()
        .unwrap_or_else(|| std::env::var("USER").unwrap_or_else(|_| "unknown".into()));
    let mut said = Vec::new();
    for variant in &plan.variants {
        let now = signoff::fingerprint(&campaign, variant);
        let old = file.variants.get(&variant.name).cloned();
        if args.list {
            let Some(mut a) = old else {
                return Err(Error::Refused(format!(
                    "variant `{}` has no approved text yet: run `lettermerge approve --variant {}` first",
                    variant.name, variant.name
                )));
            };
            if let TextState::Stale(changes) =
                signoff::status(&campaign, &plan.variants, variant).text
            {
                return Err(Error::Refused(format!(
                    "variant `{}` changed since its approval ({}): approve the text, not only the list",
                    variant.name,
                    changes.join("; ")
                )));
            }
            a.list = now.list;
            a.signatories = now.signatories;
            a.list_date = today.clone();
            said.push(format!(
                "{}: list of {} signatories approved (text of {} unchanged)",
                variant.name,
                a.signatories.len(),
                a.date
            ));
            file.variants.insert(variant.name.clone(), a);
            continue;
        }
        let letter = variant
            .letters()
            .next()
            .map(|l| renderer.render(&l).map(|r| txt::render(&r.markdown)))
            .transpose()
            .map_err(|p| Error::Campaign(p.into()))?
            .unwrap_or_default();
        let source_text = variant
            .translation_of
            .as_ref()
            .and_then(|s| {
                plan.variants
                    .iter()
                    .find(|x| &x.name == s)
                    .map(|x| signoff::fingerprint(&campaign, x).text)
            })
            .or_else(|| {
                // The source may not be among the selected variants: fingerprint it from the whole campaign.
                let source = variant.translation_of.as_ref()?;
                let all =
                    crate::plan::Plan::new(&campaign, &crate::plan::PlanOptions::default()).ok()?;
                all.variant(source)
                    .map(|x| signoff::fingerprint(&campaign, x).text)
            });
        // Re-approving an unchanged text keeps its date, so the letters keep their date and hash.
        let (date, by) = match &old {
            Some(a) if a.text == now.text => (a.date.clone(), a.by.clone()),
            _ => (today.clone(), by.clone()),
        };
        said.push(format!(
            "{}: text approved ({date}, {by}), {} signatories",
            variant.name,
            now.signatories.len()
        ));
        file.variants.insert(
            variant.name.clone(),
            Approval {
                date,
                by,
                text: now.text,
                list: now.list,
                list_date: today.clone(),
                signatories: now.signatories,
                source_text,
                parts: now.parts,
                rows: now.rows,
                letter,
            },
        );
    }
    save(dir, &file)?;
    if !v.quiet {
        for s in said {
            println!("{s}");
        }
        println!("Wrote {}.", approvals::FILE);
    }
    Ok(())
}

fn save(dir: &Path, file: &Approvals) -> Result<()> {
    let path = dir.join(approvals::FILE);
    write_durable(&path, file.to_toml().as_bytes()).map_err(|e| Error::Write { path, source: e })
}
