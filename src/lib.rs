//! lettermerge: coalition letters from Handlebars templates and CSV tables.
//!
//! The data path is the module tree:
//! [`load`] (manifest, tables, templates) → [`plan`] (recipients × variants → letters) →
//! [`render`] (one Markdown body → txt, md, html, eml, pdf) → [`deliver`] (files, SMTP, journal).
//! `check` walks the same path without writing anything.

pub(crate) mod ascii;
pub(crate) mod check;
pub mod cli;
pub mod cmd;
pub mod deliver;
pub(crate) mod diag;
pub(crate) mod error;
pub mod load;
pub mod plan;
pub mod render;
pub(crate) mod serve;
pub(crate) mod signals;
pub mod signoff;
