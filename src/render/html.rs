//! The `html` format: one standalone, print-styled HTML5 page per letter.

use pulldown_cmark::html::push_html;
use pulldown_cmark_escape::escape_html;

use super::Rendered;

const CSS: &str = r#"
@page { size: letter; margin: 1in; }
:root { color: #111; background: #fff; }
body { font: 12pt/1.45 "Libertinus Serif", "Linux Libertine", Georgia, "Times New Roman", serif; margin: 0; }
main.letter { max-width: 6.5in; margin: 1in auto; }
p { margin: 0 0 1em; }
h1, h2, h3 { font-size: 1em; margin: 1.2em 0 .6em; }
a { color: inherit; }
.columns { column-count: 2; column-gap: 2em; }
.columns > * { break-inside: avoid; }
@media (max-width: 30em) { .columns { column-count: 1; } }
@media print { main.letter { margin: 0; max-width: none; } a { text-decoration: none; } }
"#;

/// The body as an HTML fragment (also the HTML part of an email).
pub fn fragment(markdown: &str) -> String {
    let mut out = String::with_capacity(markdown.len() * 5 / 4);
    push_html(&mut out, super::md::parser(markdown));
    out
}

pub fn render(r: &Rendered) -> String {
    page(&r.title(), &r.lang, &fragment(&r.markdown))
}

pub fn page(title: &str, lang: &str, body: &str) -> String {
    // Pushed piece by piece into one buffer sized for the page: `format!` grew it several times over a whole letter.
    const HEAD: &str = "<!DOCTYPE html>\n<html lang=\"";
    const META: &str = "\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>";
    const STYLE: &str = "</title>\n<style>";
    const BODY: &str = "</style>\n</head>\n<body>\n<main class=\"letter\">\n";
    const TAIL: &str = "</main>\n</body>\n</html>\n";
    let fixed = HEAD.len() + META.len() + STYLE.len() + CSS.len() + BODY.len() + TAIL.len();
    let mut out = String::with_capacity(fixed + body.len() + (title.len() + lang.len()) * 2);
    out.push_str(HEAD);
    let _ = escape_html(&mut out, lang);
    out.push_str(META);
    let _ = escape_html(&mut out, title);
    out.push_str(STYLE);
    out.push_str(CSS);
    out.push_str(BODY);
    out.push_str(body);
    out.push_str(TAIL);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaped_values_stay_text() {
        let md = super::super::escape::markdown("<b>x</b> *y* [z](u)");
        assert_eq!(fragment(&md), "<p>&lt;b&gt;x&lt;/b&gt; *y* [z](u)</p>\n");
    }

    #[test]
    fn the_page_wraps_the_fragment() {
        let page = page("Dear <Ms.> & \"Mr.\"", "es-MX", "<p>x</p>\n");
        let expected = format!(
            "<!DOCTYPE html>\n<html lang=\"es-MX\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>Dear &lt;Ms.&gt; &amp; &quot;Mr.&quot;</title>\n<style>{CSS}</style>\n</head>\n<body>\n<main class=\"letter\">\n<p>x</p>\n</main>\n</body>\n</html>\n"
        );
        assert_eq!(page, expected);
    }

    #[test]
    fn line_breaks_are_br() {
        assert_eq!(fragment("a\nb\n"), "<p>a<br />\nb</p>\n");
    }
}
