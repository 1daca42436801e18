//! The verdicts in words: `check`'s problems and per-variant summary, and `send`'s refusal.

use crate::diag::{Problem, Problems};
use crate::error::Error;
use crate::load::approvals;
use crate::load::Campaign;

use super::{describe, Approved, Refusal, Sending, Signoff, Verdict};

/// What `send` (a real send, without flags) would decide for each selected variant.
pub fn verdicts(campaign: &Campaign, variants: &[String]) -> Vec<(String, Verdict)> {
    let Ok(s) = Signoff::new(campaign, variants) else {
        return Vec::new();
    };
    let how = Sending {
        records: true,
        ..Sending::default()
    };
    s.selected()
        .map(|v| (v.name.clone(), s.verdict(&v.name, how)))
        .collect()
}

/// The problems `check` reports for sign-off: errors for what only a new approval or a restored file can fix,
/// warnings for an unapproved variant or a changed list.
pub fn problems(campaign: &Campaign, variants: &[String]) -> Problems {
    let mut out = Problems::new();
    // A campaign not yet approved has every variant unapproved for one reason: said once, naming them all.
    let mut unapproved: Vec<(String, Vec<String>)> = Vec::new();
    for (name, verdict) in verdicts(campaign, variants) {
        let refusals = match verdict {
            Verdict::Refused(rs) | Verdict::Public(rs) => rs,
            Verdict::Ready(_) => continue,
        };
        for r in &refusals {
            if let Refusal::NotApproved(why) = r {
                let why = why.to_string();
                match unapproved.iter_mut().find(|(w, _)| *w == why) {
                    Some((_, names)) => names.push(name.clone()),
                    None => unapproved.push((why, vec![name.clone()])),
                }
                continue;
            }
            if let Some(p) = problem(campaign, &name, r) {
                if !out.iter().any(|q| *q == p) {
                    out.push(p);
                }
            }
        }
    }
    for (why, names) in unapproved {
        let list = names
            .iter()
            .map(|n| format!("`{n}`"))
            .collect::<Vec<_>>()
            .join(", ");
        let (what, help) = match names.as_slice() {
            [one] => (
                format!("variant {list} is not approved ({why})"),
                format!("review it with `lettermerge proof --variant {one}`, then `lettermerge approve --variant {one}`"),
            ),
            _ => (
                format!("{} variants are not approved: {list} ({why})", names.len()),
                "review them with `lettermerge proof`, then `lettermerge approve` (or `approve --variant NAME` for one)"
                    .to_string(),
            ),
        };
        out.push(Problem::warning(what).in_file(approvals::FILE).help(help));
    }
    out
}

/// `public`: a public copy, which is published, never sent.
fn problem(campaign: &Campaign, v: &str, r: &Refusal) -> Option<Problem> {
    let again = format!(
        "review with `lettermerge proof --variant {v}`, then `lettermerge approve --variant {v}`"
    );
    let p = match r {
        Refusal::ApprovalsMissing => Problem::error(
            "approvals.toml is missing, but the journal shows approved letters were sent: `send` refuses every variant",
        )
        .in_file(approvals::FILE)
        .help("restore it from git (git checkout -- approvals.toml) or from your backup"),
        // Said once for every variant, by `problems`.
        Refusal::NotApproved(_) => return None,
        Refusal::TextChanged(changes) => Problem::error(format!(
            "variant `{v}` changed since its approval: {}",
            describe(changes)
        ))
        .in_file(approvals::FILE)
        .help(again),
        Refusal::SourceChanged { source, changes } => {
            let template = campaign
                .manifest
                .manifest
                .variants
                .get(v)
                .and_then(|s| s.template.clone())
                .unwrap_or_else(|| campaign.manifest.manifest.letter.template.clone());
            Problem::error(format!(
                "variant `{v}` translates `{source}`, whose text changed since the translation was approved: {}",
                describe(changes)
            ))
            .in_file(approvals::FILE)
            .help(format!(
                "update {template} to match, then `lettermerge approve --variant {v}` (a plain `approve` leaves it stale)"
            ))
        }
        Refusal::ListChanged(change) => {
            Problem::warning(format!("variant `{v}` signatories: {change}"))
                .in_file(approvals::FILE)
                .help(format!(
                    "`send` refuses until `lettermerge approve --list --variant {v}`"
                ))
        }
        Refusal::JournalBehind { .. } => Problem::error(format!("variant `{v}`: {r}"))
            .in_file(".lettermerge/journal.jsonl")
            .help(journal_help()),
        // An embargo is a time, not a fault; a malformed one is the manifest's problem, reported with it.
        Refusal::Embargoed(_) | Refusal::BadEmbargo(_) => return None,
    };
    Some(p)
}

/// Why sign-off lets a variant go, in the words of the summary: "approved DATE by WHO", or that it need not be.
pub fn approved_words(approved: &Approved) -> String {
    match approved {
        Approved::By { date, by } => format!("approved {date} by {by}"),
        Approved::NotRequired => "not approved; sign-off is not required".into(),
    }
}

fn journal_help() -> &'static str {
    "restore .lettermerge/journal.jsonl from your backup; if it is lost for good, `send --journal-lost` sends every \
     letter it does not list (offices may get a second copy)"
}

/// One line per variant: whether `send` would go.
pub fn summary_line(name: &str, verdict: &Verdict) -> String {
    match verdict {
        Verdict::Ready(approved) => {
            format!(
                "variant `{name}`: ready to send ({})",
                approved_words(approved)
            )
        }
        Verdict::Public(rs) if rs.is_empty() => {
            format!("variant `{name}`: a public copy, never sent")
        }
        Verdict::Public(rs) => format!(
            "variant `{name}`: a public copy, never sent; not ready to publish: {}",
            rs.iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join("; ")
        ),
        Verdict::Refused(rs) => format!(
            "variant `{name}`: `send` would refuse it: {}",
            rs.iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join("; ")
        ),
    }
}

/// `send`'s gate: every selected variant must be ready, or nothing is sent.
pub fn gate(campaign: &Campaign, variants: &[String], how: Sending) -> Result<(), Error> {
    let s = Signoff::new(campaign, variants).map_err(Error::Campaign)?;
    let mut reasons = Vec::new();
    for v in s.selected() {
        let Verdict::Refused(refusals) = s.verdict(&v.name, how) else {
            continue;
        };
        let n = &v.name;
        for r in refusals {
            reasons.push(match r {
                Refusal::ApprovalsMissing => "approvals.toml is missing, but the journal shows approved letters \
                                              were sent; restore it from git (git checkout -- approvals.toml)"
                    .to_string(),
                Refusal::NotApproved(why) => {
                    format!("`{n}` is not approved ({why}): lettermerge approve --variant {n}")
                }
                Refusal::SourceChanged { .. } => format!(
                    "`{n}` {r}; update the translation, then `lettermerge approve --variant {n}`"
                ),
                Refusal::ListChanged(l) => format!(
                    "`{n}` signatories: {l} (accept with `lettermerge approve --list --variant {n}`)"
                ),
                Refusal::Embargoed(until) => format!(
                    "`{n}` is embargoed until {until} (--ignore-embargo sends anyway)"
                ),
                Refusal::JournalBehind { .. } => format!("`{n}`: {r}; {}", journal_help()),
                other => format!("`{n}` {other}"),
            });
        }
    }
    reasons.dedup();
    if reasons.is_empty() {
        Ok(())
    } else {
        Err(Error::SignOff { reasons })
    }
}
