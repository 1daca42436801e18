use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = lettermerge::cli::Cli::parse();
    lettermerge::cmd::run(cli)
}
