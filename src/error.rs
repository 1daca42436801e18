//! What can stop a command, and the exit status each gives (README, "Commands": 0 done, 1 campaign or delivery
//! problem, 2 usage).

use std::path::PathBuf;

use crate::diag::Problems;
use crate::plan::UnknownVariant;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The campaign cannot be used as it is; nothing was written or sent.
    #[error("{} in the campaign; nothing was written", count(.0.errors(), "error"))]
    Campaign(Problems),
    /// The run stopped part-way (the recipients table changed under it): what it wrote before is not one campaign.
    #[error(
        "stopped after writing {} ({}); the letters written may mix both versions of the table: run the command again",
        count(*.files, "file"),
        count(.problems.errors(), "error")
    )]
    Stopped { files: usize, problems: Problems },
    /// Some letters failed; the others were written or delivered.
    #[error("{}", letters_failed(*.failed, *.total))]
    Letters {
        failed: usize,
        total: usize,
        problems: Problems,
    },
    /// `send` left letters undelivered: failed (not sent) or uncertain (handed over, never confirmed).
    #[error("{}", undelivered(*.failed, *.held, *.uncertain, *.not_sent, *.total))]
    Undelivered {
        failed: usize,
        /// Held back: the office already has the letter under another id (`deliver::moved`).
        held: usize,
        uncertain: usize,
        /// Never tried: the run stopped first (Ctrl-C, a table saved during the run).
        not_sent: usize,
        /// Every letter the run considered.
        total: usize,
        problems: Problems,
    },
    /// The command line asks for something that cannot be: exit 2.
    #[error("{0}")]
    Usage(String),
    #[error("cannot write {}: {source}", .path.display())]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
    /// The send journal cannot be read, written or locked.
    #[error(transparent)]
    Journal(#[from] crate::deliver::journal::JournalError),
    /// `serve` cannot listen on the address it was given.
    #[error("cannot listen on {addr}: {source}")]
    Listen {
        addr: std::net::SocketAddr,
        source: std::io::Error,
    },
    /// `serve` cannot watch the campaign, so its page would never update.
    #[error("cannot watch {} for changes: {source}; without it the proof would not update", .dir.display())]
    Watch { dir: PathBuf, source: notify::Error },
    /// `serve` cannot start its rebuild thread or its web server.
    #[error("cannot start the {what}: {source}")]
    ServeStart {
        what: &'static str,
        source: std::io::Error,
    },
    /// `serve`'s web server failed while serving.
    #[error("the web server stopped: {0}")]
    ServeStopped(std::io::Error),
    /// A `--variant` the manifest does not declare: the user's mistake (exit 2), not the campaign's.
    #[error("{0}; {help}", help = .0.help())]
    UnknownVariant(#[from] UnknownVariant),
    /// A `--format` none of txt, md, html, eml and pdf: exit 2.
    #[error(transparent)]
    UnknownFormat(#[from] crate::render::UnknownFormat),
    /// `check` found errors (already printed, one by one).
    #[error("check found {}", count(*.errors, "error"))]
    CheckFailed { errors: usize },
    /// The letters' own thread pool cannot be started.
    #[error("cannot start worker threads: {0}")]
    Threads(#[from] rayon::ThreadPoolBuildError),
    /// The sign-off gate of `send` stopped variants (unapproved, changed since approval, embargoed, journal behind);
    /// nothing was sent.
    #[error("nothing was sent:\n  - {}", .reasons.join("\n  - "))]
    SignOff { reasons: Vec<String> },
    /// `approve --list` on a variant whose text cannot be approved first.
    #[error("variant `{variant}`: {why}: approve the text first (`lettermerge approve --variant {variant}`), not only the list")]
    ListBeforeText {
        variant: String,
        why: crate::signoff::Refusal,
    },
    /// `approve` left variants unapproved (a translation behind its source); the others were approved.
    #[error("{} not approved:\n  - {}", count(.left.len(), "variant"), .left.join("\n  - "))]
    NotApproved { left: Vec<String> },
    /// `roster --in-place` on a table declared in another encoding: rewriting it as UTF-8 would change its bytes.
    #[error("{} is declared in another encoding than UTF-8; write a UTF-8 copy with --out instead", .path.display())]
    InPlaceEncoding { path: PathBuf },
    /// `roster` could not fill some rows (each already printed).
    #[error("{} not filled", count(*.rows, "row"))]
    RowsNotFilled { rows: usize },
    /// `send --redirect` needs an `[smtp]` server to send the test copies through.
    #[error("--redirect sends test copies through [smtp], and lettermerge.toml has none; nothing was sent")]
    RedirectWithoutSmtp,
    /// No SMTP password could be had.
    #[error(transparent)]
    Password(#[from] crate::deliver::smtp::PasswordError),
    /// The first SMTP session (settings, connection, TLS, login) failed before any letter.
    #[error("cannot send: {0}")]
    Connect(crate::deliver::smtp::SendError),
    /// `send` asks before sending and there is no terminal to answer on.
    #[error("{question} — no terminal to confirm on, so nothing was sent; add --yes")]
    NoTerminal { question: String },
    /// The answer to `send`'s question cannot be read.
    #[error("{0}")]
    Answer(std::io::Error),
    /// The user answered no to `send`'s question.
    #[error("nothing was sent")]
    Declined,
    /// `status --signatory` names a key neither the campaign nor the journal has.
    #[error("no signatory `{key}` in the campaign or the journal; the keys are: {}", keys(.known))]
    UnknownSignatory { key: String, known: Vec<String> },
    /// `status --sheet` needs the letters planned, and the campaign cannot be.
    #[error("the delivery sheet needs the campaign planned: fix what `lettermerge check` reports")]
    SheetUnplanned,
    /// The CSV delivery sheet cannot be written.
    #[error("cannot write the CSV sheet: {0}")]
    Sheet(#[from] csv::Error),
}

impl Error {
    pub fn exit_code(&self) -> u8 {
        match self {
            Error::Usage(_) | Error::UnknownVariant(_) | Error::UnknownFormat(_) => 2,
            _ => 1,
        }
    }

    /// The problems to print before the summary line.
    pub fn problems(&self) -> Option<&Problems> {
        match self {
            Error::Campaign(p)
            | Error::Letters { problems: p, .. }
            | Error::Stopped { problems: p, .. }
            | Error::Undelivered { problems: p, .. } => Some(p),
            _ => None,
        }
    }
}

impl From<Problems> for Error {
    fn from(p: Problems) -> Self {
        Error::Campaign(p)
    }
}

fn undelivered(
    failed: usize,
    held: usize,
    uncertain: usize,
    not_sent: usize,
    total: usize,
) -> String {
    let mut why = Vec::new();
    if failed > 0 {
        why.push(format!("{failed} failed"));
    }
    if held > 0 {
        why.push(format!("{held} held back"));
    }
    if uncertain > 0 {
        why.push(format!("{uncertain} uncertain"));
    }
    if not_sent > 0 {
        why.push(format!("{not_sent} not sent: the run stopped first"));
    }
    format!(
        "{} of {} not delivered ({})",
        failed + held + uncertain + not_sent,
        count(total, "letter"),
        why.join(", ")
    )
}

fn letters_failed(failed: usize, total: usize) -> String {
    if failed == total {
        format!(
            "{} failed",
            if total == 1 {
                "the letter".to_string()
            } else {
                format!("all {total} letters")
            }
        )
    } else {
        format!("{failed} of {total} letters failed; the others were done")
    }
}

fn keys(known: &[String]) -> String {
    if known.is_empty() {
        "(none)".to_string()
    } else {
        known.join(", ")
    }
}

pub fn count(n: usize, what: &str) -> String {
    if n == 1 {
        format!("1 {what}")
    } else {
        format!("{n} {what}s")
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;
