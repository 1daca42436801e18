//! The forms-of-address table (`forms.toml`), compiled in and parsed once.
//!
//! The table is data so that people who know protocol can review and correct it without reading Rust: each office
//! has its English and Spanish forms and the sources they follow. `docs/forms-of-address.md` shows it rendered.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use serde::Deserialize;

use crate::render::lang::Lang;

const SOURCE: &str = include_str!("forms.toml");

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Table {
    // Read by the docs (docs/forms-of-address.md is rendered by a test).
    #[cfg_attr(not(test), allow(dead_code))]
    /// Source key → citation.
    pub sources: BTreeMap<String, String>,
    pub office: Vec<Office>,
}

#[derive(Clone, Copy, Debug, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub(crate) enum Country {
    Us,
    Mx,
    /// International organizations (the OAS, the UN).
    Intl,
    /// Another country's envoy: used when a row's `country` is neither US nor MX.
    Foreign,
}

impl Country {
    /// A row's `country` cell: "US", "USA", "Estados Unidos", "MX", "México"…; `None` when empty.
    pub fn of_cell(cell: &str) -> Option<Country> {
        // Every letter asks several times, and a campaign has a handful of distinct cells: remembered per thread.
        const KEEP: usize = 64;
        thread_local! {
            static SEEN: std::cell::RefCell<Vec<(Box<str>, Option<Country>)>> =
                const { std::cell::RefCell::new(Vec::new()) };
        }
        if let Some(hit) = SEEN.with(|s| {
            s.borrow()
                .iter()
                .find(|(text, _)| &**text == cell)
                .map(|(_, c)| *c)
        }) {
            return hit;
        }
        let country = Self::of_folded(&super::titles::fold_words(cell));
        SEEN.with(|s| {
            let mut seen = s.borrow_mut();
            if seen.len() < KEEP {
                seen.push((cell.into(), country));
            }
        });
        country
    }

    fn of_folded(c: &str) -> Option<Country> {
        match c {
            "" => None,
            "us"
            | "usa"
            | "united states"
            | "united states of america"
            | "estados unidos"
            | "eeuu"
            | "ee uu"
            | "eua" => Some(Country::Us),
            "mx" | "mex" | "mexico" | "estados unidos mexicanos" => Some(Country::Mx),
            _ => Some(Country::Foreign),
        }
    }
}

pub use crate::load::roster::Chamber;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Office {
    pub id: String,
    // Read by the docs (docs/forms-of-address.md is rendered by a test).
    #[cfg_attr(not(test), allow(dead_code))]
    pub group: String,
    pub country: Country,
    pub kind: Option<String>,
    pub names: Vec<String>,
    #[serde(default)]
    pub feminine: Vec<String>,
    #[serde(default)]
    pub suffix: bool,
    pub chamber: Option<Chamber>,
    /// Held by a member of the U.S. Congress (looked up in the roster).
    #[serde(default)]
    pub congress: bool,
    // Read by the docs (docs/forms-of-address.md is rendered by a test).
    #[cfg_attr(not(test), allow(dead_code))]
    /// `[[first, last] of a man, [first, last] of a woman]`, for the docs.
    pub example: [[String; 2]; 2],
    pub en: Forms,
    pub es: Forms,
}

/// One office in one language. Placeholders are described at the top of `forms.toml`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Forms {
    pub line: String,
    pub usual: String,
    pub usual_f: Option<String>,
    pub formal: Option<String>,
    pub formal_f: Option<String>,
    pub plural: Option<String>,
    pub plural_f: Option<String>,
    pub former: Option<String>,
    // Read by the docs (docs/forms-of-address.md is rendered by a test).
    #[cfg_attr(not(test), allow(dead_code))]
    pub sources: Vec<String>,
    // Read by the docs (docs/forms-of-address.md is rendered by a test).
    #[cfg_attr(not(test), allow(dead_code))]
    pub note: Option<String>,
}

impl Office {
    pub fn forms(&self, lang: Lang) -> &Forms {
        match lang {
            Lang::En => &self.en,
            Lang::Es => &self.es,
        }
    }
}

impl Forms {
    pub fn usual(&self, female: bool) -> &str {
        pick(&self.usual, self.usual_f.as_deref(), female)
    }

    pub fn formal(&self, female: bool) -> &str {
        match &self.formal {
            Some(m) => pick(m, self.formal_f.as_deref(), female),
            None => self.usual(female),
        }
    }

    pub fn plural(&self, all_female: bool) -> Option<&str> {
        let m = self.plural.as_deref()?;
        Some(pick(m, self.plural_f.as_deref(), all_female))
    }
}

fn pick<'a>(m: &'a str, f: Option<&'a str>, female: bool) -> &'a str {
    match (female, f) {
        (true, Some(f)) => f,
        _ => m,
    }
}

/// The table, parsed on first use. The file is compiled in and a unit test parses it, so a failure here is a
/// build that skipped the tests; it falls back to an empty table rather than panicking in a user's run.
pub(crate) fn table() -> &'static Table {
    static TABLE: OnceLock<Table> = OnceLock::new();
    TABLE.get_or_init(|| {
        toml::from_str(SOURCE).unwrap_or_else(|_| Table {
            sources: BTreeMap::new(),
            office: Vec::new(),
        })
    })
}

#[cfg(test)]
pub(super) fn parse() -> Result<Table, toml::de::Error> {
    toml::from_str(SOURCE)
}
