//! Markdown → plain text wrapped at 72 columns: line breaks kept, emphasis as plain words, links as `text (url)`,
//! lists with `- `.

use pulldown_cmark::{Event, Tag, TagEnd};

pub const WIDTH: usize = 72;

pub fn render(markdown: &str) -> String {
    let events: Vec<Event> = super::md::parser(markdown).collect();
    from_events(super::columns::without_marks(&events), markdown.len())
}

/// The plain text and the HTML fragment of one body, from one parse: an email carries both.
pub(crate) fn with_html(markdown: &str) -> (String, String) {
    // About one event per 16 bytes of a letter: sized once, not grown six times.
    let mut events: Vec<Event> = Vec::with_capacity(markdown.len() / 16 + 16);
    events.extend(super::md::parser(markdown));
    // The text reads the events where they are; the HTML writer then takes them, so none is copied.
    let text = from_events(super::columns::without_marks(&events), markdown.len());
    let mut html = String::with_capacity(markdown.len() * 5 / 4);
    pulldown_cmark::html::push_html(&mut html, events.into_iter());
    (text, html)
}

fn from_events<'e, 'a: 'e>(events: impl IntoIterator<Item = &'e Event<'a>>, size: usize) -> String {
    let mut w = Writer {
        out: String::with_capacity(size + size / 8),
        ..Writer::default()
    };
    for event in events {
        w.event(event);
    }
    w.flush();
    let mut out = w.out;
    while out.ends_with("\n\n") {
        out.pop();
    }
    if !out.ends_with('\n') {
        out.push('\n');
    }
    out
}

#[derive(Default)]
struct Writer {
    out: String,
    /// The block being collected; `\n` marks a kept line break.
    inline: String,
    /// Prefixes of the enclosing containers (list item continuation, block quote).
    indent: Vec<String>,
    /// A list marker for the first line of the next block.
    marker: Option<String>,
    lists: Vec<Option<u64>>,
    links: Vec<String>,
    blank_pending: bool,
    code: bool,
}

impl Writer {
    fn event(&mut self, event: &Event) {
        match event {
            Event::Start(tag) => self.start(tag),
            Event::End(tag) => self.end(*tag),
            Event::Text(t) | Event::Code(t) | Event::InlineMath(t) | Event::DisplayMath(t) => {
                if self.code {
                    self.code_block(t);
                } else {
                    self.inline.push_str(t);
                }
            }
            Event::Html(t) | Event::InlineHtml(t) => self.inline.push_str(t),
            Event::SoftBreak | Event::HardBreak => self.inline.push('\n'),
            Event::Rule => {
                self.begin_block();
                self.inline.push_str(&"-".repeat(20));
                self.flush();
                self.blank_pending = true;
            }
            Event::FootnoteReference(r) => self.inline.push_str(&format!("[{r}]")),
            Event::TaskListMarker(done) => {
                self.inline.push_str(if *done { "[x] " } else { "[ ] " })
            }
        }
    }

    fn start(&mut self, tag: &Tag) {
        match tag {
            Tag::Paragraph | Tag::Heading { .. } | Tag::HtmlBlock => self.begin_block(),
            Tag::BlockQuote(_) => {
                self.begin_block();
                self.indent.push("> ".into());
            }
            Tag::CodeBlock(_) => {
                self.begin_block();
                self.code = true;
            }
            Tag::List(start) => {
                self.flush();
                if self.lists.is_empty() {
                    self.begin_block();
                }
                self.lists.push(*start);
            }
            Tag::Item => {
                self.flush();
                let marker = match self.lists.last_mut() {
                    Some(Some(n)) => {
                        let m = format!("{n}. ");
                        *n += 1;
                        m
                    }
                    _ => "- ".into(),
                };
                self.marker = Some(marker);
            }
            Tag::Link { dest_url, .. } | Tag::Image { dest_url, .. } => {
                self.links.push(dest_url.to_string())
            }
            _ => {}
        }
    }

    fn end(&mut self, tag: TagEnd) {
        match tag {
            TagEnd::Paragraph | TagEnd::Heading(_) | TagEnd::HtmlBlock => {
                self.flush();
                self.blank_pending = true;
            }
            TagEnd::BlockQuote(_) => {
                self.flush();
                self.indent.pop();
                self.blank_pending = true;
            }
            TagEnd::CodeBlock => {
                self.code = false;
                self.blank_pending = true;
            }
            TagEnd::Item => {
                self.flush();
                if self.marker.take().is_none() {
                    self.indent.pop();
                }
            }
            TagEnd::List(_) => {
                self.flush();
                self.lists.pop();
                if self.lists.is_empty() {
                    self.blank_pending = true;
                }
            }
            TagEnd::Link | TagEnd::Image => {
                if let Some(url) = self.links.pop() {
                    let text_end = self.inline.rsplit('\n').next().unwrap_or("");
                    if !url.is_empty() && !text_end.ends_with(url.as_str()) {
                        self.inline.push_str(&format!(" ({url})"));
                    }
                }
            }
            _ => {}
        }
    }

    fn begin_block(&mut self) {
        self.flush();
        if self.blank_pending && !self.out.is_empty() {
            self.out.push('\n');
        }
        self.blank_pending = false;
    }

    fn code_block(&mut self, text: &str) {
        let prefix = self.indent.concat();
        for line in text.lines() {
            self.out.push_str(format!("{prefix}    {line}").trim_end());
            self.out.push('\n');
        }
    }

    /// Wraps the collected block: each kept line on its own, the list marker on the first.
    fn flush(&mut self) {
        let text = std::mem::take(&mut self.inline);
        let base = self.indent.concat();
        let (first, rest) = match self.marker.take() {
            Some(m) => {
                let rest = format!("{base}{}", " ".repeat(m.len()));
                // From here on, lines of this item hang under its text.
                self.indent.push(" ".repeat(m.len()));
                (format!("{base}{m}"), rest)
            }
            None => (base.clone(), base),
        };
        if text.trim().is_empty() {
            self.inline = text;
            self.inline.clear();
            return;
        }
        for (i, line) in split_lf(&text).enumerate() {
            let line = line.trim();
            let initial = if i == 0 {
                first.as_str()
            } else {
                rest.as_str()
            };
            if line.is_empty() {
                self.out.push_str(initial.trim_end());
                self.out.push('\n');
                continue;
            }
            // Greedy wrapping at spaces, as `fmt` and mail clients do: what a reader expects of a plain-text letter,
            // and several times cheaper than optimal-fit and Unicode line breaking.
            super::wrap::wrap_into(&mut self.out, line, initial, &rest, WIDTH);
        }
        // The block's text buffer is kept for the next block.
        self.inline = text;
        self.inline.clear();
    }
}

/// `text.split('\n')`, with the line ends found by memchr's vector search.
fn split_lf(text: &str) -> impl Iterator<Item = &str> {
    let mut ends = memchr::memchr_iter(b'\n', text.as_bytes()).chain(std::iter::once(text.len()));
    let mut start = 0;
    std::iter::from_fn(move || {
        let end = ends.next()?;
        let piece = &text[start..end];
        start = end + 1;
        Some(piece)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn split_lf_is_split_at_newlines() {
        for text in ["", "\n", "a", "a\n", "\na", "a\nb", "a\n\nb\n", "é\r\nñ"] {
            assert_eq!(
                split_lf(text).collect::<Vec<_>>(),
                text.split('\n').collect::<Vec<_>>()
            );
        }
    }

    #[test]
    fn line_breaks_are_kept_and_paragraphs_separated() {
        let md = "July 11, 2018\n\nThe Honorable Mike Pompeo\n2201 C Street NW\n\nDear Secretary Pompeo,\n";
        assert_eq!(render(md), "July 11, 2018\n\nThe Honorable Mike Pompeo\n2201 C Street NW\n\nDear Secretary Pompeo,\n");
    }

    #[test]
    fn long_paragraphs_wrap_at_72() {
        let md = "word ".repeat(60);
        let out = render(&md);
        assert!(out.lines().all(|l| l.chars().count() <= WIDTH), "{out}");
        assert!(out.lines().count() > 3);
    }

    #[test]
    fn emphasis_links_lists() {
        let md = "Read *this* and [the report](https://example.org/r).\n\n- one\n- two\n\nafter\n";
        assert_eq!(
            render(md),
            "Read this and the report (https://example.org/r).\n\n- one\n- two\n\nafter\n"
        );
    }

    #[test]
    fn escaped_values_print_literally() {
        let md = super::super::escape::markdown("<b>x</b> *y* [z](u)");
        assert_eq!(render(&md), "<b>x</b> *y* [z](u)\n");
    }
}
