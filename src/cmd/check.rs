//! `lettermerge check`: everything validated, nothing written.

use std::path::Path;

use crate::check;
use crate::cli::CheckArgs;
use crate::diag::Problems;
use crate::error::{count, Error, Result};
use crate::signoff::report::{approved_words, summary_line, verdicts};
use crate::signoff::Verdict;

use super::Verbosity;

pub fn run(dir: &Path, args: &CheckArgs, v: Verbosity) -> Result<()> {
    let (problems, verdicts, unpublished) = match super::load(dir) {
        Ok(campaign) => {
            // An unknown `--variant`, or an `--only` that picks no letter, is a usage error (exit 2), as in every
            // other command, not a campaign problem — and never a clean check of nothing.
            let selection = args.selection();
            match super::plan(&campaign, &selection) {
                Err(e @ (Error::Usage(_) | Error::UnknownVariant(_))) => return Err(e),
                Ok(plan) if !selection.only.is_empty() => {
                    let mut one = super::pick(&selection);
                    one.limit = Some(1);
                    // A table that cannot be read is check's to report, below.
                    let found: Option<usize> = plan
                        .batches(&one, 1)
                        .map(|b| b.map(|b| b.letters().len()).ok())
                        .sum();
                    if let Some(found) = found {
                        super::none_picked(found, &selection)?;
                    }
                }
                Ok(_) => {}
                Err(_) => {}
            }
            let problems =
                check::campaign(&campaign, &super::plan_options(&selection), &selection.only);
            let verdicts = verdicts(&campaign, &selection.variants);
            // A public copy is never sent: its sign-off errors keep it from being published, not the others from
            // being sent (`send` goes ahead without it).
            let public: Vec<String> = verdicts
                .iter()
                .filter(|(_, v)| matches!(v, Verdict::Public(_)))
                .map(|(n, _)| n.clone())
                .collect();
            let unpublished = if public.is_empty() {
                0
            } else {
                crate::signoff::report::problems(&campaign, &public).errors()
            };
            (problems, verdicts, unpublished)
        }
        Err(Error::Campaign(p)) => (p, Vec::new(), 0),
        Err(e) => return Err(e),
    };
    report(&problems, &verdicts, unpublished, args.json, v);
    if problems.has_errors() {
        Err(Error::CheckFailed {
            errors: problems.errors(),
        })
    } else {
        Ok(())
    }
}

/// What the summary says of one variant. Sign-off alone may let it go, but a campaign with errors is not ready:
/// `send` refuses what `check` finds wrong, so "ready to send" is said only when there is no error.
fn variant_line(name: &str, verdict: &Verdict, errors: usize) -> String {
    match verdict {
        Verdict::Ready(approved) if errors > 0 => {
            let what = match errors {
                1 => "the error".to_string(),
                n => format!("the {n} errors"),
            };
            format!(
                "variant `{name}`: not ready: fix {what} above first ({})",
                approved_words(approved)
            )
        }
        _ => summary_line(name, verdict),
    }
}

/// `unpublished`: how many of the errors are public copies' sign-off, which `send` does not wait for.
fn report(
    problems: &Problems,
    verdicts: &[(String, Verdict)],
    unpublished: usize,
    json: bool,
    v: Verbosity,
) {
    let errors = problems.errors().saturating_sub(unpublished);
    if json {
        let variants: Vec<serde_json::Value> = verdicts
            .iter()
            .map(|(name, verdict)| {
                let (send, reasons) = match verdict {
                    Verdict::Ready(_) if errors > 0 => (
                        "refused",
                        vec![format!("check found {}", count(errors, "error"))],
                    ),
                    Verdict::Ready(_) => ("ready", Vec::new()),
                    Verdict::Public(rs) => ("never", rs.iter().map(ToString::to_string).collect()),
                    Verdict::Refused(rs) => {
                        ("refused", rs.iter().map(ToString::to_string).collect())
                    }
                };
                serde_json::json!({ "variant": name, "send": send, "reasons": reasons })
            })
            .collect();
        let doc = serde_json::json!({
            "ok": !problems.has_errors(),
            "errors": problems.errors(),
            "warnings": problems.warnings(),
            "problems": problems,
            "variants": variants,
        });
        println!("{}", serde_json::to_string_pretty(&doc).unwrap_or_default());
        return;
    }
    super::print_problems(problems, v);
    if v.quiet {
        return;
    }
    for (name, verdict) in verdicts {
        println!("{}", variant_line(name, verdict, errors));
    }
    if problems.has_errors() {
        return;
    }
    let refused: Vec<&str> = verdicts
        .iter()
        .filter(|(_, verdict)| matches!(verdict, Verdict::Refused(_)))
        .map(|(name, _)| name.as_str())
        .collect();
    if refused.is_empty() {
        println!(
            "The campaign is ready to send: no errors, {}.",
            count(problems.warnings(), "warning")
        );
    } else {
        println!(
            "Checked: no errors, {}; `send` would refuse {}: {}.",
            count(problems.warnings(), "warning"),
            count(refused.len(), "variant"),
            refused.join(", ")
        );
    }
}
