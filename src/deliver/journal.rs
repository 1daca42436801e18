//! The send journal, `.lettermerge/journal.jsonl`: one JSON record per line, append-only, each
//! line on disk (fsynced) before `append` returns, so that a crash can lose at most the line
//! being written, and a re-run knows exactly what was sent, failed, or left uncertain.

use std::collections::HashMap;
use std::fs::{self, File, OpenOptions};
use std::io::{self, Read, Seek, Write};
use std::path::{Path, PathBuf};

use chrono::{DateTime, SubsecRound, Utc};
use serde::{Deserialize, Serialize};

pub use super::state::{Mark, SendState, State};

pub const DIR: &str = ".lettermerge";
pub const FILE: &str = "journal.jsonl";
pub const LOCK: &str = "lock";

/// The time now, to the millisecond: what a record's `at` holds once written and read back.
pub fn now() -> DateTime<Utc> {
    Utc::now().trunc_subsecs(3)
}

/// Why the journal cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum JournalError {
    #[error("cannot {doing} {}: {source}", .path.display())]
    Io {
        doing: &'static str,
        path: PathBuf,
        source: io::Error,
    },
    #[error(
        "another lettermerge run{} is using this campaign; wait for it to finish ({} is locked)",
        .holder.as_ref().map(|h| format!(" (process {h})")).unwrap_or_default(),
        .path.display()
    )]
    Locked {
        path: PathBuf,
        holder: Option<String>,
    },
}

fn io_error<'a>(
    doing: &'static str,
    path: &'a Path,
) -> impl FnOnce(io::Error) -> JournalError + 'a {
    move |source| JournalError::Io {
        doing,
        path: path.to_path_buf(),
        source,
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Record {
    /// RFC 3339 in UTC with milliseconds (`2026-11-03T14:05:09.123Z`); any RFC 3339 offset reads.
    #[serde(with = "rfc3339")]
    pub at: DateTime<Utc>,
    pub id: String,
    pub variant: String,
    pub key: String,
    pub signatory: Option<String>,
    pub signatories: Vec<String>,
    pub approval: Option<String>,
    pub hash: String,
    pub to: Vec<String>,
    pub state: State,
    pub reply: Option<String>,
    pub message_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// How the letter reaches its office, on marks (a record without one is an email's).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub channel: Option<crate::plan::channel::Channel>,
}

/// The journal of one campaign. Appending needs `&mut self`: share it between sending threads
/// behind a `Mutex`.
#[derive(Debug)]
pub struct Journal {
    path: PathBuf,
    /// `None` when opened read-only.
    file: Option<File>,
    /// Held (locked) for as long as the journal is open for writing.
    _lock: Option<File>,
    records: Vec<Record>,
    /// Index in `records` of each letter's records, in order.
    by_id: HashMap<String, Vec<usize>>,
    /// Letter ids in the order they first appear.
    ids: Vec<String>,
    /// The file does not end with a newline (a cut-off last line): the next append starts one.
    needs_newline: bool,
}

impl Journal {
    /// Opens the campaign's journal for writing, creating `.lettermerge/` and the file (mode
    /// 0600) if needed, and takes the campaign's lock: a second sender gets a clear error. Bad
    /// lines are skipped and returned as warnings naming the line; they are never fatal.
    pub fn open(campaign_dir: &Path) -> Result<(Journal, Vec<String>), JournalError> {
        let dir = campaign_dir.join(DIR);
        create_private_dir(&dir).map_err(io_error("create", &dir))?;
        let lock = take_lock(&dir.join(LOCK))?;
        let path = dir.join(FILE);
        let existed = path.exists();
        let mut file = private_options()
            .read(true)
            .append(true)
            .create(true)
            .open(&path)
            .map_err(io_error("open", &path))?;
        if existed {
            tighten_mode(&path).map_err(io_error("restrict", &path))?;
        } else {
            // The new file's name must survive a power loss as well as its lines.
            sync_dir(&dir).map_err(io_error("sync", &dir))?;
        }
        let mut bytes = Vec::new();
        file.rewind()
            .and_then(|_| file.read_to_end(&mut bytes))
            .map_err(io_error("read", &path))?;
        let mut journal = Journal::parse(path, &bytes);
        journal.file = Some(file);
        journal._lock = Some(lock);
        let warnings = journal.warnings_for(&bytes);
        Ok((journal, warnings))
    }

    /// Reads the journal without locking or creating anything (for `status` while a run is
    /// sending). A missing journal is an empty one. `append` on it fails.
    pub fn read(campaign_dir: &Path) -> Result<(Journal, Vec<String>), JournalError> {
        let path = campaign_dir.join(DIR).join(FILE);
        let bytes = match fs::read(&path) {
            Ok(b) => b,
            Err(e) if e.kind() == io::ErrorKind::NotFound => Vec::new(),
            Err(e) => return Err(io_error("read", &path)(e)),
        };
        let journal = Journal::parse(path, &bytes);
        let warnings = journal.warnings_for(&bytes);
        Ok((journal, warnings))
    }

    fn parse(path: PathBuf, bytes: &[u8]) -> Journal {
        let mut journal = Journal {
            path,
            file: None,
            _lock: None,
            records: Vec::new(),
            by_id: HashMap::new(),
            ids: Vec::new(),
            needs_newline: !bytes.is_empty() && !bytes.ends_with(b"\n"),
        };
        for (_, line) in lines(bytes) {
            if let Ok(record) = serde_json::from_slice::<Record>(line) {
                journal.remember(record);
            }
        }
        journal
    }

    fn warnings_for(&self, bytes: &[u8]) -> Vec<String> {
        let name = self.path.display();
        let all: Vec<(usize, &[u8])> = lines(bytes).collect();
        let cut_off = !bytes.is_empty() && !bytes.ends_with(b"\n");
        let mut warnings = Vec::new();
        for (i, (number, line)) in all.iter().enumerate() {
            let Err(e) = serde_json::from_slice::<Record>(line) else {
                continue;
            };
            if cut_off && i + 1 == all.len() {
                warnings.push(format!(
                    "{name}:{number}: the last record is incomplete (the previous run was \
                     probably cut off mid-write) and was ignored; check that letter's status"
                ));
            } else {
                warnings.push(format!(
                    "{name}:{number}: not a valid record, ignored ({e})"
                ));
            }
        }
        warnings
    }

    fn remember(&mut self, record: Record) {
        let at = self.records.len();
        match self.by_id.get_mut(&record.id) {
            Some(list) => list.push(at),
            None => {
                self.ids.push(record.id.clone());
                self.by_id.insert(record.id.clone(), vec![at]);
            }
        }
        self.records.push(record);
    }

    /// Appends one record as one line and waits until it is on disk.
    pub fn append(&mut self, record: &Record) -> io::Result<()> {
        self.append_all(std::slice::from_ref(record))
    }

    /// Appends several records with one write and one fsync: on this kind of disk an fsync
    /// costs about 2 ms, so per-record syncing would cap a run near 250 letters a second.
    /// Either all the lines are on disk when it returns, or an error says they may not be.
    pub fn append_all(&mut self, records: &[Record]) -> io::Result<()> {
        let Some(file) = &mut self.file else {
            return Err(io::Error::new(
                io::ErrorKind::PermissionDenied,
                "the journal was opened read-only",
            ));
        };
        if records.is_empty() {
            return Ok(());
        }
        let mut lines = Vec::with_capacity(512 * records.len());
        if self.needs_newline {
            lines.push(b'\n');
        }
        for record in records {
            serde_json::to_writer(&mut lines, record)?;
            lines.push(b'\n');
        }
        // Until the write is known complete, a partial line may be on disk.
        self.needs_newline = true;
        file.write_all(&lines)?;
        file.flush()?;
        // fdatasync covers the file's new length, which is all an append changes.
        file.sync_data()?;
        self.needs_newline = false;
        for record in records {
            self.remember(record.clone());
        }
        Ok(())
    }

    pub fn records(&self) -> &[Record] {
        &self.records
    }

    /// The letter's last send state record (`sending`, `sent`, `failed`, `uncertain`); marks are skipped.
    pub fn latest(&self, id: &str) -> Option<&Record> {
        self.history(id)
            .rev()
            .find(|r| matches!(r.state, State::Send(_)))
    }

    /// Every record of the letter, oldest first.
    pub fn history(&self, id: &str) -> impl DoubleEndedIterator<Item = &Record> {
        self.by_id
            .get(id)
            .into_iter()
            .flatten()
            .map(|&i| &self.records[i])
    }

    /// The marks recorded since the letter was last handed to a server (all of them for a letter never sent):
    /// what the office did with the copy it has.
    pub fn marks(&self, id: &str) -> Vec<&Record> {
        let mut marks: Vec<&Record> = self
            .history(id)
            .rev()
            .take_while(|r| matches!(r.state, State::Mark(_)))
            .collect();
        marks.reverse();
        marks
    }

    /// Every letter id the journal names, in the order they first appear.
    pub fn ids(&self) -> impl Iterator<Item = &str> {
        self.ids.iter().map(String::as_str)
    }

    pub fn path(&self) -> &Path {
        &self.path
    }
}

/// Non-blank lines with their 1-based line numbers.
fn lines(bytes: &[u8]) -> impl Iterator<Item = (usize, &[u8])> {
    bytes
        .split(|&b| b == b'\n')
        .enumerate()
        .map(|(i, l)| (i + 1, l))
        .filter(|(_, l)| !l.trim_ascii().is_empty())
}

fn take_lock(path: &Path) -> Result<File, JournalError> {
    let mut file = private_options()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(path)
        .map_err(io_error("open", path))?;
    match file.try_lock() {
        Ok(()) => {
            // The holder's pid, only to make the refusal below more helpful.
            let _ = file
                .set_len(0)
                .and_then(|_| file.write_all(std::process::id().to_string().as_bytes()));
            Ok(file)
        }
        Err(fs::TryLockError::WouldBlock) => {
            let mut holder = String::new();
            let _ = file.read_to_string(&mut holder);
            let holder = holder.trim();
            Err(JournalError::Locked {
                path: path.to_path_buf(),
                holder: (!holder.is_empty()).then(|| holder.to_string()),
            })
        }
        Err(fs::TryLockError::Error(e)) => Err(io_error("lock", path)(e)),
    }
}

fn private_options() -> OpenOptions {
    #[allow(unused_mut)]
    let mut options = OpenOptions::new();
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options
}

fn create_private_dir(dir: &Path) -> io::Result<()> {
    #[allow(unused_mut)]
    let mut builder = fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder.create(dir)
}

/// An existing journal (copied, restored from a backup) may have looser permissions.
fn tighten_mode(path: &Path) -> io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = fs::metadata(path)?.permissions().mode();
        if mode & 0o077 != 0 {
            fs::set_permissions(path, fs::Permissions::from_mode(mode & 0o700))?;
        }
    }
    #[cfg(not(unix))]
    let _ = path;
    Ok(())
}

fn sync_dir(dir: &Path) -> io::Result<()> {
    #[cfg(unix)]
    File::open(dir)?.sync_all()?;
    #[cfg(not(unix))]
    let _ = dir;
    Ok(())
}

/// `at` as RFC 3339 text: UTC with milliseconds when written; any offset when read (a journal edited by hand, or
/// written by an older version).
mod rfc3339 {
    use chrono::{DateTime, SecondsFormat, Utc};
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(at: &DateTime<Utc>, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&at.to_rfc3339_opts(SecondsFormat::Millis, true))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<DateTime<Utc>, D::Error> {
        let text = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        DateTime::parse_from_rfc3339(&text)
            .map(|t| t.with_timezone(&Utc))
            .map_err(|e| {
                serde::de::Error::custom(format!("`at` {text:?} is not an RFC 3339 time: {e}"))
            })
    }
}
