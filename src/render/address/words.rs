//! What a person's words tell: the gender a column, an honorific or a courtesy word gives, and which language an
//! honorific belongs to.

use super::titles::Found;
use super::{override_of, Gender, Person};
use crate::render::lang::Lang;

/// The gender column alone: "female", "mujer", "f"…
pub(crate) fn gender_column(gender: &str) -> Gender {
    match word(gender).as_str() {
        "f" | "female" | "woman" | "w" | "mujer" | "femenino" | "feminine" => Gender::Female,
        "m" | "male" | "man" | "hombre" | "h" | "masculino" | "masculine" => Gender::Male,
        _ => Gender::Unknown,
    }
}

/// The gender an honorific or courtesy word tells: "Ms." and "Sra." are women, "Mr." and "Sr." men.
pub(crate) fn gender_of_word(w: &str) -> Gender {
    match word(w).as_str() {
        "ms" | "mrs" | "miss" | "madam" | "sra" | "srta" | "senora" | "senorita" | "dra"
        | "mtra" | "lcda" | "licda" | "dona" | "profa" => Gender::Female,
        "mr" | "sr" | "senor" | "mtro" | "lcdo" | "don" => Gender::Male,
        _ => Gender::Unknown,
    }
}

fn word(s: &str) -> String {
    s.trim()
        .trim_end_matches('.')
        .to_lowercase()
        .replace('ñ', "n")
}

/// The gender column, else what the title says ("Senadora"), else the honorific ("Ms.", "Sra.").
pub(super) fn gender_of(person: &Person, found: Option<Found>) -> Gender {
    match gender_column(person.gender) {
        Gender::Unknown => {}
        g => return g,
    }
    if found.is_some_and(|f| f.feminine) {
        return Gender::Female;
    }
    // An override such as "Señora Presidenta" says it too.
    let courtesy = override_of(person)
        .and_then(|s| s.split_whitespace().next())
        .unwrap_or("");
    gender_of_word(if person.honorific.trim().is_empty() {
        courtesy
    } else {
        person.honorific
    })
}

/// Which language an honorific belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum HonorificLang {
    English,
    Spanish,
    Both,
    /// "Hon.", "The Honorable": a style the office gives, never a person's honorific.
    Honorable,
    Other,
}

pub(crate) fn honorific_lang(honorific: &str) -> HonorificLang {
    let w = word(honorific);
    match w.as_str() {
        "mr" | "mrs" | "ms" | "miss" | "mx" | "sir" | "madam" => HonorificLang::English,
        "hon" | "the honorable" | "the hon" | "honorable" | "the honourable" | "hon ble" => {
            HonorificLang::Honorable
        }
        "sr" | "sra" | "srta" | "lic" | "licda" | "lcda" | "lcdo" | "mtro" | "mtra" | "ing"
        | "arq" | "c" | "don" | "dona" | "dra" | "profa" | "sen" | "dip" | "emb" | "min"
        | "gral" => HonorificLang::Spanish,
        "dr" | "prof" => HonorificLang::Both,
        _ => HonorificLang::Other,
    }
}

/// The honorific as it may appear in a letter in `lang`, or `None` when it belongs to the other
/// language or is "The Honorable" (which only the office gives).
pub(super) fn honorific_in(honorific: &str, lang: Lang, gender: Gender) -> Option<String> {
    let h = honorific.trim();
    if h.is_empty() {
        return None;
    }
    match (honorific_lang(h), lang) {
        (HonorificLang::Honorable, _) => None,
        (HonorificLang::English, Lang::Es) | (HonorificLang::Spanish, Lang::En) => None,
        (HonorificLang::Both, Lang::Es) if gender == Gender::Female => {
            Some(match word(h).as_str() {
                "dr" => "Dra.".to_owned(),
                "prof" => "Profa.".to_owned(),
                _ => h.to_owned(),
            })
        }
        _ => Some(h.to_owned()),
    }
}
