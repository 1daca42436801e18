//! PDFs over a whole run: every letter of a batch is a PDF a reader opens; `send --dry-run` typesets only the message
//! it shows (and the letters it must compare with the journal); `check` typesets only the letters a page limit
//! measures, and compiles the layout once.
//!
//! "Not typeset" is shown with a layout that fails for one letter: a command that typeset that letter would fail.

use crate::harness::{Campaign, DATE};
use crate::sendkit::*;
use crate::smtp_server::{Options, TestServer};

/// A layout that stops the run when it typesets `id`'s letter, and prints every other one.
fn layout_failing_for(id: &str) -> String {
    format!(
        "#let letter(inputs, body) = {{\n  assert(inputs.at(\"letter_id\", default: \"\") != \"{id}\", message: \"typeset {id}\")\n  body\n}}\n"
    )
}

/// The three standard letters, each attaching its PDF; rubio's cannot be typeset.
fn three_with_pdfs(server: &TestServer) -> Campaign {
    let c = three(server);
    c.edit(
        "templates/letter.hbs",
        "subject:",
        "attach_pdf: true\nsubject:",
    );
    c.write("templates/layout.typ", layout_failing_for("default/rubio"));
    c
}

#[test]
fn send_dry_run_typesets_only_the_pdf_of_the_message_it_shows() {
    let server = TestServer::start(Options::default());
    let c = three_with_pdfs(&server);
    // Typesetting rubio's letter fails: render says so.
    let render = c.render(&["--format", "pdf"]);
    assert!(
        render.fails_with(1).contains("typeset default/rubio"),
        "{render}"
    );

    let run = send(&c, &["--dry-run"]).success();
    let out = run.stdout();
    assert!(out.contains("To send: 3 letters"), "{run}");
    assert!(
        out.contains("The first message (default/sos), as it would be sent:"),
        "{run}"
    );
    assert!(
        out.contains("(application/pdf, "),
        "its PDF, typeset\n{run}"
    );
    assert!(
        out.contains("The other letters' PDFs are typeset as they are sent"),
        "{run}"
    );
    assert!(!run.stderr().contains("typeset default/rubio"), "{run}");
    assert!(server.received().is_empty());
}

#[test]
fn send_dry_run_typesets_the_letters_the_journal_knows_to_compare_them() {
    let server = TestServer::start(Options::default());
    let c = three_with_pdfs(&server);
    send(&c, &["--yes", "--only", "sos"]).success();
    let run = send(&c, &["--dry-run"]).success();
    let out = run.stdout();
    // sos was typeset again, and its message is the one sent: not changed.
    assert!(out.contains("Already sent, skipped: 1"), "{run}");
    assert!(!out.contains("Changed since it was sent"), "{run}");
    assert!(out.contains("The first message (default/epn)"), "{run}");

    // Once rubio is in the journal too, its PDF must be typeset to compare: the dry run says it cannot be.
    c.write("templates/layout.typ", layout_failing_for("nobody"));
    send(&c, &["--yes"]).success();
    c.write("templates/layout.typ", layout_failing_for("default/rubio"));
    let run = send(&c, &["--dry-run"]);
    assert!(run.fails_with(1).contains("typeset default/rubio"), "{run}");
}

/// The campaign of the limits tests' shape: sos by email, castro by web form.
fn channels(limits: &str) -> Campaign {
    const COLUMNS: &str =
        "id,title,first_name,last_name,gender,email,channel,topic,issues,contact_form";
    const SOS_ROW: &str = "sos,Secretary of State,Mike,Pompeo,male,secretary@state.example,email,the rule of law,impunity,";
    const CASTRO: &str = "castro,Representative,Joaquin,Castro,male,,webform,migrants,torture,https://castro.house.gov/contact";
    let c = Campaign::small(&manifest(limits, ""), TEMPLATE, COLUMNS, &[SOS_ROW, CASTRO]);
    c.write("recipients/organizations.csv", ORGANIZATIONS);
    c.write("recipients/issues.csv", ISSUES);
    c
}

#[test]
fn check_typesets_only_the_letters_whose_channel_limits_pages() {
    let c = channels("[channels.webform]\nmax_pages = 1\n");
    // The email letter has no page limit: check never typesets it.
    c.write("templates/layout.typ", layout_failing_for("default/sos"));
    let run = c.check(&["--date", DATE]).success();
    assert!(!run.stderr().contains("typeset default/sos"), "{run}");
    // The web form letter's is typeset, and measured.
    c.write("templates/layout.typ", layout_failing_for("default/castro"));
    let run = c.check(&["--date", DATE]);
    assert!(
        run.fails_with(1).contains("typeset default/castro"),
        "{run}"
    );
}

#[test]
fn check_reports_a_broken_layout_once_for_the_formats_and_the_page_limits() {
    let c = channels(
        "[channels.webform]\nmax_pages = 1\nmax_bytes = 100000\n[output]\nformats = [\"pdf\"]\n",
    );
    c.write("templates/layout.typ", "#let letter(inputs, body) = {\n");
    let run = c.check(&[]);
    let stderr = run.fails_with(1);
    let layout_errors = stderr
        .lines()
        .filter(|l| l.starts_with("error: templates/layout.typ"))
        .count();
    assert_eq!(layout_errors, 1, "{run}");
}

#[test]
fn every_letter_of_a_fifty_letter_run_is_a_pdf_that_reads_back() {
    let rows: Vec<String> = (0..50)
        .map(|i| format!("m{i:02},Member {i},{i} Longworth House Office Building"))
        .collect();
    let rows: Vec<&str> = rows.iter().map(String::as_str).collect();
    let c = Campaign::small(
        "[vars]\ncoalition_name = \"Mexico Human Rights Coalition\"\n",
        "---\nsubject: 'Human rights in Mexico'\n---\n{{date today}}\n\n{{name}}\n{{office}}\nWashington, DC 20515\n\n\
         Dear {{name}},\n\nWe write to you about impunity in Mexico, where fewer than four percent of investigations \
         end in a conviction.\n\nSincerely,\n\nWashington Office on Latin America\n",
        "id,name,office",
        &rows,
    );
    c.render(&["--format", "pdf"]).success();
    for i in 0..50 {
        let bytes = c.read_bytes(&format!("out/default/m{i:02}.pdf"));
        assert!(bytes.starts_with(b"%PDF-"), "m{i:02}");
        let text = pdf_extract::extract_text_from_mem(&bytes)
            .unwrap_or_else(|e| panic!("m{i:02}.pdf does not read back: {e}"));
        let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
        for expected in [
            format!("Dear Member {i},"),
            format!("{i} Longworth House Office Building"),
            "July 11, 2018".to_string(),
            "Washington Office on Latin America".to_string(),
        ] {
            assert!(text.contains(&expected), "m{i:02}: {expected:?} in\n{text}");
        }
    }
}
