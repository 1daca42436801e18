//! SMTP delivery: a pool of authenticated sessions behind a blocking, thread-safe `Mailer`.
//!
//! lettre speaks SMTP; this module decides how sessions are opened (see `stream`), shared, paced
//! and timed out; `transaction` how a message goes on a session (in groups of commands where the
//! server offers PIPELINING) and how each failure is classified for the journal: a 5xx is
//! `Permanent`, a 4xx `Transient`, a lost session `Connection` before the whole message was handed
//! over and `Uncertain` after (the server may have queued it without us hearing its reply). Only
//! the first two classes of connection trouble are ever retried: an uncertain message is never
//! sent twice.

mod config;
mod stream;
mod transaction;

use std::fmt;
use std::path::Path;
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

use lettre::address::{Address, Envelope as SmtpEnvelope};
use lettre::transport::smtp::commands::Rset;
use lettre::transport::smtp::response::Response;

pub use config::{
    password, password_from, PasswordError, Secret, Security, SmtpConfig, PASSWORD_ENV,
};
use stream::Connector;
use transaction::{Fail, Session};

/// The SMTP envelope: who the server delivers to, independent of the message's headers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Envelope {
    pub from: String,
    /// Every recipient: To, Cc and Bcc.
    pub to: Vec<String>,
}

/// A message the server accepted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    /// The server's final reply, e.g. `250 2.0.0 Ok: queued as 4Xk9`.
    pub reply: String,
    /// How many attempts it took (1 unless sent by `send_with_retry`).
    pub attempts: u32,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SendError {
    /// 5xx, or a message this server can never take (e.g. 8-bit content without 8BITMIME).
    /// Retrying will not help.
    Permanent { reply: String },
    /// 4xx: try again later.
    Transient { reply: String },
    /// Connecting, TLS, or the session broke before the message was handed over: not delivered.
    Connection(String),
    /// The session broke or timed out after the whole message, its final `.` included, was
    /// handed over but before the server's reply: it may or may not have been delivered, so it is
    /// never retried.
    Uncertain(String),
    /// The login was refused or impossible.
    Auth(String),
    /// The `[smtp]` settings cannot work (checked before anything is sent).
    Config(String),
}

/// Tries to open the run's first session, and the first wait between them (doubled each time): 1 + 2 + 4 s.
const FIRST_SESSION_ATTEMPTS: u32 = 4;
const FIRST_SESSION_BACKOFF: Duration = Duration::from_secs(1);

impl SendError {
    /// Worth another attempt later in the same run: only failures that prove the message was not
    /// delivered. An uncertain one may already be in the office's inbox.
    pub fn is_retryable(&self) -> bool {
        matches!(self, SendError::Transient { .. } | SendError::Connection(_))
    }

    /// The text to record: the server's reply, or what went wrong.
    pub fn text(&self) -> &str {
        match self {
            SendError::Permanent { reply } | SendError::Transient { reply } => reply,
            SendError::Connection(s)
            | SendError::Uncertain(s)
            | SendError::Auth(s)
            | SendError::Config(s) => s,
        }
    }
}

impl fmt::Display for SendError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SendError::Permanent { reply } => write!(f, "refused: {reply}"),
            SendError::Transient { reply } => write!(f, "temporarily refused: {reply}"),
            SendError::Connection(s) => write!(f, "connection failed: {s}"),
            SendError::Uncertain(s) => write!(f, "delivery uncertain: {s}"),
            SendError::Auth(s) => write!(f, "authentication failed: {s}"),
            SendError::Config(s) => write!(f, "{s}"),
        }
    }
}

impl std::error::Error for SendError {}

/// The text of a negative reply without its code (lettre keeps it as the error's source).
fn reply_text(e: &lettre::transport::smtp::Error) -> String {
    use std::error::Error;
    e.source()
        .map(|s| s.to_string().replace(['\r', '\n'], " "))
        .unwrap_or_default()
}

fn response_text(r: &Response) -> String {
    let lines: Vec<&str> = r.message().collect();
    format!("{} {}", r.code(), lines.join(" "))
        .trim_end()
        .to_string()
}

/// Spaces message starts evenly over all connections together: a schedule rather than a bucket,
/// so no burst can exceed a provider's per-second limit.
struct Pacer {
    interval: Duration,
    next: Mutex<Instant>,
}

impl Pacer {
    /// Takes the next start and sleeps until it.
    fn wait(&self) {
        let at = {
            let mut next = self.next.lock().unwrap_or_else(|p| p.into_inner());
            let at = (*next).max(Instant::now());
            *next = at + self.interval;
            at
        };
        std::thread::sleep(at.saturating_duration_since(Instant::now()));
    }
}

/// A pool of up to `connections` SMTP sessions, opened on demand, reused across messages and
/// shared by every thread that calls [`Mailer::send`].
///
/// Each session has a runtime of its own (tokio's current-thread runtime), and the thread that sends
/// a message drives it: the replies are read on the thread that wrote the commands, with no other
/// thread to wake. With one runtime for all sessions, every message crossed threads twice or more
/// (a task handed to the runtime's thread, its result handed back), and a fast local server left a
/// tenth of the run in futex and scheduler calls (docs/PERFORMANCE.md).
pub struct Mailer {
    connector: Connector,
    sessions: Mutex<Sessions>,
    /// Signalled when a session comes back or closes, for a thread waiting for one.
    returned: Condvar,
    pacer: Option<Pacer>,
}

/// The sessions not in use, how many are open in all (in use or not), and how many may be.
struct Sessions {
    idle: Vec<Live>,
    open: usize,
    /// `connections`, or fewer once the server refused one more session while others were open.
    cap: usize,
}

/// A session and the runtime that drives its socket. (The session is dropped first, while its
/// runtime is still there to let go of the socket.)
struct Live {
    session: Session,
    rt: tokio::runtime::Runtime,
}

impl Mailer {
    /// Checks the settings, opens and authenticates a first session (so that a wrong password or
    /// certificate stops the run before any letter), and returns the pool. `campaign_dir` is
    /// where a relative `ca_file` is found.
    pub fn connect(
        cfg: &SmtpConfig,
        password: Option<Secret>,
        campaign_dir: &Path,
    ) -> Result<Mailer, SendError> {
        cfg.validate()
            .map_err(|e| SendError::Config(e.to_string()))?;
        if tokio::runtime::Handle::try_current().is_ok() {
            return Err(SendError::Config(
                "Mailer is blocking and cannot be used inside an async runtime".into(),
            ));
        }
        let roots = match &cfg.ca_file {
            Some(path) => stream::read_ca_file(&campaign_dir.join(path))?,
            None => Vec::new(),
        };
        let pacer = cfg.rate.map(|rate| Pacer {
            interval: Duration::from_secs_f64(1.0 / rate),
            next: Mutex::new(Instant::now()),
        });
        let mailer = Mailer {
            connector: Connector::new(cfg, password, &roots)?,
            sessions: Mutex::new(Sessions {
                idle: Vec::new(),
                open: 0,
                cap: cfg.connections(),
            }),
            returned: Condvar::new(),
            pacer,
        };
        // A server that says it is too busy (421 at the greeting or the login) is asked again, as a letter's
        // temporary refusal is: the run is not given up for a moment's load. A server that does not answer at all
        // is not waited for again: that is `timeout`'s to bound.
        let mut wait = FIRST_SESSION_BACKOFF;
        let mut attempt = 1;
        let first = loop {
            match mailer.open() {
                Ok(s) => break s,
                Err(SendError::Transient { .. }) if attempt < FIRST_SESSION_ATTEMPTS => {
                    std::thread::sleep(wait);
                    wait *= 2;
                    attempt += 1;
                }
                Err(e) if attempt > 1 => {
                    return Err(SendError::Connection(format!(
                        "{e} (tried {attempt} times)"
                    )))
                }
                Err(e) => return Err(e),
            }
        };
        {
            let mut sessions = mailer.lock();
            sessions.idle.push(first);
            sessions.open = 1;
        }
        Ok(mailer)
    }

    /// Whether `[smtp] rate` spaces the messages.
    pub fn is_paced(&self) -> bool {
        self.pacer.is_some()
    }

    /// Waits for the next message's turn under `[smtp] rate` (at once without one). The caller waits here before
    /// it journals the message as being sent, so a run stopped during the wait leaves no letter uncertain.
    pub fn pace(&self) {
        if let Some(p) = &self.pacer {
            p.wait();
        }
    }

    /// Sends one message (its exact bytes, CRLF line ends) to every envelope recipient, or
    /// fails as a whole: one refused recipient fails the letter. Blocks; callable from many
    /// threads at once, at most `connections` of them talking to the server at a time.
    pub fn send(&self, envelope: &Envelope, message: &[u8]) -> Result<Outcome, SendError> {
        self.pace();
        self.send_shared(envelope, &Arc::new(message.to_vec()))
    }

    /// As [`Mailer::send`], for a message the caller keeps. It does not wait for its turn under
    /// `[smtp] rate`: the caller has ([`Mailer::pace`]).
    pub fn send_shared(
        &self,
        envelope: &Envelope,
        message: &Arc<Vec<u8>>,
    ) -> Result<Outcome, SendError> {
        if tokio::runtime::Handle::try_current().is_ok() {
            return Err(SendError::Config(
                "Mailer::send is blocking and cannot be called inside an async runtime".into(),
            ));
        }
        let envelope = smtp_envelope(envelope)?;
        let (mut live, mut reused) = self.take()?;
        loop {
            let Live { session, rt } = &mut live;
            match rt.block_on(transaction::send(
                &self.connector,
                session,
                &envelope,
                message,
            )) {
                Ok(reply) => {
                    self.give_back(Some(live));
                    return Ok(Outcome {
                        reply: response_text(&reply),
                        attempts: 1,
                    });
                }
                Err(Fail::Reply(err)) => {
                    // lettre would QUIT here; RSET keeps the session for the next letter.
                    let reset = self.connector.timeout();
                    let in_step = rt.block_on(async {
                        matches!(
                            tokio::time::timeout(reset, session.conn.command(Rset)).await,
                            Ok(Ok(_))
                        )
                    });
                    self.give_back(in_step.then_some(live));
                    return Err(err);
                }
                Err(Fail::Stale(_)) if reused => {
                    drop(live);
                    match self.open() {
                        Ok(fresh) => live = fresh,
                        Err(e) => {
                            self.give_back(None);
                            return Err(e);
                        }
                    }
                    reused = false;
                }
                Err(Fail::Stale(err) | Fail::Broken(err)) => {
                    self.give_back(None);
                    return Err(err);
                }
            }
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Sessions> {
        self.sessions.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// A session for one message: an idle one, else a new one while fewer than `connections` are
    /// open, else the next one given back. `true` with a session that was used before.
    fn take(&self) -> Result<(Live, bool), SendError> {
        let mut sessions = self.lock();
        loop {
            if let Some(live) = sessions.idle.pop() {
                return Ok((live, true));
            }
            if sessions.open < sessions.cap {
                sessions.open += 1;
                drop(sessions);
                let error = match self.open() {
                    Ok(live) => return Ok((live, false)),
                    Err(e) => e,
                };
                sessions = self.lock();
                sessions.open -= 1;
                // A server that refuses one more session while others are open (a limit on sessions at once:
                // "421 too many connections") still takes letters on those: the run goes on with as many as it has,
                // and the letter waits for one of them instead of failing.
                let busy = matches!(
                    error,
                    SendError::Transient { .. } | SendError::Connection(_)
                );
                if busy && sessions.open > 0 {
                    sessions.cap = sessions.open;
                    continue;
                }
                drop(sessions);
                self.returned.notify_one();
                return Err(error);
            }
            sessions = self
                .returned
                .wait(sessions)
                .unwrap_or_else(|p| p.into_inner());
        }
    }

    /// Returns a session after a message, or (`None`, or a broken one) frees its place.
    fn give_back(&self, live: Option<Live>) {
        let mut sessions = self.lock();
        match live {
            Some(live) if !live.session.conn.has_broken() => sessions.idle.push(live),
            _ => sessions.open -= 1,
        }
        drop(sessions);
        self.returned.notify_one();
    }

    fn open(&self) -> Result<Live, SendError> {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_io()
            .enable_time()
            .build()
            .map_err(|e| SendError::Config(format!("cannot start the SMTP runtime: {e}")))?;
        let session = rt.block_on(self.connector.open())?;
        Ok(Live { session, rt })
    }
}

impl Drop for Mailer {
    fn drop(&mut self) {
        let idle = std::mem::take(&mut self.lock().idle);
        if tokio::runtime::Handle::try_current().is_ok() {
            for Live { session, rt } in idle {
                drop(session);
                rt.shutdown_background();
            }
            return;
        }
        // A polite QUIT, but never let a stalled server hold up the end of the run.
        let until = Instant::now() + Duration::from_secs(1);
        for Live { mut session, rt } in idle {
            let left = until.saturating_duration_since(Instant::now());
            let _ = rt.block_on(async { tokio::time::timeout(left, session.conn.quit()).await });
            drop(session);
        }
    }
}

fn smtp_envelope(envelope: &Envelope) -> Result<SmtpEnvelope, SendError> {
    let invalid = |what: &str, addr: &str| SendError::Permanent {
        reply: format!("not sent: invalid {what} address {addr:?}"),
    };
    let from: Address = envelope
        .from
        .parse()
        .map_err(|_| invalid("sender", &envelope.from))?;
    let to = envelope
        .to
        .iter()
        .map(|a| a.parse::<Address>().map_err(|_| invalid("recipient", a)))
        .collect::<Result<Vec<_>, _>>()?;
    if to.is_empty() {
        return Err(SendError::Permanent {
            reply: "not sent: the envelope has no recipient".into(),
        });
    }
    SmtpEnvelope::new(Some(from), to).map_err(|e| SendError::Permanent {
        reply: format!("not sent: {e}"),
    })
}

/// Sends with up to `attempts` tries: 4xx replies and connections lost before the message was
/// handed over are retried after `backoff`, doubled each time (capped at 8 × `backoff`); 5xx,
/// login and settings errors, and uncertain deliveries are returned at once. The first attempt
/// goes at once (the caller paced it before journaling it, [`Mailer::pace`]); a retry waits for
/// its turn too.
pub fn send_with_retry(
    mailer: &Mailer,
    envelope: &Envelope,
    message: &Arc<Vec<u8>>,
    attempts: u32,
    backoff: Duration,
) -> Result<Outcome, SendError> {
    let attempts = attempts.max(1);
    let mut wait = backoff;
    for attempt in 1..=attempts {
        match mailer.send_shared(envelope, message) {
            Ok(mut outcome) => {
                outcome.attempts = attempt;
                return Ok(outcome);
            }
            Err(e) if e.is_retryable() && attempt < attempts => {
                std::thread::sleep(wait);
                wait = (wait * 2).min(backoff * 8);
                mailer.pace();
            }
            Err(e) => return Err(e),
        }
    }
    unreachable!("the last attempt always returns")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn envelope_addresses_are_validated() {
        let ok = Envelope {
            from: "a@example.org".into(),
            to: vec!["b@example.org".into()],
        };
        assert!(smtp_envelope(&ok).is_ok());
        for bad in ["b@example.org\r\nRCPT TO:<c@x>", "no-at-sign", ""] {
            let env = Envelope {
                from: "a@example.org".into(),
                to: vec![bad.into()],
            };
            assert!(
                matches!(smtp_envelope(&env), Err(SendError::Permanent { .. })),
                "{bad:?}"
            );
        }
        let none = Envelope {
            from: "a@example.org".into(),
            to: vec![],
        };
        assert!(smtp_envelope(&none).is_err());
    }

    #[test]
    fn retryable_classes() {
        assert!(SendError::Transient {
            reply: "451".into()
        }
        .is_retryable());
        assert!(SendError::Connection("x".into()).is_retryable());
        assert!(!SendError::Uncertain("x".into()).is_retryable());
        assert!(!SendError::Permanent {
            reply: "550".into()
        }
        .is_retryable());
        assert!(!SendError::Auth("x".into()).is_retryable());
    }
}
