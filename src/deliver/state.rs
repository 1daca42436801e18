//! What the journal records about a letter: where its sending stands ([`SendState`]) and what the coordinator
//! learned since ([`Mark`]). The journal stores both as the same `state` field, so [`State`] reads either.

use std::fmt;

use serde::{Deserialize, Serialize};

/// Where a letter's sending stands; only `send` writes these.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum SendState {
    /// Written just before the message is handed to the server: left alone (a crash), it means "uncertain".
    Sending,
    Sent,
    /// Refused, or never handed over: not delivered, tried again by the next run.
    Failed,
    /// Handed over without a confirmation: it may have been delivered, so it is never sent again without `--resend`.
    Uncertain,
}

/// A follow-up the coordinator records with `lettermerge mark`, for a letter of any channel.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    Serialize,
    Deserialize,
    clap::ValueEnum,
)]
#[serde(rename_all = "kebab-case")]
pub enum Mark {
    /// The office has it: handed over, posted through its web form, faxed, or confirmed by email.
    Delivered,
    /// The office answered.
    Replied,
    /// A meeting came of it.
    Meeting,
    /// Followed up, and no answer came.
    NoResponse,
    /// The office's server returned the email: it did not arrive.
    Bounced,
}

impl Mark {
    /// Whether the mark says the office has the letter, so that `send` never sends it again on its own.
    pub fn office_has_it(self) -> bool {
        !matches!(self, Mark::Bounced)
    }
}

/// A journal record's `state`: a send state or a mark.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(untagged)]
pub enum State {
    Send(SendState),
    Mark(Mark),
}

impl From<SendState> for State {
    fn from(s: SendState) -> State {
        State::Send(s)
    }
}

impl From<Mark> for State {
    fn from(m: Mark) -> State {
        State::Mark(m)
    }
}

impl SendState {
    pub fn as_str(self) -> &'static str {
        match self {
            SendState::Sending => "sending",
            SendState::Sent => "sent",
            SendState::Failed => "failed",
            SendState::Uncertain => "uncertain",
        }
    }
}

impl Mark {
    /// As the journal and the command line write it.
    pub fn as_str(self) -> &'static str {
        match self {
            Mark::Delivered => "delivered",
            Mark::Replied => "replied",
            Mark::Meeting => "meeting",
            Mark::NoResponse => "no-response",
            Mark::Bounced => "bounced",
        }
    }

    /// As a sentence says it.
    pub fn words(self) -> &'static str {
        match self {
            Mark::NoResponse => "no response",
            other => other.as_str(),
        }
    }
}

impl fmt::Display for State {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            State::Send(s) => s.as_str(),
            State::Mark(m) => m.as_str(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn states_read_and_write_as_the_journal_has_them() {
        for (state, text) in [
            (State::Send(SendState::Sending), "\"sending\""),
            (State::Send(SendState::Uncertain), "\"uncertain\""),
            (State::Mark(Mark::Meeting), "\"meeting\""),
            (State::Mark(Mark::NoResponse), "\"no-response\""),
        ] {
            assert_eq!(serde_json::to_string(&state).unwrap(), text);
            assert_eq!(serde_json::from_str::<State>(text).unwrap(), state);
            assert_eq!(format!("\"{state}\""), text);
        }
        assert!(serde_json::from_str::<State>("\"lost\"").is_err());
    }
}
