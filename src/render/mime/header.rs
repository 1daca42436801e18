//! Header fields, encoded and folded as lettre 0.11 encodes them (so a message keeps its bytes), with the encoders of
//! `email-encoding`, the crate lettre uses: RFC 2047 encoded words for non-ASCII text, quoted strings for display
//! names, RFC 2231 for file names. Each field is written straight into the message.

use std::fmt::Write as _;

use email_encoding::headers::writer::EmailWriter;
use email_encoding::headers::{quoted_string, rfc2047, rfc2231};
use lettre::message::Mailbox;

/// `Name: value` where the value is plain text (Subject, Message-ID, Content-Type): words that are not ASCII become
/// encoded words, long values fold at spaces. Writing to a `String` cannot fail, hence the ignored results.
pub(crate) fn unstructured(out: &mut String, name: &str, value: &str) {
    out.push_str(name);
    out.push_str(": ");
    {
        let mut w = EmailWriter::new(out, name.len() + ": ".len(), 0, false);
        // A run of words that need encoding is encoded as one: `Andrés Manuel` is one encoded word, not two.
        let mut pending = String::new();
        for word in value.split_inclusive(' ') {
            // A word that reads as an encoded word (`=?utf-8?q?Evil?=`) is encoded itself, so a mail program shows
            // the text as the row wrote it instead of decoding it into other words.
            // So is a word too long for one line (998 characters): encoded words split and fold.
            if word.bytes().all(allowed) && !word.contains("=?") && word.len() <= 900 {
                flush_encoded(&mut pending, &mut w);
                let _ = w.folding().write_str(word);
            } else {
                pending.push_str(word);
            }
        }
        flush_encoded(&mut pending, &mut w);
    }
    out.push_str("\r\n");
}

fn flush_encoded(pending: &mut String, w: &mut EmailWriter<'_>) {
    if pending.is_empty() {
        return;
    }
    let words = pending.trim_end_matches(' ');
    let _ = rfc2047::encode(words, w);
    for _ in 0..pending.len() - words.len() {
        w.space();
    }
    pending.clear();
}

/// What lettre writes as it is in a header: ASCII without NUL, CR and LF.
fn allowed(c: u8) -> bool {
    matches!(c, 1..=9 | 11 | 12 | 14..=127)
}

/// `To: "Name" <a@x>, b@y`: display names quoted or encoded as needed, folded between mailboxes.
pub(crate) fn mailboxes(out: &mut String, name: &str, list: &[Mailbox]) {
    let list = as_lettre_joined(list);
    out.push_str(name);
    out.push_str(": ");
    {
        let mut w = EmailWriter::new(out, name.len() + ": ".len(), 0, false);
        for (i, m) in list.iter().enumerate() {
            if i > 0 {
                let _ = w.write_char(',');
                w.space();
            }
            if let Some(display) = &m.name {
                let _ = quoted_string::encode(display, &mut w);
                w.space();
                let _ = w.write_char('<');
            }
            let _ = w.write_str(m.email.as_ref());
            if m.name.is_some() {
                let _ = w.write_char('>');
            }
        }
    }
    out.push_str("\r\n");
}

/// The mailboxes as lettre's builder left them: it added each mailbox to a field by reading the field's text back,
/// which normalizes the display names of all but the last (runs of spaces become one). Names parsed from a template
/// are normal already; this keeps any other name as lettre wrote it. Where lettre could not read the text back it
/// dropped the earlier mailboxes from the field; they are kept here.
fn as_lettre_joined(list: &[Mailbox]) -> std::borrow::Cow<'_, [Mailbox]> {
    use lettre::message::Mailboxes;
    if list.len() < 2 {
        return list.into();
    }
    let mut joined: Vec<Mailbox> = vec![list[0].clone()];
    for m in &list[1..] {
        let text = Mailboxes::from(joined.clone()).to_string();
        if let Ok(read) = text.parse::<Mailboxes>() {
            joined = read.into_iter().collect();
        }
        joined.push(m.clone());
    }
    joined.into()
}

/// `Content-Disposition: attachment; filename="…"`, the name in RFC 2231 form (continuations, UTF-8 percent
/// encoding) when it is long or not ASCII.
pub(crate) fn attachment(out: &mut String, file_name: &str) {
    const NAME: &str = "Content-Disposition";
    out.push_str(NAME);
    out.push_str(": ");
    {
        let mut w = EmailWriter::new(out, NAME.len() + ": ".len(), 0, false);
        let _ = w.write_str("attachment");
        let _ = w.write_char(';');
        w.space();
        let _ = rfc2231::encode("filename", file_name, &mut w);
    }
    out.push_str("\r\n");
}

/// A field whose value is ASCII and short by construction (Date, MIME-Version, transfer encodings).
pub(crate) fn plain(out: &mut String, name: &str, value: &str) {
    out.push_str(name);
    out.push_str(": ");
    out.push_str(value);
    out.push_str("\r\n");
}

#[cfg(test)]
mod tests {
    use super::*;

    fn field(f: impl FnOnce(&mut String)) -> String {
        let mut out = String::new();
        f(&mut out);
        out
    }

    #[test]
    fn a_subject_encodes_only_its_non_ascii_words_and_folds_under_78_columns() {
        let s = field(|o| {
            unstructured(
                o,
                "Subject",
                "Derechos humanos: carta a Andrés Manuel López Obrador",
            )
        });
        assert_eq!(
            s,
            "Subject: Derechos humanos: carta a =?utf-8?b?QW5kcsOpcw==?= Manuel\r\n =?utf-8?b?TMOzcGV6?= Obrador\r\n"
        );
        assert!(s.lines().all(|l| l.len() <= 78));
    }

    #[test]
    fn text_that_looks_like_an_encoded_word_reaches_the_reader_as_written() {
        for subject in [
            "Letter to =?utf-8?q?Evil?=",
            "=?iso-8859-1?b?SGk=?= and more",
        ] {
            let s = field(|o| unstructured(o, "Subject", subject));
            let message = format!("{s}\r\nbody\r\n");
            let parsed = mail_parser::MessageParser::default()
                .parse(message.as_bytes())
                .expect("parses");
            assert_eq!(parsed.subject(), Some(subject), "{s}");
        }
    }

    #[test]
    fn a_word_longer_than_a_header_line_is_split_into_encoded_words() {
        let subject = format!("Letter to {}", "A".repeat(5000));
        let s = field(|o| unstructured(o, "Subject", &subject));
        assert!(s.split("\r\n").all(|l| l.len() <= 998), "a line over 998");
        let message = format!("{s}\r\nbody\r\n");
        let parsed = mail_parser::MessageParser::default()
            .parse(message.as_bytes())
            .expect("parses");
        assert_eq!(parsed.subject(), Some(subject.as_str()));
    }

    #[test]
    fn a_long_ascii_subject_folds_at_spaces() {
        let subject = "word ".repeat(30);
        let s = field(|o| unstructured(o, "Subject", subject.trim()));
        assert!(s.contains("\r\n word"), "{s}");
        assert!(s.split("\r\n").all(|l| l.len() <= 76), "{s}");
        assert_eq!(
            s.replace("\r\n ", " "),
            format!("Subject: {}\r\n", subject.trim())
        );
    }

    #[test]
    fn display_names_are_quoted_or_encoded() {
        let list: Vec<Mailbox> = ["\"Mike Pompeo\" <sos@state.example>"]
            .iter()
            .map(|s| s.parse().unwrap())
            .collect();
        assert_eq!(
            field(|o| mailboxes(o, "To", &list)),
            "To: \"Mike Pompeo\" <sos@state.example>\r\n"
        );
        // A comma is not allowed in lettre's quoted names: the name is encoded instead.
        let list: Vec<Mailbox> = [
            "\"Pompeo, Mike\" <sos@state.example>",
            "Ana María <ana@x.example>",
            "plain@x.example",
        ]
        .iter()
        .map(|s| s.parse().unwrap())
        .collect();
        assert_eq!(
            field(|o| mailboxes(o, "To", &list)),
            "To: =?utf-8?b?UG9tcGVvLCBNaWtl?= <sos@state.example>, =?utf-8?b?QW5hIE1h?=\r\n =?utf-8?b?csOtYQ==?= <ana@x.example>, plain@x.example\r\n"
        );
    }

    #[test]
    fn a_non_ascii_file_name_is_written_in_rfc_2231_form() {
        assert_eq!(
            field(|o| attachment(o, "Carta - Peña Nieto.pdf")),
            "Content-Disposition: attachment;\r\n filename*0*=utf-8''Carta%20-%20Pe%C3%B1a%20Nieto.pdf\r\n"
        );
        assert_eq!(
            field(|o| attachment(o, "letter.pdf")),
            "Content-Disposition: attachment; filename=\"letter.pdf\"\r\n"
        );
    }

    #[test]
    fn a_long_ascii_file_name_continues_on_numbered_lines() {
        let name = format!(
            "{}.pdf",
            "Human rights in Mexico - Secretary Pompeo ".repeat(3)
        );
        let s = field(|o| attachment(o, &name));
        assert!(
            s.contains(" filename*0=\"") && s.contains(" filename*1=\""),
            "{s}"
        );
        assert!(s.split("\r\n").all(|l| l.len() <= 76), "{s}");
    }
}
