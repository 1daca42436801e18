//! The command line (README, "Commands"). Each subcommand's doc comment is its `--help`, with an example.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

/// Fill letter templates from tables (CSV or spreadsheets) of officials and signatories; write print-ready letters
/// or send them.
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
    /// `-q` before the command, where earlier versions took it: the same as the command's own `--quiet`.
    #[arg(short, long, hide = true, conflicts_with = "verbose")]
    pub quiet: bool,
    /// `-v` before the command, as earlier versions took it: the same as `render --verbose`.
    #[arg(short, long, hide = true)]
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
    /// Once a campaign uses sign-off, a change to a variant's text makes it stale: `check` says what changed and
    /// `send` refuses it until it is approved again. A late sign-on changes only the list: `approve --list`. A
    /// translation whose source changed is approved only by name: `approve --variant es`.
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
    /// Show where every letter stands, on every channel: to deliver, sent, uncertain, failed, delivered, replied…
    ///
    /// With --sheet, also writes the delivery sheet out/deliveries.html (with .csv and .json beside it): per letter
    /// its office, channel, address or web form, files, state and marks.
    #[command(
        after_help = "Examples:\n  lettermerge status\n  lettermerge status --sheet && xdg-open out/deliveries.html\n  lettermerge status --channel webform\n  lettermerge status --signatory wola --json"
    )]
    Status(StatusArgs),
    /// Record what happened to a letter of any channel: delivered, replied, meeting, no-response or bounced.
    #[command(
        after_help = "Examples:\n  lettermerge mark coalition/castro delivered --note \"Web form, confirmation 4411\"\n  lettermerge mark sos meeting --note \"Met the Deputy Assistant Secretary on July 20\""
    )]
    Mark(MarkArgs),
    /// Fill recipients' office address, phone, contact form and bioguide id from the U.S. Congress roster.
    ///
    /// The roster is [roster] us_congress in lettermerge.toml (the congress-legislators project's
    /// legislators-current.csv, downloaded by you). Without --out or --in-place nothing is written: the changes are
    /// listed. `lettermerge check` compares every Senator and Representative with the roster.
    #[command(
        after_help = "Examples:\n  lettermerge roster fill rubio castro\n  lettermerge roster fill --all --out recipients/officials-filled.csv\n  lettermerge roster fill menendez --in-place"
    )]
    Roster(RosterArgs),
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

/// `--quiet`, for the commands that print more than their result.
#[derive(Debug, Clone, Copy, Default, Args)]
pub struct Quiet {
    /// Print only errors.
    #[arg(short, long)]
    pub quiet: bool,
}

/// `--quiet` and `--verbose`, for `render`, which can list every file it writes.
#[derive(Debug, Clone, Copy, Default, Args)]
pub struct Loudness {
    /// Print only errors.
    #[arg(short, long, conflicts_with = "verbose")]
    pub quiet: bool,
    /// Print each file as it is written.
    #[arg(short, long)]
    pub verbose: bool,
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
    /// At most N letters (`send`: the first N that still need sending, so a second run sends the next N).
    #[arg(long, value_name = "N")]
    pub limit: Option<usize>,
    /// The letters' date, YYYY-MM-DD (default: the variant's approval date, else today).
    #[arg(long, value_name = "DATE", value_parser = parse_date)]
    pub date: Option<chrono::NaiveDate>,
}

fn parse_date(s: &str) -> Result<chrono::NaiveDate, crate::render::lang::DateError> {
    crate::render::lang::parse_date(s)
}

/// `check` looks at every selected letter, so it takes no `--limit`.
#[derive(Debug, Args)]
pub struct CheckArgs {
    #[command(flatten)]
    pub output: Quiet,
    /// Print the problems and whether `send` would go, per variant, as JSON (fields documented in the README).
    #[arg(long)]
    pub json: bool,
    /// Only this variant (repeatable).
    #[arg(long = "variant", value_name = "NAME")]
    pub variants: Vec<String>,
    /// Only this letter: KEY, KEY/SIGNATORY or VARIANT/KEY[/SIGNATORY] (repeatable).
    #[arg(long = "only", value_name = "ID")]
    pub only: Vec<String>,
    /// The letters' date, YYYY-MM-DD (default: the variant's approval date, else today).
    #[arg(long, value_name = "DATE", value_parser = parse_date)]
    pub date: Option<chrono::NaiveDate>,
}

impl CheckArgs {
    pub fn selection(&self) -> Selection {
        Selection {
            variants: self.variants.clone(),
            only: self.only.clone(),
            limit: None,
            date: self.date,
        }
    }
}

#[derive(Debug, Args)]
pub struct RenderArgs {
    #[command(flatten)]
    pub output: Loudness,
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

/// `preview` prints one letter, so it takes what picks a letter, and no `--limit`.
#[derive(Debug, Args)]
pub struct PreviewArgs {
    /// txt, md, html, eml or pdf (a PDF only to a file or a pipe, never to a terminal).
    #[arg(long, short = 'f', default_value = "txt", value_name = "F")]
    pub format: String,
    /// Only this variant (repeatable); its first letter is printed unless --only names one.
    #[arg(long = "variant", value_name = "NAME")]
    pub variants: Vec<String>,
    /// The letter to print: KEY, KEY/SIGNATORY or VARIANT/KEY[/SIGNATORY] (default: the first letter).
    #[arg(long = "only", value_name = "ID")]
    pub only: Vec<String>,
    /// The letter's date, YYYY-MM-DD (default: the variant's approval date, else today).
    #[arg(long, value_name = "DATE", value_parser = parse_date)]
    pub date: Option<chrono::NaiveDate>,
}

impl PreviewArgs {
    pub fn selection(&self) -> Selection {
        Selection {
            variants: self.variants.clone(),
            only: self.only.clone(),
            limit: None,
            date: self.date,
        }
    }
}

#[derive(Debug, Args)]
pub struct ApproveArgs {
    #[command(flatten)]
    pub output: Quiet,
    /// Who approves, e.g. "Maureen Meyer, WOLA" (default: $USER).
    #[arg(long, value_name = "WHO")]
    pub by: Option<String>,
    /// Accept the current signatory list (late sign-ons, withdrawals) without re-approving the text.
    #[arg(long)]
    pub list: bool,
    /// Only this variant (repeatable). A translation whose source changed is approved only when named.
    #[arg(long = "variant", value_name = "NAME")]
    pub variants: Vec<String>,
}

#[derive(Debug, Args)]
pub struct ProofArgs {
    #[command(flatten)]
    pub output: Quiet,
    /// Write the page to FILE instead of out/proof.html (a relative FILE is from the current folder, not from -C).
    #[arg(long = "out", value_name = "FILE")]
    pub out: Option<PathBuf>,
    /// Only this variant (repeatable; a translation brings its source beside it).
    #[arg(long = "variant", value_name = "NAME")]
    pub variants: Vec<String>,
    /// The date of letters not yet approved, YYYY-MM-DD (default today); an approved letter shows its approval date.
    #[arg(long, value_name = "DATE", value_parser = parse_date)]
    pub date: Option<chrono::NaiveDate>,
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
    /// The date of letters not yet approved, YYYY-MM-DD (default today); an approved letter shows its approval date.
    #[arg(long, value_name = "DATE", value_parser = parse_date)]
    pub date: Option<chrono::NaiveDate>,
}

/// A `--bind` that is not an IP address.
#[derive(Debug, Clone, thiserror::Error)]
#[error(
    "`{0}` is not an IP address: use 127.0.0.1 (this machine only), or 0.0.0.0 for every network"
)]
pub struct NotAnAddress(String);

fn parse_bind(s: &str) -> Result<std::net::IpAddr, NotAnAddress> {
    if s.eq_ignore_ascii_case("localhost") {
        return Ok(std::net::Ipv4Addr::LOCALHOST.into());
    }
    s.parse().map_err(|_| NotAnAddress(s.to_string()))
}

#[derive(Debug, Args)]
pub struct SendArgs {
    #[command(flatten)]
    pub output: Quiet,
    /// Print the summary and the first message; send nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// Send without asking.
    #[arg(long)]
    pub yes: bool,
    /// Send again the letters that changed since they were sent or are uncertain (if one did arrive, the office
    /// gets two); with --only, also the named letters already sent or marked as received.
    #[arg(long)]
    pub resend: bool,
    /// Write .eml files to DIR instead of sending; records nothing as sent (a relative DIR is from the current folder).
    #[arg(long, value_name = "DIR")]
    pub outbox: Option<PathBuf>,
    /// Send a test copy of every letter `send` would send now to ADDR alone: subject "[TEST] …", the real
    /// recipients named in its first lines, never in a header. Records nothing as sent.
    #[arg(long, value_name = "ADDR", conflicts_with = "outbox")]
    pub redirect: Option<lettre::message::Mailbox>,
    /// Send variants whose not_before embargo has not passed.
    #[arg(long)]
    pub ignore_embargo: bool,
    /// The journal (.lettermerge/journal.jsonl) is lost for good: send every letter it does not list, although
    /// approvals.toml records earlier sends. Offices may get a second copy.
    #[arg(long)]
    pub journal_lost: bool,
    #[command(flatten)]
    pub selection: Selection,
}

#[derive(Debug, Args)]
pub struct StatusArgs {
    #[command(flatten)]
    pub output: Quiet,
    /// Print JSON (fields documented in the README).
    #[arg(long)]
    pub json: bool,
    /// Only letters that carried this signatory (by key), e.g. after a withdrawal.
    #[arg(long, value_name = "KEY")]
    pub signatory: Option<String>,
    /// Only letters of this channel (repeatable).
    #[arg(long, value_enum, value_name = "CHANNEL")]
    pub channel: Vec<crate::plan::channel::Channel>,
    /// Only this variant (repeatable).
    #[arg(long = "variant", value_name = "NAME")]
    pub variants: Vec<String>,
    /// Also write the delivery sheet: out/deliveries.html (to work through), .csv and .json.
    #[arg(long)]
    pub sheet: bool,
}

#[derive(Debug, Args)]
pub struct MarkArgs {
    #[command(flatten)]
    pub output: Quiet,
    /// The letter's id, VARIANT/KEY[/SIGNATORY], or its KEY alone when only one letter has it.
    pub id: String,
    /// What happened: delivered, replied, meeting, no-response or bounced.
    #[arg(value_enum)]
    pub state: crate::deliver::state::Mark,
    /// A note kept with the mark.
    #[arg(long, value_name = "TEXT")]
    pub note: Option<String>,
}

#[derive(Debug, Args)]
pub struct InitArgs {
    #[command(flatten)]
    pub output: Quiet,
    /// The new campaign's folder (must not exist or be empty); a relative DIR is inside -C's folder.
    #[arg(id = "new_campaign", value_name = "DIR")]
    pub dir: PathBuf,
}

#[derive(Debug, Args)]
pub struct RosterArgs {
    #[command(subcommand)]
    pub action: RosterAction,
    #[command(flatten)]
    pub output: Quiet,
}

#[derive(Debug, Subcommand)]
pub enum RosterAction {
    /// Write the roster's address, phone, contact_form and bioguide_id into the recipients table.
    Fill(RosterFillArgs),
}

#[derive(Debug, Args)]
pub struct RosterFillArgs {
    /// The recipients' keys (the values of [letter] key, `id` by default) to fill.
    #[arg(value_name = "KEY", required_unless_present = "all")]
    pub keys: Vec<String>,
    /// Every Senator and Representative among the recipients.
    #[arg(long, conflicts_with = "keys")]
    pub all: bool,
    /// Write the filled table to FILE (a relative FILE is from the current folder, not from -C).
    #[arg(long, value_name = "FILE", conflicts_with = "in_place")]
    pub out: Option<PathBuf>,
    /// Rewrite the recipients table itself, keeping the old one as FILE.bak.
    #[arg(long)]
    pub in_place: bool,
}
