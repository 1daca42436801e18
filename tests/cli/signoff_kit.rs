//! Sign-off helpers shared by tests/signoff.rs and tests/proof.rs: reading the proof page, a late sign-on.

use scraper::{ElementRef, Html, Selector};

use crate::harness::Campaign;

/// The date a test approves on, before the letters' own date moves.
pub const OLD_DATE: &str = "2018-07-11";

pub fn sel(css: &str) -> Selector {
    Selector::parse(css).unwrap_or_else(|e| panic!("selector {css}: {e}"))
}

pub fn text_of(e: ElementRef) -> String {
    e.text().collect::<String>()
}

/// The text of every element matching `css`, in document order.
pub fn texts(doc: &Html, css: &str) -> Vec<String> {
    doc.select(&sel(css)).map(text_of).collect()
}

/// Runs `proof` (with ARGS) and parses out/proof.html.
pub fn proof(c: &Campaign, args: &[&str]) -> Html {
    let mut a = vec!["proof"];
    a.extend_from_slice(args);
    c.ok(&a);
    Html::parse_document(&c.read("out/proof.html"))
}

/// A signed organization that joins after approval; sorts between Border Rights Network and Centro Prodh.
pub const LATE_KEY: &str = "cafe";
pub const LATE_ORG: &str = "Café Legal Collective";

pub fn late_sign_on(c: &Campaign) {
    c.append(
        "recipients/organizations.csv",
        &format!("{LATE_KEY},{LATE_ORG},Colectivo Legal Café,Carla Fé,cf@cafe.example,signed,US,"),
    );
}

/// Sets every variant's text-approval `date` in approvals.toml (not `list_date`).
pub fn set_approval_dates(c: &Campaign, date: &str) {
    let text = c.read("approvals.toml");
    let mut n = 0;
    let edited: Vec<String> = text
        .lines()
        .map(|l| {
            if l.starts_with("date = ") {
                n += 1;
                format!("date = \"{date}\"")
            } else {
                l.to_string()
            }
        })
        .collect();
    assert_eq!(n, 5, "one `date` per variant:\n{text}");
    c.write("approvals.toml", &(edited.join("\n") + "\n"));
}

/// The `date = "…"` values in approvals.toml, in file order.
pub fn approval_dates(c: &Campaign) -> Vec<String> {
    c.read("approvals.toml")
        .lines()
        .filter_map(|l| l.strip_prefix("date = "))
        .map(|v| v.trim_matches('"').to_string())
        .collect()
}
