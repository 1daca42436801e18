//! The email message written in one pass into one buffer (RFC 5322 headers, RFC 2045–2047 MIME, RFC 2231 file
//! names), instead of lettre's builder, which builds every part as a value, converts line ends in a copy, encodes in
//! another and joins them in a third (a quarter of the time of a letter: docs/PERFORMANCE.md).
//!
//! The message is the one lettre 0.11 built, byte for byte (the tests compare the two on random messages): the same
//! header order, encoders and folding, the same multipart layout, text parts in the same transfer encoding. One
//! difference, on purpose: an attachment is always base64. lettre sent a short-lined ASCII file as 7bit with its bare
//! `\n` line ends, which RFC 5322 forbids and some servers refuse; base64 carries the file's bytes unchanged.

mod body;
mod header;

use chrono::NaiveDate;
use lettre::message::Mailbox;

/// A file that travels with the letter.
pub(crate) struct Part<'a> {
    pub name: &'a str,
    pub content_type: &'a str,
    pub bytes: &'a [u8],
}

/// Everything the message says, already decided: the writer only encodes.
pub(crate) struct Message<'a> {
    pub from: &'a Mailbox,
    pub to: &'a [Mailbox],
    pub cc: &'a [Mailbox],
    /// Empty when the message is sent (Bcc is then only in the envelope).
    pub bcc: &'a [Mailbox],
    pub reply_to: &'a [Mailbox],
    pub subject: &'a str,
    pub date: NaiveDate,
    pub message_id: &'a str,
    /// Names both boundaries: `alt-TAG` and `mix-TAG`.
    pub boundary_tag: &'a str,
    pub text: &'a str,
    pub html: &'a str,
    pub attachments: &'a [Part<'a>],
}

/// The message's bytes (ASCII only: everything else is encoded).
pub(crate) fn write(m: &Message) -> Vec<u8> {
    let mut out = String::with_capacity(capacity(m));
    header::mailboxes(&mut out, "From", std::slice::from_ref(m.from));
    header::unstructured(&mut out, "Subject", m.subject);
    header::plain(&mut out, "Date", &date(m.date));
    header::unstructured(&mut out, "Message-ID", m.message_id);
    for (name, list) in [
        ("To", m.to),
        ("Cc", m.cc),
        ("Bcc", m.bcc),
        ("Reply-To", m.reply_to),
    ] {
        if !list.is_empty() {
            header::mailboxes(&mut out, name, list);
        }
    }
    header::plain(&mut out, "MIME-Version", "1.0");
    let alt = format!("alt-{}", m.boundary_tag);
    if m.attachments.is_empty() {
        alternative(&mut out, &alt, m);
    } else {
        let mix = format!("mix-{}", m.boundary_tag);
        multipart_header(&mut out, "mixed", &mix);
        open(&mut out, &mix);
        alternative(&mut out, &alt, m);
        for a in m.attachments {
            open(&mut out, &mix);
            header::attachment(&mut out, a.name);
            header::unstructured(&mut out, "Content-Type", a.content_type);
            header::plain(&mut out, "Content-Transfer-Encoding", "base64");
            out.push_str("\r\n");
            body::base64(&mut out, a.bytes);
            out.push_str("\r\n");
        }
        close(&mut out, &mix);
    }
    out.into_bytes()
}

/// The text and the HTML as alternatives: the Content-Type field, then the two parts.
fn alternative(out: &mut String, boundary: &str, m: &Message) {
    multipart_header(out, "alternative", boundary);
    for (content_type, text) in [
        ("text/plain; charset=utf-8", m.text),
        ("text/html; charset=utf-8", m.html),
    ] {
        open(out, boundary);
        let encoding = body::choose(text);
        header::plain(out, "Content-Type", content_type);
        header::plain(out, "Content-Transfer-Encoding", body::name(encoding));
        out.push_str("\r\n");
        body::text(out, text, encoding);
        out.push_str("\r\n");
    }
    close(out, boundary);
}

fn multipart_header(out: &mut String, kind: &str, boundary: &str) {
    header::unstructured(
        out,
        "Content-Type",
        &format!("multipart/{kind}; boundary=\"{boundary}\""),
    );
    out.push_str("\r\n");
}

fn open(out: &mut String, boundary: &str) {
    out.push_str("--");
    out.push_str(boundary);
    out.push_str("\r\n");
}

fn close(out: &mut String, boundary: &str) {
    out.push_str("--");
    out.push_str(boundary);
    out.push_str("--\r\n");
}

/// `Wed, 11 Jul 2018 00:00:00 +0000`: the letter's date at midnight UTC, within the years an HTTP date can show (as
/// lettre wrote it). Written digit by digit: chrono's `format` parses its pattern again for every letter.
fn date(day: NaiveDate) -> String {
    use chrono::Datelike;
    const DAYS: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let first = NaiveDate::from_ymd_opt(1970, 1, 1).unwrap_or(day);
    let last = NaiveDate::from_ymd_opt(9999, 12, 31).unwrap_or(day);
    let day = day.clamp(first, last);
    let mut out = String::with_capacity(31);
    out.push_str(DAYS[day.weekday().num_days_from_monday() as usize]);
    out.push_str(", ");
    push_digits(&mut out, day.day(), 2);
    out.push(' ');
    out.push_str(MONTHS[day.month0() as usize]);
    out.push(' ');
    push_digits(&mut out, day.year().unsigned_abs(), 4);
    out.push_str(" 00:00:00 +0000");
    out
}

/// `n` in decimal, zero-padded to `width` digits (`n` has no more).
pub(crate) fn push_digits(out: &mut String, n: u32, width: u32) {
    for place in (0..width).rev() {
        out.push(char::from(b'0' + (n / 10u32.pow(place) % 10) as u8));
    }
}

/// Room for the whole message, so that the buffer never grows: quoted-printable text grows by a few percent, base64
/// by a third.
fn capacity(m: &Message) -> usize {
    let text = (m.text.len() + m.html.len()) * 11 / 10 + 2048;
    let files: usize = m
        .attachments
        .iter()
        .map(|a| body::base64_len(a.bytes.len()) + a.name.len() * 3 + 256)
        .sum();
    text + files
}

#[cfg(test)]
mod oracle;
