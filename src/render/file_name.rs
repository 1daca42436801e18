//! Output file names: what a template's `filename` (and an attachment's name) may become on disk, and how the renderer
//! names a letter's files.

use unicode_normalization::UnicodeNormalization;

use super::{context, field_template, row_place, Renderer, FILENAME};
use crate::diag::{LetterRef, Problem};
use crate::plan::Letter;

/// NFC; `/\:*?"<>|`, control characters and the invisible marks that reorder or hide text (a right-to-left
/// override makes `evil\u{202E}fdp.exe` display as `evilexe.pdf`) become `-`; no leading `.`; at most 120 bytes;
/// never a subfolder; never empty; never a name Windows reserves for a device (`CON`, `COM1.txt` become `CON-`, `COM1-.txt`).
pub fn sanitize_file_name(name: &str) -> String {
    let safe = |c: char| {
        if c.is_control() || is_invisible(c) || "/\\:*?\"<>|".contains(c) {
            '-'
        } else {
            c
        }
    };
    // Most names (a key, a surname) are NFC already: composing them again is a tenth of naming every letter.
    let mut out: String = match unicode_normalization::is_nfc_quick(name.chars()) {
        unicode_normalization::IsNormalized::Yes => name.chars().map(safe).collect(),
        _ => name.nfc().map(safe).collect(),
    };
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
    if reserved_on_windows(&out) {
        let stem_end = out.find('.').unwrap_or(out.len());
        out.insert(stem_end, '-');
    }
    out
}

/// Whether a file-name template is the letter's key alone: `{{letter.key}}`, spaces inside the braces or not.
pub fn names_the_key(source: &str) -> bool {
    source
        .trim()
        .strip_prefix("{{")
        .and_then(|s| s.strip_suffix("}}"))
        .is_some_and(|inner| inner.trim() == "letter.key")
}

/// Bidirectional controls, zero-width characters and the byte-order mark: nothing a reader sees, but they change how
/// the rest of a name reads.
pub fn is_invisible(c: char) -> bool {
    matches!(c,
        '\u{00AD}' | '\u{034F}' | '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2060}'..='\u{2064}'
        | '\u{2066}'..='\u{2069}' | '\u{FEFF}')
}

/// `CON`, `PRN`, `AUX`, `NUL`, `COM1`–`COM9`, `LPT1`–`LPT9`, with or without an extension: Windows opens the device.
fn reserved_on_windows(name: &str) -> bool {
    let stem = name
        .split('.')
        .next()
        .unwrap_or("")
        .trim_end()
        .to_ascii_uppercase();
    matches!(
        stem.as_str(),
        "CON" | "PRN" | "AUX" | "NUL" | "CONIN$" | "CONOUT$" | "CLOCK$"
    ) || ["COM", "LPT"].iter().any(|p| {
        stem.strip_prefix(p).is_some_and(|n| {
            let mut n = n.chars();
            matches!(
                (n.next(), n.next()),
                (Some('0'..='9' | '¹' | '²' | '³'), None)
            )
        })
    })
}

/// How the renderer names a letter's files.
impl Renderer<'_> {
    /// The letter's file name without extension: the template's `filename`, else `[output] filename`, sanitized,
    /// with `-SIGNATORY` for per-signatory letters.
    pub fn file_stem(&self, letter: &Letter) -> Result<String, Problem> {
        let raw = if let Some(key) = self.key_stem(letter) {
            key.to_string()
        } else {
            let who = LetterRef {
                id: letter.id(),
                row: row_place(self.campaign, letter.row().map(|r| r.line)),
            };
            // File names nearly always use the key or a column: try the cheap context (no tables, no signatory
            // list) before building the whole one.
            let light = handlebars::Context::from(context::light_context(
                self.campaign,
                letter,
                &self.parts,
            ));
            self.stem_in(letter, &light, &who).or_else(|_| {
                let ctx = handlebars::Context::from(self.context(letter));
                self.stem_in(letter, &ctx, &who)
            })?
        };
        Ok(self.safe_stem(letter, &raw))
    }

    /// The letter's key, when its file-name template is the default `{{letter.key}}`, which renders as the key
    /// itself (the file-name registry escapes nothing): no context to build. `render` and `check` name every letter
    /// before they render any.
    pub(super) fn key_stem<'l>(&self, letter: &'l Letter) -> Option<&'l str> {
        let template = &self.campaign.templates[&letter.variant.template];
        let source = template.front.filename.as_ref().map_or(
            self.campaign.manifest.manifest.output.filename.as_str(),
            |f| f.source.as_str(),
        );
        names_the_key(source).then(|| letter.key())
    }

    /// A rendered file name made safe, with `-SIGNATORY` for a per-signatory letter.
    pub(super) fn safe_stem(&self, letter: &Letter, raw: &str) -> String {
        let mut stem = sanitize_file_name(raw.trim());
        if let Some(sig) = letter.signatory_key() {
            stem = sanitize_file_name(&format!("{stem}-{sig}"));
        }
        stem
    }

    /// The file name as its template renders it, before it is made safe.
    pub(super) fn stem_in(
        &self,
        letter: &Letter,
        ctx: &handlebars::Context,
        who: &LetterRef,
    ) -> Result<String, Problem> {
        let template = &self.campaign.templates[&letter.variant.template];
        let name = match &template.front.filename {
            Some(f) => field_template(&letter.variant.template, "filename", 0, f.line),
            None => FILENAME.to_string(),
        };
        self.raw
            .render_with_context(&name, ctx)
            .map_err(|e| self.problem(who, &e))
    }
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
        assert_eq!(
            sanitize_file_name("a11-Doe\u{202E}fdp.exe"),
            "a11-Doe-fdp.exe"
        );
        assert_eq!(sanitize_file_name("zero\u{200B}width"), "zero-width");
        assert_eq!(sanitize_file_name("CON"), "CON-");
        assert_eq!(sanitize_file_name("com1.txt"), "com1-.txt");
        assert_eq!(sanitize_file_name("COM10"), "COM10");
        assert_eq!(sanitize_file_name("COM¹"), "COM¹-");
        assert_eq!(sanitize_file_name("clock$.txt"), "clock$-.txt");
        assert_eq!(sanitize_file_name("a\u{034F}b"), "a-b");
        assert_eq!(sanitize_file_name("Console"), "Console");
    }
}
