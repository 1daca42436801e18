//! The attached PDF's file name: what an office's staff see in their mail client and save to disk, so it says what
//! the letter is and to whom, and two letters an office receives never share it.

use std::collections::BTreeSet;

use crate::load::Campaign;
use crate::plan::Letter;
use crate::render::file_name::sanitize_file_name;

use super::address::{self, Cells, Person, Style};
use super::context::in_language;

/// The longest name before `.pdf`, as for output files.
const MAX_STEM: usize = 120;
/// The most of a subject a default name keeps: every letter of a campaign then starts the same way, whatever the
/// length of what follows, and the addressee stays visible where mail clients cut long names.
const MAX_SUBJECT: usize = 64;

/// The name a template's `attachment_name` rendered to for one letter; `Ok(None)` when it rendered empty (the
/// default applies). A path or a control character is refused; other characters files cannot hold become `-`.
pub(crate) fn given(value: &str) -> Result<Option<String>, String> {
    let value = value.trim();
    if value.is_empty() {
        return Ok(None);
    }
    if value.contains(['/', '\\']) {
        return Err(format!(
            "`attachment_name` holds a path separator: {value:?} (it names the attached file, not a folder)"
        ));
    }
    if value.chars().any(char::is_control) {
        return Err(format!(
            "`attachment_name` holds a control character: {value:?}"
        ));
    }
    let stem = match value.len().checked_sub(4) {
        Some(at) if value.is_char_boundary(at) && value[at..].eq_ignore_ascii_case(".pdf") => {
            &value[..at]
        }
        _ => value,
    };
    Ok(Some(format!("{}.pdf", sanitize_file_name(stem))))
}

/// The default name: `SUBJECT - ADDRESSEE`, then ` - SIGNATORY` in a per-signatory letter and ` (VARIANT)` when
/// another variant sends the same template (same subject, same offices). A long subject is shortened at a word, so
/// that the parts telling letters apart always fit.
pub(crate) fn default(
    campaign: &Campaign,
    letter: &Letter,
    subject: Option<&str>,
    name_variant: bool,
) -> String {
    let mut tail: Vec<String> = Vec::new();
    if let Some(who) = addressees(campaign, letter) {
        tail.push(who);
    }
    if let (Some(row), Some(t)) = (letter.signatory, letter.variant.signatory_table) {
        let name = t
            .value(row, "organization")
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .unwrap_or_else(|| t.key(row));
        tail.push(name.to_string());
    }
    let mut tail = tail.join(" - ");
    if name_variant {
        tail = format!("{tail} ({})", letter.variant.name)
            .trim()
            .to_string();
    }
    let name = match subject.map(str::trim).filter(|s| !s.is_empty()) {
        None if tail.is_empty() => letter.id().replace('/', " - "),
        None => tail,
        Some(subject) if tail.is_empty() => subject.to_string(),
        Some(subject) => {
            let room = MAX_STEM
                .saturating_sub(tail.len() + " - ".len())
                .min(MAX_SUBJECT);
            format!("{} - {tail}", shorten(subject, room))
        }
    };
    format!("{}.pdf", sanitize_file_name(&name))
}

/// The letter's addressees as the salutation names them, without the greeting: `Secretary Pompeo`, `Chairman Corker
/// and Ranking Member Menendez`, `Señor Presidente electo`. None for a public copy.
fn addressees(campaign: &Campaign, letter: &Letter) -> Option<String> {
    let t = &campaign.recipients;
    let rows = &letter.unit.rows;
    if rows.is_empty() {
        return None;
    }
    let lang = &letter.variant.lang;
    let cells: Vec<Cells> = rows
        .iter()
        .map(|row| {
            Cells::of_row(
                &serde_json::Value::Object(in_language(t.row_json(row), lang)),
                lang,
            )
        })
        .collect();
    let people: Vec<Person> = cells.iter().map(Cells::person).collect();
    if people.iter().all(|p| *p == Person::default()) {
        return None;
    }
    let greeting = address::salutation(&people, &letter.variant.lang, Style::Usual).text;
    // "Dear …", "Estimado …", "Estimada …": the first word is the greeting.
    let name = greeting.split_once(' ').map_or("", |(_, name)| name).trim();
    (!name.is_empty()).then(|| name.to_string())
}

/// `text` cut to at most `room` bytes at a word boundary, with `…` where it was cut.
fn shorten(text: &str, room: usize) -> String {
    if text.len() <= room {
        return text.to_string();
    }
    let room = room.saturating_sub("…".len());
    let mut end = room;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    let cut = &text[..end];
    let cut = match cut.rfind(' ') {
        Some(space) if space > 0 => &cut[..space],
        _ => cut,
    };
    format!("{}…", cut.trim_end_matches([' ', ',', ';', ':', '-']))
}

/// Templates that two or more variants with recipients send (public copies are never sent). From the manifest, not
/// the plan, so that a letter's attachment name does not depend on which variants a run selects.
pub fn shared_templates(campaign: &Campaign) -> BTreeSet<String> {
    use crate::load::manifest::RecipientsOverride;
    let m = &campaign.manifest.manifest;
    let mut seen = BTreeSet::new();
    let mut shared = BTreeSet::new();
    for spec in m.variants.values() {
        if matches!(spec.recipients, Some(RecipientsOverride::Enabled(false))) {
            continue;
        }
        let template = spec
            .template
            .as_ref()
            .unwrap_or(&m.letter.template)
            .as_str()
            .to_string();
        if !seen.insert(template.clone()) {
            shared.insert(template);
        }
    }
    shared
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_given_name_gets_pdf_once_and_loses_what_files_cannot_hold() {
        assert_eq!(
            given("Carta: Peña Nieto").unwrap().as_deref(),
            Some("Carta- Peña Nieto.pdf")
        );
        assert_eq!(given("letter.PDF").unwrap().as_deref(), Some("letter.pdf"));
        assert_eq!(given("  ").unwrap(), None);
    }

    #[test]
    fn a_given_name_with_a_path_or_control_character_is_refused() {
        assert!(given("../secret").unwrap_err().contains("path separator"));
        assert!(given("a\\b").unwrap_err().contains("path separator"));
        assert!(given("a\u{7}b").unwrap_err().contains("control character"));
    }

    #[test]
    fn shorten_cuts_at_a_word() {
        assert_eq!(
            shorten("Human rights in Mexico", 40),
            "Human rights in Mexico"
        );
        assert_eq!(shorten("Human rights in Mexico", 16), "Human rights…");
        assert!(shorten("Derechos humanos en México", 15).len() <= 15);
    }
}
