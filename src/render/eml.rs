//! The email message: exactly what `send` sends and `render --format eml` writes (README, "Formats" and "Sending").
//!
//! Deterministic: the content hash (SHA-256 over everything the message says, without `Date`) names the Message-ID
//! and the MIME boundaries, and `Date` is the letter's date at 00:00 UTC. `send` replaces that `Date` with the moment
//! it hands the message over ([`with_date`]): the only difference between a sent message and its rendered file.

use lettre::message::Mailbox;
use sha2::{Digest, Sha256};

use super::{mime, Rendered};

/// A file that travels with the letter.
#[derive(Debug, Clone)]
pub struct Attachment {
    pub name: String,
    pub bytes: Vec<u8>,
    pub content_type: String,
}

/// The message, its hash and its Message-ID.
#[derive(Debug, Clone)]
pub struct Email {
    pub bytes: Vec<u8>,
    pub hash: String,
    pub message_id: String,
    /// Envelope sender and recipients (to, cc, bcc), bare addresses.
    pub from: String,
    pub to: Vec<String>,
    /// The headers a person reads (decoded, `Bcc` included), for `send --dry-run`.
    pub shown: Vec<(&'static str, String)>,
    /// The text part, as sent (for `send --dry-run`).
    pub text: String,
    /// Each attachment's name, content type and size in bytes.
    pub parts: Vec<(String, String, usize)>,
}

/// Why a letter cannot become a message.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EmlError {
    #[error("no sender: set `from` in the template's front matter or `from` in [smtp]")]
    NoSender,
    #[error("no recipient: the front matter's `to` rendered empty for this letter")]
    NoRecipient,
    #[error("the subject holds {0}")]
    Subject(String),
}

/// Builds the message. `bcc` stays in the file only when `keep_bcc` (an `.eml` for the record); when sending it is
/// only in the envelope.
pub fn build(r: &Rendered, attachments: &[Attachment], keep_bcc: bool) -> Result<Email, EmlError> {
    compose(r, attachments, keep_bcc, None)
}

/// A test copy of the message for `send --redirect`: to `to` alone (no Cc, Bcc or Reply-To, so no official's
/// address in any header), the subject prefixed `[TEST]`, and the text and HTML opening with the real recipients.
/// Its Message-ID differs from the real message's, so the two are never taken for one.
pub fn test_copy(
    r: &Rendered,
    attachments: &[Attachment],
    to: &Mailbox,
) -> Result<Email, EmlError> {
    let preface = test_copy_preface(r, to);
    let mut copy = r.clone();
    copy.headers.to = vec![to.clone()];
    copy.headers.cc.clear();
    copy.headers.bcc.clear();
    copy.headers.reply_to.clear();
    copy.headers.subject = Some(format!("[TEST] {}", r.title()));
    compose(&copy, attachments, false, Some(&preface))
}

/// What stops the letter from becoming a message, found without building it: no sender, no recipient, a subject
/// with a control character (the subject falls back to the letter's id, which holds a key from a cell).
pub fn check(r: &Rendered) -> Result<(), EmlError> {
    let h = &r.headers;
    if h.from.is_none() {
        return Err(EmlError::NoSender);
    }
    if h.to.is_empty() && h.cc.is_empty() && h.bcc.is_empty() {
        return Err(EmlError::NoRecipient);
    }
    let subject = r.title();
    if let Some(what) = super::headers::control_character(&subject) {
        return Err(EmlError::Subject(format!("{what}: {subject:?}")));
    }
    Ok(())
}

/// The message's bytes alone, as [`build`] makes them: what `render` files, without what `send` shows of it.
pub fn message(
    r: &Rendered,
    attachments: &[Attachment],
    keep_bcc: bool,
) -> Result<Vec<u8>, EmlError> {
    Ok(write(r, attachments, keep_bcc, None)?.bytes)
}

/// A message as written, with what the writing decided.
struct Written {
    bytes: Vec<u8>,
    hash: String,
    message_id: String,
    subject: String,
    text: String,
}

fn compose(
    r: &Rendered,
    attachments: &[Attachment],
    keep_bcc: bool,
    preface: Option<&str>,
) -> Result<Email, EmlError> {
    let Written {
        bytes,
        hash,
        message_id,
        subject,
        text,
    } = write(r, attachments, keep_bcc, preface)?;
    let h = &r.headers;
    let from = h.from.as_ref().ok_or(EmlError::NoSender)?;
    let to = h.recipients().map(|m| m.email.to_string()).collect();
    let mut shown = vec![("From", from.to_string())];
    shown.extend(addressed(h));
    shown.push(("Subject", subject));
    shown.push(("Message-ID", message_id.clone()));
    Ok(Email {
        shown,
        bytes,
        hash,
        message_id,
        from: from.email.to_string(),
        to,
        text,
        parts: attachments
            .iter()
            .map(|a| (a.name.clone(), a.content_type.clone(), a.bytes.len()))
            .collect(),
    })
}

fn write(
    r: &Rendered,
    attachments: &[Attachment],
    keep_bcc: bool,
    preface: Option<&str>,
) -> Result<Written, EmlError> {
    check(r)?;
    let h = &r.headers;
    let from = h.from.as_ref().ok_or(EmlError::NoSender)?;
    let markdown = r.cover.as_deref().unwrap_or(&r.markdown);
    let (mut text, mut fragment) = super::txt::with_html(markdown);
    if let Some(preface) = preface {
        text = format!("{preface}\n\n{text}");
        let mut lines = Vec::new();
        for line in preface.lines() {
            let mut escaped = String::new();
            let _ = pulldown_cmark_escape::escape_html(&mut escaped, line);
            lines.push(escaped);
        }
        fragment = format!(
            "<p class=\"test-copy\">{}</p>\n<hr>\n{fragment}",
            lines.join("<br>\n")
        );
    }
    let subject = r.title();
    let html = super::html::page(&subject, &r.lang, &fragment);

    let hash = content_hash(r, &subject, &text, &html, attachments);
    let domain = from.email.domain();
    let mut local = format!("{}.{}.{}", &hash[..16], r.variant, r.key);
    if let Some(s) = &r.signatory {
        local = format!("{local}.{s}");
    }
    let message_id = format!("<{}@{domain}>", msgid_safe(&local));

    let parts: Vec<mime::Part> = attachments
        .iter()
        .map(|a| mime::Part {
            name: &a.name,
            content_type: &a.content_type,
            bytes: &a.bytes,
        })
        .collect();
    let bytes = mime::write(&mime::Message {
        from,
        to: &h.to,
        cc: &h.cc,
        bcc: if keep_bcc { &h.bcc } else { &[] },
        reply_to: &h.reply_to,
        subject: &subject,
        date: r.date,
        message_id: &message_id,
        boundary_tag: &hash[..32],
        text: &text,
        html: &html,
        attachments: &parts,
    });
    Ok(Written {
        bytes,
        hash,
        message_id,
        subject,
        text,
    })
}

/// The message with its `Date` header set to `at`: RFC 5322's Date is when the message is handed over, not the
/// letter's date. Nothing else changes, so the content hash (which leaves `Date` out) still names it. The date is
/// written over the old one in place (both are 37 bytes from year 1000 to 9999), so the message is not copied.
pub fn with_date(mut message: Vec<u8>, at: chrono::DateTime<chrono::Utc>) -> Vec<u8> {
    let head_end = memchr::memmem::find(&message, b"\r\n\r\n").map_or(message.len(), |i| i + 2);
    let head = &message[..head_end];
    let start = if head.starts_with(b"Date: ") {
        Some(0)
    } else {
        memchr::memmem::find(head, b"\r\nDate: ").map(|i| i + 2)
    };
    let Some(start) = start else {
        return message;
    };
    let end = memchr::memmem::find(&head[start..], b"\r\n").map_or(head_end, |i| start + i);
    let date = at.format("Date: %a, %d %b %Y %H:%M:%S +0000").to_string();
    if date.len() == end - start {
        message[start..end].copy_from_slice(date.as_bytes());
    } else {
        message.splice(start..end, date.bytes());
    }
    message
}

/// Each address header the letter fills (To, Cc, Bcc, Reply-To), with its mailboxes as a person reads them.
fn addressed(h: &super::headers::Headers) -> impl Iterator<Item = (&'static str, String)> + '_ {
    [
        ("To", &h.to),
        ("Cc", &h.cc),
        ("Bcc", &h.bcc),
        ("Reply-To", &h.reply_to),
    ]
    .into_iter()
    .filter(|(_, list)| !list.is_empty())
    .map(|(name, list)| {
        let boxes: Vec<String> = list.iter().map(ToString::to_string).collect();
        (name, boxes.join(", "))
    })
}

/// The text of a test copy's first lines: the real recipients, since none of them is in the copy's headers.
fn test_copy_preface(r: &Rendered, to: &Mailbox) -> String {
    let mut lines: Vec<String> = addressed(&r.headers)
        .map(|(name, boxes)| format!("{name}: {boxes}"))
        .collect();
    lines.push(format!(
        "A test copy, sent only to {}: the addresses above received nothing.",
        to.email
    ));
    lines.join("\n")
}

fn content_hash(
    r: &Rendered,
    subject: &str,
    text: &str,
    html: &str,
    attachments: &[Attachment],
) -> String {
    let h = &r.headers;
    let mut d = Sha256::new();
    let mut field = |name: &str, value: &[u8]| {
        // Length-prefixed, so no two different messages feed the same bytes.
        d.update(name.as_bytes());
        d.update((value.len() as u64).to_le_bytes());
        d.update(value);
    };
    let boxes = |list: &[Mailbox]| {
        list.iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join(", ")
    };
    field(
        "from",
        h.from
            .as_ref()
            .map(ToString::to_string)
            .unwrap_or_default()
            .as_bytes(),
    );
    field("to", boxes(&h.to).as_bytes());
    field("cc", boxes(&h.cc).as_bytes());
    field("bcc", boxes(&h.bcc).as_bytes());
    field("reply-to", boxes(&h.reply_to).as_bytes());
    field("subject", subject.as_bytes());
    field("id", r.id.as_bytes());
    field("text", text.as_bytes());
    field("html", html.as_bytes());
    for a in attachments {
        field("attachment", a.name.as_bytes());
        field("type", a.content_type.as_bytes());
        field("bytes", &a.bytes);
    }
    hex(&d.finalize())
}

pub fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for &b in bytes {
        out.push(char::from(DIGITS[usize::from(b >> 4)]));
        out.push(char::from(DIGITS[usize::from(b & 15)]));
    }
    out
}

/// RFC 5322 `dot-atom-text` characters only: a key with spaces or accents still makes a valid Message-ID.
fn msgid_safe(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || "!#$%&'*+-/=?^_`{|}~.".contains(c) {
                c
            } else {
                '-'
            }
        })
        .collect()
}

/// A content type from a file name, for attachments.
pub fn content_type_for(name: &str) -> &'static str {
    match name
        .rsplit('.')
        .next()
        .map(str::to_ascii_lowercase)
        .as_deref()
    {
        Some("pdf") => "application/pdf",
        Some("txt") => "text/plain; charset=utf-8",
        Some("md") => "text/markdown; charset=utf-8",
        Some("html" | "htm") => "text/html; charset=utf-8",
        Some("csv") => "text/csv; charset=utf-8",
        Some("png") => "image/png",
        Some("jpg" | "jpeg") => "image/jpeg",
        Some("docx") => "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        _ => "application/octet-stream",
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    fn at() -> chrono::DateTime<chrono::Utc> {
        chrono::Utc.with_ymd_and_hms(2026, 12, 2, 9, 5, 7).unwrap()
    }

    #[test]
    fn the_date_is_replaced_in_the_header_only() {
        let message = b"From: a@b.example\r\nDate: Wed, 02 Dec 2026 00:00:00 +0000\r\nSubject: x\r\n\r\nDate: kept\r\n";
        assert_eq!(
            super::with_date(message.to_vec(), at()),
            b"From: a@b.example\r\nDate: Wed, 02 Dec 2026 09:05:07 +0000\r\nSubject: x\r\n\r\nDate: kept\r\n"
        );
        // First in the header, and of another length than the new one.
        let message = b"Date: Tue, 3 Nov 2026 10:00:00 +0000\r\nSubject: x\r\n\r\nbody\r\n";
        assert_eq!(
            super::with_date(message.to_vec(), at()),
            b"Date: Wed, 02 Dec 2026 09:05:07 +0000\r\nSubject: x\r\n\r\nbody\r\n"
        );
        // No Date header: nothing to change (a Date in the body is not the message's).
        let message = b"Subject: x\r\n\r\nDate: Tue, 3 Nov 2026 10:00:00 +0000\r\n";
        assert_eq!(super::with_date(message.to_vec(), at()), message);
    }
}
