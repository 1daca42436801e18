//! The `md` format is Markdown that pandoc converts as it is (README, "Formats"): its metadata block gives the title,
//! the letter's line breaks stay line breaks, and values stay literal. Needs `pandoc` (Debian package); skipped without
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

// ── The md file is for people too ────────────────────────────────────────────────────────────────────────────────

/// Every example letter in Markdown, as (file, text).
fn example_md() -> Vec<(String, String)> {
    let c = Campaign::example();
    c.render(&["--format", "md"]).success();
    c.all_out_files()
        .into_iter()
        .map(|f| {
            let text = c.read(&format!("out/{f}"));
            (f, text)
        })
        .collect()
}

#[test]
fn the_md_files_have_no_backslash_before_a_period_or_a_hyphen_after_a_word() {
    for (f, md) in example_md() {
        let chars: Vec<char> = md.chars().collect();
        for w in chars.windows(3) {
            assert!(
                !(w[0].is_alphanumeric()
                    && w[1] == '\\'
                    && matches!(w[2], '.' | '-' | '(' | ')' | '!')),
                "{f}: `{}{}{}` in:\n{md}",
                w[0],
                w[1],
                w[2]
            );
        }
        if f == "coalition/sos.md" {
            for written in [
                "U.S. Department of State",
                "Burgi-Palomino",
                "(WOLA)",
                "Advocacy & Litigation",
            ] {
                assert!(md.contains(written), "`{written}` not as written:\n{md}");
            }
        }
    }
}

#[test]
fn the_md_files_have_no_html_and_mark_columns_as_pandoc_divs() {
    for (f, md) in example_md() {
        assert!(!md.contains("<div"), "{f}:\n{md}");
        assert!(!md.contains("</div"), "{f}:\n{md}");
        assert!(!md.contains("<!--"), "{f}:\n{md}");
        if f == "coalition/sos.md" {
            assert_eq!(md.matches("\n::: columns\n").count(), 2, "{md}");
            assert_eq!(md.matches("\n:::\n").count(), 2, "{md}");
        }
    }
}

#[test]
fn pandoc_sets_the_signature_block_in_a_columns_div() {
    if !interop_tool("pandoc") {
        return;
    }
    let html = sos_through_pandoc(&[]);
    let at = html
        .find("<div class=\"columns\">")
        .unwrap_or_else(|| panic!("no columns div:\n{html}"));
    let block = &html[at..at + html[at..].find("</div>").expect("the div closes")];
    assert!(
        block.contains("Washington Office on Latin America (WOLA)"),
        "{block}"
    );
    assert!(block.contains("Maureen Meyer, Director"), "{block}");
}
