//! The `md` format: the letter's Markdown with a YAML metadata block that pandoc reads as it is.

use pulldown_cmark::{Event, Options, Parser};
use serde::Serialize;

use super::Rendered;

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
    let meta = Metadata {
        title: r.title(),
        date: super::lang::format_date(r.date, &r.lang, None),
        to: r.headers.to.iter().map(ToString::to_string).collect(),
        from: r.headers.from.as_ref().map(ToString::to_string),
        lang: &r.lang,
    };
    let yaml = serde_norway::to_string(&meta).unwrap_or_default();
    format!("---\n{yaml}---\n\n{}", hard_breaks(&r.markdown))
}

/// Pandoc reads a single newline as a space; mark each of the letter's line breaks as a hard break (`\` + newline).
pub fn hard_breaks(markdown: &str) -> String {
    let mut at: Vec<usize> = Parser::new_ext(markdown, options())
        .into_offset_iter()
        .filter(|(e, _)| matches!(e, Event::SoftBreak))
        .map(|(_, range)| range.start)
        .collect();
    at.sort_unstable();
    let mut out = String::with_capacity(markdown.len() + at.len());
    let mut last = 0;
    for pos in at {
        // Trailing blanks before the break are dropped so that `\` sits right before the newline.
        out.push_str(markdown[last..pos].trim_end_matches([' ', '\t']));
        out.push('\\');
        last = pos;
    }
    out.push_str(&markdown[last..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn soft_breaks_become_backslash_breaks() {
        assert_eq!(hard_breaks("a\nb\n\nc\n"), "a\\\nb\n\nc\n");
    }
}
