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
