//! Escaping values for the Markdown body, so that no CSV cell can add emphasis, links, HTML, headings or layout.
//!
//! The body is one Markdown text read by pulldown-cmark (txt, html, eml, pdf) and, as the `md` file, by pandoc and by
//! people. A backslash before every punctuation mark would be safe but makes the `md` file unreadable
//! (`U\.S\. Department`), so a mark is escaped only where one of those readers could take it as syntax. The value's
//! surroundings are unknown (a value may start a line, follow another value, or end just before a `;` of the
//! template), so each rule assumes the worst about what lies outside the value: its start may be the start of a
//! line, its end may be followed by anything.

use std::borrow::Cow;
use std::collections::HashMap;

/// Escapes what Markdown (CommonMark with tables and strikethrough, and pandoc's Markdown) could read as syntax,
/// turns a newline inside a value into a hard line break, and drops each line's leading and trailing blanks (four
/// leading spaces would start a code block, two trailing ones a line break).
pub fn markdown(value: &str) -> String {
    // Most values (a name, a title, a city) hold no mark and no line break: they stay as they are.
    if plain(value) {
        return value.to_owned();
    }
    escape_lines(value)
}

/// [`markdown`] without its shortcut.
fn escape_lines(value: &str) -> String {
    let mut out = String::with_capacity(value.len() + value.len() / 16);
    let value = match value.contains('\r') {
        true => Cow::Owned(value.replace("\r\n", "\n").replace('\r', "\n")),
        false => Cow::Borrowed(value),
    };
    // A cell's leading or trailing line break (Excel leaves them) would end in a `\` that a blank line makes literal.
    for (i, line) in value.trim().split('\n').enumerate() {
        if i > 0 {
            out.push_str("\\\n");
        }
        let chars: Vec<char> = line.trim().chars().collect();
        for (at, &c) in chars.iter().enumerate() {
            if needs_escape(&chars, at) {
                out.push('\\');
            }
            out.push(c);
        }
    }
    out
}

/// Whether [`markdown`] leaves `value` as it is without looking closer: no blank at either end, no line break, no
/// character [`needs_escape`] could escape anywhere, and none of those it escapes only at the start of a line first.
fn plain(value: &str) -> bool {
    let bytes = value.as_bytes();
    let start_mark = matches!(bytes.first(), Some(b'>' | b'-' | b'+' | b'=' | b':'));
    !start_mark
        && !bytes.iter().any(|b| {
            matches!(
                b,
                b'\\'
                    | b'`'
                    | b'<'
                    | b'['
                    | b']'
                    | b'|'
                    | b'~'
                    | b'^'
                    | b'{'
                    | b'#'
                    | b'*'
                    | b'_'
                    | b'.'
                    | b')'
                    | b'$'
                    | b'&'
                    | b'@'
                    | b'\r'
                    | b'\n'
            )
        })
        && value.trim().len() == value.len()
}

/// The escaped form of every table cell that needs one, computed once per run: the same issue paragraph or signatory
/// name reaches thousands of letters, and escaping it is most of what a long value costs. Tables other than the
/// recipients' are held in memory anyway (they are small), so this at most doubles them.
#[derive(Debug, Default)]
pub struct Known(HashMap<Box<str>, Box<str>>);

impl Known {
    pub fn new<'v>(values: impl IntoIterator<Item = &'v str>) -> Known {
        let mut known = HashMap::new();
        for v in values {
            if !plain(v) && !known.contains_key(v) {
                known.insert(v.into(), markdown(v).into_boxed_str());
            }
        }
        Known(known)
    }

    /// [`markdown`], looked up when the value is a known cell.
    pub fn markdown(&self, value: &str) -> String {
        match self.0.get(value) {
            Some(escaped) => escaped.to_string(),
            None => markdown(value),
        }
    }
}

/// Whether `line[at]` could be read as syntax. `line` is one line of a value, without its outer blanks, so index 0 may
/// be the first character of a Markdown line.
fn needs_escape(line: &[char], at: usize) -> bool {
    let c = line[at];
    let prev = at.checked_sub(1).map(|i| line[i]);
    let next = line.get(at + 1).copied();
    match c {
        // Escapes, code spans and fences, HTML and autolinks, links and footnotes, tables and pandoc's line blocks,
        // strikethrough and subscript, superscript and inline notes, pandoc's attributes: markup wherever they are.
        '\\' | '`' | '<' | '[' | ']' | '|' | '~' | '^' | '{' => true,
        // Headings, block quotes, bullet lists, thematic breaks, setext underlines, pandoc's YAML blocks, grid and
        // simple tables, definition lists and fenced divs: only as a line's first character.
        '>' | '-' | '+' | '=' | ':' => at == 0,
        // A heading at the start of a line; at the end of a heading line, a closing sequence that would vanish.
        '#' => at == 0 || closing_hashes(line, at),
        // `*` opens or closes emphasis unless blanks stand on both sides (CommonMark's flanking rules), and starts a
        // list or a break at the start of a line (where there is no blank before it).
        '*' => !(is_blank(prev) && is_blank(next)),
        // `_` inside a word never opens or closes emphasis (CommonMark; pandoc's intraword_underscores): `a_b_c`.
        '_' => !inside_word(line, at),
        // An ordered-list marker: `1.`, `1999)`, and pandoc's `a.`, `iv.`, `(b)`; also a value starting with `. ` that
        // may follow digits of the template or of another value.
        '.' | ')' => list_marker(&line[..at]) && next.is_none_or(char::is_whitespace),
        // pandoc's TeX math: a `$` followed by a digit cannot close it (`$5 million`); any other could.
        '$' => !next.is_some_and(|n| n.is_ascii_digit()),
        // An entity or character reference (`&amp;`, `&#169;`); the `;` may come after the value.
        '&' => entity_like(&line[at + 1..]),
        // A pandoc citation (`@wola`) or example list (`(@)`); after a letter or digit (`a@b.org`) it is neither.
        '@' => !prev.is_some_and(char::is_alphanumeric),
        _ => false,
    }
}

/// A space or a tab inside the value; an edge of the value is not blank, since what lies beyond it is unknown.
fn is_blank(c: Option<char>) -> bool {
    matches!(c, Some(' ' | '\t'))
}

/// Whether the run of `#` around `at` ends the value (`Issue #`, `C#`): the end of a value may be the end of a heading
/// line, where such a run closes the heading and is not shown (pandoc strips it even right after a word).
fn closing_hashes(line: &[char], at: usize) -> bool {
    let end = line[at..]
        .iter()
        .position(|&c| c != '#')
        .map_or(line.len(), |i| at + i);
    line[end..].iter().all(|&c| is_blank(Some(c)))
}

/// Whether the run of `_` around `at` has a letter or digit of the value on both sides.
fn inside_word(line: &[char], at: usize) -> bool {
    let start = line[..at].iter().rposition(|&c| c != '_').map(|i| i + 1);
    let end = line[at..].iter().position(|&c| c != '_').map(|i| at + i);
    match (start, end) {
        (Some(s), Some(e)) => line[s - 1].is_alphanumeric() && line[e].is_alphanumeric(),
        _ => false,
    }
}

/// Whether `prefix` (the line before a `.` or `)`) could make it a list marker: nothing, digits, one letter, or a
/// Roman numeral in one case (`iv`, `XII`; `Lic.` is not one), after an optional `(`.
fn list_marker(prefix: &[char]) -> bool {
    let p = prefix.strip_prefix(&['(']).unwrap_or(prefix);
    p.iter().all(char::is_ascii_digit)
        || p.len() == 1 && p[0].is_ascii_alphabetic()
        || p.iter().all(|c| "ivxlcdm".contains(*c))
        || p.iter().all(|c| "IVXLCDM".contains(*c))
}

/// Whether what follows a `&` could make a reference: a name or `#` number ending at `;` or at the end of the value.
fn entity_like(rest: &[char]) -> bool {
    let body = rest.strip_prefix(&['#']).unwrap_or(rest);
    let name = body
        .iter()
        .take_while(|c| c.is_ascii_alphanumeric())
        .count();
    (rest.is_empty() || name > 0 || body.len() < rest.len())
        && matches!(body.get(name), None | Some(';'))
}

/// Removes the escaping again: the tests' proof that escaping loses nothing.
#[cfg(test)]
pub fn unescape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\\' {
            if let Some(&n) = chars.peek() {
                if n.is_ascii_punctuation() {
                    out.push(n);
                    chars.next();
                    continue;
                }
            }
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markup_is_escaped() {
        assert_eq!(
            markdown("<b>x</b> *y* [z](u)"),
            r"\<b>x\</b> \*y\* \[z\](u)"
        );
        assert_eq!(
            markdown("# 1. - > `c` _e_ ~s~ | &amp; ^s^ {.c}"),
            r"\# 1. - > \`c\` \_e\_ \~s\~ \| \&amp; \^s\^ \{.c}"
        );
    }

    #[test]
    fn readable_punctuation_stays() {
        assert_eq!(
            markdown("Peña Nieto, a@b.example: yes? U.S. so-called (GIEI) Advocacy & Litigation!"),
            "Peña Nieto, a@b.example: yes? U.S. so-called (GIEI) Advocacy & Litigation!"
        );
    }

    #[test]
    fn line_start_marks_are_escaped_only_there() {
        assert_eq!(markdown("- dash at start"), r"\- dash at start");
        assert_eq!(markdown("a - b"), "a - b");
        for (value, escaped) in [
            ("# h", r"\# h"),
            ("> q", r"\> q"),
            ("+ p", r"\+ p"),
            ("===", r"\==="),
            ("---", r"\---"),
            ("::: columns", r"\::: columns"),
            (": definition", r"\: definition"),
        ] {
            assert_eq!(markdown(value), escaped);
        }
        assert_eq!(markdown("a\n- b\n# c"), "a\\\n\\- b\\\n\\# c");
        assert_eq!(markdown("Issue #5 and C#"), r"Issue #5 and C\#");
        assert_eq!(markdown("Issue ##"), r"Issue \#\#");
    }

    #[test]
    fn a_period_is_escaped_only_where_it_would_end_a_list_marker() {
        assert_eq!(markdown("1999. A year"), r"1999\. A year");
        assert_eq!(markdown("In 1999. A year"), "In 1999. A year");
        assert_eq!(markdown("Americans."), "Americans.");
        assert_eq!(markdown("3.5 percent"), "3.5 percent");
        assert_eq!(markdown("iv. item"), r"iv\. item");
        assert_eq!(markdown("(b) item"), r"(b\) item");
        assert_eq!(markdown("2) item"), r"2\) item");
        assert_eq!(markdown(". after digits"), r"\. after digits");
        assert_eq!(markdown("Dr. King"), "Dr. King");
        assert_eq!(markdown("Lic. Andrés"), "Lic. Andrés");
        assert_eq!(markdown("XII. Andrés"), r"XII\. Andrés");
    }

    #[test]
    fn emphasis_marks_are_escaped_where_they_could_open_or_close() {
        assert_eq!(markdown("a_b_c"), "a_b_c");
        assert_eq!(markdown("snake_case_"), r"snake_case\_");
        assert_eq!(markdown("_a_ __b__"), r"\_a\_ \_\_b\_\_");
        assert_eq!(markdown("x*y*z"), r"x\*y\*z");
        assert_eq!(markdown("2 * 3"), "2 * 3");
        assert_eq!(markdown("* item"), r"\* item");
    }

    #[test]
    fn references_citations_and_math_only_where_they_could_form() {
        assert_eq!(markdown("AT&T Inc."), "AT&T Inc.");
        assert_eq!(markdown("AT&T"), r"AT\&T");
        assert_eq!(markdown("&copy; &#169; x &"), r"\&copy; \&#169; x \&");
        assert_eq!(
            markdown("@wola and mmeyer@wola.org"),
            r"\@wola and mmeyer@wola.org"
        );
        assert_eq!(markdown("$5 million, $5-$10"), "$5 million, $5-$10");
        assert_eq!(markdown("x$ and $y$"), r"x\$ and \$y\$");
    }

    #[test]
    fn newlines_become_hard_breaks_without_indentation() {
        assert_eq!(
            markdown("2201 C Street NW\r\n    Washington"),
            "2201 C Street NW\\\nWashington"
        );
    }

    /// The shortcut for plain values and the table of known cells give what the character-by-character walk gives.
    #[test]
    fn shortcuts_escape_like_the_walk() {
        let alphabet: Vec<char> = "ab Z9.-_*#>+=:)($&@!,;'\"\\`<[]|~^{}\r\n\t\u{a0}\u{2003}é"
            .chars()
            .collect();
        let mut seed = 0x2545_f491_4f6c_dd1d_u64;
        let mut next = |n: usize| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            (seed % n as u64) as usize
        };
        let values: Vec<String> = (0..20_000)
            .map(|_| {
                let len = next(9);
                // Mostly letters, so that plain values come up as often as marked ones.
                (0..len)
                    .map(|_| match next(3) {
                        0 => alphabet[next(alphabet.len())],
                        _ => alphabet[next(4)],
                    })
                    .collect()
            })
            .collect();
        let known = Known::new(values.iter().step_by(2).map(String::as_str));
        let mut plain_ones = 0;
        for v in &values {
            let walked = escape_lines(v);
            assert_eq!(markdown(v), walked, "{v:?}");
            assert_eq!(known.markdown(v), walked, "{v:?}");
            plain_ones += usize::from(plain(v));
        }
        assert!(plain_ones > 1_000 && plain_ones < 19_000, "{plain_ones}");
    }

    #[test]
    fn unescape_reverses() {
        let s = "<b>x</b> *y* [z](u) 1. # a_b_c &amp; @x";
        assert_eq!(unescape(&markdown(s)), s);
    }

    /// The text pulldown-cmark reads from `md`, or the first element it made that is not text.
    fn parsed_text(md: &str) -> Result<String, String> {
        use pulldown_cmark::{Event, Tag, TagEnd};
        let mut text = String::new();
        for e in crate::render::md::parser(md) {
            match e {
                Event::Text(t) => text.push_str(&t),
                Event::HardBreak => text.push('\n'),
                Event::Start(Tag::Paragraph) | Event::End(TagEnd::Paragraph) => {}
                other => return Err(format!("{other:?}")),
            }
        }
        Ok(text)
    }

    /// The text of a document that is one heading, or the first element that is not text.
    fn heading_text(md: &str) -> Result<String, String> {
        use pulldown_cmark::{Event, Tag, TagEnd};
        let mut text = String::new();
        for e in crate::render::md::parser(md) {
            match e {
                Event::Text(t) => text.push_str(&t),
                Event::Start(Tag::Heading { .. }) | Event::End(TagEnd::Heading(_)) => {}
                other => return Err(format!("{other:?}")),
            }
        }
        Ok(text)
    }

    /// What a value shows: its lines without their outer blanks.
    fn shown(value: &str) -> String {
        let lines: Vec<&str> = value.trim().lines().map(str::trim).collect();
        lines.join("\n")
    }

    /// Every value, whatever it holds, parses back to exactly its own text: no element, no lost character.
    #[test]
    fn escaped_values_parse_back_to_their_text() {
        let values = [
            "<b>x</b> *y* [z](u) # h",
            "1999. A year",
            "- dash at start",
            "a_b_c and x*y*z",
            "_a_ and *b* and **c** and ~~d~~ and ~e~",
            "&amp; &copy; &#169; AT&T",
            "`code` and \\ and \\*",
            "| a | b |\n|---|---|\n| c | d |",
            "Title\n===",
            "Title\n---",
            "> quote\n>> more",
            "+ one\n* two\n1) three\n2. four",
            "    indented code",
            "```\nfence\n```",
            "<div class=\"columns\">",
            "![img](x.png) [ref]: http://x.example",
            "a  \nb",
            "2 * 3 * 4",
            "*** and ___ and - - -",
            "2201 C Street NW\n",
            "a\n\nb",
        ];
        for v in values {
            let md = markdown(v);
            let text = parsed_text(&md).unwrap_or_else(|e| panic!("{v:?} → {md:?} made {e}"));
            assert_eq!(text, shown(v), "{v:?} → {md:?}");
        }
    }

    /// Many generated values, alone, side by side (a value may follow another, or digits of the template) and after
    /// template text: each stays text. A fixed generator, so a failure repeats.
    #[test]
    fn generated_values_stay_text_alone_and_side_by_side() {
        // Characters, and words that make entities (`&amp;`, `&#169;`), list markers and URLs with them.
        const TOKENS: &[&str] = &[
            "a",
            "b",
            "i",
            "v",
            "X",
            "1",
            "9",
            " ",
            " ",
            "\t",
            "\n",
            "_",
            "*",
            "-",
            "+",
            ".",
            ")",
            "(",
            "#",
            ">",
            "=",
            ":",
            "|",
            "`",
            "~",
            "^",
            "$",
            "&",
            ";",
            "@",
            "[",
            "]",
            "<",
            "/",
            "{",
            "}",
            "!",
            "\\",
            "\"",
            "'",
            "ñ",
            "amp",
            "#169",
            "copy",
            "1999",
            "iv",
            "http://x.example",
            "div",
        ];
        let mut seed: u64 = 0x2f74_fef1_187c_c3c8;
        let mut next = |n: usize| {
            seed = seed
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            (seed >> 33) as usize % n
        };
        for _ in 0..20_000 {
            let mut value = || -> String {
                let len = 1 + next(12);
                (0..len).map(|_| TOKENS[next(TOKENS.len())]).collect()
            };
            let (a, b) = (value(), value());
            for (md, want) in [
                (markdown(&a), shown(&a)),
                (
                    format!("{}{}", markdown(&a), markdown(&b)),
                    format!("{}{}", shown(&a), shown(&b)),
                ),
                (
                    format!("12{}", markdown(&a)),
                    shown(&format!("12{}", shown(&a))),
                ),
                (
                    format!("Dear {}", markdown(&a)),
                    shown(&format!("Dear {}", shown(&a))),
                ),
            ] {
                if want.is_empty() {
                    continue;
                }
                match parsed_text(&md) {
                    Ok(text) => assert_eq!(text, want, "{a:?} {b:?} → {md:?}"),
                    Err(e) => panic!("{a:?} {b:?} → {md:?} made {e}"),
                }
            }
            // At the end of a template's heading (one line: a line break would end it).
            let one_line = shown(&a).replace('\n', " ");
            let md = format!("# On {}", markdown(&one_line));
            assert_eq!(
                heading_text(&md),
                Ok(format!("On {one_line}").trim().to_string()),
                "{md:?}"
            );
        }
    }
}
