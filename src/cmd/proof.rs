//! `lettermerge proof`: out/proof.html for the people who approve.

use std::path::Path;

use crate::cli::ProofArgs;
use crate::deliver::files::write_atomic;
use crate::error::{Error, Result};
use crate::render::Renderer;
use crate::signoff::proof;

use super::Verbosity;

pub fn run(dir: &Path, args: &ProofArgs, v: Verbosity) -> Result<()> {
    let campaign = super::load(dir)?;
    let plan = super::plan(&campaign, &args.selection)?;
    let renderer = Renderer::new(&plan)?;
    let html = proof::page(&campaign, &plan.variants, &renderer);
    let path = match &args.out {
        Some(p) => p.clone(),
        None => crate::check::preflight::output_dir(&campaign)
            .map_err(|p| Error::Campaign(p.into()))?
            .join("proof.html"),
    };
    write_atomic(&path, html.as_bytes()).map_err(|e| Error::Write {
        path: path.clone(),
        source: e,
    })?;
    if !v.quiet {
        println!("Wrote {}", path.display());
    }
    Ok(())
}
