//! The command line itself: each command's `--help` lists only the options it uses, `-C` works before any command,
//! and `preview --format pdf` refuses a terminal (a PDF is binary) but writes to a file or a pipe.

use crate::harness::{interop_tool, lettermerge, Campaign, Run, DATE};

fn help(command: &str) -> String {
    Run::from(
        lettermerge()
            .args([command, "--help"])
            .output()
            .expect("run lettermerge"),
    )
    .success()
    .stdout
}

/// The long options a help text lists.
fn options(help: &str) -> Vec<String> {
    help.lines()
        .filter_map(|l| {
            let l = l.trim_start();
            let l = l
                .strip_prefix('-')
                .filter(|r| !r.starts_with('-'))
                .map_or(l, |r| r.split_once(", ").map_or(r, |(_, rest)| rest));
            l.strip_prefix("--")
                .map(|r| r.split([' ', '=']).next().unwrap_or_default().to_string())
        })
        .collect()
}

#[test]
fn only_render_offers_verbose() {
    assert!(options(&help("render")).contains(&"verbose".to_string()));
    for command in [
        "init", "mark", "status", "check", "send", "approve", "proof", "preview",
    ] {
        let h = help(command);
        assert!(
            !options(&h).contains(&"verbose".to_string()),
            "{command}:\n{h}"
        );
        assert!(!h.contains("Print each"), "{command}:\n{h}");
    }
}

#[test]
fn init_help_has_no_verbose_and_keeps_quiet() {
    let h = help("init");
    let opts = options(&h);
    assert!(!opts.contains(&"verbose".to_string()), "{h}");
    assert!(opts.contains(&"quiet".to_string()), "{h}");
}

#[test]
fn directory_stays_a_global_option() {
    for command in ["render", "check", "status", "mark", "send"] {
        let opts = options(&help(command));
        assert!(
            opts.contains(&"directory".to_string()),
            "{command}: {opts:?}"
        );
    }
}

#[test]
fn preview_and_completions_offer_neither_quiet_nor_verbose() {
    for command in ["preview", "completions"] {
        let opts = options(&help(command));
        assert!(!opts.contains(&"quiet".to_string()), "{command}: {opts:?}");
        assert!(
            !opts.contains(&"verbose".to_string()),
            "{command}: {opts:?}"
        );
    }
}

#[test]
fn render_verbose_lists_each_file_and_quiet_prints_nothing() {
    let c = Campaign::example();
    let run = c
        .render(&["-v", "--format", "txt", "--only", "coalition/sos"])
        .success();
    assert!(run.stdout.contains("coalition/sos.txt"), "{run}");
    let run = c
        .render(&["--quiet", "--format", "txt", "--only", "coalition/sos"])
        .success();
    assert_eq!(run.stdout, "", "{run}");
}

#[test]
fn quiet_and_verbose_before_the_command_still_work_as_before() {
    let c = Campaign::example();
    let run = c.run(&["--quiet", "check"]).success();
    assert_eq!(run.stdout, "", "{run}");
    let run = c
        .run(&[
            "-v",
            "render",
            "--format",
            "txt",
            "--only",
            "coalition/sos",
            "--date",
            DATE,
        ])
        .success();
    assert!(run.stdout.contains("coalition/sos.txt"), "{run}");
    let top = Run::from(lettermerge().arg("--help").output().expect("run")).success();
    assert!(!top.stdout.contains("--verbose"), "{top}");
}

#[test]
fn preview_pdf_to_a_terminal_is_refused() {
    // `script` runs the command on a pseudo-terminal, as a user's shell would.
    if !interop_tool("script") {
        return;
    }
    let c = Campaign::example();
    let cmd = format!(
        "\"{}\" -C \"{}\" preview --format pdf --only coalition/sos --date {DATE}",
        env!("CARGO_BIN_EXE_lettermerge"),
        c.path().display()
    );
    let out = std::process::Command::new("script")
        .args(["-qec", &cmd, "/dev/null"])
        .env("NO_COLOR", "1")
        .output()
        .expect("run script");
    let shown = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(2), "{shown}");
    assert!(shown.contains("redirect it to a file"), "{shown}");
    assert!(shown.contains("> letter.pdf"), "{shown}");
    assert!(!shown.contains("%PDF"), "{shown}");
}

#[cfg(feature = "pdf")]
#[test]
fn preview_pdf_to_a_pipe_writes_the_pdf() {
    let c = Campaign::example();
    let out = c
        .cmd()
        .args([
            "preview",
            "--format",
            "pdf",
            "--only",
            "coalition/sos",
            "--date",
            DATE,
        ])
        .output()
        .expect("run lettermerge");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.stdout.starts_with(b"%PDF-"), "not a PDF");
    let text = pdf_extract::extract_text_from_mem(&out.stdout).expect("the PDF reads back");
    assert!(text.contains("Pompeo"), "{text}");
}

#[test]
fn preview_prints_one_letter_so_it_offers_no_limit() {
    let opts = options(&help("preview"));
    for wanted in ["format", "variant", "only", "date"] {
        assert!(opts.contains(&wanted.to_string()), "{wanted}: {opts:?}");
    }
    assert!(!opts.contains(&"limit".to_string()), "{opts:?}");
    let c = Campaign::example();
    let run = c.run(&["preview", "--limit", "1"]);
    assert!(run.fails_with(2).contains("--limit"), "{run}");
}

#[test]
fn check_looks_at_every_selected_letter_so_it_offers_no_limit() {
    let opts = options(&help("check"));
    for wanted in ["json", "variant", "only", "date", "quiet"] {
        assert!(opts.contains(&wanted.to_string()), "{wanted}: {opts:?}");
    }
    assert!(!opts.contains(&"limit".to_string()), "{opts:?}");
    let c = Campaign::example();
    let run = c.run(&["check", "--limit", "1"]);
    assert!(run.fails_with(2).contains("--limit"), "{run}");
}
