//! Forms of address: the salutation ("Dear Secretary Pompeo") and the address block's name line
//! ("The Honorable Mike Pompeo") for officials, in English and Spanish.
//!
//! Sources for the office table (`offices.rs`; `titles.rs` matches a title to it):
//! - Emily Post Institute, "Official forms of address: United States government".
//! - Robert Hickey, *Honor & Respect* and formsofaddress.info: who is "The Honorable" (presidential
//!   appointees, elected officials, mayors, judges; never with another title), former officials
//!   (the contemporary "President SURNAME", the traditional "Mr./Ms. SURNAME"), "-elect" forms.
//! - U.S. Department of State, 5 FAH-1 H-420 exhibit H-426 "Forms of Address"; NASA NPR 1450.10D
//!   appendix F; ITA "Address and Salutation"; the research notes in `forms-of-address.md`.
//! - Mexico: federal correspondence addresses officials as "C." (ciudadano/ciudadana) before the
//!   name, or by academic honorific (Lic., Mtro., Dr.), and legislators as "Sen."/"Dip."; letters to
//!   the president-elect in 2018 read "Señor licenciado Andrés Manuel López Obrador, Presidente
//!   electo" and "Estimado Presidente electo". We write "Estimado Señor Presidente electo", on the
//!   pattern of "Estimado Señor Presidente", with "electo" in lower case as the RAE writes it.
//!   Spanish titles agree with the person (Senadora, Diputada, Secretaria) and a feminine title alone
//!   tells the greeting to say "Estimada".
//!
//! Conventions where the sources leave a choice: without a gender, the "Mr./Madam X" forms say
//! "Mr." (`Dear Mr. President`, as the SPEC asks) and Spanish office forms use the grammatical
//! masculine; "Mr./Ms. SURNAME" forms fall back to the usual office form instead of guessing; a
//! greeting with no office and no gender in Spanish says "Estimado/a".

mod offices;
mod titles;

use offices::{Form, Line};
use titles::Found;

use super::lang::{join, Lang};

/// One addressee, read from a recipient row; an absent column is "".
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Person<'a> {
    pub title: &'a str,
    pub first_name: &'a str,
    pub last_name: &'a str,
    /// An explicit override: when non-empty it is the whole salutation name part for this person
    /// (e.g. "Mr. Secretary" → "Dear Mr. Secretary"). A leading "Dear"/"Estimado…" and trailing
    /// punctuation are dropped, so a cell written as a whole greeting still works.
    pub salutation: &'a str,
    /// "female"/"male"/"f"/"m"/"woman"/"man"/"" (also Spanish "mujer"/"hombre"); picks Madam/Mr.,
    /// Estimada/Estimado, Secretaria/Secretario.
    pub gender: &'a str,
    /// An honorific such as "Ms.", "Dr.", "Lic.", "Mtro.", used where no office form applies and in
    /// Spanish address blocks.
    pub honorific: &'a str,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Style {
    Usual,
    Formal,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Salutation {
    pub text: String,
    /// Titles (as written, once each) that are not in the table and were needed: a person with a
    /// `salutation` override does not report one.
    pub unknown_titles: Vec<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Gender {
    Female,
    Male,
    Unknown,
}

/// "Dear Secretary Pompeo"; never trailing punctuation (the template adds "," or ":"). Several
/// people are joined with the language's `join`; people with no field at all are left out, and
/// with nobody left the greeting is "Dear Sir or Madam" / "Estimados señores".
pub fn salutation(people: &[Person], lang: &str, style: Style) -> Salutation {
    let lang = Lang::of(lang);
    let mut unknown_titles: Vec<String> = Vec::new();
    let mut parts = Vec::new();
    let mut genders = Vec::new();
    let mut any_office = false;
    for person in people.iter().filter(|p| !p.is_blank()) {
        let found = titles::lookup(person.title);
        let title = person.title.trim();
        if found.is_none()
            && !title.is_empty()
            && override_of(person).is_none()
            && !unknown_titles.iter().any(|t| t == title)
        {
            unknown_titles.push(title.to_owned());
        }
        let gender = gender_of(person, found);
        any_office |= found.is_some();
        parts.push(name_part(person, found, gender, lang, style));
        genders.push(gender);
    }
    let text = match lang {
        Lang::En if parts.is_empty() => "Dear Sir or Madam".to_owned(),
        Lang::En => format!("Dear {}", join_parts(&parts, "en")),
        Lang::Es => {
            let stem = match style {
                Style::Usual => "Estimad",
                Style::Formal => "Distinguid",
            };
            let ending = match genders.as_slice() {
                [] => "os señores",
                [Gender::Female] => "a",
                [Gender::Male] => "o",
                [Gender::Unknown] if any_office => "o",
                [Gender::Unknown] => "o/a",
                all if all.iter().all(|g| *g == Gender::Female) => "as",
                _ => "os",
            };
            if parts.is_empty() {
                format!("{stem}{ending}")
            } else {
                format!("{stem}{ending} {}", join_parts(&parts, "es"))
            }
        }
    };
    Salutation {
        text,
        unknown_titles,
    }
}

fn join_parts(parts: &[String], lang: &str) -> String {
    let parts: Vec<&str> = parts.iter().map(String::as_str).collect();
    join(&parts, lang, None, None)
}

/// The address-block name line: "The Honorable Mike Pompeo" where the office takes it, "The
/// President" for the one office addressed by its name alone, "His/Her Excellency" (or "H.E.") for
/// Mexico's president, secretaries and ambassadors, else the plain name with its honorific. In
/// Spanish: the honorific ("Lic. Andrés Manuel López Obrador"), else the office's abbreviation
/// ("Sen.", "Dip.", "Emb."), else "C." for a Mexican office and "Honorable" for a U.S. one.
pub fn addressee(person: &Person, lang: &str) -> String {
    let found = titles::lookup(person.title);
    let name = full_name(person);
    let honorific = person.honorific.trim();
    let prefixed = |prefix: &str| match (prefix.is_empty(), name.is_empty()) {
        (_, true) => String::new(),
        (true, false) => name.clone(),
        (false, false) => format!("{prefix} {name}"),
    };
    match Lang::of(lang) {
        Lang::En => match found.map(|f| f.line()) {
            Some(Line::The(office)) => office.to_owned(),
            Some(Line::Honorable) => prefixed("The Honorable"),
            Some(Line::Excellency) => prefixed(match gender_of(person, found) {
                Gender::Female => "Her Excellency",
                Gender::Male => "His Excellency",
                Gender::Unknown => "H.E.",
            }),
            Some(Line::Name) | None => prefixed(honorific),
        },
        Lang::Es if !honorific.is_empty() => prefixed(honorific),
        Lang::Es => prefixed(match found {
            Some(f) => match f.office.es_prefix {
                Some(prefix) => prefix,
                None if f.office.mexican => "C.",
                None if f.line() != Line::Name => "Honorable",
                None => "",
            },
            None => "",
        }),
    }
}

/// Whether `title` is in the table (so `check` can warn about unknown titles).
pub fn knows_title(title: &str) -> bool {
    titles::lookup(title).is_some()
}

impl Person<'_> {
    fn is_blank(&self) -> bool {
        [
            self.title,
            self.first_name,
            self.last_name,
            self.salutation,
            self.honorific,
        ]
        .iter()
        .all(|s| s.trim().is_empty())
    }
}

fn full_name(person: &Person) -> String {
    let first = person.first_name.trim();
    let last = person.last_name.trim();
    match (first.is_empty(), last.is_empty()) {
        (false, false) => format!("{first} {last}"),
        (true, _) => last.to_owned(),
        (false, true) => first.to_owned(),
    }
}

/// The override without a greeting word or closing punctuation, if there is one.
fn override_of<'a>(person: &Person<'a>) -> Option<&'a str> {
    let mut text = person.salutation.trim();
    for greeting in [
        "dear ",
        "estimado ",
        "estimada ",
        "distinguido ",
        "distinguida ",
    ] {
        // `get` returns None off a char boundary, so odd Unicode cannot panic here.
        if let Some(head) = text.get(..greeting.len()) {
            if head.eq_ignore_ascii_case(greeting) {
                text = text[greeting.len()..].trim_start();
                break;
            }
        }
    }
    let text = text.trim_end_matches([',', ':', ';', ' ']);
    (!text.is_empty()).then_some(text)
}

/// The gender column, else what the title says ("Senadora"), else the honorific ("Ms.", "Sra.").
fn gender_of(person: &Person, found: Option<Found>) -> Gender {
    let word = |s: &str| {
        s.trim()
            .trim_end_matches('.')
            .to_lowercase()
            .replace('ñ', "n")
    };
    match word(person.gender).as_str() {
        "f" | "female" | "woman" | "w" | "mujer" | "femenino" | "feminine" => {
            return Gender::Female
        }
        "m" | "male" | "man" | "hombre" | "h" | "masculino" | "masculine" => return Gender::Male,
        _ => {}
    }
    if found.is_some_and(|f| f.feminine) {
        return Gender::Female;
    }
    // An override such as "Señora Presidenta" says it too.
    let courtesy = override_of(person)
        .and_then(|s| s.split_whitespace().next())
        .unwrap_or("");
    match word(if person.honorific.trim().is_empty() {
        courtesy
    } else {
        person.honorific
    })
    .as_str()
    {
        "ms" | "mrs" | "miss" | "madam" | "sra" | "srta" | "senora" | "senorita" | "dra"
        | "mtra" | "lcda" | "licda" | "dona" | "profa" => Gender::Female,
        "mr" | "sr" | "senor" | "mtro" | "lcdo" | "don" => Gender::Male,
        _ => Gender::Unknown,
    }
}

/// What follows "Dear"/"Estimado" for one person.
fn name_part(
    person: &Person,
    found: Option<Found>,
    gender: Gender,
    lang: Lang,
    style: Style,
) -> String {
    if let Some(text) = override_of(person) {
        return text.to_owned();
    }
    let last = person.last_name.trim();
    let honorific = person.honorific.trim();
    let Some(found) = found else {
        return match (honorific.is_empty(), last.is_empty()) {
            (false, false) => format!("{honorific} {last}"),
            _ => full_name(person),
        };
    };
    let spanish = lang == Lang::Es;
    let [usual, formal] = found.forms(spanish);
    let form = match style {
        Style::Usual => usual,
        Style::Formal => formal,
    };
    let word = |m: &'static str, f: &'static str| if gender == Gender::Female { f } else { m };
    let titled = |w: &str| {
        if last.is_empty() {
            w.to_owned()
        } else {
            format!("{w} {last}")
        }
    };
    let render = |form: Form| -> Option<String> {
        Some(match form {
            Form::Titled(m, f) => titled(word(m, f)),
            Form::Courtesy(m, f) => match (spanish, gender == Gender::Female) {
                (false, false) => format!("Mr. {m}"),
                (false, true) => format!("Madam {f}"),
                (true, false) => format!("Señor {m}"),
                (true, true) => format!("Señora {f}"),
            },
            Form::Plain if last.is_empty() => return None,
            Form::Plain if !honorific.is_empty() => format!("{honorific} {last}"),
            Form::Plain => match (spanish, gender) {
                (_, Gender::Unknown) => return None,
                (false, Gender::Male) => format!("Mr. {last}"),
                (false, Gender::Female) => format!("Ms. {last}"),
                (true, Gender::Male) => format!("Señor {last}"),
                (true, Gender::Female) => format!("Señora {last}"),
            },
        })
    };
    render(form)
        .or_else(|| render(usual))
        .unwrap_or_else(|| full_name(person))
}

#[cfg(test)]
mod tests;
