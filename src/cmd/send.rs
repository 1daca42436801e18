//! `lettermerge send`: the safety rails around delivery — sign-off, embargo, summary, confirmation — then
//! [`deliver::send`](crate::deliver::send).

use std::io::{IsTerminal, Write};
use std::path::Path;
use std::sync::Mutex;
use std::time::Duration;

use indicatif::{ProgressBar, ProgressStyle};

use crate::check::preflight;
use crate::cli::SendArgs;
use crate::deliver::journal::Journal;
use crate::deliver::send::{self, Decision, Delivered, Item, Route, Run};
use crate::deliver::smtp::{self, Mailer, SmtpConfig};
use crate::diag::{Problem, Problems};
use crate::error::{count, Error, Result};
use crate::plan::Recipients;
use crate::render::outputs::Outputs;
use crate::render::Renderer;
use crate::signoff;

use super::Verbosity;

pub fn run(dir: &Path, args: &SendArgs, v: Verbosity) -> Result<()> {
    let campaign = super::load(dir)?;
    let plan = super::plan(&campaign, &args.selection)?;
    // Sign-off, embargo and a lost journal: the rules live in crate::signoff. A dry run is judged as the real run.
    let records = args.outbox.is_none()
        && args.redirect.is_none()
        && campaign.manifest.manifest.smtp.is_some();
    let how = signoff::Sending {
        ignore_embargo: args.ignore_embargo,
        journal_lost: args.journal_lost,
        records,
    };
    signoff::report::gate(&campaign, &args.selection.variants, how)?;
    let renderer = Renderer::new(&plan)?;
    let attach_pdf = plan
        .variants
        .iter()
        .any(|v| campaign.templates[&v.template].front.attach_pdf);
    let outputs = Outputs::new(&campaign, attach_pdf)?;
    // `[smtp]` was parsed with the manifest; its other rules are `check`'s too.
    let smtp_problems = preflight::smtp(&campaign);
    if smtp_problems.has_errors() {
        return Err(Error::Campaign(smtp_problems));
    }
    let smtp_cfg: Option<&SmtpConfig> = campaign.manifest.manifest.smtp.as_ref();

    // What each letter needs, from the journal; public copies are never sent.
    let (journal, warnings) =
        if args.dry_run || args.outbox.is_some() || smtp_cfg.is_none() || args.redirect.is_some() {
            Journal::read(dir)
        } else {
            Journal::open(dir)
        }
        .map_err(Error::Refused)?;
    for w in &warnings {
        eprintln!("warning: {w}");
    }
    let mut problems = Problems::new();
    let mut items = Vec::new();
    for letter in super::selected(&plan, &args.selection)? {
        if matches!(letter.variant.recipients, Recipients::Public) {
            continue;
        }
        match send::message(&renderer, &outputs, &letter) {
            Ok((r, email)) => {
                let decision = send::decide(&journal, &r.id, &email.hash, &r.channel, args.resend);
                items.push(Item {
                    id: r.id,
                    hash: email.hash,
                    decision,
                    to: email.to,
                    letter,
                });
            }
            Err(p) => problems.push(p),
        }
    }
    let mut summary = summarize(&items);
    if problems.has_errors() {
        summary.push_str(&format!(
            "Cannot be sent: {} (the errors are listed at the end)\n",
            count(problems.errors(), "letter")
        ));
    }
    if !v.quiet || args.dry_run {
        print!("{summary}");
    }
    // A letter left uncertain may never have arrived: the run must say so in its exit status too, or
    // `send --yes && echo done` would take it as complete. (A letter changed since it was sent did arrive, in its
    // earlier version; it is reported above and re-sent only with --resend.)
    for i in &items {
        let why = match i.decision {
            Decision::Uncertain => "uncertain: a run stopped while sending it, and it may have arrived; check, then --resend",
            _ => continue,
        };
        if !args.dry_run {
            problems.push(Problem::error(format!("letter {}: {why}", i.id)));
        }
    }
    if args.dry_run {
        if let Some(first) = items.iter().find(|i| i.decision == Decision::Send) {
            let (_, email) = send::message(&renderer, &outputs, &first.letter)
                .map_err(|p| Error::Campaign(p.into()))?;
            println!("\nThe first message ({}), as it would be sent:\n", first.id);
            std::io::stdout().write_all(&email.bytes).ok();
        }
        return finish(problems, &[], items.len(), "Sent");
    }
    let to_send = items
        .iter()
        .filter(|i| i.decision == Decision::Send)
        .count();
    if to_send == 0 {
        return finish(problems, &[], items.len(), "Sent");
    }

    let route_name = match (&args.redirect, &args.outbox, &smtp_cfg) {
        (Some(a), _, Some(c)) => format!("to {a} (a test copy) through {}", c.host),
        (_, Some(d), _) => format!("as .eml files to {}", d.display()),
        (_, None, None) => {
            "as .eml files to the outbox (no [smtp] in lettermerge.toml)".to_string()
        }
        (_, None, Some(c)) => format!("through {}", c.host),
    };
    if !args.yes {
        confirm(&format!("Send {} {route_name}?", count(to_send, "letter")))?;
    }

    let password;
    let mailer;
    let route = match (&args.outbox, &smtp_cfg) {
        (Some(d), _) => Route::Outbox(d.clone()),
        (None, None) => {
            Route::Outbox(preflight::outbox(&campaign).map_err(|p| Error::Campaign(p.into()))?)
        }
        (None, Some(cfg)) => {
            password = smtp::password(cfg).map_err(Error::Refused)?;
            mailer = Mailer::connect(cfg, password, dir)
                .map_err(|e| Error::Refused(format!("cannot send: {e}")))?;
            match &args.redirect {
                Some(a) => Route::Redirect(&mailer, a.clone()),
                None => Route::Smtp(&mailer),
            }
        }
    };
    let workers = smtp_cfg.map_or(1, SmtpConfig::connections);
    let mut outbox = String::new();
    let journal = Mutex::new(journal);
    let bar = progress(to_send, v);
    let done = std::sync::atomic::AtomicUsize::new(0);
    let approvals = campaign.approvals.clone();
    let approval = move |variant: &str| {
        approvals
            .as_ref()
            .and_then(|a| a.variants.get(variant))
            .map(|a| a.text[..16].to_string())
    };
    let on_progress = |d: &Delivered| {
        let n = done.fetch_add(1, std::sync::atomic::Ordering::SeqCst) + 1;
        match &bar {
            Some(b) => {
                b.inc(1);
                if let Err(e) = &d.result {
                    b.println(format!("failed: {}: {e}", d.id));
                }
            }
            None if !v.quiet && (n.is_multiple_of(100) || n == to_send) => {
                eprintln!("{n} of {to_send} letters done")
            }
            None => {}
        }
    };
    let run = Run {
        renderer: &renderer,
        outputs: &outputs,
        journal: &journal,
        route,
        workers,
        attempts: 3,
        backoff: Duration::from_millis(500),
        approval: &approval,
        progress: &on_progress,
        items: &items,
    };
    let verb = match &run.route {
        Route::Smtp(_) => "Sent",
        Route::Redirect(..) => "Sent test copies of (nothing recorded as sent)",
        Route::Outbox(d) => {
            outbox = d.display().to_string();
            "Wrote to the outbox (nothing recorded as sent)"
        }
    };
    let recorded = run.route.records();
    let delivered = run.deliver();
    drop(run);
    if let Some(b) = bar {
        b.finish_and_clear();
    }
    if recorded {
        // approvals.toml keeps the count of letters sent, so a lost journal cannot make a later run send them again.
        if let Ok(j) = journal.lock() {
            if let Err(p) = signoff::sent::record(dir, &j, args.journal_lost) {
                eprintln!("warning: {p}");
            }
        }
    }
    if !outbox.is_empty() && !v.quiet {
        println!("Messages are in {outbox}/VARIANT/.");
    }
    finish(problems, &delivered, items.len(), verb)
}

fn summarize(items: &[Item]) -> String {
    let n = |d: &dyn Fn(&Decision) -> bool| items.iter().filter(|i| d(&i.decision)).count();
    let mut s = format!(
        "To send: {}\n",
        count(n(&|d| *d == Decision::Send), "letter")
    );
    let already = n(&|d| *d == Decision::AlreadySent);
    if already > 0 {
        s.push_str(&format!("Already sent, skipped: {already}\n"));
    }
    for i in items.iter().filter(|i| i.decision == Decision::Changed) {
        s.push_str(&format!(
            "Changed since it was sent, not re-sent without --resend: {}\n",
            i.id
        ));
    }
    for i in items.iter().filter(|i| i.decision == Decision::Uncertain) {
        s.push_str(&format!("Uncertain (a run stopped while sending it; it may have arrived): {} — check, then --resend\n", i.id));
    }
    let by_hand: Vec<String> = items
        .iter()
        .filter_map(|i| match &i.decision {
            Decision::ByHand(c) => Some(format!("{} ({c})", i.id)),
            _ => None,
        })
        .collect();
    if !by_hand.is_empty() {
        s.push_str(&format!("To deliver by hand: {}\n", by_hand.join(", ")));
    }
    s
}

fn confirm(question: &str) -> Result<()> {
    if !std::io::stdin().is_terminal() {
        return Err(Error::Refused(format!(
            "{question} — no terminal to confirm on, so nothing was sent; add --yes"
        )));
    }
    eprint!("{question} [y/N] ");
    let mut answer = String::new();
    std::io::stdin()
        .read_line(&mut answer)
        .map_err(|e| Error::Refused(e.to_string()))?;
    if matches!(answer.trim(), "y" | "Y" | "yes") {
        Ok(())
    } else {
        Err(Error::Refused("nothing was sent".into()))
    }
}

fn progress(total: usize, v: Verbosity) -> Option<ProgressBar> {
    if v.quiet || !std::io::stderr().is_terminal() {
        return None;
    }
    let bar = ProgressBar::new(total as u64);
    bar.set_style(
        ProgressStyle::with_template("{bar:40} {pos}/{len} letters  {per_sec}  ETA {eta}")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    Some(bar)
}

/// `total` counts the letters that rendered; `problems` holds one error per letter that did not, so those count too.
fn finish(problems: Problems, delivered: &[Delivered], total: usize, verb: &str) -> Result<()> {
    let total = total + problems.errors();
    let mut failed = problems;
    let mut sent = 0;
    for d in delivered {
        match &d.result {
            Ok(_) => sent += 1,
            Err(e) => failed.push(Problem::error(format!("letter {}: {e}", d.id))),
        }
    }
    if !delivered.is_empty() {
        println!(
            "{verb} {}; failed {}.",
            count(sent, "letter"),
            failed.errors()
        );
    }
    if failed.has_errors() {
        return Err(Error::Letters {
            failed: failed.errors(),
            total,
            problems: failed,
        });
    }
    Ok(())
}
