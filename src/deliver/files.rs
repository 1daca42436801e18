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
    #[cfg(target_os = "linux")]
    if unnamed::write(path, bytes)? {
        return Ok(());
    }
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

/// Linux: the letter is written into a file without a name (`O_TMPFILE`) and linked under its own name once whole.
/// A first render makes one name per file instead of two (a temporary one, then the rename), and the folder's lock is
/// taken once per file instead of twice: a fifth of the file system's time when ten thousand letters go to one folder
/// (docs/PERFORMANCE.md). An interrupted run leaves nothing behind, not even a temporary file.
#[cfg(target_os = "linux")]
mod unnamed {
    use std::io::Write;
    use std::os::fd::AsFd;
    use std::path::Path;
    use std::sync::atomic::{AtomicBool, Ordering};

    use rustix::fs::{linkat, openat, AtFlags, Mode, OFlags, CWD};
    use rustix::io::Errno;

    /// Whether `linkat(AT_EMPTY_PATH)` was refused (Linux before 6.10 without CAP_DAC_READ_SEARCH): the link then
    /// goes through `/proc/self/fd`.
    static EMPTY_PATH_REFUSED: AtomicBool = AtomicBool::new(false);

    /// Writes `bytes` to `path`; `Ok(false)` when this way is not available here (a file system without `O_TMPFILE`,
    /// no `/proc`), so that the caller writes through a named temporary file.
    pub(super) fn write(path: &Path, bytes: &[u8]) -> std::io::Result<bool> {
        let dir = match path.parent() {
            Some(d) if !d.as_os_str().is_empty() => d,
            _ => Path::new("."),
        };
        let open = || {
            openat(
                CWD,
                dir,
                OFlags::WRONLY | OFlags::TMPFILE | OFlags::CLOEXEC,
                Mode::from_raw_mode(0o666),
            )
        };
        let fd = match open() {
            Ok(fd) => fd,
            Err(Errno::NOENT) => {
                std::fs::create_dir_all(dir)?;
                match open() {
                    Ok(fd) => fd,
                    Err(_) => return Ok(false),
                }
            }
            // Anything else (no O_TMPFILE on this file system, no permission): the named way says what is wrong.
            Err(_) => return Ok(false),
        };
        let mut file = std::fs::File::from(fd);
        file.write_all(bytes)?;
        match link(&file, path) {
            Ok(true) => Ok(true),
            Ok(false) => Ok(false),
            // The name is taken (a letter rendered before): link under a temporary name and rename it over, as the
            // named way does, so the old file is replaced whole.
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                let mut builder = tempfile::Builder::new();
                builder.prefix(".lettermerge-");
                let tmp = builder.make_in(dir, |tmp| match link(&file, tmp) {
                    Ok(true) => Ok(()),
                    Ok(false) => Err(std::io::Error::from(std::io::ErrorKind::Unsupported)),
                    Err(e) => Err(e),
                });
                match tmp {
                    Ok(tmp) => tmp.persist(path).map(|_| true).map_err(|e| e.error),
                    Err(e) if e.kind() == std::io::ErrorKind::Unsupported => Ok(false),
                    Err(e) => Err(e),
                }
            }
            Err(e) => Err(e),
        }
    }

    /// Gives the unnamed file its name; `Ok(false)` when neither way of linking it is allowed here.
    fn link(file: &std::fs::File, to: &Path) -> std::io::Result<bool> {
        if !EMPTY_PATH_REFUSED.load(Ordering::Relaxed) {
            match linkat(file.as_fd(), "", CWD, to, AtFlags::EMPTY_PATH) {
                Ok(()) => return Ok(true),
                Err(Errno::NOENT | Errno::PERM | Errno::INVAL)
                    if to.parent().is_some_and(Path::exists) =>
                {
                    EMPTY_PATH_REFUSED.store(true, Ordering::Relaxed);
                }
                Err(e) => return Err(e.into()),
            }
        }
        let proc = format!("/proc/self/fd/{}", std::os::fd::AsRawFd::as_raw_fd(file));
        match linkat(CWD, proc.as_str(), CWD, to, AtFlags::SYMLINK_FOLLOW) {
            Ok(()) => Ok(true),
            Err(Errno::EXIST) => Err(Errno::EXIST.into()),
            Err(_) => Ok(false),
        }
    }
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

    fn names(dir: &std::path::Path) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }

    #[test]
    fn a_file_rendered_again_is_replaced_whole_and_no_temporary_file_is_left() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("letter.eml");
        super::write_atomic(&path, b"first, and longer than the second").unwrap();
        super::write_atomic(&path, b"second").unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"second");
        // The named way too (the one other systems and file systems without O_TMPFILE take).
        super::write(&path, b"third", false).unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"third");
        assert_eq!(names(dir.path()), ["letter.eml"]);
    }

    #[test]
    fn a_link_in_place_of_a_letter_is_replaced_not_followed() {
        let dir = tempfile::tempdir().unwrap();
        let outside = dir.path().join("outside.txt");
        std::fs::write(&outside, b"not the campaign's").unwrap();
        let out = dir.path().join("out");
        std::fs::create_dir(&out).unwrap();
        let path = out.join("letter.txt");
        std::os::unix::fs::symlink(&outside, &path).unwrap();
        super::write_atomic(&path, b"the letter").unwrap();
        assert_eq!(std::fs::read(&outside).unwrap(), b"not the campaign's");
        assert!(!std::fs::symlink_metadata(&path).unwrap().is_symlink());
        assert_eq!(std::fs::read(&path).unwrap(), b"the letter");
        assert_eq!(names(&out), ["letter.txt"]);
    }

    #[test]
    fn a_folder_in_place_of_a_letter_is_an_error_that_leaves_nothing_behind() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("letter.txt")).unwrap();
        assert!(super::write_atomic(&dir.path().join("letter.txt"), b"x").is_err());
        assert_eq!(names(dir.path()), ["letter.txt"]);
    }
}
