//! Load: the manifest, the CSV tables and the templates of a campaign folder.

pub mod table;
