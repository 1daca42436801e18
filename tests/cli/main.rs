//! lettermerge's integration tests: one binary (so typst links once), a module per area, each reading as the part of
//! the contract it checks. The binary is run as a user runs it, on campaigns in temporary folders; sending goes to
//! real SMTP servers on 127.0.0.1; PDFs, messages and Markdown are read back by real readers.

// What the tests share.
mod coalition;
mod harness;
mod sendkit;
mod serve_kit;
mod signoff_kit;
mod smtp_server;

// Loading, checking and rendering.
mod address;
mod attachments;
mod bad_input;
mod columns;
mod commands;
mod eml;
mod escaping;
mod example;
mod init;
mod mime_writer;
mod pandoc;
#[cfg(feature = "pdf")]
mod pdf;
#[cfg(feature = "pdf")]
mod pdf_cli;
#[cfg(feature = "pdf")]
mod pdf_runs;
#[cfg(feature = "pdf")]
mod pdf_trust;
mod per_signatory;
mod public_copy;
mod roster;
mod signons;
mod snapshots;
mod stream;
mod trust_check;
mod trust_paths;
mod variants;
mod workbooks;

// Sign-off.
mod proof;
mod signoff;
mod signoff_props;
mod trust_signoff;
mod verdicts;

// The live proof.
mod serve;
mod serve_browser;

// Sending.
mod channels;
mod header_values;
mod honest_email;
mod journal;
mod limits;
mod never_twice;
mod send;
mod send_faults;
mod send_interop;
mod smtp;
mod smtp_interop;
mod smtp_password;
mod smtp_quirks;
