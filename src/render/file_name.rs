//! Output file names: what a template's `filename` (and an attachment's name) may become on disk.

use unicode_normalization::UnicodeNormalization;

/// NFC; `/\:*?"<>|` and control characters become `-`; no leading `.`; at most 120 bytes; never a
/// subfolder; never empty.
pub fn sanitize_file_name(name: &str) -> String {
    let mut out: String = name
        .nfc()
        .map(|c| {
            if c.is_control() || "/\\:*?\"<>|".contains(c) {
                '-'
            } else {
                c
            }
        })
        .collect();
    out = out.trim().to_string();
    while out.starts_with('.') {
        out.replace_range(..1, "-");
    }
    if out.len() > 120 {
        let mut end = 120;
        while !out.is_char_boundary(end) {
            end -= 1;
        }
        out.truncate(end);
    }
    if out.is_empty() {
        out.push_str("letter");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_sanitized() {
        assert_eq!(sanitize_file_name("../../etc/passwd"), "-.-..-etc-passwd");
        assert_eq!(sanitize_file_name(".hidden"), "-hidden");
        assert_eq!(
            sanitize_file_name("a:b*c?\"d\"<e>|f\\g\n"),
            "a-b-c--d--e--f-g-"
        );
        assert_eq!(sanitize_file_name(""), "letter");
        assert_eq!(sanitize_file_name("Pen\u{0303}a"), "Peña");
        assert!(sanitize_file_name(&"ñ".repeat(100)).len() <= 120);
    }
}
