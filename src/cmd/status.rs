//! `lettermerge status`: where every planned letter stands, on every channel, from the plan and the journal; with
//! `--sheet`, the delivery sheet beside the letters.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use serde::Serialize;

use crate::cli::StatusArgs;
use crate::deliver::files::write_atomic;
use crate::deliver::journal::Journal;
use crate::deliver::sheet;
use crate::deliver::track::{self, OutDir, Standing, Tracked};
use crate::error::{Error, Result};
use crate::load::Campaign;
use crate::plan::channel::Channel;
use crate::plan::{Plan, PlanOptions};
use crate::render::Renderer;

use super::Verbosity;

/// Every letter with where it stands, and what the campaign knows besides.
pub(super) struct Tracking {
    pub letters: Vec<Tracked>,
    /// Every signatory key the campaign or the journal knows.
    pub signatories: BTreeSet<String>,
    /// The output folder, when the campaign could be planned.
    pub out: Option<OutDir>,
    pub title: String,
    /// Each variant's approval, as the journal records it.
    pub approvals: BTreeMap<String, String>,
}

/// Plans the campaign and reads each letter's journal. A campaign that cannot be planned (a template broken since
/// the letters went out) still shows what the journal knows, with a warning.
pub(super) fn tracking(
    dir: &Path,
    variants: &[String],
    journal: &Journal,
    v: Verbosity,
) -> Result<Tracking> {
    let mut signatories: BTreeSet<String> = journal.signatories().clone();
    let from_journal = |signatories, why: String| {
        if !v.quiet {
            eprintln!(
                "warning: {why}; showing only the letters in the journal (run `lettermerge check`)"
            );
        }
        Tracking {
            letters: track::journal_only(journal),
            signatories,
            out: None,
            title: dir.display().to_string(),
            approvals: BTreeMap::new(),
        }
    };
    if !dir.is_dir() {
        return Err(Error::Usage(format!("{} is not a folder", dir.display())));
    }
    let campaign = match Campaign::load(dir) {
        Ok(c) => c,
        Err(p) => {
            let why = format!("the campaign cannot be loaded ({} errors)", p.errors());
            return Ok(from_journal(signatories, why));
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
            return Ok(from_journal(signatories, why));
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
            return Ok(from_journal(signatories, why));
        }
    };
    let output = &campaign.manifest.manifest.output;
    let formats = super::render::parse_formats(&output.formats).unwrap_or_default();
    let out = OutDir::new(&campaign.dir, output.dir.as_str(), formats);
    let letters = match track::track(&plan, &renderer, journal, &out) {
        Ok(l) => l,
        Err(p) => return Ok(from_journal(signatories, p.message)),
    };
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
    Ok(Tracking {
        letters,
        signatories,
        out: Some(out),
        title,
        approvals,
    })
}

#[derive(Serialize)]
struct Report<'a> {
    /// Letters by where they stand.
    counts: BTreeMap<&'static str, usize>,
    letters: &'a [Tracked],
    failed: Vec<&'a str>,
    uncertain: Vec<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    signatory: Option<&'a str>,
}

impl<'a> Report<'a> {
    fn new(letters: &'a [Tracked], signatory: Option<&'a str>) -> Report<'a> {
        let mut counts = BTreeMap::new();
        for l in letters {
            *counts.entry(l.state.as_str()).or_insert(0) += 1;
        }
        let ids = |state: Standing| -> Vec<&str> {
            letters
                .iter()
                .filter(|l| l.state == state)
                .map(|l| l.id.as_str())
                .collect()
        };
        Report {
            counts,
            failed: ids(Standing::Failed),
            uncertain: ids(Standing::Uncertain),
            letters,
            signatory,
        }
    }
}

pub fn run(dir: &Path, args: &StatusArgs, v: Verbosity) -> Result<()> {
    let (journal, warnings) = Journal::read(dir)?;
    if !v.quiet {
        for w in &warnings {
            eprintln!("warning: {w}");
        }
    }
    let tracking = tracking(dir, &args.variants, &journal, v)?;
    if let Some(key) = &args.signatory {
        if !tracking.signatories.contains(key) {
            let known: Vec<&str> = tracking.signatories.iter().map(String::as_str).collect();
            return Err(Error::Refused(format!(
                "no signatory `{key}` in the campaign or the journal; the keys are: {}",
                if known.is_empty() {
                    "(none)".to_string()
                } else {
                    known.join(", ")
                }
            )));
        }
    }
    let letters: Vec<Tracked> = tracking
        .letters
        .iter()
        .filter(|l| {
            args.signatory
                .as_ref()
                .is_none_or(|k| l.signatories.contains(k))
        })
        .filter(|l| args.channel.is_empty() || args.channel.contains(&l.channel))
        .cloned()
        .collect();
    let report = Report::new(&letters, args.signatory.as_deref());
    let json = serde_json::to_string_pretty(&report).unwrap_or_default();
    if args.sheet {
        write_sheet(&tracking, &letters, &json, v)?;
    }
    if args.json {
        println!("{json}");
    } else {
        print_report(&report);
    }
    Ok(())
}

fn write_sheet(tracking: &Tracking, letters: &[Tracked], json: &str, v: Verbosity) -> Result<()> {
    let Some(out) = &tracking.out else {
        return Err(Error::Refused(
            "the delivery sheet needs the campaign planned: fix what `lettermerge check` reports"
                .into(),
        ));
    };
    let now = chrono::Utc::now().format("%Y-%m-%d %H:%M UTC").to_string();
    let csv = sheet::csv(letters)
        .map_err(|e| Error::Refused(format!("cannot write the CSV sheet: {e}")))?;
    let files: [(&str, Vec<u8>); 3] = [
        (
            sheet::HTML,
            sheet::html(letters, &out.shown, &tracking.title, &now).into_bytes(),
        ),
        (sheet::CSV, csv),
        (sheet::JSON, format!("{json}\n").into_bytes()),
    ];
    for (name, bytes) in files {
        let path = out.dir.join(name);
        write_atomic(&path, &bytes).map_err(|source| Error::Write { path, source })?;
    }
    if !v.quiet {
        eprintln!(
            "Wrote the delivery sheet to {}/{} (and {}, {}).",
            out.shown,
            sheet::HTML,
            sheet::CSV,
            sheet::JSON
        );
    }
    Ok(())
}

fn print_report(r: &Report) {
    if let Some(s) = r.signatory {
        println!("Letters that carried {s}:");
    }
    if r.letters.is_empty() {
        println!("No letters.");
        return;
    }
    println!("{}", sheet::counts(r.letters));
    let width = r.letters.iter().map(|l| l.id.len()).max().unwrap_or(0);
    let time = |at: &chrono::DateTime<chrono::Utc>| at.format("%Y-%m-%d %H:%M UTC").to_string();
    for l in r.letters {
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
        println!(
            "{state:<11} {:<width$}  {:<8} {how}",
            l.id,
            l.channel.as_str()
        );
        let pad = " ".repeat(12);
        match (l.send_state, &l.reply) {
            (Some(Standing::Failed), Some(reply)) => println!("{pad}server said: {reply}"),
            (Some(Standing::Uncertain), Some(why)) => println!("{pad}{why}"),
            (Some(s), _) if s != l.state => {
                println!(
                    "{pad}{} {}",
                    s.words(),
                    l.at.as_ref().map(time).unwrap_or_default()
                )
            }
            _ => {}
        }
        for m in &l.marks {
            let note = m
                .note
                .as_deref()
                .map(|n| format!(": {n}"))
                .unwrap_or_default();
            println!("{pad}{} {}{note}", m.state.words(), time(&m.at));
        }
        if let Some(p) = &l.problem {
            println!("{pad}cannot be rendered now: {p}");
        }
        if !l.planned {
            println!("{pad}(no longer in the campaign's plan)");
        }
    }
    if !r.uncertain.is_empty() {
        println!("Uncertain letters may have arrived: ask the office, then `lettermerge send --only ID --resend` if not.");
    }
    if r.letters
        .iter()
        .any(|l| l.is_to_deliver() && !l.channel.is_email())
    {
        println!("After delivering a letter yourself: `lettermerge mark ID delivered`.");
    }
}
