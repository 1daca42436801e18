use super::*;

const LETTER: &str = "templates/letter.hbs";

fn parsed(body: &str, partials: &[(&str, &str)]) -> Parsed {
    let mut p = Parsed::default();
    p.letters.insert(
        LETTER.into(),
        ParsedLetter {
            path: LETTER.into(),
            body: Some(Template::compile(body).expect("compiles")),
            body_offset: 0,
            fields: Vec::new(),
            cover: None,
            names_file: true,
        },
    );
    for (name, source) in partials {
        p.partials.insert(
            name.to_string(),
            ParsedPartial {
                path: format!("templates/partials/{name}.hbs"),
                ast: Some(Template::compile(source).expect("compiles")),
            },
        );
    }
    p
}

fn vars(pairs: &[(&str, &str)]) -> serde_json::Map<String, serde_json::Value> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), serde_json::Value::String(v.to_string())))
        .collect()
}

fn reads(body: &str) -> Reads {
    reads_with(body, &[], &[])
}

fn reads_with(body: &str, partials: &[(&str, &str)], v: &[(&str, &str)]) -> Reads {
    Reads::of(&parsed(body, partials), LETTER, &vars(v)).expect("no walk error")
}

fn error(body: &str, partials: &[(&str, &str)]) -> String {
    let err = Reads::of(&parsed(body, partials), LETTER, &vars(&[])).unwrap_err();
    err.iter()
        .map(|p| p.to_string())
        .collect::<Vec<_>>()
        .join("\n")
}

fn only(name: &str, order: Order) -> Tables {
    Tables::Some([(name.to_string(), order)].into())
}

#[test]
fn rows_with_any_quoting_reads_the_table_by_key() {
    for body in [
        r#"{{#each (rows "issues" issues)}}{{paragraph}}{{/each}}"#,
        r#"{{#each (rows 'issues' @root.issues)}}{{paragraph}}{{/each}}"#,
    ] {
        let r = reads(body);
        assert_eq!(r.tables, only("issues", Order::ByKey), "{body}");
        assert!(!r.context_tables, "{body}");
    }
}

#[test]
fn tables_paths_read_the_table_in_file_order() {
    for body in [
        "{{#each tables.issues}}{{paragraph}}{{/each}}",
        "{{#each @root.tables.issues}}{{paragraph}}{{/each}}",
        "{{#each tables.[issues]}}{{paragraph}}{{/each}}",
        "{{#each signatories}}{{#each ../tables.issues}}{{paragraph}}{{/each}}{{/each}}",
        r#"{{#each (lookup @root.tables 'issues')}}{{paragraph}}{{/each}}"#,
        r#"{{#with tables as |t|}}{{#each t.issues}}{{paragraph}}{{/each}}{{/with}}"#,
    ] {
        let r = reads(body);
        assert_eq!(r.tables.get("issues"), Some(Order::Shown), "{body}");
        assert!(r.context_tables, "{body}");
    }
}

#[test]
fn a_table_named_by_a_var_is_that_table_and_an_unknown_name_is_every_table() {
    let r = reads_with(
        "{{#each (rows vars.tbl issues)}}{{paragraph}}{{/each}}",
        &[],
        &[("tbl", "issues")],
    );
    assert_eq!(r.tables, only("issues", Order::ByKey));
    let r = reads_with(
        "{{#each (lookup @root.tables vars.tbl)}}{{paragraph}}{{/each}}",
        &[],
        &[("tbl", "issues")],
    );
    assert_eq!(r.tables.get("issues"), Some(Order::Shown));
    for body in [
        "{{#each (rows which issues)}}{{paragraph}}{{/each}}",
        "{{#each (rows vars.nope issues)}}{{paragraph}}{{/each}}",
        "{{#with @root.tables}}{{#each issues}}{{paragraph}}{{/each}}{{/with}}",
        "{{#each tables}}{{#each this}}{{paragraph}}{{/each}}{{/each}}",
        "{{#each (lookup @root.tables which)}}{{paragraph}}{{/each}}",
        "{{#each this}}{{this}}{{/each}}",
        "{{#with @root as |r|}}{{#each r.tables.issues}}{{paragraph}}{{/each}}{{/with}}",
    ] {
        let r = reads(body);
        assert!(
            r.tables == Tables::Every || r.tables.get("issues") == Some(Order::Shown),
            "{body}: {:?}",
            r.tables
        );
    }
}

#[test]
fn the_root_used_whole_reads_everything() {
    let r = reads(r#"{{#each (lookup @root which)}}{{x}}{{/each}}"#);
    assert_eq!(r.tables, Tables::Every);
    assert!(r.signatory_columns.every);
    assert!(r.context_tables);
}

#[test]
fn a_letter_without_tables_reads_none() {
    let r = reads("Dear {{salutation}}, {{vars.x}} {{#if tables_note}}x{{/if}}");
    assert_eq!(r.tables, Tables::default());
    assert!(!r.context_tables);
}

#[test]
fn signatory_columns_are_those_the_letter_names() {
    let r = reads(
        r#"{{#each signatories as |s|}}{{s.organization}} {{title}}{{/each}} {{join signatories "short"}} {{#each (filter signatories scope="national")}}{{email}}{{/each}}"#,
    );
    assert!(!r.signatory_columns.every);
    assert_eq!(
        r.signatory_columns.named.into_iter().collect::<Vec<_>>(),
        ["email", "organization", "scope", "short", "title"]
    );
    assert!(
        reads("{{#each signatories}}{{upper this}}{{/each}}")
            .signatory_columns
            .every
    );
}

#[test]
fn partials_are_followed_static_and_dynamic() {
    let partials = [
        ("sig", "{{#each tables.orgs}}{{name}}{{/each}}"),
        ("other", "plain"),
        ("unused", "{{#each tables.secret}}{{x}}{{/each}}"),
    ];
    let r = reads_with("{{> sig}}", &partials, &[]);
    assert_eq!(
        r.partials.iter().collect::<Vec<_>>(),
        ["sig"],
        "only the partial used"
    );
    assert_eq!(r.tables.get("orgs"), Some(Order::Shown));
    let r = reads_with(
        r#"{{> (lookup vars "sigpart")}}"#,
        &partials,
        &[("sigpart", "other")],
    );
    assert_eq!(r.partials.iter().collect::<Vec<_>>(), ["other"]);
    let r = reads_with("{{> (lookup this \"part\")}}", &partials, &[]);
    assert_eq!(r.partials.len(), 3, "a name from the data: every partial");
    assert_eq!(r.tables.get("secret"), Some(Order::Shown));
}

#[test]
fn partial_recursion_is_an_error_naming_the_cycle() {
    let e = error("{{> pa}}", &[("pa", "a {{> pb}}"), ("pb", "b\n{{> pa}}")]);
    assert!(e.contains("pa → pb → pa"), "{e}");
    assert!(e.contains("templates/partials/pb.hbs:2"), "{e}");
    let e = error("{{> pa}}", &[("pa", "{{#if x}}{{> pa}}{{/if}}")]);
    assert!(e.contains("pa → pa"), "{e}");
    let e = error("{{> pa}}", &[("pa", "{{> (lookup this \"x\")}}")]);
    assert!(e.contains("only known when each letter is rendered"), "{e}");
}

#[test]
fn nesting_through_partials_is_limited() {
    let names: Vec<String> = (0..1000).map(|i| format!("p{i}")).collect();
    let sources: Vec<String> = (0..1000).map(|i| format!("{{{{> p{}}}}}", i + 1)).collect();
    let partials: Vec<(&str, &str)> = names
        .iter()
        .zip(&sources)
        .map(|(n, s)| (n.as_str(), s.as_str()))
        .collect();
    let e = error("{{> p0}}", &partials);
    assert!(e.contains("more than 64 levels"), "{e}");
    // At the limit it is fine.
    let ok: Vec<(&str, &str)> = partials[..63].to_vec();
    let mut ok = ok;
    ok.push(("p63", "end"));
    reads_with("{{> p0}}", &ok, &[]);
}

#[test]
fn partials_included_many_times_are_walked_once_per_scope() {
    // 2^40 paths if every inclusion were walked again.
    let names: Vec<String> = (0..40).map(|i| format!("p{i}")).collect();
    let sources: Vec<String> = (0..40)
        .map(|i| format!("{{{{> p{0}}}}}{{{{> p{0}}}}}", i + 1))
        .collect();
    let mut partials: Vec<(&str, &str)> = names
        .iter()
        .zip(&sources)
        .map(|(n, s)| (n.as_str(), s.as_str()))
        .collect();
    partials.push(("p40", "{{#each tables.deep}}{{x}}{{/each}}"));
    let r = reads_with("{{> p0}}", &partials, &[]);
    assert_eq!(r.tables.get("deep"), Some(Order::Shown));
}

#[test]
fn inline_partials_are_refused() {
    let e = error("{{#*inline \"a\"}}x{{/inline}}{{> a}}", &[]);
    assert!(e.contains("not supported"), "{e}");
}
