//! Email headers from rendered front matter: split, parsed as RFC 5322 mailboxes, refused if they hold a line break
//! or any other control character (a tab becomes a space).

use std::collections::BTreeMap;

use lettre::message::Mailbox;

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Headers {
    pub from: Option<Mailbox>,
    pub to: Vec<Mailbox>,
    pub cc: Vec<Mailbox>,
    pub bcc: Vec<Mailbox>,
    pub reply_to: Vec<Mailbox>,
    pub subject: Option<String>,
}

/// Rendered front-matter values by key, each with the template line it came from.
pub type Fields<'a> = BTreeMap<&'a str, Vec<(String, usize)>>;

/// The longest display name taken, in characters: quoted or encoded, it still fits one header line.
const NAME_MAX: usize = 300;

impl Headers {
    /// `Err((template line, message))` for the first bad value. `from` falls back to `[smtp] from`, which the
    /// manifest has already parsed.
    pub fn from_fields(
        fields: &Fields,
        default_from: Option<&Mailbox>,
    ) -> Result<Headers, (usize, String)> {
        for (key, values) in fields {
            for (v, line) in values {
                if let Some(what) = control_character(v) {
                    return Err((*line, format!("`{key}` holds {what}: {v:?}")));
                }
            }
        }
        let list = |key: &str| -> Result<Vec<Mailbox>, (usize, String)> {
            let mut out = Vec::new();
            for (v, line) in fields.get(key).into_iter().flatten() {
                for item in split_addresses(&v.replace('\t', " ")) {
                    let mb: Mailbox = parse_mailbox(&item).map_err(|e| {
                        (
                            *line,
                            format!("`{key}`: `{item}` is not an email address ({e})"),
                        )
                    })?;
                    // An address holding a zero-width space or a direction mark reads like another one and goes to
                    // a mailbox nobody has (or, at a server without SMTPUTF8, fails the letter after `check`).
                    let address: &str = mb.email.as_ref();
                    if let Some(c) = address
                        .chars()
                        .find(|&c| c.is_whitespace() || crate::render::file_name::is_invisible(c))
                    {
                        return Err((
                            *line,
                            format!(
                                "`{key}`: `{}` holds the invisible character U+{:04X}; retype the address",
                                address.escape_debug(),
                                u32::from(c)
                            ),
                        ));
                    }
                    // A name is written whole on one header line, which email caps at 998 characters.
                    if let Some(name) = mb.name.as_deref().filter(|n| n.chars().count() > NAME_MAX)
                    {
                        let start: String = name.chars().take(30).collect();
                        return Err((
                            *line,
                            format!(
                                "`{key}`: the name “{start}…” is {} characters long; names over {NAME_MAX} are refused, as an email header line holds at most 998",
                                name.chars().count()
                            ),
                        ));
                    }
                    out.push(mb);
                }
            }
            Ok(out)
        };
        let mut from = list("from")?;
        if from.len() > 1 {
            let line = fields["from"][0].1;
            return Err((line, "`from` must be one address".into()));
        }
        let from = from.pop().or_else(|| default_from.cloned());
        if let Some(what) = from
            .as_ref()
            .and_then(|f| f.name.as_deref())
            .and_then(control_character)
        {
            return Err((0, format!("the sender's name holds {what}")));
        }
        let subject = fields
            .get("subject")
            .and_then(|v| v.first())
            .map(|(s, _)| s.replace('\t', " ").trim().to_string())
            .filter(|s| !s.is_empty());
        Ok(Headers {
            from,
            to: list("to")?,
            cc: list("cc")?,
            bcc: list("bcc")?,
            reply_to: list("reply_to")?,
            subject,
        })
    }

    /// Every envelope recipient: to, cc and bcc.
    pub fn recipients(&self) -> impl Iterator<Item = &Mailbox> {
        self.to.iter().chain(&self.cc).chain(&self.bcc)
    }
}

/// `item` as a mailbox. The last few parsed on this thread are remembered: `from` and `reply_to` are the same text in
/// every letter of a run, and parsing one costs as much as rendering a paragraph.
fn parse_mailbox(item: &str) -> Result<Mailbox, lettre::address::AddressError> {
    use std::cell::RefCell;
    const KEEP: usize = 4;
    thread_local! {
        static SEEN: RefCell<Vec<(String, Mailbox)>> = const { RefCell::new(Vec::new()) };
    }
    // The most recently used last, so the sender (the same on every letter) is not pushed out by the recipients.
    if let Some(hit) = SEEN.with(|s| {
        let mut seen = s.borrow_mut();
        let at = seen.iter().position(|(text, _)| text == item)?;
        let entry = seen.remove(at);
        let mailbox = entry.1.clone();
        seen.push(entry);
        Some(mailbox)
    }) {
        return Ok(hit);
    }
    let parsed = ascii_domain(item.parse()?)?;
    SEEN.with(|s| {
        let mut seen = s.borrow_mut();
        if seen.len() == KEEP {
            seen.remove(0);
        }
        seen.push((item.to_string(), parsed.clone()));
    });
    Ok(parsed)
}

/// The mailbox with its domain in ASCII (`peña.example` → `xn--pea-8ma.example`, as IDNA 2008 writes it): every
/// server takes that, where a non-ASCII domain needs one that offers SMTPUTF8. A non-ASCII local part (`josé@…`) has
/// no ASCII form and stays as it is.
fn ascii_domain(mb: Mailbox) -> Result<Mailbox, lettre::address::AddressError> {
    let domain = mb.email.domain();
    if domain.is_ascii() {
        return Ok(mb);
    }
    let Ok(ascii) = idna::domain_to_ascii(domain) else {
        return Ok(mb);
    };
    let email = lettre::Address::new(mb.email.user(), ascii)?;
    Ok(Mailbox::new(mb.name, email))
}

/// What in `value` must never reach a header, said for a message: a line break would start a forged header, and no
/// other control character belongs in one either (a vertical tab, which spreadsheets leave for a line break inside a
/// cell, reached `Subject:` raw). A tab is whitespace: callers turn it into a space.
pub fn control_character(value: &str) -> Option<String> {
    // Nearly every value is clear at a glance over its bytes: nothing below space but a tab, no DEL, and no byte
    // that starts a C1 control (U+0080 to U+009F, `C2 80`–`C2 9F`) or U+2028/U+2029 (`E2 80 A8`/`A9`). Names
    // with accents pass too (`ñ` is `C3 B1`).
    let clear = value.bytes().fold(true, |clear, b| {
        clear & (b >= 0x20 || b == b'\t') & (b != 0x7f) & (b != 0xc2) & (b != 0xe2)
    });
    if clear {
        return None;
    }
    if value.contains(['\r', '\n']) {
        return Some("a line break, which would forge a header".into());
    }
    let c = value
        .chars()
        .find(|&c| c != '\t' && (c.is_control() || matches!(c, '\u{2028}' | '\u{2029}')))?;
    let name = match c {
        '\0' => ", NUL",
        '\u{b}' => ", a vertical tab",
        '\u{c}' => ", a form feed",
        '\u{1b}' => ", escape",
        '\u{7f}' => ", delete",
        '\u{85}' => ", next line",
        '\u{2028}' => ", a line separator",
        '\u{2029}' => ", a paragraph separator",
        _ => "",
    };
    Some(format!(
        "a control character (U+{:04X}{name}), which must never reach an email header; remove it from the cell",
        c as u32
    ))
}

/// Items separated by `;` (or `,` between complete addresses), ignoring separators inside quotes and angle brackets;
/// empty items dropped.
pub fn split_addresses(value: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let (mut quoted, mut angle, mut escaped) = (false, false, false);
    for c in value.chars() {
        match c {
            _ if escaped => escaped = false,
            '\\' if quoted => escaped = true,
            '"' => quoted = !quoted,
            '<' if !quoted => angle = true,
            '>' if !quoted => angle = false,
            // A comma only separates when what precedes is a whole address (a bare display name may hold one).
            ';' | ',' if !quoted && !angle && (c == ';' || cur.contains('@')) => {
                out.push(std::mem::take(&mut cur));
                continue;
            }
            _ => {}
        }
        cur.push(c);
    }
    out.push(cur);
    out.into_iter()
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_on_separators_outside_quotes() {
        assert_eq!(
            split_addresses(r#""Risch; James" <r@x.example>; m@x.example,n@x.example;;"#),
            [
                r#""Risch; James" <r@x.example>"#,
                "m@x.example",
                "n@x.example"
            ]
        );
    }

    #[test]
    fn a_line_break_is_refused() {
        let mut f = Fields::new();
        f.insert("subject", vec![("Hi\r\nBcc: evil@x.example".into(), 4)]);
        let (line, msg) = Headers::from_fields(&f, None).unwrap_err();
        assert_eq!(line, 4);
        assert!(msg.contains("line break"));
    }

    #[test]
    fn every_control_character_is_refused_and_a_tab_becomes_a_space() {
        for bad in [
            "a\u{b}b",
            "a\u{0}b",
            "a\u{1b}[31mb",
            "a\u{7f}b",
            "a\u{85}b",
            "a\u{2028}b",
            "a\u{c}b",
        ] {
            let mut f = Fields::new();
            f.insert("subject", vec![(bad.into(), 4)]);
            let (line, msg) = Headers::from_fields(&f, None).unwrap_err();
            assert_eq!(line, 4);
            assert!(msg.contains("control character (U+"), "{msg}");
        }
        let mut f = Fields::new();
        f.insert("subject", vec![("Human rights\tin Mexico".into(), 4)]);
        f.insert("to", vec![("\"Mike\tPompeo\" <sos@x.example>".into(), 3)]);
        let h = Headers::from_fields(&f, None).unwrap();
        assert_eq!(h.subject.as_deref(), Some("Human rights in Mexico"));
        assert_eq!(h.to[0].name.as_deref(), Some("Mike Pompeo"));
    }

    proptest::proptest! {
        #[test]
        fn the_quick_look_misses_no_control_character(
            parts in proptest::collection::vec(proptest::prop_oneof![
                "[a-z ]{1,5}", "\\PC{1,3}", "\\p{Cc}", "\u{2028}", "\u{2029}", "\t", "[¡-ÿ]", "[\u{80}-\u{9f}]", "—",
            ], 0..12)
        ) {
            let value = parts.concat();
            let control = value
                .chars()
                .any(|c| c != '\t' && (c.is_control() || matches!(c, '\u{2028}' | '\u{2029}')));
            proptest::prop_assert_eq!(control_character(&value).is_some(), control, "{:?}", value);
        }
    }

    #[test]
    fn non_ascii_names_parse() {
        let mut f = Fields::new();
        f.insert(
            "to",
            vec![("\"Andrés Manuel López Obrador\" <amlo@x.example>".into(), 3)],
        );
        let h = Headers::from_fields(&f, None).unwrap();
        assert_eq!(h.to[0].name.as_deref(), Some("Andrés Manuel López Obrador"));
    }

    #[test]
    fn an_internationalized_domain_is_written_in_ascii() {
        let mut f = Fields::new();
        f.insert(
            "to",
            vec![("Ana Peña <ana@Peña.example>, josé@x.example".into(), 3)],
        );
        let h = Headers::from_fields(&f, None).unwrap();
        assert_eq!(h.to[0].email.to_string(), "ana@xn--pea-8ma.example");
        assert_eq!(h.to[0].name.as_deref(), Some("Ana Peña"));
        // A local part has no ASCII form: it needs a server that offers SMTPUTF8.
        assert_eq!(h.to[1].email.to_string(), "josé@x.example");
    }

    #[test]
    fn an_address_with_an_invisible_character_is_refused() {
        for bad in [
            "secretary\u{200B}@state.example",
            "sec\u{202E}retary@state.example",
        ] {
            let mut f = Fields::new();
            f.insert("to", vec![(bad.to_string(), 2)]);
            let err = Headers::from_fields(&f, None).unwrap_err();
            assert_eq!(err.0, 2);
            assert!(err.1.contains("invisible character U+20"), "{}", err.1);
        }
    }
}
