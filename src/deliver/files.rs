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
    if unnamed::write(unnamed::In::Path, path, bytes)? {
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

/// The folders one run writes its letters into, each opened once, so that a letter is created and named relative
/// to its folder instead of through its whole path, twice per file (a twentieth of rendering ten thousand letters,
/// more the deeper the folder: docs/PERFORMANCE.md). Made per run, not kept: a folder deleted and made again
/// between two runs is the new one.
#[derive(Default)]
pub struct Folders {
    #[cfg(target_os = "linux")]
    open: std::sync::Mutex<Vec<(std::path::PathBuf, std::sync::Arc<std::os::fd::OwnedFd>)>>,
}

impl Folders {
    /// As [`write_atomic`].
    pub fn write_atomic(&self, path: &Path, bytes: &[u8]) -> std::io::Result<()> {
        #[cfg(target_os = "linux")]
        if let Some(folder) = self.folder(path)? {
            if unnamed::write(unnamed::In::Folder(&folder), path, bytes)? {
                return Ok(());
            }
        }
        write(path, bytes, false)
    }

    /// The open folder of `path`, opened (and made) now if it is the first file there; `None` where folders cannot be
    /// held open here.
    #[cfg(target_os = "linux")]
    fn folder(&self, path: &Path) -> std::io::Result<Option<std::sync::Arc<std::os::fd::OwnedFd>>> {
        let dir = unnamed::parent(path);
        let mut open = self.open.lock().unwrap_or_else(|e| e.into_inner());
        if let Some((_, fd)) = open.iter().find(|(d, _)| d == dir) {
            return Ok(Some(fd.clone()));
        }
        let Some(fd) = unnamed::open_folder(dir)? else {
            return Ok(None);
        };
        let fd = std::sync::Arc::new(fd);
        open.push((dir.to_path_buf(), fd.clone()));
        Ok(Some(fd))
    }
}

/// Linux: the letter is written into a file without a name (`O_TMPFILE`) and linked under its own name once whole.
/// A first render makes one name per file instead of two (a temporary one, then the rename), and the folder's lock is
/// taken once per file instead of twice: a fifth of the file system's time when ten thousand letters go to one folder
/// (docs/PERFORMANCE.md). An interrupted run leaves nothing behind, not even a temporary file.
#[cfg(target_os = "linux")]
mod unnamed {
    use std::io::Write;
    use std::os::fd::{AsFd, AsRawFd, BorrowedFd, OwnedFd};
    use std::path::Path;
    use std::sync::atomic::{AtomicBool, Ordering};

    use rustix::fs::{linkat, openat, AtFlags, Mode, OFlags, CWD};
    use rustix::io::Errno;

    /// Whether `linkat(AT_EMPTY_PATH)` was refused (Linux before 6.10 without CAP_DAC_READ_SEARCH): the link then
    /// goes through `/proc/self/fd`.
    static EMPTY_PATH_REFUSED: AtomicBool = AtomicBool::new(false);

    /// Where the file is made: through its whole path, or in a folder already open.
    pub(super) enum In<'a> {
        Path,
        Folder(&'a OwnedFd),
    }

    pub(super) fn parent(path: &Path) -> &Path {
        match path.parent() {
            Some(d) if !d.as_os_str().is_empty() => d,
            _ => Path::new("."),
        }
    }

    /// `dir`, made when missing, open to make files in; `None` when it cannot be held open (the caller then writes
    /// through paths, and that way says what is wrong).
    pub(super) fn open_folder(dir: &Path) -> std::io::Result<Option<OwnedFd>> {
        let open = || {
            openat(
                CWD,
                dir,
                OFlags::PATH | OFlags::DIRECTORY | OFlags::CLOEXEC,
                Mode::empty(),
            )
        };
        match open() {
            Ok(fd) => Ok(Some(fd)),
            Err(Errno::NOENT) => {
                std::fs::create_dir_all(dir)?;
                Ok(open().ok())
            }
            Err(_) => Ok(None),
        }
    }

    /// Writes `bytes` to `path`; `Ok(false)` when this way is not available here (a file system without `O_TMPFILE`,
    /// no `/proc`), so that the caller writes through a named temporary file.
    pub(super) fn write(at: In, path: &Path, bytes: &[u8]) -> std::io::Result<bool> {
        let dir = parent(path);
        let (fd, within, name): (BorrowedFd, &Path, &Path) = match at {
            In::Path => (CWD, dir, path),
            In::Folder(fd) => match path.file_name() {
                Some(name) => (fd.as_fd(), Path::new("."), Path::new(name)),
                None => return Ok(false),
            },
        };
        let open = || {
            openat(
                fd,
                within,
                OFlags::WRONLY | OFlags::TMPFILE | OFlags::CLOEXEC,
                Mode::from_raw_mode(0o666),
            )
        };
        let file = match open() {
            Ok(file) => file,
            Err(Errno::NOENT) if matches!(at, In::Path) => {
                std::fs::create_dir_all(dir)?;
                match open() {
                    Ok(file) => file,
                    Err(_) => return Ok(false),
                }
            }
            // Anything else (no O_TMPFILE on this file system, no permission): the named way says what is wrong.
            Err(_) => return Ok(false),
        };
        let mut file = std::fs::File::from(file);
        file.write_all(bytes)?;
        match link(&file, fd, name) {
            Ok(true) => Ok(true),
            Ok(false) => Ok(false),
            // The name is taken (a letter rendered before): link under a temporary name and rename it over, as the
            // named way does, so the old file is replaced whole.
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                let mut builder = tempfile::Builder::new();
                builder.prefix(".lettermerge-");
                let tmp = builder.make_in(dir, |tmp| match link(&file, CWD, tmp) {
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

    /// Gives the unnamed file its name `to` (relative to `at`); `Ok(false)` when neither way of linking it is allowed
    /// here.
    fn link(file: &std::fs::File, at: BorrowedFd, to: &Path) -> std::io::Result<bool> {
        if !EMPTY_PATH_REFUSED.load(Ordering::Relaxed) {
            match linkat(file.as_fd(), "", at, to, AtFlags::EMPTY_PATH) {
                Ok(()) => return Ok(true),
                // Unless the folder is gone: then the other way fails too, and says so.
                Err(Errno::NOENT | Errno::PERM | Errno::INVAL)
                    if at.as_raw_fd() != CWD.as_raw_fd()
                        || to.parent().is_some_and(Path::exists) =>
                {
                    EMPTY_PATH_REFUSED.store(true, Ordering::Relaxed);
                }
                Err(e) => return Err(e.into()),
            }
        }
        let proc = format!("/proc/self/fd/{}", file.as_raw_fd());
        match linkat(CWD, proc.as_str(), at, to, AtFlags::SYMLINK_FOLLOW) {
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

    #[test]
    fn a_run_writes_in_each_folder_it_opened_and_makes_missing_ones() {
        let dir = tempfile::tempdir().unwrap();
        let folders = super::Folders::default();
        for (path, text) in [
            ("out/a/one.eml", "one"),
            ("out/b/two.eml", "two"),
            ("out/a/three.eml", "three"),
            // Rendered again in the same run: replaced whole.
            ("out/a/one.eml", "one, again"),
        ] {
            folders
                .write_atomic(&dir.path().join(path), text.as_bytes())
                .unwrap();
        }
        assert_eq!(names(&dir.path().join("out/a")), ["one.eml", "three.eml"]);
        assert_eq!(names(&dir.path().join("out/b")), ["two.eml"]);
        let read = |p: &str| std::fs::read_to_string(dir.path().join(p)).unwrap();
        assert_eq!(read("out/a/one.eml"), "one, again");
        assert_eq!(read("out/b/two.eml"), "two");
        // A link in place of a letter is replaced, not followed, in an open folder too.
        let outside = dir.path().join("outside.txt");
        std::fs::write(&outside, "not the campaign's").unwrap();
        std::os::unix::fs::symlink(&outside, dir.path().join("out/a/four.eml")).unwrap();
        folders
            .write_atomic(&dir.path().join("out/a/four.eml"), b"four")
            .unwrap();
        assert_eq!(read("outside.txt"), "not the campaign's");
        assert_eq!(read("out/a/four.eml"), "four");
        // A folder where a file goes is an error, as through paths.
        std::fs::create_dir(dir.path().join("out/b/five.eml")).unwrap();
        assert!(folders
            .write_atomic(&dir.path().join("out/b/five.eml"), b"five")
            .is_err());
        assert_eq!(names(&dir.path().join("out/b")), ["five.eml", "two.eml"]);
    }
}
