use std::process::ExitCode;

use clap::Parser;

/// Typst's PDF writer allocates and frees a large compression state for every stream of every letter; glibc's malloc
/// hands those back to the kernel each time and the page faults cost a fifth of PDF time. mimalloc keeps them
/// (benches/pdf.rs: 1,000 letters 1.97 s → 1.35 s on 2 cores, docs/PERFORMANCE.md).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

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
