//! `lettermerge status`: where every planned letter stands, on every channel, from the plan and the journal; with
//! `--sheet`, the delivery sheet beside the letters.
//!
//! Letters stream twice and are never held: a first pass counts them (the counts open every form of the report),
//! a second writes each one to the terminal, `--json` and the sheet's three files as it comes.

use std::collections::{BTreeMap, BTreeSet};
use std::io::Write;
use std::path::Path;

use crate::cli::StatusArgs;
use crate::deliver::journal::Journal;
use crate::deliver::sheet;
use crate::deliver::track::{self, OutDir, Standing, Tracked};
use crate::diag::Problem;
use crate::error::{Error, Result};
use crate::load::Campaign;
use crate::plan::channel::Channel;
use crate::plan::{Plan, PlanOptions};
use crate::render::Renderer;

use super::Verbosity;

/// What the campaign knows besides its letters, and where the letters come from.
pub(super) struct Tracking<'a> {
    /// Every signatory key the campaign or the journal knows.
    pub signatories: BTreeSet<String>,
    /// The output folder, when the campaign could be planned.
    pub out: Option<OutDir>,
    pub title: String,
    /// Each variant's approval, as the journal records it.
    pub approvals: BTreeMap<String, String>,
    journal: &'a Journal,
    plan: Option<(&'a Plan<'a>, &'a Renderer<'a>)>,
    /// `--variant`: the journal's letters of other variants are not shown as "no longer planned".
    variants: &'a [String],
}

impl Tracking<'_> {
    /// Every letter with where it stands, one by one: planned letters, then those only the journal knows.
    pub fn each(&self, f: &mut dyn FnMut(Tracked)) -> std::result::Result<(), Problem> {
        match (self.plan, &self.out) {
            (Some((plan, renderer)), Some(out)) => {
                track::each(plan, renderer, self.journal, out, self.variants, f)
            }
            _ => {
                track::journal_only(self.journal, self.variants, f);
                Ok(())
            }
        }
    }
}

/// Plans the campaign and hands `f` its letters' tracking. A campaign that cannot be planned (a template broken since
/// the letters went out) still shows what the journal knows, with a warning.
pub(super) fn with_tracking<R>(
    dir: &Path,
    variants: &[String],
    journal: &Journal,
    v: Verbosity,
    f: impl FnOnce(&Tracking) -> Result<R>,
) -> Result<R> {
    let mut signatories: BTreeSet<String> = journal.signatories().clone();
    let journal_only = |signatories, why: String| {
        if !v.quiet {
            eprintln!(
                "warning: {why}; showing only the letters in the journal (run `lettermerge check`)"
            );
        }
        Tracking {
            signatories,
            out: None,
            title: dir.display().to_string(),
            approvals: BTreeMap::new(),
            journal,
            plan: None,
            variants,
        }
    };
    if !dir.is_dir() {
        return Err(Error::Usage(format!("{} is not a folder", dir.display())));
    }
    let campaign = match Campaign::load(dir) {
        Ok(c) => c,
        Err(p) => {
            let why = format!("the campaign cannot be loaded ({} errors)", p.errors());
            return f(&journal_only(signatories, why));
        }
    };
    let opts = PlanOptions {
        variants: variants.to_vec(),
        date: None,
    };
    let plan = match Plan::new(&campaign, &opts) {
        Ok(p) => p,
        Err(p) => {
            // An unknown --variant is the user's mistake, not the campaign's.
            super::plan(
                &campaign,
                &crate::cli::Selection {
                    variants: variants.to_vec(),
                    ..Default::default()
                },
            )?;
            let why = format!("the campaign cannot be planned ({} errors)", p.errors());
            return f(&journal_only(signatories, why));
        }
    };
    for variant in &plan.variants {
        if let Some(t) = variant.signatory_table {
            signatories.extend(t.rows.iter().map(|r| t.key(r).to_string()));
        }
    }
    let renderer = match Renderer::new(&plan) {
        Ok(r) => r,
        Err(p) => {
            let why = format!("the templates cannot be read ({} errors)", p.errors());
            return f(&journal_only(signatories, why));
        }
    };
    let output = &campaign.manifest.manifest.output;
    let formats = super::render::parse_formats(&output.formats).unwrap_or_default();
    let out = OutDir::new(&campaign.dir, output.dir.as_str(), formats);
    let title = campaign
        .manifest
        .manifest
        .vars
        .get("coalition_name")
        .and_then(|v| v.as_str())
        .map_or_else(|| dir.display().to_string(), str::to_string);
    let approvals = campaign
        .approvals
        .iter()
        .flat_map(|a| &a.variants)
        .filter_map(|(name, a)| Some((name.clone(), a.text.get(..16)?.to_string())))
        .collect();
    f(&Tracking {
        signatories,
        out: Some(out),
        title,
        approvals,
        journal,
        plan: Some((&plan, &renderer)),
        variants,
    })
}

/// What the first pass learns: what the report says before and after its letters.
#[derive(Default)]
struct Summary {
    counts: BTreeMap<&'static str, usize>,
    standing: sheet::Counts,
    failed: Vec<String>,
    uncertain: Vec<String>,
    width: usize,
    letters: usize,
    by_hand_to_deliver: bool,
}

impl Summary {
    fn add(&mut self, l: &Tracked) {
        *self.counts.entry(l.state.as_str()).or_insert(0) += 1;
        self.standing.add(l.state);
        match l.state {
            Standing::Failed => self.failed.push(l.id.clone()),
            Standing::Uncertain => self.uncertain.push(l.id.clone()),
            _ => {}
        }
        self.width = self.width.max(l.id.len());
        self.letters += 1;
        self.by_hand_to_deliver |= l.is_to_deliver() && !l.channel.is_email();
    }
}

pub fn run(dir: &Path, args: &StatusArgs, v: Verbosity) -> Result<()> {
    let (journal, warnings) = Journal::read(dir)?;
    if !v.quiet {
        for w in &warnings {
            eprintln!("warning: {w}");
        }
    }
    with_tracking(dir, &args.variants, &journal, v, |tracking| {
        report(tracking, args, v)
    })
}

fn report(tracking: &Tracking, args: &StatusArgs, v: Verbosity) -> Result<()> {
    if let Some(key) = &args.signatory {
        if !tracking.signatories.contains(key) {
            return Err(Error::UnknownSignatory {
                key: key.clone(),
                known: tracking.signatories.iter().cloned().collect(),
            });
        }
    }
    let keep = |l: &Tracked| {
        args.signatory
            .as_ref()
            .is_none_or(|k| l.signatories.contains(k))
            && (args.channel.is_empty() || args.channel.contains(&l.channel))
    };
    let stopped = |p: Problem| Error::Campaign(p.into());
    let mut summary = Summary::default();
    tracking
        .each(&mut |l| {
            if keep(&l) {
                summary.add(&l)
            }
        })
        .map_err(stopped)?;

    let signatory = args.signatory.as_deref();
    let mut sheet = match args.sheet {
        true => Some(Sheet::start(tracking, &summary)?),
        false => None,
    };
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    let mut json = (args.json || args.sheet).then(Json::new);
    if args.json {
        out.write_all(json_head(&summary).as_bytes())
            .map_err(stdout_error)?;
    } else {
        text_head(&mut out, &summary, signatory).map_err(stdout_error)?;
    }
    let mut failed: Option<Error> = None;
    tracking
        .each(&mut |l| {
            if !keep(&l) || failed.is_some() {
                return;
            }
            let mut step = || -> Result<()> {
                if let Some(j) = &mut json {
                    let part = j.letter(&l);
                    if args.json {
                        out.write_all(part.as_bytes()).map_err(stdout_error)?;
                    }
                    if let Some(s) = &mut sheet {
                        s.json(part.as_bytes())?;
                    }
                }
                if let Some(s) = &mut sheet {
                    s.letter(&l)?;
                }
                if !args.json {
                    text_letter(&mut out, &l, summary.width).map_err(stdout_error)?;
                }
                Ok(())
            };
            if let Err(e) = step() {
                failed = Some(e);
            }
        })
        .map_err(stopped)?;
    if let Some(e) = failed {
        return Err(e);
    }
    if let Some(j) = json {
        let tail = j.finish(&summary, signatory);
        if args.json {
            out.write_all(tail.as_bytes()).map_err(stdout_error)?;
            out.write_all(b"\n").map_err(stdout_error)?;
        }
        if let Some(s) = &mut sheet {
            s.json(tail.as_bytes())?;
            s.json(b"\n")?;
        }
    }
    if !args.json {
        text_tail(&mut out, &summary).map_err(stdout_error)?;
    }
    out.flush().map_err(stdout_error)?;
    if let Some(s) = sheet {
        s.finish(v)?;
    }
    Ok(())
}

fn stdout_error(e: std::io::Error) -> Error {
    Error::Write {
        path: "standard output".into(),
        source: e,
    }
}

/// `status --json` (and the sheet's JSON), written as letters come: the same bytes `serde_json::to_string_pretty`
/// gives for the whole report.
struct Json {
    first: bool,
}

/// A value pretty-printed, indented to sit `depth` levels deep.
fn pretty_at(value: &impl serde::Serialize, depth: usize) -> String {
    let text = serde_json::to_string_pretty(value).unwrap_or_default();
    text.replace('\n', &format!("\n{}", "  ".repeat(depth)))
}

impl Json {
    fn new() -> Json {
        Json { first: true }
    }

    /// One letter of the `letters` array (after [`json_head`]).
    fn letter(&mut self, l: &Tracked) -> String {
        let mut s = String::new();
        if !std::mem::take(&mut self.first) {
            s.push(',');
        }
        s.push_str("\n    ");
        s.push_str(&pretty_at(l, 2));
        s
    }

    fn finish(self, summary: &Summary, signatory: Option<&str>) -> String {
        let mut s = String::new();
        s.push_str(if self.first { "]" } else { "\n  ]" });
        s.push_str(",\n  \"failed\": ");
        s.push_str(&pretty_at(&summary.failed, 1));
        s.push_str(",\n  \"uncertain\": ");
        s.push_str(&pretty_at(&summary.uncertain, 1));
        if let Some(k) = signatory {
            s.push_str(",\n  \"signatory\": ");
            s.push_str(&pretty_at(&k, 1));
        }
        s.push_str("\n}");
        s
    }
}

/// The report's opening, up to the letters' array.
fn json_head(summary: &Summary) -> String {
    format!(
        "{{\n  \"counts\": {},\n  \"letters\": [",
        pretty_at(&summary.counts, 1)
    )
}

/// The delivery sheet's three files, each written to a temporary file beside its place and moved there at the end.
struct Sheet {
    dir: std::path::PathBuf,
    shown: String,
    html: std::io::BufWriter<tempfile::NamedTempFile>,
    csv: sheet::Csv<std::io::BufWriter<tempfile::NamedTempFile>>,
    json: std::io::BufWriter<tempfile::NamedTempFile>,
}

impl Sheet {
    fn start(tracking: &Tracking, summary: &Summary) -> Result<Sheet> {
        let Some(out) = &tracking.out else {
            return Err(Error::SheetUnplanned);
        };
        let temp = |name: &str| -> Result<std::io::BufWriter<tempfile::NamedTempFile>> {
            std::fs::create_dir_all(&out.dir)
                .and_then(|()| {
                    tempfile::Builder::new()
                        .prefix(".lettermerge-")
                        .tempfile_in(&out.dir)
                })
                .map(std::io::BufWriter::new)
                .map_err(|source| Error::Write {
                    path: out.dir.join(name),
                    source,
                })
        };
        let now = chrono::Utc::now().format("%Y-%m-%d %H:%M UTC").to_string();
        let mut html = temp(sheet::HTML)?;
        let head = sheet::html_head(&summary.standing, &tracking.title, &now);
        html.write_all(head.as_bytes())
            .map_err(|source| Error::Write {
                path: out.dir.join(sheet::HTML),
                source,
            })?;
        let csv = sheet::Csv::new(temp(sheet::CSV)?).map_err(csv_error)?;
        let mut json = temp(sheet::JSON)?;
        json.write_all(json_head(summary).as_bytes())
            .map_err(|source| Error::Write {
                path: out.dir.join(sheet::JSON),
                source,
            })?;
        Ok(Sheet {
            dir: out.dir.clone(),
            shown: out.shown.clone(),
            html,
            csv,
            json,
        })
    }

    fn letter(&mut self, l: &Tracked) -> Result<()> {
        self.html
            .write_all(sheet::html_row(l, &self.shown).as_bytes())
            .map_err(|source| Error::Write {
                path: self.dir.join(sheet::HTML),
                source,
            })?;
        self.csv.row(l).map_err(csv_error)
    }

    fn json(&mut self, bytes: &[u8]) -> Result<()> {
        self.json.write_all(bytes).map_err(|source| Error::Write {
            path: self.dir.join(sheet::JSON),
            source,
        })
    }

    fn finish(mut self, v: Verbosity) -> Result<()> {
        let dir = self.dir.clone();
        let fail = |name: &str| {
            let path = dir.join(name);
            move |source: std::io::Error| Error::Write { path, source }
        };
        self.html
            .write_all(sheet::HTML_TAIL.as_bytes())
            .map_err(fail(sheet::HTML))?;
        let files = [
            (
                sheet::HTML,
                self.html
                    .into_inner()
                    .map_err(|e| e.into_error())
                    .map_err(fail(sheet::HTML))?,
            ),
            (
                sheet::CSV,
                self.csv
                    .finish()
                    .map_err(csv_error)?
                    .into_inner()
                    .map_err(|e| e.into_error())
                    .map_err(fail(sheet::CSV))?,
            ),
            (
                sheet::JSON,
                self.json
                    .into_inner()
                    .map_err(|e| e.into_error())
                    .map_err(fail(sheet::JSON))?,
            ),
        ];
        for (name, file) in files {
            file.persist(dir.join(name))
                .map_err(|e| e.error)
                .map_err(fail(name))?;
        }
        if !v.quiet {
            eprintln!(
                "Wrote the delivery sheet to {}/{} (and {}, {}).",
                self.shown,
                sheet::HTML,
                sheet::CSV,
                sheet::JSON
            );
        }
        Ok(())
    }
}

fn csv_error(e: csv::Error) -> Error {
    Error::Sheet(e)
}

/// The report's opening lines, before its letters.
fn text_head(out: &mut impl Write, s: &Summary, signatory: Option<&str>) -> std::io::Result<()> {
    if let Some(k) = signatory {
        writeln!(out, "Letters that carried {k}:")?;
    }
    if s.letters == 0 {
        return writeln!(out, "No letters.");
    }
    writeln!(out, "{}", s.standing.line())
}

/// The report's closing lines, after its letters.
fn text_tail(out: &mut impl Write, s: &Summary) -> std::io::Result<()> {
    if s.letters == 0 {
        return Ok(());
    }
    if !s.uncertain.is_empty() {
        writeln!(out, "Uncertain letters may have arrived: ask the office, then `lettermerge send --only ID --resend` if not.")?;
    }
    if s.by_hand_to_deliver {
        writeln!(
            out,
            "After delivering a letter yourself: `lettermerge mark ID delivered`."
        )?;
    }
    Ok(())
}

/// One letter's lines of the report.
fn text_letter(out: &mut impl Write, l: &Tracked, width: usize) -> std::io::Result<()> {
    let time = |at: &chrono::DateTime<chrono::Utc>| at.format("%Y-%m-%d %H:%M UTC").to_string();
    let state = match l.state {
        Standing::Uncertain => "UNCERTAIN".to_string(),
        s => s.words().to_string(),
    };
    let how = match l.channel {
        Channel::Email => match l.at {
            Some(at) => format!("{} to {}", time(&at), l.to.join(", ")),
            None => format!("to {}", l.to.join(", ")),
        },
        c => {
            let mut how = match (c, &l.url, &l.address) {
                (Channel::Webform, Some(url), _) => url.clone(),
                (Channel::Webform, None, _) => "(no contact_form URL)".to_string(),
                (_, _, Some(a)) => a.lines().next().unwrap_or("").to_string(),
                _ => String::new(),
            };
            if let Some(f) = &l.file {
                let verb = if c == Channel::Webform {
                    "paste"
                } else {
                    "print"
                };
                let missing = if l.files.contains(f) {
                    ""
                } else {
                    " (not rendered yet)"
                };
                how = format!("{how} — {verb} {f}{missing}");
            }
            how.trim_start_matches(" — ").to_string()
        }
    };
    writeln!(
        out,
        "{state:<11} {:<width$}  {:<8} {how}",
        l.id,
        l.channel.as_str()
    )?;
    let pad = " ".repeat(12);
    match (l.send_state, &l.reply) {
        (Some(Standing::Failed), Some(reply)) => writeln!(out, "{pad}server said: {reply}")?,
        (Some(Standing::Uncertain), Some(why)) => writeln!(out, "{pad}{why}")?,
        (Some(s), _) if s != l.state => writeln!(
            out,
            "{pad}{} {}",
            s.words(),
            l.at.as_ref().map(time).unwrap_or_default()
        )?,
        _ => {}
    }
    for m in &l.marks {
        writeln!(out, "{pad}{}", m.line())?;
    }
    if let Some(p) = &l.problem {
        writeln!(out, "{pad}cannot be rendered now: {p}")?;
    }
    if let Some(why) = &l.held {
        writeln!(out, "{pad}held back by `send`: {why}")?;
    }
    if !l.planned && l.problem.is_none() {
        writeln!(out, "{pad}(no longer in the campaign's plan)")?;
    }
    Ok(())
}
