//! Language-dependent words: list joining, dates, closings.
//!
//! A language is a tag such as `en`, `es`, `es-MX` or `en_US`; only the primary subtag matters, and
//! anything this module does not know is written in English, so a typo in `vars.lang` degrades to
//! readable English rather than an error in the middle of a run.

use std::fmt::Write as _;

use chrono::{Datelike, NaiveDate};

/// The languages with their own words here; everything else is English.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Lang {
    En,
    Es,
}

impl Lang {
    /// The primary subtag of `tag`, case-insensitively; the ISO 639-2 codes are accepted too because
    /// spreadsheets exported from library and government systems use them.
    pub fn of(tag: &str) -> Lang {
        let primary = tag.trim().split(['-', '_']).next().unwrap_or("");
        if primary.eq_ignore_ascii_case("es") || primary.eq_ignore_ascii_case("spa") {
            Lang::Es
        } else {
            Lang::En
        }
    }
}

/// `A`, `A and B`, `A, B, and C` (English, serial comma); Spanish `A y B`, `A, B y C`, with `e` for
/// `y` before an "i" sound (`A e Iglesias`, `A e Hidalgo`, but `A y Hierro`). `sep` replaces `, `
/// and `last` replaces the whole final joint (`sep="; ", last=" & "` → `A; B & C`); with only `sep`,
/// English keeps its serial conjunction after it (`A; B; and C`).
///
/// Blank items are skipped: they come from empty cells, and `A, , and C` is never what a letter means.
pub fn join(items: &[&str], lang: &str, sep: Option<&str>, last: Option<&str>) -> String {
    let items: Vec<&str> = items
        .iter()
        .copied()
        .filter(|s| !s.trim().is_empty())
        .collect();
    let sep = sep.unwrap_or(", ");
    let mut out = String::new();
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            if i + 1 < items.len() {
                out.push_str(sep);
            } else if let Some(last) = last {
                out.push_str(last);
            } else {
                match Lang::of(lang) {
                    Lang::Es => {
                        out.push_str(if wants_e(item) { " e " } else { " y " });
                    }
                    Lang::En if items.len() == 2 => out.push_str(" and "),
                    Lang::En => {
                        out.push_str(sep);
                        out.push_str("and ");
                    }
                }
            }
        }
        out.push_str(item);
    }
    out
}

/// Whether Spanish `y` becomes `e` before `word`: it does before the vowel sound /i/ written `i`,
/// `í` or `hi`, but not when that `i` starts a diphthong (`y hielo`, `y Iowa`).
fn wants_e(word: &str) -> bool {
    let mut chars = word
        .trim_start()
        .chars()
        .flat_map(char::to_lowercase)
        .map(fold_vowel);
    let mut first = chars.next();
    if first == Some('h') {
        first = chars.next();
    }
    first == Some('i') && !matches!(chars.next(), Some('a' | 'e' | 'o' | 'u'))
}

fn fold_vowel(c: char) -> char {
    match c {
        'á' | 'à' | 'ä' => 'a',
        'é' | 'è' | 'ë' => 'e',
        'í' | 'ì' | 'ï' => 'i',
        'ó' | 'ò' | 'ö' => 'o',
        'ú' | 'ù' | 'ü' => 'u',
        c => c,
    }
}

const MONTHS_ES: [&str; 12] = [
    "enero",
    "febrero",
    "marzo",
    "abril",
    "mayo",
    "junio",
    "julio",
    "agosto",
    "septiembre",
    "octubre",
    "noviembre",
    "diciembre",
];
const MONTHS_ES_ABBR: [&str; 12] = [
    "ene", "feb", "mar", "abr", "may", "jun", "jul", "ago", "sept", "oct", "nov", "dic",
];
const DAYS_ES: [&str; 7] = [
    "lunes",
    "martes",
    "miércoles",
    "jueves",
    "viernes",
    "sábado",
    "domingo",
];
const DAYS_ES_ABBR: [&str; 7] = ["lun", "mar", "mié", "jue", "vie", "sáb", "dom"];

/// `July 11, 2018` (English) or `11 de julio de 2018` (Spanish, names in lower case as the RAE
/// writes them). `format` is a chrono strftime string; in Spanish its `%B %b %h %A %a` give Spanish
/// names. A format chrono cannot apply to a date (a typo, or `%H` on a day) yields the default long
/// date instead of failing halfway through a letter.
pub fn format_date(date: NaiveDate, lang: &str, format: Option<&str>) -> String {
    let lang = Lang::of(lang);
    let default = match lang {
        Lang::En => "%B %-d, %Y",
        Lang::Es => "%-d de %B de %Y",
    };
    let localized = |format: &str| match lang {
        Lang::Es => localize_es(date, format),
        Lang::En => format.to_owned(),
    };
    strftime(date, &localized(format.unwrap_or(default)))
        .or_else(|| strftime(date, &localized(default)))
        .unwrap_or_default()
}

/// A date format chrono cannot apply to a date.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "the date format {0:?} is not a valid strftime format for a date \
     (use e.g. \"%d/%m/%Y\" or \"%B %-d, %Y\"; time fields such as %H have no value)"
)]
pub struct BadDateFormat(pub String);

/// Why `format` cannot format a date, if it cannot: the `date` helper fails the letter with it, so `check` names the
/// template instead of every letter quietly printing the long date.
pub fn check_date_format(format: &str) -> Result<(), BadDateFormat> {
    let probe = NaiveDate::from_ymd_opt(2018, 7, 11).unwrap_or_default();
    match strftime(probe, format) {
        Some(_) => Ok(()),
        None => Err(BadDateFormat(format.to_string())),
    }
}

fn strftime(date: NaiveDate, format: &str) -> Option<String> {
    let mut out = String::new();
    // chrono reports a bad item as fmt::Error at display time; `to_string` would panic on it.
    write!(out, "{}", date.format(format)).ok()?;
    Some(out)
}

/// Replaces the name fields of `format` with Spanish words, leaving every other field to chrono.
fn localize_es(date: NaiveDate, format: &str) -> String {
    let month = date.month0() as usize;
    let day = date.weekday().num_days_from_monday() as usize;
    let mut out = String::with_capacity(format.len());
    let mut chars = format.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '%' {
            out.push(c);
            continue;
        }
        let mut spec = String::from('%');
        if let Some(&flag @ ('-' | '_' | '0')) = chars.peek() {
            spec.push(flag);
            chars.next();
        }
        // `%v` is `%e-%b-%Y`: its month is a name too.
        if spec == "%" && chars.peek() == Some(&'v') {
            chars.next();
            out.push_str("%e-");
            out.push_str(MONTHS_ES_ABBR[month]);
            out.push_str("-%Y");
            continue;
        }
        let word = match chars.peek() {
            Some('B') => Some(MONTHS_ES[month]),
            Some('b' | 'h') => Some(MONTHS_ES_ABBR[month]),
            Some('A') => Some(DAYS_ES[day]),
            Some('a') => Some(DAYS_ES_ABBR[day]),
            _ => None,
        };
        match word {
            // The Spanish names are plain letters, so inserting them literally is safe.
            Some(word) => {
                chars.next();
                out.push_str(word);
            }
            None => {
                out.push_str(&spec);
                // Copy the field letter (or a second `%`) so it is not read as a new field.
                if let Some(next) = chars.next() {
                    out.push(next);
                }
            }
        }
    }
    out
}

/// A date that is not exactly `YYYY-MM-DD`, or no day of the calendar.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DateError {
    #[error("expected a date as YYYY-MM-DD (e.g. 2018-07-11), found {0:?}")]
    Shape(String),
    #[error("{0:?} is not a calendar date (expected YYYY-MM-DD)")]
    NoSuchDay(String),
    #[error("{0:?} is before 1900: a letter's date is from 1900-01-01 on (an email's Date header cannot say earlier)")]
    TooEarly(String),
}

/// Parses a `YYYY-MM-DD` date exactly: four-digit year, two-digit month and day, no spaces, no time.
pub fn parse_date(s: &str) -> Result<NaiveDate, DateError> {
    let expected = || DateError::Shape(s.to_string());
    let b = s.as_bytes();
    let shaped = b.len() == 10
        && b[4] == b'-'
        && b[7] == b'-'
        && b.iter()
            .enumerate()
            .all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit());
    if !shaped {
        return Err(expected());
    }
    // The shape check makes these ASCII digit slices, so the parses cannot fail.
    let year: i32 = s[0..4].parse().map_err(|_| expected())?;
    let month: u32 = s[5..7].parse().map_err(|_| expected())?;
    let day: u32 = s[8..10].parse().map_err(|_| expected())?;
    if year < 1900 {
        return Err(DateError::TooEarly(s.to_string()));
    }
    NaiveDate::from_ymd_opt(year, month, day).ok_or_else(|| DateError::NoSuchDay(s.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn language_tags_use_the_primary_subtag_and_default_to_english() {
        assert_eq!(Lang::of("es"), Lang::Es);
        assert_eq!(Lang::of("es-MX"), Lang::Es);
        assert_eq!(Lang::of("ES_mx"), Lang::Es);
        assert_eq!(Lang::of("spa"), Lang::Es);
        assert_eq!(Lang::of("en-US"), Lang::En);
        assert_eq!(Lang::of("fr"), Lang::En);
        assert_eq!(Lang::of(""), Lang::En);
        assert_eq!(Lang::of("-"), Lang::En);
    }

    #[test]
    fn english_join_uses_the_serial_comma() {
        assert_eq!(join(&[], "en", None, None), "");
        assert_eq!(join(&["A"], "en", None, None), "A");
        assert_eq!(join(&["A", "B"], "en", None, None), "A and B");
        assert_eq!(join(&["A", "B", "C"], "en", None, None), "A, B, and C");
        assert_eq!(
            join(&["A", "B", "C", "D"], "en-US", None, None),
            "A, B, C, and D"
        );
    }

    #[test]
    fn spanish_join_has_no_serial_comma() {
        assert_eq!(join(&["A", "B"], "es", None, None), "A y B");
        assert_eq!(join(&["A", "B", "C"], "es-MX", None, None), "A, B y C");
    }

    #[test]
    fn spanish_y_becomes_e_before_an_i_sound() {
        assert_eq!(
            join(&["Pérez", "Iglesias"], "es", None, None),
            "Pérez e Iglesias"
        );
        assert_eq!(
            join(&["Juárez", "Hidalgo"], "es", None, None),
            "Juárez e Hidalgo"
        );
        assert_eq!(join(&["Ana", "Íñigo"], "es", None, None), "Ana e Íñigo");
        assert_eq!(join(&["agua", "hielo"], "es", None, None), "agua y hielo");
        assert_eq!(join(&["Ohio", "Iowa"], "es", None, None), "Ohio y Iowa");
        assert_eq!(join(&["A", "B", "Irene"], "es", None, None), "A, B e Irene");
        // English has no such rule.
        assert_eq!(join(&["A", "Iglesias"], "en", None, None), "A and Iglesias");
    }

    #[test]
    fn sep_and_last_override_the_joints() {
        let abc = ["A", "B", "C"];
        assert_eq!(join(&abc, "en", Some("; "), Some(" & ")), "A; B & C");
        assert_eq!(join(&abc, "es", Some("; "), Some(" & ")), "A; B & C");
        assert_eq!(join(&["A", "B"], "en", None, Some(" or ")), "A or B");
        assert_eq!(join(&abc, "en", Some("; "), None), "A; B; and C");
        assert_eq!(join(&abc, "es", Some(" / "), None), "A / B y C");
        assert_eq!(join(&abc, "en", Some("\n"), Some("\n")), "A\nB\nC");
    }

    #[test]
    fn blank_items_are_skipped() {
        assert_eq!(join(&["A", "", "C"], "en", None, None), "A and C");
        assert_eq!(join(&["", " ", ""], "en", None, None), "");
    }

    #[test]
    fn default_dates_are_long_dates_in_the_language() {
        assert_eq!(format_date(d(2018, 7, 11), "en", None), "July 11, 2018");
        assert_eq!(format_date(d(2018, 7, 1), "en", None), "July 1, 2018");
        assert_eq!(
            format_date(d(2018, 7, 11), "es", None),
            "11 de julio de 2018"
        );
        assert_eq!(
            format_date(d(2018, 9, 1), "es-MX", None),
            "1 de septiembre de 2018"
        );
        assert_eq!(format_date(d(2018, 7, 11), "de", None), "July 11, 2018");
    }

    #[test]
    fn a_format_string_is_strftime() {
        let date = d(2018, 7, 11);
        assert_eq!(format_date(date, "en", Some("%d/%m/%Y")), "11/07/2018");
        assert_eq!(format_date(date, "es", Some("%d/%m/%Y")), "11/07/2018");
        assert_eq!(
            format_date(date, "en", Some("%A, %B %-d")),
            "Wednesday, July 11"
        );
        assert_eq!(format_date(date, "en", Some("100%% %Y")), "100% 2018");
    }

    #[test]
    fn spanish_formats_get_spanish_month_and_day_names() {
        let date = d(2018, 7, 11);
        assert_eq!(
            format_date(date, "es", Some("%A %-d de %B de %Y")),
            "miércoles 11 de julio de 2018"
        );
        assert_eq!(
            format_date(date, "es", Some("%a %d %b %Y")),
            "mié 11 jul 2018"
        );
        assert_eq!(format_date(date, "es", Some("%h")), "jul");
        assert_eq!(format_date(date, "es", Some("%-B")), "julio");
        assert_eq!(format_date(date, "es", Some("%%B %B")), "%B julio");
        assert_eq!(format_date(d(2018, 12, 2), "es", Some("%a %b")), "dom dic");
    }

    #[test]
    fn a_bad_format_falls_back_to_the_long_date_and_is_reported_by_check() {
        let date = d(2018, 7, 11);
        assert_eq!(format_date(date, "en", Some("%H:%M")), "July 11, 2018");
        assert_eq!(format_date(date, "es", Some("%Q")), "11 de julio de 2018");
        assert_eq!(format_date(date, "es", Some("%")), "11 de julio de 2018");
        assert_eq!(format_date(date, "es", Some("%v")), "11-jul-2018");
        assert!(check_date_format("%d/%m/%Y").is_ok());
        let err = check_date_format("%H").unwrap_err().to_string();
        assert!(err.contains("\"%H\""), "{err}");
    }

    #[test]
    fn parse_date_accepts_exactly_yyyy_mm_dd() {
        assert_eq!(parse_date("2018-07-11"), Ok(d(2018, 7, 11)));
        assert_eq!(parse_date("2020-02-29"), Ok(d(2020, 2, 29)));
        for bad in [
            "",
            "2018-7-11",
            "18-07-11",
            "2018/07/11",
            " 2018-07-11",
            "2018-07-11T00:00",
            "July 11, 2018",
            "２０１８-07-11",
            "2018-0é-11",
        ] {
            let err = parse_date(bad).unwrap_err().to_string();
            assert!(err.contains("YYYY-MM-DD"), "{bad:?}: {err}");
            assert!(err.contains(&format!("{bad:?}")), "{bad:?}: {err}");
        }
    }

    #[test]
    fn parse_date_rejects_days_that_do_not_exist() {
        let err = parse_date("2018-02-29").unwrap_err().to_string();
        assert_eq!(
            err,
            "\"2018-02-29\" is not a calendar date (expected YYYY-MM-DD)"
        );
        assert!(parse_date("2018-13-01").is_err());
        assert!(parse_date("2018-00-10").is_err());
    }

    #[test]
    fn parse_date_takes_years_an_email_can_carry() {
        assert_eq!(parse_date("1900-01-01"), Ok(d(1900, 1, 1)));
        assert_eq!(parse_date("9999-12-31"), Ok(d(9999, 12, 31)));
        for early in ["0000-01-01", "1899-12-31", "0218-07-11"] {
            let err = parse_date(early).unwrap_err().to_string();
            assert!(err.contains("before 1900"), "{early}: {err}");
        }
        assert!(parse_date("+10000-01-01").is_err());
    }
}
