//! Issue 10, "Loss" and the layout's `letter` function: a word longer than the line breaks in the PDF — every
//! character is there, read back by pdf-extract and by pdftotext — and a layout that cannot typeset letters stops
//! `check` and `render` before any letter.

use std::process::Command;

use crate::harness::{interop_tool, tool_stdout, Campaign};

const TEMPLATE: &str = "Dear {{name}},\n\nSee {{word}} today.\n\nSincerely,\nThe coalition\n";

/// One letter whose `word` cell is `word`; no `Z` anywhere else in it.
fn letter_with(word: &str) -> Campaign {
    Campaign::small(
        "[output]\nformats = [\"pdf\"]\n",
        TEMPLATE,
        "id,name,word",
        &[&format!("ana,Ana Perez,{word}")],
    )
}

fn extracted(c: &Campaign) -> String {
    pdf_extract::extract_text_from_mem(&c.read_bytes("out/default/ana.pdf"))
        .expect("the PDF reads back")
}

fn pdftotext(c: &Campaign) -> Option<String> {
    if !interop_tool("pdftotext") {
        return None;
    }
    let path = c.path().join("out/default/ana.pdf");
    // -raw: in reading order, without joining a word that ends a line in `-` to the next (a link broken after one).
    Some(tool_stdout(
        Command::new("pdftotext")
            .args(["-raw", "-enc", "UTF-8"])
            .arg(&path)
            .arg("-"),
    ))
}

/// The characters of `text` other than white space and zero-width break opportunities.
fn visible(text: &str) -> String {
    text.chars()
        .filter(|c| !c.is_whitespace() && *c != '\u{200B}')
        .collect()
}

#[test]
fn a_word_of_1000_letters_breaks_and_every_letter_is_in_the_pdf() {
    let word = "Z".repeat(1000);
    let c = letter_with(&word);
    c.render(&[]).success();
    for (reader, text) in [
        ("pdf-extract", Some(extracted(&c))),
        ("pdftotext", pdftotext(&c)),
    ] {
        let Some(text) = text else { continue };
        assert_eq!(
            text.matches('Z').count(),
            1000,
            "{reader} reads {} of the 1000 letters:\n{text}",
            text.matches('Z').count()
        );
        assert!(
            visible(&text).contains(&visible(&format!("See {word} today."))),
            "{reader}:\n{text}"
        );
        // Broken over lines: no line holds all of it.
        assert!(
            text.lines().all(|l| l.matches('Z').count() < 1000),
            "{reader}:\n{text}"
        );
    }
}

#[test]
fn a_long_link_without_spaces_keeps_every_character() {
    let url = format!(
        "https://example.org/reports?q={}&id=42",
        "mexicohumanrights".repeat(20)
    );
    let c = letter_with(&url);
    c.render(&[]).success();
    for (reader, text) in [
        ("pdf-extract", Some(extracted(&c))),
        ("pdftotext", pdftotext(&c)),
    ] {
        let Some(text) = text else { continue };
        assert!(
            visible(&text).contains(&visible(&url)),
            "{reader} lost part of the link:\n{text}"
        );
    }
}

#[test]
fn words_that_fit_are_not_broken() {
    let c = letter_with("internationalization");
    c.render(&[]).success();
    let text = extracted(&c);
    assert!(text.contains("See internationalization today."), "{text}");
}

#[test]
fn text_the_layout_cannot_fit_fails_the_letter_instead_of_losing_it() {
    let c = letter_with("short");
    c.append(
        "lettermerge.toml",
        &format!("[vars]\ncoalition_name = \"{}\"", "W".repeat(400)),
    );
    let run = c.render(&[]);
    let err = run.fails_with(1);
    assert!(err.contains("default/ana"), "{run}");
    assert!(err.contains("runs off the page"), "{run}");
    assert!(!c.path().join("out/default/ana.pdf").exists(), "{run}");
    // `check` typesets a variant's first letter, so it does not call this campaign ready.
    let run = c.check(&[]);
    assert!(run.fails_with(1).contains("runs off the page"), "{run}");
}

/// README, "check": when `check` finds no error, `render` and `send` go ahead. A layout that reads a file the campaign
/// lacks fails only when a letter is typeset, so `check` typesets the first letter of each variant that makes a PDF.
#[test]
fn a_layout_reading_a_missing_image_fails_check_not_the_day_of_sending() {
    let c = letter_with("short");
    c.write(
        "templates/layout.typ",
        "#let letter(inputs, body) = {\n  image(\"/assets/logo.png\", height: 0.5in)\n  body\n}\n",
    );
    let run = c.check(&[]);
    let err = run.fails_with(1);
    assert!(err.contains("templates/layout.typ:2"), "{run}");
    assert!(err.contains("assets/logo.png"), "{run}");
    assert!(!run.stdout().contains("The campaign is ready"), "{run}");
    c.write("templates/layout.typ", "#let letter(inputs, body) = body\n");
    c.check(&[]).success();
}

#[test]
fn a_layout_without_a_letter_function_is_refused_by_check_and_render() {
    let c = letter_with("short");
    c.write("templates/layout.typ", "#let lettre(inputs, body) = body\n");
    let run = c.check(&[]);
    let err = run.fails_with(1);
    assert!(err.contains("templates/layout.typ"), "{run}");
    assert!(err.contains("#let letter(inputs, body)"), "{run}");
    let run = c.render(&[]);
    assert!(run.fails_with(1).contains("templates/layout.typ"), "{run}");
    assert!(c.all_out_files().is_empty(), "{run}");
    // With the function, both go ahead.
    c.write("templates/layout.typ", "#let letter(inputs, body) = body\n");
    c.check(&[]).success();
    c.render(&[]).success();
}

#[test]
fn a_layout_whose_letter_is_not_a_function_is_refused() {
    let c = letter_with("short");
    c.write("templates/layout.typ", "#let letter = [A letter]\n");
    let run = c.check(&[]);
    assert!(run.fails_with(1).contains("must be a function"), "{run}");
}

#[cfg(unix)]
#[test]
fn a_font_linked_from_outside_the_campaign_is_refused_not_read() {
    let outer = Campaign::empty();
    std::fs::write(outer.path().join("secret.ttf"), "hunter2").unwrap();
    let c = letter_with("short");
    std::fs::create_dir_all(c.file("fonts")).unwrap();
    std::os::unix::fs::symlink(outer.path().join("secret.ttf"), c.file("fonts/evil.ttf")).unwrap();
    let run = c.render(&[]);
    let err = run.fails_with(1);
    assert!(err.contains("fonts/evil.ttf"), "{run}");
    assert!(err.contains("outside the campaign folder"), "{run}");
    c.check(&[]).fails_with(1);
}
