//! `lettermerge init DIR`: a new campaign from the bundled example, which is this repository's own campaign.

use std::path::Path;

use std::io::Write;

use crate::error::{Error, Result};

use super::Verbosity;

/// The example campaign, compiled in so `init` needs no files beside the binary.
const FILES: &[(&str, &str)] = &[
    ("lettermerge.toml", include_str!("../../lettermerge.toml")),
    (
        "templates/letter.hbs",
        include_str!("../../templates/letter.hbs"),
    ),
    (
        "templates/carta.hbs",
        include_str!("../../templates/carta.hbs"),
    ),
    (
        "templates/public.hbs",
        include_str!("../../templates/public.hbs"),
    ),
    (
        "templates/layout.typ",
        include_str!("../../templates/layout.typ"),
    ),
    (
        "templates/partials/signatures.hbs",
        include_str!("../../templates/partials/signatures.hbs"),
    ),
    (
        "templates/partials/firmas.hbs",
        include_str!("../../templates/partials/firmas.hbs"),
    ),
    (
        "templates/partials/cover.hbs",
        include_str!("../../templates/partials/cover.hbs"),
    ),
    (
        "templates/partials/cover_es.hbs",
        include_str!("../../templates/partials/cover_es.hbs"),
    ),
    (
        "recipients/officials.csv",
        include_str!("../../recipients/officials.csv"),
    ),
    (
        "recipients/organizations.csv",
        include_str!("../../recipients/organizations.csv"),
    ),
    (
        "recipients/issues.csv",
        include_str!("../../recipients/issues.csv"),
    ),
    (
        "attachments/mexico-briefing-2018.txt",
        include_str!("../../attachments/mexico-briefing-2018.txt"),
    ),
    (
        "data/legislators-current.csv",
        include_str!("../../data/legislators-current.csv"),
    ),
    (".gitignore", "/out\n/.lettermerge\n"),
];

/// Creates the file (and its folders) with the default mode, so the umask decides as for any file a user creates
/// (0644 under the usual 022): a campaign is meant to be shared and committed. Never overwrites: the folder was
/// empty.
fn write_new(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)?;
    }
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)?;
    file.write_all(bytes)?;
    file.flush()
}

pub fn run(dir: &Path, v: Verbosity) -> Result<()> {
    if dir.exists()
        && std::fs::read_dir(dir)
            .map(|mut d| d.next().is_some())
            .unwrap_or(true)
    {
        return Err(Error::Usage(format!(
            "{} exists and is not empty; choose a new folder",
            dir.display()
        )));
    }
    for (rel, text) in FILES {
        let path = dir.join(rel);
        write_new(&path, text.as_bytes()).map_err(|e| Error::Write {
            path: path.clone(),
            source: e,
        })?;
    }
    if !v.quiet {
        println!(
            "Wrote a new campaign to {}/ ({} files).",
            dir.display(),
            FILES.len()
        );
        println!(
            "Next: cd {} && lettermerge check && lettermerge render",
            dir.display()
        );
    }
    Ok(())
}
