//! Sending a campaign (SPEC §7): decide what each letter needs from the journal, then deliver each exactly once.
//!
//! Every letter is journaled `sending` (fsynced) before its message is handed to the server and `sent` or `failed`
//! after, so a crash leaves at most the letters in flight as "uncertain": reported, never silently re-sent.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::Duration;

use crate::diag::Problem;
use crate::plan::Letter;
use crate::render::outputs::Outputs;
use crate::render::{Rendered, Renderer};

use super::files::write_atomic;
use super::journal::{self, Journal, Record};
use super::smtp::{send_with_retry, Envelope, Mailer, SendError};

/// What a letter needs, judged from the journal before anything is sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    Send,
    /// Sent before with this very content.
    AlreadySent,
    /// Sent before, but its content changed since: only `--resend` sends it again.
    Changed,
    /// Left at `sending` by a crash: it may have gone out. Only `--resend` sends it again.
    Uncertain,
    /// `channel` is `print` or `manual`.
    ByHand(String),
}

#[derive(Debug)]
pub struct Item<'p, 'c> {
    pub letter: Letter<'p, 'c>,
    pub id: String,
    pub hash: String,
    pub decision: Decision,
    pub to: Vec<String>,
}

/// Where messages go.
pub enum Route<'m> {
    Smtp(&'m Mailer),
    /// Every message to this one address; nothing recorded as sent.
    Redirect(&'m Mailer, String),
    /// `.eml` files into this folder; nothing recorded as sent.
    Outbox(PathBuf),
}

impl Route<'_> {
    pub fn records(&self) -> bool {
        matches!(self, Route::Smtp(_))
    }
}

/// The outcome of one letter.
#[derive(Debug, Clone)]
pub struct Delivered {
    pub id: String,
    pub result: Result<String, String>,
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
pub fn decide(journal: &Journal, id: &str, hash: &str, channel: &str, resend: bool) -> Decision {
    if channel != "email" {
        return Decision::ByHand(channel.to_string());
    }
    match journal.latest(id) {
        None => Decision::Send,
        Some(r) if r.state == journal::FAILED => Decision::Send,
        Some(r) if r.state == journal::SENDING => {
            if resend {
                Decision::Send
            } else {
                Decision::Uncertain
            }
        }
        Some(r) if r.hash == hash => {
            if resend {
                Decision::Send
            } else {
                Decision::AlreadySent
            }
        }
        Some(_) => {
            if resend {
                Decision::Send
            } else {
                Decision::Changed
            }
        }
    }
}

pub struct Run<'a, 'p, 'c> {
    pub renderer: &'a Renderer<'c>,
    pub outputs: &'a Outputs<'c>,
    pub journal: &'a Mutex<Journal>,
    pub route: Route<'a>,
    pub workers: usize,
    pub attempts: u32,
    pub backoff: Duration,
    pub approval: &'a (dyn Fn(&str) -> Option<String> + Sync),
    pub progress: &'a (dyn Fn(&Delivered) + Sync),
    pub items: &'a [Item<'p, 'c>],
}

impl Run<'_, '_, '_> {
    /// Delivers every `Send` item, `workers` at a time; returns each one's outcome in item order.
    pub fn deliver(&self) -> Vec<Delivered> {
        let todo: Vec<&Item> = self
            .items
            .iter()
            .filter(|i| i.decision == Decision::Send)
            .collect();
        let next = AtomicUsize::new(0);
        let results: Mutex<Vec<(usize, Delivered)>> = Mutex::new(Vec::with_capacity(todo.len()));
        std::thread::scope(|s| {
            for _ in 0..self.workers.max(1) {
                s.spawn(|| loop {
                    let i = next.fetch_add(1, Ordering::SeqCst);
                    let Some(item) = todo.get(i) else { break };
                    let d = self.one(item);
                    (self.progress)(&d);
                    if let Ok(mut r) = results.lock() {
                        r.push((i, d));
                    }
                });
            }
        });
        let mut out = results.into_inner().unwrap_or_default();
        out.sort_by_key(|(i, _)| *i);
        out.into_iter().map(|(_, d)| d).collect()
    }

    fn one(&self, item: &Item) -> Delivered {
        let id = item.id.clone();
        let fail = |msg: String| Delivered {
            id: id.clone(),
            result: Err(msg),
        };
        let (r, email) = match message(self.renderer, self.outputs, &item.letter) {
            Ok(x) => x,
            Err(p) => return fail(p.to_string()),
        };
        // Rendering is pure: the message must be the one the summary counted.
        if email.hash != item.hash {
            return fail(
                "the letter changed while sending (a file was edited?); run send again".into(),
            );
        }
        let record = |state: &str, reply: Option<String>| Record {
            at: journal::now(),
            id: r.id.clone(),
            variant: r.variant.clone(),
            key: r.key.clone(),
            signatory: r.signatory.clone(),
            signatories: r.signatories.clone(),
            approval: (self.approval)(&r.variant),
            hash: email.hash.clone(),
            to: email.to.clone(),
            state: state.to_string(),
            reply,
            message_id: Some(email.message_id.clone()),
            note: None,
        };
        let (mailer, to) = match &self.route {
            Route::Outbox(dir) => {
                let path = dir.join(&r.variant).join(format!("{}.eml", r.file_stem));
                return match write_atomic(&path, &email.bytes) {
                    Ok(()) => Delivered {
                        id,
                        result: Ok(format!("written to {}", path.display())),
                    },
                    Err(e) => fail(format!("cannot write {}: {e}", path.display())),
                };
            }
            Route::Redirect(m, addr) => (*m, vec![addr.clone()]),
            Route::Smtp(m) => (*m, email.to.clone()),
        };
        let envelope = Envelope {
            from: email.from.clone(),
            to,
        };
        if self.route.records() {
            if let Err(e) = self.append(&record(journal::SENDING, None)) {
                return fail(format!(
                    "cannot write the journal, so nothing was sent: {e}"
                ));
            }
        }
        let result = send_with_retry(mailer, &envelope, &email.bytes, self.attempts, self.backoff);
        let (state, reply, out) = match result {
            Ok(o) => {
                let mut reply = o.reply;
                if o.possible_duplicate {
                    reply.push_str(" (an earlier attempt was cut off after the message was sent: the office may get two copies)");
                }
                (journal::SENT, reply.clone(), Ok(reply))
            }
            // The message may have gone out: leave the letter at `sending`, which reports it as uncertain.
            Err(SendError::Uncertain(e)) => {
                return fail(format!(
                    "uncertain: {e}; check with the recipient before `send --resend`"
                ));
            }
            Err(e) => (journal::FAILED, e.to_string(), Err(e.to_string())),
        };
        if self.route.records() {
            if let Err(e) = self.append(&record(state, Some(reply))) {
                return fail(format!(
                    "sent, but the journal could not record it ({e}): it will show as uncertain"
                ));
            }
        }
        Delivered { id, result: out }
    }

    fn append(&self, record: &Record) -> std::io::Result<()> {
        let mut j = self
            .journal
            .lock()
            .map_err(|_| std::io::Error::other("journal lock poisoned"))?;
        j.append(record)
    }
}

/// Where `--outbox` writes when not told: beside the letters.
pub fn default_outbox(campaign_dir: &Path, out_dir: &str) -> PathBuf {
    campaign_dir.join(out_dir).join("outbox")
}
