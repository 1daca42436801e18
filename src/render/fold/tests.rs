use handlebars::Handlebars;
use serde_json::{json, Value};

use super::*;

/// The names a coalition (not per-signatory) variant shares.
const NAMES: &[&str] = &[
    "vars",
    "variant",
    "today",
    "tables",
    "coalition",
    "signatories",
    "signatory",
];

fn registry(letter: &str) -> Handlebars<'static> {
    let mut reg = Handlebars::new();
    reg.set_strict_mode(true);
    reg.set_prevent_indent(true);
    crate::render::helpers::register(&mut reg, &Default::default());
    reg.register_template_string("letter", letter)
        .expect("letter compiles");
    reg
}

/// A letter of the variant: its own row (`last_name`, `title`, `issues`), `letter` and `addressees` differ from one
/// letter to the next; the rest is the variant's.
fn letter(last_name: &str, title: &str, index: u32) -> Value {
    let row = json!({ "title": title, "first_name": "Ann", "last_name": last_name, "gender": "f" });
    json!({
        "title": title,
        "first_name": "Ann",
        "last_name": last_name,
        "gender": "f",
        "issues": format!("issue{index}"),
        "letter": { "index": index, "key": format!("k{index}"), "count": 2 },
        "addressees": [row],
        "vars": { "lang": "en", "occasion": "the July 13 visit" },
        "variant": { "name": "coalition", "lang": "en" },
        "today": "2018-07-11",
        "tables": {},
        "signatory": null,
        "signatories": [
            { "organization": "WOLA", "scope": "national", "email": "mmeyer@wola.org", "title": "Director",
              "first_name": "Maureen", "last_name": "Meyer", "gender": "f" },
            { "organization": "LAWG", "scope": "national", "email": "", "title": "Mr.",
              "first_name": "Daniel", "last_name": "Cheng", "gender": "m" },
            { "organization": "Kino Border Initiative", "scope": "state", "email": "x@kino.org", "title": "",
              "first_name": "", "last_name": "", "gender": "" },
        ],
        "coalition": { "signatories": [] },
    })
}

/// Folds `source` with the first letter's context, then renders a second letter from the folded copy and as
/// written: both must give the same text (or both fail). Returns how many elements were folded at the top level.
fn same(source: &str) -> usize {
    let reg = registry(source);
    let first = Context::from(letter("Pompeo", "Secretary", 1));
    let second = Context::from(letter("Klobuchar", "Senator", 2));
    let t = reg.get_template("letter").expect("registered");
    let Some(folded) = fold(&reg, t, NAMES, &first) else {
        return 0;
    };
    let as_written = reg.render_with_context("letter", &second).map_err(|_| ());
    let from_fold = render(&reg, &folded, &second).map_err(|_| ());
    assert_eq!(as_written, from_fold, "{source}");
    let raw = |t: &Template| {
        t.elements
            .iter()
            .filter(|e| matches!(e, TemplateElement::RawString(_)))
            .count()
    };
    raw(&folded) - raw(t)
}

#[test]
fn a_signature_block_is_folded_and_renders_the_same() {
    for source in [
        "Dear {{last_name}},\n\n{{#each (filter signatories scope=\"national\")}}{{organization}}\n{{/each}}",
        "{{#if (filter signatories scope=\"state\")}}**State**\n\n{{#columns}}{{#each (filter signatories \
         scope=\"state\")}}{{organization}}{{#if email}} {{email}}{{/if}}\n{{/each}}{{/columns}}{{/if}}\n{{last_name}}",
        "{{#each signatories}}{{@index}} {{@first}} {{this.organization}} {{upper organization}}{{/each}} {{title}}",
        "{{#each signatories}}{{salutation}}; {{addressee}}{{/each}}\n{{salutation}}",
        "{{#if signatory}}{{signatory.organization}}{{else}}{{join signatories \"organization\"}}{{/if}} {{letter.key}}",
        "{{date today}} {{vars.occasion}} {{len signatories}} {{#with vars}}{{lang}}{{/with}} {{last_name}}",
        "{{#each signatories}}{{mailbox organization email}};{{/each}}{{#unless vars.missing_ok}}x{{/unless}}",
    ] {
        assert!(same(source) > 0, "nothing folded in {source}");
    }
}

#[test]
fn what_a_letter_reads_of_its_own_is_not_folded() {
    for source in [
        "{{last_name}}",
        "{{#each addressees}}{{last_name}}{{/each}}",
        "{{#each signatories}}{{../last_name}}{{/each}}",
        "{{#each signatories}}{{@root.last_name}} {{@root.letter.key}}{{/each}}",
        "{{salutation}}",
        "{{#each signatories as |s|}}{{s.organization}}{{/each}}",
        "{{#each (rows \"issues\" issues)}}{{this}}{{/each}}",
        "{{#each signatories}}{{lookup @root title}}{{/each}}",
        "{{#if letter.index}}first{{/if}}",
        "{{this.last_name}}",
        "{{#each signatories}}{{log organization}}{{/each}}",
        "{{> missing}}",
    ] {
        assert_eq!(same(source), 0, "{source} folded");
    }
}

#[test]
fn inside_a_letter_s_own_block_a_shared_one_is_folded() {
    let source =
        "{{#if last_name}}{{last_name}}: {{#each signatories}}{{organization}} {{/each}}{{else}}\
                  {{vars.occasion}}{{/if}}";
    let reg = registry(source);
    let first = Context::from(letter("Pompeo", "Secretary", 1));
    let folded = fold(&reg, reg.get_template("letter").unwrap(), NAMES, &first).expect("folded");
    let second = Context::from(letter("Klobuchar", "Senator", 2));
    assert_eq!(
        render(&reg, &folded, &second).unwrap(),
        "Klobuchar: WOLA LAWG Kino Border Initiative "
    );
}

#[test]
fn a_block_that_fails_stays_as_written() {
    // Strict mode: `vars.nothing` is missing for every letter, and the letter fails as it would have.
    assert_eq!(
        same("{{vars.nothing}} {{#each signatories}}{{nothing}}{{/each}}"),
        0
    );
}

#[test]
fn a_per_signatory_variant_does_not_fold_its_signatories() {
    let reg = registry("{{#each signatories}}{{organization}}{{/each}}");
    let first = Context::from(letter("Pompeo", "Secretary", 1));
    let names: Vec<&str> = NAMES
        .iter()
        .copied()
        .filter(|n| !SIGNATORIES.contains(n))
        .collect();
    assert!(fold(&reg, reg.get_template("letter").unwrap(), &names, &first).is_none());
}
