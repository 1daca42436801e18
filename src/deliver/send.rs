//! Sending a campaign (README, "Sending"): decide what each letter needs from the journal, then deliver each exactly once.
//!
//! Every letter is journaled `sending` (fsynced) before its message is handed to the server and `sent` or `failed`
//! after, so a crash leaves at most the letters in flight as "uncertain": reported, never silently re-sent.

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::Duration;

use crate::diag::Problem;
use crate::plan::stream::{Pick, BATCH};
use crate::plan::{Letter, Plan};
use crate::render::eml::with_date;
use crate::render::outputs::Outputs;
use crate::render::{Rendered, Renderer};
use lettre::message::Mailbox;

use super::files::write_atomic;
use super::journal::{self, Journal, Record};
use super::smtp::{send_with_retry, Envelope, Mailer, SendError};
use super::state::SendState;
use crate::plan::channel::Channel;

/// What a letter needs, judged from the journal before anything is sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    Send,
    /// Sent before with this very content.
    AlreadySent,
    /// Sent before, but its content changed since: only `--resend` sends it again.
    Changed,
    /// Left at `sending` by a crash, or `uncertain` (handed over, never confirmed): it may have gone out. Only
    /// `--resend` sends it again.
    Uncertain,
    /// Marked `delivered` (or `replied`, `meeting`…) since it was last sent, or never sent and marked: the office has
    /// it. Only `--resend` with `--only` sends it again.
    Delivered,
    /// Sent again because `--resend` asked: the office may get a second copy.
    Again(Again),
    /// Not an email: the coordinator delivers it and marks it.
    ByHand(Channel),
}

/// Why a letter the office may already have is sent again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Again {
    /// Its content changed since it was sent.
    Changed,
    /// It was handed to a server that never confirmed it.
    Uncertain,
    /// It was sent with this very content, or marked as received: only a letter named with `--only`.
    Named,
}

/// How far `--resend` reaches. A bare `--resend` is the answer to what `send` lists as "not re-sent without
/// --resend" (changed and uncertain letters); a letter the office surely has is sent again only when it is named
/// with `--only`, so that `send --resend` on a whole campaign can never send every office a second copy.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Resend {
    No,
    ChangedOrUncertain,
    Named,
}

impl Resend {
    pub fn new(resend: bool, named: bool) -> Resend {
        match (resend, named) {
            (false, _) => Resend::No,
            (true, false) => Resend::ChangedOrUncertain,
            (true, true) => Resend::Named,
        }
    }
}

/// A letter to send, with what the summary counted of it.
#[derive(Debug)]
pub struct Item<'p, 'c> {
    pub letter: Letter<'p, 'c>,
    pub id: String,
    pub guard: Guard,
}

/// What the deciding pass keeps of a letter to send: its number in the stream of picked letters and what it counted
/// of the letter. 24 bytes a letter, so a million letters to send cost 24 MB, not their messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Todo {
    pub n: usize,
    pub guard: Guard,
}

/// What the sending pass compares with the summary, to refuse a letter that changed in between (a table saved
/// during the run).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Guard {
    /// The short hash of the message: the journal has a record of the letter, and whether it goes again turned on
    /// that hash.
    Message(u64),
    /// [`letter_hash`] of the rendered letter: a letter the journal has never seen goes whatever its message, so its
    /// message is built once, when it is sent. The message is a function of the rendered letter and of files the run
    /// reads once (attachments, the PDF layout's files), so an equal letter means an equal message.
    Letter(u64),
}

impl Guard {
    /// Whether the letter the sending pass rendered, and its message, are the ones the summary counted.
    pub fn holds(self, rendered: &Rendered, email: &crate::render::eml::Email) -> bool {
        match self {
            Guard::Message(h) => short_hash(&email.hash) == h,
            Guard::Letter(h) => letter_hash(rendered) == h,
        }
    }
}

/// 64 bits of everything a rendered letter says (its text, cover note, headers, attachments and their names, date,
/// language, channel); the process's hasher, so only for comparing within one run.
pub fn letter_hash(r: &Rendered) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut h = std::hash::DefaultHasher::new();
    (&r.id, &r.variant, &r.key, &r.signatory, &r.signatories).hash(&mut h);
    (&r.markdown, &r.cover, &r.attachments, r.attach_pdf).hash(&mut h);
    (&r.attachment_name, &r.file_stem, &r.lang, r.date, r.channel).hash(&mut h);
    let hd = &r.headers;
    for list in [hd.from.as_slice(), &hd.to, &hd.cc, &hd.bcc, &hd.reply_to] {
        list.len().hash(&mut h);
        for mailbox in list {
            mailbox.to_string().hash(&mut h);
        }
    }
    hd.subject.hash(&mut h);
    h.finish()
}

/// The first 64 bits of a message's SHA-256 (hex): enough to notice that a letter changed between the summary and
/// its sending.
pub fn short_hash(hex: &str) -> u64 {
    hex.get(..16)
        .and_then(|h| u64::from_str_radix(h, 16).ok())
        .unwrap_or_else(|| crate::load::table::dups::hash(hex))
}

/// The outcomes of a run: the letters delivered counted, the others kept to be reported.
#[derive(Debug, Default)]
pub struct Tally {
    pub done: usize,
    /// Failed and uncertain letters, in plan order.
    pub undone: Vec<Delivered>,
    /// The run stopped before these many letters: the table could not be read again.
    pub stopped: Option<(usize, Problem)>,
}

impl Tally {
    pub fn is_empty(&self) -> bool {
        self.done == 0 && self.undone.is_empty() && self.stopped.is_none()
    }
}

/// Where messages go.
pub enum Route<'m> {
    Smtp(&'m Mailer),
    /// A test copy of every message to this one address (see [`Outputs::test_copy`]); nothing recorded as sent.
    Redirect(&'m Mailer, Mailbox),
    /// `.eml` files into this folder; nothing recorded as sent.
    Outbox(PathBuf),
}

impl Route<'_> {
    pub fn records(&self) -> bool {
        matches!(self, Route::Smtp(_))
    }
}

/// The outcome of one letter.
#[derive(Debug, Clone, PartialEq)]
pub struct Delivered {
    pub id: String,
    pub outcome: Outcome,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    /// Sent (the server's reply) or written (where).
    Done(String),
    /// Not delivered: why.
    Failed(String),
    /// Handed over without a confirmation: it may have arrived, so it is never sent again without `--resend`.
    Uncertain(String),
}

/// Renders a letter's message as `send` sends it (Bcc only in the envelope).
pub fn message(
    renderer: &Renderer,
    outputs: &Outputs,
    letter: &Letter,
) -> Result<(Rendered, crate::render::eml::Email), Problem> {
    let r = renderer.render(letter)?;
    let email = outputs.email(&r, false)?;
    Ok((r, email))
}

/// Judges each letter against the journal.
pub fn decide(
    journal: &Journal,
    id: &str,
    hash: &str,
    channel: Channel,
    resend: Resend,
) -> Decision {
    let entry = journal.entry(id);
    let office_has_it = entry.is_some_and(|e| e.office_has_it());
    if !channel.is_email() {
        return if office_has_it {
            Decision::Delivered
        } else {
            Decision::ByHand(channel)
        };
    }
    if office_has_it {
        return match resend {
            Resend::Named => Decision::Again(Again::Named),
            _ => Decision::Delivered,
        };
    }
    let Some((state, sent)) = entry.and_then(|e| Some((e.send_state()?, e.hash))) else {
        return Decision::Send;
    };
    match (state, resend) {
        (SendState::Failed, _) => Decision::Send,
        (SendState::Sending | SendState::Uncertain, Resend::No) => Decision::Uncertain,
        (SendState::Sending | SendState::Uncertain, _) => Decision::Again(Again::Uncertain),
        (_, Resend::Named) if sent == short_hash(hash) => Decision::Again(Again::Named),
        _ if sent == short_hash(hash) => Decision::AlreadySent,
        (_, Resend::No) => Decision::Changed,
        _ => Decision::Again(Again::Changed),
    }
}

pub struct Run<'a, 'c> {
    pub plan: &'a Plan<'c>,
    /// The pick of the deciding pass: letters are numbered in its stream.
    pub pick: &'a Pick,
    /// The letters to send, by number, in order.
    pub todo: &'a [Todo],
    pub renderer: &'a Renderer<'c>,
    pub outputs: &'a Outputs<'c>,
    pub journal: &'a Mutex<Journal>,
    pub route: Route<'a>,
    pub workers: usize,
    pub attempts: u32,
    pub backoff: Duration,
    pub approval: &'a (dyn Fn(&str) -> Option<String> + Sync),
    pub progress: &'a (dyn Fn(&Delivered) + Sync),
    /// Set by Ctrl-C: the letters being handed over finish, and no other starts.
    pub stop: &'a AtomicBool,
}

/// Letters journaled together: one fsync for a batch's `sending` lines and one for its outcomes. A crash can leave
/// at most a batch per worker uncertain, so batches stay small for small campaigns (where a person checks each
/// uncertain letter by hand) and grow for large ones (where one fsync per letter would cap a run near 250 a second).
pub fn batch_size(letters: usize) -> usize {
    (letters / 200).clamp(1, 16)
}

struct Prepared {
    id: String,
    rendered: Rendered,
    email: crate::render::eml::Email,
}

impl Run<'_, '_> {
    /// Delivers every letter of `todo`, reading the plan again batch by batch, `workers` letters at a time.
    pub fn deliver(&self) -> Tally {
        let mut tally = Tally::default();
        // Under `[smtp] rate` a letter is journaled as being sent only once its turn has come: one letter at a time.
        let batch = match &self.route {
            Route::Smtp(m) | Route::Redirect(m, _) if m.is_paced() => 1,
            _ => batch_size(self.todo.len()),
        };
        // The same threads for every part of the plan: a thread started per part begins with a cold allocator, and
        // faulting its pages in cost a tenth of a fast run.
        let workers = match rayon::ThreadPoolBuilder::new()
            .num_threads(self.workers.max(1))
            .thread_name(|i| format!("lettermerge-deliver-{i}"))
            .build()
        {
            Ok(pool) => pool,
            Err(e) => {
                let p = Problem::error(format!("cannot start the sending threads: {e}"));
                tally.stopped = Some((self.todo.len(), p));
                return tally;
            }
        };
        let (mut next, mut n) = (0usize, 0usize);
        for part in self.plan.batches(self.pick, BATCH) {
            if next >= self.todo.len() {
                break;
            }
            let part = match part {
                Ok(p) => p,
                Err(p) => {
                    tally.stopped = Some((self.todo.len() - next, p));
                    return tally;
                }
            };
            let letters = part.letters();
            let mut items = Vec::new();
            for letter in &letters {
                if self.todo.get(next).is_some_and(|t| t.n == n) {
                    items.push(Item {
                        letter: *letter,
                        id: letter.id(),
                        guard: self.todo[next].guard,
                    });
                    next += 1;
                }
                n += 1;
            }
            let handled = self.deliver_items(&workers, &items, batch);
            let stopped = handled.len() < items.len();
            for d in handled {
                match d.outcome {
                    Outcome::Done(_) => tally.done += 1,
                    _ => tally.undone.push(d),
                }
            }
            if stopped || self.stop.load(Ordering::SeqCst) {
                let left = self.todo.len() - tally.done - tally.undone.len();
                if left > 0 {
                    let p = Problem::error(
                        "the run was stopped (Ctrl-C or SIGTERM) before they were handed over; `send` again sends them",
                    );
                    tally.stopped = Some((left, p));
                }
                return tally;
            }
        }
        if next < self.todo.len() && tally.stopped.is_none() {
            let p = Problem::error(format!(
                "{} changed while lettermerge was reading it: fewer letters than counted",
                self.plan.campaign.recipients.path.display()
            ));
            tally.stopped = Some((self.todo.len() - next, p));
        }
        tally
    }

    /// Delivers `items`, `workers` at a time in chunks of `batch`; returns each one's outcome in item order.
    fn deliver_items(
        &self,
        workers: &rayon::ThreadPool,
        items: &[Item],
        batch: usize,
    ) -> Vec<Delivered> {
        let next = AtomicUsize::new(0);
        let results: Mutex<Vec<(usize, Delivered)>> = Mutex::new(Vec::with_capacity(items.len()));
        workers.scope(|s| {
            for _ in 0..workers.current_num_threads() {
                s.spawn(|_| loop {
                    if self.stop.load(Ordering::SeqCst) {
                        break;
                    }
                    let start = next.fetch_add(batch, Ordering::SeqCst);
                    if start >= items.len() {
                        break;
                    }
                    let chunk: Vec<&Item> = items[start..(start + batch).min(items.len())]
                        .iter()
                        .collect();
                    for (k, d) in self.batch(&chunk).into_iter().enumerate() {
                        (self.progress)(&d);
                        if let Ok(mut r) = results.lock() {
                            r.push((start + k, d));
                        }
                    }
                });
            }
        });
        let mut out = results.into_inner().unwrap_or_default();
        out.sort_by_key(|(i, _)| *i);
        out.into_iter().map(|(_, d)| d).collect()
    }

    /// One batch: render, journal `sending`, hand over, journal the outcomes. Returns one result per item, in order.
    fn batch(&self, chunk: &[&Item]) -> Vec<Delivered> {
        let mut results: Vec<Option<Delivered>> = vec![None; chunk.len()];
        let mut ready: Vec<(usize, Prepared)> = Vec::new();
        for (k, item) in chunk.iter().enumerate() {
            let fail = |msg: String| {
                Some(Delivered {
                    id: item.id.clone(),
                    outcome: Outcome::Failed(msg),
                })
            };
            match message(self.renderer, self.outputs, &item.letter) {
                // Rendering is pure: the message must be the one the summary counted.
                Ok((rendered, email)) if !item.guard.holds(&rendered, &email) => {
                    results[k] = fail(
                        "the letter changed while sending (a file was edited?); run send again"
                            .into(),
                    );
                }
                Ok((rendered, email)) => ready.push((
                    k,
                    Prepared {
                        id: item.id.clone(),
                        rendered,
                        email,
                    },
                )),
                Err(p) => results[k] = fail(p.to_string()),
            }
        }
        let (mailer, redirect) = match &self.route {
            Route::Outbox(dir) => {
                for (k, p) in ready {
                    let path = dir
                        .join(&p.rendered.variant)
                        .join(format!("{}.eml", p.rendered.file_stem));
                    let outcome = match write_atomic(&path, &p.email.bytes) {
                        Ok(()) => Outcome::Done(format!("written to {}", path.display())),
                        Err(e) => Outcome::Failed(format!("cannot write {}: {e}", path.display())),
                    };
                    results[k] = Some(Delivered { id: p.id, outcome });
                }
                return results.into_iter().flatten().collect();
            }
            Route::Redirect(m, addr) => (*m, Some(addr.clone())),
            Route::Smtp(m) => (*m, None),
        };
        for _ in &ready {
            mailer.pace();
        }
        // Stopped while waiting for their turn: these were never journaled, and the summary counts them as not sent.
        if self.stop.load(Ordering::SeqCst) {
            return results.into_iter().flatten().collect();
        }
        if self.route.records() {
            let sending: Vec<Record> = ready
                .iter()
                .map(|(_, p)| self.record(p, SendState::Sending, None))
                .collect();
            if let Err(e) = self.append(&sending) {
                for (k, p) in ready {
                    results[k] = Some(Delivered {
                        id: p.id,
                        outcome: Outcome::Failed(format!(
                            "cannot write the journal, so nothing was sent: {e}"
                        )),
                    });
                }
                return results.into_iter().flatten().collect();
            }
        }
        let mut outcomes = Vec::new();
        for (k, mut p) in ready {
            // A test copy is its own message, to the one address, and nothing else.
            let (envelope, bytes) = match &redirect {
                Some(to) => match self.outputs.test_copy(&p.rendered, to) {
                    Ok(copy) => (
                        Envelope {
                            from: copy.from,
                            to: vec![to.email.to_string()],
                        },
                        copy.bytes,
                    ),
                    Err(e) => {
                        results[k] = Some(Delivered {
                            id: p.id,
                            outcome: Outcome::Failed(e.to_string()),
                        });
                        continue;
                    }
                },
                None => (
                    Envelope {
                        from: p.email.from.clone(),
                        to: p.email.to.clone(),
                    },
                    std::mem::take(&mut p.email.bytes),
                ),
            };
            // Dated when it is handed over; the journal's hash leaves `Date` out.
            let bytes = std::sync::Arc::new(with_date(bytes, chrono::Utc::now()));
            let (record, outcome) =
                match send_with_retry(mailer, &envelope, &bytes, self.attempts, self.backoff) {
                    Ok(o) => (
                        self.record(&p, SendState::Sent, Some(o.reply.clone())),
                        Outcome::Done(o.reply),
                    ),
                    // It may have gone out: recorded as such, and never retried, in this run or later, without --resend.
                    Err(SendError::Uncertain(e)) => (
                        self.record(&p, SendState::Uncertain, Some(e.clone())),
                        Outcome::Uncertain(e),
                    ),
                    Err(e) => (
                        self.record(&p, SendState::Failed, Some(e.text().to_string())),
                        Outcome::Failed(e.to_string()),
                    ),
                };
            outcomes.push(record);
            results[k] = Some(Delivered { id: p.id, outcome });
        }
        if self.route.records() {
            if let Err(e) = self.append(&outcomes) {
                // The `sending` lines are on disk, so these letters read as uncertain: which they are, to us.
                for d in results.iter_mut().flatten() {
                    if let Outcome::Done(reply) = &d.outcome {
                        d.outcome = Outcome::Uncertain(format!(
                            "the server accepted it ({reply}), but the journal could not record it ({e})"
                        ));
                    }
                }
            }
        }
        results.into_iter().flatten().collect()
    }

    fn record(&self, p: &Prepared, state: SendState, reply: Option<String>) -> Record {
        let r = &p.rendered;
        Record {
            at: journal::now(),
            id: r.id.clone(),
            variant: r.variant.clone(),
            key: r.key.clone(),
            signatory: r.signatory.clone(),
            signer: r.signer.clone(),
            signatories: r.signatories.clone(),
            approval: (self.approval)(&r.variant),
            hash: p.email.hash.clone(),
            to: p.email.to.clone(),
            state: state.into(),
            reply,
            message_id: Some(p.email.message_id.clone()),
            note: None,
            channel: None,
        }
    }

    fn append(&self, records: &[Record]) -> std::io::Result<()> {
        let mut j = self
            .journal
            .lock()
            .map_err(|_| std::io::Error::other("journal lock poisoned"))?;
        j.append_all(records)
    }
}

#[cfg(test)]
mod tests {
    use super::letter_hash;
    use crate::load::Campaign;
    use crate::plan::stream::Pick;
    use crate::plan::{Plan, PlanOptions};
    use crate::render::Renderer;

    /// The first send's guard: the same letter rendered twice hashes the same; any change to what it says does not.
    #[test]
    fn letter_hash_is_stable_and_sees_every_change() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let campaign = Campaign::load(dir).expect("the example campaign loads");
        let plan = Plan::new(&campaign, &PlanOptions::default()).expect("it plans");
        let renderer = Renderer::new(&plan).expect("its templates compile");
        let batch = plan.batches(&Pick::all(), 64).next().unwrap().unwrap();
        let letter = batch.letters()[0];
        let one = renderer.render(&letter).unwrap();
        let again = renderer.render(&letter).unwrap();
        assert_eq!(letter_hash(&one), letter_hash(&again));

        let mut text = one.clone();
        text.markdown.push('.');
        let mut subject = one.clone();
        subject.headers.subject = Some("Another subject".into());
        let mut to = one.clone();
        to.headers.to.reverse();
        to.headers
            .cc
            .push("Someone <someone@example.org>".parse().unwrap());
        let mut files = one.clone();
        files.attachments.push("attachments/other.txt".into());
        for changed in [text, subject, to, files] {
            assert_ne!(letter_hash(&one), letter_hash(&changed));
        }
    }
}
