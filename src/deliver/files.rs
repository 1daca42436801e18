//! Output files, written atomically. (Their names are made safe by [`crate::render::file_name`].)

use std::io::Write;
use std::path::Path;

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
    let mut builder = tempfile::Builder::new();
    builder.prefix(".lettermerge-");
    // tempfile makes its files private (0600); a letter or approvals.toml is an ordinary file, so it gets the mode
    // the user's umask gives (0644 under 022). The send journal, which is private, is not written here.
    #[cfg(unix)]
    builder.permissions(std::os::unix::fs::PermissionsExt::from_mode(0o666));
    // The folder is made when it is missing, not checked before every file: ten thousand letters share one.
    let mut tmp = match builder.tempfile_in(dir) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            std::fs::create_dir_all(dir)?;
            builder.tempfile_in(dir)?
        }
        other => other?,
    };
    tmp.write_all(bytes)?;
    if durable {
        tmp.as_file().sync_all()?;
    }
    tmp.persist(path).map_err(|e| e.error)?;
    Ok(())
}

#[cfg(all(test, unix))]
mod tests {
    use std::os::unix::fs::PermissionsExt;

    #[test]
    fn outputs_get_the_mode_of_ordinary_files() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a/letter.txt");
        super::write_atomic(&path, b"x").unwrap();
        let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        // Whatever the umask of the test run, the file is no longer private-only unless the umask says so.
        let umask = unsafe {
            let m = libc::umask(0);
            libc::umask(m);
            m
        };
        assert_eq!(mode, 0o666 & !(umask as u32));
    }
}
