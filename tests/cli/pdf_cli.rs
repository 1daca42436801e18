//! PDF through the command line on the example campaign: `render --format pdf`, `--combine`, and the email that
//! carries the letter as an attached PDF under a cover note.

use std::process::Command;

use crate::harness::{interop_tool, Campaign};
use mail_parser::MimeHeaders;

fn pdf_text(bytes: &[u8]) -> String {
    pdf_extract::extract_text_from_mem(bytes).expect("the PDF reads back")
}

/// Text extraction may break lines differently from the source: compare with runs of white space folded.
fn folded(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[test]
fn the_secretary_of_states_pdf_reads_like_the_letter() {
    let c = Campaign::example();
    c.render(&["--format", "pdf", "--variant", "coalition", "--only", "sos"])
        .success();
    let text = folded(&pdf_text(&c.read_bytes("out/coalition/sos.pdf")));
    for expected in [
        "July 11, 2018",
        "The Honorable Mike Pompeo",
        "2201 C Street NW",
        "Washington, DC 20520",
        "Dear Secretary Pompeo,",
        "Peña Nieto",
        "López Obrador",
        "Washington Office on Latin America (WOLA)",
        "Marselha Gonçalves Margerin",
        "Robert F. Kennedy Human Rights",
    ] {
        assert!(
            text.contains(expected),
            "{expected:?} missing from the PDF text:\n{text}"
        );
    }
    assert!(
        !text.contains("Interfaith Alliance"),
        "a pending organization signed the PDF"
    );
}

#[test]
fn pdffonts_shows_every_font_embedded_and_the_page_is_us_letter() {
    let c = Campaign::example();
    c.render(&["--format", "pdf", "--variant", "coalition", "--only", "sos"])
        .success();
    let path = c.path().join("out/coalition/sos.pdf");
    if interop_tool("pdffonts") {
        let out = Command::new("pdffonts").arg(&path).output().unwrap();
        let table = String::from_utf8_lossy(&out.stdout).to_string();
        let fonts: Vec<&str> = table.lines().skip(2).collect();
        assert!(!fonts.is_empty(), "{table}");
        for line in fonts {
            let cols: Vec<&str> = line.split_whitespace().collect();
            // name type encoding emb sub uni object ID: the three yes/no columns end the line before the ID.
            let flags = &cols[cols.len() - 5..cols.len() - 2];
            assert_eq!(
                flags,
                ["yes", "yes", "yes"],
                "font not embedded and subset: {line}"
            );
        }
    }
    if interop_tool("pdfinfo") {
        let out = Command::new("pdfinfo").arg(&path).output().unwrap();
        let info = String::from_utf8_lossy(&out.stdout).to_string();
        assert!(info.contains("612 x 792 pts"), "{info}");
    }
}

#[test]
fn combine_writes_one_pdf_per_variant_with_every_letter() {
    let c = Campaign::example();
    c.render(&["--format", "pdf", "--variant", "coalition", "--combine"])
        .success();
    let text = folded(&pdf_text(&c.read_bytes("out/coalition.pdf")));
    for name in [
        "Dear Secretary Pompeo",
        "Dear Senator Rubio",
        "Dear Representative Castro",
        "Ranking Member Menendez",
    ] {
        assert!(
            text.contains(name),
            "{name:?} missing from the combined PDF"
        );
    }
    // A part of the letters would replace the whole PDF: refused.
    let run = c.run(&[
        "render",
        "--format",
        "pdf",
        "--combine",
        "--only",
        "coalition/sos",
    ]);
    assert!(
        run.fails_with(2).contains("cannot be used with --only"),
        "{run}"
    );
    // A letter that fails leaves no combined PDF that looks whole (nor the older one).
    c.edit(
        "recipients/officials.csv",
        "senator@rubio.senate.example,US,en,impunity;defenders;rule_of_law",
        "senator@rubio.senate.example,US,en,impunity;defendrs;rule_of_law",
    );
    let run = c.run(&[
        "render",
        "--format",
        "pdf",
        "--variant",
        "coalition",
        "--combine",
    ]);
    let err = run.fails_with(1);
    assert!(err.contains("out/coalition.pdf not written"), "{run}");
    assert!(!c.file("out/coalition.pdf").exists(), "{run}");
}

#[test]
fn the_email_is_the_cover_note_with_the_letter_as_an_attached_pdf() {
    let c = Campaign::example();
    c.render(&["--format", "eml", "--variant", "coalition", "--only", "sos"])
        .success();
    let raw = c.read_bytes("out/coalition/sos.eml");
    let msg = mail_parser::MessageParser::default()
        .parse(&raw)
        .expect("the message parses");
    let text = msg.body_text(0).expect("a text part").to_string();
    let html = msg.body_html(0).expect("an html part").to_string();
    assert!(
        text.contains("Please find attached a letter"),
        "the text part is not the cover note:\n{text}"
    );
    assert!(
        !text.contains("Abuses by Mexico's security forces"),
        "the letter itself travels only as the PDF"
    );
    assert!(html.contains("<p>"), "{html}");
    let pdf = msg
        .attachments()
        .find(|a| {
            a.content_type()
                .is_some_and(|t| t.ctype() == "application" && t.subtype() == Some("pdf"))
        })
        .expect("an application/pdf part");
    assert_eq!(
        pdf.attachment_name(),
        Some("Human rights in Mexico on the occasion of the U.S.… - Secretary Pompeo (coalition).pdf")
    );
    let letter = folded(&pdf_text(pdf.contents()));
    assert!(letter.contains("Dear Secretary Pompeo,"), "{letter}");
    assert!(letter.contains("Abuses by Mexico"), "{letter}");
}

#[test]
fn a_broken_layout_names_its_line_and_column() {
    let c = Campaign::example();
    c.write(
        "templates/layout.typ",
        "#let letter(inputs, body) = {\n  body + oops\n}\n",
    );
    let err = c
        .render(&["--format", "pdf", "--variant", "coalition", "--only", "sos"])
        .fails_with(1);
    assert!(err.contains("templates/layout.typ:2:"), "{err}");
}

/// The layout sees the variant's vars as the letter does: a Spanish variant's own `coalition_name` is the letterhead
/// of its PDF, and the English letters keep the campaign's.
#[test]
fn a_variants_own_vars_reach_the_pdf_layout() {
    let c = Campaign::example();
    c.edit(
        "lettermerge.toml",
        "vars           = { lang = \"es\", ",
        "vars           = { coalition_name = \"Coalición por los Derechos Humanos en México\", lang = \"es\", ",
    );
    c.render(&[
        "--format",
        "pdf",
        "--variant",
        "es",
        "--variant",
        "coalition",
    ])
    .success();
    let es = folded(&pdf_text(&c.read_bytes("out/es/amlo.pdf"))).to_lowercase();
    assert!(
        es.contains("coalición por los derechos humanos en méxico"),
        "{es}"
    );
    let en = folded(&pdf_text(&c.read_bytes("out/coalition/sos.pdf"))).to_lowercase();
    assert!(en.contains("coalition for human rights in mexico"), "{en}");
    assert!(!en.contains("coalición"), "{en}");
}
