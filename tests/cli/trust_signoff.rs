//! Issue 10, the sign-off half: what goes out is exactly what was approved. Each bypass route of the issue is
//! approved, then changed the way a hurried or hostile user would; `check` must name it (exit 1, the variant and the
//! file or rows) and `send` must refuse it — nothing reaches the real SMTP test server on 127.0.0.1, nothing is
//! written to an outbox. Then the inputs that crashed lettermerge, a deleted journal, and the rules of `approve`.

use crate::coalition::{self, IMPUNITY_NEW, IMPUNITY_OLD};
use crate::harness::{Campaign, Run};
use crate::sendkit::{campaign, journaled, lm, send, smtp_plain, EPN, RUBIO, SOS};
use crate::signoff_kit::{late_sign_on, LATE_KEY};
use crate::smtp_server::{Options, TestServer};

const HEAD: &str = r#"---
from: '{{mailbox "Marselha Gonçalves Margerin" "marselha@coalition.example"}}'
to: '{{mailbox (addressee) email}}'
subject: 'Human rights in Mexico: {{topic}}'
"#;

/// The `impunity` paragraph of sendkit's issues.csv, and an edit of it.
const PARAGRAPH: &str = "still almost never lead to punishment";
const EDITED: &str = "now sometimes lead to punishment";

/// A letter with `front` added to the standard front matter and `body` between the salutation and the closing.
fn letter(front: &str, body: &str) -> String {
    format!("{HEAD}{front}---\n{{{{salutation}}}},\n\n{body}\n\nSincerely,\n\nThe coalition\n")
}

/// sendkit's three officials, sent through a real SMTP server on 127.0.0.1.
struct Signed {
    c: Campaign,
    server: TestServer,
}

impl Signed {
    fn new(front: &str, body: &str, manifest: &str) -> Signed {
        let server = TestServer::start(Options::default());
        let c = campaign(manifest, &smtp_plain(&server, ""), &[SOS, EPN, RUBIO]);
        c.write("templates/letter.hbs", letter(front, body));
        Signed { c, server }
    }

    fn run(&self, args: &[&str]) -> Run {
        lm(&self.c, args)
    }

    /// Approves every variant; `check` then passes and says `send` would go.
    fn approve(&self) {
        self.run(&["approve", "--by", "Maureen Meyer, WOLA"])
            .success();
        let check = self.run(&["check"]).success();
        assert!(check.stdout.contains("ready to send (approved"), "{check}");
    }

    /// `check` names the variant and each of `names`, exits 1 and says `send` would refuse it; `send --yes` refuses
    /// and nothing reaches the server or an outbox.
    fn refused(&self, variant: &str, names: &[&str]) {
        let check = self.run(&["check"]);
        let err = check.fails_with(1);
        let line = err
            .lines()
            .find(|l| l.contains(&format!("variant `{variant}`")))
            .unwrap_or_else(|| panic!("check does not name `{variant}`:\n{check}"));
        for n in names {
            assert!(line.contains(n), "check does not name {n}: {line}\n{check}");
        }
        assert!(
            check
                .stdout
                .contains(&format!("variant `{variant}`: `send` would refuse it")),
            "{check}"
        );
        let before = self.server.received().len();
        let sent = send(&self.c, &["--yes"]);
        let err = sent.fails_with(1);
        assert!(err.contains("nothing was sent"), "{sent}");
        for n in names {
            assert!(err.contains(n), "send does not name {n}:\n{sent}");
        }
        assert_eq!(
            self.server.received().len(),
            before,
            "a letter went out:\n{sent}"
        );
        assert!(!self.c.file("out/outbox").exists(), "an outbox was written");
    }
}

// ── The eight bypass routes ──────────────────────────────────────────────────────────────────────────────────────

fn edited_row_is_refused(body: &str, manifest: &str) {
    let s = Signed::new("", body, manifest);
    s.approve();
    s.c.edit("recipients/issues.csv", PARAGRAPH, EDITED);
    s.refused("default", &["recipients/issues.csv", "impunity"]);
}

#[test]
fn hole_1_rows_with_single_quotes_then_a_row_edited_is_refused() {
    edited_row_is_refused(
        "{{#each (rows 'issues' @root.issues)}}{{paragraph}}\n\n{{/each}}",
        "",
    );
}

#[test]
fn hole_2_rows_named_by_a_var_then_a_row_edited_is_refused() {
    edited_row_is_refused(
        "{{#each (rows vars.tbl issues)}}{{paragraph}}\n\n{{/each}}",
        "[vars]\ntbl = \"issues\"\n",
    );
}

#[test]
fn hole_2_lookup_in_root_tables_then_a_row_edited_is_refused() {
    edited_row_is_refused(
        "{{#each (lookup @root.tables 'issues')}}{{paragraph}}\n\n{{/each}}",
        "",
    );
}

#[test]
fn hole_2_with_root_tables_each_issues_then_a_row_edited_is_refused() {
    edited_row_is_refused(
        "{{#with @root.tables}}{{#each issues}}{{paragraph}}\n\n{{/each}}{{/with}}",
        "",
    );
}

#[test]
fn hole_3_a_dynamic_partial_edited_is_refused() {
    let s = Signed::new(
        "",
        "We write to you.\n\n{{> (lookup vars \"sigpart\")}}",
        "[vars]\nsigpart = \"closing\"\n",
    );
    s.c.write(
        "templates/partials/closing.hbs",
        "With respect for your office.\n",
    );
    s.c.write("templates/partials/unused.hbs", "Never shown.\n");
    s.approve();
    // A partial the letter does not reach is not its text.
    s.c.write("templates/partials/unused.hbs", "Still never shown.\n");
    s.run(&["check"]).success();
    s.c.edit(
        "templates/partials/closing.hbs",
        "With respect",
        "Without respect",
    );
    s.refused("default", &["templates/partials/closing.hbs changed"]);
}

/// A 1×1 PNG in the coalition's blue, and the same in red.
const BLUE_PNG: &[u8] = &[
    137, 80, 78, 71, 13, 10, 26, 10, 0, 0, 0, 13, 73, 72, 68, 82, 0, 0, 0, 1, 0, 0, 0, 1, 8, 2, 0,
    0, 0, 144, 119, 83, 222, 0, 0, 0, 12, 73, 68, 65, 84, 120, 156, 99, 144, 53, 13, 7, 0, 1, 28,
    0, 170, 97, 206, 244, 61, 0, 0, 0, 0, 73, 69, 78, 68, 174, 66, 96, 130,
];
const RED_PNG: &[u8] = &[
    137, 80, 78, 71, 13, 10, 26, 10, 0, 0, 0, 13, 73, 72, 68, 82, 0, 0, 0, 1, 0, 0, 0, 1, 8, 2, 0,
    0, 0, 144, 119, 83, 222, 0, 0, 0, 12, 73, 68, 65, 84, 120, 156, 99, 56, 193, 192, 0, 0, 2, 92,
    0, 201, 67, 200, 18, 70, 0, 0, 0, 0, 73, 69, 78, 68, 174, 66, 96, 130,
];

/// A letter that travels as a PDF, with the repository's layout and a logo the layout names.
fn with_pdf() -> Signed {
    let s = Signed::new("attach_pdf: true\n", "We write to you.", "");
    let layout = std::fs::read_to_string(crate::harness::repo().join("templates/layout.typ"))
        .expect("the repository's layout")
        .replace(
            "  body\n",
            "  image(\"/assets/logo.png\", height: 0.3in)\n  body\n",
        );
    assert!(layout.contains("assets/logo.png\", height"));
    s.c.write("templates/layout.typ", layout);
    s.c.write("assets/logo.png", BLUE_PNG);
    s.c.write("templates/partials/unused.hbs", "Not in this letter.\n");
    s.approve();
    s
}

#[test]
fn hole_4_the_pdf_layout_edited_is_refused_and_named_by_proof() {
    let s = with_pdf();
    s.c.edit(
        "templates/layout.typ",
        "#let ink = rgb(\"#1d3557\")",
        "#let ink = rgb(\"#ff0000\")",
    );
    s.refused("default", &["templates/layout.typ changed"]);
    s.run(&["proof"]).success();
    let page = s.c.read("out/proof.html");
    assert!(page.contains("templates/layout.typ changed"), "{page}");
}

#[test]
fn a_folder_only_a_layout_comment_names_is_not_part_of_the_text() {
    // The repository's layout says "the letter's data" in a comment; a campaign's data/ folder (a new roster) is
    // still not something the office receives.
    let s = with_pdf();
    s.c.write(
        "data/legislators-current.csv",
        "last_name,first_name\nRubio,Marco\n",
    );
    s.c.write("recipients/officials-2.csv", "id\nx\n");
    s.run(&["check"]).success();
}

#[test]
fn hole_4_a_logo_the_layout_uses_replaced_is_refused() {
    let s = with_pdf();
    s.c.write("assets/logo.png", RED_PNG);
    s.refused("default", &["assets/logo.png changed"]);
}

/// `[vars]` reach the PDF's layout by name: two of them swapped in lettermerge.toml change nothing the office sees,
/// and the approval holds; a value changed is refused.
#[test]
fn vars_in_another_order_keep_the_approval_of_a_pdf_letter() {
    let s = Signed::new(
        "attach_pdf: true\n",
        "We write to you for {{vars.org}}.",
        "[vars]\norg = \"WOLA\"\nsender = \"Ana\"\n",
    );
    s.approve();
    s.c.edit(
        "lettermerge.toml",
        "org = \"WOLA\"\nsender = \"Ana\"\n",
        "sender = \"Ana\"\norg = \"WOLA\"\n",
    );
    s.run(&["check"]).success();
    s.c.edit("lettermerge.toml", "sender = \"Ana\"", "sender = \"Ben\"");
    s.refused("default", &["[vars] changed"]);
}

#[test]
fn settings_the_office_never_sees_keep_the_approval() {
    let s = with_pdf();
    // The layout's comments name lettermerge.toml; an SMTP timeout is not in any letter.
    s.c.edit("lettermerge.toml", "timeout = 5", "timeout = 6");
    // The layout's folder holds templates the letter does not use.
    s.c.write(
        "templates/partials/unused.hbs",
        "Still not in this letter.\n",
    );
    s.run(&["check"]).success();
}

#[test]
fn the_sender_from_smtp_is_part_of_the_approved_text() {
    let server = TestServer::start(Options::default());
    let from = "from = \"Lucía Ramírez <lucia@coalition.example>\"\n";
    let c = campaign("", &smtp_plain(&server, from), &[SOS]);
    c.write(
        "templates/letter.hbs",
        "---\nto: '{{mailbox (addressee) email}}'\nsubject: 'Human rights in Mexico'\n---\n{{salutation}},\n\nWe write.\n",
    );
    let s = Signed { c, server };
    s.approve();
    s.c.edit(
        "lettermerge.toml",
        "Lucía Ramírez <lucia@coalition.example>",
        "Press Office <press@coalition.example>",
    );
    s.refused("default", &["[smtp] from"]);
}

#[test]
fn hole_5_an_attached_file_edited_is_refused() {
    let s = Signed::new(
        "attachments:\n  - attachments/report.txt\n",
        "Please find our report attached.",
        "",
    );
    s.c.write("attachments/report.txt", "Report: 121 cases of torture.\n");
    s.approve();
    s.c.write("attachments/report.txt", "Report: 12 cases of torture.\n");
    s.refused("default", &["attachments/report.txt changed"]);
}

#[test]
fn hole_5_a_file_a_templated_attachment_path_names_edited_is_refused() {
    let s = Signed::new(
        "attachments: 'attachments/{{id}}.txt'\n",
        "Please find the file on your office attached.",
        "",
    );
    for key in ["sos", "epn", "rubio"] {
        s.c.write(
            &format!("attachments/{key}.txt"),
            format!("File on {key}.\n"),
        );
    }
    s.approve();
    s.c.write("attachments/epn.txt", "Another file.\n");
    s.refused("default", &["attachments/epn.txt changed"]);
}

#[test]
fn hole_6_approvals_deleted_after_approve_and_send_is_refused_with_the_way_back() {
    let s = Signed::new(
        "",
        "{{#each (rows \"issues\" issues)}}{{paragraph}}\n\n{{/each}}",
        "",
    );
    s.approve();
    send(&s.c, &["--yes"]).success();
    assert_eq!(s.server.received().len(), 3);
    let approvals = s.c.read("approvals.toml");
    std::fs::remove_file(s.c.file("approvals.toml")).unwrap();
    // An unapproved edit, and a new official who has had no letter yet.
    s.c.edit("recipients/issues.csv", PARAGRAPH, EDITED);
    s.c.append(
        "recipients/officials.csv",
        "cardin,Senator,Ben,Cardin,male,senator@cardin.example,email,impunity,impunity",
    );
    let check = s.run(&["check"]);
    let err = check.fails_with(1);
    assert!(err.contains("approvals.toml is missing"), "{check}");
    assert!(err.contains("git checkout -- approvals.toml"), "{check}");
    let run = send(&s.c, &["--yes"]);
    let err = run.fails_with(1);
    assert!(err.contains("approvals.toml is missing"), "{run}");
    assert_eq!(s.server.received().len(), 3, "nothing more was sent");
    // Restored from git, the edit is named as any other.
    s.c.write("approvals.toml", approvals);
    s.refused("default", &["recipients/issues.csv", "impunity"]);
}

/// The coalition campaign (five variants, `es` translating `coalition`) sending to a real SMTP server.
fn coalition_with_server() -> (Campaign, TestServer) {
    let c = Campaign::coalition();
    let server = TestServer::start(Options::default());
    c.append(
        "lettermerge.toml",
        &format!(
            "\n[smtp]\nhost = \"127.0.0.1\"\nport = {}\nsecurity = \"none\"\ntimeout = 5",
            server.port
        ),
    );
    (c, server)
}

fn edit_the_english_letter(c: &Campaign) {
    c.edit(
        "templates/letter.hbs",
        "follow human rights in Mexico closely.",
        "follow human rights in Mexico and the border closely.",
    );
}

#[test]
fn hole_7_a_stale_translation_sent_alone_is_refused() {
    let (c, server) = coalition_with_server();
    c.ok(&["approve"]);
    edit_the_english_letter(&c);
    let check = c.run(&["check", "--variant", "es"]);
    let err = check.fails_with(1);
    assert!(
        err.contains("variant `es` translates `coalition`"),
        "{check}"
    );
    assert!(err.contains("templates/letter.hbs changed"), "{check}");
    let run = c.run(&["send", "--variant", "es", "--yes"]);
    let err = run.fails_with(1);
    assert!(err.contains("`es` translates `coalition`"), "{run}");
    assert!(server.received().is_empty(), "{run}");
}

#[test]
fn hole_8_a_blanket_approve_leaves_a_stale_translation_stale() {
    let (c, server) = coalition_with_server();
    c.ok(&["approve"]);
    edit_the_english_letter(&c);
    let approve = c.run(&["approve"]);
    let err = approve.fails_with(1);
    assert!(err.contains("es: not approved"), "{approve}");
    assert!(
        approve.stdout.contains("coalition: text approved"),
        "{approve}"
    );
    let check = c.run(&["check"]);
    assert!(
        check
            .fails_with(1)
            .contains("variant `es` translates `coalition`"),
        "{check}"
    );
    let run = c.run(&["send", "--variant", "es", "--yes"]);
    run.fails_with(1);
    assert!(server.received().is_empty());
    // Named, it is approved, and `approve` says what changed in its source.
    let named = c.ok(&["approve", "--variant", "es"]);
    assert!(
        named
            .stdout
            .contains("translates `coalition`, which changed")
            && named.stdout.contains("templates/letter.hbs changed"),
        "{named}"
    );
    c.run(&["check", "--variant", "es"]).success();
    c.ok(&["send", "--variant", "es", "--yes"]);
    assert_eq!(server.received().len(), coalition::MX_KEYS.len());
}

// ── Inputs that crashed lettermerge: exit 1 with the reason, never a stack overflow ─────────────────────────────────

fn crashes_no_more(s: &Signed, expected: &str) {
    for args in [&["check"][..], &["render"], &["send", "--yes"]] {
        let run = s.run(args);
        let err = run.fails_with(1);
        assert!(err.contains(expected), "{run}");
    }
    assert!(s.server.received().is_empty());
}

#[test]
fn mutually_recursive_partials_exit_1_naming_the_cycle() {
    let s = Signed::new("", "{{> pa}}", "");
    s.c.write("templates/partials/pa.hbs", "a {{> pb}}\n");
    s.c.write(
        "templates/partials/pb.hbs",
        "b\n{{#if name}}{{> pa}}{{/if}}\n",
    );
    crashes_no_more(&s, "pa → pb → pa");
    assert!(s
        .run(&["check"])
        .stderr
        .contains("templates/partials/pb.hbs:2"));
}

#[test]
fn three_thousand_nested_ifs_exit_1_at_the_limit_s_line() {
    let deep = "{{#if first_name}}\n".repeat(3000) + "x" + &"{{/if}}".repeat(3000);
    let s = Signed::new("", &deep, "");
    crashes_no_more(&s, "more than 64 levels deep");
    // Line 65 of the body: the 65th `#if`; the front matter and salutation come first.
    assert!(s
        .run(&["check"])
        .stderr
        .contains("templates/letter.hbs:72:1"));
}

#[test]
fn a_chain_of_1000_partials_exits_1() {
    let s = Signed::new("", "{{> p0}}", "");
    for i in 0..1000 {
        s.c.write(
            &format!("templates/partials/p{i}.hbs"),
            format!("{{{{> p{}}}}}", i + 1),
        );
    }
    s.c.write("templates/partials/p1000.hbs", "end");
    crashes_no_more(&s, "more than 64 levels deep");
}

#[test]
fn nesting_at_the_limit_renders() {
    // 63 partials, the last with one block: 64 levels.
    let s = Signed::new("", "{{> p0}}", "");
    for i in 0..62 {
        s.c.write(
            &format!("templates/partials/p{i}.hbs"),
            format!("{{{{> p{}}}}}", i + 1),
        );
    }
    s.c.write(
        "templates/partials/p62.hbs",
        "{{#if last_name}}Deep {{last_name}}{{/if}}",
    );
    s.c.render(&["--format", "txt"]).success();
    assert!(s.c.out("default", "sos.txt").contains("Deep Pompeo"));
    let deep = "{{#if first_name}}".repeat(64) + "Deep" + &"{{/if}}".repeat(64);
    s.c.write("templates/letter.hbs", letter("", &deep));
    s.c.render(&["--format", "txt"]).success();
    assert!(s.c.out("default", "sos.txt").contains("Deep"));
}

// ── A lost journal ───────────────────────────────────────────────────────────────────────────────────────────────

#[test]
fn a_deleted_or_emptied_journal_does_not_send_again() {
    // No sign-off at all: the count of sent letters alone protects the offices.
    let s = Signed::new("", "We write to you.", "");
    send(&s.c, &["--yes"]).success();
    assert_eq!(s.server.received().len(), 3);
    let toml: toml::Table = s.c.read("approvals.toml").parse().unwrap();
    assert_eq!(toml["sent"]["default"]["letters"].as_integer(), Some(3));
    for lose in ["delete", "empty"] {
        let journal = s.c.file(".lettermerge/journal.jsonl");
        match lose {
            "delete" => std::fs::remove_file(&journal).unwrap(),
            _ => std::fs::write(&journal, "").unwrap(),
        }
        let run = send(&s.c, &["--yes"]);
        let err = run.fails_with(1);
        assert!(err.contains("records 3 of its letters as sent"), "{run}");
        assert!(err.contains("restore .lettermerge/journal.jsonl"), "{run}");
        assert!(err.contains("--journal-lost"), "{run}");
        assert_eq!(s.server.received().len(), 3, "{lose}: sent again");
        let dry = send(&s.c, &["--dry-run"]);
        assert!(dry.fails_with(1).contains("--journal-lost"), "{dry}");
        let check = s.run(&["check"]);
        assert!(check.fails_with(1).contains("journal"), "{check}");
    }
    // Knowingly: every letter the journal does not list goes again, and the count starts over.
    send(&s.c, &["--yes", "--journal-lost"]).success();
    assert_eq!(s.server.received().len(), 6);
    assert_eq!(journaled(&s.c, "sent").len(), 3);
    send(&s.c, &["--yes"]).success();
    assert_eq!(
        s.server.received().len(),
        6,
        "a normal run sends nothing twice"
    );
}

// ── When approval is required, and what `approve` records ────────────────────────────────────────────────────────

#[test]
fn signoff_required_in_the_manifest_refuses_an_unapproved_campaign() {
    let s = Signed::new("", "We write to you.", "[signoff]\nrequired = true\n");
    let check = s.run(&["check"]).success();
    assert!(
        check.stderr.contains("variant `default` is not approved"),
        "{check}"
    );
    assert!(check.stdout.contains("`send` would refuse"), "{check}");
    assert!(!check.stdout.contains("ready to send"), "{check}");
    s.refused_unapproved();
    s.approve();
    send(&s.c, &["--yes"]).success();
    assert_eq!(s.server.received().len(), 3);
}

impl Signed {
    fn refused_unapproved(&self) {
        let run = send(&self.c, &["--yes"]);
        assert!(run.fails_with(1).contains("is not approved"), "{run}");
        assert!(self.server.received().is_empty());
    }
}

#[test]
fn init_writes_signoff_required() {
    let parent = Campaign::empty();
    crate::harness::lettermerge()
        .current_dir(parent.path())
        .args(["init", "c"])
        .assert()
        .success();
    let manifest = std::fs::read_to_string(parent.path().join("c/lettermerge.toml")).unwrap();
    let doc: toml::Table = manifest.parse().unwrap();
    assert_eq!(doc["signoff"]["required"].as_bool(), Some(true));
}

#[test]
fn check_does_not_say_ready_after_a_late_sign_on() {
    let c = Campaign::coalition();
    c.ok(&["approve"]);
    assert!(c
        .ok(&["check"])
        .stdout
        .contains("variant `coalition`: ready to send"));
    late_sign_on(&c);
    let check = c.run(&["check"]);
    assert!(
        check
            .stdout
            .contains("variant `coalition`: `send` would refuse it: signatories: added cafe"),
        "{check}"
    );
    assert!(!check.stdout.contains("ready to send"), "{check}");
    assert!(!check.stdout.contains("The campaign is ready"), "{check}");
    c.ok(&["approve", "--list"]);
    assert!(c
        .ok(&["check"])
        .stdout
        .contains("The campaign is ready to send"));
}

#[test]
fn approve_list_records_who_and_when() {
    let c = Campaign::coalition();
    c.ok(&["approve", "--by", "Maureen Meyer, WOLA"]);
    late_sign_on(&c);
    c.ok(&[
        "approve",
        "--list",
        "--by",
        "Lucía Ramírez",
        "--variant",
        "coalition",
    ]);
    let doc: toml::Table = c.read("approvals.toml").parse().unwrap();
    let a = &doc["variants"]["coalition"];
    assert_eq!(a["by"].as_str(), Some("Maureen Meyer, WOLA"));
    assert_eq!(a["list_by"].as_str(), Some("Lucía Ramírez"));
    let today = chrono::Local::now().date_naive().to_string();
    assert_eq!(a["list_date"].as_str(), Some(today.as_str()));
    assert!(a["signatories"]
        .as_array()
        .unwrap()
        .iter()
        .any(|k| k.as_str() == Some(LATE_KEY)));
}

#[test]
fn approve_takes_no_flag_it_would_ignore() {
    let c = Campaign::coalition();
    for flag in [
        &["--only", "sos"][..],
        &["--limit", "1"],
        &["--date", "2018-07-11"],
    ] {
        let mut args = vec!["approve"];
        args.extend_from_slice(flag);
        let run = c.run(&args);
        run.fails_with(2);
    }
    assert!(!c.file("approvals.toml").exists());
}

#[test]
fn the_signatory_table_read_as_a_table_is_text() {
    let c = Campaign::coalition();
    c.write(
        "templates/public.hbs",
        "---\nfilename: 'public'\n---\nAsked to sign:\n{{#each tables.organizations}}\n- {{organization}}\n{{/each}}\n",
    );
    c.ok(&["approve"]);
    late_sign_on(&c);
    let check = c.run(&["check", "--variant", "public"]);
    let err = check.fails_with(1);
    assert!(
        err.contains("variant `public` changed since its approval: recipients/organizations.csv"),
        "{check}"
    );
}

#[test]
fn a_stale_issue_row_is_named_in_every_variant_that_shows_it() {
    // The coalition's letters look `impunity` up by key; `public` prints the whole table.
    let c = Campaign::coalition();
    c.ok(&["approve"]);
    c.edit("recipients/issues.csv", IMPUNITY_OLD, IMPUNITY_NEW);
    let check = c.run(&["check"]);
    let err = check.fails_with(1);
    for v in ["coalition", "us", "es", "each", "public"] {
        assert!(
            err.contains(&format!("variant `{v}` changed since its approval: recipients/issues.csv: rows impunity changed")),
            "{v}:\n{check}"
        );
    }
}

/// One letter per organization says other things than the coalition's letter: turning `per_signatory` on after
/// approval is a new text, refused until approved again.
#[test]
fn a_variant_turned_per_signatory_after_approval_is_refused() {
    let s = Signed::new("", "We write to you.", "[variants.main]\n");
    s.approve();
    s.c.edit(
        "lettermerge.toml",
        "[variants.main]\n",
        "[variants.main]\nper_signatory = true\n",
    );
    s.refused("main", &["per_signatory = true is new in the text"]);
}

/// Who signs each letter is not a sentence to translate: the source turned per-signatory is refused, its translation
/// is not.
#[test]
fn a_source_turned_per_signatory_leaves_its_translation_approved() {
    let c = crate::coalition::Campaign::coalition();
    c.append("lettermerge.toml", "[signoff]\nrequired = true\n");
    c.ok(&["approve", "--by", "Ana, WOLA"]);
    c.edit(
        "lettermerge.toml",
        "[variants.coalition]\n",
        "[variants.coalition]\nper_signatory = true\n",
    );
    let run = c.check(&[]);
    let out = run.stdout();
    assert!(
        out.lines().any(
            |l| l.starts_with("variant `coalition`: `send` would refuse it")
                && l.contains("per_signatory = true")
        ),
        "{run}"
    );
    assert!(
        out.lines()
            .any(|l| l.starts_with("variant `es`:") && !l.contains("translates")),
        "{run}"
    );
}
