//! Forms of address through the whole tool: the wrong outputs of issue 12 fixed, per-language columns, and every rule
//! of the address linter with a row that trips it and one that does not.

use crate::harness::Campaign;

/// A campaign of one template printing the address line and the salutation of each letter, in `lang`.
fn campaign(lang: &str, group: bool, header: &str, rows: &[&str]) -> Campaign {
    let manifest = format!(
        "[letter]\n{}\n[vars]\nlang = \"{lang}\"\n",
        if group { "group = \"committee\"" } else { "" }
    );
    let position = if header.split(',').any(|h| h == "position") {
        "{{#if position}}\n{{position}}\n{{/if}}\n"
    } else {
        ""
    };
    let template = format!(
        "{{{{#each addressees}}}}\n{{{{addressee}}}}\n{position}\n{{{{/each}}}}\n{{{{salutation}}}}:\n\n{{{{salutation style=\"formal\"}}}}:\n"
    );
    Campaign::small(&manifest, &template, header, rows)
}

fn letter(c: &Campaign, key: &str) -> String {
    c.render_txt(&[]);
    c.out("default", &format!("{key}.txt"))
}

/// The warnings `check` prints (it must pass: they are warnings).
fn warnings(c: &Campaign) -> String {
    let run = c.check(&[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    run.stderr
}

const HEADER: &str =
    "id,title,honorific,first_name,last_name,gender,position,organization,committee,lang,country";

#[test]
fn a_spanish_letter_to_a_us_senator_never_prints_an_english_honorific() {
    let c = campaign(
        "es",
        false,
        HEADER,
        &["ruiz,Senator,Mr.,Alejandro,Ruiz Medina,male,,United States Senate,,es,US"],
    );
    let text = letter(&c, "ruiz");
    assert!(text.contains("Honorable Alejandro Ruiz Medina"), "{text}");
    assert!(!text.contains("Mr."), "{text}");
    assert!(text.contains("Estimado Senador Ruiz Medina:"), "{text}");
    assert!(text.contains("Distinguido Señor Senador:"), "{text}");
    // Without the honorific: the same line, as for every other U.S. official (not the Mexican "Sen.").
    let c = campaign(
        "es",
        false,
        HEADER,
        &["ruiz,Senator,,Alejandro,Ruiz Medina,male,,United States Senate,,es,US"],
    );
    assert!(letter(&c, "ruiz").contains("Honorable Alejandro Ruiz Medina"));
    // The one warning left is that a template without `to:` cannot be sent, which is not about the address.
    let w = warnings(&c);
    assert!(
        !w.lines()
            .any(|l| l.contains("ruiz") && !l.contains("no `to:` and no `from:`")),
        "a clean row gives no address warning:\n{w}"
    );
}

#[test]
fn the_linter_says_when_an_english_honorific_is_left_out_of_a_spanish_letter() {
    let c = campaign(
        "es",
        false,
        HEADER,
        &["ruiz,Senator,Mr.,Alejandro,Ruiz Medina,male,,United States Senate,,es,US"],
    );
    let w = warnings(&c);
    assert!(
        w.contains("recipients/officials.csv:2") && w.contains("“Mr.” is not Spanish"),
        "{w}"
    );
    assert!(w.contains("honorific_es"), "the fix: {w}");
}

#[test]
fn a_senate_ranking_member_is_never_congresista() {
    let c = campaign(
        "es",
        true,
        HEADER,
        &[
            "capito,Chair,,Shelley Moore,Capito,female,,Senate Committee on Environment and Public Works,epw,es,US",
            "okafor,Ranking Member,,Adaeze,Okafor,female,,Senate Committee on Environment and Public Works,epw,es,US",
        ],
    );
    let text = letter(&c, "epw");
    assert!(
        text.contains("Estimadas Presidenta Capito y Senadora Okafor:"),
        "{text}"
    );
    assert!(!text.contains("Congresista"), "{text}");
}

#[test]
fn a_house_ranking_member_is_representante_and_an_unknown_chamber_is_asked_for() {
    let c = campaign(
        "es",
        false,
        HEADER,
        &[
            "castro,Ranking Member,,Joaquin,Castro,male,,House Committee on Foreign Affairs,,es,US",
            "nadie,Ranking Member,,Ana,Nadie,female,,Committee on Nothing,,es,US",
        ],
    );
    c.render_txt(&[]);
    assert!(c
        .out("default", "castro.txt")
        .contains("Estimado Representante Castro:"));
    assert!(c
        .out("default", "nadie.txt")
        .contains("Estimada Legisladora Nadie:"));
    let w = warnings(&c);
    assert!(
        w.contains("officials.csv:3") && w.contains("chamber"),
        "the row without a chamber is named: {w}"
    );
    assert!(!w.contains("officials.csv:2:"), "the House row is not: {w}");
}

#[test]
fn agency_heads_keep_their_office_in_the_formal_style() {
    let c = campaign(
        "en",
        false,
        HEADER,
        &[
            "vance,Administrator,Ms.,Gina,Vance,female,Administrator,U.S. Agency for International Development,,en,US",
            "wray,Director,,Christopher,Wray,male,Director,Federal Bureau of Investigation,,en,US",
            "cbp,Commissioner,,Kevin,McAleenan,male,Commissioner,U.S. Customs and Border Protection,,en,US",
        ],
    );
    c.render_txt(&[]);
    let vance = c.out("default", "vance.txt");
    assert!(
        vance.contains("Dear Administrator Vance:\n\nDear Administrator Vance:"),
        "{vance}"
    );
    assert!(!vance.contains("Dear Ms. Vance"), "{vance}");
    assert!(vance.contains("The Honorable Gina Vance"), "{vance}");
    assert!(c.out("default", "wray.txt").contains("Dear Director Wray:"));
    assert!(c
        .out("default", "cbp.txt")
        .contains("Dear Commissioner McAleenan:"));
}

#[test]
fn spanish_columns_win_in_a_spanish_letter() {
    let header = "id,title,title_es,honorific,honorific_es,first_name,last_name,gender,position,position_es,organization,country";
    let c = campaign(
        "es",
        false,
        header,
        &["sos,Secretary of State,Secretario de Estado,Mr.,Lic.,Mike,Pompeo,male,Secretary of State,Secretario de Estado,U.S. Department of State,US"],
    );
    let text = letter(&c, "sos");
    assert!(
        text.contains("Lic. Mike Pompeo\nSecretario de Estado\n"),
        "{text}"
    );
    assert!(!text.contains("Secretary of State"), "{text}");
    assert!(text.contains("Estimado Secretario Pompeo:"), "{text}");
    // The same row in an English letter keeps the English columns.
    let c = campaign(
        "en",
        false,
        header,
        &["sos,Secretary of State,Secretario de Estado,Mr.,Lic.,Mike,Pompeo,male,Secretary of State,Secretario de Estado,U.S. Department of State,US"],
    );
    let text = letter(&c, "sos");
    assert!(
        text.contains("The Honorable Mike Pompeo\nSecretary of State\n"),
        "{text}"
    );
    assert!(text.contains("Dear Secretary Pompeo:"), "{text}");
}

#[test]
fn senators_of_one_letter_are_named_together() {
    let c = campaign(
        "en",
        true,
        HEADER,
        &[
            "rubio,Senator,,Marco,Rubio,male,,United States Senate,fl,en,US",
            "nelson,Senator,,Bill,Nelson,male,,United States Senate,fl,en,US",
        ],
    );
    assert!(letter(&c, "fl").contains("Dear Senators Rubio and Nelson:"));
}

/// The formal Spanish form of a senator has no name ("Señora Senadora"): two senators are named together rather than
/// given the same words twice.
#[test]
fn two_senators_in_the_formal_spanish_style_are_named_together() {
    let c = campaign(
        "es",
        true,
        HEADER,
        &[
            "ruiz,Senadora,,Ana,Ruiz,female,,Senado de la República,sen,es,MX",
            "lopez,Senadora,,Eva,López,female,,Senado de la República,sen,es,MX",
        ],
    );
    let text = letter(&c, "sen");
    assert!(
        text.contains("Distinguidas Senadoras Ruiz y López:"),
        "{text}"
    );
    assert!(
        !text.contains("Señora Senadora y Señora Senadora"),
        "{text}"
    );
    assert!(text.contains("Estimadas Senadoras Ruiz y López:"), "{text}");
}

// ── The linter: each rule, a row that trips it and one that does not ─────────────────────────────────────────────

#[test]
fn the_honorable_with_another_title_is_named_with_the_words_to_use() {
    let c = campaign(
        "en",
        false,
        HEADER,
        &[
            "ruiz,Representative,Hon.,Raul,Ruiz,male,,U.S. House of Representatives,,en,US",
            "castro,Representative,,Joaquin,Castro,male,,U.S. House of Representatives,,en,US",
        ],
    );
    let w = warnings(&c);
    assert!(
        w.contains("officials.csv:2") && w.contains("The Honorable"),
        "{w}"
    );
    assert!(
        w.contains("“The Honorable Raul Ruiz”"),
        "the words to use: {w}"
    );
    assert!(!w.contains("officials.csv:3"), "{w}");
    // A template that writes the honorific itself prints the combination: the letter is named.
    let c = Campaign::small(
        "",
        "The Honorable {{honorific}} {{first_name}} {{last_name}}\n\n{{salutation}},\n",
        "id,title,honorific,first_name,last_name",
        &[
            "ruiz,Representative,Dr.,Raul,Ruiz",
            "castro,Representative,,Joaquin,Castro",
        ],
    );
    let w = warnings(&c);
    assert!(
        w.contains("prints “The Honorable Dr. Raul Ruiz”")
            && w.contains("“The Honorable Raul Ruiz”"),
        "{w}"
    );
    assert!(!w.contains("Joaquin"), "{w}");
}

#[test]
fn a_salutation_naming_another_office_is_named() {
    let c = Campaign::small(
        "",
        "{{addressee}}\n\nDear Representative {{last_name}},\n",
        "id,title,first_name,last_name",
        &["rubio,Senator,Marco,Rubio"],
    );
    let w = warnings(&c);
    assert!(
        w.contains("officials.csv:2")
            && w.contains("“Dear Representative Rubio,”")
            && w.contains("write “Dear Senator Rubio”"),
        "{w}"
    );
    let c = Campaign::small(
        "",
        "{{addressee}}\n\nDear Senator {{last_name}},\n",
        "id,title,first_name,last_name",
        &["rubio,Senator,Marco,Rubio"],
    );
    assert!(
        !warnings(&c).contains("salutation"),
        "a hand-written salutation that agrees"
    );
}

#[test]
fn a_gender_that_contradicts_the_title_or_honorific_is_named() {
    let c = campaign(
        "es",
        false,
        HEADER,
        &[
            "micher,Senador,,Martha Lucía,Micher Camarena,female,,Senado de la República,,es,MX",
            "monreal,Senadora,,Ricardo,Monreal,male,,Senado de la República,,es,MX",
            "sanchez,Secretaria de Gobernación,Sr.,Olga,Sánchez Cordero,female,,Secretaría de Gobernación,,es,MX",
            "ebrard,Secretario de Relaciones Exteriores,,Marcelo,Ebrard,male,Secretario de Relaciones Exteriores,Secretaría de Relaciones Exteriores,,es,MX",
        ],
    );
    let w = warnings(&c);
    assert!(
        w.contains("officials.csv:2") && w.contains("man’s title") && w.contains("“senadora”"),
        "{w}"
    );
    assert!(
        w.contains("officials.csv:3") && w.contains("woman’s title"),
        "{w}"
    );
    assert!(
        w.contains("officials.csv:4") && w.contains("“Sr.” does not agree"),
        "{w}"
    );
    assert!(!w.contains("officials.csv:5"), "{w}");
    // The letter itself agrees with the gender column.
    assert!(letter(&c, "micher").contains("Estimada Senadora Micher Camarena:"));
}

#[test]
fn a_title_unknown_in_the_letter_s_language_is_named() {
    let header = "id,title,title_es,first_name,last_name";
    let c = campaign(
        "es",
        false,
        header,
        &[
            "doe,Senator,Jefa de Campaña,Jane,Doe",
            "rubio,Senator,,Marco,Rubio",
        ],
    );
    let w = warnings(&c);
    assert!(
        w.contains("officials.csv:2") && w.contains("`Jefa de Campaña`") && w.contains("(Spanish)"),
        "{w}"
    );
    assert!(
        !w.lines()
            .any(|l| l.contains("officials.csv:3") && l.contains("forms-of-address")),
        "{w}"
    );
    // The English letter uses `title`, which the table knows.
    let c = campaign(
        "en",
        false,
        header,
        &["doe,Senator,Jefa de Campaña,Jane,Doe"],
    );
    assert!(!warnings(&c).contains("forms-of-address"));
}

#[test]
fn a_salutation_override_that_disagrees_with_the_office_is_named() {
    let header = "id,title,first_name,last_name,salutation";
    let c = campaign(
        "en",
        false,
        header,
        &[
            "rubio,Senator,Marco,Rubio,Mr. Secretary",
            "sos,Secretary of State,Mike,Pompeo,Mr. Secretary",
        ],
    );
    let w = warnings(&c);
    assert!(
        w.contains("officials.csv:2") && w.contains("“Dear Senator Rubio”"),
        "the override and the table's words: {w}"
    );
    assert!(!w.contains("officials.csv:3"), "{w}");
    // An English override in a Spanish letter.
    let c = campaign(
        "es",
        false,
        header,
        &["sos,Secretary of State,Mike,Pompeo,Mr. Secretary"],
    );
    let w = warnings(&c);
    assert!(
        w.contains("is not Spanish") && w.contains("salutation_es"),
        "{w}"
    );
}

#[test]
fn a_grouped_letter_mixing_languages_is_named() {
    let c = campaign(
        "en",
        true,
        HEADER,
        &[
            "corker,Chairman,,Bob,Corker,male,,Senate Committee on Foreign Relations,sfrc,en,US",
            "menendez,Ranking Member,,Bob,Menendez,male,,Senate Committee on Foreign Relations,sfrc,es,US",
            "rubio,Senator,,Marco,Rubio,male,,United States Senate,fl,en,US",
            "nelson,Senator,,Bill,Nelson,male,,United States Senate,fl,en,US",
        ],
    );
    let w = warnings(&c);
    assert!(
        w.contains("officials.csv:3") && w.contains("`sfrc` mixes languages"),
        "{w}"
    );
    assert!(!w.contains("`fl`"), "{w}");
}

#[test]
fn the_example_campaign_has_no_address_warning() {
    let c = Campaign::example();
    let w = warnings(&c);
    for word in [
        "Honorable",
        "salutation",
        "forms-of-address",
        "gender",
        "mixes",
    ] {
        assert!(!w.contains(word), "{word}: {w}");
    }
}

/// A row with no gender, no gendered honorific and a title whose word is neither: the letter must guess, and guesses
/// a man. `check` names the row and the words a woman would get; a gender, a "Ms." or a "Secretaria" settles it.
#[test]
fn a_form_that_guesses_a_gender_is_named_by_check() {
    let c = campaign(
        "en",
        false,
        HEADER,
        &["sos,Secretary of State,,Mike,Pompeo,,,,,en,US"],
    );
    let w = warnings(&c);
    assert!(
        w.contains(
            "`sos` has no `gender`, so the English letter guesses a man: “Dear Mr. Secretary”"
        ),
        "{w}"
    );
    assert!(w.contains("“Dear Madam Secretary”"), "{w}");
    // A gender the rules cannot read is said as what it is.
    let c = campaign(
        "en",
        false,
        HEADER,
        &["sos,Secretary of State,,Mike,Pompeo,x,,,,en,US"],
    );
    assert!(
        warnings(&c).contains("`sos` has a `gender` of \"x\", which says neither woman nor man"),
        "{}",
        warnings(&c)
    );
    for settled in [
        "sos,Secretary of State,,Mike,Pompeo,m,,,,en,US",
        "sos,Secretary of State,Ms.,Ana,Pompeo,,,,,en,US",
    ] {
        let c = campaign("en", false, HEADER, &[settled]);
        assert!(!warnings(&c).contains("guesses"), "{settled}");
    }
    // A campaign that never asks for the formal style has nothing to guess for a Secretary.
    let usual_only = Campaign::small(
        "[letter]\n",
        "Dear {{salutation}},\n\n{{addressee}}\n",
        HEADER,
        &["sos,Secretary of State,,Mike,Pompeo,,,,,en,US"],
    );
    assert!(!warnings(&usual_only).contains("guesses"));
    let c = campaign("es", false, HEADER, &["sen,Senator,,Ana,Ruiz,,,,,es,US"]);
    let w = warnings(&c);
    assert!(
        w.contains("`sen` has no `gender`, so the Spanish letter guesses a man"),
        "{w}"
    );
    assert!(letter(&c, "sen").contains("Senador"));
    let c = campaign(
        "es",
        false,
        HEADER,
        &["sre,Secretaria de Relaciones Exteriores,,Ana,Ruiz,,,,,es,MX"],
    );
    assert!(!warnings(&c).contains("guesses"));
}

/// A U.S. row whose title only Mexico has ("Diputada") keeps Mexico's forms, and `check` says so; a title both
/// countries have ("Senadora") takes the row's country, and says nothing.
#[test]
fn a_title_of_the_other_country_is_named_by_check() {
    let c = campaign(
        "es",
        false,
        HEADER,
        &[
            "g,Diputada,,Ana,Gómez,female,,,,es,US",
            "k,Senadora,,Amy,Klobuchar,female,,,,es,US",
        ],
    );
    let w = warnings(&c);
    assert!(
        w.contains("`g`'s title `Diputada` is an office of Mexico, but the row's `country` is US"),
        "{w}"
    );
    assert!(!w.contains("`k`'s title"), "{w}");
}
