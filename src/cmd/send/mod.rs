//! `lettermerge send`: the safety rails around delivery — sign-off, embargo, summary, confirmation — then
//! [`deliver::send`](crate::deliver::send).

mod overlap;
mod report;

use std::io::IsTerminal;
use std::path::Path;
use std::sync::Mutex;
use std::time::Duration;

use indicatif::{ProgressBar, ProgressStyle};
use rayon::prelude::*;

use crate::check::{limits, preflight};
use crate::cli::SendArgs;
use crate::deliver::journal::Journal;
use crate::deliver::moved::Moved;
use crate::deliver::send::{self, Decision, Delivered, Outcome, Resend, Route, Run, Tally, Todo};
use crate::deliver::smtp::{self, Mailer, SmtpConfig};
use crate::deliver::track::{hand_file, OutDir};
use crate::diag::{Problem, Problems};
use crate::error::{count, Error, Result};
use crate::plan::channel::{Channel, CONTACT_FORM};
use crate::plan::stream::{Pick, BATCH};
use crate::render::outputs::Outputs;
use crate::signoff;

use super::Verbosity;

use report::{dry_run_view, finish, summarize, uncertain_problem, Decided, HandLetter, Sentence};

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
    let renderer = super::renderer(&campaign, &plan)?;
    let attach_pdf = plan
        .variants
        .iter()
        .any(|v| campaign.templates[&v.template].front.attach_pdf);
    // A strict `[channels.email]` limit is a refusal in `send` as in `check`; its pages need the PDF engine.
    let strict = limits::strict_email(&campaign);
    let strict_pages = strict.is_some_and(|l| l.max_pages.is_some()) && cfg!(feature = "pdf");
    let outputs = Outputs::new(&campaign, attach_pdf || strict_pages)?;
    let limits = strict.map(|_| limits::Limits::new(&campaign, Some(&outputs)).0);
    // `[smtp]` was parsed with the manifest; its other rules are `check`'s too.
    let mut smtp_problems = preflight::smtp(&campaign);
    smtp_problems.extend(preflight::channels(&campaign));
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
        }?;
    for w in &warnings {
        eprintln!("warning: {w}");
    }
    let moved = Moved::find(&campaign, &journal);
    // `--resend --only ID` is the coordinator saying this letter is new for its office, whatever went before.
    let named_resend = args.resend && !args.selection.only.is_empty();
    // Every picked letter is rendered and judged against the journal, batch by batch; what is kept of a letter to
    // send is its number and what the summary counted of it (24 bytes), so the run stays flat for a million letters.
    let mut problems = Problems::new();
    // Letters of the other channels are the coordinator's to deliver: `render` writes their files.
    let out = OutDir::new(
        &campaign.dir,
        campaign.manifest.manifest.output.dir.as_str(),
        Vec::new(),
    );
    // `--limit N` sends at most N letters: every letter is judged, and the first N that need sending go, so the
    // next run with the same limit sends the next N (a provider's daily cap, sending in waves).
    let pick = Pick {
        limit: None,
        ..super::pick(&args.selection)
    };
    let pool = rayon::ThreadPoolBuilder::new()
        .thread_name(|i| format!("lettermerge-send-{i}"))
        .build()
        .map_err(Error::Threads)?;
    let mut decided = Decided {
        resend_unnamed: args.resend && args.selection.only.is_empty(),
        ..Decided::default()
    };
    let resend = Resend::new(args.resend, !args.selection.only.is_empty());
    let mut by_hand = Vec::new();
    let mut todo: Vec<Todo> = Vec::new();
    let (mut n, mut picked) = (0usize, 0usize);
    let mut overlap = overlap::Overlap::default();
    let mut held_back = 0usize;
    // With one variant to send there is nothing to compare (and nothing kept per letter).
    let several = plan.variants.iter().filter(|v| !v.is_public()).count() > 1;
    for batch in plan.batches(&pick, BATCH) {
        let batch = batch.map_err(|p| Error::Campaign(p.into()))?;
        let letters = batch.letters();
        picked += letters.len();
        let judged: Vec<Option<std::result::Result<Judged, Problem>>> = pool.install(|| {
            letters
                .par_iter()
                .map(|letter| {
                    // Public copies are never sent.
                    (!letter.variant.is_public()).then(|| {
                        // A message is built (its PDF typeset) here only to compare its hash with the journal's;
                        // a letter the journal has never seen is sent whatever its message, which the sending pass
                        // (or the dry run's view, below) builds once.
                        let hash = |id: &str| journal.entry(id).is_some();
                        judge(&renderer, &outputs, limits.as_ref(), letter, hash)
                    })
                })
                .collect()
        });
        for (letter, judged) in letters.iter().zip(judged) {
            let this = n;
            n += 1;
            let j = match judged {
                None => continue,
                Some(Err(p)) => {
                    problems.push(p);
                    continue;
                }
                Some(Ok(j)) => j,
            };
            let decision = send::decide(&journal, &j.id, &j.hash, j.channel, resend);
            if let (Decision::Send | Decision::Again(_), Some(over)) = (&decision, j.over) {
                problems.push(over);
                continue;
            }
            if decision == Decision::Send && !named_resend {
                if let Some(p) = moved.holds(&journal, letter, &j.id, &j.to) {
                    problems.push(p);
                    held_back += 1;
                    continue;
                }
            }
            decided.items += 1;
            if decision == Decision::ByHand(j.channel) {
                let url = letter
                    .row()
                    .and_then(|row| campaign.recipients.value(row, CONTACT_FORM))
                    .map(str::trim)
                    .filter(|u| !u.is_empty());
                by_hand.push(HandLetter {
                    id: j.id.clone(),
                    channel: j.channel,
                    url: url.map(str::to_string),
                    file: hand_file(&out, &letter.variant.name, &j.stem, j.channel),
                });
            }
            match decision {
                Decision::Send | Decision::Again(_)
                    if args.selection.limit.is_some_and(|l| todo.len() >= l) =>
                {
                    decided.held += 1
                }
                Decision::Send | Decision::Again(_) => {
                    if let Decision::Again(why) = decision {
                        decided.again.push((j.id.clone(), why));
                    }
                    decided.first_send.get_or_insert(this);
                    if several {
                        overlap.add(&letter.variant.name, &j.to);
                    }
                    todo.push(Todo {
                        n: this,
                        guard: j.guard,
                    });
                }
                Decision::AlreadySent => decided.already += 1,
                Decision::Changed => decided.changed.push(j.id),
                Decision::Uncertain => decided.uncertain.push(j.id),
                Decision::Delivered => decided.delivered += 1,
                Decision::ByHand(_) => {}
            }
        }
    }
    super::none_picked(picked, &args.selection)?;
    let to_send = todo.len();
    let mut summary = summarize(&decided, to_send, args.selection.limit, &by_hand);
    if let Some(note) = overlap.note() {
        summary.push_str(&note);
    }
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
    let mut uncertain = Problems::new();
    if !args.dry_run {
        for id in &decided.uncertain {
            uncertain.push(uncertain_problem(
                id,
                "an earlier run handed it to the server and never heard back",
            ));
        }
    }
    let items = decided.items;
    if args.dry_run {
        if let Some(first) = decided.first_send {
            // The first letter to send, read again: the dry run shows that one message.
            let one = Pick {
                limit: Some(first + 1),
                ..pick.clone()
            };
            // Only the stream's last letter is the one to show: the letters before it are not rendered again (one
            // that cannot render is listed above and must not hide the view).
            let mut last_batch = None;
            for batch in plan.batches(&one, BATCH) {
                let batch = batch.map_err(|p| Error::Campaign(p.into()))?;
                if !batch.letters().is_empty() {
                    last_batch = Some(batch);
                }
            }
            let shown = match last_batch.as_ref().and_then(|b| b.letters().pop()) {
                Some(letter) => Some(
                    renderer
                        .render(&letter)
                        .map_err(|p| Error::Campaign(p.into()))?,
                ),
                None => None,
            };
            if let Some(r) = shown {
                let email = match &args.redirect {
                    Some(to) => outputs.test_copy(&r, to),
                    None => outputs.email(&r, false),
                }
                .map_err(|p| Error::Campaign(p.into()))?;
                print!(
                    "{}",
                    dry_run_view(&r.id, &email, r.attach_pdf && todo.len() > 1)
                );
            }
        }
        return finish(
            problems,
            uncertain,
            &Tally::default(),
            items,
            Sentence::Sent,
            held_back,
        );
    }
    if args.redirect.is_some() && smtp_cfg.is_none() {
        return Err(Error::RedirectWithoutSmtp);
    }
    if to_send == 0 {
        return finish(
            problems,
            uncertain,
            &Tally::default(),
            items,
            Sentence::Sent,
            held_back,
        );
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
            password = smtp::password(cfg)?;
            mailer = Mailer::connect(cfg, password, dir).map_err(Error::Connect)?;
            match &args.redirect {
                Some(a) => Route::Redirect(&mailer, a.clone()),
                None => Route::Smtp(&mailer),
            }
        }
    };
    let workers = smtp_cfg.map_or(1, SmtpConfig::connections);
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
                match &d.outcome {
                    Outcome::Failed(e) => b.println(format!("failed: {}: {e}", d.id)),
                    Outcome::Uncertain(e) => b.println(format!("uncertain: {}: {e}", d.id)),
                    Outcome::Done(_) => {}
                }
            }
            None if !v.quiet && (n.is_multiple_of(100) || n == to_send) => {
                eprintln!("{n} of {to_send} letters done")
            }
            None => {}
        }
    };
    // Ctrl-C from here on lets the letters being handed over finish (a letter cut mid-message would be uncertain),
    // then stops; a second Ctrl-C ends at once.
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    crate::signals::watch(
        stop.clone(),
        "Stopping: the letters being handed over finish, and no other starts (Ctrl-C again to quit at once)",
    );
    let run = Run {
        plan: &plan,
        pick: &pick,
        todo: &todo,
        renderer: &renderer,
        outputs: &outputs,
        journal: &journal,
        route,
        workers,
        attempts: 3,
        backoff: Duration::from_millis(500),
        approval: &approval,
        progress: &on_progress,
        stop: &stop,
    };
    let sentence = match &run.route {
        Route::Smtp(_) => Sentence::Sent,
        Route::Redirect(_, to) => Sentence::TestCopies(to.email.to_string()),
        Route::Outbox(d) => Sentence::Outbox(d.display().to_string()),
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
    if v.quiet {
        return finish(
            problems,
            uncertain,
            &delivered,
            items,
            Sentence::Quiet,
            held_back,
        );
    }
    finish(problems, uncertain, &delivered, items, sentence, held_back)
}

/// One letter rendered for judging: what the journal compares and how it travels.
struct Judged {
    id: String,
    /// The message's hash when the journal has a record of the letter, else empty.
    hash: String,
    /// What the sending pass compares.
    guard: send::Guard,
    channel: Channel,
    stem: String,
    /// Over a strict `[channels.email]` limit: refused if the journal says it is to be sent.
    over: Option<Problem>,
    /// The envelope's addresses of an email the journal has never seen (else empty).
    to: Vec<String>,
}

/// Renders the letter and, for an email, its message, whose hash the journal compares.
fn judge(
    renderer: &crate::render::Renderer,
    outputs: &Outputs,
    limits: Option<&limits::Limits>,
    letter: &crate::plan::Letter,
    needs_hash: impl Fn(&str) -> bool,
) -> std::result::Result<Judged, Problem> {
    let r = renderer.render(letter)?;
    // Judged after the journal: a letter already sent is skipped, not refused, whatever the limit says now.
    let over = limits
        .filter(|_| r.channel.is_email())
        .and_then(|l| l.letter(&r).into_iter().find(Problem::is_error));
    let mut to = Vec::new();
    let (hash, guard) = if r.channel.is_email() && needs_hash(&r.id) {
        let hash = outputs.email(&r, false)?.hash;
        let guard = send::Guard::Message(send::short_hash(&hash));
        (hash, guard)
    } else {
        if r.channel.is_email() {
            // What can refuse the letter is checked now, in the summary: its addresses and its files.
            to = outputs.recipients(&r)?;
            outputs.read_attachments(&r)?;
        }
        (String::new(), send::Guard::Letter(send::letter_hash(&r)))
    };
    Ok(Judged {
        id: r.id,
        hash,
        guard,
        channel: r.channel,
        stem: r.file_stem,
        over,
        to,
    })
}

fn confirm(question: &str) -> Result<()> {
    if !std::io::stdin().is_terminal() {
        return Err(Error::NoTerminal {
            question: question.to_string(),
        });
    }
    eprint!("{question} [y/N] ");
    let mut answer = String::new();
    std::io::stdin()
        .read_line(&mut answer)
        .map_err(Error::Answer)?;
    if matches!(answer.trim(), "y" | "Y" | "yes") {
        Ok(())
    } else {
        Err(Error::Declined)
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
