//! How a letter reaches its office: the recipient row's `channel` column. Every channel is planned, rendered and
//! tracked; only `email` is sent by lettermerge, the others are listed for the coordinator to deliver and `mark`.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::load::table::{Row, Shape};

/// The recipient table's column that names the channel (empty: email).
pub const COLUMN: &str = "channel";
/// The column that holds a web form's address.
pub const CONTACT_FORM: &str = "contact_form";

#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    Default,
    Serialize,
    Deserialize,
    clap::ValueEnum,
)]
#[serde(rename_all = "lowercase")]
pub enum Channel {
    /// Sent by `lettermerge send`.
    #[default]
    Email,
    /// Pasted into the office's web contact form (the row's `contact_form` URL); many Hill offices take only these.
    Webform,
    /// Printed and posted.
    Print,
    /// Printed and handed over in person.
    Manual,
    /// Printed and faxed: a kind of print.
    Fax,
}

/// A `channel` cell that names no channel.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`channel` is `{0}`, which is no channel: use email, webform, print, manual or fax")]
pub struct UnknownChannel(pub String);

impl Channel {
    pub const ALL: [Channel; 5] = [
        Channel::Email,
        Channel::Webform,
        Channel::Print,
        Channel::Manual,
        Channel::Fax,
    ];

    /// A cell's channel, case and surrounding spaces ignored; an empty cell is email.
    pub fn parse(cell: &str) -> Result<Channel, UnknownChannel> {
        let wanted = cell.trim().to_lowercase();
        if wanted.is_empty() {
            return Ok(Channel::Email);
        }
        Channel::ALL
            .into_iter()
            .find(|c| c.as_str() == wanted)
            .ok_or_else(|| UnknownChannel(cell.trim().to_string()))
    }

    /// The channel of a letter to `row` of the recipient table (email when the table has no `channel` column).
    pub fn of(table: &Shape, row: &Row) -> Result<Channel, UnknownChannel> {
        Channel::parse(table.value(row, COLUMN).unwrap_or(""))
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Channel::Email => "email",
            Channel::Webform => "webform",
            Channel::Print => "print",
            Channel::Manual => "manual",
            Channel::Fax => "fax",
        }
    }

    /// As a sentence says it.
    pub fn words(self) -> &'static str {
        match self {
            Channel::Webform => "web form",
            Channel::Manual => "by hand",
            other => other.as_str(),
        }
    }

    /// Sent by lettermerge (the others are delivered by the coordinator).
    pub fn is_email(self) -> bool {
        self == Channel::Email
    }

    /// A paper letter: printed, then posted, handed over or faxed.
    pub fn is_paper(self) -> bool {
        matches!(self, Channel::Print | Channel::Manual | Channel::Fax)
    }
}

impl fmt::Display for Channel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_name_channels_and_empty_is_email() {
        assert_eq!(Channel::parse(""), Ok(Channel::Email));
        assert_eq!(Channel::parse("  Webform "), Ok(Channel::Webform));
        assert_eq!(Channel::parse("FAX"), Ok(Channel::Fax));
        let err = Channel::parse("carrier pigeon").unwrap_err();
        assert!(err.to_string().contains("`carrier pigeon`"), "{err}");
        assert!(Channel::Fax.is_paper() && !Channel::Webform.is_paper());
    }
}
