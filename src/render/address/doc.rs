//! docs/forms-of-address.md: every row of the table rendered — address line and salutation, usual and formal, for a
//! man and a woman, in English and Spanish, and for two holders in one letter — for people to review. The test
//! fails when the file differs from what the table gives; `LETTERMERGE_BLESS=1 cargo test forms_doc` rewrites it.

use std::fmt::Write as _;

use super::table::{table, Country, Office};
use super::{addressee, salutation, Person, Style};

const DOC: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/docs/forms-of-address.md");

/// The example holders of an office as rows: a man and a woman.
pub(super) fn holders(office: &Office) -> [Person<'_>; 2] {
    let country = match office.country {
        Country::Us => "US",
        Country::Mx => "MX",
        Country::Intl => "",
        Country::Foreign => "GT",
    };
    let title = office.names[0].as_str();
    let person = |i: usize, gender: &'static str| Person {
        title: office
            .feminine
            .first()
            .filter(|_| i == 1)
            .map_or(title, String::as_str),
        first_name: &office.example[i][0],
        last_name: &office.example[i][1],
        gender,
        country,
        chamber: "Senate Committee on Foreign Relations",
        ..Person::default()
    };
    // An office named only in the feminine ("Chairwoman") has no man to show.
    let all_feminine = office.names.iter().all(|n| office.feminine.contains(n));
    [
        person(0, if all_feminine { "female" } else { "male" }),
        person(1, "female"),
    ]
}

/// One office's rows of the document, as (what, English, Spanish).
pub(super) fn rendered(office: &Office) -> Vec<(&'static str, String, String)> {
    let [man, woman] = holders(office);
    let both = |f: &dyn Fn(&str) -> String| (f("en"), f("es"));
    let mut rows = Vec::new();
    let mut row = |what, (en, es): (String, String)| rows.push((what, en, es));
    row("address line, man", both(&|l| addressee(&man, l)));
    row("address line, woman", both(&|l| addressee(&woman, l)));
    row(
        "usual, man",
        both(&|l| salutation(&[man], l, Style::Usual).text),
    );
    row(
        "usual, woman",
        both(&|l| salutation(&[woman], l, Style::Usual).text),
    );
    row(
        "formal, man",
        both(&|l| salutation(&[man], l, Style::Formal).text),
    );
    row(
        "formal, woman",
        both(&|l| salutation(&[woman], l, Style::Formal).text),
    );
    // An office addressed without the surname ("Mr. President") has one holder at a time.
    if office.en.usual.contains("{last}") {
        row(
            "two holders",
            both(&|l| salutation(&[man, woman], l, Style::Usual).text),
        );
    }
    rows
}

fn cite(keys: &[String]) -> String {
    keys.iter()
        .map(|k| format!("[{k}]"))
        .collect::<Vec<_>>()
        .join(" ")
}

pub(super) fn document() -> String {
    let t = table();
    let mut out = String::from(
        "# Forms of address\n\n\
         <!-- Generated from src/render/address/forms.toml by `LETTERMERGE_BLESS=1 cargo test forms_doc`; edit the \
         table, not this file. -->\n\n\
         What `{{addressee}}` and `{{salutation}}` write for each office in lettermerge's table, for a man and a woman, \
         in English and Spanish, in the usual and the formal style (`{{salutation style=\"formal\"}}`), and for two \
         holders in one grouped letter. The example holders are real or typical names; the words come from the table \
         alone. Each office lists the titles that find it (accents, case, dots and a qualifier such as \"of State\" \
         do not matter; \"Former\"/\"ex\" before a title gives the former holder's forms) and the sources its forms \
         follow, with the notes where the sources disagree. The row's `salutation` column (or `salutation_es` in a \
         Spanish letter) overrides any of them.\n",
    );
    let mut group = "";
    for office in &t.office {
        if office.group != group {
            group = &office.group;
            let _ = write!(out, "\n## {group}\n");
        }
        let names = office
            .names
            .iter()
            .map(|n| format!("`{n}`"))
            .collect::<Vec<_>>()
            .join(", ");
        let _ = write!(
            out,
            "\n### {} (`{}`)\n\nTitles: {names}.\n\n| | English | Spanish |\n|---|---|---|\n",
            office.example_title(),
            office.id
        );
        for (what, en, es) in rendered(office) {
            let _ = writeln!(out, "| {what} | {en} | {es} |");
        }
        let _ = writeln!(
            out,
            "| sources | {} | {} |",
            cite(&office.en.sources),
            cite(&office.es.sources)
        );
        for (lang, forms) in [("English", &office.en), ("Spanish", &office.es)] {
            if let Some(note) = &forms.note {
                let _ = write!(out, "\n{lang}: {note}\n");
            }
        }
    }
    out.push_str("\n## Sources\n\n");
    for (key, citation) in &t.sources {
        let _ = writeln!(out, "- [{key}] {citation}");
    }
    out
}

impl Office {
    /// The heading: the office's first title, capitalized.
    fn example_title(&self) -> String {
        let mut words: Vec<String> = Vec::new();
        for w in self.names[0].split(' ') {
            let mut c = w.chars();
            words.push(match c.next() {
                Some(f) if !matches!(w, "of" | "de" | "la" | "the") => {
                    f.to_uppercase().chain(c).collect()
                }
                _ => w.to_owned(),
            });
        }
        words.join(" ")
    }
}

#[test]
fn forms_doc_is_the_table_rendered() {
    let doc = document();
    if std::env::var_os("LETTERMERGE_BLESS").is_some() {
        std::fs::write(DOC, &doc).expect("write docs/forms-of-address.md");
        return;
    }
    let on_disk = std::fs::read_to_string(DOC).unwrap_or_default();
    assert!(
        on_disk == doc,
        "docs/forms-of-address.md is not the table rendered: review the change, then run \
         `LETTERMERGE_BLESS=1 cargo test forms_doc`"
    );
}
