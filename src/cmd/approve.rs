//! `lettermerge approve`: record what the signers agreed to in approvals.toml, by the rules of
//! [`crate::signoff`].

use std::path::Path;

use crate::cli::{ApproveArgs, Selection};
use crate::deliver::files::write_durable;
use crate::error::{Error, Result};
use crate::load::approvals::{self, Approvals};
use crate::render::txt;
use crate::signoff::{describe, Signoff};

use super::Verbosity;

pub fn run(dir: &Path, args: &ApproveArgs, v: Verbosity) -> Result<()> {
    let campaign = super::load(dir)?;
    // An unknown --variant is a usage error, said as every command says it.
    let selection = Selection {
        variants: args.variants.clone(),
        ..Selection::default()
    };
    super::plan(&campaign, &selection)?;
    let signoff = Signoff::new(&campaign, &args.variants)?;
    let mut file = campaign.approvals.clone().unwrap_or_default();
    let today = chrono::Local::now().date_naive();
    let by = args
        .by
        .clone()
        .unwrap_or_else(|| std::env::var("USER").unwrap_or_else(|_| "unknown".into()));
    let named = !args.variants.is_empty();
    let mut said = Vec::new();
    let mut left = Vec::new();
    for variant in signoff.selected() {
        let name = &variant.name;
        if args.list {
            if let Some(why) = signoff.list_approval_blocked(name) {
                return Err(Error::ListBeforeText {
                    variant: name.clone(),
                    why,
                });
            }
            let now = signoff.fingerprint(name);
            if let Some(a) = file.variants.get_mut(name) {
                a.list.clone_from(&now.list);
                a.signatories.clone_from(&now.signatories);
                a.signatory_prints.clone_from(&now.signatory_prints);
                a.list_date = today;
                a.list_by.clone_from(&by);
                said.push(format!(
                    "{name}: list of {} signatories approved by {by} (text of {} unchanged)",
                    a.signatories.len(),
                    a.date
                ));
            }
            continue;
        }
        if let Some(why) = signoff.text_approval_blocked(name, named) {
            left.push(format!(
                "{name}: not approved: it {why}; bring the translation up to date, then approve it by name: \
                 `lettermerge approve --variant {name}`"
            ));
            continue;
        }
        let letter = signoff
            .plan
            .with_first_letter(variant, |l| {
                signoff.renderer.render(l).map(|r| txt::render(&r.markdown))
            })
            .and_then(Option::transpose)
            .map_err(|p| Error::Campaign(p.into()))?
            .unwrap_or_default();
        let approval = signoff.text_approval(name, &by, today, letter);
        said.push(format!(
            "{name}: text approved ({}, {}), {} signatories",
            approval.date,
            approval.by,
            approval.signatories.len()
        ));
        if let Some((source, changes)) = signoff.source_changes(name) {
            said.push(format!(
                "  {name} translates `{source}`, which changed since this translation was last approved: {} — \
                 the translation is now approved as matching it",
                describe(&changes)
            ));
        }
        file.variants.insert(name.clone(), approval);
    }
    save(dir, &file)?;
    if !v.quiet {
        for s in &said {
            println!("{s}");
        }
        println!("Wrote {}.", approvals::FILE);
    }
    if left.is_empty() {
        Ok(())
    } else {
        Err(Error::NotApproved { left })
    }
}

fn save(dir: &Path, file: &Approvals) -> Result<()> {
    let path = dir.join(approvals::FILE);
    write_durable(&path, file.to_toml().as_bytes()).map_err(|e| Error::Write { path, source: e })
}
