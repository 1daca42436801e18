//! The address linter: per letter, the office in the row against the address block the letter prints, its
//! salutation, the override, the gender and the language. Every warning names the row (`file:line`) and the words
//! to use, which come from the forms-of-address table.

use std::collections::BTreeSet;

use serde_json::Value;

use crate::diag::{Problem, Problems};
use crate::load::table::{Row, Shape};
use crate::load::Campaign;
use crate::plan::{Letter, Unit};
use crate::render::address::{
    self, gender_column, gender_of_word, honorific_lang, Cells, Gender, HonorificLang, Person,
    Style,
};
use crate::render::context::in_language;
use crate::render::lang::Lang;
use crate::render::Rendered;

use super::printed::{
    allowed_words, describe, foreign_office_word, honorable_lines, honorable_with_title,
    is_greeting, unescape,
};

/// The rules that read rows, for one letter (before the per-signatory split) of a variant in `lang`: `check` runs
/// them on every unit of every variant.
/// `formal`: whether any template may ask for `{{salutation style="formal"}}`.
pub fn unit(t: &Shape, unit: &Unit, lang: &str, formal: bool, problems: &mut Problems) {
    for row in &unit.rows {
        row_rules(t, row, lang, formal, problems);
    }
    mixed_languages(t, &unit.key, &unit.rows, problems);
    no_copy(t, unit, problems);
}

/// In a letter to several offices, a row with no email while the others have one: the letter still names that
/// office (its salutation, its address), but its `to` leaves it out, so the office never gets a copy.
fn no_copy(t: &Shape, unit: &Unit, problems: &mut Problems) {
    let Some(email) = t.column("email") else {
        return;
    };
    if unit.rows.len() < 2 || unit.rows.iter().all(|r| r.get(email).trim().is_empty()) {
        return;
    }
    for row in unit.rows.iter().filter(|r| r.get(email).trim().is_empty()) {
        problems.push(
            t.at(
                Problem::warning(format!(
                "`{}` has no email: the letter `{}` names that office but goes only to the others",
                t.key(row),
                unit.key
            ))
                .help("fill the email cell, or deliver that office's copy by hand"),
                row.line,
                Some(email),
            ),
        );
    }
}

/// The rules that read what a letter prints: its address block and its salutation line.
pub fn letter(letter: &Letter, rendered: &Rendered, campaign: &Campaign) -> Problems {
    let mut problems = Problems::new();
    let t = &campaign.recipients;
    let lang = &letter.variant.lang;
    let Some(first) = letter.unit.rows.first() else {
        return problems;
    };
    let at = |message: String| t.at(Problem::warning(message), first.line, t.column("title"));
    // Unescaping keeps lines as they are (no escape precedes a line break), so only the few lines a rule reads are
    // unescaped: a letter is read once, not copied.
    for raw in honorable_lines(&rendered.markdown) {
        let line = &unescape(raw);
        if let Some(wrong) = honorable_with_title(line) {
            let fixed = line
                .replacen(&wrong, "", 1)
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" ");
            problems.push(
                at(format!(
                    "letter {} prints “{}”: “The Honorable” is never combined with another title",
                    rendered.id,
                    line.trim()
                ))
                .help(format!("write “{fixed}” ({{{{addressee}}}} gives it)")),
            );
        }
    }
    let cells: Vec<Cells> = letter.unit.rows.iter().map(|r| cells(t, r, lang)).collect();
    let people: Vec<Person> = cells.iter().map(Cells::person).collect();
    // A letter whose rows override the salutation says what the override says; the rows' rules cover it.
    if people.iter().any(|p| address::override_of(p).is_some()) {
        return problems;
    }
    let Some(greeting) = rendered
        .markdown
        .lines()
        .map(str::trim)
        .find(|l| is_greeting(l))
        .map(unescape)
    else {
        return problems;
    };
    let greeting = greeting.as_str();
    let expected = address::salutation(&people, lang, Style::Usual).text;
    let formal = address::salutation(&people, lang, Style::Formal).text;
    let allowed = allowed_words(&people, &[&expected, &formal]);
    if let Some((word, other)) = foreign_office_word(greeting, &allowed) {
        let who = describe(&people);
        problems.push(
            at(format!(
                "letter {}: the salutation “{greeting}” says “{word}” ({other}), but the letter is to {who}",
                rendered.id
            ))
            .help(format!("write “{expected}” ({{{{salutation}}}} gives it)")),
        );
    }
    problems
}

fn cells(t: &Shape, row: &Row, lang: &str) -> Cells {
    Cells::of_row(&Value::Object(in_language(t.row_json(row), lang)), lang)
}

fn row_rules(t: &Shape, row: &Row, lang: &str, formal: bool, problems: &mut Problems) {
    let c = cells(t, row, lang);
    let p = c.person();
    let key = t.key(row);
    let at = |message: String| t.at(Problem::warning(message), row.line, t.column("title"));
    let spanish = Lang::of(lang) == Lang::Es;
    let lang_name = if spanish { "Spanish" } else { "English" };
    let col = |name: &str| {
        let own = format!("{name}_{}", primary(lang));
        match t.column(&own) {
            Some(i) if !row.get(i).trim().is_empty() => own,
            _ => name.to_owned(),
        }
    };
    let usual = address::salutation(&[p], lang, Style::Usual).text;

    // "The Honorable" is the office's, never a person's honorific or part of a name.
    for (name, value) in [("honorific", p.honorific), ("first_name", p.first_name)] {
        let lead = value
            .split_whitespace()
            .take(2)
            .collect::<Vec<_>>()
            .join(" ");
        let first = value.split_whitespace().next().unwrap_or("");
        if honorific_lang(first) == HonorificLang::Honorable
            || honorific_lang(&lead) == HonorificLang::Honorable
        {
            problems.push(
                at(format!("`{key}`: `{}` is “{value}”, but “The Honorable” comes from the office: with another title it would print twice or be combined", col(name)))
                    .help(format!("remove it from `{}`; {{{{addressee}}}} gives “{}”", col(name), address::addressee(&p, lang))),
            );
        }
    }

    // An honorific of the other language is left out of the letter.
    let h = p.honorific.trim();
    let other_language = match honorific_lang(h) {
        HonorificLang::English => spanish,
        HonorificLang::Spanish => !spanish,
        _ => false,
    };
    if !h.is_empty() && other_language {
        problems.push(
            at(format!("`{key}`: the honorific “{h}” is not {lang_name}, so the {lang_name} letter leaves it out"))
                .help(format!("fill `honorific_{}` with the {lang_name} honorific, or leave it empty", primary(lang))),
        );
    }

    let view = address::view(&p);
    let title = p.title.trim();
    let overridden = address::override_of(&p);

    // A title unknown in the letter's language.
    if view.is_none() && !title.is_empty() && overridden.is_none() {
        problems.push(
            at(format!("title `{title}` of `{key}` is not in the forms-of-address table ({lang_name}): the salutation will be “{usual}”"))
                .help(format!("use a title the table knows (docs/forms-of-address.md), or fill `{}` to choose the words yourself", col("salutation"))),
        );
    }
    if let Some(v) = view {
        if let (Some(of), None) = (v.other_country, overridden) {
            problems.push(
                at(format!(
                    "`{key}`'s title `{title}` is an office of {of}, but the row's `country` is {}: the letter uses \
                     {of}'s forms (“{usual}”)",
                    p.country.trim()
                ))
                .help(format!(
                    "write the title of the row's own country (a U.S. representative is \"Representative\", \
                     \"Representante\" in Spanish), correct `country`, or fill `{}` with the words to use",
                    col("salutation")
                )),
            );
        }
        if spanish && v.needs_chamber_es && v.chamber.is_none() && overridden.is_none() {
            problems.push(
                at(format!("`{key}` is a {title} but the row does not say of which chamber: the Spanish salutation will be “{usual}”"))
                    .help("add a `chamber` column (senate or house), or name the Senate or House in `organization`; a senator is “Senador/Senadora”, a representative “Representante”"),
            );
        }
    }

    // No gender anywhere, and a form that has one: the letter guesses.
    if let Some(guess) = guessed_gender(&p, lang, overridden.is_some(), formal) {
        problems.push(
            at(if p.gender.trim().is_empty() {
                format!("`{key}` has no `gender`, so the {lang_name} letter guesses a man: {guess}")
            } else {
                format!(
                    "`{key}` has a `gender` of {:?}, which says neither woman nor man, so the {lang_name} letter \
                     guesses a man: {guess}",
                    p.gender.trim()
                )
            })
            .help("write f or m in `gender` (or fill `salutation` with the words to use)"),
        );
    }

    // The gender column against the title, the position, the honorific and the override.
    let gender = gender_column(p.gender);
    if gender != Gender::Unknown {
        let g = if gender == Gender::Female {
            "female"
        } else {
            "male"
        };
        for (name, value) in [("title", p.title), ("position", position(t, row, lang))] {
            let shown = Person { title: value, ..p };
            let Some(v) = address::view(&shown) else {
                continue;
            };
            if v.feminine_title && gender == Gender::Male {
                problems.push(
                    at(format!(
                        "`{key}`: `{}` “{}” is a woman’s title but `gender` is {g}",
                        col(name),
                        value.trim()
                    ))
                    .help("correct the title or the gender"),
                );
            } else if !v.feminine_title
                && gender == Gender::Female
                && v.has_feminine
                && is_masculine_word(value, v.feminine_names)
            {
                let words = v
                    .feminine_names
                    .iter()
                    .map(|n| format!("“{n}”"))
                    .collect::<Vec<_>>()
                    .join(" or ");
                problems.push(
                    at(format!(
                        "`{key}`: `{}` “{}” is a man’s title but `gender` is {g}",
                        col(name),
                        value.trim()
                    ))
                    .help(format!(
                        "write the feminine form ({words}), or correct the gender"
                    )),
                );
            }
        }
        let courtesy = overridden
            .and_then(|o| o.split_whitespace().next())
            .unwrap_or("");
        for (name, value) in [("honorific", h), ("salutation", courtesy)] {
            let told = gender_of_word(value);
            if told != Gender::Unknown && told != gender {
                problems.push(
                    at(format!(
                        "`{key}`: `{}` “{}” does not agree with `gender` {g}",
                        col(name),
                        if name == "salutation" {
                            p.salutation.trim()
                        } else {
                            value
                        }
                    ))
                    .help(format!(
                        "correct one of them; the table gives “{}”",
                        address::salutation(
                            &[Person {
                                salutation: "",
                                ..p
                            }],
                            lang,
                            Style::Usual
                        )
                        .text
                    )),
                );
            }
        }
    }

    // A salutation override that names another office, or is in the other language.
    if let Some(text) = overridden {
        let plain = Person {
            salutation: "",
            ..p
        };
        let table_form = address::salutation(&[plain], lang, Style::Usual).text;
        let formal = address::salutation(&[plain], lang, Style::Formal).text;
        if view.is_some() {
            let allowed = allowed_words(&[plain], &[&table_form, &formal]);
            if let Some((word, other)) = foreign_office_word(text, &allowed) {
                problems.push(
                    at(format!(
                        "`{key}`: `{}` “{}” says “{word}” ({other}), but the title is `{title}`",
                        col("salutation"),
                        p.salutation.trim()
                    ))
                    .help(format!(
                        "the table gives “{table_form}”; correct the override or the title"
                    )),
                );
            }
        }
        let english_words = ["mr.", "ms.", "mrs.", "madam", "dear", "sir"];
        let spanish_words = [
            "señor",
            "señora",
            "estimado",
            "estimada",
            "sr.",
            "sra.",
            "distinguido",
            "distinguida",
        ];
        let words: Vec<String> = p
            .salutation
            .split_whitespace()
            .map(str::to_lowercase)
            .collect();
        let (foreign, want) = if spanish {
            (&english_words[..], "Spanish")
        } else {
            (&spanish_words[..], "English")
        };
        if words.iter().any(|w| foreign.contains(&w.as_str())) {
            problems.push(
                at(format!(
                    "`{key}`: `{}` “{}” is not {want}, but the letter is",
                    col("salutation"),
                    p.salutation.trim()
                ))
                .help(format!(
                    "fill `salutation_{}` for {want} letters; the table gives “{table_form}”",
                    primary(lang)
                )),
            );
        }
    }
}

/// The printed position cell in the language (`position_es` in a Spanish letter).
fn position<'a>(t: &Shape, row: &'a Row, lang: &str) -> &'a str {
    let own = t
        .column(&format!("position_{}", primary(lang)))
        .map(|i| row.get(i))
        .filter(|v| !v.trim().is_empty());
    own.or_else(|| t.column("position").map(|i| row.get(i)))
        .unwrap_or("")
}

/// Whether a title is the masculine twin of a feminine name ("Senador" of "senadora"): its first word differs only
/// in its ending. English words that serve both ("Chairman", "Senator") have no feminine name and never get here.
/// What a row without a gender prints that would differ for a woman: “Dear Mr. Secretary” (formal), “Estimado
/// Secretario” — when neither `gender`, the honorific nor the title's own word says which.
fn guessed_gender(p: &Person, lang: &str, overridden: bool, formal: bool) -> Option<String> {
    let honorific = p.honorific.split_whitespace().next().unwrap_or("");
    if gender_column(p.gender) != Gender::Unknown || gender_of_word(honorific) != Gender::Unknown {
        return None;
    }
    let v = address::view(p)?;
    if v.feminine_title || (v.has_feminine && is_masculine_word(p.title, v.feminine_names)) {
        return None;
    }
    let as_ = |gender| Person { gender, ..*p };
    let said = |person: &Person, style| address::salutation(&[*person], lang, style).text;
    if !overridden {
        let styles = [
            (Style::Usual, ""),
            (Style::Formal, " ({{salutation style=\"formal\"}})"),
        ];
        for (style, how) in styles.into_iter().take(if formal { 2 } else { 1 }) {
            let (text, woman) = (said(p, style), said(&as_("f"), style));
            if text != woman {
                return Some(format!("“{text}”{how}, not “{woman}”"));
            }
        }
    }
    let (text, woman) = (
        address::addressee(p, lang),
        address::addressee(&as_("f"), lang),
    );
    (text != woman).then(|| format!("“{text}” ({{{{addressee}}}}), not “{woman}”"))
}

fn is_masculine_word(title: &str, feminine: &[String]) -> bool {
    let first = crate::render::address::normalize_title(title);
    let first = first.split(' ').next().unwrap_or("");
    feminine.iter().any(|f| {
        let f = f.split(' ').next().unwrap_or("");
        f != first && f.len() >= 4 && first.len() >= 4 && f[..4] == first[..4]
    })
}

fn mixed_languages(t: &Shape, key: &str, rows: &[Row], problems: &mut Problems) {
    let Some(col) = t.column("lang") else {
        return;
    };
    if rows.len() < 2 {
        return;
    }
    let langs: BTreeSet<String> = rows
        .iter()
        .map(|r| primary(r.get(col)))
        .filter(|l| !l.is_empty())
        .collect();
    if langs.len() < 2 {
        return;
    }
    let lines = rows
        .iter()
        .map(|r| format!("{} `{}`", t.row_ref(r.line), r.get(col).trim()))
        .collect::<Vec<_>>()
        .join(", ");
    problems.push(t.at(
        Problem::warning(format!("the grouped letter `{key}` mixes languages ({lines}): its addressees get one letter in one language"))
            .help("give these rows different `group` values (one letter per language), or make their `lang` agree"),
        rows[1].line,
        Some(col),
    ));
}

fn primary(lang: &str) -> String {
    lang.trim()
        .split(['-', '_'])
        .next()
        .unwrap_or("")
        .to_ascii_lowercase()
}
