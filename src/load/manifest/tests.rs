use super::*;

#[test]
fn every_key_has_a_default() {
    let m = ManifestFile::parse(String::new()).unwrap().manifest;
    assert_eq!(m.letter.template.as_str(), "templates/letter.hbs");
    assert_eq!(
        m.letter.recipients.path().as_str(),
        "recipients/officials.csv"
    );
    assert_eq!(m.output.dir.as_str(), "out");
    assert_eq!(m.output.formats, ["txt"]);
    assert_eq!(m.pdf.paper, Paper::Letter);
    assert_eq!(m.pdf.layout, None);
}

#[test]
fn an_unknown_key_names_itself_and_its_line() {
    let err = ManifestFile::parse("[letter]\ntemplate = \"a.hbs\"\ntemplat = \"b\"\n".into())
        .unwrap_err();
    let err = err.iter().next().unwrap();
    assert!(err.message.contains("unknown field `templat`"), "{err}");
    assert_eq!(err.line, Some(3));
}

fn first_error(source: &str) -> Problem {
    ManifestFile::parse(source.into())
        .unwrap_err()
        .into_iter()
        .next()
        .unwrap()
}

#[test]
fn a_path_outside_the_campaign_is_refused_at_its_value() {
    for source in [
        "[tables]\nx = \"../../etc/passwd\"\n",
        "[tables]\nx = { path = \"/etc/passwd\", key = \"id\" }\n",
        "[letter]\ntemplate = \"../t.hbs\"\n",
    ] {
        let p = first_error(source);
        assert!(
            p.message.contains("outside the campaign folder"),
            "{source}: {p}"
        );
        assert_eq!(p.line, Some(2), "{source}: {p}");
    }
    let p = first_error("[output]\ndir = \"..\"\n");
    assert_eq!(p.line, Some(2), "{p}");
    let p = first_error("[tables]\nx = { path = \"a.csv\", keyy = \"id\" }\n");
    assert!(p.message.contains("keyy"), "{p}");
}

#[test]
fn variant_names_become_folders_so_they_are_checked_at_their_line() {
    let err = ManifestFile::parse(
        "[vars]\nx = 1\n\n[variants.\"../../x\"]\nper_signatory = false\n[variants.\"a/b\"]\n"
            .into(),
    )
    .unwrap_err();
    let lines: Vec<_> = err.iter().map(|p| p.line).collect();
    assert_eq!(lines, [Some(4), Some(6)], "{err:?}");
    assert!(err.iter().all(|p| p.message.contains("letters, digits")));
    let err = ManifestFile::parse("[variants.es]\n[variants.ES]\n".into()).unwrap_err();
    assert_eq!(err.iter().next().unwrap().line, Some(2));
}

#[test]
fn not_before_must_be_rfc3339_with_an_offset() {
    let p = first_error("[variants.us]\nnot_before = \"July 11\"\n");
    assert_eq!(p.line, Some(2), "{p}");
    assert!(p.message.contains("RFC 3339"), "{p}");
    let p = first_error("[variants.us]\nnot_before = 2018-07-11T09:00:00\n");
    assert!(p.message.contains("offset"), "{p}");
    let m = ManifestFile::parse(
        "[variants.a]\nnot_before = 2018-07-11T09:00:00-04:00\n[variants.b]\nnot_before = \"2018-07-11T13:00:00Z\"\n"
            .into(),
    )
    .unwrap()
    .manifest;
    let a = m.variants["a"].not_before.clone().unwrap();
    let b = m.variants["b"].not_before.clone().unwrap();
    assert_eq!(a.at, b.at);
    assert_eq!(a.to_string(), "2018-07-11T09:00:00-04:00");
}

#[test]
fn smtp_is_parsed_with_the_manifest_and_its_keys_have_lines() {
    let m = ManifestFile::parse(
        "[smtp]\nhost = \"smtp.example.org\"\n\nrate = -1\npassword = \"x\"\n".into(),
    )
    .unwrap();
    let smtp = m.manifest.smtp.as_ref().unwrap();
    assert_eq!(smtp.host, "smtp.example.org");
    assert_eq!(m.line_of("smtp", Some("rate")), Some(4));
    assert_eq!(m.line_of("smtp", Some("password")), Some(5));
    let p = first_error("[smtp]\nhost = \"h\"\nsecurity = \"ssl\"\n");
    assert_eq!((p.line, p.column), (Some(3), Some(12)), "{p}");
    let p = first_error("[smtp]\nhost = \"h\"\n\nport = 70000\n");
    assert_eq!(p.line, Some(4), "{p}");
    let p = first_error("[smtp]\nhost = \"h\"\n\nhots = \"x\"\n");
    assert_eq!(p.line, Some(4), "{p}");
}

#[test]
fn paper_is_letter_or_a4() {
    let p = first_error("[pdf]\npaper = \"legal\"\n");
    assert_eq!(p.line, Some(2), "{p}");
    assert!(p.message.contains("a4"), "{p}");
}

#[test]
fn tables_take_a_path_or_a_full_form() {
    let m = ManifestFile::parse(
        "[tables]\norgs = \"o.csv\"\nissues = { path = \"i.csv\", encoding = \"windows-1252\", delimiter = \";\", key = \"code\" }\n"
            .into(),
    )
    .unwrap()
    .manifest;
    let spec = m.tables["issues"].spec(None).unwrap();
    assert_eq!(spec.delimiter, b';');
    assert_eq!(spec.key, "code");
    assert_eq!(spec.encoding.as_deref(), Some("windows-1252"));
    assert_eq!(m.tables["orgs"].spec(None).unwrap().key, "id");
}

#[test]
fn workbook_tables_take_a_sheet_a_range_columns_and_dedupe() {
    let m = ManifestFile::parse(
        "[tables]\nsignons = { path = \"form.xlsx\", sheet = \"Form Responses 1\", range = \"A1:F200\", key = \"email\", columns = { email = \"Email Address\", organization = \"Organization name\" }, dedupe = { by = \"email\" } }\n"
            .into(),
    )
    .unwrap()
    .manifest;
    let spec = m.tables["signons"].spec(None).unwrap();
    assert_eq!(spec.sheet.as_deref(), Some("Form Responses 1"));
    assert_eq!(spec.range.as_deref(), Some("A1:F200"));
    assert_eq!(
        spec.columns[1],
        ("organization".into(), "Organization name".into())
    );
    assert_eq!(
        spec.dedupe,
        Some(Dedupe {
            by: vec!["email".into()],
            keep: Keep::Last
        })
    );
    let err = ManifestFile::parse(
        "[tables]\nsignons = { path = \"f.csv\", dedupe = { by = \"email\", keep = \"latest\" } }\n".into(),
    )
    .unwrap_err();
    let err = err.iter().next().expect("one problem");
    assert_eq!(err.line, Some(2), "{err}");
}

#[test]
fn variants_keep_manifest_order_and_public_copies() {
    let m = ManifestFile::parse(
        "[variants.b]\nrecipients = false\n[variants.a]\nrecipients = { where = { country = \"MX\" } }\nvars = { lang = \"es\" }\n"
            .into(),
    )
    .unwrap();
    let names: Vec<_> = m.manifest.variants.keys().cloned().collect();
    assert_eq!(names, ["b", "a"]);
    assert!(matches!(
        m.manifest.variants["b"].recipients,
        Some(RecipientsOverride::Enabled(false))
    ));
    assert_eq!(m.line_of("variants.a", Some("vars")), Some(5));
    assert_eq!(m.line_of("variants.a", Some("nothing")), Some(3));
}

#[test]
fn a_filter_value_that_is_not_text_says_to_quote_it_where_it_is() {
    for (source, line) in [
        (
            "[variants.us]\nrecipients = { where = { country = 1 } }\n",
            2,
        ),
        (
            "[signatories]\ntable = \"o\"\nwhere = { status = true }\n",
            3,
        ),
        (
            "[variants.us]\nrecipients = { where = { order = [1, \"2\"] } }\n",
            2,
        ),
    ] {
        let err = first_error(source);
        assert!(err.message.contains("goes in quotes"), "{err}");
        assert_eq!(err.line, Some(line), "{err}");
    }
    let m = ManifestFile::parse(
        "[variants.us]\nrecipients = { where = { country = [\"US\", \"us\"] } }\n[variants.p]\nrecipients = false\n"
            .into(),
    )
    .unwrap()
    .manifest;
    assert!(matches!(
        &m.variants["us"].recipients,
        Some(RecipientsOverride::Filter(f)) if f.filter["country"].as_slice() == ["US", "us"]
    ));
    assert!(matches!(
        m.variants["p"].recipients,
        Some(RecipientsOverride::Enabled(false))
    ));
}
