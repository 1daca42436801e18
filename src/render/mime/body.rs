//! Content transfer encodings, written straight into the message: text with its line ends made CRLF on the way, in
//! one pass (lettre converts, then copies, then encodes).
//!
//! The bytes are those lettre 0.11 writes: the encoding is chosen by `email-encoding`'s rule (7bit for short ASCII
//! lines, quoted-printable while at most a third of the bytes need escaping, else base64), quoted-printable follows
//! the `quoted_printable` crate's line breaking to the byte (soft breaks at 76 columns, a break moved back before an
//! escape that would not fit, trailing blanks escaped), base64 lines have 76 characters.

use email_encoding::body::Encoding;

/// How a text part travels, chosen from its text before its line ends become CRLF: `email-encoding`'s rule
/// (`Encoding::choose(text, false)`, which lettre calls), in passes the compiler vectorizes.
pub(crate) fn choose(text: &str) -> Encoding {
    let bytes = text.as_bytes();
    if text.is_ascii() && !line_too_long(bytes) {
        return Encoding::SevenBit;
    }
    // Quoted-printable while at most a third of the bytes need escaping (line ends count as escaped).
    // Counted in blocks of 255 with a byte counter, which the compiler turns into vector instructions.
    let escaped: usize = bytes
        .chunks(255)
        .map(|block| {
            let n: u8 = block
                .iter()
                .map(|&b| u8::from(b != b'\t' && !(b' '..=b'~').contains(&b)))
                .fold(0, u8::wrapping_add);
            usize::from(n)
        })
        .sum();
    if escaped <= bytes.len() / 3 {
        Encoding::QuotedPrintable
    } else {
        Encoding::Base64
    }
}

/// `email-encoding`'s test, quirks included: the first line is too long at 76 bytes, later ones at 75 (it measures
/// from the previous `\n`), and it stops looking at the first that is.
fn line_too_long(bytes: &[u8]) -> bool {
    let mut last = 0;
    memchr::memchr_iter(b'\n', bytes).any(|i| {
        let previous = std::mem::replace(&mut last, i);
        i - previous >= 76
    }) || bytes.len() - last >= 76
}

/// The header value for an encoding.
pub(crate) fn name(encoding: Encoding) -> &'static str {
    match encoding {
        Encoding::SevenBit => "7bit",
        Encoding::EightBit => "8bit",
        Encoding::QuotedPrintable => "quoted-printable",
        Encoding::Base64 => "base64",
    }
}

/// `text` in `encoding`, every line ending CRLF (a lone `\n` gets its `\r`; text is never 8bit here).
pub(crate) fn text(out: &mut String, text: &str, encoding: Encoding) {
    match encoding {
        Encoding::SevenBit | Encoding::EightBit => crlf(out, text),
        Encoding::QuotedPrintable => quoted_printable(out, text),
        Encoding::Base64 => {
            let mut converted = String::with_capacity(text.len() + text.len() / 32);
            crlf(&mut converted, text);
            base64(out, converted.as_bytes());
        }
    }
}

/// Bytes in base64, 76 characters a line, lines separated by CRLF (no CRLF after the last).
pub(crate) fn base64(out: &mut String, bytes: &[u8]) {
    let _ = email_encoding::body::base64::encode(bytes, out);
}

/// Characters base64 makes of `n` bytes, with its line breaks.
pub(crate) fn base64_len(n: usize) -> usize {
    email_encoding::body::base64::encoded_len(n)
}

/// `text` with each `\n` not already after `\r` preceded by one.
fn crlf(out: &mut String, text: &str) {
    let mut last = 0;
    let bytes = text.as_bytes();
    for (i, &b) in bytes.iter().enumerate() {
        if b == b'\n' && (i == 0 || bytes[i - 1] != b'\r') {
            out.push_str(&text[last..i]);
            out.push('\r');
            last = i;
        }
    }
    out.push_str(&text[last..]);
}

/// Longest encoded line, without its CRLF.
const LIMIT: usize = 76;

/// Quoted-printable of `text` as if its line ends were CRLF already: the `quoted_printable` crate's `encode` (text
/// mode) on lettre's CRLF-converted text, without the conversion or the copy.
fn quoted_printable(out: &mut String, text: &str) {
    let mut q = Qp {
        out,
        on_line: 0,
        backup: 0,
        start: 0,
    };
    q.start = q.out.len();
    q.backup = q.out.len();
    let bytes = text.as_bytes();
    let mut was_cr = false;
    let mut i = 0;
    while i < bytes.len() {
        let byte = bytes[i];
        // Every `\n` ends a line: after a `\r` of the text, or after the one the conversion adds.
        if byte == b'\n' {
            q.escape_trailing_blank();
            q.out.push_str("\r\n");
            q.on_line = 0;
            was_cr = false;
            i += 1;
            continue;
        }
        if was_cr {
            // A `\r` not followed by `\n` is data.
            q.append("=0D");
        }
        if byte == b'\r' {
            was_cr = true;
            i += 1;
            continue;
        }
        was_cr = false;
        if q.on_line < LIMIT && !needs_escape(byte) {
            // The bytes that stand for themselves, looked at as far as two past column 75.
            let fit = LIMIT - 1 - q.on_line;
            let need = fit + 2;
            let run = crate::ascii::printable_run(&bytes[i..(i + need).min(bytes.len())], b'=');
            if run == need {
                // The run crosses the end of the line: the line takes it to column 75 and a soft break, which is
                // where the crate's one-by-one appends leave it (a 77th column moves the 76th column's byte down).
                q.out.push_str(&text[i..i + fit]);
                q.out.push_str("=\r\n");
                q.on_line = 0;
                q.backup = q.out.len();
                i += fit;
                continue;
            }
            if LIMIT - q.on_line >= 3 {
                // The run as far as the line allows (two columns kept for a soft break), copied at once.
                let run = run.min(LIMIT - q.on_line - 2);
                q.out.push_str(&text[i..i + run]);
                q.on_line += run;
                q.backup = q.out.len();
                i += run;
                continue;
            }
        }
        match byte {
            b'=' => q.append("=3D"),
            b'\t' | b' '..=b'~' => q.append(&text[i..i + 1]),
            _ => {
                let hex = [
                    b'=',
                    HEX[usize::from(byte >> 4)],
                    HEX[usize::from(byte & 15)],
                ];
                q.append(std::str::from_utf8(&hex).unwrap_or("=3F"));
            }
        }
        i += 1;
    }
    if was_cr {
        q.append("=0D");
    } else {
        q.escape_trailing_blank();
    }
}

const HEX: &[u8; 16] = b"0123456789ABCDEF";

fn needs_escape(b: u8) -> bool {
    ESCAPE[usize::from(b)]
}

/// The bytes quoted-printable escapes: all but tab and printable ASCII other than `=`.
static ESCAPE: [bool; 256] = {
    let mut t = [true; 256];
    let mut b = b' ';
    while b <= b'~' {
        t[b as usize] = b == b'=';
        b += 1;
    }
    t[b'\t' as usize] = false;
    t
};

struct Qp<'o> {
    out: &'o mut String,
    /// Columns on the current encoded line.
    on_line: usize,
    /// Where the last thing appended starts: a soft break that no longer fits goes there.
    backup: usize,
    /// Where this part's encoding starts in `out`.
    start: usize,
}

impl Qp<'_> {
    fn append(&mut self, piece: &str) {
        if self.on_line + piece.len() > LIMIT {
            if self.on_line == LIMIT {
                // No room for the `=` of a soft break: it goes before the last thing appended, which moves down.
                self.on_line = self.out.len() - self.backup;
                self.out.insert_str(self.backup, "=\r\n");
            } else {
                self.out.push_str("=\r\n");
                self.on_line = 0;
            }
        }
        self.out.push_str(piece);
        self.on_line += piece.len();
        self.backup = self.out.len() - piece.len();
    }

    /// A blank at the end of an encoded line must be escaped (RFC 2045 6.7 (3)): mail transports strip them.
    fn escape_trailing_blank(&mut self) {
        let escaped = match self.out.as_bytes()[self.start..].last() {
            Some(b' ') => "=20",
            Some(b'\t') => "=09",
            _ => return,
        };
        self.on_line -= 1;
        self.out.pop();
        self.append(escaped);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// What lettre wrote: the text's line ends made CRLF, then the `quoted_printable` crate.
    fn lettre_qp(text: &str) -> String {
        let mut converted = String::new();
        crlf(&mut converted, text);
        String::from_utf8(quoted_printable::encode(converted)).unwrap()
    }

    fn qp(text: &str) -> String {
        let mut out = String::new();
        quoted_printable(&mut out, text);
        out
    }

    #[test]
    fn quoted_printable_escapes_and_breaks_softly_at_76() {
        let text = format!("Andrés = {}\n", "x".repeat(80));
        let out = qp(&text);
        assert!(out.starts_with("Andr=C3=A9s =3D xxx"), "{out}");
        assert!(out.contains("=\r\n"), "a soft break: {out}");
        assert!(out.split("\r\n").all(|l| l.len() <= 76), "{out}");
        assert_eq!(out, lettre_qp(&text));
    }

    #[test]
    fn a_blank_before_a_line_end_is_escaped() {
        assert_eq!(qp("a \nb\t\n"), "a=20\r\nb=09\r\n");
        assert_eq!(qp("end "), "end=20");
    }

    #[test]
    fn line_ends_become_crlf_once() {
        assert_eq!(qp("a\nb\r\nc\rd"), "a\r\nb\r\nc=0Dd");
        let mut out = String::new();
        crlf(&mut out, "\na\nb\r\n");
        assert_eq!(out, "\r\na\r\nb\r\n");
    }

    #[test]
    fn base64_lines_have_76_characters() {
        let mut out = String::new();
        base64(&mut out, &[0xffu8; 200]);
        let lines: Vec<&str> = out.split("\r\n").collect();
        assert!(lines[..lines.len() - 1].iter().all(|l| l.len() == 76));
        assert_eq!(out.len(), base64_len(200));
    }

    proptest! {
        #[test]
        fn the_encoding_is_the_one_lettre_chose(
            parts in proptest::collection::vec(prop_oneof![
                "[a-z ]{1,80}", "\n", "é", "名", "\t", "\r", "[Привет]{1,20}",
            ], 0..40)
        ) {
            let text = parts.concat();
            prop_assert_eq!(choose(&text), Encoding::choose(text.as_str(), false));
        }

        #[test]
        fn quoted_printable_is_the_bytes_lettre_wrote(
            parts in proptest::collection::vec(prop_oneof![
                "[a-z]{1,90}", " {1,3}", "\t", "=", "é", "名", "\n", "\r", "\r\n", "[ -~]{1,80}",
            ], 0..60)
        ) {
            let text = parts.concat();
            prop_assert_eq!(qp(&text), lettre_qp(&text));
        }
    }
}
