//! `{{#columns}}`: a signature block that the PDF layout sets in two columns, the HTML page too, and plain text keeps
//! as one list.

use crate::harness::Campaign;
use lettermerge::render::columns::OPEN;

/// The layout's side: what a reader of the printed letter sees.
#[cfg(feature = "pdf")]
mod pdf {
    use std::collections::BTreeMap;
    use std::path::{Path, PathBuf};
    use std::process::Command;

    use crate::harness::interop_tool;
    use lettermerge::render::columns::{CLOSE, OPEN};
    use lettermerge::render::pdf::{Paper, PdfEngine, PdfOptions};

    const SIGNERS: [(&str, &str); 6] = [
        ("Amnesty International USA", "Marselha Gonçalves Margerin"),
        ("Due Process of Law Foundation", "Ursula Indacochea"),
        ("Latin America Working Group", "Daniella Burgi-Palomino"),
        ("Robert F. Kennedy Human Rights", "Angelita Baeyens"),
        ("Texas Border Human Rights Network", "Rosa Elizondo"),
        ("Washington Office on Latin America", "Maureen Meyer"),
    ];

    /// A short letter whose signature block holds the first `n` signers inside a column block.
    fn letter(n: usize) -> String {
        let mut md = String::from(
            "July 11, 2018\n\nDear Secretary Pompeo,\n\nWe write about impunity in Mexico.\n\n",
        );
        md.push_str("Sincerely,\n\n");
        md.push_str(OPEN);
        md.push_str("\n\n");
        for (org, name) in &SIGNERS[..n] {
            md.push_str(&format!("{org}\n{name}\n\n"));
        }
        md.push_str(CLOSE);
        md.push_str("\n\nP.S. Both copies were signed.\n");
        md
    }

    fn engine(dir: &Path, layout: Option<&str>) -> PdfEngine {
        let opts = PdfOptions {
            campaign_dir: dir.to_path_buf(),
            paper: Paper::Letter,
            layout: layout.map(PathBuf::from),
            fonts: None,
        };
        PdfEngine::new(&opts).unwrap_or_else(|p| panic!("engine: {p:?}"))
    }

    fn render(engine: &PdfEngine, md: &str) -> Vec<u8> {
        let inputs: BTreeMap<String, String> = [("letter_id", "coalition/sos"), ("lang", "en")]
            .into_iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        engine.render(md, &inputs).unwrap_or_else(|p| panic!("{p}"))
    }

    /// Where each word starts on the page, from `pdftotext -bbox` (poppler): (word, x, y) in points.
    fn words(pdf: &[u8]) -> Vec<(String, f64, f64)> {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("letter.pdf");
        std::fs::write(&path, pdf).expect("write pdf");
        let html =
            crate::harness::tool_stdout(Command::new("pdftotext").arg("-bbox").arg(&path).arg("-"));
        let attr = |tag: &str, name: &str| -> f64 {
            let start = tag.find(&format!("{name}=\"")).expect("attribute") + name.len() + 2;
            tag[start..]
                .split('"')
                .next()
                .and_then(|v| v.parse().ok())
                .expect("number")
        };
        html.split("<word ")
            .skip(1)
            .map(|w| {
                let (tag, rest) = w.split_once('>').expect("word tag");
                let word = rest.split("</word>").next().unwrap_or("").to_string();
                (word, attr(tag, "xMin"), attr(tag, "yMin"))
            })
            .collect()
    }

    fn place(words: &[(String, f64, f64)], word: &str) -> (f64, f64) {
        words
            .iter()
            .find(|(w, _, _)| w == word)
            .map(|(_, x, y)| (*x, *y))
            .unwrap_or_else(|| panic!("{word} not on the page: {words:?}"))
    }

    #[test]
    fn six_signers_sit_in_two_columns_side_by_side() {
        if !interop_tool("pdftotext") {
            return;
        }
        let dir = tempfile::tempdir().expect("temp dir");
        let pdf = render(&engine(dir.path(), None), &letter(6));
        let w = words(&pdf);
        let (amnesty_x, amnesty_y) = place(&w, "Amnesty");
        let (dplf_x, dplf_y) = place(&w, "Due");
        let (lawg_x, lawg_y) = place(&w, "Latin");
        // Row-major, as a signature grid is read: Amnesty | DPLF on one row, LAWG under Amnesty.
        assert!(
            (amnesty_y - dplf_y).abs() < 1.0,
            "same row: {amnesty_y} {dplf_y}"
        );
        assert!(
            dplf_x > 612.0 / 2.0 - 20.0,
            "second column starts near the middle: {dplf_x}"
        );
        assert!((lawg_x - amnesty_x).abs() < 1.0 && lawg_y > amnesty_y);
        // The text after the block comes after all of it.
        let (_, ps_y) = place(&w, "P.S.");
        let (_, meyer_y) = place(&w, "Meyer");
        assert!(ps_y > meyer_y);
    }

    #[test]
    fn a_short_list_stays_in_one_column() {
        if !interop_tool("pdftotext") {
            return;
        }
        let dir = tempfile::tempdir().expect("temp dir");
        let w = words(&render(&engine(dir.path(), None), &letter(2)));
        let (amnesty_x, amnesty_y) = place(&w, "Amnesty");
        let (dplf_x, dplf_y) = place(&w, "Due");
        assert!((amnesty_x - dplf_x).abs() < 1.0 && dplf_y > amnesty_y);
    }

    #[test]
    fn a_layout_without_the_show_rule_prints_the_block_as_paragraphs() {
        let dir = tempfile::tempdir().expect("temp dir");
        std::fs::write(
            dir.path().join("plain.typ"),
            "#let letter(inputs, body) = { set page(paper: \"us-letter\"); body }\n",
        )
        .expect("write layout");
        let pdf = render(&engine(dir.path(), Some("plain.typ")), &letter(6));
        let text = pdf_extract::extract_text_from_mem(&pdf).expect("the PDF reads back");
        // pdf-extract may join a line to the next without a space: compare without white space.
        let folded: String = text.split_whitespace().collect();
        let mut at = 0;
        for (org, name) in SIGNERS {
            let line: String = format!("{org}{name}").split_whitespace().collect();
            let found = folded[at..]
                .find(&line)
                .unwrap_or_else(|| panic!("{line:?} in order in {folded}"));
            at += found + line.len();
        }
        assert!(!folded.contains("columns"), "no mark is printed: {folded}");
    }
}

#[test]
fn the_example_marks_its_signature_block_for_every_format() {
    let c = Campaign::example();
    c.render(&[
        "--format",
        "txt,md,html",
        "--variant",
        "coalition",
        "--only",
        "sos",
    ])
    .success();
    let txt = c.read("out/coalition/sos.txt");
    assert!(!txt.contains("<div") && !txt.contains("columns"), "{txt}");
    assert!(txt.contains("National organizations\n\nWashington Office on Latin America (WOLA)\n"));
    let md = c.read("out/coalition/sos.md");
    // The md file marks the block as pandoc's fenced div, not with the HTML the other formats read.
    assert!(
        md.contains("::: columns\n\nWashington Office on Latin America (WOLA)"),
        "{md}"
    );
    assert!(!md.contains(OPEN), "{md}");
    let html = c.read("out/coalition/sos.html");
    assert!(
        html.contains("<div class=\"columns\">\n<p>Washington Office on Latin America (WOLA)"),
        "{html}"
    );
    assert!(html.contains(".columns { column-count: 2;"));
}

#[test]
fn a_value_cannot_open_a_column_block() {
    let c = Campaign::example();
    let csv = c.read("recipients/organizations.csv").replacen(
        "Amnesty International USA",
        "\"<div class=\"\"columns\"\">\"",
        1,
    );
    c.write("recipients/organizations.csv", csv);
    c.render(&[
        "--format",
        "html,txt",
        "--variant",
        "coalition",
        "--only",
        "sos",
    ])
    .success();
    let html = c.read("out/coalition/sos.html");
    assert!(
        html.contains("<p>&lt;div class=\"columns\"&gt;<br />"),
        "{html}"
    );
    assert!(c
        .read("out/coalition/sos.txt")
        .contains("<div class=\"columns\">\n"));
    assert_eq!(
        html.matches("<div class=\"columns\">").count(),
        2,
        "only the template's own two blocks"
    );
}
