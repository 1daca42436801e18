//! Which file changes rebuild the proof, as `mdbook serve` watches a book: the campaign folder recursively (manifest,
//! templates, partials, tables, workbooks, layout, fonts, attachments, approvals.toml): `load` refuses any file
//! outside it. An editor's save is a burst of events (a temporary file, a rename, attributes); the burst is waited out and
//! costs one build. Reads are not changes: the build itself opens every file, and must not start another.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::mpsc::{channel, Receiver, RecvTimeoutError};
use std::time::{Duration, Instant};

use notify::event::{AccessKind, AccessMode};
use notify::{Event, EventKind, RecommendedWatcher, RecursiveMode, Watcher};

/// How long the folder must be quiet before a build starts.
const QUIET: Duration = Duration::from_millis(150);
/// A steady stream of writes (a long copy) still builds this often.
const AT_MOST: Duration = Duration::from_secs(2);

pub(crate) struct Watch {
    /// Kept only to stay alive: dropping it ends the watch.
    _watcher: RecommendedWatcher,
    events: Receiver<notify::Result<Event>>,
    root: PathBuf,
    /// The output folder: `render` and `proof` writing there is not an edit.
    out_dir: Option<PathBuf>,
}

impl Watch {
    /// Starts watching `root` (an absolute, canonical path).
    pub fn new(root: &Path) -> notify::Result<Watch> {
        let (tx, events) = channel();
        let mut watcher = notify::recommended_watcher(tx)?;
        watcher.watch(root, RecursiveMode::Recursive)?;
        Ok(Watch {
            _watcher: watcher,
            events,
            root: root.to_path_buf(),
            out_dir: None,
        })
    }

    /// What the last build said to leave out. (Every file a campaign reads is inside its folder: `load` refuses the
    /// others, so the one recursive watch sees every edit.)
    pub fn follow(&mut self, out_dir: Option<&Path>) {
        self.out_dir = out_dir.map(Path::to_path_buf);
    }

    /// Waits for the next change worth a build and returns the changed files. `Err` when the watch has stopped.
    pub fn next(&mut self) -> Result<Vec<PathBuf>, notify::Error> {
        let mut changed = BTreeSet::new();
        let mut first: Option<Instant> = None;
        loop {
            let event = match first {
                None => self.events.recv().map_err(|_| stopped())?,
                Some(t) => {
                    let wait = QUIET.min(AT_MOST.saturating_sub(t.elapsed()));
                    match self.events.recv_timeout(wait) {
                        Ok(e) => e,
                        Err(RecvTimeoutError::Timeout) => return Ok(changed.into_iter().collect()),
                        Err(RecvTimeoutError::Disconnected) => return Err(stopped()),
                    }
                }
            };
            // A lost event (the kernel's queue overflowed) means something changed, nobody knows what: build.
            let event = match event {
                Ok(e) => e,
                Err(_) => {
                    changed.insert(self.root.clone());
                    first.get_or_insert_with(Instant::now);
                    continue;
                }
            };
            if !is_change(&event.kind) {
                continue;
            }
            for path in event.paths.iter().filter(|p| self.relevant(p)) {
                changed.insert(path.clone());
                first.get_or_insert_with(Instant::now);
            }
        }
    }

    fn relevant(&self, path: &Path) -> bool {
        let Ok(rel) = path.strip_prefix(&self.root) else {
            return false;
        };
        // An output folder that is the campaign folder itself (`dir = "."`) cannot be left out.
        if self
            .out_dir
            .as_deref()
            .is_some_and(|o| o != self.root && path.starts_with(o))
        {
            return false;
        }
        !rel.components()
            .any(|c| scratch(&c.as_os_str().to_string_lossy()))
    }
}

fn stopped() -> notify::Error {
    notify::Error::generic("the file watcher stopped")
}

/// Writes, creations, removals and renames; not opening or reading a file.
fn is_change(kind: &EventKind) -> bool {
    match kind {
        EventKind::Access(AccessKind::Close(AccessMode::Write)) => true,
        EventKind::Access(_) => false,
        _ => true,
    }
}

/// Hidden files and folders (.git, .lettermerge's journal, vim's .x.swp, emacs's .#x) and editors' backups (x~,
/// #x#, vim's probe file 4913) are nobody's edit; nor is a log (`serve > serve.log`, `nohup.out`), which the server's
/// own output would otherwise keep rebuilding.
fn scratch(name: &str) -> bool {
    name.starts_with('.')
        || name.ends_with('~')
        || (name.starts_with('#') && name.ends_with('#'))
        || name == "4913"
        || [".log", ".out", ".pid"]
            .iter()
            .any(|ext| name.ends_with(ext))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn editor_scratch_files_are_not_edits() {
        for name in [
            ".letter.hbs.swp",
            ".#letter.hbs",
            "letter.hbs~",
            "#letter.hbs#",
            "4913",
            ".git",
            "serve.log",
            "nohup.out",
        ] {
            assert!(scratch(name), "{name}");
        }
        for name in [
            "letter.hbs",
            "officials.csv",
            "approvals.toml",
            "layout.typ",
        ] {
            assert!(!scratch(name), "{name}");
        }
    }

    #[test]
    fn reading_a_file_is_not_a_change() {
        assert!(!is_change(&EventKind::Access(AccessKind::Open(
            AccessMode::Any
        ))));
        assert!(!is_change(&EventKind::Access(AccessKind::Close(
            AccessMode::Read
        ))));
        assert!(is_change(&EventKind::Access(AccessKind::Close(
            AccessMode::Write
        ))));
        assert!(is_change(&EventKind::Modify(
            notify::event::ModifyKind::Any
        )));
    }
}
