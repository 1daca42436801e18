//! `lettermerge preview`: one letter to standard output.

use std::io::{IsTerminal, Write};
use std::path::Path;

use crate::cli::PreviewArgs;
use crate::error::{Error, Result};
use crate::render::outputs::Outputs;
use crate::render::Format;

pub fn run(dir: &Path, args: &PreviewArgs) -> Result<()> {
    let campaign = super::load(dir)?;
    let selection = args.selection();
    let plan = super::plan(&campaign, &selection)?;
    let format = Format::parse(&args.format)?;
    // A PDF is binary: on a terminal it is noise that can leave the terminal in a strange state.
    if format == Format::Pdf && std::io::stdout().is_terminal() {
        return Err(Error::Usage(
            "preview --format pdf writes a binary PDF, which a terminal cannot show; redirect it to a file: \
             lettermerge preview --format pdf > letter.pdf"
                .into(),
        ));
    }
    let renderer = super::renderer(&campaign, &plan)?;
    let mut pick = super::pick(&selection);
    pick.limit = Some(pick.limit.map_or(1, |l| l.min(1)));
    let batch = plan
        .batches(&pick, 1)
        .next()
        .transpose()
        .map_err(|p| Error::Campaign(p.into()))?;
    let Some(batch) = batch else {
        super::none_picked(0, &selection)?;
        return Err(Error::Usage("no letter to preview".into()));
    };
    let letters = batch.letters();
    let letter = letters
        .first()
        .ok_or_else(|| Error::Usage("no letter to preview".into()))?;
    if format == Format::Eml && letter.variant.is_public() {
        return Err(Error::Usage(format!(
            "{} is a public copy (recipients = false): it has no recipient and is never an email; preview it as txt, md, html or pdf",
            letter.id()
        )));
    }
    let r = renderer
        .render(letter)
        .map_err(|p| Error::Campaign(p.into()))?;
    let needs_pdf = format == Format::Pdf || (format == Format::Eml && r.attach_pdf);
    let outputs = Outputs::new(&campaign, needs_pdf)?;
    let bytes = outputs
        .bytes(&r, format)
        .map_err(|p| Error::Campaign(p.into()))?;
    let mut out = std::io::stdout().lock();
    out.write_all(&bytes)
        .and_then(|()| out.flush())
        .map_err(|e| Error::Write {
            path: "standard output".into(),
            source: e,
        })
}
