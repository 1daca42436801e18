//! Greedy line wrapping for the plain-text letter, written straight into the output.
//!
//! The same lines as `textwrap::wrap` with first-fit wrapping at ASCII spaces, no hyphenation and long words broken
//! (what `txt` used until this module; the tests below compare the two on random text), without its per-line
//! vectors of words and copies: the text of a letter is wrapped in one pass over its bytes. A line with a word wider
//! than the line, which textwrap breaks apart by display width, still goes to textwrap: it is rare, and breaking a
//! word the same way is textwrap's job.

/// Appends `line` (one line of a block, without `\n`), wrapped at `width` columns, to `out`: `initial` before the
/// first line, `rest` before the others, each line without its trailing blanks and ended by `\n`.
pub(crate) fn wrap_into(out: &mut String, line: &str, initial: &str, rest: &str, width: usize) {
    // textwrap's shortcut for a line that fits, which trims only spaces (the caller trims the rest).
    if line.len() < width && initial.is_empty() {
        push_line(out, "", line);
        return;
    }
    let mark = out.len();
    let ascii = crate::ascii::all_printable(line.as_bytes()) && !line.starts_with(' ');
    let done = if ascii && display_width(initial) >= display_width(rest) {
        ascii_first_fit(out, line, initial, rest, width)
    } else {
        first_fit(out, line, initial, rest, width)
    };
    if !done {
        out.truncate(mark);
        textwrap_fallback(out, line, initial, rest, width);
    }
}

/// One line of output: `indent` + `text`, without trailing whitespace, as the caller of textwrap trimmed it.
fn push_line(out: &mut String, indent: &str, text: &str) {
    let text = text.trim_end();
    if text.is_empty() {
        out.push_str(indent.trim_end());
    } else {
        out.push_str(indent);
        out.push_str(text);
    }
    out.push('\n');
}

/// First-fit wrapping as textwrap does it; false (with `out` partly written) when a word is wider than a line.
fn first_fit(out: &mut String, line: &str, initial: &str, rest: &str, width: usize) -> bool {
    let first_width = width.saturating_sub(display_width(initial));
    let rest_width = width.saturating_sub(display_width(rest));
    let bytes = line.as_bytes();
    let mut emitted = 0usize;
    // The current output line: where it starts in `line`, where its last word ends, and its width so far.
    let (mut start, mut end, mut used) = (0usize, 0usize, 0usize);
    // textwrap puts an empty word first when there is an initial indent, so that a first word too wide for the first
    // line goes to the second.
    let mut has_fragment = !initial.is_empty();
    let mut at = 0usize;
    while at < bytes.len() {
        // A word: everything up to the next space, then its run of spaces.
        let word_start = at;
        let mut printable = true;
        while at < bytes.len() && bytes[at] != b' ' {
            printable &= (0x21..0x7f).contains(&bytes[at]);
            at += 1;
        }
        let word_end = at;
        while at < bytes.len() && bytes[at] == b' ' {
            at += 1;
        }
        let w = if printable {
            word_end - word_start
        } else {
            display_width(&line[word_start..word_end])
        };
        if w > rest_width {
            return false;
        }
        let limit = if emitted == 0 {
            first_width
        } else {
            rest_width
        };
        if used + w > limit && has_fragment {
            push_line(out, indent(emitted, initial, rest), &line[start..end]);
            emitted += 1;
            start = word_start;
            used = 0;
        }
        used += w + (at - word_end);
        end = word_end;
        has_fragment = true;
    }
    push_line(out, indent(emitted, initial, rest), &line[start..end]);
    true
}

/// [`first_fit`] for a line of printable ASCII (every byte one column) that starts with a word, line by line instead
/// of word by word: a line ends at the last end of a word within its width, found by looking back from the width.
/// Only for an initial indent at least as wide as the others, where no word fits the first line that textwrap would
/// break for the next.
fn ascii_first_fit(out: &mut String, line: &str, initial: &str, rest: &str, width: usize) -> bool {
    let first_width = width.saturating_sub(display_width(initial));
    let rest_width = width.saturating_sub(display_width(rest));
    let b = line.as_bytes();
    let word_end = |from: usize| memchr::memchr(b' ', &b[from..]).map_or(b.len(), |i| from + i);
    let mut emitted = 0;
    // The empty first word textwrap puts after an initial indent: a first word too wide goes to the next line.
    if !initial.is_empty() && word_end(0) > first_width {
        push_line(out, initial, "");
        emitted = 1;
    }
    let mut start = 0;
    loop {
        let limit = if emitted == 0 {
            first_width
        } else {
            rest_width
        };
        let edge = start + limit;
        if edge >= b.len() {
            push_line(out, indent(emitted, initial, rest), &line[start..]);
            return true;
        }
        let ends_here = |e: usize| b[e] == b' ' && b[e - 1] != b' ';
        let end = match (start + 1..=edge).rev().find(|&e| ends_here(e)) {
            Some(e) => e,
            None => {
                // The line's first word is wider than the line: alone on it, unless textwrap would break it.
                let e = word_end(start);
                if e - start > rest_width {
                    return false;
                }
                e
            }
        };
        push_line(out, indent(emitted, initial, rest), &line[start..end]);
        emitted += 1;
        start = end;
        while start < b.len() && b[start] == b' ' {
            start += 1;
        }
        if start == b.len() {
            return true;
        }
    }
}

fn indent<'a>(emitted: usize, initial: &'a str, rest: &'a str) -> &'a str {
    if emitted == 0 {
        initial
    } else {
        rest
    }
}

/// Columns a word takes: its length for printable ASCII, else textwrap's own measure (Unicode widths, terminal
/// escape sequences skipped), so that both wrap the same text the same way.
fn display_width(word: &str) -> usize {
    if crate::ascii::all_printable(word.as_bytes()) {
        word.len()
    } else {
        textwrap::core::display_width(word)
    }
}

fn textwrap_fallback(out: &mut String, line: &str, initial: &str, rest: &str, width: usize) {
    for wrapped in textwrap::wrap(line, options(initial, rest, width)) {
        out.push_str(wrapped.trim_end());
        out.push('\n');
    }
}

/// The options `txt` wrapped with: greedy wrapping at spaces, as `fmt` and mail clients do.
fn options<'a>(initial: &'a str, rest: &'a str, width: usize) -> textwrap::Options<'a> {
    textwrap::Options::new(width)
        .initial_indent(initial)
        .subsequent_indent(rest)
        .break_words(true)
        .word_splitter(textwrap::WordSplitter::NoHyphenation)
        .wrap_algorithm(textwrap::WrapAlgorithm::FirstFit)
        .word_separator(textwrap::WordSeparator::AsciiSpace)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn ours(line: &str, initial: &str, rest: &str, width: usize) -> String {
        let mut out = String::new();
        wrap_into(&mut out, line, initial, rest, width);
        out
    }

    fn theirs(line: &str, initial: &str, rest: &str, width: usize) -> String {
        let mut out = String::new();
        textwrap_fallback(&mut out, line, initial, rest, width);
        out
    }

    #[test]
    fn wraps_at_the_last_space_that_fits() {
        let line = "We write to you as organizations that closely follow the human rights situation in Mexico.";
        assert_eq!(
            ours(line, "", "", 40),
            "We write to you as organizations that\nclosely follow the human rights\nsituation in Mexico.\n"
        );
        assert_eq!(ours(line, "", "", 40), theirs(line, "", "", 40));
    }

    #[test]
    fn a_first_word_too_wide_for_the_marker_line_goes_below_it() {
        let url = "https://example.org/a/very/long/path/that/does/not/fit/after/a/marker/x";
        assert_eq!(url.len(), 71);
        assert_eq!(ours(url, "- ", "", 72), theirs(url, "- ", "", 72));
        assert_eq!(ours(url, "- ", "", 72), format!("-\n{url}\n"));
    }

    #[test]
    fn words_wider_than_a_line_are_broken_as_textwrap_breaks_them() {
        let line = format!("short {} end", "A".repeat(200));
        assert_eq!(ours(&line, "", "", 72), theirs(&line, "", "", 72));
    }

    #[test]
    fn wide_characters_and_escapes_measure_as_textwrap_measures_them() {
        let line = "名前 ".repeat(40) + "\u{1b}[31mred\u{1b}[0m and\ttab";
        assert_eq!(ours(&line, "> ", "> ", 72), theirs(&line, "> ", "> ", 72));
    }

    fn ascii_text() -> impl Strategy<Value = String> {
        proptest::collection::vec(
            prop_oneof![
                "[a-zA-Z,.]{1,12}",
                "[a-z]{60,90}",
                " {1,3}",
                Just(" ".to_string())
            ],
            0..40,
        )
        .prop_map(|parts| parts.concat())
    }

    fn text() -> impl Strategy<Value = String> {
        // Words of ASCII, accents, wide characters, tabs and escapes, with runs of spaces between them.
        proptest::collection::vec(
            prop_oneof![
                "[a-zA-Z,.]{1,12}",
                "[a-zé ñ]{1,8}",
                "[名前の]{1,4}",
                "[a-z]{60,90}",
                Just("\t".to_string()),
                Just("\u{1b}[1m".to_string()),
                Just("\u{a0}".to_string()),
                " {1,3}",
            ],
            0..40,
        )
        .prop_map(|parts| parts.concat())
    }

    proptest! {
        #[test]
        fn same_lines_as_textwrap(
            line in text(),
            initial in prop_oneof![Just(""), Just("- "), Just("12. "), Just("> "), Just(">   ")],
            rest in prop_oneof![Just(""), Just("  "), Just("    "), Just("> ")],
            width in prop_oneof![Just(72usize), 1usize..30],
        ) {
            prop_assert_eq!(ours(&line, initial, rest, width), theirs(&line, initial, rest, width));
        }

        #[test]
        fn same_lines_as_textwrap_for_ascii(
            line in ascii_text(),
            initial in prop_oneof![Just(""), Just("- "), Just("12. "), Just("> "), Just(">   ")],
            rest in prop_oneof![Just(""), Just("  "), Just("    "), Just("> ")],
            width in prop_oneof![Just(72usize), 1usize..30],
        ) {
            let line = line.trim();
            prop_assert_eq!(ours(line, initial, rest, width), theirs(line, initial, rest, width));
        }
    }
}
