//! The `md` format is Markdown that pandoc converts as it is (SPEC §6): its metadata block gives the title, the
//! letter's line breaks stay line breaks, and values stay literal. Needs `pandoc` (Debian package); skipped without
//! it unless `LETTERMERGE_INTEROP=require`.

use crate::harness::{interop_tool, Campaign};

/// The Secretary of State's letter in Markdown, converted by pandoc to HTML with ARGS added.
fn sos_through_pandoc(extra: &[&str]) -> String {
    let c = Campaign::example();
    c.render(&["--format", "md", "--only", "coalition/sos"])
        .success();
    let mut args = vec!["-f", "markdown", "-t", "html"];
    args.extend_from_slice(extra);
    pandoc(&args, &c.path().join("out/coalition/sos.md"))
}

fn pandoc(args: &[&str], file: &std::path::Path) -> String {
    crate::harness::tool_stdout(std::process::Command::new("pandoc").args(args).arg(file))
}

#[test]
fn pandoc_converts_every_example_letter() {
    if !interop_tool("pandoc") {
        return;
    }
    let c = Campaign::example();
    c.render(&["--format", "md"]).success();
    let files = c.all_out_files();
    assert_eq!(files.len(), 18);
    for f in files {
        let html = pandoc(
            &["-f", "markdown", "-t", "html"],
            &c.path().join("out").join(&f),
        );
        assert!(html.contains("<p>"), "{f}: {html}");
    }
}

#[test]
fn pandoc_takes_the_title_from_the_metadata_block() {
    if !interop_tool("pandoc") {
        return;
    }
    let html = sos_through_pandoc(&["-s"]);
    assert!(
        html.contains("<title>Human rights in Mexico on the occasion of the U.S. delegation’s July 13 visit to Mexico City</title>")
            || html.contains("<title>Human rights in Mexico on the occasion of the U.S. delegation's July 13 visit to Mexico City</title>"),
        "{html}"
    );
    assert!(html.contains("lang=\"en\""), "{html}");
}

#[test]
fn pandoc_keeps_the_address_lines_separate() {
    if !interop_tool("pandoc") {
        return;
    }
    let html = sos_through_pandoc(&[]);
    for line in [
        "The Honorable Mike Pompeo<br />",
        "Secretary of State<br />",
        "U.S. Department of State<br />",
        "2201 C Street NW<br />",
    ] {
        assert!(html.contains(line), "`{line}` missing:\n{html}");
    }
    assert!(html.contains("Washington, DC 20520</p>"), "{html}");
}

#[test]
fn pandoc_keeps_the_date_and_salutation_as_their_own_paragraphs() {
    if !interop_tool("pandoc") {
        return;
    }
    let html = sos_through_pandoc(&[]);
    assert!(html.contains("<p>July 11, 2018</p>"), "{html}");
    assert!(html.contains("<p>Dear Secretary Pompeo,</p>"), "{html}");
}
