//! The command line (SPEC §9). Each subcommand's doc comment is its `--help`, with an example.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

/// Fill letter templates from CSV tables of officials and signatories; write print-ready letters or send them.
///
/// Run inside a campaign folder (lettermerge.toml, templates/, recipients/) or point at one with -C.
#[derive(Debug, Parser)]
#[command(
    name = "lettermerge",
    version,
    propagate_version = true,
    max_term_width = 100
)]
#[command(
    after_help = "Example:\n  lettermerge init my-letter && cd my-letter && lettermerge check && lettermerge render"
)]
pub struct Cli {
    /// Work on the campaign in DIR instead of the current folder.
    #[arg(
        short = 'C',
        long = "directory",
        value_name = "DIR",
        global = true,
        default_value = "."
    )]
    pub dir: PathBuf,
    /// Print only errors.
    #[arg(short, long, global = true, conflicts_with = "verbose")]
    pub quiet: bool,
    /// Print each letter as it is written.
    #[arg(short, long, global = true)]
    pub verbose: bool,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Validate the campaign (manifest, tables, templates, addresses, names, file names) and write nothing.
    ///
    /// Every problem is listed at once with its place (file:line:col); exit 1 on any error.
    #[command(
        after_help = "Example:\n  lettermerge check\n  lettermerge check --json | jq '.problems[] | .message'"
    )]
    Check(CheckArgs),
    /// Write the letters to out/VARIANT/NAME.EXT.
    #[command(
        after_help = "Examples:\n  lettermerge render\n  lettermerge render --format txt,html --variant coalition --date 2018-07-11\n  lettermerge render --only sos --format pdf"
    )]
    Render(RenderArgs),
    /// Print one letter to standard output.
    #[command(after_help = "Example:\n  lettermerge preview --only coalition/sos --format md")]
    Preview(PreviewArgs),
    /// Record that the signers approved each variant's exact text (and signatory list) in approvals.toml.
    ///
    /// Once approvals.toml exists, a change to a variant's text makes it stale: `check` says what changed and
    /// `send` refuses it until it is approved again. A late sign-on changes only the list: `approve --list`.
    #[command(
        after_help = "Examples:\n  lettermerge approve --by \"Maureen Meyer, WOLA\"\n  lettermerge approve --list --variant coalition"
    )]
    Approve(ApproveArgs),
    /// Write out/proof.html: per variant its recipients, signatories, language, embargo, first letter, and the
    /// changes since approval.
    #[command(after_help = "Example:\n  lettermerge proof && xdg-open out/proof.html")]
    Proof(ProofArgs),
    /// Serve the proof page on this machine and rebuild it whenever a campaign file changes.
    ///
    /// Every variant with its recipients, signatories, letter, PDF, changes since approval and `check`'s problems,
    /// at http://127.0.0.1:3000/; the browser reloads by itself after each save, and a broken template shows its
    /// error there. Nothing is written or sent. Ctrl-C stops it.
    #[command(
        after_help = "Examples:\n  lettermerge serve --open\n  lettermerge serve --port 0 --variant es --date 2018-07-11"
    )]
    Serve(ServeArgs),
    /// Send the letters by email, each exactly once, recorded in .lettermerge/journal.jsonl.
    ///
    /// Shows a summary and asks before sending (use --yes without a terminal). Without [smtp] in lettermerge.toml,
    /// writes .eml files to out/outbox/ instead. The password comes from LETTERMERGE_SMTP_PASSWORD,
    /// [smtp] password_command, or a prompt; never from a file or the command line.
    #[command(
        after_help = "Examples:\n  lettermerge send --dry-run\n  lettermerge send --redirect me@coalition.example --yes\n  LETTERMERGE_SMTP_PASSWORD=… lettermerge send --variant coalition --yes"
    )]
    Send(SendArgs),
    /// Show what was sent: counts by state, failures with the server's replies, uncertain letters, follow-ups.
    #[command(
        after_help = "Examples:\n  lettermerge status\n  lettermerge status --signatory wola --json"
    )]
    Status(StatusArgs),
    /// Record a follow-up for a sent letter: delivered, replied or meeting.
    #[command(
        after_help = "Example:\n  lettermerge mark coalition/sos meeting --note \"Met the Deputy Assistant Secretary on July 20\""
    )]
    Mark(MarkArgs),
    /// Write a new campaign folder from the bundled example.
    #[command(after_help = "Example:\n  lettermerge init mexico-2018")]
    Init(InitArgs),
    /// Print shell completions.
    #[command(
        after_help = "Example:\n  lettermerge completions bash > ~/.local/share/bash-completion/completions/lettermerge"
    )]
    Completions {
        /// bash, zsh, fish, elvish or powershell.
        shell: clap_complete::Shell,
    },
}

/// Which letters a command works on.
#[derive(Debug, Clone, Default, Args)]
pub struct Selection {
    /// Only this variant (repeatable).
    #[arg(long = "variant", value_name = "NAME")]
    pub variants: Vec<String>,
    /// Only this letter: KEY, KEY/SIGNATORY or VARIANT/KEY[/SIGNATORY] (repeatable).
    #[arg(long = "only", value_name = "ID")]
    pub only: Vec<String>,
    /// At most N letters.
    #[arg(long, value_name = "N")]
    pub limit: Option<usize>,
    /// The letters' date, YYYY-MM-DD (default: the variant's approval date, else today).
    #[arg(long, value_name = "DATE", value_parser = parse_date)]
    pub date: Option<chrono::NaiveDate>,
}

fn parse_date(s: &str) -> Result<chrono::NaiveDate, String> {
    crate::render::lang::parse_date(s)
}

#[derive(Debug, Args)]
pub struct CheckArgs {
    /// Print the problems as JSON (fields: severity, file, line, column, message, help).
    #[arg(long)]
    pub json: bool,
    #[command(flatten)]
    pub selection: Selection,
}

#[derive(Debug, Args)]
pub struct RenderArgs {
    /// Formats to write: txt, md, html, eml, pdf (comma-separated or repeated; default: [output] formats).
    #[arg(long = "format", short = 'f', value_delimiter = ',', value_name = "F")]
    pub formats: Vec<String>,
    /// Write into DIR instead of [output] dir (a relative DIR is from the current folder, not from -C).
    #[arg(long = "out", value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Also write one PDF per variant holding every letter.
    #[arg(long)]
    pub combine: bool,
    #[command(flatten)]
    pub selection: Selection,
}

#[derive(Debug, Args)]
pub struct PreviewArgs {
    /// txt, md, html, eml or pdf.
    #[arg(long, short = 'f', default_value = "txt", value_name = "F")]
    pub format: String,
    #[command(flatten)]
    pub selection: Selection,
}

#[derive(Debug, Args)]
pub struct ApproveArgs {
    /// Who approves, e.g. "Maureen Meyer, WOLA" (default: $USER).
    #[arg(long, value_name = "WHO")]
    pub by: Option<String>,
    /// Accept the current signatory list (late sign-ons, withdrawals) without re-approving the text.
    #[arg(long)]
    pub list: bool,
    #[command(flatten)]
    pub selection: Selection,
}

#[derive(Debug, Args)]
pub struct ProofArgs {
    /// Write the page to FILE instead of out/proof.html (a relative FILE is from the current folder, not from -C).
    #[arg(long = "out", value_name = "FILE")]
    pub out: Option<PathBuf>,
    #[command(flatten)]
    pub selection: Selection,
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// The port to listen on; 0 picks a free one (the address is printed).
    #[arg(long, short = 'p', default_value_t = 3000, value_name = "N")]
    pub port: u16,
    /// The address to listen on. Anything but loopback (127.0.0.1, ::1) lets other machines read the letters.
    #[arg(long, default_value = "127.0.0.1", value_name = "ADDR", value_parser = parse_bind)]
    pub bind: std::net::IpAddr,
    /// Open the page in the default browser.
    #[arg(long)]
    pub open: bool,
    /// Only this variant (repeatable).
    #[arg(long = "variant", value_name = "NAME")]
    pub variants: Vec<String>,
    /// The letters' date, YYYY-MM-DD (default: the variant's approval date, else today).
    #[arg(long, value_name = "DATE", value_parser = parse_date)]
    pub date: Option<chrono::NaiveDate>,
}

fn parse_bind(s: &str) -> Result<std::net::IpAddr, String> {
    if s.eq_ignore_ascii_case("localhost") {
        return Ok(std::net::Ipv4Addr::LOCALHOST.into());
    }
    s.parse().map_err(|_| {
        format!("`{s}` is not an IP address: use 127.0.0.1 (this machine only), or 0.0.0.0 for every network")
    })
}

#[derive(Debug, Args)]
pub struct SendArgs {
    /// Print the summary and the first message; send nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// Send without asking.
    #[arg(long)]
    pub yes: bool,
    /// Send again letters already sent, changed since, or left uncertain by a crash.
    #[arg(long)]
    pub resend: bool,
    /// Write .eml files to DIR instead of sending; records nothing as sent (a relative DIR is from the current folder).
    #[arg(long, value_name = "DIR")]
    pub outbox: Option<PathBuf>,
    /// Send every selected letter to ADDR instead (a test copy to yourself; records nothing as sent).
    #[arg(long, value_name = "ADDR")]
    pub redirect: Option<String>,
    /// Send variants whose not_before embargo has not passed.
    #[arg(long)]
    pub ignore_embargo: bool,
    #[command(flatten)]
    pub selection: Selection,
}

#[derive(Debug, Args)]
pub struct StatusArgs {
    /// Print JSON (fields documented in the README).
    #[arg(long)]
    pub json: bool,
    /// Only letters that carried this signatory (by key), e.g. after a withdrawal.
    #[arg(long, value_name = "KEY")]
    pub signatory: Option<String>,
}

#[derive(Debug, Args)]
pub struct MarkArgs {
    /// The letter's id, VARIANT/KEY[/SIGNATORY].
    pub id: String,
    /// delivered, replied or meeting.
    #[arg(value_parser = ["delivered", "replied", "meeting"])]
    pub state: String,
    /// A note kept with the mark.
    #[arg(long, value_name = "TEXT")]
    pub note: Option<String>,
}

#[derive(Debug, Args)]
pub struct InitArgs {
    /// The new campaign's folder (must not exist or be empty).
    pub dir: PathBuf,
}
