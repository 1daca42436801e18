//! What can stop a command, and the exit status each gives (SPEC §9: 0 done, 1 campaign or delivery problem,
//! 2 usage).

use std::path::PathBuf;

use crate::diag::Problems;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The campaign cannot be used as it is; nothing was written or sent.
    #[error("{} in the campaign; nothing was written", count(.0.errors(), "error"))]
    Campaign(Problems),
    /// Some letters failed; the others were written or delivered.
    #[error("{failed} of {total} letters failed; the others were done")]
    Letters {
        failed: usize,
        total: usize,
        problems: Problems,
    },
    /// `send` left letters undelivered: failed (not sent) or uncertain (handed over, never confirmed).
    #[error("{}", undelivered(*.failed, *.uncertain, *.total))]
    Undelivered {
        failed: usize,
        uncertain: usize,
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
    /// `serve` could not start its web server or its watch on the campaign.
    #[error("{0}")]
    Serve(String),
    /// A safety rail said no (no terminal to confirm, stale approval, embargo…); nothing was sent.
    #[error("{0}")]
    Refused(String),
}

impl Error {
    pub fn exit_code(&self) -> u8 {
        match self {
            Error::Usage(_) => 2,
            _ => 1,
        }
    }

    /// The problems to print before the summary line.
    pub fn problems(&self) -> Option<&Problems> {
        match self {
            Error::Campaign(p)
            | Error::Letters { problems: p, .. }
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

fn undelivered(failed: usize, uncertain: usize, total: usize) -> String {
    let mut why = Vec::new();
    if failed > 0 {
        why.push(format!("{failed} failed"));
    }
    if uncertain > 0 {
        why.push(format!("{uncertain} uncertain"));
    }
    format!(
        "{} of {} not delivered ({})",
        failed + uncertain,
        count(total, "letter"),
        why.join(", ")
    )
}

pub fn count(n: usize, what: &str) -> String {
    if n == 1 {
        format!("1 {what}")
    } else {
        format!("{n} {what}s")
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;
