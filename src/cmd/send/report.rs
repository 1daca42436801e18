//! What `send` says: the summary before it asks, the dry run's view of the first message, and the last line that
//! counts each letter once.

use crate::deliver::send::{Again, Outcome, Tally};
use crate::diag::{Problem, Problems};
use crate::error::{count, Error, Result};
use crate::plan::channel::Channel;

/// A letter of another channel, and what its coordinator does with it.
pub(super) struct HandLetter {
    pub(super) id: String,
    pub(super) channel: Channel,
    pub(super) url: Option<String>,
    /// The file to paste or print, and whether `render` wrote it.
    pub(super) file: Option<(String, bool)>,
}

/// What the deciding pass found, counted; only the letters the summary names one by one are kept by id.
#[derive(Default)]
pub(super) struct Decided {
    /// Letters judged (public copies and letters that did not render aside).
    pub(super) items: usize,
    pub(super) already: usize,
    pub(super) delivered: usize,
    pub(super) changed: Vec<String>,
    pub(super) uncertain: Vec<String>,
    /// Letters `--resend` sends again, and why.
    pub(super) again: Vec<(String, Again)>,
    /// `--resend` without `--only`: letters sent as they are stay skipped, and the summary says how to name one.
    pub(super) resend_unnamed: bool,
    /// Letters to send that `--limit` leaves for a later run.
    pub(super) held: usize,
    /// The number of the first letter to send, for the dry run's view.
    pub(super) first_send: Option<usize>,
}

pub(super) fn summarize(
    d: &Decided,
    to_send: usize,
    limit: Option<usize>,
    by_hand: &[HandLetter],
) -> String {
    let mut s = format!("To send: {}\n", count(to_send, "letter"));
    if let (Some(n), true) = (limit, d.held > 0) {
        s.push_str(&format!(
            "Left for a later run (--limit {n}): {}\n",
            count(d.held, "letter")
        ));
    }
    if d.already > 0 {
        s.push_str(&format!("Already sent, skipped: {}\n", d.already));
        if d.resend_unnamed {
            s.push_str(
                "  (--resend sends again only letters that changed or are uncertain; to send one of these again, \
                 name it: --only ID --resend)\n",
            );
        }
    }
    for (id, why) in &d.again {
        let why = match why {
            Again::Changed => "changed since it was sent",
            Again::Uncertain => "uncertain; if the first did arrive, the office gets two",
            Again::Named => "the office has it already and gets a second copy",
        };
        s.push_str(&format!("Sending again (--resend: {why}): {id}\n"));
    }
    for id in &d.changed {
        s.push_str(&format!(
            "Changed since it was sent, not re-sent without --resend: {id}\n"
        ));
    }
    for id in &d.uncertain {
        s.push_str(&format!(
            "Uncertain, not sent again without --resend (it may have arrived): {id}\n"
        ));
    }
    if d.delivered > 0 {
        s.push_str(&format!(
            "Marked as received (delivered, replied, meeting or no response), skipped: {}\n",
            d.delivered
        ));
    }
    if !by_hand.is_empty() {
        s.push_str(&format!(
            "To deliver yourself, then `lettermerge mark ID delivered` ({}):\n",
            count(by_hand.len(), "letter")
        ));
        let width = by_hand.iter().map(|h| h.id.len()).max().unwrap_or(0);
        for h in by_hand {
            let mut how = Vec::new();
            match (&h.url, h.channel) {
                (Some(url), Channel::Webform) => how.push(url.clone()),
                (None, Channel::Webform) => how.push("(no contact_form URL in the row)".into()),
                _ => {}
            }
            if let Some((file, exists)) = &h.file {
                let verb = if h.channel == Channel::Webform {
                    "paste"
                } else {
                    "print"
                };
                let missing = if *exists {
                    ""
                } else {
                    " (not rendered yet: run `lettermerge render`)"
                };
                how.push(format!("{verb} {file}{missing}"));
            }
            s.push_str(&format!(
                "  {:<width$}  {:<8}  {}\n",
                h.id,
                h.channel.words(),
                how.join(" — ")
            ));
        }
    }
    s
}

/// The message as a person reads it before sending: its headers, its text, and its attachments by name, type and
/// size — never their encoded bytes, which would fill the terminal with base64.
/// `others_pdf`: more letters to send carry a PDF, which a dry run does not typeset.
pub(super) fn dry_run_view(
    id: &str,
    email: &crate::render::eml::Email,
    others_pdf: bool,
) -> String {
    let mut s = format!("\nThe first message ({id}), as it would be sent:\n\n");
    for (name, value) in &email.shown {
        let note = if *name == "Bcc" {
            "  (in the envelope only)"
        } else {
            ""
        };
        s.push_str(&format!("{name}: {value}{note}\n"));
    }
    s.push_str("Date: the moment it is handed to the server\n");
    s.push_str(&format!(
        "Envelope: from {} to {}\n\n",
        email.from,
        email.to.join(", ")
    ));
    s.push_str(email.text.trim_end());
    s.push('\n');
    if !email.parts.is_empty() {
        s.push_str("\nAttachments:\n");
        for (name, kind, size) in &email.parts {
            s.push_str(&format!("  {name}  ({kind}, {})\n", count(*size, "byte")));
        }
    }
    if others_pdf {
        s.push_str(
            "\nThe other letters' PDFs are typeset as they are sent (`lettermerge render --format pdf` typesets them \
             all now).\n",
        );
    }
    s
}

/// How the run's last line reads.
pub(super) enum Sentence {
    Sent,
    TestCopies(String),
    Outbox(String),
    Quiet,
}

pub(super) fn uncertain_problem(id: &str, why: &str) -> Problem {
    Problem::error(format!(
        "letter {id} is uncertain: {why}; it may have arrived, so it is not sent again"
    ))
    .help(format!(
        "ask the office (or your mail server's log); if it never arrived: lettermerge send --only {id} --resend"
    ))
}

/// Counts each letter once: sent (or written), failed (`problems` already holds those that did not render), or
/// uncertain (`uncertain` holds those left so by earlier runs). `rendered` counts the letters that rendered.
pub(super) fn finish(
    problems: Problems,
    mut uncertain: Problems,
    delivered: &Tally,
    rendered: usize,
    sentence: Sentence,
    held: usize,
) -> Result<()> {
    let total = rendered + problems.errors();
    let mut failed = problems;
    let done = delivered.done;
    for d in &delivered.undone {
        match &d.outcome {
            Outcome::Done(_) => {}
            Outcome::Failed(e) => failed.push(Problem::error(format!("letter {}: {e}", d.id))),
            Outcome::Uncertain(e) => uncertain.push(uncertain_problem(&d.id, e)),
        }
    }
    // Held-back letters are among the problems, but nothing failed: their offices have them already.
    let (n_failed, n_uncertain) = (failed.errors().saturating_sub(held), uncertain.errors());
    // Letters never tried because the run stopped first are neither failed nor uncertain: the next run sends them.
    let not_sent = delivered.stopped.as_ref().map_or(0, |(left, _)| *left);
    if let Some((left, p)) = &delivered.stopped {
        failed.push(Problem::error(format!(
            "{} not sent: {}",
            count(*left, "letter"),
            p.message
        )));
    }
    let mut tail = Vec::new();
    if n_failed > 0 {
        tail.push(format!("{n_failed} failed"));
    }
    if held > 0 {
        tail.push(format!("{held} held back"));
    }
    if n_uncertain > 0 {
        tail.push(format!(
            "{n_uncertain} {} uncertain",
            if n_uncertain == 1 { "is" } else { "are" }
        ));
    }
    if not_sent > 0 {
        tail.push(format!("{not_sent} not sent"));
    }
    let line = match &sentence {
        _ if delivered.is_empty() => None,
        Sentence::Quiet => None,
        Sentence::Sent => Some(format!("Sent {}", count(done, "letter"))),
        Sentence::TestCopies(to) => Some(format!(
            "Sent {done} test {} to {to}",
            if done == 1 { "copy" } else { "copies" }
        )),
        Sentence::Outbox(dir) => Some(format!(
            "Wrote {} to the outbox, {dir}/VARIANT/",
            count(done, "letter")
        )),
    };
    if let Some(mut line) = line {
        for t in &tail {
            line.push_str("; ");
            line.push_str(t);
        }
        if !matches!(sentence, Sentence::Sent) {
            line.push_str("; nothing is recorded as sent");
        }
        println!("{line}.");
    }
    if n_failed + held + n_uncertain + not_sent > 0 {
        failed.extend(uncertain);
        return Err(Error::Undelivered {
            failed: n_failed,
            held,
            uncertain: n_uncertain,
            not_sent,
            total,
            problems: failed,
        });
    }
    Ok(())
}
