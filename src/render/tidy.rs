//! The Markdown a template renders, tidied before any format reads it.

/// Trailing blanks off every line, runs of blank lines folded to one, one final newline: templates with block
/// helpers leave stray blank lines that would otherwise differ between letters.
pub(super) fn tidy(markdown: &str) -> String {
    let mut out = String::with_capacity(markdown.len());
    let mut blank = 0;
    // The lines of `str::lines` (a `\r` before `\n` is part of the line end), found with memchr's vector search.
    let bytes = markdown.as_bytes();
    let mut start = 0;
    while start < bytes.len() {
        let end = memchr::memchr(b'\n', &bytes[start..]).map_or(bytes.len(), |i| start + i);
        let mut line = &markdown[start..end];
        if end < bytes.len() {
            line = line.strip_suffix('\r').unwrap_or(line);
        }
        start = end + 1;
        let line = line.trim_end_matches([' ', '\t']);
        // A trailing backslash is a hard break the escaper wrote; keep it.
        if line.is_empty() {
            blank += 1;
            continue;
        }
        if !out.is_empty() && blank > 0 {
            out.push('\n');
        }
        blank = 0;
        out.push_str(line);
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    /// What `tidy` does, said with `str::lines`: trailing blanks off, blank lines folded to one and none at either end.
    fn tidy_by_lines(markdown: &str) -> String {
        let mut kept: Vec<&str> = Vec::new();
        for line in markdown.lines().map(|l| l.trim_end_matches([' ', '\t'])) {
            if !(line.is_empty() && kept.last().is_none_or(|l| l.is_empty())) {
                kept.push(line);
            }
        }
        while kept.last() == Some(&"") {
            kept.pop();
        }
        kept.iter().map(|l| format!("{l}\n")).collect()
    }

    proptest! {
        #[test]
        fn tidy_keeps_the_lines_str_lines_finds(
            parts in proptest::collection::vec(prop_oneof![
                "[a-z]{1,9}", " ", "\t", "\n", "\r", "\r\n", "é", "\\\\",
            ], 0..40)
        ) {
            let text = parts.concat();
            prop_assert_eq!(super::tidy(&text), tidy_by_lines(&text));
        }
    }
}
