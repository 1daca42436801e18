//! Output files: safe names inside the output folder, written atomically.

use std::io::Write;
use std::path::Path;

use unicode_normalization::UnicodeNormalization;

/// SPEC §5: NFC; `/\:*?"<>|` and control characters become `-`; no leading `.`; at most 120 bytes; never a
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

/// Writes through a temporary file in the same folder and renames it into place, so an interrupted run never
/// leaves a half-written letter under the final name.
///
/// No fsync: outputs can be rendered again, and an fsync per file (about 2 ms here) would make rendering ten
/// thousand letters take minutes. What must survive a power loss syncs itself: the send journal every record,
/// approvals.toml through [`write_durable`].
pub fn write_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    write(path, bytes, false)
}

/// As [`write_atomic`], and on disk before it returns: for records, not renderings.
pub fn write_durable(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    write(path, bytes, true)
}

fn write(path: &Path, bytes: &[u8], durable: bool) -> std::io::Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir)?;
    let mut tmp = tempfile::Builder::new()
        .prefix(".lettermerge-")
        .tempfile_in(dir)?;
    tmp.write_all(bytes)?;
    if durable {
        tmp.as_file().sync_all()?;
    }
    tmp.persist(path).map_err(|e| e.error)?;
    Ok(())
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
