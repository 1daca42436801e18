//! `lettermerge preview`: one letter to standard output.

use std::io::Write;
use std::path::Path;

use crate::cli::PreviewArgs;
use crate::error::{Error, Result};
use crate::render::outputs::Outputs;
use crate::render::{Format, Renderer};

pub fn run(dir: &Path, args: &PreviewArgs) -> Result<()> {
    let campaign = super::load(dir)?;
    let plan = super::plan(&campaign, &args.selection)?;
    let format = Format::parse(&args.format).map_err(Error::Usage)?;
    let renderer = Renderer::new(&plan)?;
    let letters = super::selected(&plan, &args.selection)?;
    let letter = letters
        .first()
        .ok_or_else(|| Error::Usage("no letter to preview".into()))?;
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
