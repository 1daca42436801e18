//! A public copy (`recipients = false`) is never an email: `render` writes its other formats and says once why it
//! wrote no `.eml`, `preview --format eml` refuses it, and `send` never considers it (issue 11).

use crate::coalition::*;

#[test]
fn render_eml_writes_every_letter_but_the_public_copy_and_says_why_once() {
    let c = Campaign::coalition();
    let run = c.ok(&["render", "--format", "eml,txt", "--date", DATE]);
    assert_eq!(
        c.out_files("public"),
        ["human-rights-in-mexico.txt"],
        "{run}"
    );
    assert!(
        c.out_files("coalition").contains(&"sos.eml".to_string()),
        "{run}"
    );
    assert!(
        c.out_files("each").contains(&"sos-wola.eml".to_string()),
        "{run}"
    );
    let notes: Vec<&str> = run
        .stderr
        .lines()
        .filter(|l| l.contains("public"))
        .collect();
    assert_eq!(notes.len(), 1, "{run}");
    assert!(
        notes[0].contains("no .eml") && notes[0].contains("never an email"),
        "{run}"
    );
    assert!(!run.stderr.contains("error"), "{run}");
}

#[test]
fn render_eml_of_the_public_copy_alone_writes_nothing_and_succeeds() {
    let c = Campaign::coalition();
    let run = c.ok(&[
        "render",
        "--format",
        "eml",
        "--variant",
        "public",
        "--date",
        DATE,
    ]);
    assert!(c.out_files("public").is_empty(), "{run}");
    assert!(run.stderr.contains("never an email"), "{run}");
}

#[test]
fn quiet_render_leaves_the_note_out() {
    let c = Campaign::coalition();
    let run = c.ok(&["render", "-q", "--format", "eml", "--date", DATE]);
    assert_eq!(run.stderr, "", "{run}");
    assert_eq!(run.stdout, "", "{run}");
}

#[test]
fn preview_eml_of_a_public_copy_is_a_usage_error() {
    let c = Campaign::coalition();
    let run = c.run(&["preview", "--format", "eml", "--variant", "public"]);
    let err = run.fails_with(2);
    assert!(
        err.contains("public copy") && err.contains("never an email"),
        "{run}"
    );
    assert!(err.contains("txt, md, html or pdf"), "{run}");
}

#[test]
fn send_never_considers_the_public_copy() {
    let c = Campaign::coalition();
    let run = c.ok(&["send", "--yes", "--outbox", "outbox", "--date", DATE]);
    let mut files = Vec::new();
    let mut dirs = vec![c.file("outbox")];
    while let Some(d) = dirs.pop() {
        for e in std::fs::read_dir(&d).expect("the outbox").flatten() {
            if e.path().is_dir() {
                dirs.push(e.path());
            } else {
                files.push(
                    e.path()
                        .strip_prefix(c.file("outbox"))
                        .unwrap()
                        .display()
                        .to_string(),
                );
            }
        }
    }
    assert!(!files.is_empty(), "{run}");
    assert!(
        files
            .iter()
            .all(|f| !f.contains("public") && !f.contains("human-rights")),
        "{files:?}"
    );
    assert!(!run.stdout.contains("public/"), "{run}");
}

/// The bundled example attaches each letter as a PDF, so its emails need the PDF engine.
#[cfg(feature = "pdf")]
#[test]
fn render_eml_on_the_bundled_example_exits_0_and_writes_no_eml_for_the_public_copy() {
    let c = Campaign::example();
    let run = c.render(&["--format", "eml"]).success();
    let files = c.all_out_files();
    assert!(files.iter().all(|f| !f.starts_with("public/")), "{files:?}");
    // 18 letters: not the public copy, nor the three that go by web form (castro ×2) or by hand (amlo).
    assert_eq!(
        files.len(),
        14,
        "every email letter but the public copy: {files:?}"
    );
    assert!(
        files.contains(&"coalition/sos.eml".to_string()),
        "{files:?}"
    );
    assert!(run.stderr.contains("no .eml for public"), "{run}");
}

/// A public copy is never sent: a sender added to `[smtp]` after approval is not part of its text, and a change to
/// its own text keeps it from being published without holding back the letters `send` would send.
#[test]
fn the_public_copy_neither_takes_a_sender_nor_holds_back_the_letters() {
    let c = Campaign::coalition();
    c.append("lettermerge.toml", "[signoff]\nrequired = true\n");
    c.ok(&["approve", "--by", "Ana, WOLA"]);
    c.append(
        "lettermerge.toml",
        "[smtp]\nhost = \"127.0.0.1\"\nport = 2525\nsecurity = \"none\"\nfrom = \"Lucía <lucia@coalition.example>\"\n",
    );
    let run = c.check(&[]);
    assert!(!run.stderr().contains("public"), "{run}");
    assert!(
        run.stdout()
            .contains("variant `public`: a public copy, never sent\n"),
        "{run}"
    );
    c.edit(
        "templates/public.hbs",
        "# Human rights in Mexico",
        "# Human rights in Mexico, again",
    );
    let run = c.check(&[]);
    run.fails_with(1);
    assert!(
        run.stderr()
            .contains("variant `public` changed since its approval"),
        "{run}"
    );
    let out = run.stdout();
    assert!(out.contains("variant `coalition`: ready to send"), "{run}");
    assert!(out.contains("not ready to publish"), "{run}");
}

/// An office that one run would send letters of several variants is named before the question is asked; one
/// variant sent alone says nothing of the kind.
#[test]
fn send_names_the_offices_that_get_letters_of_several_variants() {
    let c = Campaign::coalition();
    let run = c.ok(&["send", "--dry-run", "--date", DATE]);
    let out = run.stdout();
    let note = out
        .lines()
        .find(|l| l.starts_with("Note: "))
        .unwrap_or_else(|| panic!("{run}"));
    assert!(
        note.contains("get letters of more than one variant"),
        "{note}"
    );
    assert!(note.contains("(coalition, us, each)"), "{note}");
    assert!(note.contains("--variant NAME"), "{note}");
    let one = c.ok(&[
        "send",
        "--dry-run",
        "--date",
        DATE,
        "--variant",
        "coalition",
    ]);
    assert!(!one.stdout().contains("more than one variant"), "{one}");
}
