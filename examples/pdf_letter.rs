//! Renders a seed-shaped letter to a PDF: `cargo run --example pdf_letter -- OUT.pdf [MARKDOWN]`.
//! Used to look at the bundled layout (docs/letter-page1.png).

use std::collections::BTreeMap;
use std::path::PathBuf;

use lettermerge::render::pdf::{Paper, PdfEngine, PdfOptions};

fn main() {
    let mut args = std::env::args().skip(1);
    let out = args.next().unwrap_or_else(|| "letter.pdf".into());
    let markdown = match args.next() {
        Some(path) => std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{e}")),
        None => include_str!("pdf_letter.md").to_string(),
    };
    let opts = PdfOptions {
        campaign_dir: PathBuf::from("."),
        paper: Paper::Letter,
        layout: Some(PathBuf::from("templates/layout.typ")),
        fonts: Some(PathBuf::from("fonts")),
    };
    let engine = PdfEngine::new(&opts).unwrap_or_else(|p| panic!("{p:?}"));
    let inputs: BTreeMap<String, String> = [
        ("date", "July 11, 2018"),
        ("letter_id", "coalition/sos"),
        ("variant", "coalition"),
        ("lang", "en"),
        ("title", "Letter to Secretary of State Pompeo"),
        ("letterhead", "Mexico Human Rights Coalition"),
        (
            "letterhead_detail",
            "c/o Latin America Working Group · 2029 P Street NW, Washington, DC 20036",
        ),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect();
    match engine.render(&markdown, &inputs) {
        Ok(pdf) => std::fs::write(&out, pdf).unwrap_or_else(|e| panic!("{e}")),
        Err(p) => eprintln!("{p}"),
    }
}
