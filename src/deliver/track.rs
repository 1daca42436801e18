//! Where every planned letter stands, whatever its channel: the plan says which letters there are and how each
//! reaches its office, the journal what happened to it. `status`, the delivery sheet and `mark` read this.

use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use rayon::prelude::*;
use serde::Serialize;

use super::journal::{id_key, Entry, Journal, Record};
use super::state::{Mark, SendState, State};
use crate::diag::Problem;
use crate::load::table::{Row, Shape};
use crate::plan::channel::{Channel, CONTACT_FORM};
use crate::plan::stream::{Pick, BATCH};
use crate::plan::{Letter, Plan};
use crate::render::address::{addressee, Cells};
use crate::render::context::in_language;
use crate::render::{Format, Renderer};

/// Where a letter stands for the coordinator: its latest mark, else its send state, else `to-deliver`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Standing {
    ToDeliver,
    Sent,
    Uncertain,
    Failed,
    Delivered,
    Replied,
    Meeting,
    NoResponse,
    Bounced,
}

impl Standing {
    /// As `status --json` writes it.
    pub fn as_str(self) -> &'static str {
        match self {
            Standing::ToDeliver => "to-deliver",
            Standing::Sent => "sent",
            Standing::Uncertain => "uncertain",
            Standing::Failed => "failed",
            Standing::Delivered => "delivered",
            Standing::Replied => "replied",
            Standing::Meeting => "meeting",
            Standing::NoResponse => "no-response",
            Standing::Bounced => "bounced",
        }
    }

    /// As a sentence says it.
    pub fn words(self) -> &'static str {
        match self {
            Standing::ToDeliver => "to deliver",
            Standing::NoResponse => "no response",
            other => other.as_str(),
        }
    }
}

impl From<Mark> for Standing {
    fn from(m: Mark) -> Standing {
        match m {
            Mark::Delivered => Standing::Delivered,
            Mark::Replied => Standing::Replied,
            Mark::Meeting => Standing::Meeting,
            Mark::NoResponse => Standing::NoResponse,
            Mark::Bounced => Standing::Bounced,
        }
    }
}

impl From<SendState> for Standing {
    /// A letter left at `sending` by a crash may have arrived: uncertain, like one whose reply was lost.
    fn from(s: SendState) -> Standing {
        match s {
            SendState::Sending | SendState::Uncertain => Standing::Uncertain,
            SendState::Sent => Standing::Sent,
            SendState::Failed => Standing::Failed,
        }
    }
}

/// A follow-up mark, as `status` shows it.
#[derive(Debug, Clone, Serialize)]
pub struct MarkEntry {
    pub state: Mark,
    #[serde(serialize_with = "millis")]
    pub at: DateTime<Utc>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

impl MarkEntry {
    /// The mark as `status` and the delivery sheet print it: "delivered 2018-07-11 14:05 UTC: by hand".
    pub fn line(&self) -> String {
        // One line per mark: a note's line breaks read as " / ", a tab as a space. A journal edited by hand may hold
        // what `mark` refuses: any other control character is shown escaped, not obeyed.
        let note = self
            .note
            .as_deref()
            .map(|n| {
                let lines: Vec<&str> = n.lines().map(str::trim).filter(|l| !l.is_empty()).collect();
                let shown: String = lines
                    .join(" / ")
                    .chars()
                    .flat_map(|c| match c {
                        '\t' => vec![' '],
                        c if c.is_control() => c.escape_default().collect::<Vec<_>>(),
                        c => vec![c],
                    })
                    .collect();
                format!(": {shown}")
            })
            .unwrap_or_default();
        format!(
            "{} {}{note}",
            self.state.words(),
            self.at.format("%Y-%m-%d %H:%M UTC")
        )
    }
}

/// One letter, planned or journaled, with everything a coordinator needs to deliver it and follow it up. The field
/// names are `status --json`'s and the delivery sheet's, and stable.
#[derive(Debug, Clone, Serialize)]
pub struct Tracked {
    pub id: String,
    pub variant: String,
    pub key: String,
    pub signatory: Option<String>,
    /// The signatories' keys the letter carries (as sent, once sent).
    pub signatories: Vec<String>,
    pub channel: Channel,
    /// Who it is addressed to: "The Honorable Mike Pompeo, Secretary of State" (several addressees joined by "; ").
    pub office: String,
    pub state: Standing,
    /// The last send state (`sent`, `failed`, `uncertain`), if it was ever handed to a server.
    pub send_state: Option<Standing>,
    /// When it was last handed to a server.
    #[serde(serialize_with = "millis_opt")]
    pub at: Option<DateTime<Utc>>,
    /// Email recipients (the envelope: To, Cc and Bcc).
    pub to: Vec<String>,
    /// The office's web contact form (the row's `contact_form`).
    pub url: Option<String>,
    /// The office's postal address (the row's `address`).
    pub address: Option<String>,
    /// The file to paste into the web form or to print, for a letter not sent by email.
    pub file: Option<String>,
    /// The letter's rendered files that exist now.
    pub files: Vec<String>,
    pub reply: Option<String>,
    pub message_id: Option<String>,
    pub marks: Vec<MarkEntry>,
    /// False for a letter the journal names but the campaign no longer plans (its row was removed).
    pub planned: bool,
    /// Why the letter cannot be rendered now, if it cannot.
    pub problem: Option<String>,
    /// Why `send` holds it back, if it would: its office already has a letter under another id (a renamed key).
    pub held: Option<String>,
}

impl Tracked {
    /// Whether the coordinator still has to deliver it: a letter not sent by email that nobody marked yet.
    pub fn is_to_deliver(&self) -> bool {
        self.state == Standing::ToDeliver
    }
}

/// Where rendered letters are, and which formats `render` writes by default.
pub struct OutDir {
    /// The folder itself.
    pub dir: PathBuf,
    /// How to show it: relative to the campaign folder when inside it.
    pub shown: String,
    pub formats: Vec<Format>,
}

impl OutDir {
    pub fn new(campaign_dir: &Path, out: &str, formats: Vec<Format>) -> OutDir {
        OutDir {
            dir: campaign_dir.join(out),
            shown: out.trim_end_matches('/').to_string(),
            formats,
        }
    }

    fn path(&self, variant: &str, stem: &str, format: Format) -> (PathBuf, String) {
        let name = format!("{stem}.{}", format.extension());
        (
            self.dir.join(variant).join(&name),
            format!("{}/{variant}/{name}", self.shown),
        )
    }
}

/// The format of the file a coordinator delivers by hand: text to paste into a web form, a PDF (or, in a build
/// without PDF support, the print-styled HTML page) to print or fax; none for email.
pub fn hand_format(channel: Channel) -> Option<Format> {
    match channel {
        Channel::Email => None,
        Channel::Webform => Some(Format::Txt),
        Channel::Print | Channel::Manual | Channel::Fax => Some(if cfg!(feature = "pdf") {
            Format::Pdf
        } else {
            Format::Html
        }),
    }
}

/// The file to paste or print, as shown to the coordinator, and whether it exists.
pub fn hand_file(
    out: &OutDir,
    variant: &str,
    stem: &str,
    channel: Channel,
) -> Option<(String, bool)> {
    let (path, shown) = out.path(variant, stem, hand_format(channel)?);
    Some((shown, path.exists()))
}

/// Every planned letter of the plan (public copies are never delivered), then every letter the journal names that
/// the plan does not, each with where it stands, handed to `f` one by one in that order: nothing is held but 16 bytes
/// per planned letter (its id's key, to tell which journal letters are no longer planned).
pub fn each(
    plan: &Plan,
    renderer: &Renderer,
    journal: &Journal,
    out: &OutDir,
    variants: &[String],
    f: &mut dyn FnMut(Tracked),
) -> Result<(), Problem> {
    let recipients = &plan.campaign.recipients;
    let moved = super::moved::Moved::find(plan.campaign, journal);
    let mut planned: Vec<u128> = Vec::new();
    for batch in plan.batches(&Pick::all(), BATCH) {
        let batch = batch?;
        if batch.variant.is_public() {
            continue;
        }
        let letters = batch.letters();
        let tracked: Vec<Tracked> = letters
            .par_iter()
            .map(|l| {
                let mut t = self::planned(l, recipients, renderer, journal, out);
                if t.is_to_deliver() && t.channel.is_email() && journal.entry(&t.id).is_none() {
                    t.held = moved.holds(journal, l, &t.id, &t.to).map(|p| p.message);
                }
                t
            })
            .collect();
        for t in tracked {
            planned.push(id_key(&t.id));
            f(t);
        }
    }
    planned.sort_unstable();
    for t in unplanned(journal, |k| planned.binary_search(&k).is_ok(), variants) {
        f(t);
    }
    Ok(())
}

/// Every letter the journal names, when the campaign cannot be planned (a broken template, say).
pub fn journal_only(journal: &Journal, variants: &[String], f: &mut dyn FnMut(Tracked)) {
    for mut t in unplanned(journal, |_| false, variants) {
        // Not "no longer planned": whether it is cannot be known until the campaign plans again.
        t.problem = Some("the campaign cannot be planned now (run `lettermerge check`)".into());
        f(t);
    }
}

/// The letters of the journal whose key `planned` does not know, in the order they first appear in it; with
/// `variants` (`--variant`), only theirs: another variant's letters are not "no longer planned", only not asked for.
fn unplanned<'j>(
    journal: &'j Journal,
    planned: impl Fn(u128) -> bool,
    variants: &'j [String],
) -> impl Iterator<Item = Tracked> + 'j {
    let mut entries: Vec<&Entry> = journal.entries().filter(|e| !planned(e.key)).collect();
    entries.sort_by_key(|e| e.first);
    entries
        .into_iter()
        .filter_map(|e| journaled(journal, e))
        .filter(move |t| variants.is_empty() || variants.contains(&t.variant))
}

fn planned(
    letter: &Letter,
    recipients: &Shape,
    renderer: &Renderer,
    journal: &Journal,
    out: &OutDir,
) -> Tracked {
    let id = letter.id();
    let row = letter.row();
    let cell = |column: &str| {
        row.and_then(|r| recipients.value(r, column))
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .map(str::to_string)
    };
    let (rendered, problem) = match renderer.render(letter) {
        Ok(r) => (Some(r), None),
        Err(p) => (None, Some(p.message)),
    };
    let channel = rendered
        .as_ref()
        .map(|r| r.channel)
        .or_else(|| letter.channel(recipients).ok())
        .unwrap_or_default();
    let signatories = match letter.variant.signatory_table {
        Some(t) => match letter.signatory {
            Some(r) => vec![t.key(r).to_string()],
            None => letter
                .variant
                .signatories
                .iter()
                .map(|r| t.key(r).to_string())
                .collect(),
        },
        None => Vec::new(),
    };
    let mut t = Tracked {
        variant: letter.variant.name.clone(),
        key: letter.key().to_string(),
        signatory: letter.signatory_key().map(str::to_string),
        signatories,
        channel,
        office: office(recipients, &letter.unit.rows, &letter.variant.lang),
        state: Standing::ToDeliver,
        send_state: None,
        at: None,
        // Only an email goes to addresses.
        to: rendered
            .as_ref()
            .filter(|_| channel.is_email())
            .map(|r| {
                r.headers
                    .recipients()
                    .map(|m| m.email.to_string())
                    .collect()
            })
            .unwrap_or_default(),
        url: cell(CONTACT_FORM),
        address: cell("address"),
        file: None,
        files: Vec::new(),
        reply: None,
        message_id: None,
        marks: Vec::new(),
        planned: true,
        problem,
        held: None,
        id,
    };
    if let Some(r) = &rendered {
        let mut formats = out.formats.clone();
        formats.extend(hand_format(channel));
        formats.sort();
        formats.dedup();
        for f in formats {
            let (path, shown) = out.path(&r.variant, &r.file_stem, f);
            if path.exists() {
                t.files.push(shown);
            }
        }
        t.file = hand_file(out, &r.variant, &r.file_stem, channel).map(|(f, _)| f);
    }
    follow(&mut t, journal);
    t
}

/// A letter known only from the journal.
fn journaled(journal: &Journal, e: &Entry) -> Option<Tracked> {
    let base: Record = journal.some_record(e)?;
    let mut t = Tracked {
        id: base.id.clone(),
        variant: base.variant.clone(),
        key: base.key.clone(),
        signatory: base.signatory.clone(),
        signatories: base.signatories.clone(),
        channel: base.channel.unwrap_or_default(),
        office: String::new(),
        state: Standing::ToDeliver,
        send_state: None,
        at: None,
        to: base.to.clone(),
        url: None,
        address: None,
        file: None,
        files: Vec::new(),
        reply: None,
        message_id: None,
        marks: Vec::new(),
        planned: false,
        problem: None,
        held: None,
    };
    follow(&mut t, journal);
    Some(t)
}

/// Reads the letter's journal: its last send and the marks since.
fn follow(t: &mut Tracked, journal: &Journal) {
    if let Some(r) = journal.latest(&t.id) {
        if let State::Send(s) = r.state {
            t.send_state = Some(s.into());
            t.state = s.into();
        }
        t.at = Some(r.at);
        // What the letter carried when it went, not what it would carry now.
        t.to = r.to.clone();
        t.signatories = r.signatories.clone();
        t.reply = r.reply.clone();
        t.message_id = r.message_id.clone();
    }
    t.marks = journal
        .marks(&t.id)
        .into_iter()
        .filter_map(|r| match r.state {
            State::Mark(m) => Some(MarkEntry {
                state: m,
                at: r.at,
                note: r.note.clone(),
            }),
            State::Send(_) => None,
        })
        .collect();
    if let Some(last) = t.marks.last() {
        t.state = last.state.into();
    }
}

/// "The Honorable Mike Pompeo, Secretary of State" for each addressee row, joined by "; ".
pub fn office(table: &Shape, rows: &[Row], lang: &str) -> String {
    let names: Vec<String> = rows
        .iter()
        .map(|row| {
            let get = |c: &str| table.value(row, c).unwrap_or("").trim();
            let cells = Cells::of_row(
                &serde_json::Value::Object(in_language(table.row_json(row), lang)),
                lang,
            );
            let name = addressee(&cells.person(), lang);
            let office = [get("position"), get("title")]
                .into_iter()
                .find(|s| !s.is_empty())
                .unwrap_or("");
            match (name.is_empty(), office.is_empty()) {
                (true, _) => office.to_string(),
                (false, true) => name,
                (false, false) => format!("{name}, {office}"),
            }
        })
        .filter(|s| !s.is_empty())
        .collect();
    names.join("; ")
}

fn millis<S: serde::Serializer>(at: &DateTime<Utc>, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&at.to_rfc3339_opts(chrono::SecondsFormat::Millis, true))
}

fn millis_opt<S: serde::Serializer>(at: &Option<DateTime<Utc>>, s: S) -> Result<S::Ok, S::Error> {
    match at {
        Some(at) => millis(at, s),
        None => s.serialize_none(),
    }
}
