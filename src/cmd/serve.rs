//! `lettermerge serve`: the live proof (see [`crate::serve`]).

use std::net::SocketAddr;
use std::path::Path;

use crate::cli::{Selection, ServeArgs};
use crate::error::{Error, Result};
use crate::load::manifest;
use crate::serve::{self, Options};

use super::Verbosity;

pub fn run(dir: &Path, args: &ServeArgs, v: Verbosity) -> Result<()> {
    let selection = Selection {
        variants: args.variants.clone(),
        date: args.date,
        ..Selection::default()
    };
    // Mistakes in the campaign are the page's to show, so they can be fixed while it is open; but a folder that is
    // no campaign, or a `--variant` it lacks, is a mistake on the command line, said at once as other commands do.
    if !dir.join(manifest::FILE).is_file() {
        super::load(dir)?;
    }
    if let Ok(campaign) = super::load(dir) {
        if let Err(e @ (Error::Usage(_) | Error::UnknownVariant(_))) =
            super::plan(&campaign, &selection)
        {
            return Err(e);
        }
    }
    serve::run(
        Options {
            dir: dir.to_path_buf(),
            plan: super::plan_options(&selection),
            addr: SocketAddr::new(args.bind, args.port),
            open: args.open,
        },
        v,
    )
}
