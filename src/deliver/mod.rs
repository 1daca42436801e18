//! Deliver: files, SMTP and the journal.

pub mod files;
