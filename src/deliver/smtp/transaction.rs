//! One message on one open session: MAIL, RCPT and DATA, then the message, and how each way it can fail is
//! classified. The classes are the exactly-once promise: only what proves the message was not delivered may be
//! tried again.
//!
//! A server that offers PIPELINING (RFC 2920; Postfix, Exim and the large providers do) gets MAIL, RCPT and DATA in
//! one write, and its replies are read in order: two round trips for a letter to one office instead of four (10,000
//! letters on 8 connections: docs/PERFORMANCE.md). A server that does not gets them one by one.

use std::sync::atomic::{AtomicBool, Ordering};

use lettre::address::Envelope as SmtpEnvelope;
use lettre::transport::smtp::client::AsyncSmtpConnection;
use lettre::transport::smtp::commands::{Data, Mail, Rcpt};
use lettre::transport::smtp::extension::{Extension, MailBodyParameter, MailParameter};
use lettre::transport::smtp::response::{Response, Severity};

use super::stream::Connector;
use super::{reply_text, SendError};

/// An open session, and whether its server takes commands in groups.
pub(crate) struct Session {
    pub conn: AsyncSmtpConnection,
    pub pipelining: bool,
}

/// How one attempt on one session failed.
pub(super) enum Fail {
    /// The server answered 4xx/5xx: the session is still in step and can be reset and reused.
    Reply(SendError),
    /// The session broke before the message was handed over, without a timeout: typically an
    /// idle session the server had closed. Safe to repeat once on a fresh session.
    Stale(SendError),
    /// The session is unusable.
    Broken(SendError),
}

/// One MAIL/RCPT/DATA exchange and the message. lettre's `send` would QUIT on the first refused
/// recipient and append a blank line to a message that already ends in CRLF; this keeps the
/// session and the bytes exact.
pub(super) async fn send(
    c: &Connector,
    session: &mut Session,
    envelope: &SmtpEnvelope,
    message: &[u8],
) -> Result<Response, Fail> {
    let params = mail_parameters(&session.conn, envelope, message)?;
    let mail = Mail::new(envelope.from().cloned(), params);
    if session.pipelining {
        grouped(c, &mut session.conn, envelope, mail).await?;
    } else {
        one_by_one(c, &mut session.conn, envelope, mail).await?;
    }
    body(c, &mut session.conn, message).await
}

/// SMTPUTF8 and 8BITMIME when the envelope or the message needs them; a server that lacks one refuses the letter
/// before anything is said.
fn mail_parameters(
    conn: &AsyncSmtpConnection,
    envelope: &SmtpEnvelope,
    message: &[u8],
) -> Result<Vec<MailParameter>, Fail> {
    let mut params = Vec::new();
    let info = conn.server_info();
    let non_ascii_address = envelope
        .from()
        .into_iter()
        .chain(envelope.to())
        .any(|a| !AsRef::<str>::as_ref(a).is_ascii());
    if non_ascii_address {
        if !info.supports_feature(Extension::SmtpUtfEight) {
            return Err(Fail::Reply(SendError::Permanent {
                reply: "not sent: an address is not ASCII and the server does not offer SMTPUTF8"
                    .into(),
            }));
        }
        params.push(MailParameter::SmtpUtfEight);
    }
    if !message.is_ascii() {
        if !info.supports_feature(Extension::EightBitMime) {
            return Err(Fail::Reply(SendError::Permanent {
                reply: "not sent: the message has 8-bit content and the server does not offer \
                        8BITMIME"
                    .into(),
            }));
        }
        params.push(MailParameter::Body(MailBodyParameter::EightBitMime));
    }
    Ok(params)
}

/// A refused recipient of a letter to several offices is named in the reply.
fn for_recipient(fail: Fail, rcpt: &impl std::fmt::Display, several: bool) -> Fail {
    let named = |reply: String| format!("{reply} (for {rcpt})");
    match fail {
        Fail::Reply(SendError::Permanent { reply }) if several => {
            Fail::Reply(SendError::Permanent {
                reply: named(reply),
            })
        }
        Fail::Reply(SendError::Transient { reply }) if several => {
            Fail::Reply(SendError::Transient {
                reply: named(reply),
            })
        }
        f => f,
    }
}

async fn one_by_one(
    c: &Connector,
    conn: &mut AsyncSmtpConnection,
    envelope: &SmtpEnvelope,
    mail: Mail,
) -> Result<(), Fail> {
    step(c, conn, mail, DONE, "MAIL FROM").await?;
    let several = envelope.to().len() > 1;
    for rcpt in envelope.to() {
        step(c, conn, Rcpt::new(rcpt.clone(), vec![]), DONE, "RCPT TO")
            .await
            .map_err(|f| for_recipient(f, rcpt, several))?;
    }
    step(c, conn, Data, GO_ON, "DATA").await?;
    Ok(())
}

/// MAIL and every RCPT as one write, each reply read in turn; the first refusal, in the order of the commands, is
/// the letter's, as it is one by one. A letter to one office puts DATA in the same write: a server must refuse DATA
/// when it refused every recipient (RFC 2920 §3.1). A letter to several asks for DATA only once each recipient is
/// accepted, since a server takes DATA when any is, and the letter must not go to the others alone.
async fn grouped(
    c: &Connector,
    conn: &mut AsyncSmtpConnection,
    envelope: &SmtpEnvelope,
    mail: Mail,
) -> Result<(), Fail> {
    let rcpts: Vec<Rcpt> = envelope
        .to()
        .iter()
        .map(|a| Rcpt::new(a.clone(), vec![]))
        .collect();
    let with_data = rcpts.len() == 1;
    let group = Group {
        mail,
        rcpts: &rcpts,
        data: with_data,
    };
    let limit = c.timeout();
    // lettre's `command` writes the group and reads the first reply; the others follow.
    let first = tokio::time::timeout(limit, conn.command(&group)).await;
    let mut refusal = reply(c, first, DONE, "MAIL FROM")?.err();
    let several = rcpts.len() > 1;
    for rcpt in envelope.to() {
        let answer = tokio::time::timeout(limit, conn.read_response()).await;
        if let (None, Err(f)) = (&refusal, reply(c, answer, DONE, "RCPT TO")?) {
            refusal = Some(for_recipient(f, rcpt, several));
        }
    }
    if !with_data {
        return match refusal {
            Some(f) => Err(f),
            None => step(c, conn, Data, GO_ON, "DATA").await.map(|_| ()),
        };
    }
    let data = tokio::time::timeout(limit, conn.read_response()).await;
    match (refusal, reply(c, data, GO_ON, "DATA")?) {
        (None, Ok(_)) => Ok(()),
        (None, Err(f)) => Err(f),
        // Refused, and DATA refused with it, as it must be: the session is in step, to be reset.
        (Some(f), Err(_)) => Err(f),
        // DATA accepted although the sender or the one recipient was refused (a server that breaks RFC 2920): only
        // ending the session before any of the message keeps the server from delivering it (RFC 5321 §4.1.1.4).
        // Nothing was handed over, so the refusal stands as it is.
        (Some(Fail::Reply(e) | Fail::Stale(e) | Fail::Broken(e)), Ok(_)) => Err(Fail::Broken(e)),
    }
}

/// MAIL, RCPT… and DATA written as one, each with its own CRLF.
struct Group<'a> {
    mail: Mail,
    rcpts: &'a [Rcpt],
    data: bool,
}

impl std::fmt::Display for Group<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.mail)?;
        for rcpt in self.rcpts {
            write!(f, "{rcpt}")?;
        }
        if self.data {
            write!(f, "{Data}")?;
        }
        Ok(())
    }
}

/// A reply to one command of a group: `Ok(Err(_))` is a refusal (the session stays in step and the next reply is
/// read), `Err(_)` a session that broke or fell silent.
fn reply(
    c: &Connector,
    read: Result<Result<Response, lettre::transport::smtp::Error>, tokio::time::error::Elapsed>,
    want: Severity,
    what: &str,
) -> Result<Result<Response, Fail>, Fail> {
    match read {
        Ok(Ok(reply)) => in_step(c, reply, want, what).map(Ok),
        Ok(Err(e)) => match classify(c, e, what) {
            f @ Fail::Reply(_) => Ok(Err(f)),
            f => Err(f),
        },
        Err(_) => Err(silent(c, what)),
    }
}

/// What MAIL, RCPT and the message are answered with when they are accepted (2xx), and DATA (354).
const DONE: Severity = Severity::PositiveCompletion;
const GO_ON: Severity = Severity::PositiveIntermediate;

/// A positive reply of the class the command calls for. One of the other positive class is a server out of step
/// (one that answered a command twice, say): its later replies would be taken for other commands', and a refusal
/// for an acceptance. The session is ended; it is always before the message, so the letter can be sent again.
fn in_step(c: &Connector, reply: Response, want: Severity, what: &str) -> Result<Response, Fail> {
    if reply.code().severity == want {
        return Ok(reply);
    }
    Err(Fail::Broken(SendError::Connection(c.scrub(format!(
        "the server answered {what} with \"{}\", out of step with the commands; the session was ended before \
         the message, so it was not delivered",
        super::response_text(&reply)
    )))))
}

fn silent(c: &Connector, what: &str) -> Fail {
    Fail::Broken(SendError::Connection(format!(
        "no reply to {what} within {:.1} s",
        c.timeout().as_secs_f64()
    )))
}

/// The message itself, once DATA was accepted.
async fn body(
    c: &Connector,
    conn: &mut AsyncSmtpConnection,
    message: &[u8],
) -> Result<Response, Fail> {
    // lettre always appends CRLF.CRLF; the message's own final CRLF is the first half of it.
    let body = message.strip_suffix(b"\r\n").unwrap_or(message);
    // Until every chunk of the body is written, a broken session proves the message incomplete: a
    // server must discard a message whose final `.` never came (RFC 5321 §4.1.1.4), so it can be
    // sent again. Once the last chunk is out, the `.` may reach the server and a lost reply is
    // uncertain.
    let handed_over = AtomicBool::new(false);
    let chunks = Chunks {
        rest: body,
        done: &handed_over,
    };
    let server = c.timeout();
    let result = tokio::time::timeout(server, conn.message_iter(chunks)).await;
    let complete = handed_over.load(Ordering::SeqCst);
    match result {
        Ok(Ok(reply)) if reply.code().severity == DONE => Ok(reply),
        // lettre takes any positive reply; after the final `.` only a 2xx says the message was taken.
        Ok(Ok(reply)) => Err(Fail::Broken(SendError::Uncertain(c.scrub(format!(
            "the server answered the message with \"{}\", which is not an acceptance; it may have been \
             delivered",
            super::response_text(&reply)
        ))))),
        Ok(Err(e)) if e.status().is_some() => Err(classify(c, e, "after the message")),
        Ok(Err(e)) if !complete => Err(Fail::Broken(SendError::Connection(c.scrub(format!(
            "the connection broke while the message was being sent, so it was not delivered \
             ({e})"
        ))))),
        Ok(Err(e)) => Err(Fail::Broken(SendError::Uncertain(c.scrub(format!(
            "the connection was lost after the message was sent, before the server confirmed \
             it; it may have been delivered ({e})"
        ))))),
        Err(_) if !complete => Err(Fail::Broken(SendError::Connection(format!(
            "the server took no more of the message within {:.1} s, so it was not delivered",
            server.as_secs_f64()
        )))),
        Err(_) => Err(Fail::Broken(SendError::Uncertain(format!(
            "no reply within {:.1} s after the message was sent; it may have been delivered",
            server.as_secs_f64()
        )))),
    }
}

async fn step(
    c: &Connector,
    conn: &mut AsyncSmtpConnection,
    command: impl std::fmt::Display,
    want: Severity,
    what: &str,
) -> Result<Response, Fail> {
    match tokio::time::timeout(c.timeout(), conn.command(command)).await {
        Ok(Ok(reply)) => in_step(c, reply, want, what),
        Ok(Err(e)) => Err(classify(c, e, what)),
        Err(_) => Err(silent(c, what)),
    }
}

fn classify(c: &Connector, e: lettre::transport::smtp::Error, what: &str) -> Fail {
    if let Some(code) = e.status() {
        let reply = c.scrub(format!("{code} {}", reply_text(&e)));
        return Fail::Reply(if e.is_permanent() {
            SendError::Permanent { reply }
        } else {
            SendError::Transient { reply }
        });
    }
    Fail::Stale(SendError::Connection(
        c.scrub(format!("the connection broke at {what}: {e}")),
    ))
}

/// The message body in pieces for `message_iter`, noting when the last piece has been written
/// (lettre asks for the next piece only after writing the previous one).
struct Chunks<'a> {
    rest: &'a [u8],
    done: &'a AtomicBool,
}

impl<'a> Iterator for Chunks<'a> {
    type Item = &'a [u8];

    fn next(&mut self) -> Option<&'a [u8]> {
        // lettre dot-stuffs across pieces with one codec, so a piece may end anywhere.
        const PIECE: usize = 64 * 1024;
        if self.rest.is_empty() {
            self.done.store(true, Ordering::SeqCst);
            return None;
        }
        let (piece, rest) = self.rest.split_at(self.rest.len().min(PIECE));
        self.rest = rest;
        Some(piece)
    }
}
