//! `{{#columns}}…{{/columns}}`: a run of short blocks (a signature block) that a layout may set side by side.
//!
//! The letter body is one Markdown text for every format, so the block is marked in Markdown itself, with an HTML
//! `div` that CommonMark keeps around the paragraphs inside it: HTML shows it in two columns (CSS), the PDF layout
//! gets the paragraphs as the cells of a grid labelled `<lettermerge-columns>` and chooses the columns, and the plain
//! text drops the marks. No spreadsheet value can write a mark: values reach the body with `<` escaped.

use handlebars::{
    Context, Handlebars, Helper, HelperDef, HelperResult, Output, RenderContext, Renderable,
};
use pulldown_cmark::{Event, Tag, TagEnd};

/// The line that opens a column block in the Markdown body.
pub const OPEN: &str = r#"<div class="columns">"#;
/// The line that closes it; the comment tells it from any other `</div>` a template may hold.
pub const CLOSE: &str = "</div><!-- columns -->";

/// Which mark an HTML block is, if it is one of ours.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mark {
    Open,
    Close,
}

pub fn mark(html: &str) -> Option<Mark> {
    match html.trim() {
        OPEN => Some(Mark::Open),
        CLOSE => Some(Mark::Close),
        _ => None,
    }
}

/// The helper: the block's content between the two marks, each on a line of its own with blank lines around, so
/// that Markdown parses the content as paragraphs and the marks as HTML blocks.
pub struct Columns;

impl HelperDef for Columns {
    fn call<'reg: 'rc, 'rc>(
        &self,
        h: &Helper<'rc>,
        r: &'reg Handlebars<'reg>,
        ctx: &'rc Context,
        rc: &mut RenderContext<'reg, 'rc>,
        out: &mut dyn Output,
    ) -> HelperResult {
        out.write("\n")?;
        out.write(OPEN)?;
        out.write("\n\n")?;
        if let Some(t) = h.template() {
            t.render(r, ctx, rc, out)?;
        }
        out.write("\n\n")?;
        out.write(CLOSE)?;
        out.write("\n\n")?;
        Ok(())
    }
}

/// The events without the marks, for formats that have no columns (plain text).
pub fn without_marks<'e, 'a>(events: &'e [Event<'a>]) -> impl Iterator<Item = &'e Event<'a>> {
    let mut i = 0;
    std::iter::from_fn(move || loop {
        let event = events.get(i)?;
        // A mark arrives as Start(HtmlBlock), Html(mark), End(HtmlBlock): all three are skipped.
        if let [Event::Start(Tag::HtmlBlock), Event::Html(h), Event::End(TagEnd::HtmlBlock), ..] =
            &events[i..]
        {
            if mark(h).is_some() {
                i += 3;
                continue;
            }
        }
        i += 1;
        return Some(event);
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn events(md: &str) -> Vec<Event<'_>> {
        pulldown_cmark::Parser::new(md).collect()
    }

    #[test]
    fn the_marks_are_html_blocks_around_ordinary_paragraphs() {
        let md = format!("Sincerely,\n\n{OPEN}\n\nWOLA\n\nLAWG\n\n{CLOSE}\n\nP.S.\n");
        let evs = events(&md);
        let marks: Vec<Mark> = evs
            .iter()
            .filter_map(|e| match e {
                Event::Html(h) => mark(h),
                _ => None,
            })
            .collect();
        assert_eq!(marks, [Mark::Open, Mark::Close]);
        let paragraphs = evs
            .iter()
            .filter(|e| matches!(e, Event::Start(Tag::Paragraph)))
            .count();
        assert_eq!(paragraphs, 4, "Sincerely, WOLA, LAWG, P.S.");
    }

    #[test]
    fn without_marks_leaves_the_paragraphs_and_other_html() {
        let md = format!("{OPEN}\n\nWOLA\n\n{CLOSE}\n\n<div>\n\nmine\n\n</div>\n");
        let all = events(&md);
        let kept: Vec<&Event> = without_marks(&all).collect();
        assert!(!kept
            .iter()
            .any(|e| matches!(e, Event::Html(h) if mark(h).is_some())));
        assert!(kept
            .iter()
            .any(|e| matches!(e, Event::Html(h) if h.trim() == "<div>")));
        assert!(kept
            .iter()
            .any(|e| matches!(e, Event::Html(h) if h.trim() == "</div>")));
        assert!(kept
            .iter()
            .any(|e| matches!(e, Event::Text(t) if &**t == "WOLA")));
    }

    #[test]
    fn an_escaped_value_cannot_write_a_mark() {
        let value = crate::render::escape::markdown(OPEN);
        assert!(events(&value)
            .iter()
            .all(|e| !matches!(e, Event::Html(_) | Event::InlineHtml(_))));
    }
}
