//! What `send` and `render` refuse before writing or sending anything, in one place: `check` runs every rule here,
//! and the commands call the same functions, so `check` says "ready" exactly when they would go ahead.

use std::collections::HashMap;
use std::path::PathBuf;

use rayon::prelude::*;

use crate::diag::{Problem, Problems};
use crate::load::manifest::ManifestFile;
use crate::load::paths::{self, CampaignPath};
use crate::load::table::dups::{Hashes, Suspects};
use crate::load::{escape_problem, Campaign};
use crate::plan::stream::{Pick, BATCH};
use crate::plan::Plan;
use crate::render::{Format, Renderer, UnknownFormat};

/// `[smtp]`'s rules that parsing alone cannot see, each at its key's line: "none" to a remote host, a password in
/// the file, nonsense numbers, a missing `ca_file`.
pub fn smtp(campaign: &Campaign) -> Problems {
    let mut problems = Problems::new();
    let Some(cfg) = &campaign.manifest.manifest.smtp else {
        return problems;
    };
    for invalid in cfg.problems(&campaign.dir) {
        let mut p = campaign
            .manifest
            .problem_at(&["smtp", invalid.key], invalid.message);
        if p.line.is_none() {
            p = campaign.manifest.problem("smtp", None, p.message);
        }
        if let Some(help) = invalid.help {
            p = p.help(help);
        }
        problems.push(p);
    }
    problems
}

/// `[channels.NAME]` sections that name no channel (`[channels.Email]`): the limit meant for letters would apply to
/// none, so `render` and `send` refuse as `check` does.
pub fn channels(campaign: &Campaign) -> Problems {
    super::limits::Limits::new(campaign, None)
        .1
        .into_iter()
        .filter(Problem::is_error)
        .collect()
}

/// `[output] formats`, each known, at their line when one is not. (`render --format` names are the user's own
/// command line: [`formats`] with `from_manifest` false makes a bad one a usage error there.)
pub fn manifest_formats(campaign: &Campaign) -> Result<Vec<Format>, Problem> {
    formats_of(&campaign.manifest)
}

/// As [`manifest_formats`], from the manifest alone (for a campaign that did not load).
pub fn formats_of(manifest: &ManifestFile) -> Result<Vec<Format>, Problem> {
    formats(&manifest.manifest.output.formats).map_err(|UnknownFormat(bad)| {
        manifest
            .problem_at(
                &["output", "formats"],
                format!("[output] formats: unknown format `{bad}`"),
            )
            .help("the formats are txt, md, html, eml and pdf")
    })
}

/// Format names, deduplicated, txt when there are none; the first unknown one is the error.
pub fn formats(names: &[String]) -> Result<Vec<Format>, UnknownFormat> {
    let mut out = Vec::new();
    for n in names {
        let f = Format::parse(n)?;
        if !out.contains(&f) {
            out.push(f);
        }
    }
    if out.is_empty() {
        out.push(Format::Txt);
    }
    Ok(out)
}

/// `[output] dir` inside the campaign, also once links are followed.
pub fn output_dir(campaign: &Campaign) -> Result<PathBuf, Problem> {
    inside(
        campaign,
        &["output", "dir"],
        &campaign.manifest.manifest.output.dir,
    )
}

/// Where `send` writes messages when there is no `[smtp]` and no `--outbox`: `[output] dir`/outbox.
pub fn outbox(campaign: &Campaign) -> Result<PathBuf, Problem> {
    let dir = &campaign.manifest.manifest.output.dir;
    let path = format!("{}/outbox", dir.as_str().trim_end_matches(['/', '\\']));
    paths::resolve(&campaign.dir, &path)
        .map_err(|e| escape_problem(&campaign.manifest, &["output", "dir"], &path, &e))
}

fn inside(campaign: &Campaign, key: &[&str], path: &CampaignPath) -> Result<PathBuf, Problem> {
    path.resolve(&campaign.dir)
        .map_err(|e| escape_problem(&campaign.manifest, key, path.as_str(), &e))
}

/// Two letters that would be written to one file: the same name, or names that differ only by case (one file on
/// Windows and macOS, where the second letter would silently replace the first).
#[derive(Default)]
pub struct Clashes {
    seen: HashMap<(String, String), (String, String)>,
}

impl Clashes {
    /// Records `id`'s file `variant/stem`; a problem when another letter has it.
    pub fn add(&mut self, variant: &str, stem: &str, id: &str) -> Option<Problem> {
        let key = (variant.to_string(), stem.to_lowercase());
        match self.seen.get(&key) {
            None => {
                self.seen.insert(key, (stem.to_string(), id.to_string()));
                None
            }
            Some((first, other)) if first == stem => Some(
                Problem::error(format!(
                    "letters {other} and {id} would both be written to {variant}/{stem}"
                ))
                .help("make [output] filename (or the template's `filename`) unique, e.g. \"{{letter.key}}\""),
            ),
            Some((first, other)) => Some(
                Problem::error(format!(
                    "letters {other} and {id} would be written to {variant}/{first} and {variant}/{stem}: \
                     names that differ only by case are one file on Windows and macOS"
                ))
                .help("make the keys (or the file names) differ by more than case"),
            ),
        }
    }
}

/// The file names of a stream of letters, as 8-byte hashes: [`Clashes`] for a million letters. Two letters whose
/// names' hashes repeat get the exact look of [`Names::second_look`], which names both.
#[derive(Default)]
pub struct Names {
    hashes: Hashes,
    /// Which letters of the stream (by number) have a name, one bit each.
    added: Vec<u64>,
}

impl Names {
    /// The `n`th letter of the stream (from 0) is written to `variant/stem`.
    pub fn add(&mut self, n: usize, variant: &str, stem: &str) {
        self.hashes.push(&key(variant, stem));
        let (word, bit) = (n / 64, n % 64);
        if self.added.len() <= word {
            self.added.resize(word + 1, 0);
        }
        self.added[word] |= 1 << bit;
    }

    fn has(&self, n: usize) -> bool {
        self.added
            .get(n / 64)
            .is_some_and(|w| w & (1 << (n % 64)) != 0)
    }

    /// The problems of letters that share a file, each with its letter's number in the stream; `pick` must be the
    /// stream's. Reads the plan again only when two names' hashes repeat.
    pub fn second_look(
        mut self,
        plan: &Plan,
        renderer: &Renderer,
        pick: &Pick,
    ) -> Result<Vec<(usize, Problem)>, Problem> {
        let suspects: Suspects = self.hashes.repeated();
        if suspects.is_empty() {
            return Ok(Vec::new());
        }
        let mut clashes = Clashes::default();
        let mut out = Vec::new();
        let mut n = 0;
        for batch in plan.batches(pick, BATCH) {
            let batch = batch?;
            let letters = batch.letters();
            let stems: Vec<Option<String>> = letters
                .par_iter()
                .enumerate()
                .map(|(i, l)| {
                    self.has(n + i)
                        .then(|| renderer.file_stem(l).ok())
                        .flatten()
                        .filter(|stem| suspects.contains(&key(&l.variant.name, stem)))
                })
                .collect();
            for (l, stem) in letters.iter().zip(stems) {
                if let Some(stem) = stem {
                    if let Some(p) = clashes.add(&l.variant.name, &stem, &l.id()) {
                        out.push((n, p));
                    }
                }
                n += 1;
            }
        }
        Ok(out)
    }
}

fn key(variant: &str, stem: &str) -> String {
    format!("{variant}\u{0}{}", stem.to_lowercase())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_names_that_differ_only_by_case_clash() {
        let mut c = Clashes::default();
        assert!(c.add("default", "ABC", "default/ABC").is_none());
        assert!(c.add("default", "abd", "default/abd").is_none());
        assert!(c.add("es", "abc", "es/abc").is_none());
        let p = c.add("default", "abc", "default/abc").unwrap();
        assert!(p.message.contains("differ only by case"), "{p}");
        let p = c.add("default", "ABC", "default/ABC2").unwrap();
        assert!(p.message.contains("both be written"), "{p}");
    }

    #[test]
    fn formats_are_known_names() {
        assert_eq!(formats(&[]).unwrap(), [Format::Txt]);
        assert_eq!(
            formats(&["pdf".into(), "txt".into(), "pdf".into()]).unwrap(),
            [Format::Pdf, Format::Txt]
        );
        assert_eq!(
            formats(&["docx".into()]).unwrap_err(),
            UnknownFormat("docx".into())
        );
    }
}
