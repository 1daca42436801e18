//! `lettermerge init DIR` writes a campaign that `check` passes and `render` renders; it never writes into a folder
//! that holds something.

use crate::harness::{lettermerge, Campaign, Run, DATE};

fn init(parent: &Campaign, name: &str) -> Run {
    let mut cmd = lettermerge();
    Run::from(
        cmd.current_dir(parent.path())
            .args(["init", name])
            .output()
            .expect("run lettermerge"),
    )
}

#[test]
fn init_writes_the_example_campaign() {
    let parent = Campaign::empty();
    let run = init(&parent, "mexico-2018").success();
    let dir = parent.path().join("mexico-2018");
    for f in [
        "lettermerge.toml",
        "templates/letter.hbs",
        "templates/partials/signatures.hbs",
        "recipients/officials.csv",
        "recipients/organizations.csv",
        "recipients/issues.csv",
    ] {
        assert!(dir.join(f).is_file(), "{f} missing\n{run}");
    }
    assert!(run.stdout().contains("mexico-2018"), "{run}");
}

#[test]
fn an_initialized_campaign_passes_check() {
    let parent = Campaign::empty();
    init(&parent, "c").success();
    let mut cmd = lettermerge();
    let run = Run::from(
        cmd.arg("-C")
            .arg(parent.path().join("c"))
            .arg("check")
            .output()
            .expect("run"),
    );
    let run = run.success();
    assert!(run.stdout().contains("no errors"), "{run}");
}

#[test]
fn an_initialized_campaign_renders_as_txt() {
    let parent = Campaign::empty();
    init(&parent, "c").success();
    let dir = parent.path().join("c");
    let mut cmd = lettermerge();
    let run = Run::from(
        cmd.arg("-C")
            .arg(&dir)
            .args(["render", "--format", "txt", "--date", DATE])
            .output()
            .expect("run"),
    );
    run.success();
    let letter =
        std::fs::read_to_string(dir.join("out/coalition/sos.txt")).expect("the Secretary's letter");
    assert!(letter.contains("July 11, 2018"), "{letter}");
    assert!(
        letter.contains("Washington Office on Latin America (WOLA)"),
        "{letter}"
    );
}

#[test]
fn init_into_an_empty_existing_folder_is_allowed() {
    let parent = Campaign::empty();
    std::fs::create_dir(parent.path().join("c")).expect("mkdir");
    init(&parent, "c").success();
    assert!(parent.path().join("c/lettermerge.toml").is_file());
}

#[test]
fn init_into_a_folder_that_is_not_empty_is_a_usage_error() {
    let parent = Campaign::empty();
    parent.write("c/notes.txt", "mine");
    let run = init(&parent, "c");
    let err = run.fails_with(2);
    assert!(err.contains("not empty"), "{run}");
    assert!(
        !parent.path().join("c/lettermerge.toml").exists(),
        "init wrote into a folder that held files"
    );
    assert_eq!(parent.read("c/notes.txt"), "mine");
}

#[test]
fn completions_print_a_script_naming_the_commands() {
    let run = Run::from(
        lettermerge()
            .args(["completions", "bash"])
            .output()
            .expect("run"),
    )
    .success();
    let script = run.stdout();
    for word in ["render", "check", "preview", "init"] {
        assert!(script.contains(word), "{word} missing from the completions");
    }
}

#[test]
fn preview_prints_one_letter_to_stdout() {
    let c = Campaign::example();
    let mut cmd = c.cmd();
    let run = Run::from(
        cmd.args(["preview", "--only", "coalition/sos", "--date", DATE])
            .output()
            .expect("run"),
    )
    .success();
    let out = run.stdout();
    assert!(
        out.contains("July 11, 2018") && out.contains("2201 C Street NW"),
        "{run}"
    );
    assert!(!c.path().join("out").exists(), "preview wrote files");
}

/// `lettermerge init NAME` run by `sh` under `umask MASK`, in `parent`.
#[cfg(unix)]
fn init_under_umask(parent: &Campaign, mask: &str, name: &str) -> Run {
    let bin = env!("CARGO_BIN_EXE_lettermerge");
    Run::from(
        std::process::Command::new("sh")
            .arg("-c")
            .arg(format!("umask {mask} && exec \"$0\" init \"$1\""))
            .arg(bin)
            .arg(name)
            .current_dir(parent.path())
            .env("NO_COLOR", "1")
            .output()
            .expect("run sh"),
    )
}

#[cfg(unix)]
fn mode(path: &std::path::Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        .permissions()
        .mode()
        & 0o777
}

#[cfg(unix)]
#[test]
fn init_under_umask_022_writes_files_0644_and_folders_0755() {
    let parent = Campaign::empty();
    init_under_umask(&parent, "022", "c").success();
    let dir = parent.path().join("c");
    for f in [
        "lettermerge.toml",
        "templates/letter.hbs",
        "templates/layout.typ",
        "recipients/officials.csv",
        ".gitignore",
    ] {
        assert_eq!(mode(&dir.join(f)), 0o644, "{f}");
    }
    for d in ["templates", "templates/partials", "recipients"] {
        assert_eq!(mode(&dir.join(d)), 0o755, "{d}");
    }
}

#[cfg(unix)]
#[test]
fn init_under_umask_077_keeps_the_files_private() {
    let parent = Campaign::empty();
    init_under_umask(&parent, "077", "c").success();
    assert_eq!(mode(&parent.path().join("c/lettermerge.toml")), 0o600);
}

#[test]
fn init_writes_the_bundled_pdf_layout_to_start_from() {
    let parent = Campaign::empty();
    let run = init(&parent, "c").success();
    let layout = std::fs::read_to_string(parent.path().join("c/templates/layout.typ"))
        .unwrap_or_else(|e| panic!("templates/layout.typ: {e}\n{run}"));
    assert_eq!(
        layout,
        std::fs::read_to_string(crate::harness::repo().join("templates/layout.typ")).unwrap()
    );
    assert!(layout.contains("#let letter(inputs, body)"), "{layout}");
}
