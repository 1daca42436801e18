//! Render: one letter's context → its Markdown body → every output format.

pub mod address;
pub mod lang;
#[cfg(feature = "pdf")]
pub mod pdf;
