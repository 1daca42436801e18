//! Issue 5: sign-off tied to the exact text — `approve`, `check` staleness, the proof diff, late sign-ons, translations
//! (README, "What sign-off covers"). The send-side steps are at the end: `send` to an outbox, and `status`/`mark` after
//! real sends to an SMTP server on 127.0.0.1.

use crate::coalition::*;
use crate::signoff_kit::*;
use crate::smtp_server::{Options, TestServer};

fn assert_approval_valid(r: &Run) {
    assert_eq!(r.code, 0, "{r}");
    assert!(!r.all().contains("changed since"), "{r}");
    assert!(!r.all().contains("since approval"), "{r}");
    assert!(!r.all().contains("not approved"), "{r}");
}

// ── A text edit after approval ───────────────────────────────────────────────────────────────────────────────────

#[test]
fn editing_an_approved_paragraph_makes_check_fail_naming_variant_and_file() {
    let c = Campaign::coalition();
    c.ok(&["approve", "--by", "Maureen Meyer, WOLA"]);
    c.ok(&["check"]);
    c.edit("recipients/issues.csv", IMPUNITY_OLD, IMPUNITY_NEW);
    let r = c.run(&["check"]);
    assert_eq!(r.code, 1, "{r}");
    let stale = r
        .stderr
        .lines()
        .find(|l| l.contains("variant `coalition` changed since its approval"))
        .unwrap_or_else(|| panic!("coalition is not named stale:\n{r}"));
    assert!(stale.contains("issues.csv"), "names the file: {stale}");
    assert!(stale.contains("impunity"), "names the row: {stale}");
    // Every variant that reads the edited row is stale too.
    for v in ["us", "each", "public"] {
        assert!(
            r.stderr
                .contains(&format!("variant `{v}` changed since its approval")),
            "{v}:\n{r}"
        );
    }
}

#[test]
fn proof_diff_shows_the_old_sentence_deleted_and_the_new_one_inserted() {
    let c = Campaign::coalition();
    c.ok(&["approve"]);
    c.edit("recipients/issues.csv", IMPUNITY_OLD, IMPUNITY_NEW);
    let doc = proof(&c, &[]);
    let deleted = texts(&doc, "section#variant-coalition pre.diff del").join("\n");
    let inserted = texts(&doc, "section#variant-coalition pre.diff ins").join("\n");
    assert!(deleted.contains(IMPUNITY_OLD), "del: {deleted}");
    assert!(!deleted.contains(IMPUNITY_NEW), "del: {deleted}");
    assert!(inserted.contains(IMPUNITY_NEW), "ins: {inserted}");
    assert!(!inserted.contains(IMPUNITY_OLD), "ins: {inserted}");
    let approval = texts(&doc, "section#variant-coalition dd.approval").join("");
    assert!(approval.contains("changed since approval"), "{approval}");
}

#[test]
fn reapproving_after_an_edit_makes_check_pass() {
    let c = Campaign::coalition();
    c.ok(&["approve"]);
    c.edit("recipients/issues.csv", IMPUNITY_OLD, IMPUNITY_NEW);
    assert_eq!(c.run(&["check"]).code, 1);
    // The edit is in the English source of `es` too: a plain `approve` leaves the translation to be approved by name.
    assert_eq!(c.run(&["approve"]).code, 1);
    c.ok(&["approve", "--variant", "es"]);
    assert_approval_valid(&c.run(&["check"]));
    // And the proof now shows no change.
    let doc = proof(&c, &[]);
    let diff = texts(&doc, "section#variant-coalition pre.diff").join("");
    assert!(diff.contains("(no change)"), "{diff}");
    assert!(texts(&doc, "section#variant-coalition pre.diff del").is_empty());
}

#[test]
fn approve_list_refuses_a_changed_text() {
    let c = Campaign::coalition();
    c.ok(&["approve"]);
    c.edit("recipients/issues.csv", IMPUNITY_OLD, IMPUNITY_NEW);
    let r = c.run(&["approve", "--list", "--variant", "coalition"]);
    assert_eq!(r.code, 1, "{r}");
    assert!(r.stderr.contains("coalition"), "{r}");
    assert_eq!(c.run(&["check"]).code, 1, "still stale");
}

// ── Changes that leave the approval valid ────────────────────────────────────────────────────────────────────────

#[test]
fn adding_a_recipient_keeps_the_approval_valid() {
    let c = Campaign::coalition();
    c.ok(&["approve"]);
    c.append(
        "recipients/officials.csv",
        "cardin,Senator,Mr.,Ben,Cardin,male,United States Senate,\"509 Hart Senate Office Building\nWashington, DC 20510\",senator@cardin.example,US,impunity;torture",
    );
    assert_approval_valid(&c.run(&["check"]));
    // The new official gets letters.
    c.render_txt(&["--variant", "coalition"]);
    assert!(c.out_files("coalition").contains(&"cardin.txt".to_string()));
}

#[test]
fn editing_a_recipient_row_keeps_the_approval_valid() {
    let c = Campaign::coalition();
    c.ok(&["approve"]);
    c.edit(
        "recipients/officials.csv",
        "senator@rubio.example",
        "marco.rubio@senate.example",
    );
    assert_approval_valid(&c.run(&["check"]));
}

/// Reverses the data rows of a simple CSV (no quoted newlines), header kept first.
fn reverse_rows(text: &str) -> String {
    let mut lines: Vec<&str> = text.lines().collect();
    let header = lines.remove(0);
    lines.reverse();
    format!("{header}\n{}\n", lines.join("\n"))
}

#[test]
fn reordering_officials_keeps_the_approval_valid() {
    let c = Campaign::coalition();
    c.ok(&["approve"]);
    // officials.csv has quoted multi-line addresses: rebuild it with the rows in another order.
    let rows: Vec<&str> = OFFICIALS.split("\n").collect();
    // Each record is two physical lines (the address holds one newline).
    let header = rows[0];
    let records: Vec<String> = rows[1..]
        .chunks(2)
        .filter(|c| c.len() == 2)
        .map(|c| format!("{}\n{}", c[0], c[1]))
        .collect();
    assert_eq!(records.len(), 5);
    let mut reordered = records.clone();
    reordered.reverse();
    c.write(
        "recipients/officials.csv",
        format!("{header}\n{}\n", reordered.join("\n")),
    );
    assert_approval_valid(&c.run(&["check"]));
}

#[test]
fn reordering_issues_keeps_the_approval_valid() {
    let c = Campaign::coalition();
    c.ok(&["approve"]);
    let issues = c.read("recipients/issues.csv");
    c.write("recipients/issues.csv", reverse_rows(&issues));
    assert_ne!(c.read("recipients/issues.csv"), issues);
    // These variants look issues up by key (`rows "issues" @root.issues`), so the table's order is not in their
    // text. (`public` iterates `tables.issues`, where it is: see the next test.)
    assert_approval_valid(&c.run(&[
        "check",
        "--variant",
        "coalition",
        "--variant",
        "us",
        "--variant",
        "es",
        "--variant",
        "each",
    ]));
}

#[test]
fn reordering_a_table_the_letter_iterates_makes_it_stale() {
    let c = Campaign::coalition();
    c.ok(&["approve"]);
    c.render_txt(&["--variant", "public"]);
    let before = c.out("public", "human-rights-in-mexico.txt");
    let issues = c.read("recipients/issues.csv");
    c.write("recipients/issues.csv", reverse_rows(&issues));
    c.render_txt(&["--variant", "public"]);
    let after = c.out("public", "human-rights-in-mexico.txt");
    assert_ne!(
        before, after,
        "the public letter's paragraphs changed order"
    );
    let r = c.run(&["check", "--variant", "public"]);
    assert_eq!(r.code, 1, "a different text than the one approved:\n{r}");
    assert!(
        r.stderr
            .contains("variant `public` changed since its approval"),
        "{r}"
    );
}

#[test]
fn reordering_signatories_keeps_the_approval_valid() {
    let c = Campaign::coalition();
    c.ok(&["approve"]);
    let orgs = c.read("recipients/organizations.csv");
    c.write("recipients/organizations.csv", reverse_rows(&orgs));
    // The letters sort their signatories, so the list (keys in order) is the same.
    assert_approval_valid(&c.run(&["check"]));
}

// ── Late sign-ons ────────────────────────────────────────────────────────────────────────────────────────────────

#[test]
fn check_names_a_late_sign_on() {
    let c = Campaign::coalition();
    c.ok(&["approve"]);
    late_sign_on(&c);
    let r = c.run(&["check"]);
    assert!(
        !r.stderr.contains("changed since"),
        "the text is as approved:\n{r}"
    );
    let coalition = r
        .stderr
        .lines()
        .find(|l| l.contains("variant `coalition` signatories"))
        .unwrap_or_else(|| panic!("the list change is not named:\n{r}"));
    assert!(
        coalition.contains(&format!("added {LATE_KEY}")),
        "{coalition}"
    );
    assert!(coalition.contains("since approval"), "{coalition}");
    assert!(r.stderr.contains("approve --list"), "says the way on:\n{r}");
}

#[test]
fn approve_list_accepts_a_late_sign_on() {
    let c = Campaign::coalition();
    c.ok(&["approve"]);
    late_sign_on(&c);
    c.ok(&["approve", "--list"]);
    assert_approval_valid(&c.run(&["check"]));
    let toml = c.read("approvals.toml");
    assert!(toml.contains(&format!("\"{LATE_KEY}\"")), "{toml}");
}

#[test]
fn approve_list_keeps_the_text_approval_date() {
    let c = Campaign::coalition();
    c.ok(&["approve"]);
    set_approval_dates(&c, OLD_DATE);
    assert_approval_valid(&c.run(&["check"]));
    late_sign_on(&c);
    let r = c.ok(&["approve", "--list"]);
    assert!(
        r.stdout.contains(OLD_DATE),
        "says the text date it kept:\n{r}"
    );
    assert_eq!(approval_dates(&c), vec![OLD_DATE; 5]);
    // list_date moves to today; the text date does not.
    let today = chrono::Local::now().date_naive().to_string();
    assert!(
        c.read("approvals.toml")
            .contains(&format!("list_date = \"{today}\"")),
        "{}",
        c.read("approvals.toml")
    );
    assert_approval_valid(&c.run(&["check"]));
}

#[test]
fn render_without_date_uses_the_approval_date() {
    let c = Campaign::coalition();
    c.ok(&["approve"]);
    set_approval_dates(&c, OLD_DATE);
    c.ok(&["render", "--format", "txt"]);
    let en = c.out("coalition", "sos.txt");
    assert!(en.contains("July 11, 2018"), "{en}");
    let es = c.out("es", "amlo.txt");
    assert!(es.contains("11 de julio de 2018"), "{es}");
    // --date still wins.
    c.ok(&["render", "--format", "txt", "--date", "2019-01-02"]);
    assert!(c.out("coalition", "sos.txt").contains("January 2, 2019"));
}

#[test]
fn late_sign_on_after_approve_list_appears_in_the_letters() {
    let c = Campaign::coalition();
    c.ok(&["approve"]);
    late_sign_on(&c);
    c.ok(&["approve", "--list"]);
    c.render_txt(&["--variant", "coalition"]);
    let text = c.out("coalition", "sos.txt");
    assert_eq!(
        listed(&text, "Signatory:"),
        [
            "Washington Office on Latin America",
            "Ábaco Human Rights Center",
            "amigos de la Frontera",
            "Border Rights Network",
            LATE_ORG,
            "Centro Prodh",
            "Zeta Legal Aid",
        ],
        "{text}"
    );
}

// ── Translations ─────────────────────────────────────────────────────────────────────────────────────────────────

#[test]
fn editing_the_source_template_makes_its_translation_stale() {
    let c = Campaign::coalition();
    c.ok(&["approve"]);
    c.edit(
        "templates/letter.hbs",
        "follow human rights in Mexico closely.",
        "follow human rights in Mexico and the border closely.",
    );
    let r = c.run(&["check"]);
    assert_eq!(r.code, 1, "{r}");
    assert!(
        r.stderr.contains("variant `es` translates `coalition`"),
        "the translation is named:\n{r}"
    );
    // The Spanish text itself did not change: it is stale through its source only.
    assert!(
        !r.stderr.contains("variant `es` changed since its approval"),
        "{r}"
    );
    assert!(
        r.stderr
            .contains("variant `coalition` changed since its approval"),
        "{r}"
    );
    assert!(r.stderr.contains("templates/letter.hbs"), "{r}");
}

#[test]
fn reapproving_source_and_then_translation_by_name_clears_the_staleness() {
    let c = Campaign::coalition();
    c.ok(&["approve"]);
    c.edit(
        "templates/letter.hbs",
        "follow human rights in Mexico closely.",
        "follow human rights in Mexico and the border closely.",
    );
    // A plain `approve` approves the source, not the translation of a changed source (issue 10, hole 8).
    let r = c.run(&["approve"]);
    assert_eq!(r.code, 1, "{r}");
    assert!(r.stderr.contains("es: not approved"), "{r}");
    c.ok(&["approve", "--variant", "es"]);
    assert_approval_valid(&c.run(&["check"]));
}

// ── approvals.toml ───────────────────────────────────────────────────────────────────────────────────────────────

#[test]
fn approving_twice_without_changes_gives_an_identical_file() {
    let c = Campaign::coalition();
    c.ok(&["approve", "--by", "Maureen Meyer, WOLA"]);
    let first = std::fs::read(c.file("approvals.toml")).unwrap();
    c.ok(&["approve", "--by", "Maureen Meyer, WOLA"]);
    let second = std::fs::read(c.file("approvals.toml")).unwrap();
    assert!(
        first == second,
        "approvals.toml changed on a second approve"
    );
    c.ok(&["approve"]);
    let third = std::fs::read(c.file("approvals.toml")).unwrap();
    assert!(
        first == third,
        "re-approving an unchanged text keeps who approved it"
    );
}

#[test]
fn approvals_record_date_approver_signatories_and_letter() {
    let c = Campaign::coalition();
    c.ok(&[
        "approve",
        "--by",
        "Maureen Meyer, WOLA",
        "--variant",
        "coalition",
    ]);
    let toml = c.read("approvals.toml");
    let doc: toml::Table = toml.parse().expect("valid TOML");
    let a = &doc["variants"]["coalition"];
    assert_eq!(a["by"].as_str(), Some("Maureen Meyer, WOLA"));
    let sigs: Vec<&str> = a["signatories"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    assert_eq!(sigs, SIGNED_KEYS);
    let letter = a["letter"].as_str().unwrap();
    assert!(letter.contains("Dear Secretary Pompeo"), "{letter}");
    assert!(letter.contains(IMPUNITY_OLD), "{letter}");
    assert!(a["text"].as_str().unwrap().len() >= 16);
    assert!(a["list"].as_str().unwrap().len() >= 16);
    assert!(
        doc["variants"].get("us").is_none(),
        "--variant approves that one only"
    );
}

#[test]
fn fingerprints_ignore_crlf_line_endings_in_issues() {
    let c = Campaign::coalition();
    // A quoted cell holding a line break, so the line ending is inside a value too.
    let lf = issues_csv("\"Soldiers who commit abuses\nare almost never punished.\"");
    let crlf = lf.replace('\n', "\r\n");
    c.write("recipients/issues.csv", &crlf);
    c.ok(&["approve"]);
    c.write("recipients/issues.csv", &lf);
    assert_approval_valid(&c.run(&["check"]));
    // And back.
    c.write("recipients/issues.csv", &crlf);
    assert_approval_valid(&c.run(&["check"]));
}

#[test]
fn check_warns_about_unapproved_variants_once_approvals_exist() {
    let c = Campaign::coalition();
    c.ok(&["approve", "--variant", "coalition"]);
    let r = c.ok(&["check"]);
    // Said once for all the variants it concerns, and per variant in the summary.
    assert!(
        r.stderr
            .contains("4 variants are not approved: `us`, `es`, `each`, `public`"),
        "{r}"
    );
    assert!(!r.stderr.contains("`coalition`"), "{r}");
    assert!(
        r.stdout
            .contains("variant `us`: `send` would refuse it: not approved"),
        "{r}"
    );
}

// ── Send side (README, "What sign-off covers", "Sending"), to an outbox; status and mark need a journal of real sends ─

/// `send ARGS --outbox outbox`: the send-side gates, without a server.
fn send_to_outbox(c: &Campaign, args: &[&str]) -> Run {
    let mut all = vec!["send"];
    all.extend_from_slice(args);
    all.extend(["--outbox", "outbox"]);
    c.run(&all)
}

fn outbox_files(c: &Campaign) -> Vec<String> {
    let dir = c.file("outbox");
    let mut names: Vec<String> = walk(&dir)
        .into_iter()
        .filter(|p| p.extension().is_some_and(|e| e == "eml"))
        .map(|p| p.strip_prefix(&dir).unwrap().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    if let Ok(rd) = std::fs::read_dir(dir) {
        for e in rd.flatten() {
            let p = e.path();
            if p.is_dir() {
                out.extend(walk(&p));
            } else {
                out.push(p);
            }
        }
    }
    out
}

#[test]
fn send_refuses_a_stale_variant_and_sends_after_reapproval() {
    let c = Campaign::coalition();
    c.ok(&["approve"]);
    c.edit("recipients/issues.csv", IMPUNITY_OLD, IMPUNITY_NEW);
    let r = send_to_outbox(&c, &["--variant", "coalition", "--yes"]);
    assert_eq!(r.code, 1, "{r}");
    assert!(r.stderr.contains("coalition"), "{r}");
    assert!(
        outbox_files(&c).is_empty(),
        "nothing sent: {:?}",
        outbox_files(&c)
    );
    c.ok(&["approve", "--variant", "coalition"]);
    let r = send_to_outbox(&c, &["--variant", "coalition", "--dry-run"]).success();
    assert!(outbox_files(&c).is_empty(), "a dry run sends nothing");
    assert!(
        r.stdout.contains(IMPUNITY_NEW) || r.stdout.contains("coalition"),
        "{r}"
    );
}

#[test]
fn send_refuses_a_late_sign_on_until_approve_list() {
    let c = Campaign::coalition();
    c.ok(&["approve"]);
    late_sign_on(&c);
    let r = send_to_outbox(&c, &["--variant", "coalition", "--yes"]);
    assert_eq!(r.code, 1, "{r}");
    assert!(r.all().contains(&format!("added {LATE_KEY}")), "{r}");
    assert!(outbox_files(&c).is_empty());
    c.ok(&["approve", "--list", "--variant", "coalition"]);
    send_to_outbox(&c, &["--variant", "coalition", "--yes"]).success();
    assert_eq!(outbox_files(&c).len(), 5, "{:?}", outbox_files(&c));
}

#[test]
fn an_embargo_in_the_future_stops_send_unless_ignored() {
    let c = Campaign::coalition();
    c.edit(
        "lettermerge.toml",
        "not_before  = \"2018-07-11T09:00:00-04:00\"",
        "not_before  = \"2999-01-01T00:00:00+00:00\"",
    );
    c.ok(&["approve"]);
    let r = send_to_outbox(&c, &["--variant", "us", "--yes"]);
    assert_eq!(r.code, 1, "{r}");
    assert!(r.all().contains("2999-01-01"), "names the embargo: {r}");
    assert!(outbox_files(&c).is_empty());
    send_to_outbox(&c, &["--variant", "us", "--yes", "--ignore-embargo"]).success();
    assert_eq!(outbox_files(&c).len(), 5, "{:?}", outbox_files(&c));
}

#[test]
fn public_copy_is_never_sent() {
    let c = Campaign::coalition();
    c.ok(&["approve"]);
    let r = send_to_outbox(&c, &["--variant", "public", "--yes"]);
    assert!(r.code == 0 || r.code == 1, "{r}");
    assert!(outbox_files(&c).is_empty(), "{:?}", outbox_files(&c));
}

/// Points the campaign at a real SMTP server on 127.0.0.1 (tests/support): the outbox records nothing as sent, so
/// `status` needs real sends.
fn with_smtp_server(c: &Campaign) -> TestServer {
    let server = TestServer::start(Options::default());
    c.append(
        "lettermerge.toml",
        &format!(
            "\n[smtp]\nhost = \"127.0.0.1\"\nport = {}\nsecurity = \"none\"\ntimeout = 5",
            server.port
        ),
    );
    server
}

#[test]
fn status_signatory_lists_exactly_the_letters_that_carried_it() {
    let c = Campaign::coalition();
    let server = with_smtp_server(&c);
    c.ok(&["approve"]);
    c.ok(&["send", "--variant", "us", "--variant", "each", "--yes"]);
    // `us` goes to every official, and `each` once per signed organization × official.
    let officials = US_KEYS.len() + MX_KEYS.len();
    assert_eq!(
        server.received().len(),
        officials + SIGNED_IN_ORDER.len() * officials
    );
    // prodh (Mexican) signs no `us` letter, and in `each` only its own five.
    let r = c.ok(&["status", "--json", "--signatory", "prodh"]);
    let v: serde_json::Value = serde_json::from_str(&r.stdout).expect("JSON");
    let mut ids: Vec<String> = v
        .to_string()
        .split('"')
        .filter(|s| s.starts_with("each/") || s.starts_with("us/"))
        .map(str::to_string)
        .collect();
    ids.sort();
    ids.dedup();
    let mut expected: Vec<String> = US_KEYS
        .iter()
        .chain(MX_KEYS.iter())
        .map(|k| format!("each/{k}/prodh"))
        .collect();
    expected.sort();
    assert_eq!(ids, expected, "{r}");
}

#[test]
fn mark_states_appear_in_status_json() {
    let c = Campaign::coalition();
    let _server = with_smtp_server(&c);
    c.ok(&["approve"]);
    c.ok(&["send", "--variant", "coalition", "--yes"]);
    c.ok(&[
        "mark",
        "coalition/sos",
        "replied",
        "--note",
        "meeting on July 20",
    ]);
    let r = c.ok(&["status", "--json"]);
    assert!(r.stdout.contains("replied"), "{r}");
    assert!(r.stdout.contains("meeting on July 20"), "{r}");
    assert!(r.stdout.contains("coalition/sos"), "{r}");
}

/// approvals.toml's dates are dates: one edited by hand into something else is an error at its line and column,
/// never a silent fallback to today (which would redate every letter and change what was approved).
#[test]
fn an_approval_date_that_is_no_date_is_an_error_at_its_line() {
    let c = Campaign::coalition();
    c.ok(&["approve"]);
    set_approval_dates(&c, "2018-13-45");
    let r = c.run(&["check"]);
    let stderr = r.fails_with(1);
    let line = c
        .read("approvals.toml")
        .lines()
        .position(|l| l.starts_with("date = \"2018-13-45\""))
        .expect("the edited date")
        + 1;
    assert!(
        stderr.contains(&format!("error: approvals.toml:{line}:8:")),
        "{r}"
    );
    assert!(stderr.contains("git checkout -- approvals.toml"), "{r}");
}

/// A year no letter can carry (before 1900, or five digits) is refused where it is written, before any letter is
/// dated with it: an email's `Date` cannot say it, and a letter dated 10000 is a typo.
#[test]
fn an_approval_date_out_of_range_and_a_date_before_1900_are_refused_where_written() {
    let c = Campaign::coalition();
    c.ok(&["approve"]);
    for bad in ["+10000-01-01", "0218-07-11"] {
        set_approval_dates(&c, bad);
        let r = c.run(&["check"]);
        let stderr = r.fails_with(1);
        assert!(stderr.contains("error: approvals.toml:"), "{r}");
        assert!(
            !stderr.contains("letter coalition/"),
            "refused once, not per letter: {r}"
        );
    }
    let r = c.run(&["render", "--date", "0000-01-01"]);
    assert!(r.fails_with(2).contains("before 1900"), "{r}");
}

/// A signatory's shown column edited after approval: `check` names that signatory, not "a signatory".
#[test]
fn check_names_the_signatory_edited_since_approval() {
    let c = Campaign::coalition();
    c.ok(&["approve"]);
    c.edit(
        "recipients/organizations.csv",
        "wola,Washington Office on Latin America,",
        "wola,Washington Office on Latin America (WOLA),",
    );
    let r = c.run(&["check"]);
    let line = r
        .stderr
        .lines()
        .find(|l| l.contains("variant `coalition` signatories"))
        .unwrap_or_else(|| panic!("the list change is not named:\n{r}"));
    assert!(
        line.contains(
            "edited wola (a name, title or other column the letter shows) since approval"
        ),
        "{line}"
    );
    // An approvals.toml written before each signatory's fingerprint was kept still says what it can.
    let mut file: toml::Table = c.read("approvals.toml").parse().expect("approvals.toml");
    let variants = file["variants"].as_table_mut().expect("variants");
    for (_, v) in variants.iter_mut() {
        let v = v.as_table_mut().expect("a variant");
        assert!(v.remove("signatory_prints").is_some(), "{v:?}");
    }
    c.write("approvals.toml", toml::to_string(&file).expect("toml"));
    let r = c.run(&["check"]);
    assert!(
        r.all()
            .contains("edited a signatory's name, title or order"),
        "{r}"
    );
}
