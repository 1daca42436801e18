//! Forms of address: the salutation ("Dear Secretary Pompeo") and the address block's name line
//! ("The Honorable Mike Pompeo") for officials, in English and Spanish.
//!
//! The words are data: `forms.toml` holds one row per office with its English and Spanish forms and
//! the sources each follows (`table.rs` reads it, `titles.rs` finds a title's row). This module only
//! applies the rules that hold for every office:
//! - "The Honorable" (and "His/Her Excellency") is never combined with another title: an honorific
//!   in the row is dropped where the line has one (NASA NPR 1450.10D F.2).
//! - An honorific is used only in its own language: "Mr."/"Ms." never reach a Spanish letter,
//!   "Lic."/"Mtro." never an English one; "Dr." serves both (and is "Dra." for a woman in Spanish).
//! - Spanish greetings agree with the people greeted (Estimado, Estimada, Estimados, Estimadas).
//!
//! Conventions where the sources leave a choice: without a gender, the "Mr./Madam X" forms say
//! "Mr." (`Dear Mr. President`, as the README, "Helpers", shows) and Spanish office forms use the grammatical
//! masculine; "Mr./Ms. SURNAME" forms fall back to the usual office form instead of guessing; a
//! greeting with no office and no gender in Spanish says "Estimado/a".

mod table;
mod titles;
mod words;

#[cfg(test)]
mod doc;

pub use table::Chamber;
pub(crate) use table::Country;
use titles::Found;
pub(crate) use words::{gender_column, gender_of_word, honorific_lang, HonorificLang};
use words::{gender_of, honorific_in};

use super::lang::{join, Lang};

/// One addressee, read from a recipient row in the letter's language; an absent column is "".
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
    /// Spanish address blocks; one of the other language is left out.
    pub honorific: &'a str,
    /// The `country` cell: a U.S. row titled "Senador" is a U.S. Senator.
    pub country: &'a str,
    /// Text that may name the chamber ("Senate Committee on Foreign Relations"): the `chamber`,
    /// `position` and `organization` cells. A Spanish letter needs it for a ranking member.
    pub chamber: &'a str,
}

/// The cells of a recipient row that forms of address read, owned, in a letter's language: in a letter in language
/// L a filled column `NAME_L` (`title_es`, `honorific_es`, `salutation_es`) wins over `NAME`.
#[derive(Clone, Debug, Default)]
pub struct Cells([String; 8]);

impl Cells {
    pub fn of_row(row: &serde_json::Value, lang: &str) -> Cells {
        let get = |k: &str| {
            crate::render::context::localized(row, k, lang)
                .unwrap_or("")
                .to_string()
        };
        // Any of these may name the chamber a ranking member sits in.
        let mut chamber = String::new();
        for (i, k) in ["chamber", "position", "organization"].iter().enumerate() {
            if i > 0 {
                chamber.push(' ');
            }
            chamber.push_str(crate::render::context::localized(row, k, lang).unwrap_or(""));
        }
        Cells([
            get("title"),
            get("first_name"),
            get("last_name"),
            get("salutation"),
            get("gender"),
            get("honorific"),
            get("country"),
            chamber,
        ])
    }

    pub fn person(&self) -> Person<'_> {
        let [title, first_name, last_name, salutation, gender, honorific, country, chamber] =
            &self.0;
        Person {
            title,
            first_name,
            last_name,
            salutation,
            gender,
            honorific,
            country,
            chamber,
        }
    }
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
pub(crate) enum Gender {
    Female,
    Male,
    Unknown,
}

/// "Dear Secretary Pompeo"; never trailing punctuation (the template adds "," or ":"). Several
/// people are joined with the language's `join`, or named together when they hold one office
/// ("Dear Senators Rubio and Menendez"); people with no field at all are left out, and with nobody
/// left the greeting is "Dear Sir or Madam" / "Estimados señores".
pub fn salutation(people: &[Person], lang: &str, style: Style) -> Salutation {
    let lang = Lang::of(lang);
    let mut unknown_titles: Vec<String> = Vec::new();
    let mut parts = Vec::new();
    let mut genders = Vec::new();
    let mut found_all = Vec::new();
    let mut any_office = false;
    for person in people.iter().filter(|p| !p.is_blank()) {
        let found = office(person);
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
        found_all.push((person, found));
    }
    // In the formal style, holders of one office have the same words ("Señora Senadora" twice): named together too.
    let repeated = parts.len() > 1 && parts.iter().all(|p| *p == parts[0]);
    if let Some(together) = plural(
        &found_all,
        &genders,
        lang,
        style == Style::Usual || repeated,
    ) {
        parts = vec![together];
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

/// "Senators Rubio and Menendez": several holders of one office with a plural form (`allowed`: in the usual style, or
/// where the formal one would repeat itself), none with an override or a former title.
fn plural(
    people: &[(&Person, Option<Found>)],
    genders: &[Gender],
    lang: Lang,
    allowed: bool,
) -> Option<String> {
    if people.len() < 2 || !allowed {
        return None;
    }
    let (_, Some(first)) = people[0] else {
        return None;
    };
    let same = people.iter().all(|(p, f)| {
        override_of(p).is_none()
            && !p.last_name.trim().is_empty()
            && f.is_some_and(|f| !f.former && std::ptr::eq(f.office, first.office))
    });
    if !same {
        return None;
    }
    let all_female = genders.iter().all(|g| *g == Gender::Female);
    let form = first.office.forms(lang).plural(all_female)?;
    let lasts: Vec<&str> = people.iter().map(|(p, _)| p.last_name.trim()).collect();
    let lang_tag = match lang {
        Lang::En => "en",
        Lang::Es => "es",
    };
    Some(form.replace("{lasts}", &join(&lasts, lang_tag, None, None)))
}

/// The address-block name line: "The Honorable Mike Pompeo" where the office takes it, "The
/// President" for the offices addressed by office alone, "His/Her Excellency" for another country's
/// head of state, ministers and ambassadors, else the plain name with its honorific. In Spanish the
/// row's (Spanish) honorific stands before the name ("Lic. Andrés Manuel López Obrador"), else the
/// office's prefix ("Sen.", "Dip.", "C.", "Honorable").
pub fn addressee(person: &Person, lang: &str) -> String {
    let lang = Lang::of(lang);
    let found = office(person);
    let name = full_name(person);
    if name.is_empty() {
        return String::new();
    }
    let gender = gender_of(person, found);
    let honorific = honorific_in(person.honorific, lang, gender);
    let Some(found) = found else {
        return prefixed(honorific.as_deref(), &name);
    };
    let mut line = found.office.forms(lang).line.as_str();
    if found.former && (!line.contains("{name}") || line.contains("{excellency}")) {
        line = match lang {
            Lang::En => "The Honorable {name}",
            Lang::Es => "{name}",
        };
    }
    if !line.contains("{name}") {
        // "The President": the office alone.
        return line.to_owned();
    }
    let prefix = line.split("{name}").next().unwrap_or("").trim();
    let office_prefix = excellency(prefix, lang, gender);
    // "The Honorable" and "His Excellency" replace any other title, never joined to one; in Spanish
    // the person's own honorific ("Lic.", "Dr.") stands where the office's abbreviation would.
    let keeps_office = match lang {
        Lang::En => !prefix.is_empty(),
        Lang::Es => prefix.contains("{excellency}"),
    };
    match honorific {
        Some(h) if !keeps_office => prefixed(Some(&h), &name),
        _ => prefixed(Some(&office_prefix), &name),
    }
}

fn prefixed(prefix: Option<&str>, name: &str) -> String {
    match prefix.map(str::trim) {
        Some(p) if !p.is_empty() => format!("{p} {name}"),
        _ => name.to_owned(),
    }
}

fn excellency(text: &str, lang: Lang, gender: Gender) -> String {
    let words = match (lang, gender) {
        (Lang::En, Gender::Female) => "Her Excellency",
        (Lang::En, Gender::Male) => "His Excellency",
        (Lang::En, Gender::Unknown) => "H.E.",
        (Lang::Es, Gender::Female) => "Excelentísima Señora",
        (Lang::Es, _) => "Excelentísimo Señor",
    };
    text.replace("{excellency}", words)
}

/// A title as the table's keys are written: lower case, no accents or dots.
pub(crate) fn normalize_title(title: &str) -> String {
    titles::normalize(title)
}

/// Whether `title` is in the table: the tests' view of it (`check` learns of unknown titles from the salutation).
#[cfg(test)]
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

/// The person's office, in the person's country.
pub(crate) fn office(person: &Person) -> Option<Found> {
    titles::lookup(person.title).map(|f| f.in_country(Country::of_cell(person.country)))
}

/// What the linter needs to know about a person's office.
#[derive(Clone, Copy, Debug)]
pub(crate) struct OfficeView {
    pub id: &'static str,
    /// The office's own chamber, else the one the row names.
    pub chamber: Option<Chamber>,
    /// The title is a feminine form ("Senadora", "Congresswoman").
    pub feminine_title: bool,
    /// The office has feminine words in the language (so a masculine title for a woman is wrong).
    pub has_feminine: bool,
    /// The Spanish forms need the chamber (a ranking member).
    pub needs_chamber_es: bool,
    /// The office's feminine titles ("senadora").
    pub feminine_names: &'static [String],
    /// Held by a member of the U.S. Congress.
    pub congress: bool,
    /// The office is another country's than the row's, and has no twin there (a `US` row titled "Diputada"): the
    /// country whose forms the letter uses.
    pub other_country: Option<&'static str>,
}

pub(crate) fn view(person: &Person) -> Option<OfficeView> {
    let found = office(person)?;
    let o = found.office;
    let es = &o.es;
    Some(OfficeView {
        id: &o.id,
        chamber: o.chamber.or_else(|| chamber_named(person)),
        feminine_title: found.feminine,
        has_feminine: !o.feminine.is_empty(),
        needs_chamber_es: es.usual.contains("{member}"),
        feminine_names: &o.feminine,
        congress: o.congress,
        other_country: match (o.country, Country::of_cell(person.country)) {
            (office @ (Country::Us | Country::Mx), Some(row @ (Country::Us | Country::Mx)))
                if office != row =>
            {
                Some(if office == Country::Mx {
                    "Mexico"
                } else {
                    "the United States"
                })
            }
            _ => None,
        },
    })
}

/// Every office word a salutation could use for an office id, in both languages and genders, lower case: the
/// linter compares what a letter prints against them.
pub(crate) fn office_words(id: &str) -> Vec<String> {
    let Some(o) = table::table().office.iter().find(|o| o.id == id) else {
        return Vec::new();
    };
    let mut words = Vec::new();
    for forms in [&o.en, &o.es] {
        for f in [
            Some(&forms.usual),
            forms.usual_f.as_ref(),
            forms.formal.as_ref(),
            forms.formal_f.as_ref(),
            forms.plural.as_ref(),
            forms.plural_f.as_ref(),
        ]
        .into_iter()
        .flatten()
        {
            let w = office_word(f);
            if !w.is_empty() && !words.contains(&w) {
                words.push(w);
            }
        }
    }
    words
}

/// Every office word of every office, (word, office id), longest first ("ranking member" before "member").
pub(crate) fn all_office_words() -> &'static [(String, &'static str)] {
    static WORDS: std::sync::OnceLock<Vec<(String, &'static str)>> = std::sync::OnceLock::new();
    WORDS.get_or_init(|| {
        let mut out = Vec::new();
        for o in &table::table().office {
            for w in office_words(&o.id) {
                out.push((w, o.id.as_str()));
            }
        }
        out.sort_by_key(|(w, _)| std::cmp::Reverse(w.len()));
        out
    })
}

/// "Senator {last}" → "senator"; "Mr. President" → "president"; "Señora Senadora" → "senadora".
fn office_word(form: &str) -> String {
    let words: Vec<&str> = form
        .split_whitespace()
        .filter(|w| !w.starts_with('{'))
        .filter(|w| {
            !matches!(
                *w,
                "Mr." | "Madam" | "Señor" | "Señora" | "Ms." | "de" | "la" | "del"
            )
        })
        .collect();
    words.join(" ").to_lowercase()
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
pub(crate) fn override_of<'a>(person: &Person<'a>) -> Option<&'a str> {
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

/// The chamber the row's text names, if any.
fn chamber_named(person: &Person) -> Option<Chamber> {
    let text = titles::normalize(&format!("{} {}", person.title, person.chamber));
    let has = |w: &str| text.split(' ').any(|x| x == w);
    if has("senate") || has("senado") || has("senator") || has("senador") || has("senadora") {
        Some(Chamber::Senate)
    } else if has("house")
        || has("representatives")
        || has("representantes")
        || has("congressman")
        || has("congresswoman")
    {
        Some(Chamber::House)
    } else {
        None
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
    let honorific = honorific_in(person.honorific, lang, gender);
    let Some(found) = found else {
        return match (honorific, last.is_empty()) {
            (Some(h), false) => format!("{h} {last}"),
            _ => full_name(person),
        };
    };
    let forms = found.office.forms(lang);
    let female = gender == Gender::Female;
    let usual = match (found.former, &forms.former) {
        (true, Some(former)) => former.as_str(),
        _ => forms.usual(female),
    };
    let form = match (style, found.former) {
        (Style::Usual, _) => usual,
        (Style::Formal, true) => "{mr}",
        (Style::Formal, false) => forms.formal(female),
    };
    let fill = |form: &str| -> Option<String> {
        let mut out = form.to_owned();
        if out.contains("{mr}") {
            let courtesy = match (honorific.as_deref(), lang, gender) {
                (Some(h), _, _) => h,
                (None, Lang::En, Gender::Male) => "Mr.",
                (None, Lang::En, Gender::Female) => "Ms.",
                (None, Lang::Es, Gender::Male) => "Señor",
                (None, Lang::Es, Gender::Female) => "Señora",
                (None, _, Gender::Unknown) => return None,
            };
            if last.is_empty() {
                return None;
            }
            out = out.replace("{mr}", &format!("{courtesy} {last}"));
        }
        if out.contains("{member}") {
            let member = match (lang, chamber_named(person), female) {
                (Lang::En, Some(Chamber::Senate), _) => "Senator",
                (Lang::En, Some(Chamber::House), _) => "Representative",
                (Lang::En, None, _) => "Member",
                (Lang::Es, Some(Chamber::Senate), false) => "Senador",
                (Lang::Es, Some(Chamber::Senate), true) => "Senadora",
                (Lang::Es, Some(Chamber::House), _) => "Representante",
                (Lang::Es, None, false) => "Legislador",
                (Lang::Es, None, true) => "Legisladora",
            };
            out = out.replace("{member}", member);
        }
        let out = out
            .replace("{last}", last)
            .replace("{name}", &full_name(person));
        Some(out.split_whitespace().collect::<Vec<_>>().join(" "))
    };
    fill(form)
        .or_else(|| fill(usual))
        .unwrap_or_else(|| full_name(person))
}

#[cfg(test)]
mod tests;
