//! How a free-text title ("Secretary of State", "Senadora de la República", "Former President")
//! finds its row in the office table.

use std::cell::RefCell;
use std::collections::HashMap;

use unicode_normalization::{char::is_combining_mark, UnicodeNormalization};

use super::table::{table, Country, Office};

/// A title's row, and what the title itself tells.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Found {
    pub office: &'static Office,
    /// "Former President", "expresidente": only the holder is "Mr. President"; a former one keeps the office word
    /// with the surname usually and is Mr./Ms. SURNAME formally.
    pub former: bool,
    /// The title is a feminine form ("Senadora").
    pub feminine: bool,
}

impl Found {
    /// The same kind of office in the row's country, when the title names another country's: a U.S. row titled
    /// "Senador" is a U.S. Senator, a Mexican row titled "Ambassador" is a Mexican ambassador.
    pub fn in_country(self, country: Option<Country>) -> Found {
        let (Some(country), Some(kind)) = (country, self.office.kind.as_deref()) else {
            return self;
        };
        if self.office.country == country {
            return self;
        }
        let twin = |c: Country| {
            table()
                .office
                .iter()
                .find(|o| o.country == c && o.kind.as_deref() == Some(kind))
        };
        match twin(country).or_else(|| {
            (country == Country::Foreign)
                .then(|| twin(Country::Foreign))
                .flatten()
        }) {
            Some(office) => Found { office, ..self },
            None => self,
        }
    }
}

/// Lower case, accents and dots removed, hyphens and runs of spaces as one space, and a leading
/// "The"/"U.S."/"United States" dropped: "U.S. Vice-President" → "vice president".
pub(crate) fn normalize(title: &str) -> String {
    // A campaign has a few dozen distinct titles, countries and chambers, and every letter asks about its rows'
    // several times (salutation, address block, `check`'s rules): folding each again was a tenth of `check`. The
    // cache is per thread and stops growing at `KEEP` entries, so a table of a million distinct titles costs no more.
    const KEEP: usize = 4096;
    thread_local! {
        static SEEN: RefCell<HashMap<Box<str>, Box<str>>> = RefCell::new(HashMap::new());
    }
    SEEN.with(|seen| {
        if let Some(done) = seen.borrow().get(title) {
            return done.to_string();
        }
        let done = fold(title);
        let mut seen = seen.borrow_mut();
        if seen.len() < KEEP {
            seen.insert(title.into(), done.as_str().into());
        }
        done
    })
}

fn fold(title: &str) -> String {
    let folded = fold_words(title);
    let mut words: Vec<&str> = folded.split_whitespace().collect();
    loop {
        let drop = match words.as_slice() {
            ["the" | "us" | "usa", ..] => 1,
            ["u", "s", ..] | ["united", "states", ..] => 2,
            _ => break,
        };
        words.drain(..drop);
    }
    words.join(" ")
}

/// Lower case, accents and dots removed, hyphens and runs of spaces as one space: "Estados-Unidos" → "estados
/// unidos". A country's name goes through this, never through [`normalize`], which drops a leading "U.S.".
pub(crate) fn fold_words(text: &str) -> String {
    let folded: String = text
        .nfd()
        .filter(|c| !is_combining_mark(*c) && *c != '.')
        .flat_map(char::to_lowercase)
        .map(|c| {
            if c == '-' || c == '‐' || c == '–' || c == '—' {
                ' '
            } else {
                c
            }
        })
        .collect();
    folded.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Words that start a qualifier: "Secretary of State", "Secretario de Gobernación", "Ambassador to
/// Mexico", "Assistant Secretary for Western Hemisphere Affairs", "Embajadora ante la OEA".
const QUALIFIERS: &[&str] = &[
    "of", "de", "del", "for", "to", "on", "para", "ante", "in", "en",
];

/// The row for `title`, trying the whole title first ("Member of Congress"), then the title without
/// its qualifier, then a known office ending it, then "former"/"ex" before any of these.
pub(crate) fn lookup(title: &str) -> Option<Found> {
    // A comma, parenthesis or spaced dash starts a qualifier too: "Chairman, Committee on …".
    let head = title
        .split([',', '(', ';', '/', '|'])
        .next()
        .unwrap_or("")
        .split(" - ")
        .next()
        .unwrap_or("");
    let key = normalize(head);
    if key.is_empty() {
        return None;
    }
    if let Some(found) = lookup_key(&key) {
        return Some(found);
    }
    let rest = ["former ", "ex "]
        .iter()
        .find_map(|p| key.strip_prefix(p))
        .or_else(|| key.strip_prefix("ex").filter(|rest| !rest.starts_with(' ')))?;
    lookup_key(rest).map(|found| Found {
        former: true,
        ..found
    })
}

fn lookup_key(key: &str) -> Option<Found> {
    let words: Vec<&str> = key.split(' ').collect();
    let cut = words
        .iter()
        .position(|w| QUALIFIERS.contains(w))
        .unwrap_or(words.len());
    let short = words[..cut].join(" ");
    exact(key)
        .or_else(|| exact(&short))
        .or_else(|| ending(&short))
}

fn exact(key: &str) -> Option<Found> {
    table().office.iter().find_map(|office| {
        office.names.iter().any(|n| n == key).then(|| Found {
            office,
            former: false,
            feminine: office.feminine.iter().any(|n| n == key),
        })
    })
}

/// The longest suffix-able office name that ends `key` after a whole word.
fn ending(key: &str) -> Option<Found> {
    table()
        .office
        .iter()
        .filter(|office| office.suffix)
        .flat_map(|office| office.names.iter().map(move |name| (office, name.as_str())))
        .filter(|(_, name)| {
            key.strip_suffix(name)
                .is_some_and(|head| head.ends_with(' '))
        })
        .max_by_key(|(_, name)| name.len())
        .map(|(office, name)| Found {
            office,
            former: false,
            feminine: office.feminine.iter().any(|n| n == name),
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(title: &str) -> Option<&'static str> {
        lookup(title).map(|f| f.office.id.as_str())
    }

    #[test]
    fn normalize_folds_case_accents_dots_hyphens_and_country_prefixes() {
        assert_eq!(normalize("U.S. Vice-President"), "vice president");
        assert_eq!(normalize("  The   United States  Senator "), "senator");
        assert_eq!(normalize("U. S. Senator"), "senator");
        assert_eq!(normalize("Presidente Electo"), "presidente electo");
        assert_eq!(normalize("SECRETARÍA"), "secretaria");
        assert_eq!(normalize("Lt. Gov."), "lt gov");
        assert_eq!(normalize(""), "");
        assert_eq!(normalize("\u{301}"), "");
    }

    #[test]
    fn every_key_is_already_normalized_and_unique() {
        let mut seen = std::collections::HashSet::new();
        for office in &table().office {
            for name in &office.names {
                assert_eq!(&normalize(name), name);
                assert!(seen.insert(name.clone()), "{name} twice");
            }
            for name in &office.feminine {
                assert!(office.names.contains(name), "{name} is not a name");
            }
        }
    }

    #[test]
    fn qualifiers_after_the_office_are_ignored() {
        let secretary = names("Secretary").unwrap();
        assert_eq!(names("Secretary of State"), Some(secretary));
        assert_eq!(names("Secretary of Homeland Security"), Some(secretary));
        assert_eq!(names("Ambassador to Mexico"), names("Ambassador"));
        assert_eq!(
            names("Chairman, Senate Foreign Relations Committee"),
            names("Chairman")
        );
        assert_eq!(names("Senator (D-NJ)"), names("Senator"));
        assert_eq!(
            names("Fiscal General de la República"),
            names("fiscal general")
        );
        assert_eq!(
            names("Secretario de Relaciones Exteriores"),
            names("secretario")
        );
        assert_eq!(
            names("Presidente electo de los Estados Unidos Mexicanos"),
            names("presidente electo")
        );
        assert_eq!(names("Member of Congress"), names("Representative"));
        assert_eq!(
            names("Assistant Secretary for Western Hemisphere Affairs"),
            names("Assistant Secretary")
        );
    }

    #[test]
    fn an_office_may_end_a_longer_title_only_where_that_is_safe() {
        assert_eq!(
            names("Senate Foreign Relations Committee Chairman"),
            names("Chairman")
        );
        assert_eq!(names("House Majority Leader"), names("Majority Leader"));
        assert_eq!(names("Texas State Senator"), names("State Senator"));
        assert_eq!(names("Associate Justice"), names("Justice"));
        assert_eq!(names("Press Secretary"), None);
        assert_eq!(names("Executive Secretary"), None);
        assert_eq!(
            names("Secretary General of the OAS"),
            names("Secretary General")
        );
    }

    #[test]
    fn former_and_ex_holders() {
        let found = lookup("Former President").unwrap();
        assert!(found.former);
        assert_eq!(found.office.id, names("President").unwrap());
        assert!(lookup("expresidente").unwrap().former);
        assert!(lookup("Ex-Secretaria de Gobernación").unwrap().feminine);
        assert!(lookup("exchairman").unwrap().former);
        assert_eq!(names("Examiner"), None);
        assert_eq!(names("former"), None);
        assert_eq!(names("ex"), None);
    }

    #[test]
    fn feminine_titles_are_flagged() {
        assert!(lookup("Senadora").unwrap().feminine);
        assert!(lookup("Presidenta electa").unwrap().feminine);
        assert!(lookup("Congresswoman").unwrap().feminine);
        assert!(!lookup("Senador").unwrap().feminine);
        assert!(!lookup("Senator").unwrap().feminine);
    }

    #[test]
    fn odd_input_finds_nothing_without_panicking() {
        for title in [
            "",
            " ",
            ",",
            "(",
            " - ",
            "—",
            "ß",
            "🎉 Senator 🎉",
            "of",
            "de la",
            "ex-",
        ] {
            let _ = lookup(title);
        }
        assert_eq!(names("Pope"), None);
    }
}
