use handlebars::Handlebars;
use serde_json::{json, Value};

use super::*;

/// The names a coalition (not per-signatory) variant shares.
const SHARED_NAMES: &[&str] = &[
    "vars",
    "variant",
    "today",
    "tables",
    "coalition",
    "signatories",
    "signatory",
];

/// What a coalition variant's blocks may read: the shared names, and the recipient columns.
fn names() -> Names {
    Names {
        shared: SHARED_NAMES.to_vec(),
        cells: ["title", "first_name", "last_name", "gender", "issues"]
            .map(String::from)
            .to_vec(),
    }
}

fn registry(letter: &str) -> Handlebars<'static> {
    let mut reg = Handlebars::new();
    reg.set_strict_mode(true);
    reg.set_prevent_indent(true);
    let issues = ["torture", "migrants", "press"]
        .map(|k| json!({ "id": k, "paragraph": format!("On {k}.") }));
    let tables = crate::render::helpers::TableRows {
        index: issues
            .iter()
            .enumerate()
            .map(|(i, r)| (r["id"].as_str().unwrap().to_string(), i))
            .collect(),
        rows: issues.to_vec(),
    };
    let tables = std::sync::Arc::new([("issues".to_string(), tables)].into_iter().collect());
    crate::render::helpers::register(&mut reg, &tables);
    reg.register_template_string("letter", letter)
        .expect("letter compiles");
    reg
}

/// A letter of the variant: its own row (`last_name`, `title`, `issues`), `letter` and `addressees` differ from one
/// letter to the next; the rest is the variant's.
fn letter(last_name: &str, title: &str, index: u32) -> Value {
    letter_on(last_name, title, index, "torture;press")
}

fn letter_on(last_name: &str, title: &str, index: u32, issues: &str) -> Value {
    let row = json!({ "title": title, "first_name": "Ann", "last_name": last_name, "gender": "f" });
    json!({
        "title": title,
        "first_name": "Ann",
        "last_name": last_name,
        "gender": "f",
        "issues": issues,
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

/// Folds `source` with the first letter's context, then renders more letters from the folded copy and as written:
/// both must give the same text (or both fail). Returns how many elements were folded at the top level, and how many
/// are kept by the cells they read.
fn folds(source: &str) -> (usize, usize) {
    let reg = registry(source);
    let first = Context::from(letter("Pompeo", "Secretary", 1));
    let t = reg.get_template("letter").expect("registered");
    let Some(folded) = fold(&reg, t, &names(), &first) else {
        return (0, 0);
    };
    // Twice each: the second letter on the same issues finds the first one's text kept.
    for other in [
        letter("Klobuchar", "Senator", 2),
        letter_on("Engel", "Representative", 3, "migrants"),
        letter("Klobuchar", "Senator", 2),
        letter_on("Engel", "Representative", 3, "migrants"),
        letter_on("Royce", "Representative", 4, "nothing-such"),
    ] {
        let other = Context::from(other);
        let as_written = reg.render_with_context("letter", &other).map_err(|_| ());
        let from_fold = folded.render(&reg, &other).map_err(|_| ());
        assert_eq!(as_written, from_fold, "{source}");
    }
    let raw = |t: &Template| {
        t.elements
            .iter()
            .filter(|e| matches!(e, TemplateElement::RawString(_)))
            .count()
    };
    (raw(&folded.template) - raw(t), folded.kept.len())
}

fn same(source: &str) -> usize {
    folds(source).0
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
    let folded = fold(&reg, reg.get_template("letter").unwrap(), &names(), &first).expect("folded");
    let second = Context::from(letter("Klobuchar", "Senator", 2));
    assert_eq!(
        folded.render(&reg, &second).unwrap(),
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
    let names = Names {
        shared: SHARED_NAMES
            .iter()
            .copied()
            .filter(|n| !SIGNATORIES.contains(n))
            .collect(),
        cells: Vec::new(),
    };
    assert!(fold(&reg, reg.get_template("letter").unwrap(), &names, &first).is_none());
}

#[test]
fn a_block_that_reads_a_few_cells_is_kept_by_their_values() {
    for source in [
        "Dear {{title}},\n\n{{#each (rows \"issues\" @root.issues)}}{{paragraph}} ({{@index}})\n\n{{/each}}Sincerely,",
        "{{#each (rows \"issues\" issues)}}{{upper id}}{{/each}} {{last_name}}",
        "{{#if issues}}{{join (rows \"issues\" issues) \"id\"}} for {{title}} {{last_name}}{{/if}}",
    ] {
        assert!(folds(source).1 > 0, "nothing kept in {source}");
    }
}

#[test]
fn a_block_that_reads_a_letter_s_own_values_otherwise_is_not_kept() {
    for source in [
        "{{#each addressees}}{{last_name}}{{/each}}",
        "{{salutation}}",
        "{{letter.key}} {{#each (rows \"issues\" issues)}}{{@root.letter.index}}{{/each}}",
        "{{lookup @root \"last_name\"}}",
        "{{#each (rows \"issues\" issues)}}{{../last_name}}{{/each}}",
    ] {
        assert_eq!(folds(source).1, 0, "{source} kept");
    }
}

#[test]
fn past_the_texts_it_keeps_a_block_renders_in_place() {
    let source = "{{#if last_name}}Dear {{title}} {{last_name}},{{/if}}";
    let reg = registry(source);
    let first = Context::from(letter("Pompeo", "Secretary", 1));
    let folded = fold(&reg, reg.get_template("letter").unwrap(), &names(), &first).expect("kept");
    for i in 0..(KEPT as u32 + 100) {
        let other = Context::from(letter(&format!("Name{i}"), "Senator", i));
        assert_eq!(
            folded.render(&reg, &other).unwrap(),
            format!("Dear Senator Name{i},")
        );
    }
    assert_eq!(folded.kept[0].texts.read().unwrap().len(), KEPT);
}

#[test]
fn every_helper_lettermerge_adds_was_reviewed_as_pure() {
    // A helper added to `walk::HELPERS` folds like these: if its value reads the letter's context beyond its call
    // (as `salutation` reads `this` when given nothing), teach `call_reads` about it before adding it here.
    assert_eq!(
        crate::plan::reads::walk::HELPERS.join(" "),
        "salutation addressee join date rows filter mailbox upper lower default columns"
    );
    assert!(!pure("log") && !pure("raw") && pure("each") && pure("lookup"));
}
