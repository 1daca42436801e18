//! The send journal, `.lettermerge/journal.jsonl`: one JSON record per line, append-only, each
//! line on disk (fsynced) before `append` returns, so that a crash can lose at most the line
//! being written, and a re-run knows exactly what was sent, failed, or left uncertain.
//!
//! The journal is read once, line by line, into a compact [`index`] (48 bytes a letter); records are read back from
//! the file by offset when they are shown, so `send` and `status` stay flat for a million letters.

mod index;

use std::collections::BTreeMap;
use std::fs::{self, File, OpenOptions};
use std::io::{self, BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};

use index::Index;
pub use index::{key as id_key, Entry};

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
    /// In a per-signatory letter, a fingerprint of the signing organization's row without its key
    /// ([`crate::plan::Letter::signer_prints`]): how a renamed signatory key is recognized.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub signer: Vec<String>,
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
    /// Where records are read back from by offset (`None`: there is no file).
    reader: Option<File>,
    /// Held (locked) for as long as the journal is open for writing.
    _lock: Option<File>,
    index: Index,
    /// The file's length: where the next line goes.
    len: u64,
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
        let file = private_options()
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
        let reader = file.try_clone().map_err(io_error("open", &path))?;
        let (mut journal, warnings) = Journal::scan(path, reader)?;
        journal.file = Some(file);
        journal._lock = Some(lock);
        Ok((journal, warnings))
    }

    /// Reads the journal without locking or creating anything (for `status` while a run is
    /// sending). A missing journal is an empty one. `append` on it fails.
    pub fn read(campaign_dir: &Path) -> Result<(Journal, Vec<String>), JournalError> {
        let path = campaign_dir.join(DIR).join(FILE);
        match File::open(&path) {
            Ok(file) => Journal::scan(path, file),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok((
                Journal {
                    path,
                    file: None,
                    reader: None,
                    _lock: None,
                    index: Index::default(),
                    len: 0,
                    needs_newline: false,
                },
                Vec::new(),
            )),
            Err(e) => Err(io_error("read", &path)(e)),
        }
    }

    /// Reads every line once into the index, with a warning for each line that is not a record.
    fn scan(path: PathBuf, file: File) -> Result<(Journal, Vec<String>), JournalError> {
        let mut index = Index::default();
        let mut warnings = Vec::new();
        let mut lines = BufReader::with_capacity(1 << 16, &file);
        let (mut offset, mut number) = (0u64, 0usize);
        let mut line = Vec::new();
        // The last non-blank line's problem waits: a cut-off last line reads differently.
        let mut pending: Option<(usize, String)> = None;
        let name = path.display().to_string();
        let mut last_byte = None;
        loop {
            line.clear();
            let n = lines
                .read_until(b'\n', &mut line)
                .map_err(io_error("read", &path))?;
            if n == 0 {
                break;
            }
            number += 1;
            last_byte = line.last().copied();
            let at = offset;
            offset += n as u64;
            let text = line.strip_suffix(b"\n").unwrap_or(&line);
            if text.trim_ascii().is_empty() {
                continue;
            }
            if let Some((number, e)) = pending.take() {
                warnings.push(format!(
                    "{name}:{number}: not a valid record, ignored ({e})"
                ));
            }
            match serde_json::from_slice::<Record>(text) {
                Ok(record) => index.add(&record, at),
                Err(e) => pending = Some((number, e.to_string())),
            }
        }
        let cut_off = last_byte.is_some_and(|b| b != b'\n');
        if let Some((number, e)) = pending {
            warnings.push(if cut_off {
                format!(
                    "{name}:{number}: the last record is incomplete (the previous run was \
                     probably cut off mid-write) and was ignored; check that letter's status"
                )
            } else {
                format!("{name}:{number}: not a valid record, ignored ({e})")
            });
        }
        index.seal();
        drop(lines);
        Ok((
            Journal {
                path,
                file: None,
                reader: Some(file),
                _lock: None,
                index,
                len: offset,
                needs_newline: cut_off,
            },
            warnings,
        ))
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
        let mut starts = Vec::with_capacity(records.len());
        for record in records {
            starts.push(self.len + lines.len() as u64);
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
        self.len += lines.len() as u64;
        for (record, at) in records.iter().zip(starts) {
            self.index.add(record, at);
        }
        Ok(())
    }

    /// Every record, read from the file: for tests and small journals (a command reads what it needs through the
    /// index).
    pub fn records(&self) -> Vec<Record> {
        let Some(file) = &self.reader else {
            return Vec::new();
        };
        let mut out = Vec::new();
        let mut lines = BufReader::new(ReadAt { file, at: 0 });
        let mut line = Vec::new();
        while lines.read_until(b'\n', &mut line).is_ok_and(|n| n > 0) {
            if let Ok(r) =
                serde_json::from_slice::<Record>(line.strip_suffix(b"\n").unwrap_or(&line))
            {
                out.push(r);
            }
            line.clear();
        }
        out
    }

    /// The record at `offset`, read back from the file.
    pub fn record_at(&self, offset: u64) -> Option<Record> {
        let file = self.reader.as_ref()?;
        let mut line = Vec::new();
        BufReader::with_capacity(1024, ReadAt { file, at: offset })
            .read_until(b'\n', &mut line)
            .ok()?;
        serde_json::from_slice(line.strip_suffix(b"\n").unwrap_or(&line)).ok()
    }

    /// What the index knows of a letter.
    pub fn entry(&self, id: &str) -> Option<&Entry> {
        self.index.get(id)
    }

    /// The letter's last send state record (`sending`, `sent`, `failed`, `uncertain`); marks are skipped.
    pub fn latest(&self, id: &str) -> Option<Record> {
        let e = self.entry(id)?;
        e.send_state()?;
        self.record_at(e.send)
    }

    /// The marks recorded since the letter was last handed to a server (all of them for a letter never sent):
    /// what the office did with the copy it has.
    pub fn marks(&self, id: &str) -> Vec<Record> {
        self.entry(id)
            .map(|e| {
                self.index
                    .marks(e)
                    .iter()
                    .filter_map(|&at| self.record_at(at))
                    .collect()
            })
            .unwrap_or_default()
    }

    /// The letter's last record, a send or a mark.
    pub fn last(&self, id: &str) -> Option<Record> {
        let e = self.entry(id)?;
        let at = self
            .index
            .marks(e)
            .last()
            .copied()
            .unwrap_or(e.some_record());
        self.record_at(at)
    }

    /// A record of the letter to describe it by (its last send, else its first record).
    pub fn some_record(&self, e: &Entry) -> Option<Record> {
        self.record_at(e.some_record())
    }

    /// Every letter the journal names, in no particular order (sort by [`Entry::first`] for the order they first
    /// appear in).
    pub fn entries(&self) -> impl Iterator<Item = &Entry> {
        self.index.entries()
    }

    /// Every signatory key a record carried.
    pub fn signatories(&self) -> &std::collections::BTreeSet<String> {
        &self.index.signatories
    }

    /// A letter was sent under an approval.
    pub fn approved_sends(&self) -> bool {
        self.index.approved_sends
    }

    /// Per variant, the letters ever recorded `sent`, and when the last one went.
    pub fn sent(&self) -> BTreeMap<String, (usize, DateTime<Utc>)> {
        self.index.sent()
    }

    /// How many records the index holds.
    pub fn len(&self) -> usize {
        self.index.records
    }

    pub fn is_empty(&self) -> bool {
        self.index.records == 0
    }

    pub fn path(&self) -> &Path {
        &self.path
    }
}

/// Reads a file from an offset without moving a shared cursor, so threads can read records side by side.
struct ReadAt<'f> {
    file: &'f File,
    at: u64,
}

impl Read for ReadAt<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        #[cfg(unix)]
        let n = std::os::unix::fs::FileExt::read_at(self.file, buf, self.at)?;
        #[cfg(windows)]
        let n = std::os::windows::fs::FileExt::seek_read(self.file, buf, self.at)?;
        self.at += n as u64;
        Ok(n)
    }
}

fn take_lock(path: &Path) -> Result<File, JournalError> {
    let mut file = private_options()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(path)
        .map_err(io_error("open", path))?;
    // A lock just released can still look held for a moment: `flock` belongs to the open file, and a process that
    // forks (a test harness, a `password_command`) holds a copy of every descriptor until its child calls exec. A
    // second run is refused after a fifth of a second, not at the first try.
    let mut result = file.try_lock();
    for _ in 0..10 {
        if !matches!(result, Err(fs::TryLockError::WouldBlock)) {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
        result = file.try_lock();
    }
    match result {
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
