//! Issue 15: a sign-on form's export used as it is. `columns` names the form's questions for the templates (the rest
//! keep their own names, slugged), `dedupe` folds repeated responses and corrections, `check` lists what it folded,
//! and a re-export with new responses is a list change for the sign-off.

use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};

use crate::harness::Campaign;
use crate::workbooks::save;

const HEADERS: [&str; 7] = [
    "Timestamp",
    "Email Address",
    "Organization name",
    "Your name",
    "Your title",
    "Country",
    "How did you hear about the letter?",
];

/// The form's responses in the order they came, as Google Forms exports them: Ana signs, Ben signs, Ana corrects
/// her title, Cy signs, Ben submits again. Timestamps are written as lettermerge reads a date-time cell.
const RESPONSES: [[&str; 7]; 5] = [
    [
        "2018-07-02 10:15:03",
        "ana@wola.org",
        "WOLA",
        "Ana Pérez",
        "Director",
        "US",
        "Email",
    ],
    [
        "2018-07-02 11:00",
        "ben@lawg.org",
        "Latin America Working Group",
        "Ben Ortiz",
        "Associate",
        "US",
        "A call",
    ],
    [
        "2018-07-03 09:00",
        "ANA@wola.org",
        "Washington Office on Latin America (WOLA)",
        "Ana Pérez",
        "Director for Mexico",
        "US",
        "Email",
    ],
    [
        "2018-07-04 16:30",
        "cy@centroprodh.org.mx",
        "Centro Prodh",
        "Cy Díaz",
        "Coordinator",
        "MX",
        "Twitter",
    ],
    [
        "2018-07-05 08:00",
        "ben@lawg.org",
        "Latin America Working Group",
        "Ben Ortiz",
        "Associate",
        "US",
        "A call",
    ],
];

const SIGNONS: &str = r#"signons = { path = "recipients/signons.xlsx", sheet = "Form Responses 1", key = "email", columns = { email = "Email Address", organization = "Organization name", signer_name = "Your name", signer_title = "Your title" }, dedupe = { by = "email", keep = "last" } }"#;

const LETTER: &str = "---\nsubject: 'Sign-on'\n---\nDear {{name}},\n\nSigned,\n\n\
{{#each signatories}}\n{{organization}}\n{{signer_name}}, {{signer_title}}\n({{Country}}, {{Timestamp}}, via \
{{how_did_you_hear_about_the_letter}})\n{{/each}}\n";

/// A campaign of one letter signed by the form's respondents; the manifest's `[tables]` line is `signons`.
fn campaign(signons: &str) -> Campaign {
    let c = Campaign::small(
        &format!(
            "[tables]\n{signons}\n\n[signatories]\ntable = \"signons\"\nsort = \"organization\"\n"
        ),
        LETTER,
        "id,name",
        &["sos,Mr. Secretary"],
    );
    c
}

/// The responses as the form's spreadsheet holds them: timestamps as date-times, the rest as text.
fn form_xlsx(c: &Campaign, responses: &[[&str; 7]]) {
    let mut book = Workbook::new();
    let s = book.add_worksheet().set_name("Form Responses 1").unwrap();
    let when = Format::new().set_num_format("m/d/yyyy h:mm:ss");
    for (col, h) in HEADERS.iter().enumerate() {
        s.write_string(0, col as u16, *h).unwrap();
    }
    for (i, r) in responses.iter().enumerate() {
        let row = i as u32 + 1;
        let stamp = match r[0].len() {
            16 => ExcelDateTime::parse_from_str(&format!("{}:00", r[0])),
            _ => ExcelDateTime::parse_from_str(r[0]),
        }
        .unwrap();
        s.write_datetime_with_format(row, 0, stamp, &when).unwrap();
        for (col, v) in r.iter().enumerate().skip(1) {
            s.write_string(row, col as u16, *v).unwrap();
        }
    }
    save(&mut book, &c.file("recipients/signons.xlsx"));
}

/// The same responses exported as CSV.
fn form_csv(responses: &[[&str; 7]]) -> String {
    let mut csv = HEADERS
        .iter()
        .map(|h| format!("\"{h}\""))
        .collect::<Vec<_>>()
        .join(",")
        + "\n";
    for r in responses {
        csv.push_str(
            &r.iter()
                .map(|v| format!("\"{v}\""))
                .collect::<Vec<_>>()
                .join(","),
        );
        csv.push('\n');
    }
    csv
}

const SIGNED: &str = "Centro Prodh\nCy Díaz, Coordinator\n(MX, 2018-07-04 16:30, via Twitter)\n\
Latin America Working Group\nBen Ortiz, Associate\n(US, 2018-07-05 08:00, via A call)\n\
Washington Office on Latin America (WOLA)\nAna Pérez, Director for Mexico\n(US, 2018-07-03 09:00, via Email)\n";

#[test]
fn a_form_export_is_mapped_and_its_repeated_responses_folded_to_the_last() {
    let c = campaign(SIGNONS);
    form_xlsx(&c, &RESPONSES);
    c.render_txt(&[]);
    let letter = c.out("default", "sos.txt");
    assert!(letter.ends_with(SIGNED), "{letter}");

    let run = c.check(&[]).success();
    let err = run.stderr();
    assert!(
        err.contains(
            "warning: recipients/signons.xlsx:'Form Responses 1'!B4: `signons`: 2 rows with email \"ANA@wola.org\" \
             folded into one: kept row 4, dropped row 2"
        ),
        "{run}"
    );
    assert!(
        err.contains(
            "warning: recipients/signons.xlsx:'Form Responses 1'!B6: `signons`: 2 rows with email \"ben@lawg.org\" \
             folded into one: kept row 6, dropped row 3"
        ),
        "{run}"
    );
}

#[test]
fn keep_first_keeps_the_first_response() {
    let c = campaign(&SIGNONS.replace("keep = \"last\"", "keep = \"first\""));
    form_xlsx(&c, &RESPONSES);
    c.render_txt(&[]);
    let letter = c.out("default", "sos.txt");
    assert!(
        letter.contains(
            "Latin America Working Group\nBen Ortiz, Associate\n(US, 2018-07-02 11:00, via A call)"
        ),
        "{letter}"
    );
    assert!(
        letter.contains("WOLA\nAna Pérez, Director\n(US, 2018-07-02 10:15:03, via Email)"),
        "{letter}"
    );
    assert!(!letter.contains("Washington Office"), "{letter}");
}

#[test]
fn the_form_exported_as_csv_gives_the_same_letter_as_the_workbook() {
    let xlsx = campaign(SIGNONS);
    form_xlsx(&xlsx, &RESPONSES);
    let csv = campaign(&SIGNONS.replace(
        r#"path = "recipients/signons.xlsx", sheet = "Form Responses 1""#,
        r#"path = "recipients/signons.csv""#,
    ));
    csv.write("recipients/signons.csv", form_csv(&RESPONSES));
    xlsx.render_txt(&[]);
    csv.render_txt(&[]);
    assert_eq!(
        csv.out("default", "sos.txt"),
        xlsx.out("default", "sos.txt")
    );
    let run = csv.check(&[]).success();
    assert!(
        run.stderr.contains(
            "warning: recipients/signons.csv:4: `signons`: 2 rows with email \"ANA@wola.org\" folded into one: kept \
             line 4, dropped line 2"
        ),
        "{run}"
    );
}

#[test]
fn dedupe_by_organization_folds_names_that_differ_in_case_accents_and_punctuation_only() {
    let c = Campaign::small(
        "[tables]\norgs = { path = \"recipients/orgs.csv\", dedupe = { by = \"organization\", keep = \"first\" } }\n\
         \n[signatories]\ntable = \"orgs\"\n",
        "---\nsubject: x\n---\n{{#each signatories}}\n{{organization}} ({{id}})\n{{/each}}\n",
        "id,name",
        &["sos,Mr. Secretary"],
    );
    c.write(
        "recipients/orgs.csv",
        "id,organization\nai,Amnistía Internacional\nai2,\"AMNISTIA  INTERNACIONAL.\"\naiusa,Amnesty International USA\n\
         wola,Washington Office on Latin America\nwola2,WOLA\n",
    );
    c.render_txt(&[]);
    assert_eq!(
        c.out("default", "sos.txt"),
        "Amnistía Internacional (ai)\nAmnesty International USA (aiusa)\nWashington Office on Latin America \
         (wola)\nWOLA (wola2)\n"
    );
    let run = c.check(&[]).success();
    assert!(run.stderr.contains("recipients/orgs.csv:2: `orgs`: 2 rows with organization \"Amnistía Internacional\" folded into one: kept line 2, dropped line 3"), "{run}");
    // An acronym is not folded (it would drop a signatory on a guess), but check still asks.
    assert!(run.stderr.contains("recipients/orgs.csv:6: `WOLA` looks like `Washington Office on Latin America` (line 5)"), "{run}");
    // Two union locals are two organizations: their numbers are kept whole.
    c.append("recipients/orgs.csv", "ufcw7,UFCW Local 7");
    c.append("recipients/orgs.csv", "ufcw75,UFCW Local 75");
    let run = c.check(&[]).success();
    assert!(!run.stderr.contains("`UFCW Local 75` looks like"), "{run}");
}

#[test]
fn a_re_export_with_a_new_response_is_a_list_change() {
    let c = campaign(SIGNONS);
    form_xlsx(&c, &RESPONSES);
    c.ok(&["approve", "--by", "Lucía Ramírez"]);
    c.check(&[]).success();
    let mut more = RESPONSES.to_vec();
    more.push([
        "2018-07-06 12:00",
        "dan@dplf.org",
        "DPLF",
        "Dan Roe",
        "Director",
        "US",
        "Email",
    ]);
    form_xlsx(&c, &more);
    let run = c.check(&[]).success();
    assert!(
        run.stderr
            .contains("signatories: added dan@dplf.org since approval"),
        "{run}"
    );
    c.ok(&["approve", "--list"]);
    let run = c.check(&[]).success();
    assert!(!run.stderr.contains("since approval"), "{run}");
}

#[test]
fn a_mapped_column_missing_from_the_file_names_both_names_and_the_file_s_headers() {
    let c = campaign(&SIGNONS.replace(r#"email = "Email Address""#, r#"email = "E-mail address""#));
    form_xlsx(&c, &RESPONSES);
    let err = c.check(&[]).fails_with(1);
    assert!(
        err.contains(
            "lettermerge.toml:2: table `signons`: `columns` maps `email` to the header \"E-mail address\", which \
             recipients/signons.xlsx does not have"
        ),
        "{err}"
    );
    assert!(
        err.contains("its headers are \"Timestamp\", \"Email Address\", \"Organization name\""),
        "{err}"
    );
    // The one mistake is reported once: not again as a missing key or `dedupe` column.
    assert!(err.contains("check found 1 error"), "{err}");
}

#[test]
fn two_headers_that_make_one_name_are_an_error_naming_both() {
    let c = campaign(r#"signons = { path = "recipients/signons.csv", key = "e_mail" }"#);
    c.write(
        "recipients/signons.csv",
        "E-mail,E mail,E.mail\nana@wola.org,x,y\n",
    );
    let err = c.check(&[]).fails_with(1);
    assert!(
        err.contains("recipients/signons.csv:1: the headers \"E mail\" and \"E.mail\" both become `e_mail` in templates"),
        "{err}"
    );
    assert!(err.contains("columns = {"), "{err}");
}

#[test]
fn a_table_written_as_its_own_section_reads_the_same_and_its_problems_point_there() {
    let section = "[tables.signons]\npath    = \"recipients/signons.xlsx\"\nsheet   = \"Form Responses 1\"\n\
                   key     = \"email\"\ncolumns = { email = \"Email Address\", organization = \"Organization name\", \
                   signer_name = \"Your name\", signer_title = \"Your title\" }\n\
                   dedupe  = { by = \"email\", keep = \"last\" }\n";
    let c = campaign(section);
    c.edit("lettermerge.toml", "[tables]\n", "");
    form_xlsx(&c, &RESPONSES);
    c.render_txt(&[]);
    assert!(c.out("default", "sos.txt").ends_with(SIGNED));
    c.edit(
        "lettermerge.toml",
        "sheet   = \"Form Responses 1\"",
        "sheet   = \"Responses\"",
    );
    let err = c.check(&[]).fails_with(1);
    assert!(
        err.contains("lettermerge.toml:1: table `signons`: recipients/signons.xlsx has no sheet \"Responses\""),
        "{err}"
    );
}

/// The template decides whom the signature block prints: an organization on the approved list whose `scope` the
/// block's filter misses ("National ", "regional") would silently not sign. `check` names it, for every variant whose
/// letter leaves it out, and the example as shipped has none.
#[test]
fn check_names_a_signatory_the_letter_does_not_show() {
    let c = crate::harness::Campaign::example();
    c.edit(
        "recipients/organizations.csv",
        "mmeyer@wola.org,signed,US,national,",
        "mmeyer@wola.org,signed,US,National ,",
    );
    let run = c.check(&[]);
    let err = run.stderr();
    let wola: Vec<&str> = err
        .lines()
        .filter(|l| l.contains("recipients/organizations.csv:3:") && l.contains("does not show"))
        .collect();
    assert!(
        wola.iter()
            .any(|l| l.contains("`wola` is on the signatory list of variant `coalition`")),
        "{run}"
    );
    assert!(wola.iter().any(|l| l.contains("variant `es`")), "{run}");
    // What the warning says is what the letter does.
    c.render_txt(&["--variant", "coalition"]);
    let letter = c.out("coalition", "sos.txt");
    assert!(
        !letter.contains("Washington Office on Latin America"),
        "{letter}"
    );
    assert!(letter.contains("Latin America Working Group"), "{letter}");
    // The per-signatory variant shows its one organization by design; the example as shipped shows everyone.
    assert!(!err.contains("of variant `each`"), "{run}");
    // Its name written in the letter's own text is not the signature block showing it.
    c.edit(
        "templates/letter.hbs",
        "Sincerely,",
        "The Washington Office on Latin America (WOLA) documented these cases.\n\nSincerely,",
    );
    let again = c.check(&[]);
    assert!(
        again
            .stderr()
            .lines()
            .any(|l| l.contains("recipients/organizations.csv:3:")
                && l.contains("of variant `coalition`")),
        "{again}"
    );
    let clean = crate::harness::Campaign::example().check(&[]);
    assert!(!clean.stderr().contains("does not show"), "{clean}");
}

/// A template that lists `signatories` in a campaign with no `[signatories]` would end every letter unsigned, and
/// the names inside the block could not be checked: `check` refuses it, where the list is named, with the fix.
#[test]
fn a_signature_block_without_a_signatory_table_is_an_error() {
    let c = Campaign::small(
        "",
        "Dear {{name}},\n\nWe write.\n\nSincerely,\n\n{{#each signatories}}\n{{orgnization}}\n{{/each}}\n",
        "id,name,email",
        &["a,Ana Ruiz,ana@x.example"],
    );
    let run = c.check(&[]);
    run.fails_with(1);
    let err = run.stderr();
    assert!(
        err.contains("templates/letter.hbs:7:1: there are no signatories: lettermerge.toml has no [signatories]"),
        "{run}"
    );
    assert!(
        err.contains("[signatories] table = \"organizations\""),
        "{run}"
    );
    assert_eq!(
        err.matches("there are no signatories").count(),
        1,
        "said once\n{run}"
    );
    // The list itself, counted, joined or tested, is as empty.
    for line in [
        "Signed by: {{join signatories \"organization\"}}.",
        "{{len signatories}} organizations sign.",
        "{{#if signatories}}Signed.{{else}}Sent.{{/if}}",
    ] {
        c.write(
            "templates/letter.hbs",
            format!("Dear {{{{name}}}},\n\n{line}\n"),
        );
        let run = c.check(&[]);
        run.fails_with(1);
        let err = run.stderr();
        assert!(err.contains("templates/letter.hbs:3:"), "{line}\n{run}");
        assert!(err.contains("there are no signatories"), "{line}\n{run}");
    }
}

/// `join` takes fallback columns: each organization's Spanish name where the row has one, its own name otherwise —
/// and the Spanish name is part of what the sign-off list covers.
#[test]
fn join_falls_back_to_the_next_column_for_a_row_without_the_first() {
    let c = crate::coalition::Campaign::coalition();
    c.edit(
        "templates/carta.hbs",
        "La firman {{join signatories \"organization\"}}.",
        "La firman {{join signatories \"organization_es\" \"organization\"}}.",
    );
    c.edit(
        "recipients/organizations.csv",
        "zeta,Zeta Legal Aid,Asistencia Legal Zeta,",
        "zeta,Zeta Legal Aid,,",
    );
    c.render_txt(&["--variant", "es"]);
    let letter = c.out("es", "amlo.txt");
    let start = letter
        .find("La firman")
        .unwrap_or_else(|| panic!("{letter}"));
    let paragraph = letter[start..].split("\n\n").next().unwrap_or_default();
    let line = &paragraph.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(
        line.contains("Oficina en Washington para Asuntos Latinoamericanos"),
        "{line}"
    );
    assert!(
        line.contains("Zeta Legal Aid"),
        "the English name where there is no other: {line}"
    );
    assert!(!line.contains("Washington Office"), "{line}");
}

/// A `filter` on a column the table does not have selects nobody: `check` names it where it is written.
#[test]
fn a_filter_on_a_misspelt_column_is_an_error() {
    let c = crate::harness::Campaign::example();
    c.edit(
        "templates/partials/signatures.hbs",
        "{{#each (filter signatories scope=\"national\")}}",
        "{{#each (filter signatories scop=\"national\")}}",
    );
    let run = c.check(&[]);
    run.fails_with(1);
    assert!(
        run.stderr().contains(
            "templates/partials/signatures.hbs:16:1: `filter` compares `scop`, which is not a column of recipients/organizations.csv"
        ),
        "{run}"
    );
    // `send` and `preview` refuse it as `render` does, before any letter: nothing goes out unsigned.
    c.edit(
        "lettermerge.toml",
        "\nrequired = true",
        "\nrequired = false",
    );
    for args in [&["send", "--dry-run"][..], &["preview"][..]] {
        let run = c.run(args);
        run.fails_with(1);
        assert!(
            run.stderr().contains("`filter` compares `scop`"),
            "{args:?}\n{run}"
        );
    }
}
