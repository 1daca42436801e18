//! The `md` format: the letter's Markdown with a YAML metadata block that pandoc reads as it is.

use pulldown_cmark::{Event, Options, Parser};
use serde::Serialize;

use super::columns::{self, Mark};
use super::{escape, Rendered};

/// The one Markdown dialect every format reads: CommonMark with tables and strikethrough; a single line break inside
/// a paragraph is a line break (address blocks), which the event stream applies.
pub fn parser(markdown: &str) -> impl Iterator<Item = Event<'_>> {
    Parser::new_ext(markdown, options()).map(|e| match e {
        Event::SoftBreak => Event::HardBreak,
        e => e,
    })
}

fn options() -> Options {
    Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH
}

#[derive(Serialize)]
struct Metadata<'a> {
    title: String,
    date: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    to: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    from: Option<String>,
    lang: &'a str,
}

pub fn render(r: &Rendered) -> String {
    // pandoc reads metadata strings as Markdown: a subject or a name is escaped like any value of the body.
    let meta = Metadata {
        title: escape::markdown(&r.title()),
        date: escape::markdown(&super::lang::format_date(r.date, &r.lang, None)),
        to: r
            .headers
            .to
            .iter()
            .map(|m| escape::markdown(&m.to_string()))
            .collect(),
        from: r
            .headers
            .from
            .as_ref()
            .map(|m| escape::markdown(&m.to_string())),
        lang: &r.lang,
    };
    let yaml = serde_norway::to_string(&meta).unwrap_or_default();
    format!("---\n{yaml}---\n\n{}", for_pandoc(&r.markdown))
}

/// The body as pandoc reads it and a person likes it: each of the letter's line breaks marked as a hard break
/// (`\` + newline; pandoc reads a single newline as a space), and each `{{#columns}}` block as pandoc's fenced div
/// `::: columns` instead of the HTML `div` the other formats read.
pub fn for_pandoc(markdown: &str) -> String {
    // (start, end, replacement, whether blanks before `start` go): applied in order of position.
    let mut edits: Vec<(usize, usize, &str, bool)> = Vec::new();
    for (event, range) in Parser::new_ext(markdown, options()).into_offset_iter() {
        match event {
            Event::SoftBreak => edits.push((range.start, range.start, "\\", true)),
            Event::Html(h) => {
                let (mark, div) = match columns::mark(&h) {
                    Some(Mark::Open) => (columns::OPEN, "::: columns"),
                    Some(Mark::Close) => (columns::CLOSE, ":::"),
                    None => continue,
                };
                if let Some(at) = markdown[range.clone()].find(mark) {
                    let start = range.start + at;
                    edits.push((start, start + mark.len(), div, false));
                }
            }
            _ => {}
        }
    }
    edits.sort_unstable_by_key(|e| e.0);
    let mut out = String::with_capacity(markdown.len() + edits.len());
    let mut last = 0;
    for (start, end, with, trim) in edits {
        let before = &markdown[last..start];
        // Trailing blanks before a break are dropped so that `\` sits right before the newline.
        out.push_str(if trim {
            before.trim_end_matches([' ', '\t'])
        } else {
            before
        });
        out.push_str(with);
        last = end;
    }
    out.push_str(&markdown[last..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn soft_breaks_become_backslash_breaks() {
        assert_eq!(for_pandoc("a \nb\n\nc\n"), "a\\\nb\n\nc\n");
    }

    #[test]
    fn column_marks_become_fenced_divs() {
        let md = format!(
            "Sincerely,\n\n{}\n\nWOLA\nDC\n\n{}\n\nP.S.\n",
            columns::OPEN,
            columns::CLOSE
        );
        assert_eq!(
            for_pandoc(&md),
            "Sincerely,\n\n::: columns\n\nWOLA\\\nDC\n\n:::\n\nP.S.\n"
        );
    }

    #[test]
    fn a_value_cannot_write_a_fenced_div() {
        let value = escape::markdown("::: columns");
        assert!(!for_pandoc(&value).starts_with(":::"));
    }
}
