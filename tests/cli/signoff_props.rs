//! A property of the text fingerprint (issue 10): for templates generated from every way a letter can reach a
//! table's rows — `rows` with any quoting or a name from `vars`, `tables.NAME`, `@root.tables`, `lookup`, `with`,
//! `filter`, an index — wrapped in blocks and in static and dynamic partials, any edit of the table that changes what
//! a letter says changes the variant's text fingerprint. (An edit that changes no letter may or may not.)
//!
//! It runs in-process on the library: the campaign is written to a temporary folder, loaded, fingerprinted and
//! rendered as the commands do, so hundreds of templates take seconds.

use lettermerge::load::Campaign;
use lettermerge::signoff::Signoff;
use proptest::prelude::*;

const KEYS: [&str; 5] = ["k0", "k1", "k2", "k3", "k4"];

/// Ways to print the rows of `issues`; each works at any depth (paths start at `@root`).
const FORMS: &[(&str, &str)] = &[
    (r#"{{#each (rows "issues" @root.issues)}}"#, "{{/each}}"),
    (r#"{{#each (rows 'issues' @root.issues)}}"#, "{{/each}}"),
    (
        r#"{{#each (rows @root.vars.tbl @root.issues)}}"#,
        "{{/each}}",
    ),
    (
        r#"{{#each (rows (lookup @root.vars "tbl") @root.issues)}}"#,
        "{{/each}}",
    ),
    (r#"{{#each (rows "issues" @root.vars.fixed)}}"#, "{{/each}}"),
    ("{{#each @root.tables.issues}}", "{{/each}}"),
    ("{{#each @root.tables.[issues]}}", "{{/each}}"),
    ("{{#each (lookup @root.tables 'issues')}}", "{{/each}}"),
    (
        "{{#each (lookup @root.tables @root.vars.tbl)}}",
        "{{/each}}",
    ),
    (
        "{{#with @root.tables}}{{#each issues}}",
        "{{/each}}{{/with}}",
    ),
    (
        "{{#with @root.tables as |t|}}{{#each t.issues}}",
        "{{/each}}{{/with}}",
    ),
    (
        r#"{{#each (filter @root.tables.issues title="T1")}}"#,
        "{{/each}}",
    ),
    ("{{#with (lookup @root.tables.issues 2)}}", "{{/with}}"),
    ("{{#each @root.tables}}{{#each this}}", "{{/each}}{{/each}}"),
];

/// Where the form sits: `{}` is replaced by it.
const WRAPPERS: &[&str] = &[
    "{}",
    "{{#if @root.letter.key}}{}{{/if}}",
    "{{#each @root.addressees}}{{#if @first}}{}{{/if}}{{/each}}",
    "{{#with @root.vars}}{}{{/with}}",
    "PARTIAL",
    "DYNAMIC",
    "NESTED",
];

#[derive(Debug, Clone)]
struct Case {
    form: usize,
    wrapper: usize,
    /// Each recipient's `issues` cell: the keys it asks for.
    cells: [Vec<usize>; 2],
    titles: [u8; 5],
}

fn case() -> impl Strategy<Value = Case> {
    (
        0..FORMS.len(),
        0..WRAPPERS.len(),
        prop::collection::vec(0..5usize, 0..4),
        prop::collection::vec(0..5usize, 0..4),
        prop::array::uniform5(0..3u8),
    )
        .prop_map(|(form, wrapper, a, b, titles)| Case {
            form,
            wrapper,
            cells: [a, b],
            titles,
        })
}

/// A change to issues.csv.
#[derive(Debug, Clone, Copy)]
enum Edit {
    Paragraph(usize),
    Title(usize),
    Reverse,
}

struct Files {
    dir: tempfile::TempDir,
}

impl Files {
    fn write(&self, rel: &str, text: &str) {
        let path = self.dir.path().join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
}

fn issues_csv(c: &Case, edit: Option<Edit>) -> String {
    let mut rows: Vec<String> = (0..5)
        .map(|i| {
            let mut paragraph = format!("Paragraph P{i}Z on issue {i}");
            let mut title = format!("T{}", c.titles[i]);
            match edit {
                Some(Edit::Paragraph(j)) if j == i => paragraph.push_str(" now amended"),
                Some(Edit::Title(j)) if j == i => title = format!("T{}", (c.titles[i] + 1) % 3),
                _ => {}
            }
            format!("{},{title},{paragraph}", KEYS[i])
        })
        .collect();
    if let Some(Edit::Reverse) = edit {
        rows.reverse();
    }
    format!("id,title,paragraph\n{}\n", rows.join("\n"))
}

fn campaign(c: &Case) -> Files {
    let f = Files {
        dir: tempfile::tempdir().unwrap(),
    };
    f.write(
        "lettermerge.toml",
        "[tables]\nissues = \"recipients/issues.csv\"\n\n[vars]\ntbl = \"issues\"\nfixed = \"k1;k3\"\npart = \"part\"\n",
    );
    let cell = |keys: &Vec<usize>| keys.iter().map(|&k| KEYS[k]).collect::<Vec<_>>().join(";");
    f.write(
        "recipients/officials.csv",
        &format!(
            "id,name,issues\na,Ana,{}\nb,Bea,{}\n",
            cell(&c.cells[0]),
            cell(&c.cells[1])
        ),
    );
    let (open, close) = FORMS[c.form];
    let form = format!("{open}[{{{{paragraph}}}}]\n{close}");
    let body = match WRAPPERS[c.wrapper] {
        "PARTIAL" => {
            f.write("templates/partials/part.hbs", &form);
            "{{> part}}".to_string()
        }
        "DYNAMIC" => {
            f.write("templates/partials/part.hbs", &form);
            "{{> (lookup vars \"part\")}}".to_string()
        }
        "NESTED" => {
            f.write("templates/partials/part.hbs", &form);
            f.write(
                "templates/partials/outer.hbs",
                "Before.\n{{> part}}\nAfter.\n",
            );
            "{{> outer}}".to_string()
        }
        w => w.replace("{}", &form),
    };
    f.write(
        "templates/letter.hbs",
        &format!("Dear {{{{name}}}},\n\n{body}\n"),
    );
    f.write("recipients/issues.csv", &issues_csv(c, None));
    f
}

/// The variant's text fingerprint and every letter's Markdown, as `approve`/`check` and `render` see them.
fn judge(f: &Files) -> Result<(String, Vec<String>), String> {
    let campaign = Campaign::load(f.dir.path()).map_err(|p| format!("{p:?}"))?;
    let s = Signoff::new(&campaign, &[]).map_err(|p| format!("{p:?}"))?;
    let text = s.fingerprint("default").text.clone();
    let mut letters = Vec::new();
    let pick = lettermerge::plan::stream::Pick::all();
    for batch in s.plan.batches(&pick, lettermerge::plan::stream::BATCH) {
        for l in batch.map_err(|p| p.to_string())?.letters() {
            letters.push(s.renderer.render(&l).map_err(|p| p.to_string())?.markdown);
        }
    }
    Ok((text, letters))
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, .. ProptestConfig::default() })]

    #[test]
    fn every_edit_a_letter_shows_makes_the_variant_stale(c in case()) {
        let f = campaign(&c);
        let (text, letters) = judge(&f).expect("the generated campaign renders");
        let edits = (0..5)
            .map(Edit::Paragraph)
            .chain((0..5).map(Edit::Title))
            .chain([Edit::Reverse]);
        for edit in edits {
            f.write("recipients/issues.csv", &issues_csv(&c, Some(edit)));
            let Ok((edited_text, edited_letters)) = judge(&f) else {
                // A lookup by position can fall off the table: that letter fails to render, it is never sent.
                continue;
            };
            if edited_letters != letters {
                prop_assert_ne!(
                    &edited_text, &text,
                    "{:?} changed the letters of {:?} but not the fingerprint", edit, c
                );
            }
        }
    }
}
