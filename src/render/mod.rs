//! Render: one letter's context → its Markdown body → every output format.

pub mod address;
pub mod lang;
