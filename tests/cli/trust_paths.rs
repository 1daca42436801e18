//! Issue 10, "Escapes" and "Paths": every path from the manifest or the data stays inside the campaign folder —
//! tables, templates, partials, the PDF layout and fonts, attachments, `[output] dir`, the outbox, variant names —
//! also through symbolic links; `--out` and `--outbox` on the command line go where the user said. Each test looks at
//! the file system: nothing is read from, or written to, outside the campaign.

use std::path::{Path, PathBuf};

use crate::harness::{lettermerge, Campaign, Run, DATE};
use crate::trust_check::{campaign, line_of};

/// A campaign two folders down inside a folder of its own, so that anything written outside the campaign (by
/// `..` or a link) lands where the test can see it.
struct Nested {
    outer: Campaign,
    dir: PathBuf,
}

impl Nested {
    fn new() -> Nested {
        let outer = Campaign::empty();
        let dir = outer.path().join("one/two/campaign");
        let inner = campaign();
        copy(inner.path(), &dir);
        Nested { outer, dir }
    }

    fn run(&self, args: &[&str]) -> Run {
        let out = lettermerge()
            .arg("-C")
            .arg(&self.dir)
            .current_dir(self.outer.path())
            .env_remove("LETTERMERGE_SMTP_PASSWORD")
            .args(args)
            .output()
            .expect("run lettermerge");
        Run::new(args, out)
    }

    fn append(&self, rel: &str, text: &str) {
        let path = self.dir.join(rel);
        let mut s = std::fs::read_to_string(&path).unwrap();
        s.push_str(text);
        std::fs::write(path, s).unwrap();
    }

    fn manifest(&self) -> String {
        std::fs::read_to_string(self.dir.join("lettermerge.toml")).unwrap()
    }

    /// Every file under the outer folder that is not inside the campaign (`except` aside).
    fn written_outside(&self, except: &[&Path]) -> Vec<PathBuf> {
        let mut all = Vec::new();
        files(self.outer.path(), &mut all);
        all.into_iter()
            .filter(|f| !f.starts_with(&self.dir) && !except.iter().any(|e| f.starts_with(e)))
            .collect()
    }
}

fn copy(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        if e.path().is_dir() {
            copy(&e.path(), &to.join(e.file_name()));
        } else {
            std::fs::copy(e.path(), to.join(e.file_name())).unwrap();
        }
    }
}

fn files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(rd) = std::fs::read_dir(dir) else {
        return;
    };
    for e in rd.flatten() {
        let p = e.path();
        if p.is_symlink() {
            continue;
        }
        if p.is_dir() {
            files(&p, out);
        } else {
            out.push(p);
        }
    }
}

const SECRET: &str = "id,password\nroot,hunter2-SECRET\n";

/// A secret table beside the campaign, in the outer folder.
fn secret_beside(n: &Nested) -> PathBuf {
    let path = n.outer.path().join("secret.csv");
    std::fs::write(&path, SECRET).unwrap();
    path
}

fn refused(run: &Run, place: &str) {
    let err = run.fails_with(1);
    assert!(err.contains(place), "`{place}` not named\n{run}");
    assert!(err.contains("outside the campaign folder"), "{run}");
    assert!(
        !run.all().contains("hunter2"),
        "a file outside the campaign was read out\n{run}"
    );
}

// ── Reading ──────────────────────────────────────────────────────────────────────────────────────────────────────

#[test]
fn a_table_path_that_climbs_out_is_refused_and_the_file_never_read() {
    let n = Nested::new();
    secret_beside(&n);
    n.append(
        "lettermerge.toml",
        "\n[tables]\nsecret = \"../../../secret.csv\"\n",
    );
    let line = line_of(&n.manifest(), "secret =");
    refused(&n.run(&["check"]), &format!("lettermerge.toml:{line}:"));
    refused(
        &n.run(&["render", "--format", "txt"]),
        &format!("lettermerge.toml:{line}:"),
    );
    assert!(!n.dir.join("out").exists());
}

#[test]
fn an_absolute_table_path_is_refused() {
    let c = campaign();
    c.append(
        "lettermerge.toml",
        "[tables]\npasswd = { path = \"/etc/passwd\", key = \"root\" }",
    );
    let line = line_of(&c.read("lettermerge.toml"), "passwd =");
    let run = c.check(&[]);
    refused(&run, &format!("lettermerge.toml:{line}:"));
    assert!(!run.all().contains("root:x:0"), "{run}");
}

#[cfg(unix)]
#[test]
fn a_table_through_a_symbolic_link_that_leads_outside_is_refused() {
    let n = Nested::new();
    let secret = secret_beside(&n);
    std::os::unix::fs::symlink(&secret, n.dir.join("recipients/orgs.csv")).unwrap();
    n.append(
        "lettermerge.toml",
        "\n[tables]\norgs = \"recipients/orgs.csv\"\n",
    );
    let line = line_of(&n.manifest(), "orgs =");
    let run = n.run(&["check"]);
    refused(&run, &format!("lettermerge.toml:{line}"));
    assert!(run.stderr.contains("symbolic link"), "{run}");
}

#[cfg(unix)]
#[test]
fn a_letter_template_linked_outside_is_refused() {
    let n = Nested::new();
    let outside = n.outer.path().join("letter.hbs");
    std::fs::write(&outside, "Dear {{name}}, hunter2\n").unwrap();
    std::fs::remove_file(n.dir.join("templates/letter.hbs")).unwrap();
    std::os::unix::fs::symlink(&outside, n.dir.join("templates/letter.hbs")).unwrap();
    let line = line_of(&n.manifest(), "template");
    refused(&n.run(&["check"]), &format!("lettermerge.toml:{line}"));
    refused(
        &n.run(&["render", "--format", "txt"]),
        "templates/letter.hbs",
    );
    assert!(!n.dir.join("out").exists());
}

#[cfg(unix)]
#[test]
fn a_partial_linked_outside_is_refused() {
    let n = Nested::new();
    let outside = n.outer.path().join("sig.hbs");
    std::fs::write(&outside, "hunter2\n").unwrap();
    std::fs::create_dir_all(n.dir.join("templates/partials")).unwrap();
    std::os::unix::fs::symlink(&outside, n.dir.join("templates/partials/sig.hbs")).unwrap();
    refused(&n.run(&["check"]), "templates/partials/sig.hbs");
}

#[cfg(unix)]
#[test]
fn a_partials_folder_that_links_to_itself_does_not_loop() {
    let c = campaign();
    c.write("templates/partials/sig.hbs", "Signed\n");
    std::os::unix::fs::symlink(
        c.path().join("templates/partials"),
        c.path().join("templates/partials/again"),
    )
    .unwrap();
    c.check(&[]).success();
}

#[test]
fn layout_and_fonts_paths_that_climb_out_are_refused_at_their_lines() {
    for (key, value) in [
        ("layout", "../layout.typ"),
        ("fonts", "../../fonts"),
        ("layout", "/etc/passwd"),
    ] {
        let c = campaign();
        c.append("lettermerge.toml", &format!("[pdf]\n{key} = \"{value}\""));
        let line = line_of(&c.read("lettermerge.toml"), &format!("{key} ="));
        refused(&c.check(&[]), &format!("lettermerge.toml:{line}:"));
    }
}

// ── Writing ──────────────────────────────────────────────────────────────────────────────────────────────────────

#[test]
fn a_variant_named_to_climb_out_is_refused_and_writes_nothing_outside() {
    let n = Nested::new();
    n.append("lettermerge.toml", "\n[variants.\"../../x\"]\n");
    let line = line_of(&n.manifest(), "../../x");
    let run = n.run(&["check"]);
    let err = run.fails_with(1);
    assert!(err.contains(&format!("lettermerge.toml:{line}:")), "{run}");
    assert!(err.contains("letters, digits, `-` and `_`"), "{run}");
    n.run(&["render", "--format", "txt"]).fails_with(1);
    n.run(&["send", "--yes"]).fails_with(1);
    n.run(&["send", "--yes", "--outbox", "box"]).fails_with(1);
    assert_eq!(n.written_outside(&[]), Vec::<PathBuf>::new());
    assert!(!n.dir.join("out").exists());
}

#[test]
fn a_variant_name_with_a_slash_is_refused_rather_than_nested() {
    let c = campaign();
    c.append("lettermerge.toml", "[variants.\"a/b\"]");
    let line = line_of(&c.read("lettermerge.toml"), "a/b");
    let run = c.check(&[]);
    assert!(
        run.fails_with(1)
            .contains(&format!("lettermerge.toml:{line}:")),
        "{run}"
    );
    c.render(&["--format", "txt"]).fails_with(1);
    assert!(!c.path().join("out").exists());
}

#[test]
fn an_output_dir_that_climbs_out_is_refused_and_nothing_is_written() {
    let n = Nested::new();
    n.append("lettermerge.toml", "\n[output]\ndir = \"../../letters\"\n");
    let line = line_of(&n.manifest(), "dir =");
    refused(&n.run(&["check"]), &format!("lettermerge.toml:{line}:"));
    refused(
        &n.run(&["render", "--format", "txt"]),
        &format!("lettermerge.toml:{line}:"),
    );
    n.run(&["send", "--yes"]).fails_with(1);
    n.run(&["proof"]).fails_with(1);
    assert_eq!(n.written_outside(&[]), Vec::<PathBuf>::new());
}

#[cfg(unix)]
#[test]
fn an_output_folder_linked_outside_is_refused_by_render_send_and_proof() {
    let n = Nested::new();
    let elsewhere = n.outer.path().join("elsewhere");
    std::fs::create_dir_all(&elsewhere).unwrap();
    std::os::unix::fs::symlink(&elsewhere, n.dir.join("out")).unwrap();
    for args in [
        &["check"][..],
        &["render", "--format", "txt", "--date", DATE][..],
        &["send", "--yes"][..],
        &["proof"][..],
    ] {
        let run = n.run(args);
        let err = run.fails_with(1);
        assert!(err.contains("symbolic link"), "{run}");
    }
    assert_eq!(
        std::fs::read_dir(&elsewhere).unwrap().count(),
        0,
        "written through the link"
    );
}

#[test]
fn out_and_outbox_on_the_command_line_go_where_the_user_said() {
    let n = Nested::new();
    let mine = n.outer.path().join("mine");
    let run = n.run(&[
        "render",
        "--format",
        "txt",
        "--date",
        DATE,
        "--out",
        &mine.to_string_lossy(),
    ]);
    let run = run.success();
    assert!(mine.join("default/ana.txt").exists(), "{run}");
    let outbox = n.outer.path().join("outbox");
    let run = n.run(&["send", "--yes", "--outbox", &outbox.to_string_lossy()]);
    let run = run.success();
    assert!(outbox.join("default/ana.eml").exists(), "{run}");
    assert_eq!(n.written_outside(&[&mine, &outbox]), Vec::<PathBuf>::new());
}

#[cfg(unix)]
#[test]
fn a_default_table_linked_outside_is_named_by_its_path() {
    let outer = Campaign::empty();
    std::fs::write(outer.path().join("secret.csv"), SECRET).unwrap();
    let c = Campaign::small("", "Dear {{id}},\n", "id", &["x"]);
    std::fs::remove_file(c.file("recipients/officials.csv")).unwrap();
    std::os::unix::fs::symlink(
        outer.path().join("secret.csv"),
        c.file("recipients/officials.csv"),
    )
    .unwrap();
    let run = c.check(&[]);
    refused(&run, "recipients/officials.csv:");
    assert!(run.stderr.contains("symbolic link"), "{run}");
}
