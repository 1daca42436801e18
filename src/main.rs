use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    // `lettermerge status | head` should end quietly when head does, as other Unix tools do, not panic on the
    // closed pipe.
    #[cfg(unix)]
    // SAFETY: restoring the default disposition of one signal before any thread starts.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
    let cli = lettermerge::cli::Cli::parse();
    lettermerge::cmd::run(cli)
}
