//! The forms of address, rule by rule.

use super::*;
use super::{doc, table};

fn p<'a>(title: &'a str, first_name: &'a str, last_name: &'a str) -> Person<'a> {
    Person {
        title,
        first_name,
        last_name,
        ..Person::default()
    }
}

fn woman(person: Person) -> Person {
    Person {
        gender: "female",
        ..person
    }
}

fn man(person: Person) -> Person {
    Person {
        gender: "male",
        ..person
    }
}

fn usual(people: &[Person], lang: &str) -> String {
    salutation(people, lang, Style::Usual).text
}

fn formal(people: &[Person], lang: &str) -> String {
    salutation(people, lang, Style::Formal).text
}

const POMPEO: Person = Person {
    title: "Secretary of State",
    first_name: "Mike",
    last_name: "Pompeo",
    salutation: "",
    gender: "",
    honorific: "",
    country: "",
    chamber: "",
};

#[test]
fn secretaries_are_dear_secretary_surname_whatever_the_department() {
    assert_eq!(usual(&[POMPEO], "en"), "Dear Secretary Pompeo");
    assert_eq!(
        usual(&[p("Secretary", "Mike", "Pompeo")], "en"),
        "Dear Secretary Pompeo"
    );
    let nielsen = p("Secretary of Homeland Security", "Kirstjen", "Nielsen");
    assert_eq!(usual(&[nielsen], "en"), "Dear Secretary Nielsen");
    let ross = p("U.S. Secretary of Commerce", "Wilbur", "Ross");
    assert_eq!(usual(&[ross], "en-US"), "Dear Secretary Ross");
}

#[test]
fn legislators_by_office_and_surname() {
    assert_eq!(
        usual(&[p("Senator", "Marco", "Rubio")], "en"),
        "Dear Senator Rubio"
    );
    assert_eq!(
        usual(&[p("U.S. Senator", "Marco", "Rubio")], "en"),
        "Dear Senator Rubio"
    );
    let castro = p("Representative", "Joaquin", "Castro");
    assert_eq!(usual(&[castro], "en"), "Dear Representative Castro");
    let castro = p("Member of Congress", "Joaquin", "Castro");
    assert_eq!(usual(&[castro], "en"), "Dear Representative Castro");
    let torres = p("Congresswoman", "Norma", "Torres");
    assert_eq!(usual(&[torres], "en"), "Dear Congresswoman Torres");
    let engel = p("Congressman", "Eliot", "Engel");
    assert_eq!(usual(&[engel], "en"), "Dear Congressman Engel");
    let state = p("State Senator", "José", "Menéndez");
    assert_eq!(usual(&[state], "en"), "Dear Senator Menéndez");
}

#[test]
fn the_president_is_mr_or_madam_president() {
    let president = p("President", "Donald", "Trump");
    assert_eq!(usual(&[president], "en"), "Dear Mr. President");
    assert_eq!(formal(&[president], "en"), "Dear Mr. President");
    assert_eq!(usual(&[p("President", "", "")], "en"), "Dear Mr. President");
    let madam = woman(p("President of the United States", "Jane", "Doe"));
    assert_eq!(usual(&[madam], "en"), "Dear Madam President");
    let vp = p("Vice President", "Mike", "Pence");
    assert_eq!(usual(&[vp], "en"), "Dear Mr. Vice President");
}

#[test]
fn formal_style_uses_the_office_without_the_surname() {
    assert_eq!(formal(&[POMPEO], "en"), "Dear Mr. Secretary");
    assert_eq!(formal(&[woman(POMPEO)], "en"), "Dear Madam Secretary");
    let barcena = woman(p("Ambassador", "Roberta", "Jacobson"));
    assert_eq!(formal(&[barcena], "en"), "Dear Madam Ambassador");
    let risch = p("Chairman", "James", "Risch");
    assert_eq!(formal(&[risch], "en"), "Dear Mr. Chairman");
    let pelosi = woman(p("Speaker of the House", "Nancy", "Pelosi"));
    assert_eq!(usual(&[pelosi], "en"), "Dear Madam Speaker");
    assert_eq!(formal(&[pelosi], "en"), "Dear Madam Speaker");
}

#[test]
fn formal_style_keeps_the_office_where_the_sources_have_no_other_form() {
    let rubio = p("Senator", "Marco", "Rubio");
    assert_eq!(formal(&[rubio], "en"), "Dear Senator Rubio");
    let abbott = p("Governor", "Greg", "Abbott");
    assert_eq!(formal(&[abbott], "en"), "Dear Governor Abbott");
}

#[test]
fn formal_representatives_are_mr_or_ms_surname_or_their_honorific() {
    let castro = p("Representative", "Joaquin", "Castro");
    assert_eq!(formal(&[man(castro)], "en"), "Dear Mr. Castro");
    let torres = woman(p("Representative", "Norma", "Torres"));
    assert_eq!(formal(&[torres], "en"), "Dear Ms. Torres");
    let ruiz = Person {
        honorific: "Dr.",
        ..p("Representative", "Raul", "Ruiz")
    };
    assert_eq!(formal(&[ruiz], "en"), "Dear Dr. Ruiz");
    // Without a gender or honorific there is nothing to choose Mr./Ms. from.
    assert_eq!(formal(&[castro], "en"), "Dear Representative Castro");
    let torres = p("Congresswoman", "Norma", "Torres");
    assert_eq!(formal(&[torres], "en"), "Dear Ms. Torres");
}

#[test]
fn several_addressees_are_joined() {
    let risch = p("Chairman", "James", "Risch");
    let menendez = p("Ranking Member", "Bob", "Menendez");
    assert_eq!(
        usual(&[risch, menendez], "en"),
        "Dear Chairman Risch and Ranking Member Menendez"
    );
    let rubio = p("Senator", "Marco", "Rubio");
    assert_eq!(
        usual(&[risch, menendez, rubio], "en"),
        "Dear Chairman Risch, Ranking Member Menendez, and Senator Rubio"
    );
    assert_eq!(
        formal(&[risch, menendez], "en"),
        "Dear Mr. Chairman and Ranking Member Menendez"
    );
}

#[test]
fn chair_words_are_kept_as_written() {
    assert_eq!(
        usual(&[p("Chair", "Jeanne", "Shaheen")], "en"),
        "Dear Chair Shaheen"
    );
    let ros = p("Chairwoman", "Ileana", "Ros-Lehtinen");
    assert_eq!(usual(&[ros], "en"), "Dear Chairwoman Ros-Lehtinen");
    let engel = p(
        "Chairman, House Foreign Affairs Committee",
        "Eliot",
        "Engel",
    );
    assert_eq!(usual(&[engel], "en"), "Dear Chairman Engel");
    let chair = woman(p("Chair", "Jeanne", "Shaheen"));
    assert_eq!(formal(&[chair], "en"), "Dear Madam Chair");
}

#[test]
fn spanish_titles_agree_with_the_person() {
    let monreal = p("Senador", "Ricardo", "Monreal");
    assert_eq!(usual(&[monreal], "es"), "Estimado Senador Monreal");
    let micher = p("Senadora", "Martha Lucía", "Micher Camarena");
    assert_eq!(usual(&[micher], "es"), "Estimada Senadora Micher Camarena");
    let micher = woman(p("Senador", "Martha Lucía", "Micher Camarena"));
    assert_eq!(
        usual(&[micher], "es-MX"),
        "Estimada Senadora Micher Camarena"
    );
    let sanchez = p("Secretaria de Gobernación", "Olga", "Sánchez Cordero");
    assert_eq!(
        usual(&[sanchez], "es"),
        "Estimada Secretaria Sánchez Cordero"
    );
    let munoz = p("Diputado", "Porfirio", "Muñoz Ledo");
    assert_eq!(usual(&[munoz], "es"), "Estimado Diputado Muñoz Ledo");
    let diputada = Person {
        gender: "mujer",
        ..p("Diputado Federal", "Tatiana", "Clouthier")
    };
    assert_eq!(usual(&[diputada], "es"), "Estimada Diputada Clouthier");
    let barcena = p(
        "Embajadora de México en los Estados Unidos",
        "Martha",
        "Bárcena",
    );
    assert_eq!(usual(&[barcena], "es"), "Estimada Embajadora Bárcena");
    let gertz = p(
        "Fiscal General de la República",
        "Alejandro",
        "Gertz Manero",
    );
    assert_eq!(
        usual(&[gertz], "es"),
        "Estimado Fiscal General Gertz Manero"
    );
    let alcaldesa = p("Presidenta Municipal de Tijuana", "", "Ruiz Uribe");
    assert_eq!(
        usual(&[alcaldesa], "es"),
        "Estimada Presidenta Municipal Ruiz Uribe"
    );
}

#[test]
fn spanish_presidents_are_senor_presidente() {
    let pena = p("Presidente", "Enrique", "Peña Nieto");
    assert_eq!(usual(&[pena], "es"), "Estimado Señor Presidente");
    let amlo = p("Presidente electo", "Andrés Manuel", "López Obrador");
    assert_eq!(usual(&[amlo], "es"), "Estimado Señor Presidente electo");
    let sheinbaum = p("Presidenta Electa", "Claudia", "Sheinbaum Pardo");
    assert_eq!(
        usual(&[sheinbaum], "es"),
        "Estimada Señora Presidenta electa"
    );
}

#[test]
fn spanish_formal_style_is_distinguido_senor_office() {
    let ebrard = man(p(
        "Secretario de Relaciones Exteriores",
        "Marcelo",
        "Ebrard",
    ));
    assert_eq!(formal(&[ebrard], "es"), "Distinguido Señor Secretario");
    let sanchez = p("Secretaria de Gobernación", "Olga", "Sánchez Cordero");
    assert_eq!(formal(&[sanchez], "es"), "Distinguida Señora Secretaria");
    let gertz = p("Fiscal General", "Alejandro", "Gertz Manero");
    assert_eq!(formal(&[gertz], "es"), "Distinguido Señor Fiscal General");
}

#[test]
fn several_spanish_addressees_agree_in_the_plural() {
    let monreal = p("Senador", "Ricardo", "Monreal");
    let micher = p("Senadora", "Martha Lucía", "Micher");
    let clouthier = p("Diputada", "Tatiana", "Clouthier");
    // Holders of one office are named together, in the masculine plural unless all are women.
    assert_eq!(
        usual(&[monreal, micher], "es"),
        "Estimados Senadores Monreal y Micher"
    );
    let sanchez = p("Senadora", "Olga", "Sánchez Cordero");
    assert_eq!(
        usual(&[micher, sanchez], "es"),
        "Estimadas Senadoras Micher y Sánchez Cordero"
    );
    assert_eq!(
        usual(&[micher, clouthier], "es"),
        "Estimadas Senadora Micher y Diputada Clouthier"
    );
    assert_eq!(
        usual(&[micher, clouthier, monreal], "es"),
        "Estimados Senadora Micher, Diputada Clouthier y Senador Monreal"
    );
}

#[test]
fn titles_cross_languages() {
    let amlo = p("Presidente electo", "Andrés Manuel", "López Obrador");
    assert_eq!(usual(&[amlo], "en"), "Dear President-elect López Obrador");
    assert_eq!(formal(&[amlo], "en"), "Dear Mr. President-elect");
    assert_eq!(
        usual(&[p("Senadora", "Olga", "Sánchez")], "en"),
        "Dear Senator Sánchez"
    );
    assert_eq!(usual(&[POMPEO], "es"), "Estimado Secretario Pompeo");
    assert_eq!(usual(&[woman(POMPEO)], "es"), "Estimada Secretaria Pompeo");
    let rubio = p("Senator", "Marco", "Rubio");
    assert_eq!(usual(&[rubio], "es"), "Estimado Senador Rubio");
    let trump = p("President", "Donald", "Trump");
    assert_eq!(usual(&[trump], "es"), "Estimado Señor Presidente");
    let castro = p("Representative", "Joaquin", "Castro");
    // "Representante", never "Congresista" (which the Spanish-language press uses for both chambers).
    assert_eq!(usual(&[castro], "es"), "Estimado Representante Castro");
}

#[test]
fn former_officials_keep_the_office_word_usually_and_are_mr_or_ms_formally() {
    let obama = man(p("Former President", "Barack", "Obama"));
    assert_eq!(usual(&[obama], "en"), "Dear President Obama");
    assert_eq!(formal(&[obama], "en"), "Dear Mr. Obama");
    assert_eq!(addressee(&obama, "en"), "The Honorable Barack Obama");
    let fox = p("Expresidente", "Vicente", "Fox");
    assert_eq!(usual(&[fox], "es"), "Estimado Presidente Fox");
}

#[test]
fn an_unknown_title_gives_the_full_name_and_is_reported_once() {
    let doe = p("Campaign Director", "Jane", "Doe");
    let s = salutation(&[doe, doe], "en", Style::Usual);
    assert_eq!(s.text, "Dear Jane Doe and Jane Doe");
    assert_eq!(s.unknown_titles, vec!["Campaign Director".to_owned()]);
    assert_eq!(usual(&[doe], "es"), "Estimado/a Jane Doe");
    assert_eq!(usual(&[woman(doe)], "es"), "Estimada Jane Doe");
    assert_eq!(formal(&[doe], "es"), "Distinguido/a Jane Doe");
    assert!(!knows_title("Campaign Director"));
    assert!(salutation(&[POMPEO], "en", Style::Usual)
        .unknown_titles
        .is_empty());
}

#[test]
fn an_honorific_stands_in_for_a_missing_or_unknown_title() {
    let burgi = Person {
        honorific: "Ms.",
        ..p("", "Daniella", "Burgi-Palomino")
    };
    assert_eq!(usual(&[burgi], "en"), "Dear Ms. Burgi-Palomino");
    assert!(salutation(&[burgi], "en", Style::Usual)
        .unknown_titles
        .is_empty());
    let lic = Person {
        honorific: "Mtra.",
        ..p("Directora", "Ana", "Pérez")
    };
    assert_eq!(usual(&[lic], "es"), "Estimada Mtra. Pérez");
    let plain = p("", "Maureen", "Meyer");
    assert_eq!(usual(&[plain], "en"), "Dear Maureen Meyer");
}

#[test]
fn a_salutation_override_wins_for_its_person() {
    let pompeo = Person {
        salutation: "Mr. Secretary",
        ..POMPEO
    };
    assert_eq!(usual(&[pompeo], "en"), "Dear Mr. Secretary");
    let written_out = Person {
        salutation: "Dear Mr. Secretary:",
        ..POMPEO
    };
    assert_eq!(usual(&[written_out], "en"), "Dear Mr. Secretary");
    let rubio = p("Senator", "Marco", "Rubio");
    assert_eq!(
        usual(&[pompeo, rubio], "en"),
        "Dear Mr. Secretary and Senator Rubio"
    );
    let odd = Person {
        salutation: "Friend Doe",
        ..p("Campaign Director", "Jane", "Doe")
    };
    let s = salutation(&[odd], "en", Style::Usual);
    assert_eq!(s.text, "Dear Friend Doe");
    assert!(s.unknown_titles.is_empty());
    let presidenta = Person {
        salutation: "Señora Presidenta",
        ..p("", "Claudia", "Sheinbaum")
    };
    assert_eq!(usual(&[presidenta], "es"), "Estimada Señora Presidenta");
}

#[test]
fn names_are_used_exactly_as_given() {
    let cortez = p("Senator", "Catherine", "Cortez Masto");
    assert_eq!(usual(&[cortez], "en"), "Dear Senator Cortez Masto");
    let amlo = p("Presidente electo", "Andrés Manuel", "López Obrador");
    assert_eq!(
        addressee(&amlo, "en"),
        "The Honorable Andrés Manuel López Obrador"
    );
    let padded = p(" Senator ", "  Marco ", " Rubio ");
    assert_eq!(usual(&[padded], "en"), "Dear Senator Rubio");
}

#[test]
fn nobody_or_nothing_still_greets() {
    assert_eq!(usual(&[], "en"), "Dear Sir or Madam");
    assert_eq!(usual(&[], "es"), "Estimados señores");
    assert_eq!(formal(&[Person::default()], "es"), "Distinguidos señores");
    assert_eq!(usual(&[p("Senator", "", "")], "en"), "Dear Senator");
    assert_eq!(usual(&[p("", "Cher", "")], "en"), "Dear Cher");
}

#[test]
fn odd_input_does_not_panic() {
    let odd = [
        "",
        " ",
        "é",
        "\u{301}",
        "ß",
        "🎉",
        "Dear",
        "Estimado ñ",
        "::",
        "de",
        "of the",
    ];
    for a in odd {
        for b in odd {
            let person = Person {
                title: a,
                first_name: b,
                last_name: a,
                salutation: b,
                gender: a,
                honorific: b,
                country: a,
                chamber: b,
            };
            for lang in ["en", "es", "", "🎉"] {
                let _ = salutation(&[person, person], lang, Style::Formal);
                let _ = addressee(&person, lang);
            }
        }
    }
}

#[test]
fn the_honorable_for_appointees_and_elected_officials() {
    assert_eq!(addressee(&POMPEO, "en"), "The Honorable Mike Pompeo");
    let rubio = p("Senator", "Marco", "Rubio");
    assert_eq!(addressee(&rubio, "en"), "The Honorable Marco Rubio");
    let mayor = p("Mayor of Chicago", "Rahm", "Emanuel");
    assert_eq!(addressee(&mayor, "en"), "The Honorable Rahm Emanuel");
    let judge = p("Judge", "Sonia", "Sotomayor");
    assert_eq!(addressee(&judge, "en"), "The Honorable Sonia Sotomayor");
}

#[test]
fn the_honorable_is_never_combined_with_another_title() {
    let doctor = Person {
        honorific: "Dr.",
        ..p("Assistant Secretary", "Kimberly", "Breier")
    };
    assert_eq!(addressee(&doctor, "en"), "The Honorable Kimberly Breier");
}

#[test]
fn one_holder_offices_are_addressed_by_office() {
    assert_eq!(
        addressee(&p("President", "Donald", "Trump"), "en"),
        "The President"
    );
    assert_eq!(
        addressee(&p("Vice President", "Mike", "Pence"), "en"),
        "The Vice President"
    );
}

#[test]
fn mexican_executives_are_excellencies_in_english() {
    let pena = man(p("Presidente", "Enrique", "Peña Nieto"));
    assert_eq!(addressee(&pena, "en"), "His Excellency Enrique Peña Nieto");
    let barcena = p("Embajadora", "Martha", "Bárcena");
    assert_eq!(addressee(&barcena, "en"), "Her Excellency Martha Bárcena");
    let ebrard = p("Canciller", "Marcelo", "Ebrard");
    assert_eq!(addressee(&ebrard, "en"), "H.E. Marcelo Ebrard");
}

#[test]
fn others_get_their_plain_name_with_honorific() {
    let burgi = Person {
        honorific: "Ms.",
        ..p("", "Daniella", "Burgi-Palomino")
    };
    assert_eq!(addressee(&burgi, "en"), "Ms. Daniella Burgi-Palomino");
    let doe = p("Campaign Director", "Jane", "Doe");
    assert_eq!(addressee(&doe, "en"), "Jane Doe");
    assert_eq!(addressee(&doe, "es"), "Jane Doe");
    assert_eq!(addressee(&Person::default(), "en"), "");
    assert_eq!(addressee(&p("Senator", "", ""), "en"), "");
}

#[test]
fn spanish_address_lines() {
    let amlo = p("Presidente electo", "Andrés Manuel", "López Obrador");
    assert_eq!(addressee(&amlo, "es"), "C. Andrés Manuel López Obrador");
    let lic = Person {
        honorific: "Lic.",
        ..amlo
    };
    assert_eq!(addressee(&lic, "es"), "Lic. Andrés Manuel López Obrador");
    let micher = p("Senadora", "Martha Lucía", "Micher Camarena");
    assert_eq!(
        addressee(&micher, "es"),
        "Sen. Martha Lucía Micher Camarena"
    );
    let munoz = p("Diputado", "Porfirio", "Muñoz Ledo");
    assert_eq!(addressee(&munoz, "es"), "Dip. Porfirio Muñoz Ledo");
    let barcena = p("Embajadora", "Martha", "Bárcena");
    assert_eq!(addressee(&barcena, "es"), "Emb. Martha Bárcena");
    assert_eq!(addressee(&POMPEO, "es"), "Honorable Mike Pompeo");
}

#[test]
fn the_brief_s_offices_are_all_known() {
    for title in [
        "President",
        "Vice President",
        "Former President",
        "President-elect",
        "Secretary of Defense",
        "Deputy Secretary of State",
        "Under Secretary of State for Political Affairs",
        "Assistant Secretary of State for Western Hemisphere Affairs",
        "Attorney General",
        "Senator",
        "Representative",
        "Congressman",
        "Congresswoman",
        "Member of Congress",
        "Speaker of the House",
        "Majority Leader",
        "Senate Minority Leader",
        "Chair",
        "Chairman",
        "Chairwoman",
        "Ranking Member",
        "Ambassador",
        "Governor of Texas",
        "Lieutenant Governor",
        "State Senator",
        "State Representative",
        "Assemblymember",
        "Mayor",
        "Judge",
        "Justice",
        "Chief Justice of the United States",
        "Presidente",
        "Presidenta",
        "Presidente Electo",
        "Presidenta electa",
        "Secretario de Hacienda y Crédito Público",
        "Secretaria de Economía",
        "Subsecretario para América del Norte",
        "Subsecretaria",
        "Senador",
        "Senadora de la República",
        "Diputado",
        "Diputada",
        "Embajador",
        "Embajadora",
        "Fiscal General",
        "Fiscal General de la República",
        "Gobernador de Chihuahua",
        "Gobernadora",
        "Presidente Municipal",
        "Presidenta Municipal",
    ] {
        assert!(knows_title(title), "{title}");
    }
}

// ── Every row of the table ───────────────────────────────────────────────────────────────────────────────────────

/// Every office, rendered as the docs show it (address line, usual and formal, man and woman, English and Spanish,
/// two holders), keeps the rules that hold for all: no placeholder left, nothing empty, no English in Spanish and
/// no Spanish greeting in English, "The Honorable" alone, and a Spanish greeting that agrees with the person.
#[test]
fn every_row_of_the_table_keeps_the_rules_in_both_languages_styles_and_genders() {
    let t = table::table();
    assert!(t.office.len() >= 50, "{} offices", t.office.len());
    for office in &t.office {
        for (what, en, es) in doc::rendered(office) {
            let id = &office.id;
            for text in [&en, &es] {
                assert!(
                    !text.contains('{') && !text.trim().is_empty(),
                    "{id} {what}: {text:?}"
                );
                assert!(!text.contains("  "), "{id} {what}: {text:?}");
            }
            for english in [
                "Mr.",
                "Ms.",
                "Madam",
                "Dear",
                "The Honorable",
                "Excellency",
                "H.E.",
            ] {
                assert!(!es.contains(english), "{id} {what}: {es}");
            }
            for spanish in ["Estimad", "Distinguid", "Señor", "Señora", "Excelentísim"] {
                assert!(!en.contains(spanish), "{id} {what}: {en}");
            }
            assert!(
                !en.contains("Honorable Dr.") && !en.contains("Honorable Mr."),
                "{id}: {en}"
            );
            if what.contains("woman") && !what.contains("line") {
                assert!(
                    es.starts_with("Estimada ") || es.starts_with("Distinguida "),
                    "{id} {what}: {es}"
                );
                assert!(!en.contains("Mr."), "{id} {what}: {en}");
            }
            if what.contains("man") && !what.contains("woman") && !what.contains("line") {
                let feminine_only = office.names.iter().all(|n| office.feminine.contains(n));
                assert!(
                    feminine_only || es.starts_with("Estimado ") || es.starts_with("Distinguido "),
                    "{id} {what}: {es}"
                );
            }
        }
        for forms in [&office.en, &office.es] {
            assert!(!forms.sources.is_empty(), "{}: no source", office.id);
            for key in &forms.sources {
                assert!(
                    t.sources.contains_key(key),
                    "{}: unknown source {key}",
                    office.id
                );
            }
        }
    }
}

/// The row's honorific in the wrong language, or "Hon.", never reaches a letter, whatever the office.
#[test]
fn every_row_drops_an_honorific_of_the_other_language() {
    for office in &table::table().office {
        let [man, woman] = doc::holders(office);
        for (person, english, spanish) in [(man, "Mr.", "Sr."), (woman, "Ms.", "Sra.")] {
            let en = Person {
                honorific: english,
                ..person
            };
            let es = Person {
                honorific: spanish,
                ..person
            };
            let hon = Person {
                honorific: "Hon.",
                ..person
            };
            for style in [Style::Usual, Style::Formal] {
                let s = salutation(&[en], "es", style).text;
                assert!(!s.contains(english), "{}: {s}", office.id);
                let s = salutation(&[es], "en", style).text;
                assert!(!s.contains(spanish), "{}: {s}", office.id);
            }
            assert!(!addressee(&en, "es").contains(english), "{}", office.id);
            assert!(!addressee(&es, "en").contains(spanish), "{}", office.id);
            assert!(!addressee(&hon, "en").contains("Hon."), "{}", office.id);
            assert!(!addressee(&hon, "es").contains("Hon."), "{}", office.id);
        }
    }
}

#[test]
fn the_table_parses_and_every_office_has_two_example_holders() {
    let t = table::parse().expect("forms.toml parses");
    for o in &t.office {
        assert!(o.example.iter().all(|h| !h[1].is_empty()), "{}", o.id);
        assert!(!o.names.is_empty(), "{}", o.id);
    }
}

#[test]
fn the_doctor_is_a_doctora_in_spanish() {
    let videgaray = Person {
        honorific: "Dr.",
        country: "MX",
        ..p("Secretaria de Economía", "Graciela", "Márquez")
    };
    assert_eq!(addressee(&videgaray, "es"), "Dra. Graciela Márquez");
    assert_eq!(
        addressee(&videgaray, "en"),
        "Her Excellency Graciela Márquez"
    );
}

/// A `US` row with a Spanish title is a U.S. official: "US" is a country, not the "U.S." a title may start with.
#[test]
fn a_us_row_with_a_spanish_title_is_a_us_official() {
    for (title, first, last, es, en) in [
        (
            "Senadora",
            "Amy",
            "Klobuchar",
            "Honorable Amy Klobuchar",
            "The Honorable Amy Klobuchar",
        ),
        (
            "Secretaria de Estado",
            "Hillary",
            "Clinton",
            "Honorable Hillary Clinton",
            "The Honorable Hillary Clinton",
        ),
        (
            "Embajador",
            "Ken",
            "Salazar",
            "Honorable Ken Salazar",
            "The Honorable Ken Salazar",
        ),
    ] {
        for country in ["US", "U.S.", "USA", "Estados Unidos", "EE. UU."] {
            let mut who = p(title, first, last);
            who.country = country;
            assert_eq!(addressee(&who, "es"), es, "{title} {country}");
            assert_eq!(addressee(&who, "en"), en, "{title} {country}");
        }
    }
    let mut klobuchar = woman(p("Senadora", "Amy", "Klobuchar"));
    klobuchar.country = "US";
    assert_eq!(usual(&[klobuchar], "es"), "Estimada Senadora Klobuchar");
    assert_eq!(usual(&[klobuchar], "en"), "Dear Senator Klobuchar");
}
