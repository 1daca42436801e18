//! The letter's Markdown body → Typst markup.
//!
//! The body may hold anything a spreadsheet cell held: `*`, `#`, `$`, `@`, `<`… Typst would read each of those as
//! markup or code, so every piece of text is escaped here and only the structure pulldown-cmark found (paragraphs,
//! line breaks, emphasis, links, lists, headings) becomes Typst syntax. The result is meant to sit inside a content
//! block `[…]`: no text can close that block, open code, or start a heading, list or comment.
//!
//! A `{{#columns}}` block (see [`crate::render::columns`]) becomes `#grid(…)<lettermerge-columns>` with one cell per
//! block inside it; the grid has one column until the layout's show rule for that label sets more.

use std::fmt::Write as _;

use pulldown_cmark::{Event, HeadingLevel, Options, Parser, Tag, TagEnd};

use crate::render::columns::{self, Mark};

/// The label a layout's show rule finds a column block by.
pub const COLUMNS_LABEL: &str = "lettermerge-columns";

/// Typst markup for one letter body.
pub fn to_typst(markdown: &str) -> String {
    to_typst_breaking(markdown, None)
}

/// As [`to_typst`]; with `Some(n)`, every word of at least `n` characters may break between any two of them. Typst
/// never breaks inside a word it cannot hyphenate, so a word wider than the line (a 300-character link, a row of
/// `AAAA…`) runs off the page and is cut; the engine retries such a letter with the words it found too long.
pub fn to_typst_breaking(markdown: &str, long_words: Option<usize>) -> String {
    let mut out = String::with_capacity(markdown.len() + markdown.len() / 8);
    let mut words = Words::new(long_words);
    // Raw blocks and inline code are gathered whole, then emitted as one string argument.
    let mut code: Option<String> = None;
    let mut grid = Grid::default();
    // Open block quotes and lists.
    let mut containers = 0usize;
    let events = Parser::new_ext(markdown, Options::ENABLE_STRIKETHROUGH);
    let mut events = events.peekable();
    while let Some(event) = events.next() {
        if let Event::Text(t) = &event {
            if code.is_none() {
                words.push(&mut out, t);
                continue;
            }
        }
        words.flush(&mut out);
        if let Some(buf) = code.as_mut() {
            match event {
                Event::Text(t) => {
                    buf.push_str(&t);
                    continue;
                }
                Event::End(TagEnd::CodeBlock) => {
                    let text = code.take().unwrap_or_default();
                    let text = text.strip_suffix('\n').unwrap_or(&text);
                    let _ = write!(out, "#raw(block: true, {})\n\n", string_literal(text));
                    grid.block_end(&mut out);
                    continue;
                }
                _ => {}
            }
        }
        // A column mark is an HTML block of its own: Start(HtmlBlock), Html(mark), End(HtmlBlock).
        if let Event::Start(Tag::HtmlBlock) = event {
            let m = match events.peek() {
                Some(Event::Html(h)) => columns::mark(h),
                _ => None,
            };
            if let Some(m) = m {
                events.next();
                events.next();
                // Inside a quote or a list a grid would cut the container's brackets in two: the mark is dropped
                // there, as plain text drops it everywhere.
                if containers == 0 {
                    grid.mark(&mut out, m);
                }
                continue;
            }
        }
        match event {
            Event::Start(tag) => {
                if matches!(tag, Tag::BlockQuote(_) | Tag::List(_)) {
                    containers += 1;
                }
                grid.block_start(&mut out, &tag);
                start(&mut out, tag, &mut code)
            }
            Event::End(tag) => {
                if matches!(tag, TagEnd::BlockQuote(_) | TagEnd::List(_)) {
                    containers = containers.saturating_sub(1);
                }
                let block = is_block_end(&tag);
                end(&mut out, tag);
                if block {
                    grid.block_end(&mut out);
                }
            }
            Event::Text(t) => escape_into(&mut out, &t),
            Event::Code(t) => {
                let _ = write!(out, "#raw({})", string_literal(&t));
            }
            // Raw HTML in a letter body prints as the characters it is (no HTML in a PDF).
            Event::Html(t) | Event::InlineHtml(t) => {
                let mut lines = t.lines().peekable();
                while let Some(line) = lines.next() {
                    escape_into(&mut out, line);
                    if lines.peek().is_some() {
                        out.push_str("\\\n");
                    }
                }
            }
            // A single line break inside a paragraph is a line break (address blocks; README, "Templates").
            Event::SoftBreak | Event::HardBreak => out.push_str("\\\n"),
            Event::Rule => out.push_str("#line(length: 100%)\n\n"),
            Event::InlineMath(t) | Event::DisplayMath(t) => escape_into(&mut out, &t),
            Event::FootnoteReference(t) => escape_into(&mut out, &t),
            Event::TaskListMarker(done) => out.push_str(if done { "☒ " } else { "☐ " }),
        }
    }
    words.flush(&mut out);
    // A block left open by a template that wrote the opening mark by hand.
    grid.mark(&mut out, Mark::Close);
    out
}

/// A break opportunity that puts nothing in the PDF's text: an empty inline box (the line breaker may break on
/// either side of an object). U+200B would do the same on paper, but it stays in the text layer, so a link copied
/// out of the PDF would not work.
const BREAK: &str = "#box()";

/// Text on its way out, a word at a time when long words are to be broken (a word may span several Text events:
/// pulldown-cmark splits text at escapes).
struct Words {
    long: Option<usize>,
    /// The current word, each character already escaped.
    word: Vec<String>,
}

impl Words {
    fn new(long: Option<usize>) -> Words {
        Words {
            long,
            word: Vec::new(),
        }
    }

    fn push(&mut self, out: &mut String, text: &str) {
        if self.long.is_none() {
            escape_into(out, text);
            return;
        }
        for c in text.chars() {
            if c.is_whitespace() {
                self.flush(out);
                escape_into(out, &c.to_string());
            } else {
                let mut one = String::new();
                escape_into(&mut one, &c.to_string());
                self.word.push(one);
            }
        }
    }

    fn flush(&mut self, out: &mut String) {
        let long = self.long.is_some_and(|n| self.word.len() >= n);
        for (i, c) in self.word.drain(..).enumerate() {
            if long && i > 0 {
                out.push_str(BREAK);
            }
            out.push_str(&c);
        }
    }
}

/// Where the converter is relative to a column block: outside, or inside at some depth of nested blocks.
#[derive(Default)]
struct Grid {
    open: bool,
    depth: usize,
}

impl Grid {
    fn mark(&mut self, out: &mut String, mark: Mark) {
        match (mark, self.open) {
            (Mark::Open, false) => {
                // One column and paragraph spacing until the layout says otherwise.
                out.push_str("#grid(row-gutter: 1.2em, ");
                self.open = true;
                self.depth = 0;
            }
            (Mark::Close, true) => {
                let _ = write!(out, ")<{COLUMNS_LABEL}>\n\n");
                self.open = false;
            }
            // Nested or stray marks are ignored: the blocks inside stay cells of the open grid.
            _ => {}
        }
    }

    /// Each top-level block inside the grid is one cell.
    fn block_start(&mut self, out: &mut String, tag: &Tag<'_>) {
        if !self.open || !is_block_start(tag) {
            return;
        }
        if self.depth == 0 {
            out.push('[');
        }
        self.depth += 1;
    }

    fn block_end(&mut self, out: &mut String) {
        if !self.open || self.depth == 0 {
            return;
        }
        self.depth -= 1;
        if self.depth == 0 {
            out.push_str("], ");
        }
    }
}

fn is_block_start(tag: &Tag<'_>) -> bool {
    matches!(
        tag,
        Tag::Paragraph
            | Tag::Heading { .. }
            | Tag::BlockQuote(_)
            | Tag::CodeBlock(_)
            | Tag::List(_)
            | Tag::HtmlBlock
    )
}

fn is_block_end(tag: &TagEnd) -> bool {
    matches!(
        tag,
        TagEnd::Paragraph
            | TagEnd::Heading(_)
            | TagEnd::BlockQuote(_)
            | TagEnd::List(_)
            | TagEnd::HtmlBlock
    )
}

fn start(out: &mut String, tag: Tag<'_>, code: &mut Option<String>) {
    match tag {
        Tag::Paragraph => {}
        Tag::Heading { level, .. } => {
            let level = heading_level(level);
            let _ = write!(
                out,
                "#heading(level: {level}, outlined: false, numbering: none)["
            );
        }
        Tag::BlockQuote(_) => out.push_str("#quote(block: true)["),
        // The language tag is not passed on: highlighting has no place in a letter.
        Tag::CodeBlock(_) => *code = Some(String::new()),
        Tag::List(Some(first)) => {
            let _ = write!(out, "#enum(start: {first}, ");
        }
        Tag::List(None) => out.push_str("#list("),
        Tag::Item => out.push('['),
        Tag::Emphasis => out.push_str("#emph["),
        Tag::Strong => out.push_str("#strong["),
        Tag::Strikethrough => out.push_str("#strike["),
        Tag::Link { dest_url, .. } => {
            if dest_url.trim().is_empty() {
                out.push_str("#[");
            } else {
                let _ = write!(out, "#link({})[", string_literal(&dest_url));
            }
        }
        // An image prints its alt text (the Text events inside): a letter body never pulls files from disk.
        // Tables, footnotes and the like are not enabled in the parser options; their text still arrives as Text events.
        _ => {}
    }
}

fn end(out: &mut String, tag: TagEnd) {
    match tag {
        TagEnd::Paragraph => out.push_str("\n\n"),
        TagEnd::Heading(_) | TagEnd::BlockQuote(_) => out.push_str("]\n\n"),
        TagEnd::List(_) => out.push_str(")\n\n"),
        TagEnd::Item => out.push_str("], "),
        TagEnd::Emphasis | TagEnd::Strong | TagEnd::Strikethrough | TagEnd::Link => out.push(']'),
        _ => {}
    }
}

fn heading_level(level: HeadingLevel) -> u8 {
    match level {
        HeadingLevel::H1 => 1,
        HeadingLevel::H2 => 2,
        HeadingLevel::H3 => 3,
        HeadingLevel::H4 => 4,
        HeadingLevel::H5 => 5,
        HeadingLevel::H6 => 6,
    }
}

/// Text as Typst markup that prints exactly these characters.
///
/// Every ASCII punctuation mark is backslash-escaped (Typst reads `\` + any non-space character as that character),
/// which also defuses the line-start forms (`=`, `-`, `+`, `/`, `1.`), comments (`//`), shorthands (`--`, `...`,
/// `~`), labels, references and automatic links. Straight quotes are left to Typst's smart quotes, which only change
/// their shape. Whitespace runs (including a tab) are one space, as in any paragraph.
pub fn escape_into(out: &mut String, text: &str) {
    for c in text.chars() {
        match c {
            '\'' | '"' => out.push(c),
            c if c.is_ascii_punctuation() => {
                out.push('\\');
                out.push(c);
            }
            '\n' | '\r' | '\t' => out.push(' '),
            // Other control characters have no glyph and Typst may reject some; drop them.
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
}

/// A Typst string literal holding `text` verbatim.
pub fn string_literal(text: &str) -> String {
    let mut s = String::with_capacity(text.len() + 2);
    s.push('"');
    for c in text.chars() {
        match c {
            '\\' => s.push_str("\\\\"),
            '"' => s.push_str("\\\""),
            '\n' => s.push_str("\\n"),
            '\r' => s.push_str("\\r"),
            '\t' => s.push_str("\\t"),
            c if c.is_control() => {
                let _ = write!(s, "\\u{{{:x}}}", c as u32);
            }
            c => s.push(c),
        }
    }
    s.push('"');
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_column_block_is_a_labelled_grid_with_a_cell_per_paragraph() {
        use crate::render::columns::{CLOSE, OPEN};
        let md = format!(
            "Sincerely,\n\n{OPEN}\n\nWOLA\nwola@example.org\n\n**LAWG**\n\n- a\n- b\n\n{CLOSE}\n\nP.S.\n"
        );
        assert_eq!(
            to_typst(&md),
            "Sincerely\\,\n\n#grid(row-gutter: 1.2em, [WOLA\\\nwola\\@example\\.org\n\n], \
             [#strong[LAWG]\n\n], [#list([a], [b], )\n\n], )<lettermerge-columns>\n\nP\\.S\\.\n\n"
        );
        // Marks inside a quote or list are dropped: the quote's brackets stay whole.
        let t = to_typst(&format!("> {OPEN}\n>\n> WOLA\n>\n> {CLOSE}\n\n- {OPEN}\n"));
        assert!(!t.contains("#grid"), "{t}");
        assert!(t.starts_with("#quote(block: true)[WOLA"), "{t}");
        // Opened by hand and never closed: the grid still closes.
        let t = to_typst(&format!("{OPEN}\n\nWOLA\n"));
        assert!(t.ends_with(")<lettermerge-columns>\n\n"), "{t}");
    }

    #[test]
    fn soft_breaks_are_line_breaks_and_blank_lines_paragraphs() {
        let t = to_typst("July 11, 2018\n\nSecretary Pompeo\nState Department\n\nDear Sir,\n");
        assert_eq!(
            t,
            "July 11\\, 2018\n\nSecretary Pompeo\\\nState Department\n\nDear Sir\\,\n\n"
        );
    }

    #[test]
    fn every_markup_character_is_escaped() {
        let t = to_typst(r"\*a\* \_b\_ \#c \$d\$ @e \<f\> \\ \[g\]\(h\) \~ // -- = + 1\. `");
        for bad in ["#emph", "#strong", "#link"] {
            assert!(!t.contains(bad), "{t}");
        }
        assert!(
            t.starts_with(
                r"\*a\* \_b\_ \#c \$d\$ \@e \<f\> \\ \[g\]\(h\) \~ \/\/ \-\- \= \+ 1\. \`"
            ),
            "{t}"
        );
    }

    #[test]
    fn structure_maps_to_typst_functions() {
        let t =
            to_typst("# Re\n\n*a* **b** [c](https://x.org/?q=\"1\")\n\n- one\n- two\n\n3. three\n");
        assert!(
            t.contains("#heading(level: 1, outlined: false, numbering: none)[Re]"),
            "{t}"
        );
        assert!(
            t.contains("#emph[a] #strong[b] #link(\"https://x.org/?q=\\\"1\\\"\")[c]"),
            "{t}"
        );
        assert!(t.contains("#list([one], [two], )"), "{t}");
        assert!(t.contains("#enum(start: 3, [three], )"), "{t}");
    }

    #[test]
    fn long_words_may_break_only_when_asked() {
        let md = format!("See {} and www.example.org.\n", "A".repeat(20));
        assert_eq!(to_typst(&md), to_typst_breaking(&md, None));
        let t = to_typst_breaking(&md, Some(17));
        let broken = ["A"; 20].join(BREAK);
        assert_eq!(t, format!("See {broken} and www\\.example\\.org\\.\n\n"));
        // A word split by escapes into several events is still one word.
        let t = to_typst_breaking("a.b.c.d.e.f\n", Some(5));
        assert_eq!(t.matches(BREAK).count(), 10, "{t}");
    }

    #[test]
    fn code_and_html_print_literally() {
        let t = to_typst("`a]b`\n\n<b>x</b>\n");
        assert!(t.contains("#raw(\"a]b\")"), "{t}");
        assert!(t.contains(r"\<b\>x\<\/b\>"), "{t}");
    }
}
