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
    // No transparent huge pages. mimalloc asks for them, and each 2 MB page is zeroed whole on first touch, and
    // again after mimalloc gives it back: with letters made on one thread and freed on another (`send`), that was a
    // sixth of all samples. With 4 KB pages, send 10,000 letters on 8 connections: 1.80 → 1.67 s and 70 → 26 MB;
    // check 200,000: 7.6 → 7.1 s and 52 → 26 MB; PDF unchanged, 104 → 68 MB; check 1,000,000 5–12 % slower, 66 → 49
    // MB (docs/PERFORMANCE.md).
    #[cfg(target_os = "linux")]
    // SAFETY: a process flag, set before any thread starts; it only changes how later page faults are served.
    unsafe {
        libc::prctl(libc::PR_SET_THP_DISABLE, 1, 0, 0, 0);
    }
    let cli = lettermerge::cli::Cli::parse();
    lettermerge::cmd::run(cli)
}
