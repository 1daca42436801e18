//! Never twice (issue 10): a server that takes the whole message and then drops the connection, or goes silent,
//! after the final `.` may have delivered it. lettermerge never sends such a letter again on its own: it is
//! journaled `uncertain`, reported by `send` (exit 1) and `status`, skipped by every later run, and sent again only
//! when the coordinator says so with `--resend`.

use crate::sendkit::*;
use crate::smtp_server::{Options, Stall, TestServer};

/// The officials' copies the server holds, by envelope recipient (the Bcc archive left out).
fn copies(server: &TestServer, to: &str) -> usize {
    per_recipient(server).get(to).copied().unwrap_or(0)
}

/// The letter's entry in `status --json`.
fn status_of(c: &crate::harness::Campaign, id: &str) -> serde_json::Value {
    status_json(c, &[])["letters"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["id"] == id)
        .unwrap_or_else(|| panic!("{id} not in status"))
        .clone()
}

/// What both faults must give: one copy, `uncertain` everywhere, exit 1, a re-run that sends nothing, and a
/// `--resend` (to a healthy server) that sends it.
fn uncertain_once_then_resend(server: &TestServer, c: &crate::harness::Campaign) {
    let run = send(c, &["--yes"]);
    let stderr = run.fails_with(1);
    assert_eq!(copies(server, "secretary@state.example"), 1, "{run}");
    assert_eq!(copies(server, "epn@presidencia.example"), 1, "{run}");
    assert!(
        run.stdout().contains("Sent 1 letter; 1 is uncertain."),
        "each letter counted once\n{run}"
    );
    assert!(stderr.contains("letter default/sos is uncertain"), "{run}");
    assert!(
        stderr.contains("lettermerge send --only default/sos --resend"),
        "says how to send it if it never arrived\n{run}"
    );
    assert!(
        stderr.contains("1 of 2 letters not delivered (1 uncertain)"),
        "{run}"
    );
    assert_eq!(journaled(c, "uncertain"), ["default/sos"]);

    let text = lm(c, &["status"]).success().stdout();
    assert!(text.contains("1 uncertain"), "{text}");
    assert!(text.contains("UNCERTAIN"), "{text}");
    let json = status_json(c, &[]);
    assert_eq!(json["uncertain"], serde_json::json!(["default/sos"]));
    assert_eq!(json["counts"]["uncertain"], 1);
    assert_eq!(status_of(c, "default/sos")["state"], "uncertain");

    // A re-run sends nothing and still says so, with exit 1.
    let before = server.received().len();
    let again = send(c, &["--yes"]);
    again.fails_with(1);
    assert!(again.stdout().contains("To send: 0 letters"), "{again}");
    assert!(
        again.stdout().contains(
            "Uncertain, not sent again without --resend (it may have arrived): default/sos"
        ),
        "{again}"
    );
    assert_eq!(server.received().len(), before, "a re-run sends nothing");

    // The coordinator asked the office: it never arrived. --resend sends it, through a server that answers.
    let healthy = TestServer::start(Options::default());
    c.write("lettermerge.toml", manifest("", &smtp_plain(&healthy, "")));
    let resent = send(c, &["--yes", "--resend", "--only", "default/sos"]).success();
    assert!(resent.stdout().contains("Sent 1 letter."), "{resent}");
    assert_eq!(copies(&healthy, "secretary@state.example"), 1);
    assert_eq!(copies(&healthy, "epn@presidencia.example"), 0);
    assert_eq!(status_of(c, "default/sos")["state"], "sent");
    send(c, &["--yes"]).success();
    assert_eq!(healthy.received().len(), 1, "nothing more to send");
}

#[test]
fn a_server_that_keeps_the_message_then_drops_the_connection_gets_it_once() {
    let server = TestServer::start(Options {
        drop_after_data: 1,
        ..Options::default()
    });
    let c = campaign("", &smtp_plain(&server, "connections = 1\n"), &[SOS, EPN]);
    uncertain_once_then_resend(&server, &c);
}

#[test]
fn a_server_that_keeps_the_message_then_goes_silent_gets_it_once() {
    let server = TestServer::start(Options {
        stall: Some(Stall::AfterData),
        ..Options::default()
    });
    // The silent server stalls every message: with one connection, the first letter's timeout ends the session,
    // and the second letter needs one of its own, where it stalls too. So one official only here.
    let c = campaign(
        "",
        &smtp_plain(&server, "").replace("timeout = 5", "timeout = 1"),
        &[SOS],
    );
    let run = send(&c, &["--yes"]);
    let stderr = run.fails_with(1);
    assert_eq!(copies(&server, "secretary@state.example"), 1, "{run}");
    assert!(stderr.contains("no reply within 1.0 s"), "{run}");
    assert!(
        run.stdout().contains("Sent 0 letters; 1 is uncertain."),
        "{run}"
    );
    assert_eq!(journaled(&c, "uncertain"), ["default/sos"]);
    assert_eq!(status_of(&c, "default/sos")["state"], "uncertain");
    let again = send(&c, &["--yes"]);
    again.fails_with(1);
    assert_eq!(server.received().len(), 1, "a re-run sends nothing");

    let healthy = TestServer::start(Options::default());
    c.write("lettermerge.toml", manifest("", &smtp_plain(&healthy, "")));
    send(&c, &["--yes", "--resend", "--only", "sos"]).success();
    assert_eq!(copies(&healthy, "secretary@state.example"), 1);
    assert_eq!(status_of(&c, "default/sos")["state"], "sent");
}

/// `--resend` alone answers what `send` lists as "not re-sent without --resend": the uncertain letter and the one
/// whose text changed go again; a letter sent as it is stays skipped, so a campaign-wide `--resend` can never give
/// every office a second copy. Naming that letter with `--only` sends it again.
#[test]
fn resend_without_only_sends_again_only_uncertain_and_changed_letters() {
    let server = TestServer::start(Options {
        drop_after_data: 1,
        ..Options::default()
    });
    let c = campaign(
        "",
        &smtp_plain(&server, "connections = 1\n"),
        &[SOS, EPN, RUBIO],
    );
    send(&c, &["--yes"]).fails_with(1);
    assert_eq!(journaled(&c, "uncertain"), ["default/sos"]);
    assert_eq!(journaled(&c, "sent").len(), 2);
    // Rubio's row changes after his letter went out.
    c.edit(
        "recipients/officials.csv",
        "torture,torture",
        "torture and disappearance,torture",
    );

    let healthy = TestServer::start(Options::default());
    c.write("lettermerge.toml", manifest("", &smtp_plain(&healthy, "")));
    let plain = send(&c, &["--dry-run"]);
    assert!(plain.stdout().contains("To send: 0 letters"), "{plain}");
    assert!(
        plain
            .stdout()
            .contains("Changed since it was sent, not re-sent without --resend: default/rubio"),
        "{plain}"
    );

    let resent = send(&c, &["--yes", "--resend"]).success();
    let out = resent.stdout();
    assert!(out.contains("To send: 2 letters"), "{resent}");
    assert!(out.contains("Already sent, skipped: 1"), "{resent}");
    assert!(out.contains("name it: --only ID --resend"), "{resent}");
    assert!(
        out.contains("Sending again (--resend: uncertain; if the first did arrive, the office gets two): default/sos"),
        "{resent}"
    );
    assert!(
        out.contains("Sending again (--resend: changed since it was sent): default/rubio"),
        "{resent}"
    );
    assert_eq!(copies(&healthy, "secretary@state.example"), 1);
    assert_eq!(copies(&healthy, "senator@rubio.senate.example"), 1);
    assert_eq!(
        copies(&healthy, "epn@presidencia.example"),
        0,
        "the letter sent as it is stays skipped"
    );

    // Named, it goes again: the coordinator asked for that copy.
    let named = send(&c, &["--yes", "--resend", "--only", "epn"]).success();
    assert!(
        named.stdout().contains(
            "Sending again (--resend: the office has it already and gets a second copy): default/epn"
        ),
        "{named}"
    );
    assert_eq!(copies(&healthy, "epn@presidencia.example"), 1);
    assert_eq!(healthy.received().len(), 3);
}

/// A `/` in a recipient's key or a signatory's key would give two letters one id (`each/a1/o1/x` is both recipient
/// `a1/o1` with signatory `x` and recipient `a1` with signatory `o1/x`), and the journal could not tell them apart:
/// a bare `--resend` would send one of them again on every run. Such a key is refused at its line, before anything
/// is sent.
#[test]
fn a_slash_in_a_key_is_refused_before_it_can_make_two_letters_one_id() {
    let server = TestServer::start(Options::default());
    let c = campaign(
        "",
        &smtp_plain(&server, ""),
        &[SOS, &EPN.replacen("epn", "sos/x", 1)],
    );
    let run = send(&c, &["--yes"]);
    let stderr = run.fails_with(1);
    assert!(
        stderr.contains("recipients/officials.csv:3")
            && stderr.contains("has a `/` in its `id` \"sos/x\""),
        "{run}"
    );
    assert!(server.received().is_empty(), "nothing sent\n{run}");
    c.check(&[]).fails_with(1);

    let c = campaign(
        "[variants.each]\nper_signatory = true\n",
        &smtp_plain(&server, ""),
        &[SOS],
    );
    c.write(
        "recipients/organizations.csv",
        "id,organization,status\nwola/x,Washington Office on Latin America,signed\n",
    );
    let run = send(&c, &["--yes"]);
    let stderr = run.fails_with(1);
    assert!(
        stderr.contains("recipients/organizations.csv:2")
            && stderr.contains("`/` in its key \"wola/x\""),
        "{run}"
    );
    assert!(server.received().is_empty(), "nothing sent\n{run}");
}

/// A renamed key, key column or variant gives every letter a new id, and a new id is a letter never sent. The
/// journal's envelopes show the offices already have them: `send` holds each back, naming the letter it already got,
/// until the coordinator says which it is (`mark … delivered`: the same letter; `--resend --only`: a new one).
#[test]
fn a_renamed_key_column_or_variant_does_not_mail_the_offices_again() {
    let server = TestServer::start(Options::default());
    let c = campaign("", &smtp_plain(&server, ""), &[SOS, EPN, RUBIO]);
    send(&c, &["--yes"]).success();
    assert_eq!(server.received().len(), 3);

    c.edit(
        "lettermerge.toml",
        r#"recipients = "recipients/officials.csv""#,
        r#"recipients = { path = "recipients/officials.csv", key = "email" }"#,
    );
    let run = send(&c, &["--yes"]);
    let err = run.fails_with(1);
    assert_eq!(server.received().len(), 3, "nothing sent again\n{run}");
    assert!(
        err.contains(
            "secretary@state.example, archive@coalition.example already received `default/sos`"
        ),
        "{run}"
    );
    assert!(
        err.contains("mark default/secretary@state.example delivered"),
        "{run}"
    );
    assert!(run.stdout().contains("Cannot be sent: 3 letters"), "{run}");

    // The same letter under a new name: recorded, never sent. A new letter for that office: sent when named.
    lm(
        &c,
        &["mark", "default/secretary@state.example", "delivered"],
    )
    .success();
    let new = "default/senator@rubio.senate.example";
    send(&c, &["--yes", "--resend", "--only", new]).success();
    assert_eq!(copies(&server, "senator@rubio.senate.example"), 2);
    assert_eq!(copies(&server, "secretary@state.example"), 1);
    let last = send(&c, &["--yes"]);
    last.fails_with(1);
    assert_eq!(server.received().len(), 4, "{last}");
    assert!(
        last.stderr().contains("already received `default/epn`"),
        "{last}"
    );
    assert!(!last.stderr().contains("default/sos`"), "{last}");

    // A renamed variant: the same.
    let d = campaign("[variants.main]\n", &smtp_plain(&server, ""), &[SOS]);
    send(&d, &["--yes"]).success();
    let before = server.received().len();
    d.edit("lettermerge.toml", "[variants.main]", "[variants.main2018]");
    let run = send(&d, &["--yes"]);
    run.fails_with(1);
    assert_eq!(server.received().len(), before, "{run}");
    assert!(
        run.stderr().contains("already received `main/sos`"),
        "{run}"
    );
}

/// A per-signatory campaign whose two signed organizations (aiusa, wola) have each sent their letter to the Secretary.
fn each_organization_wrote_to_sos() -> (TestServer, crate::harness::Campaign) {
    let (server, c) = each_wrote_to_sos(None);
    assert_eq!(server.received().len(), 2, "aiusa and wola");
    (server, c)
}

/// The same with `organizations` (a CSV with its header) as the signatory table.
fn each_wrote_to_sos(organizations: Option<&str>) -> (TestServer, crate::harness::Campaign) {
    let server = TestServer::start(Options::default());
    let c = campaign(
        "[variants.each]\nper_signatory = true\n",
        &smtp_plain(&server, ""),
        &[SOS],
    );
    if let Some(csv) = organizations {
        c.write("recipients/organizations.csv", csv);
    }
    send(&c, &["--yes"]).success();
    (server, c)
}

/// In a per-signatory variant every organization's letter goes to the same office. A signer who withdraws leaves a
/// sent letter the campaign no longer has; a new signer's letter to that office is a letter of its own, and goes.
#[test]
fn a_new_signers_letter_is_sent_though_another_signer_withdrew() {
    let (server, c) = each_organization_wrote_to_sos();
    c.edit(
        "recipients/organizations.csv",
        "wola,Washington Office on Latin America,signed",
        "wola,Washington Office on Latin America,withdrew",
    );
    c.edit(
        "recipients/organizations.csv",
        "lawg,Latin America Working Group,pending",
        "lawg,Latin America Working Group,signed",
    );
    let run = send(&c, &["--yes"]).success();
    assert_eq!(server.received().len(), 3, "{run}");
    assert_eq!(
        states(&c).get("each/sos/lawg").map(String::as_str),
        Some("sent")
    );
}

/// A signatory's key renamed in a per-signatory variant gives its letters new ids; the organization is known by the
/// rest of its row, so its offices do not get its letter a second time unless the coordinator says it is new.
#[test]
fn a_renamed_signatory_key_does_not_mail_the_offices_again() {
    let (server, c) = each_organization_wrote_to_sos();
    c.edit(
        "recipients/organizations.csv",
        "wola,Washington Office on Latin America,signed",
        "wola-dc,Washington Office on Latin America,signed",
    );
    let run = send(&c, &["--yes"]);
    run.fails_with(1);
    assert_eq!(server.received().len(), 2, "no second copy\n{run}");
    assert!(
        run.stderr().contains("already received `each/sos/wola`"),
        "{run}"
    );
    assert!(
        run.stderr()
            .contains("lettermerge mark each/sos/wola-dc delivered"),
        "{run}"
    );
    send(&c, &["--yes", "--resend", "--only", "sos/wola-dc"]).success();
    assert_eq!(
        server.received().len(),
        3,
        "sent when the coordinator says so"
    );
}

/// The organization is known by its email address and its name too: a key renamed in the same edit as a corrected
/// name, or as a new address, is still the organization whose letter the office has.
#[test]
fn a_renamed_signatory_key_with_its_row_edited_is_known_by_its_address() {
    let (server, c) = each_wrote_to_sos(Some(
        "id,organization,email,status\n\
         wola,Washington Office on Latin America,mm@wola.example,signed\n\
         aiusa,Amnesty International USA,m@aiusa.example,signed\n",
    ));
    assert_eq!(server.received().len(), 2);
    c.write(
        "recipients/organizations.csv",
        "id,organization,email,status\n\
         wola-dc,Washington Office on Latin America (WOLA),mm@wola.example,signed\n\
         amnesty,Amnesty International USA,press@aiusa.example,signed\n",
    );
    let run = send(&c, &["--yes"]);
    run.fails_with(1);
    assert_eq!(server.received().len(), 2, "no second copy\n{run}");
    assert!(
        run.stderr().contains("already received `each/sos/wola`"),
        "{run}"
    );
    assert!(
        run.stderr().contains("already received `each/sos/aiusa`"),
        "{run}"
    );
}

/// A new organization whose signer's address is another organization's, which still signs under its own key, was
/// not renamed: its letter goes.
#[test]
fn a_new_organization_sharing_a_signers_address_is_sent() {
    let (server, c) = each_wrote_to_sos(Some(
        "id,organization,email,status\nwola,Washington Office on Latin America,mm@wola.example,signed\n",
    ));
    c.append(
        "recipients/organizations.csv",
        "mwg,Mexico Working Group,mm@wola.example,signed",
    );
    let run = send(&c, &["--yes"]).success();
    assert_eq!(server.received().len(), 2, "{run}");
    assert_eq!(
        states(&c).get("each/sos/mwg").map(String::as_str),
        Some("sent")
    );
}

/// Keys that are row numbers shift when a row is inserted: old ids now name other offices. A letter new to the
/// journal that goes where a letter of its variant already went is held back.
#[test]
fn renumbered_keys_do_not_mail_an_office_twice() {
    let server = TestServer::start(Options::default());
    let row = |n: &str, rest: &str| format!("{n},{rest}");
    let sos = SOS.split_once(',').unwrap().1;
    let epn = EPN.split_once(',').unwrap().1;
    let rubio = RUBIO.split_once(',').unwrap().1;
    let first = [row("1", sos), row("2", epn), row("3", rubio)];
    let rows: Vec<&str> = first.iter().map(String::as_str).collect();
    let c = campaign("", &smtp_plain(&server, ""), &rows);
    send(&c, &["--yes"]).success();
    assert_eq!(server.received().len(), 3);
    let dee = "Senator,Dee,Lopez,female,dee@senate.example,email,torture,torture";
    c.write(
        "recipients/officials.csv",
        format!(
            "{HEADER}\n{}\n{}\n{}\n{}\n",
            row("1", sos),
            row("2", dee),
            row("3", epn),
            row("4", rubio)
        ),
    );
    let run = send(&c, &["--yes"]);
    run.fails_with(1);
    assert_eq!(
        server.received().len(),
        3,
        "nobody got a second copy\n{run}"
    );
    assert_eq!(copies(&server, "senator@rubio.senate.example"), 1, "{run}");
    assert!(
        run.stderr().contains("already received `default/3`"),
        "default/4 goes where default/3 went\n{run}"
    );
    assert!(
        run.stderr().contains("(1 held back)"),
        "nothing failed\n{run}"
    );
    assert!(!run.all().contains("failed"), "{run}");
    // `status` says what `send` would do with it.
    let status = c.ok(&["status"]);
    let held = status
        .stdout()
        .lines()
        .find(|l| l.contains("held back by `send`"))
        .map(str::to_string)
        .unwrap_or_else(|| panic!("{status}"));
    assert!(held.contains("senator@rubio.senate.example"), "{held}");
    assert!(held.contains("already received `default/3`"), "{held}");
    let json = status_of(&c, "default/4");
    assert!(
        json["held"]
            .as_str()
            .is_some_and(|h| h.contains("`default/3`")),
        "{json}"
    );
}

/// The hold-back does not depend on the other variants: one that a rename breaks (its filter now selects nobody)
/// does not let the renamed letters of the variant being sent through.
#[test]
fn a_variant_broken_by_the_rename_does_not_let_the_renamed_letters_through() {
    let server = TestServer::start(Options::default());
    let c = campaign(
        "[variants.main]\n[variants.one]\nrecipients = { where = { id = \"sos\" } }\n",
        &smtp_plain(&server, ""),
        &[SOS, EPN],
    );
    send(&c, &["--yes", "--variant", "main"]).success();
    assert_eq!(server.received().len(), 2);
    c.edit(
        "recipients/officials.csv",
        "sos,Secretary",
        "sos2,Secretary",
    );
    let run = send(&c, &["--yes", "--variant", "main"]);
    run.fails_with(1);
    assert_eq!(server.received().len(), 2, "{run}");
    assert!(
        run.stderr().contains("already received `main/sos`"),
        "{run}"
    );
}
