//! The U.S. Congress roster: `check` against `[roster] us_congress`, and `lettermerge roster fill`. The roster is the
//! example's extract of the congress-legislators export (real rows); nothing here touches the network.

use std::time::{Duration, SystemTime};

use crate::harness::{repo, Campaign};

const ROSTER: &str = "data/legislators-current.csv";

/// A campaign whose recipients are `rows` (under the example's own header) checked against the example's roster.
fn campaign(rows: &[&str]) -> Campaign {
    let c = Campaign::small(
        "[roster]\nus_congress = \"data/legislators-current.csv\"\n",
        "{{addressee}}\n{{address}}\n\n{{salutation}},\n",
        "id,title,first_name,last_name,state,address,organization",
        rows,
    );
    c.write(
        ROSTER,
        std::fs::read(repo().join(ROSTER)).expect("the example roster"),
    );
    c
}

fn check(c: &Campaign) -> String {
    let run = c.check(&[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    run.stderr
}

#[test]
fn a_member_in_the_roster_under_the_same_name_gives_no_warning() {
    let c = campaign(&[
        "rubio,Senator,Marco,Rubio,FL,,United States Senate",
        "castro,Representative,Joaquin,Castro,TX,,U.S. House of Representatives",
    ]);
    let w = check(&c);
    assert!(!w.contains("roster"), "{w}");
}

#[test]
fn a_member_not_in_the_roster_is_named_as_possibly_out_of_office() {
    let c = campaign(&[
        "flake,Senator,Jeff,Flake,AZ,,United States Senate",
        "rubio,Senator,Marco,Rubio,FL,,United States Senate",
    ]);
    let w = check(&c);
    assert!(
        w.contains("officials.csv:2")
            && w.contains(
                "`flake` (Jeff Flake) is not in the roster (data/legislators-current.csv of "
            )
            && w.contains("no longer in office?"),
        "{w}"
    );
    assert!(w.contains("days old"), "the roster's age: {w}");
    assert!(!w.contains("`rubio`"), "{w}");
}

#[test]
fn a_changed_chamber_or_state_is_named_with_the_roster_s_office() {
    let c = campaign(&[
        "castro,Senator,Joaquin,Castro,TX,,United States Senate",
        "rubio,Senator,Marco,Rubio,TX,,United States Senate",
    ]);
    let w = check(&c);
    assert!(
        w.contains("officials.csv:2")
            && w.contains("the row says Senate, the roster House")
            && w.contains("1221 Longworth House Office Building, Washington, DC 20515-4320"),
        "{w}"
    );
    assert!(
        w.contains("officials.csv:3") && w.contains("the row’s state is TX, the roster’s FL"),
        "{w}"
    );
}

#[test]
fn a_nickname_finds_the_member_and_the_name_difference_is_named() {
    let c = campaign(&[
        "menendez,Ranking Member,Bob,Menéndez,NJ,,Senate Committee on Foreign Relations",
    ]);
    let w = check(&c);
    assert!(
        w.contains("`menendez` (Bob Menéndez) is “Robert Menendez” (nickname “Bob”) in the roster"),
        "{w}"
    );
    assert!(
        w.contains("contact form https://www.menendez.senate.gov/contact")
            && w.contains("`lettermerge roster fill menendez`"),
        "the office details and the command: {w}"
    );
    assert!(!w.contains("not in the roster"), "{w}");
}

#[test]
fn a_bioguide_id_matches_whatever_the_name() {
    let c = Campaign::small(
        "[roster]\nus_congress = \"data/legislators-current.csv\"\n",
        "{{salutation}},\n",
        "id,title,first_name,last_name,bioguide_id",
        &[
            "a,Senator,Marco,Rubio,R000595",
            "b,Senator,Jeff,Flake,F000444",
        ],
    );
    c.write(ROSTER, std::fs::read(repo().join(ROSTER)).unwrap());
    let w = check(&c);
    assert!(!w.contains("`a`"), "{w}");
    assert!(
        w.contains("`b`") && w.contains("“F000444” is not in the roster"),
        "{w}"
    );
}

#[test]
fn an_old_roster_says_how_old_it_is() {
    let c = campaign(&["rubio,Senator,Marco,Rubio,FL,,United States Senate"]);
    let file = std::fs::File::options()
        .write(true)
        .open(c.file(ROSTER))
        .unwrap();
    file.set_modified(SystemTime::now() - Duration::from_secs(90 * 86_400))
        .unwrap();
    let w = check(&c);
    assert!(
        w.contains("data/legislators-current.csv: the roster is 90 days old"),
        "{w}"
    );
}

#[test]
fn a_roster_without_a_column_is_an_error_naming_the_column_and_the_file() {
    let c = campaign(&["rubio,Senator,Marco,Rubio,FL,,United States Senate"]);
    let text = c.read(ROSTER).replacen(",contact_form,", ",contact,", 1);
    c.write(ROSTER, text);
    let run = c.check(&[]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(
        run.stderr
            .contains("data/legislators-current.csv:1: the roster has no column `contact_form`"),
        "{}",
        run.stderr
    );
    let missing = campaign(&["rubio,Senator,Marco,Rubio,FL,,United States Senate"]);
    std::fs::remove_file(missing.file(ROSTER)).unwrap();
    let run = missing.check(&[]);
    assert_eq!(run.code, 1);
    assert!(
        run.stderr.contains("data/legislators-current.csv"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("[roster] us_congress"),
        "{}",
        run.stderr
    );
}

#[test]
fn roster_fill_lists_changes_and_writes_nothing_without_out_or_in_place() {
    let c = campaign(&["rubio,Senator,Marco,Rubio,FL,,United States Senate"]);
    let before = c.read("recipients/officials.csv");
    let run = c.ok(&["roster", "fill", "rubio"]);
    assert!(
        run.stdout.contains(
            "rubio address: “” → “284 Russell Senate Office Building / Washington, DC 20510”"
        ),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("Nothing written"), "{}", run.stdout);
    assert_eq!(c.read("recipients/officials.csv"), before);
}

#[test]
fn roster_fill_writes_the_named_rows_to_a_new_file() {
    let c = campaign(&[
        "rubio,Senator,Marco,Rubio,FL,,United States Senate",
        "castro,Representative,Joaquin,Castro,TX,,U.S. House of Representatives",
    ]);
    let out = c.file("filled.csv");
    c.ok(&["roster", "fill", "rubio", "--out", out.to_str().unwrap()]);
    let filled = c.read("filled.csv");
    assert_eq!(
        filled,
        "id,title,first_name,last_name,state,address,organization,phone,contact_form,bioguide_id\n\
         rubio,Senator,Marco,Rubio,FL,\"284 Russell Senate Office Building\nWashington, DC 20510\",United States Senate,202-224-3041,https://www.rubio.senate.gov/public/index.cfm/contact,R000595\n\
         castro,Representative,Joaquin,Castro,TX,,U.S. House of Representatives,,,\n"
    );
    // The filled table is a valid recipients table: the letter prints the address block.
    c.write("recipients/officials.csv", &filled);
    c.render_txt(&[]);
    assert!(c.out("default", "rubio.txt").contains(
        "The Honorable Marco Rubio\n284 Russell Senate Office Building\nWashington, DC 20510"
    ));
}

#[test]
fn roster_fill_in_place_keeps_a_backup() {
    let c = campaign(&["castro,Representative,Joaquin,Castro,TX,,U.S. House of Representatives"]);
    let before = c.read("recipients/officials.csv");
    let run = c.ok(&["roster", "fill", "--all", "--in-place"]);
    assert!(
        run.stdout.contains("Kept the old table as"),
        "{}",
        run.stdout
    );
    assert_eq!(c.read("recipients/officials.csv.bak"), before);
    assert!(c
        .read("recipients/officials.csv")
        .contains("\"1221 Longworth House Office Building\nWashington, DC 20515-4320\""));
    // A second run keeps the first backup too.
    c.ok(&["roster", "fill", "--all", "--in-place"]);
    assert_eq!(c.read("recipients/officials.csv.bak"), before);
    assert!(c.file("recipients/officials.csv.bak.2").exists());
}

#[test]
fn roster_fill_refuses_rows_it_cannot_match_and_unknown_keys() {
    let c = campaign(&[
        "flake,Senator,Jeff,Flake,AZ,,United States Senate",
        "sos,Secretary of State,Mike,Pompeo,,,U.S. Department of State",
    ]);
    let run = c.run(&["roster", "fill", "flake"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(
        run.stderr.contains(
            "officials.csv:2: `flake` was not filled: nobody of that name is in the roster"
        ),
        "{}",
        run.stderr
    );
    let run = c.run(&["roster", "fill", "sos"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr.contains("`sos` is not a member of Congress"),
        "{}",
        run.stderr
    );
    let run = c.run(&["roster", "fill", "nobody"]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("there is no recipient `nobody`"),
        "{}",
        run.stderr
    );
}

#[test]
fn the_example_runs_the_roster_check_against_its_extract() {
    let c = Campaign::example();
    let w = check(&c);
    // Menendez is "Robert" in the roster; Corker, Rubio and Castro are found under their names.
    assert!(
        w.contains("`menendez` (Bob Menendez) is “Robert Menendez”"),
        "{w}"
    );
    for key in ["`corker`", "`rubio`", "`castro`"] {
        assert!(!w.contains(key), "{key}: {w}");
    }
}

#[test]
fn roster_fill_keeps_a_cell_the_roster_leaves_empty() {
    // Castro's roster row has no contact form; the table's own web form must survive `fill --all`.
    let c = campaign(&[]);
    c.write(
        "recipients/officials.csv",
        "id,title,first_name,last_name,state,address,organization,contact_form\n\
         castro,Representative,Joaquin,Castro,TX,,U.S. House of Representatives,https://castro.house.gov/contact\n",
    );
    let run = c.ok(&["roster", "fill", "--all", "--in-place"]);
    assert!(
        !run.stdout.contains("castro contact_form"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("castro phone: “” → “202-225-3236”"),
        "{}",
        run.stdout
    );
    let filled = c.read("recipients/officials.csv");
    assert!(
        filled.contains(",https://castro.house.gov/contact,"),
        "the web form was kept:\n{filled}"
    );
    assert!(filled.contains("C001091"), "{filled}");
}
