//! The primary table streamed (issue 13): letters come out of a table read row by row, in bounded batches, exactly as
//! they did from a table held whole — groups whose rows are far apart, `letter.index`/`letter.count` over the whole
//! variant whatever `--only` and `--limit` pick, duplicate keys and file names found by hash and named exactly, and
//! every message at the row's own line.

use crate::harness::Campaign;

const MANIFEST: &str = "[letter]\ngroup = \"committee\"\n";
const TEMPLATE: &str = "---\nfilename: \"{{letter.key}}\"\n---\n\
                        {{letter.index}} of {{letter.count}}: {{letter.key}} to \
                        {{#each addressees}}{{id}} {{/each}}\n";

/// Rows of two committees far apart, with letters of their own between them.
fn committees() -> Campaign {
    Campaign::small(
        MANIFEST,
        TEMPLATE,
        "id,name,committee,country",
        &[
            "chair-a,Ana,foreign,US",
            "solo-1,Ben,,US",
            "chair-b,Cruz,budget,MX",
            "solo-2,Dee,,US",
            "member-a,Eve,foreign,MX",
            "member-b,Fay,budget,US",
            "solo-3,Gil,,MX",
            "member-a2,Hal,foreign,US",
        ],
    )
}

fn first_line(c: &Campaign, file: &str) -> String {
    c.out("default", file)
        .lines()
        .next()
        .unwrap_or_default()
        .to_owned()
}

#[test]
fn a_group_whose_rows_are_far_apart_is_one_letter_where_its_first_row_is() {
    let c = committees();
    c.render_txt(&[]);
    assert_eq!(
        c.out_files("default"),
        [
            "budget.txt",
            "foreign.txt",
            "solo-1.txt",
            "solo-2.txt",
            "solo-3.txt"
        ]
    );
    assert_eq!(
        first_line(&c, "foreign.txt"),
        "1 of 5: foreign to chair-a member-a member-a2"
    );
    assert_eq!(first_line(&c, "solo-1.txt"), "2 of 5: solo-1 to solo-1");
    assert_eq!(
        first_line(&c, "budget.txt"),
        "3 of 5: budget to chair-b member-b"
    );
    assert_eq!(first_line(&c, "solo-2.txt"), "4 of 5: solo-2 to solo-2");
    assert_eq!(first_line(&c, "solo-3.txt"), "5 of 5: solo-3 to solo-3");
}

#[test]
fn a_variant_filter_groups_only_the_rows_it_picks() {
    let c = committees();
    c.write(
        "lettermerge.toml",
        format!("{MANIFEST}[variants.us]\nrecipients = {{ where = {{ country = \"US\" }} }}\n"),
    );
    c.render_txt(&[]);
    assert_eq!(
        c.out_files("us"),
        ["budget.txt", "foreign.txt", "solo-1.txt", "solo-2.txt"]
    );
    let us = |f: &str| c.out("us", f).lines().next().unwrap_or_default().to_owned();
    assert_eq!(us("foreign.txt"), "1 of 4: foreign to chair-a member-a2");
    assert_eq!(us("budget.txt"), "4 of 4: budget to member-b");
}

#[test]
fn only_and_limit_pick_letters_but_index_and_count_stay_the_variants() {
    let c = committees();
    c.render_txt(&["--only", "solo-2"]);
    assert_eq!(c.out_files("default"), ["solo-2.txt"]);
    assert_eq!(first_line(&c, "solo-2.txt"), "4 of 5: solo-2 to solo-2");

    let c = committees();
    c.render_txt(&["--limit", "2"]);
    assert_eq!(c.out_files("default"), ["foreign.txt", "solo-1.txt"]);
    assert_eq!(first_line(&c, "solo-1.txt"), "2 of 5: solo-1 to solo-1");
}

#[test]
fn a_group_named_like_another_rows_key_is_refused() {
    let c = committees();
    c.edit(
        "recipients/officials.csv",
        "member-b,Fay,budget",
        "member-b,Fay,solo-3",
    );
    let err = c.render(&["--format", "txt"]).fails_with(1);
    assert!(
        err.contains("group `solo-3` has the same name as a recipient key"),
        "{err}"
    );
}

#[test]
fn duplicate_keys_far_apart_are_named_with_both_lines() {
    let mut rows: Vec<String> = (0..3000).map(|i| format!("k{i},Name {i},,US")).collect();
    rows[2500] = "k7,Again,,US".into();
    let refs: Vec<&str> = rows.iter().map(String::as_str).collect();
    let c = Campaign::small(MANIFEST, TEMPLATE, "id,name,committee,country", &refs);
    let err = c.check(&[]).fails_with(1);
    assert!(
        err.contains(
            "recipients/officials.csv:2502: duplicate `id` \"k7\": line 2502 repeats line 9"
        ),
        "{err}"
    );
}

#[test]
fn letters_sharing_a_file_are_found_across_batches_and_named_both() {
    // More letters than one batch holds, two of them named alike by the template's file name.
    let rows: Vec<String> = (0..2500)
        .map(|i| {
            let file = if i == 3 || i == 2400 {
                "twin".to_string()
            } else {
                format!("k{i}")
            };
            format!("k{i},x,,US,{file}")
        })
        .collect();
    let refs: Vec<&str> = rows.iter().map(String::as_str).collect();
    let template = "---\nfilename: \"{{file}}\"\n---\nHello\n";
    let c = Campaign::small(MANIFEST, template, "id,name,committee,country,file", &refs);
    let err = c.render(&["--format", "txt"]).fails_with(1);
    assert!(
        err.contains("letters default/k3 and default/k2400 would both be written to default/twin"),
        "{err}"
    );
    assert!(c.out_files("default").is_empty(), "nothing is written");
    let err = c.check(&[]).fails_with(1);
    assert!(err.contains("default/k3 and default/k2400"), "{err}");
}

#[test]
fn a_rows_problem_names_its_own_line_after_multiline_cells() {
    let c = Campaign::small(
        MANIFEST,
        "Dear {{name}},\n",
        "id,name,committee,country,channel",
        &[
            "a,\"Ana\nof two lines\",,US,",
            "b,\"Ben\nof\nthree\",,US,",
            "c,Cruz,,US,pigeon",
        ],
    );
    let err = c.render(&["--format", "txt"]).fails_with(1);
    assert!(err.contains("recipients/officials.csv:7"), "{err}");
    assert!(err.contains("`pigeon`"), "{err}");
    let err = c.check(&[]).fails_with(1);
    assert!(
        err.contains("recipients/officials.csv:7:5: the letter to `c`: `channel` is `pigeon`"),
        "{err}"
    );
}

#[test]
fn status_streams_the_same_json_and_sheet_a_whole_report_would_be() {
    let c = committees();
    let run = c.ok(&["status", "--json", "--sheet"]);
    let parsed: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    // Pretty-printing the parsed report again gives the very bytes streamed out.
    assert_eq!(
        run.stdout,
        serde_json::to_string_pretty(&parsed).unwrap() + "\n"
    );
    assert_eq!(parsed["letters"].as_array().unwrap().len(), 5);
    assert_eq!(parsed["counts"]["to-deliver"], 5);
    assert_eq!(c.read("out/deliveries.json"), run.stdout);
    let csv = c.read("out/deliveries.csv");
    assert_eq!(csv.lines().count(), 6, "{csv}");
    let html = c.read("out/deliveries.html");
    assert!(
        html.contains("5 letters: 5 to deliver") && html.ends_with("</html>\n"),
        "{html}"
    );
    let empty = c.ok(&["status", "--json", "--channel", "fax"]);
    let parsed: serde_json::Value = serde_json::from_str(&empty.stdout).unwrap();
    assert_eq!(
        empty.stdout,
        serde_json::to_string_pretty(&parsed).unwrap() + "\n"
    );
}
