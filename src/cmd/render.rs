//! `lettermerge render`: every selected letter in every chosen format, to out/VARIANT/NAME.EXT.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use rayon::prelude::*;

use crate::check::preflight;
use crate::cli::RenderArgs;
use crate::deliver::files::{write_atomic, Folders};
use crate::deliver::track::hand_format;
use crate::diag::{Problem, Problems};
use crate::error::{count, Error, Result};
use crate::plan::stream::BATCH;
use crate::plan::Letter;
use crate::render::outputs::Outputs;
use crate::render::{Format, Rendered};

use super::Verbosity;

pub fn run(dir: &Path, args: &RenderArgs, v: Verbosity) -> Result<()> {
    // A variant's combined PDF is every letter of it: made of some, it would replace the whole one with a part.
    if args.combine && (!args.selection.only.is_empty() || args.selection.limit.is_some()) {
        return Err(Error::Usage(
            "--combine writes each variant's one PDF of all its letters, so it cannot be used with --only or \
             --limit: render those letters without --combine"
                .into(),
        ));
    }
    let campaign = super::load(dir)?;
    let plan = super::plan(&campaign, &args.selection)?;
    let formats = if args.formats.is_empty() {
        preflight::manifest_formats(&campaign).map_err(|p| Error::Campaign(p.into()))?
    } else {
        parse_formats(&args.formats)?
    };
    let channels = preflight::channels(&campaign);
    if channels.has_errors() {
        return Err(Error::Campaign(channels));
    }
    let renderer = super::renderer(&campaign, &plan)?;
    let pick = super::pick(&args.selection);
    // Without --format, each letter delivered by hand also gets the file its coordinator pastes or prints.
    let hand = |l: &Letter| match args.formats.is_empty() {
        true => l
            .channel(&campaign.recipients)
            .ok()
            .and_then(hand_format)
            .filter(|f| !formats.contains(f)),
        false => None,
    };

    // File names first: two letters that would share a file are a campaign error, found before anything is written.
    let mut problems: Vec<(usize, Problem)> = Vec::new();
    let mut names = preflight::Names::default();
    let (mut total, mut hand_pdf) = (0usize, false);
    let mut public: Vec<&str> = Vec::new();
    let mut batches = plan.batches(&pick, BATCH);
    let mut next = batches.next();
    while let Some(batch) = next.take() {
        let batch = batch.map_err(|p| Error::Campaign(p.into()))?;
        let variant = batch.variant;
        let letters = batch.letters();
        // The next batch is read from the table while this one's names are made.
        let (stems, following) = rayon::join(
            || -> Vec<std::result::Result<String, Problem>> {
                letters.par_iter().map(|l| renderer.file_stem(l)).collect()
            },
            || batches.next(),
        );
        next = following;
        for (letter, stem) in letters.iter().zip(stems) {
            match stem {
                Ok(s) => names.add(total, &letter.variant.name, &s),
                Err(p) => problems.push((total, p)),
            }
            hand_pdf |= hand(letter) == Some(Format::Pdf);
            if variant.is_public() && public.last() != Some(&variant.name.as_str()) {
                public.push(variant.name.as_str());
            }
            total += 1;
        }
    }
    super::none_picked(total, &args.selection)?;
    let attach_pdf = campaign.templates.values().any(|t| t.front.attach_pdf);
    let needs_pdf = formats.contains(&Format::Pdf)
        || args.combine
        || (formats.contains(&Format::Eml) && attach_pdf)
        || hand_pdf;
    let outputs = Outputs::new(&campaign, needs_pdf)?;
    // `--out` goes where the user said; `[output] dir` stays inside the campaign.
    let out_dir = match &args.out {
        Some(d) => d.clone(),
        None => preflight::output_dir(&campaign).map_err(|p| Error::Campaign(p.into()))?,
    };
    let clashes = names
        .second_look(&plan, &renderer, &pick)
        .map_err(|p| Error::Campaign(p.into()))?;
    // In the order of the letters.
    problems.extend(clashes);
    problems.sort_by_key(|(n, _)| *n);
    let problems: Problems = problems.into_iter().map(|(_, p)| p).collect();
    if problems.has_errors() {
        return Err(Error::Campaign(problems));
    }

    // Letters render on a pool of their own: typst parallelizes inside a PDF on rayon's global pool, and letters
    // blocking every global worker while waiting for it would deadlock.
    let pool = rayon::ThreadPoolBuilder::new()
        .thread_name(|i| format!("lettermerge-letter-{i}"))
        .build()
        .map_err(Error::Threads)?;
    // With --combine, each letter's render is kept for the variant's PDF instead of being made twice.
    type Done = (Vec<PathBuf>, Option<Rendered>);
    let no_eml = std::sync::atomic::AtomicUsize::new(0);
    let mut failed = Problems::new();
    let mut per_variant: BTreeMap<String, usize> = BTreeMap::new();
    let mut files = 0;
    let mut for_combine: BTreeMap<String, Vec<Rendered>> = BTreeMap::new();
    // Variants a letter of which failed: their combined PDF would lack it.
    let mut incomplete: std::collections::BTreeSet<String> = std::collections::BTreeSet::new();
    let folders = Folders::default();
    let mut batches = plan.batches(&pick, BATCH);
    let mut next = batches.next();
    while let Some(batch) = next.take() {
        let batch = batch.map_err(|p| match files {
            0 => Error::Campaign(p.into()),
            files => Error::Stopped {
                files,
                problems: p.into(),
            },
        })?;
        let letters = batch.letters();
        let render_all = || -> Vec<std::result::Result<Done, Problem>> {
            letters
                .par_iter()
                .map(|letter| {
                    renderer.render(letter).and_then(|r| {
                        let mut written = Vec::new();
                        for &f in formats_of(letter.variant, &formats)
                            .into_iter()
                            .chain(hand(letter).as_ref())
                        {
                            // An .eml is the message `send` sends, and it sends none for these.
                            if f == Format::Eml && !r.channel.is_email() {
                                no_eml.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                                continue;
                            }
                            let path = out_dir.join(&r.variant).join(format!(
                                "{}.{}",
                                r.file_stem,
                                f.extension()
                            ));
                            let bytes = outputs.bytes(&r, f)?;
                            folders.write_atomic(&path, &bytes).map_err(|e| {
                                Problem::error(format!("cannot write {}: {e}", path.display()))
                            })?;
                            written.push(path);
                        }
                        Ok((written, args.combine.then_some(r)))
                    })
                })
                .collect()
        };
        // The next batch is read from the table while this one renders.
        let (results, following) = pool.install(|| rayon::join(render_all, || batches.next()));
        next = following;
        for (result, letter) in results.into_iter().zip(&letters) {
            let variant = &letter.variant.name;
            match result {
                Ok((paths, rendered)) => {
                    if let Some(r) = rendered {
                        for_combine.entry(variant.clone()).or_default().push(r);
                    }
                    files += paths.len();
                    if !paths.is_empty() {
                        *per_variant.entry(variant.clone()).or_default() += 1;
                    }
                    if v.verbose {
                        for p in paths {
                            println!("{}", p.display());
                        }
                    }
                }
                Err(p) => {
                    failed.push(p);
                    incomplete.insert(variant.clone());
                    // A letter that failed must not leave an older file looking current.
                    if let Ok(stem) = renderer.file_stem(letter) {
                        for f in &formats {
                            let _ = std::fs::remove_file(
                                out_dir
                                    .join(variant)
                                    .join(format!("{stem}.{}", f.extension())),
                            );
                        }
                    }
                }
            }
        }
    }
    for variant in &plan.variants {
        let Some(rendered) = for_combine.get(variant.name.as_str()) else {
            continue;
        };
        let path = out_dir.join(format!("{}.pdf", variant.name));
        if incomplete.contains(&variant.name) {
            // Never a PDF that looks whole and lacks a letter; an older one must not look current either.
            let _ = std::fs::remove_file(&path);
            // A warning: the letter's own error is what failed (and makes the exit status 1).
            failed.push(Problem::warning(format!(
                "{} not written: a letter of variant `{}` failed, and the combined PDF holds every letter",
                path.display(),
                variant.name
            )));
            continue;
        }
        match outputs.combine(rendered) {
            Ok(bytes) => {
                write_atomic(&path, &bytes).map_err(|e| Error::Write {
                    path: path.clone(),
                    source: e,
                })?;
                files += 1;
                if v.verbose {
                    println!("{}", path.display());
                }
            }
            Err(p) => failed.push(p),
        }
    }
    let ok: usize = per_variant.values().sum();
    if !v.quiet && formats.contains(&Format::Eml) && !public.is_empty() {
        eprintln!(
            "note: no .eml for {}: a public copy (recipients = false) has no recipient and is never an email",
            public.join(", ")
        );
    }
    if !v.quiet {
        let breakdown: Vec<String> = per_variant
            .iter()
            .map(|(k, n)| format!("{k} {n}"))
            .collect();
        let breakdown = if breakdown.is_empty() {
            "nothing".to_string()
        } else {
            breakdown.join(", ")
        };
        println!(
            "Wrote {} ({}) to {}/ — {}",
            count(ok, "letter"),
            count(files, "file"),
            display_dir(&out_dir),
            breakdown
        );
        let no_eml = no_eml.into_inner();
        if no_eml > 0 {
            println!(
                "No .eml for {}: they go by web form or on paper, never by email.",
                count(no_eml, "letter")
            );
        }
    }
    if failed.has_errors() {
        return Err(Error::Letters {
            failed: failed.errors(),
            total,
            problems: failed,
        });
    }
    Ok(())
}

/// A public copy is never an email: it gets every chosen format but `eml`.
fn formats_of<'f>(variant: &crate::plan::Variant, formats: &'f [Format]) -> Vec<&'f Format> {
    formats
        .iter()
        .filter(|&&f| !(f == Format::Eml && variant.is_public()))
        .collect()
}

/// `--format` names: an unknown one is a usage error (exit 2).
pub fn parse_formats(names: &[String]) -> Result<Vec<Format>> {
    preflight::formats(names).map_err(Error::UnknownFormat)
}

fn display_dir(p: &Path) -> String {
    let s = p.display().to_string();
    s.strip_prefix("./").map(str::to_string).unwrap_or(s)
}
