//! Issue 4: signatories, variants, per-signatory and multi-addressee letters, the Spanish letter (README, "Variants").
//!
//! Each test builds its own campaign in a tempdir (tests/support_campaign) and reads the files the binary wrote.

use crate::coalition::*;

/// Whitespace folded to single spaces: txt wraps at 72 columns, so a long sentence may span lines.
fn flat(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn txt_names(keys: &[&str]) -> Vec<String> {
    let mut v: Vec<String> = keys.iter().map(|k| format!("{k}.txt")).collect();
    v.sort();
    v
}

fn all_keys() -> Vec<&'static str> {
    US_KEYS.iter().chain(MX_KEYS.iter()).copied().collect()
}

// ── Letter counts and file names ─────────────────────────────────────────────────────────────────────────────────

#[test]
fn each_variant_writes_its_exact_number_of_letters() {
    let c = Campaign::coalition();
    c.render_txt(&[]);
    assert_eq!(
        c.out_variants(),
        ["coalition", "each", "es", "public", "us"],
        "one folder per variant"
    );
    assert_eq!(c.out_files("coalition").len(), 5);
    assert_eq!(c.out_files("us").len(), 5);
    assert_eq!(c.out_files("es").len(), 2);
    assert_eq!(c.out_files("each").len(), 30);
    assert_eq!(c.out_files("public").len(), 1);
}

#[test]
fn coalition_and_us_variants_write_one_letter_per_official_named_by_key() {
    let c = Campaign::coalition();
    c.render_txt(&["--variant", "coalition", "--variant", "us"]);
    assert_eq!(c.out_files("coalition"), txt_names(&all_keys()));
    assert_eq!(c.out_files("us"), txt_names(&all_keys()));
}

#[test]
fn spanish_variant_writes_letters_only_to_the_mexican_officials() {
    let c = Campaign::coalition();
    c.render_txt(&["--variant", "es"]);
    assert_eq!(c.out_files("es"), txt_names(&MX_KEYS));
    assert_eq!(c.out_variants(), ["es"], "--variant es writes only es");
}

#[test]
fn per_signatory_files_are_named_key_dash_signatory() {
    let c = Campaign::coalition();
    c.render_txt(&["--variant", "each"]);
    let mut expected: Vec<String> = all_keys()
        .iter()
        .flat_map(|k| SIGNED_KEYS.iter().map(move |s| format!("{k}-{s}.txt")))
        .collect();
    expected.sort();
    assert_eq!(c.out_files("each"), expected);
}

#[test]
fn public_copy_is_one_file_named_by_its_template() {
    let c = Campaign::coalition();
    c.render_txt(&["--variant", "public"]);
    assert_eq!(c.out_files("public"), ["human-rights-in-mexico.txt"]);
}

// ── Signatories: filter and order ────────────────────────────────────────────────────────────────────────────────

#[test]
fn coalition_letters_list_all_signed_organizations_lead_first_then_collated() {
    let c = Campaign::coalition();
    c.render_txt(&["--variant", "coalition"]);
    for key in all_keys() {
        let text = c.out("coalition", &format!("{key}.txt"));
        assert_eq!(
            listed(&text, "Signatory:"),
            SIGNED_IN_ORDER,
            "coalition/{key}: WOLA (order 1) first, then A-Z ignoring case and accents:\n{text}"
        );
    }
}

#[test]
fn us_letters_leave_out_the_non_us_signer() {
    let c = Campaign::coalition();
    c.render_txt(&["--variant", "us"]);
    let expected: Vec<&str> = SIGNED_IN_ORDER
        .iter()
        .copied()
        .filter(|o| *o != NON_US_SIGNED)
        .collect();
    for key in all_keys() {
        let text = c.out("us", &format!("{key}.txt"));
        assert_eq!(listed(&text, "Signatory:"), expected, "us/{key}:\n{text}");
        assert!(!text.contains(NON_US_SIGNED), "us/{key}:\n{text}");
    }
}

#[test]
fn pending_and_declined_organizations_sign_no_letter() {
    let c = Campaign::coalition();
    c.render_txt(&[]);
    for variant in c.out_variants() {
        for file in c.out_files(&variant) {
            let text = c.out(&variant, &file);
            for absent in [PENDING, DECLINED, "Alianza Interreligiosa", "declinó"] {
                assert!(
                    !text.contains(absent),
                    "{variant}/{file} names `{absent}`:\n{text}"
                );
            }
        }
    }
}

#[test]
fn public_copy_lists_every_signed_organization_in_order() {
    let c = Campaign::coalition();
    c.render_txt(&["--variant", "public"]);
    let text = c.out("public", "human-rights-in-mexico.txt");
    assert_eq!(listed(&text, "Signatory:"), SIGNED_IN_ORDER, "{text}");
}

// ── Per-signatory letters ────────────────────────────────────────────────────────────────────────────────────────

#[test]
fn per_signatory_letter_is_signed_by_exactly_one_organization_with_its_id() {
    let c = Campaign::coalition();
    c.render_txt(&["--variant", "each"]);
    for key in all_keys() {
        for (sig, org) in SIGNED_KEYS.iter().zip(SIGNED_IN_ORDER) {
            let text = c.out("each", &format!("{key}-{sig}.txt"));
            assert_eq!(
                listed(&text, "Signatory:"),
                [org],
                "each/{key}/{sig}:\n{text}"
            );
            assert!(
                text.contains(&format!("Reference: each/{key}/{sig}")),
                "the letter's id is VARIANT/KEY/SIGNATORY:\n{text}"
            );
            for other in SIGNED_IN_ORDER.iter().filter(|o| **o != org) {
                assert!(!text.contains(other), "each/{key}/{sig} names {other}");
            }
        }
    }
}

#[test]
fn only_key_slash_signatory_selects_one_per_signatory_letter() {
    let c = Campaign::coalition();
    c.render_txt(&["--only", "sos/brn"]);
    assert_eq!(c.out_variants(), ["each"], "no other variant has sos/brn");
    assert_eq!(c.out_files("each"), ["sos-brn.txt"]);
    let text = c.out("each", "sos-brn.txt");
    assert_eq!(listed(&text, "Signatory:"), ["Border Rights Network"]);
    assert!(text.contains("Dear Secretary Pompeo"), "{text}");
}

#[test]
fn only_with_a_full_per_signatory_id_selects_that_letter() {
    let c = Campaign::coalition();
    c.render_txt(&["--only", "each/amlo/abaco"]);
    assert_eq!(c.out_variants(), ["each"]);
    assert_eq!(c.out_files("each"), ["amlo-abaco.txt"]);
}

// ── The Spanish letter ───────────────────────────────────────────────────────────────────────────────────────────

#[test]
fn spanish_letters_have_a_spanish_date() {
    let c = Campaign::coalition();
    c.render_txt(&["--variant", "es", "--variant", "coalition"]);
    for key in MX_KEYS {
        let es = c.out("es", &format!("{key}.txt"));
        assert!(es.contains("11 de julio de 2018"), "es/{key}:\n{es}");
        assert!(!es.contains("July 11, 2018"), "es/{key}:\n{es}");
        let en = c.out("coalition", &format!("{key}.txt"));
        assert!(en.contains("July 11, 2018"), "coalition/{key}:\n{en}");
    }
}

#[test]
fn spanish_letters_join_signatories_with_y() {
    let c = Campaign::coalition();
    c.render_txt(&["--variant", "es"]);
    let text = flat(&c.out("es", "amlo.txt"));
    let expected = "La firman Washington Office on Latin America, Ábaco Human Rights Center, \
                    amigos de la Frontera, Border Rights Network, Centro Prodh y Zeta Legal Aid.";
    assert!(text.contains(expected), "{text}");
    assert!(!text.contains(", and "), "no English list joining: {text}");
}

#[test]
fn spanish_letters_greet_in_spanish() {
    let c = Campaign::coalition();
    c.render_txt(&["--variant", "es"]);
    let amlo = c.out("es", "amlo.txt");
    assert!(
        amlo.contains("Estimado Señor Presidente electo:"),
        "president-elect:\n{amlo}"
    );
    let micher = c.out("es", "micher.txt");
    assert!(
        micher.contains("Estimada Senadora Micher Camarena:"),
        "senator (feminine):\n{micher}"
    );
    for text in [&amlo, &micher] {
        assert!(!text.contains("Dear"), "{text}");
    }
}

#[test]
fn spanish_letters_sign_with_spanish_names_in_the_variant_order() {
    let c = Campaign::coalition();
    c.render_txt(&["--variant", "es"]);
    let text = c.out("es", "micher.txt");
    assert_eq!(
        listed(&text, "Firma:"),
        [
            "Oficina en Washington para Asuntos Latinoamericanos",
            "Centro de Derechos Humanos Ábaco",
            "Amigos de la Frontera",
            "Red de Derechos en la Frontera",
            "Centro de Derechos Humanos Miguel Agustín Pro Juárez",
            "Asistencia Legal Zeta",
        ],
        "{text}"
    );
}

#[test]
fn join_of_three_spanish_signatories_reads_a_b_y_c() {
    let c = Campaign::coalition();
    // Three signers only: the lead signer and the two the collation must place (Á, lower case).
    c.edit(
        "lettermerge.toml",
        "vars           = { lang = \"es\" }",
        "vars           = { lang = \"es\" }\nsignatories    = { where = { id = [\"wola\", \"abaco\", \"amigos\"] } }",
    );
    c.render_txt(&["--variant", "es"]);
    let text = flat(&c.out("es", "amlo.txt"));
    assert!(
        text.contains(
            "La firman Washington Office on Latin America, Ábaco Human Rights Center y amigos de la Frontera."
        ),
        "{text}"
    );
}

// ── The public copy ──────────────────────────────────────────────────────────────────────────────────────────────

#[test]
fn public_copy_has_no_address_block_and_no_salutation() {
    let c = Campaign::coalition();
    c.render_txt(&["--variant", "public"]);
    let text = c.out("public", "human-rights-in-mexico.txt");
    assert!(text.contains("Human rights in Mexico"), "{text}");
    assert!(text.contains("July 11, 2018"), "{text}");
    for absent in [
        "Dear",
        "Estimad",
        "Pompeo",
        "Honorable",
        "Washington, DC",
        "Ciudad de México",
        "Department of State",
    ] {
        assert!(
            !text.contains(absent),
            "public copy holds `{absent}`:\n{text}"
        );
    }
}

// ── A grouped (committee) letter ─────────────────────────────────────────────────────────────────────────────────

fn committee_campaign() -> Campaign {
    let c = Campaign::empty();
    c.write(
        "lettermerge.toml",
        r#"[letter]
template = "templates/letter.hbs"
group    = "committee"

[tables]
organizations = "recipients/organizations.csv"
issues        = "recipients/issues.csv"

[signatories]
table = "organizations"
where = { status = "signed" }
sort  = ["order", "organization"]

[vars]
sender_name  = "Lucía Ramírez"
sender_email = "lucia@coalition.example"
"#,
    );
    c.write("templates/letter.hbs", LETTER);
    c.write("templates/partials/signatures.hbs", SIGNATURES);
    c.write(
        "recipients/officials.csv",
        "\
id,title,honorific,first_name,last_name,gender,organization,address,email,committee,issues
corker,Chairman,Mr.,Bob,Corker,male,Senate Committee on Foreign Relations,423 Dirksen Senate Office Building,chairman@foreign.example,sfrc,impunity
menendez,Ranking Member,Mr.,Bob,Menendez,male,Senate Committee on Foreign Relations,423 Dirksen Senate Office Building,ranking.member@foreign.example,sfrc,impunity
rubio,Senator,Mr.,Marco,Rubio,male,United States Senate,284 Russell Senate Office Building,senator@rubio.example,,torture
",
    );
    c.write("recipients/organizations.csv", ORGANIZATIONS);
    c.write("recipients/issues.csv", issues_csv(IMPUNITY_OLD));
    c
}

#[test]
fn grouped_rows_make_one_letter() {
    let c = committee_campaign();
    c.render_txt(&[]);
    assert_eq!(
        c.out_files("default"),
        ["rubio.txt", "sfrc.txt"],
        "the two committee rows make one letter keyed by the group, the other row its own"
    );
}

#[test]
fn grouped_letter_salutation_names_both_addressees() {
    let c = committee_campaign();
    c.render_txt(&[]);
    let text = c.out("default", "sfrc.txt");
    assert!(
        text.contains("Dear Chairman Corker and Ranking Member Menendez,"),
        "{text}"
    );
    // Both address blocks.
    assert!(text.contains("Bob Corker"), "{text}");
    assert!(text.contains("Bob Menendez"), "{text}");
    let rubio = c.out("default", "rubio.txt");
    assert!(rubio.contains("Dear Senator Rubio,"), "{rubio}");
}

#[test]
fn grouped_letter_email_is_to_both_addressees() {
    let c = committee_campaign();
    c.ok(&["render", "--format", "eml", "--date", DATE]);
    let bytes = std::fs::read(c.file("out/default/sfrc.eml")).unwrap();
    let msg = mail_parser::MessageParser::default()
        .parse(&bytes)
        .expect("an email");
    let to: Vec<String> = msg
        .to()
        .expect("a To header")
        .iter()
        .filter_map(|a| a.address().map(str::to_string))
        .collect();
    assert_eq!(
        to,
        ["chairman@foreign.example", "ranking.member@foreign.example"],
        "{}",
        String::from_utf8_lossy(&bytes)
    );
    let rubio = std::fs::read(c.file("out/default/rubio.eml")).unwrap();
    let msg = mail_parser::MessageParser::default().parse(&rubio).unwrap();
    let to: Vec<&str> = msg
        .to()
        .unwrap()
        .iter()
        .filter_map(|a| a.address())
        .collect();
    assert_eq!(to, ["senator@rubio.example"]);
}

// ── check: near-duplicates and missing Spanish names ─────────────────────────────────────────────────────────────

/// Appends rows to organizations.csv (status "pending", so they change no letter) and returns their line numbers.
fn add_organizations(c: &Campaign, names: &[(&str, &str)]) -> Vec<usize> {
    let before = c.read("recipients/organizations.csv").lines().count();
    for (i, (key, name)) in names.iter().enumerate() {
        c.append(
            "recipients/organizations.csv",
            &format!("{key},\"{name}\",,Someone,x{i}@example.org,pending,US,"),
        );
    }
    (before + 1..=before + names.len()).collect()
}

#[test]
fn check_reports_organizations_differing_in_case_accents_and_punctuation() {
    let c = Campaign::coalition();
    let lines = add_organizations(
        &c,
        &[
            ("amnistia", "Amnistía Internacional"),
            ("amnistia2", "AMNISTIA INTERNACIONAL."),
        ],
    );
    let r = c.run(&["check"]);
    let line = r
        .stderr
        .lines()
        .find(|l| l.contains("AMNISTIA INTERNACIONAL."))
        .unwrap_or_else(|| panic!("no near-duplicate warning:\n{r}"));
    assert!(
        line.contains(&format!("organizations.csv:{}", lines[1])),
        "the later row's line: {line}"
    );
    assert!(line.contains("Amnistía Internacional"), "{line}");
    assert!(
        line.contains(&format!("line {}", lines[0])),
        "the earlier row's line: {line}"
    );
}

#[test]
fn check_reports_an_acronym_beside_its_full_name() {
    let c = Campaign::coalition();
    let lines = add_organizations(&c, &[("wola2", "WOLA")]);
    let wola_line = c
        .read("recipients/organizations.csv")
        .lines()
        .position(|l| l.starts_with("wola,"))
        .unwrap()
        + 1;
    let r = c.run(&["check"]);
    let line = r
        .stderr
        .lines()
        .find(|l| l.contains("`WOLA`"))
        .unwrap_or_else(|| panic!("no near-duplicate warning:\n{r}"));
    assert!(
        line.contains(&format!("organizations.csv:{}", lines[0])),
        "{line}"
    );
    assert!(
        line.contains("Washington Office on Latin America"),
        "{line}"
    );
    assert!(line.contains(&format!("line {wola_line}")), "{line}");
}

#[test]
fn check_is_quiet_about_distinct_organizations() {
    let c = Campaign::coalition();
    let r = c.ok(&["check"]);
    assert!(!r.stderr.contains("looks like"), "{r}");
}

#[test]
fn check_lists_spanish_signatories_missing_organization_es() {
    let c = Campaign::coalition();
    c.edit(
        "recipients/organizations.csv",
        "prodh,Centro Prodh,Centro de Derechos Humanos Miguel Agustín Pro Juárez,",
        "prodh,Centro Prodh,,",
    );
    let prodh_line = c
        .read("recipients/organizations.csv")
        .lines()
        .position(|l| l.starts_with("prodh,"))
        .unwrap()
        + 1;
    let r = c.run(&["check"]);
    let warnings: Vec<&str> = r
        .stderr
        .lines()
        .filter(|l| l.contains("organization_es"))
        .collect();
    assert_eq!(warnings.len(), 1, "only prodh, only in `es`:\n{r}");
    assert!(warnings[0].contains("`es`"), "{}", warnings[0]);
    assert!(warnings[0].contains("`prodh`"), "{}", warnings[0]);
    assert!(
        warnings[0].contains(&format!("organizations.csv:{prodh_line}")),
        "{}",
        warnings[0]
    );
}

// ── Errors in variants ───────────────────────────────────────────────────────────────────────────────────────────

#[test]
fn a_recipient_filter_selecting_nobody_is_an_error_at_its_manifest_line() {
    let c = Campaign::coalition();
    c.edit(
        "lettermerge.toml",
        "[variants.coalition]\n",
        "[variants.coalition]\nrecipients = { where = { country = \"FR\" } }\n",
    );
    let line = line_of(
        &c.read("lettermerge.toml"),
        "[variants.coalition]",
        "recipients",
    );
    let r = c.run(&["render", "--format", "txt", "--date", DATE]);
    assert_eq!(r.code, 1, "{r}");
    assert!(
        r.stderr.contains(&format!("lettermerge.toml:{line}")),
        "{r}"
    );
    assert!(r.stderr.contains("coalition"), "{r}");
    assert!(r.stderr.contains("selects no row"), "{r}");
    assert!(
        c.out_variants().is_empty(),
        "a campaign error writes nothing"
    );
}

#[test]
fn a_signatory_filter_selecting_nobody_is_an_error_at_its_manifest_line() {
    let c = Campaign::coalition();
    c.edit(
        "lettermerge.toml",
        "signatories = { where = { status = \"signed\", country = \"US\" } }",
        "signatories = { where = { status = \"signed\", country = \"FR\" } }",
    );
    let line = line_of(&c.read("lettermerge.toml"), "[variants.us]", "signatories");
    let r = c.run(&["check"]);
    assert_eq!(r.code, 1, "{r}");
    assert!(
        r.stderr.contains(&format!("lettermerge.toml:{line}")),
        "{r}"
    );
    assert!(r.stderr.contains("`us`"), "{r}");
    assert!(r.stderr.contains("selects no row"), "{r}");
}

#[test]
fn an_unknown_column_in_a_variant_filter_is_an_error_at_its_manifest_line() {
    let c = Campaign::coalition();
    c.edit(
        "lettermerge.toml",
        "recipients     = { where = { country = \"MX\" } }",
        "recipients     = { where = { province = \"CDMX\" } }",
    );
    let line = line_of(&c.read("lettermerge.toml"), "[variants.es]", "recipients");
    let r = c.run(&["render", "--format", "txt", "--date", DATE]);
    assert_eq!(r.code, 1, "{r}");
    assert!(
        r.stderr.contains(&format!("lettermerge.toml:{line}")),
        "{r}"
    );
    assert!(r.stderr.contains("`province`"), "{r}");
    assert!(
        c.out_variants().is_empty(),
        "a campaign error writes nothing"
    );
}

#[test]
fn an_unknown_variant_is_a_usage_error() {
    let c = Campaign::coalition();
    let r = c.run(&["render", "--format", "txt", "--variant", "nope"]);
    assert_eq!(r.code, 2, "{r}");
    assert!(r.stderr.contains("nope"), "{r}");
    assert!(r.stderr.contains("coalition"), "lists the variants: {r}");
    assert!(c.out_variants().is_empty());
}

#[test]
fn check_with_an_unknown_variant_is_a_usage_error() {
    let c = Campaign::coalition();
    let r = c.run(&["check", "--variant", "nope"]);
    assert_eq!(r.code, 2, "{r}");
    assert!(r.stderr.contains("nope"), "{r}");
}

/// A `where` compares cells exactly; a cell that misses it only by a space or by case is named by `check`, since the
/// row would silently get no letter, or the organization silently not sign.
#[test]
fn check_names_a_row_a_filter_misses_only_by_a_space_or_case() {
    let c = crate::harness::Campaign::example();
    c.edit(
        "recipients/officials.csv",
        "senator@rubio.senate.example,US,",
        "senator@rubio.senate.example,US ,",
    );
    c.edit(
        "recipients/organizations.csv",
        "marselha@aiusa.org,signed,",
        "marselha@aiusa.org,Signed,",
    );
    let run = c.check(&[]);
    assert_eq!(run.code(), 0, "warnings only\n{run}");
    let err = run.stderr();
    let rubio = err
        .lines()
        .find(|l| l.contains("recipients/officials.csv:4:"))
        .unwrap_or_else(|| panic!("no warning at Rubio's row\n{run}"));
    assert!(rubio.contains(r#"`country` is "US ", not "US""#), "{rubio}");
    assert!(rubio.contains("no letter of `coalition`"), "{rubio}");
    let aiusa = err
        .lines()
        .find(|l| l.contains("recipients/organizations.csv:4:") && l.contains("`coalition`"))
        .unwrap_or_else(|| panic!("no warning at AIUSA's row\n{run}"));
    assert!(
        aiusa.contains(r#"`status` is "Signed", not "signed""#),
        "{aiusa}"
    );
    assert!(aiusa.contains("does not sign"), "{aiusa}");
    // What the warnings say is what happens.
    c.render_txt(&["--variant", "coalition"]);
    assert!(!c.out_files("coalition").contains(&"rubio.txt".to_string()));
    assert!(!c
        .out("coalition", "sos.txt")
        .contains("Amnesty International USA"));
    // The example as shipped has no such row.
    let clean = crate::harness::Campaign::example().check(&[]);
    assert!(!clean.stderr().contains("as the filter of"), "{clean}");
}

/// A grouped letter names every office it is to; one with an empty email is left out of `to` (README, "Templates"),
/// so `check` says that office gets no copy.
#[test]
fn check_names_an_office_of_a_grouped_letter_that_gets_no_copy() {
    let c = crate::harness::Campaign::example();
    c.edit(
        "recipients/officials.csv",
        "ranking.member@foreign.senate.example",
        "",
    );
    let run = c.check(&[]);
    let err = run.stderr();
    assert!(
        err.contains("`menendez` has no email: the letter `sfrc` names that office but goes only to the others"),
        "{run}"
    );
    assert_eq!(err.matches("`menendez` has no email").count(), 1, "{run}");
    let clean = crate::harness::Campaign::example().check(&[]);
    assert!(!clean.stderr().contains("has no email"), "{clean}");
}
