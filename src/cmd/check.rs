//! `lettermerge check`: everything validated, nothing written.

use std::path::Path;

use crate::check;
use crate::cli::CheckArgs;
use crate::diag::Problems;
use crate::error::{count, Error, Result};

use super::Verbosity;

pub fn run(dir: &Path, args: &CheckArgs, v: Verbosity) -> Result<()> {
    let problems = match super::load(dir) {
        Ok(campaign) => {
            // An unknown `--variant` is a usage error (exit 2), as in every other command, not a campaign problem.
            if let Err(e @ Error::Usage(_)) = super::plan(&campaign, &args.selection) {
                return Err(e);
            }
            check::campaign(&campaign, &args.selection)
        }
        Err(Error::Campaign(p)) => p,
        Err(e) => return Err(e),
    };
    report(&problems, args.json, v);
    if problems.has_errors() {
        Err(Error::Refused(format!(
            "check found {}",
            count(problems.errors(), "error")
        )))
    } else {
        Ok(())
    }
}

fn report(problems: &Problems, json: bool, v: Verbosity) {
    if json {
        let doc = serde_json::json!({
            "ok": !problems.has_errors(),
            "errors": problems.errors(),
            "warnings": problems.warnings(),
            "problems": problems,
        });
        println!("{}", serde_json::to_string_pretty(&doc).unwrap_or_default());
        return;
    }
    super::print_problems(problems, v);
    if !problems.has_errors() && !v.quiet {
        println!(
            "The campaign is ready: no errors, {}.",
            count(problems.warnings(), "warning")
        );
    }
}
