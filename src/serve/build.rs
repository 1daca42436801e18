//! One build of the live proof: the campaign loaded, checked and rendered into the page and each variant's PDF,
//! all in memory. A campaign that cannot be loaded or rendered still builds: into a page that says why.

use std::collections::BTreeMap;
use std::panic::AssertUnwindSafe;
use std::path::{Path, PathBuf};
use std::time::Instant;

use axum::body::Bytes;

use crate::check;
use crate::diag::{Problem, Problems};
use crate::load::Campaign;
use crate::plan::{Plan, PlanOptions};
use crate::render::Renderer;
use crate::signoff::proof;

use super::page::{self, Live};

/// What the server hands out until the next build.
pub(crate) struct Build {
    /// Different for every build and every run of the server: the page carries it and reloads when the server's
    /// differs.
    pub id: String,
    pub page: Bytes,
    /// Each variant's first letter as a PDF, by variant name (none without the `pdf` feature).
    pub pdfs: BTreeMap<String, Bytes>,
    /// The proof (true), or the page that lists what stops it (false).
    pub ok: bool,
    pub errors: usize,
    pub warnings: usize,
    pub problems: Problems,
    /// The output folder, whose changes are the commands' own writes, not edits.
    pub out_dir: Option<PathBuf>,
    pub took: std::time::Duration,
}

/// Builds the page for the campaign in `dir`. A bug that panics in the middle must not leave an old page standing
/// as if it were current: the page then says the build failed.
pub(crate) fn build(dir: &Path, opts: &PlanOptions, id: String) -> Build {
    let started = Instant::now();
    std::panic::catch_unwind(AssertUnwindSafe(|| build_page(dir, opts, id.clone()))).unwrap_or_else(|_| {
        let bug = Problem::error(
            "lettermerge failed while building the proof (an internal error; the terminal says where): please report it",
        );
        failed(dir, id, &bug.into(), None, started)
    })
}

fn build_page(dir: &Path, opts: &PlanOptions, id: String) -> Build {
    let started = Instant::now();
    let campaign = match Campaign::load(dir) {
        Ok(c) => c,
        Err(problems) => return failed(dir, id, &problems, None, started),
    };
    let out_dir = crate::check::preflight::output_dir(&campaign).ok();
    let mut problems = check::campaign(&campaign, opts, &[]);
    // `check` reports why a plan or the templates fail; those problems are the page.
    let Ok(plan) = Plan::new(&campaign, opts) else {
        return failed(dir, id, &problems, out_dir, started);
    };
    let Ok(renderer) = Renderer::new(&plan) else {
        return failed(dir, id, &problems, out_dir, started);
    };
    let pdfs = pdfs(&campaign, &plan, &renderer, &mut problems);
    let live = Live::new(dir, &id, &campaign, &plan, &problems, &pdfs);
    let html = match crate::signoff::Signoff::dated(&campaign, &opts.variants, opts.date) {
        Ok(signoff) => proof::page_with(&signoff, &live),
        Err(p) => {
            problems.extend(p);
            return failed(dir, id, &problems, out_dir, started);
        }
    };
    Build {
        id,
        page: Bytes::from(html),
        pdfs,
        ok: true,
        errors: problems.errors(),
        warnings: problems.warnings(),
        problems,
        out_dir,
        took: started.elapsed(),
    }
}

fn failed(
    dir: &Path,
    id: String,
    problems: &Problems,
    out_dir: Option<PathBuf>,
    started: Instant,
) -> Build {
    Build {
        page: Bytes::from(page::failed(dir, &id, problems)),
        id,
        pdfs: BTreeMap::new(),
        ok: false,
        errors: problems.errors(),
        warnings: problems.warnings(),
        problems: problems.clone(),
        out_dir,
        took: started.elapsed(),
    }
}

/// The first letter of each variant as a PDF; a layout or typesetting problem joins the page's problems.
#[cfg(feature = "pdf")]
fn pdfs(
    campaign: &Campaign,
    plan: &Plan,
    renderer: &Renderer,
    problems: &mut Problems,
) -> BTreeMap<String, Bytes> {
    let mut pdfs = BTreeMap::new();
    let outputs = match crate::render::outputs::Outputs::new(campaign, true) {
        Ok(o) => o,
        Err(p) => {
            extend_new(problems, p);
            return pdfs;
        }
    };
    let mut found = Problems::new();
    for v in &plan.variants {
        // A letter that does not render is already among `check`'s problems.
        let Ok(Some(Ok(r))) = plan.with_first_letter(v, |l| renderer.render(l)) else {
            continue;
        };
        match outputs.pdf(&r) {
            Ok(bytes) => {
                pdfs.insert(v.name.clone(), Bytes::from(bytes));
            }
            Err(p) => found.push(p),
        }
    }
    extend_new(problems, found);
    pdfs
}

#[cfg(not(feature = "pdf"))]
fn pdfs(_: &Campaign, _: &Plan, _: &Renderer, _: &mut Problems) -> BTreeMap<String, Bytes> {
    BTreeMap::new()
}

/// The same layout problem fails every variant's PDF; list it once.
#[cfg_attr(not(feature = "pdf"), allow(dead_code))]
fn extend_new(problems: &mut Problems, more: Problems) {
    for p in more {
        if !problems.iter().any(|q: &Problem| q == &p) {
            problems.push(p);
        }
    }
}
