//! CSV tables (SPEC §3). To be written.
