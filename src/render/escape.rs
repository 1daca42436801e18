//! Escaping values for the Markdown body, so that no CSV cell can add emphasis, links, HTML, headings or layout.

/// Backslash-escapes ASCII punctuation that Markdown could read as syntax, turns a newline inside a value into a
/// hard line break, and drops each line's leading and trailing blanks (four leading spaces would start a code block,
/// two trailing ones a line break).
pub fn markdown(value: &str) -> String {
    let mut out = String::with_capacity(value.len() + value.len() / 8);
    let value = value.replace("\r\n", "\n").replace('\r', "\n");
    for (i, line) in value.split('\n').enumerate() {
        if i > 0 {
            out.push_str("\\\n");
        }
        for c in line.trim().chars() {
            if needs_escape(c) {
                out.push('\\');
            }
            out.push(c);
        }
    }
    out
}

/// Punctuation that never has Markdown meaning (`,` `;` `:` `?` `/` `%` `'` `"` `@`) is left alone, so the `md`
/// output stays readable; everything else CommonMark treats as escapable is escaped.
fn needs_escape(c: char) -> bool {
    c.is_ascii_punctuation() && !matches!(c, ',' | ';' | ':' | '?' | '/' | '%' | '\'' | '"' | '@')
}

/// Removes the escaping again, for plain contexts that receive escaped text (a heading used as a title).
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
            r"\<b\>x\</b\> \*y\* \[z\]\(u\)"
        );
        assert_eq!(
            markdown("# 1. - > `c` _e_ ~s~ | &amp;"),
            r"\# 1\. \- \> \`c\` \_e\_ \~s\~ \| \&amp;"
        );
    }

    #[test]
    fn readable_punctuation_stays() {
        assert_eq!(
            markdown("Peña Nieto, a@b.example: yes?"),
            r"Peña Nieto, a@b\.example: yes?"
        );
    }

    #[test]
    fn newlines_become_hard_breaks_without_indentation() {
        assert_eq!(
            markdown("2201 C Street NW\r\n    Washington"),
            "2201 C Street NW\\\nWashington"
        );
    }

    #[test]
    fn unescape_reverses() {
        let s = "<b>x</b> *y* [z](u) 1. #";
        assert_eq!(unescape(&markdown(s)), s);
    }
}
