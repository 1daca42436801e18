//! The bad-input matrix (issue 2; README, "Tables (CSV)", "Templates", "Formats", "Commands"): every broken manifest,
//! table or template ends with exit 1 — never a panic (101) — and a message naming the file and line (and column where
//! there is one); a campaign-level error writes nothing, a per-letter error writes the other letters and lists the
//! failed one; usage errors exit 2.

use crate::harness::Campaign;

const MANIFEST: &str = r#"[letter]
template   = "templates/letter.hbs"
recipients = "recipients/officials.csv"

[tables]
issues = "recipients/issues.csv"
"#;

/// Five lines of front matter (fences included): body line N is file line N + 5.
const TEMPLATE: &str = r#"---
from: 'Coalition <coalition@example.org>'
to: '{{mailbox name email}}'
subject: 'About {{topic}}'
---
Dear {{name}},

{{#each (rows "issues" issues)}}
{{text}}

{{/each}}
Sincerely,
The coalition
"#;

const HEADER: &str = "id,name,email,topic,issues";
const ANA: &str = "ana,Ana Pérez,ana@example.org,impunity,impunity";
const BEN: &str = "ben,Ben Ortiz,ben@example.org,migrants,migrants;impunity";
const CY: &str = "cy,Cy Díaz,cy@example.org,torture,impunity";
const ISSUES: &str = "id,text\nimpunity,Impunity goes on.\nmigrants,Migrants are not safe.\n";

/// A valid campaign of three letters (ana, ben, cy), each a test's starting point.
fn campaign() -> Campaign {
    let c = Campaign::small(MANIFEST, TEMPLATE, HEADER, &[ANA, BEN, CY]);
    c.write("recipients/issues.csv", ISSUES);
    c
}

/// The campaign with its primary table replaced by these lines (header included).
fn with_officials(lines: &[&str]) -> Campaign {
    let c = campaign();
    c.write("recipients/officials.csv", lines.join("\n") + "\n");
    c
}

/// The campaign with the blank line 7 of its template (body line 2) replaced by `line`.
fn with_body_line(line: &str) -> Campaign {
    let c = campaign();
    let mut lines: Vec<&str> = TEMPLATE.lines().collect();
    assert_eq!(lines[6], "");
    lines[6] = line;
    c.write("templates/letter.hbs", lines.join("\n") + "\n");
    c
}

fn render(c: &Campaign) -> crate::harness::Run {
    c.render(&["--format", "txt,eml"])
}

/// Exit 1, no panic, `place` (file:line[:col]) in stderr, and nothing written; returns stderr.
fn campaign_error(c: &Campaign, place: &str) -> String {
    let run = render(c);
    let stderr = run.fails_with(1);
    assert!(
        stderr.contains(place),
        "stderr does not name `{place}`\n{run}"
    );
    assert!(
        c.all_out_files().is_empty(),
        "a campaign-level error wrote {:?}\n{run}",
        c.all_out_files()
    );
    assert!(
        !c.path().join("out").exists(),
        "a campaign-level error created out/\n{run}"
    );
    stderr
}

/// Exit 1, no panic, the failed letter and `place` named, and exactly `written` written (as txt and eml).
fn letter_error(c: &Campaign, failed: &str, place: &str, written: &[&str]) -> String {
    let run = render(c);
    let stderr = run.fails_with(1);
    assert!(
        stderr.contains(&format!("default/{failed}")),
        "the failed letter is not named\n{run}"
    );
    assert!(
        stderr.contains(place),
        "stderr does not name `{place}`\n{run}"
    );
    let expected: Vec<String> = written
        .iter()
        .flat_map(|k| [format!("default/{k}.eml"), format!("default/{k}.txt")])
        .collect();
    let mut expected = expected;
    expected.sort();
    assert_eq!(c.all_out_files(), expected, "{run}");
    stderr
}

#[test]
fn the_valid_campaign_renders_every_letter() {
    let c = campaign();
    render(&c).success();
    assert_eq!(c.all_out_files().len(), 6);
    assert!(c
        .read("out/default/ben.txt")
        .contains("Migrants are not safe."));
}

// ── The manifest ─────────────────────────────────────────────────────────────────────────────────────────────────

#[test]
fn an_unknown_manifest_key_is_named_with_its_line() {
    let c = campaign();
    c.write(
        "lettermerge.toml",
        format!("{MANIFEST}\n[output]\nformatz = [\"txt\"]\n"),
    );
    let line = MANIFEST.lines().count() + 3;
    let err = campaign_error(&c, &format!("lettermerge.toml:{line}"));
    assert!(err.contains("formatz"), "{err}");
}

#[test]
fn an_unknown_manifest_section_is_named_with_its_line() {
    let c = campaign();
    c.write(
        "lettermerge.toml",
        format!("{MANIFEST}\n[signatorys]\ntable = \"issues\"\n"),
    );
    let line = MANIFEST.lines().count() + 2;
    let err = campaign_error(&c, &format!("lettermerge.toml:{line}"));
    assert!(err.contains("signatorys"), "{err}");
}

#[test]
fn a_manifest_that_is_not_toml_is_named_with_its_line() {
    let c = campaign();
    c.write("lettermerge.toml", format!("{MANIFEST}\n[output\n"));
    campaign_error(
        &c,
        &format!("lettermerge.toml:{}", MANIFEST.lines().count() + 2),
    );
}

// ── Tables ───────────────────────────────────────────────────────────────────────────────────────────────────────

#[test]
fn a_ragged_row_names_its_line() {
    let c = with_officials(&[HEADER, ANA, "ben,Ben Ortiz,ben@example.org", CY]);
    campaign_error(&c, "recipients/officials.csv:3");
}

#[test]
fn a_duplicate_header_names_the_column() {
    let c = campaign();
    c.write(
        "recipients/issues.csv",
        "id,text,text\nimpunity,a,b\nmigrants,c,d\n",
    );
    let err = campaign_error(&c, "recipients/issues.csv:1");
    assert!(err.contains("`text`") || err.contains("\"text\""), "{err}");
}

#[test]
fn an_empty_header_names_its_line() {
    let c = campaign();
    c.write(
        "recipients/issues.csv",
        "id,text,\nimpunity,a,b\nmigrants,c,d\n",
    );
    campaign_error(&c, "recipients/issues.csv:1");
}

#[test]
fn a_missing_key_column_is_named() {
    let c = campaign();
    c.write(
        "recipients/issues.csv",
        "code,text\nimpunity,a\nmigrants,b\n",
    );
    let err = campaign_error(&c, "recipients/issues.csv:1");
    assert!(err.contains("`id`"), "{err}");
}

#[test]
fn an_empty_key_names_its_line() {
    let c = with_officials(&[
        HEADER,
        ANA,
        ",Ben Ortiz,ben@example.org,migrants,migrants",
        CY,
    ]);
    campaign_error(&c, "recipients/officials.csv:3");
}

#[test]
fn a_duplicate_key_names_both_lines() {
    let c = with_officials(&[
        HEADER,
        ANA,
        BEN,
        "ana,Ana Two,ana2@example.org,torture,impunity",
    ]);
    let err = campaign_error(&c, "recipients/officials.csv:4");
    assert!(
        err.contains("line 2") || err.contains("officials.csv:2"),
        "the first line is not named:\n{err}"
    );
    assert!(err.contains("ana"), "{err}");
}

#[test]
fn invalid_utf8_names_the_line_and_the_byte() {
    let c = campaign();
    let mut csv = format!("{HEADER}\n{ANA}\n").into_bytes();
    csv.extend_from_slice(b"ben,Ben Ortiz Pe\xf1a,ben@example.org,migrants,migrants\n");
    csv.extend_from_slice(format!("{CY}\n").as_bytes());
    c.write("recipients/officials.csv", csv);
    let err = campaign_error(&c, "recipients/officials.csv:3");
    assert!(err.contains("UTF-8"), "{err}");
    assert!(err.contains("byte"), "{err}");
}

#[test]
fn an_empty_csv_file_is_named() {
    let c = campaign();
    c.write("recipients/issues.csv", "");
    campaign_error(&c, "recipients/issues.csv");
}

#[test]
fn a_header_only_primary_table_is_named() {
    let c = with_officials(&[HEADER]);
    campaign_error(&c, "recipients/officials.csv");
}

#[test]
fn a_missing_table_file_is_named() {
    let c = campaign();
    std::fs::remove_file(c.path().join("recipients/issues.csv")).expect("remove");
    campaign_error(&c, "recipients/issues.csv");
}

#[test]
fn a_ten_megabyte_field_names_its_line() {
    let c = campaign();
    let big = "x".repeat(10 << 20);
    c.write(
        "recipients/officials.csv",
        format!("{HEADER}\n{ANA}\nben,Ben Ortiz,ben@example.org,{big},migrants\n{CY}\n"),
    );
    campaign_error(&c, "recipients/officials.csv:3");
}

#[test]
fn a_nul_byte_names_its_line() {
    let c = with_officials(&[
        HEADER,
        ANA,
        "ben,Ben\0Ortiz,ben@example.org,migrants,migrants",
        CY,
    ]);
    campaign_error(&c, "recipients/officials.csv:3");
}

// ── Templates ────────────────────────────────────────────────────────────────────────────────────────────────────

#[test]
fn a_template_syntax_error_names_file_line_and_column_counting_the_front_matter() {
    let c = with_body_line("Our issues, {{name}");
    let err = campaign_error(&c, "templates/letter.hbs:7:");
    assert!(
        !err.contains("templates/letter.hbs:2:"),
        "the front matter lines were not counted:\n{err}"
    );
}

#[test]
fn an_unclosed_block_is_a_syntax_error_in_its_file() {
    let c = with_body_line("{{#if name}}");
    campaign_error(&c, "templates/letter.hbs:");
}

#[test]
fn an_unknown_helper_is_named_with_its_place() {
    let c = with_body_line("{{shout name}}");
    let run = render(&c);
    let err = run.fails_with(1);
    assert!(err.contains("shout"), "{run}");
    assert!(err.contains("templates/letter.hbs:7"), "{run}");
    assert!(c.all_out_files().is_empty(), "{run}");
}

#[test]
fn a_missing_partial_is_named_with_its_place() {
    let c = with_body_line("{{> footer}}");
    let run = render(&c);
    let err = run.fails_with(1);
    assert!(err.contains("footer"), "{run}");
    assert!(err.contains("templates/letter.hbs:7"), "{run}");
    assert!(c.all_out_files().is_empty(), "{run}");
}

/// The renderer splices a plain `{{> name}}` into the letter for speed; an error must still point into the partial.
#[test]
fn a_failure_inside_a_partial_names_the_partial_its_line_and_the_letter() {
    let c = with_body_line("{{> closing}}");
    c.write(
        "recipients/officials.csv",
        format!("{HEADER},since\n{ANA},2018-07-11\n{BEN},last week\n"),
    );
    c.write(
        "templates/partials/closing.hbs",
        "With thanks,\n\nOur partner since {{date since}}.\n",
    );
    let run = render(&c);
    let err = run.fails_with(1);
    assert!(err.contains("templates/partials/closing.hbs:3:19"), "{run}");
    assert!(err.contains("ben"), "{run}");
    assert!(!err.contains("ana"), "{run}");
    let ana = c.out("default", "ana.txt");
    assert!(ana.contains("Our partner since July 11, 2018."), "{ana}");
}

#[test]
fn a_misspelt_column_is_named_with_its_place() {
    let c = with_body_line("{{nmae}}");
    let run = render(&c);
    let err = run.fails_with(1);
    assert!(err.contains("nmae"), "{run}");
    assert!(err.contains("templates/letter.hbs:7"), "{run}");
}

#[test]
fn an_unquoted_mustache_in_front_matter_names_its_line_and_the_fix() {
    let c = campaign();
    c.write(
        "templates/letter.hbs",
        TEMPLATE.replace("to: '{{mailbox name email}}'", "to: {{mailbox name email}}"),
    );
    let err = campaign_error(&c, "templates/letter.hbs:3");
    assert!(err.contains("quote"), "{err}");
}

#[test]
fn an_unknown_front_matter_key_is_named() {
    let c = campaign();
    c.write(
        "templates/letter.hbs",
        TEMPLATE.replace("subject:", "subjet:"),
    );
    let err = campaign_error(&c, "templates/letter.hbs:4");
    assert!(err.contains("subjet"), "{err}");
}

#[test]
fn a_missing_template_is_named() {
    let c = campaign();
    std::fs::remove_file(c.path().join("templates/letter.hbs")).expect("remove");
    let err = campaign_error(&c, "lettermerge.toml:2");
    assert!(
        err.contains("template `templates/letter.hbs`: no such file"),
        "{err}"
    );
}

// ── Per-letter errors: the others are written ────────────────────────────────────────────────────────────────────

#[test]
fn a_line_break_in_a_subject_value_fails_that_letter_only() {
    let c = with_officials(&[
        HEADER,
        ANA,
        "ben,Ben Ortiz,ben@example.org,\"migrants\r\nBcc: evil@example.org\",migrants",
        CY,
    ]);
    let err = letter_error(&c, "ben", "recipients/officials.csv:3", &["ana", "cy"]);
    assert!(err.contains("subject"), "{err}");
}

#[test]
fn a_line_break_in_a_mailbox_name_fails_that_letter_only() {
    let c = with_officials(&[
        HEADER,
        ANA,
        "ben,\"Ben\nBcc: evil@example.org\",ben@example.org,migrants,migrants",
        CY,
    ]);
    letter_error(&c, "ben", "recipients/officials.csv:3", &["ana", "cy"]);
}

#[test]
fn a_malformed_address_fails_that_letter_only() {
    let c = with_officials(&[
        HEADER,
        ANA,
        "ben,Ben Ortiz,ben at example.org,migrants,migrants",
        CY,
    ]);
    let err = letter_error(&c, "ben", "recipients/officials.csv:3", &["ana", "cy"]);
    assert!(err.contains("ben at example.org"), "{err}");
}

#[test]
fn an_unknown_key_in_rows_fails_that_letter_and_names_table_key_and_row() {
    let c = with_officials(&[
        HEADER,
        ANA,
        BEN,
        "cy,Cy Díaz,cy@example.org,torture,impunity;nosuch",
    ]);
    let err = letter_error(&c, "cy", "recipients/officials.csv:4", &["ana", "ben"]);
    assert!(err.contains("nosuch"), "{err}");
    assert!(err.contains("issues"), "{err}");
}

#[test]
fn a_failed_letter_is_listed_in_the_summary() {
    let c = with_officials(&[HEADER, ANA, BEN, "cy,Cy Díaz,cy@example.org,torture,nosuch"]);
    let run = render(&c);
    let err = run.fails_with(1);
    assert!(err.contains("1 of 3 letters failed"), "{run}");
}

#[test]
fn a_failed_letter_leaves_no_older_file_behind() {
    let c = campaign();
    render(&c).success();
    c.write(
        "recipients/officials.csv",
        [HEADER, ANA, BEN, "cy,Cy Díaz,cy@example.org,torture,nosuch"].join("\n") + "\n",
    );
    render(&c).fails_with(1);
    assert!(
        !c.path().join("out/default/cy.txt").exists(),
        "a stale letter looks current"
    );
    assert!(c.path().join("out/default/ana.txt").exists());
}

// ── Usage errors: exit 2 ─────────────────────────────────────────────────────────────────────────────────────────

#[test]
fn only_matching_no_letter_is_a_usage_error() {
    let c = campaign();
    let run = c.render(&["--format", "txt", "--only", "nobody"]);
    let err = run.fails_with(2);
    assert!(err.contains("nobody"), "{run}");
    assert!(c.all_out_files().is_empty(), "{run}");
}

#[test]
fn an_unknown_variant_is_a_usage_error() {
    let c = Campaign::example();
    let run = c.render(&["--format", "txt", "--variant", "nosuch"]);
    let err = run.fails_with(2);
    assert!(err.contains("nosuch"), "{run}");
    assert!(c.all_out_files().is_empty(), "{run}");
}

#[test]
fn an_unknown_format_is_a_usage_error() {
    let c = campaign();
    let run = c.render(&["--format", "docx"]);
    let err = run.fails_with(2);
    assert!(err.contains("docx"), "{run}");
    assert!(c.all_out_files().is_empty(), "{run}");
}

#[test]
fn a_bad_date_is_a_usage_error() {
    let c = campaign();
    let mut cmd = c.cmd();
    let run = crate::harness::Run::from(
        cmd.args(["render", "--date", "11/07/2018"])
            .output()
            .expect("run"),
    );
    let err = run.fails_with(2);
    assert!(err.contains("11/07/2018"), "{run}");
}

#[test]
fn a_folder_that_does_not_exist_is_a_usage_error() {
    let c = Campaign::empty();
    let mut cmd = crate::harness::lettermerge();
    let run = crate::harness::Run::from(
        cmd.arg("-C")
            .arg(c.path().join("nowhere"))
            .arg("check")
            .output()
            .expect("run"),
    );
    run.fails_with(2);
}

// ── check reports the same problems, all at once ─────────────────────────────────────────────────────────────────

#[test]
fn check_names_every_bad_row_at_once() {
    let c = with_officials(&[
        HEADER,
        ANA,
        ",Ben Ortiz,ben@example.org,migrants,migrants",
        "ana,Ana Two,a2@example.org,x,impunity",
    ]);
    let run = c.check(&[]);
    let err = run.fails_with(1);
    assert!(err.contains("recipients/officials.csv:3"), "{run}");
    assert!(err.contains("recipients/officials.csv:4"), "{run}");
    assert!(!c.path().join("out").exists());
}

#[test]
fn check_json_gives_file_line_and_column() {
    let c = with_body_line("Our issues, {{name}");
    let run = c.check(&["--json"]);
    assert_eq!(run.code(), 1, "{run}");
    let doc: serde_json::Value =
        serde_json::from_str(&run.stdout()).unwrap_or_else(|e| panic!("{e}\n{run}"));
    assert_eq!(doc["ok"], false);
    let p = &doc["problems"][0];
    assert_eq!(p["severity"], "error", "{doc}");
    assert_eq!(p["file"], "templates/letter.hbs", "{doc}");
    assert_eq!(p["line"], 7, "{doc}");
    assert!(p["column"].is_u64(), "{doc}");
}

/// A date format chrono cannot apply to a day (`%H` has no value) fails the letter, naming the template's line and
/// the format, in `check` as in `render`: never every letter quietly printing the long date instead.
#[test]
fn a_date_format_with_time_fields_is_an_error_at_its_line() {
    let c = with_body_line("Dated {{date today format=\"%d/%m/%Y %H:%M\"}}.");
    let check = c.check(&[]);
    let stderr = check.fails_with(1);
    assert!(stderr.contains("templates/letter.hbs:7"), "{check}");
    assert!(
        stderr.contains("the date format \"%d/%m/%Y %H:%M\" is not a valid strftime format"),
        "{check}"
    );
    let ok = with_body_line("Dated {{date today format=\"%d/%m/%Y\"}}.");
    ok.check(&[]).success();
    ok.render(&["--format", "txt"]).success();
    assert!(ok.out("default", "ana.txt").contains("Dated 11/07/2018."));
}

#[test]
fn an_email_without_a_subject_is_named_by_check_and_still_renders() {
    let c = campaign();
    c.write(
        "templates/letter.hbs",
        TEMPLATE.replace("subject: 'About {{topic}}'\n", ""),
    );
    let run = c.check(&[]);
    assert_eq!(run.code(), 0, "a warning\n{run}");
    assert!(run.stderr().contains("no subject"), "{run}");
    assert!(
        run.stderr().contains("3 letters"),
        "said once for the three\n{run}"
    );
    render(&c).success();
    let eml = c.out("default", "ana.eml");
    assert!(!eml.contains("About"), "{eml}");
    // An empty subject is the same.
    c.write(
        "templates/letter.hbs",
        TEMPLATE.replace("'About {{topic}}'", "''"),
    );
    let run = c.check(&[]);
    assert!(run.stderr().contains("templates/letter.hbs:4"), "{run}");
    assert!(run.stderr().contains("no subject"), "{run}");
}

#[test]
fn a_block_never_closed_is_named_at_the_line_that_opens_it() {
    let c = campaign();
    c.write("templates/letter.hbs", TEMPLATE.replace("{{/each}}\n", ""));
    let err = campaign_error(&c, "templates/letter.hbs:8:1");
    assert!(
        err.contains(r#"`{{#each (rows "issues" issues)}}` is never closed"#),
        "{err}"
    );
    assert!(err.contains("add `{{/each}}`"), "{err}");
}

#[test]
fn front_matter_after_a_blank_line_is_named_not_read_as_the_letter() {
    let c = campaign();
    c.write("templates/letter.hbs", format!("\n\n{TEMPLATE}"));
    let err = campaign_error(&c, "templates/letter.hbs:3:1");
    assert!(err.contains("must start on line 1"), "{err}");
    assert!(err.contains("remove the blank lines"), "{err}");
}

/// A header line holds at most 998 characters; a name that long is refused for its letter, with the row.
#[test]
fn a_name_too_long_for_an_email_header_fails_its_letter_only() {
    let long = "Ben".repeat(200);
    let c = with_officials(&[
        HEADER,
        ANA,
        &format!("ben,{long},ben@example.org,migrants,migrants"),
    ]);
    let run = render(&c);
    let err = run.fails_with(1);
    assert!(err.contains("default/ben"), "{run}");
    assert!(err.contains("600 characters long"), "{run}");
    assert!(err.contains("998"), "{run}");
    assert!(c.out("default", "ana.eml").contains("To: "), "{run}");
    let check = c.check(&[]);
    assert!(
        check.fails_with(1).contains("600 characters long"),
        "{check}"
    );
}

/// One run lists what it can: a table that does not load does not hide a wrong `[output] formats`.
#[test]
fn a_table_that_does_not_load_does_not_hide_an_unknown_format() {
    let c = with_officials(&[HEADER, ANA, "ana,Ana Two,ana2@example.org,torture,impunity"]);
    c.append(
        "lettermerge.toml",
        "[output]\nformats = [\"txt\", \"docx\"]",
    );
    let run = c.check(&[]);
    let err = run.fails_with(1);
    assert!(err.contains("recipients/officials.csv:3"), "{run}");
    assert!(err.contains("unknown format `docx`"), "{run}");
    assert_eq!(err.matches("unknown format").count(), 1, "{run}");
}

/// An editor's byte-order mark at the start of a partial is not text of the letter.
#[test]
fn a_partial_saved_with_a_byte_order_mark_prints_without_it() {
    let c = with_body_line("{{> closing}}");
    c.write("templates/partials/closing.hbs", "\u{feff}With thanks,\n");
    render(&c).success();
    let ana = c.out("default", "ana.txt");
    assert!(ana.contains("With thanks,"), "{ana}");
    assert!(!ana.contains('\u{feff}'), "{ana:?}");
}
