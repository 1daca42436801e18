//! `lettermerge proof`: out/proof.html for the people who approve.

use std::path::Path;

use crate::cli::{ProofArgs, Selection};
use crate::deliver::files::write_atomic;
use crate::error::{Error, Result};
use crate::signoff::{proof, Signoff};

use super::Verbosity;

pub fn run(dir: &Path, args: &ProofArgs, v: Verbosity) -> Result<()> {
    let campaign = super::load(dir)?;
    // An unknown --variant is a usage error, said as every command says it.
    let selection = Selection {
        variants: args.variants.clone(),
        date: args.date,
        ..Selection::default()
    };
    super::plan(&campaign, &selection)?;
    let signoff = Signoff::dated(&campaign, &args.variants, args.date)?;
    let html = proof::page(&signoff);
    let path = match &args.out {
        Some(p) => p.clone(),
        None => crate::check::preflight::output_dir(&campaign)
            .map_err(|p| Error::Campaign(p.into()))?
            .join("proof.html"),
    };
    // The page replaces a file by renaming over it: anything else at `--out` (a device, a folder) is not ours.
    if std::fs::metadata(&path).is_ok_and(|m| !m.is_file()) {
        return Err(Error::Usage(format!(
            "--out {}: not a file; give the path of the HTML file to write",
            path.display()
        )));
    }
    write_atomic(&path, html.as_bytes()).map_err(|e| Error::Write {
        path: path.clone(),
        source: e,
    })?;
    if !v.quiet {
        println!("Wrote {}", path.display());
    }
    Ok(())
}
