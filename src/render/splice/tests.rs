use handlebars::Handlebars;
use serde_json::{json, Value};

use super::*;

/// A registry set up as the renderer's body registry is.
fn registry(letter: &str, partials: &[(&str, &str)]) -> Handlebars<'static> {
    let mut reg = Handlebars::new();
    reg.set_strict_mode(true);
    reg.set_prevent_indent(true);
    for (name, source) in partials {
        reg.register_partial(name, source)
            .expect("partial compiles");
    }
    reg.register_template_string("letter", letter)
        .expect("letter compiles");
    reg
}

fn context() -> Value {
    json!({
        "last_name": "Pompeo",
        "vars": { "lang": "en" },
        "signatory": null,
        "signatories": [
            { "organization": "WOLA", "scope": "national", "email": "mmeyer@wola.org" },
            { "organization": "LAWG", "scope": "national", "email": "" },
            { "organization": "Kino Border Initiative", "scope": "state", "email": "x@kino.org" },
        ],
        "addressees": [{ "last_name": "Pompeo" }],
    })
}

/// Renders `letter` as written and spliced; both must give the same text, or both fail. Returns whether anything
/// was spliced.
fn same(letter: &str, partials: &[(&str, &str)]) -> bool {
    let mut reg = registry(letter, partials);
    let before = reg.render("letter", &context()).map_err(|_| ());
    let Some(t) = spliced(&reg, "letter") else {
        return false;
    };
    reg.register_template("letter", t);
    let after = reg.render("letter", &context()).map_err(|_| ());
    assert_eq!(before, after, "{letter} with {partials:?}");
    true
}

const SIG: &str =
    "{{#each signatories}}\n{{organization}}\n{{#if email}}{{email}}\n{{/if}}\n{{/each}}\n";

#[test]
fn a_spliced_partial_renders_what_the_partial_rendered() {
    let partials = [
        ("sig", SIG),
        ("pair", "{{> sig}}--\n{{> name}}"),
        ("name", "Dear Secretary {{last_name}}"),
        (
            "here",
            "{{this.organization}} {{@index}} {{@first}} {{@root.last_name}}",
        ),
        (
            "count",
            "{{len signatories}}{{#with vars}} {{lang}}{{/with}}",
        ),
    ];
    for letter in [
        "{{> name}},\n\nText.\n\n{{> sig}}\nP.S.\n",
        "Sincerely,\n\n  {{> sig}}\n",
        "{{#if signatory}}{{signatory.organization}}{{else}}{{> sig}}{{/if}}",
        "{{#each signatories}}{{> here}};{{/each}}",
        "{{#with vars}}{{> count}}{{/with}}",
        "a {{~> name ~}} b",
        "{{> pair}}",
        "{{#each (filter signatories scope=\"state\")}}{{> here}}{{/each}}",
    ] {
        let partials: Vec<_> = partials.to_vec();
        assert!(same(letter, &partials), "nothing spliced in {letter}");
    }
}

#[test]
fn a_partial_that_could_tell_where_it_stands_is_left_a_partial() {
    let partials = [
        ("up", "{{../last_name}}"),
        ("param", "{{organization}}"),
        ("sig", SIG),
    ];
    for letter in [
        "{{#each signatories}}{{> up}}{{/each}}",
        "{{#each signatories as |s|}}{{> param}}{{/each}}",
        "{{> param signatories.[0]}}",
        "{{> param organization=\"x\"}}",
    ] {
        assert!(!same(letter, &partials), "{letter} was spliced");
    }
    // A letter with an inline partial decides at render time what a name means: nothing in it is spliced.
    let letter = "{{#*inline \"sig\"}}mine{{/inline}}{{> sig}}";
    let reg = registry(letter, &partials);
    assert!(spliced(&reg, "letter").is_none());
}

#[test]
fn a_missing_value_inside_a_spliced_partial_still_fails() {
    let partials = [("bad", "{{#each signatories}}{{nope}}{{/each}}")];
    assert!(same("x {{> bad}} y", &partials));
    let reg = registry("x {{> bad}} y", &partials);
    assert!(reg.render("letter", &context()).is_err());
}

#[test]
fn partials_within_partials_are_spliced_to_a_depth() {
    let mut reg = registry(
        "{{> a}}",
        &[("a", "A{{> b}}"), ("b", "B{{> c}}"), ("c", "C")],
    );
    let t = spliced(&reg, "letter").expect("spliced");
    assert!(!t
        .elements
        .iter()
        .any(|e| matches!(e, TemplateElement::PartialExpression(_))));
    reg.register_template("letter", t);
    assert_eq!(reg.render("letter", &context()).unwrap(), "ABC");
}
