//! The send journal, `.lettermerge/journal.jsonl`: one JSON record per line, append-only, each
//! line on disk (fsynced) before `append` returns, so that a crash can lose at most the line
//! being written, and a re-run knows exactly what was sent, failed, or left uncertain.

use std::collections::HashMap;
use std::fs::{self, File, OpenOptions};
use std::io::{self, Read, Seek, Write};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

pub const DIR: &str = ".lettermerge";
pub const FILE: &str = "journal.jsonl";
pub const LOCK: &str = "lock";

/// Written just before a message is handed to the server: left alone, it means "uncertain".
pub const SENDING: &str = "sending";
pub const SENT: &str = "sent";
pub const FAILED: &str = "failed";
/// The message was handed over but the server's reply never came: it may have been delivered.
pub const UNCERTAIN: &str = "uncertain";

/// The states that say where a letter's sending stands; any other state is a follow-up mark
/// ("delivered", "replied", "meeting") that does not change it.
pub fn is_send_state(state: &str) -> bool {
    matches!(state, SENDING | SENT | FAILED | UNCERTAIN)
}

/// The time now, as RFC 3339 UTC with milliseconds (`2026-11-03T14:05:09.123Z`).
pub fn now() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Record {
    pub at: String,
    pub id: String,
    pub variant: String,
    pub key: String,
    pub signatory: Option<String>,
    pub signatories: Vec<String>,
    pub approval: Option<String>,
    pub hash: String,
    pub to: Vec<String>,
    pub state: String,
    pub reply: Option<String>,
    pub message_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
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
    /// Index in `records` of each letter's last send state.
    latest: HashMap<String, usize>,
    /// The file does not end with a newline (a cut-off last line): the next append starts one.
    needs_newline: bool,
}

impl Journal {
    /// Opens the campaign's journal for writing, creating `.lettermerge/` and the file (mode
    /// 0600) if needed, and takes the campaign's lock: a second sender gets a clear error. Bad
    /// lines are skipped and returned as warnings naming the line; they are never fatal.
    pub fn open(campaign_dir: &Path) -> Result<(Journal, Vec<String>), String> {
        let dir = campaign_dir.join(DIR);
        create_private_dir(&dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
        let lock = take_lock(&dir.join(LOCK))?;
        let path = dir.join(FILE);
        let existed = path.exists();
        let mut file = private_options()
            .read(true)
            .append(true)
            .create(true)
            .open(&path)
            .map_err(|e| format!("cannot open {}: {e}", path.display()))?;
        if existed {
            tighten_mode(&path).map_err(|e| format!("cannot restrict {}: {e}", path.display()))?;
        } else {
            // The new file's name must survive a power loss as well as its lines.
            sync_dir(&dir).map_err(|e| format!("cannot sync {}: {e}", dir.display()))?;
        }
        let mut bytes = Vec::new();
        file.rewind()
            .and_then(|_| file.read_to_end(&mut bytes))
            .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        let mut journal = Journal::parse(path, &bytes);
        journal.file = Some(file);
        journal._lock = Some(lock);
        let warnings = journal.warnings_for(&bytes);
        Ok((journal, warnings))
    }

    /// Reads the journal without locking or creating anything (for `status` while a run is
    /// sending). A missing journal is an empty one. `append` on it fails.
    pub fn read(campaign_dir: &Path) -> Result<(Journal, Vec<String>), String> {
        let path = campaign_dir.join(DIR).join(FILE);
        let bytes = match fs::read(&path) {
            Ok(b) => b,
            Err(e) if e.kind() == io::ErrorKind::NotFound => Vec::new(),
            Err(e) => return Err(format!("cannot read {}: {e}", path.display())),
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
            latest: HashMap::new(),
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
        if is_send_state(&record.state) {
            self.latest.insert(record.id.clone(), self.records.len());
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

    /// The letter's last `sending`, `sent` or `failed` record; marks are skipped.
    pub fn latest(&self, id: &str) -> Option<&Record> {
        self.latest.get(id).map(|&i| &self.records[i])
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

fn take_lock(path: &Path) -> Result<File, String> {
    let mut file = private_options()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(path)
        .map_err(|e| format!("cannot open {}: {e}", path.display()))?;
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
            let who = if holder.is_empty() {
                String::new()
            } else {
                format!(" (process {holder})")
            };
            Err(format!(
                "another lettermerge run{who} is using this campaign; wait for it to finish \
                 ({} is locked)",
                path.display()
            ))
        }
        Err(fs::TryLockError::Error(e)) => Err(format!("cannot lock {}: {e}", path.display())),
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
