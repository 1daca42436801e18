//! Text the page would cut off.
//!
//! Typst breaks lines at spaces and hyphenation points only; a word wider than the line runs past the right edge of
//! the page, where the PDF viewer, the printer and every text extractor cut it (1,000 `A` came out as 68). The
//! engine looks for such text in the laid-out pages, retries the letter with the offending words allowed to break
//! anywhere, and refuses it if text is still cut — never a letter with words silently missing.

use typst::layout::{Abs, Frame, FrameItem, Point, Transform};
use typst_layout::PagedDocument;

/// Some of the words of text running past the page's left or right edge, longest first; empty when nothing is cut.
pub(super) fn cut_words(doc: &PagedDocument) -> Vec<String> {
    let mut words = Vec::new();
    for page in doc.pages() {
        let width = page.frame.width();
        walk(&page.frame, Transform::identity(), width, &mut words);
    }
    words.sort_by_key(|w| std::cmp::Reverse(w.chars().count()));
    words.dedup();
    words
}

/// A run whose edge is this many points past the page is cut, not a rounding error.
const TOLERANCE_PT: f64 = 0.5;

fn walk(frame: &Frame, ts: Transform, page_width: Abs, out: &mut Vec<String>) {
    let tolerance = Abs::pt(TOLERANCE_PT);
    for (pos, item) in frame.items() {
        match item {
            FrameItem::Group(group) => {
                let inner = ts
                    .pre_concat(Transform::translate(pos.x, pos.y))
                    .pre_concat(group.transform);
                walk(&group.frame, inner, page_width, out);
            }
            FrameItem::Text(text) => {
                let left = pos.transform(ts).x;
                let right = Point::new(pos.x + text.width(), pos.y).transform(ts).x;
                let (left, right) = (left.min(right), left.max(right));
                if right > page_width + tolerance || left < -tolerance {
                    // The run is a line's worth of text in one font; the word that did not fit is its longest.
                    if let Some(word) = text
                        .text
                        .split_whitespace()
                        .max_by_key(|w| w.chars().count())
                    {
                        out.push(word.to_string());
                    }
                }
            }
            _ => {}
        }
    }
}
