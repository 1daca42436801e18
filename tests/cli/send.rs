//! `lettermerge send`, `status` and `mark` end to end, against real SMTP servers on 127.0.0.1 (tests/support): every
//! security mode and login, the password kept secret, header injection, the safety rails, sign-off and tracking.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use crate::sendkit::*;
use crate::smtp_server::{Encryption, Options, TestServer, PASSWORD};

/// Sends the three standard letters through `server` with `smtp`, and checks each official and the Bcc archive got
/// exactly one message, each the rendered letter.
fn delivers_each_letter_once(server: &TestServer, smtp: &str, login: bool) {
    let c = campaign("", smtp, &[SOS, EPN, RUBIO]);
    let run = if login {
        send_logged_in(&c, &[])
    } else {
        send(&c, &["--yes"])
    };
    let run = run.success();
    assert!(run.stdout().contains("Sent 3 letters."), "{run}");
    let got = server.received();
    assert_eq!(got.len(), 3, "{run}");
    let emls = rendered_emls(&c);
    let addresses = BTreeMap::from([
        ("default/sos", "secretary@state.example"),
        ("default/epn", "epn@presidencia.example"),
        ("default/rubio", "senator@rubio.senate.example"),
    ]);
    for (id, to) in addresses {
        let matching: Vec<_> = got.iter().filter(|r| r.to[0] == to).collect();
        assert_eq!(matching.len(), 1, "{to} got {} messages", matching.len());
        let r = matching[0];
        assert_eq!(r.to, [to, ARCHIVE], "envelope of {id}: To then Bcc");
        assert_eq!(r.from, "marselha@coalition.example");
        assert_sanity(&r.data);
        assert_same_message(&r.data, &emls[id], &[]);
    }
    let mut sent = journaled(&c, "sent");
    sent.sort();
    assert_eq!(sent, ["default/epn", "default/rubio", "default/sos"]);
}

fn assert_sanity(data: &[u8]) {
    assert!(data.ends_with(b"\r\n"), "a message ends with CRLF");
    assert!(
        !data.windows(2).any(|w| w[1] == b'\n' && w[0] != b'\r'),
        "bare LF in the data"
    );
}

#[test]
fn plain_delivers_each_letter_once_as_rendered() {
    let server = TestServer::start(Options::default());
    delivers_each_letter_once(&server, &smtp_plain(&server, ""), false);
    assert!(server.received().iter().all(|r| !r.tls && r.user.is_none()));
}

#[test]
fn starttls_with_auth_plain_delivers_each_letter_once() {
    let server = TestServer::start(Options {
        tls: Encryption::StartTls,
        auth: vec!["PLAIN"],
        ..Options::default()
    });
    delivers_each_letter_once(&server, &smtp_tls(&server, "starttls", &login()), true);
    assert!(server.received().iter().all(|r| r.tls));
    assert!(server.verbs().contains(&"STARTTLS".to_string()));
    assert!(server
        .received()
        .iter()
        .all(|r| r.user.as_deref() == Some(crate::smtp_server::USER)));
}

#[test]
fn implicit_tls_with_auth_login_delivers_each_letter_once() {
    let server = TestServer::start(Options {
        tls: Encryption::Implicit,
        auth: vec!["LOGIN"],
        ..Options::default()
    });
    delivers_each_letter_once(&server, &smtp_tls(&server, "tls", &login()), true);
    assert!(server.received().iter().all(|r| r.tls && r.user.is_some()));
    assert!(!server.verbs().contains(&"STARTTLS".to_string()));
}

#[test]
fn plain_with_auth_login_and_plain_offered() {
    let server = TestServer::start(Options {
        auth: vec!["LOGIN", "PLAIN"],
        ..Options::default()
    });
    delivers_each_letter_once(&server, &smtp_plain(&server, &login()), true);
}

// ── The password ─────────────────────────────────────────────────────────────────────────────────────────────────

/// Every place a password could leak to: the run's output and every file of the campaign (journal, lock, outbox,
/// .lettermerge, out/).
fn assert_nowhere(c: &crate::harness::Campaign, runs: &[&crate::harness::Run], secret: &str) {
    for run in runs {
        assert!(!run.stdout().contains(secret), "password in stdout\n{run}");
        assert!(!run.stderr().contains(secret), "password in stderr\n{run}");
    }
    let hits = files_containing(c.path(), secret);
    assert!(hits.is_empty(), "password written to {hits:?}");
}

#[test]
fn a_wrong_password_stops_the_run_and_is_never_shown_or_stored() {
    let server = TestServer::start(Options {
        tls: Encryption::StartTls,
        auth: vec!["PLAIN", "LOGIN"],
        ..Options::default()
    });
    let c = campaign(
        "",
        &smtp_tls(&server, "starttls", &login()),
        &[SOS, EPN, RUBIO],
    );
    let wrong = "Wr0ng-Pa55word-zebra-42";
    let run = send_env(&c, &["--yes"], Some(wrong));
    let stderr = run.fails_with(1);
    assert!(
        stderr.contains("authentication failed") || stderr.contains("refused the login"),
        "a clear message\n{run}"
    );
    assert!(stderr.contains("535"), "the server's reply\n{run}");
    assert!(server.received().is_empty());
    assert!(journaled(&c, "sent").is_empty());
    assert!(journaled(&c, "sending").is_empty());
    // A later outbox run too: nothing of the password reaches a file.
    let dir = c.path().join("outbox");
    let outbox = send_env(
        &c,
        &["--yes", "--outbox", dir.to_str().unwrap()],
        Some(wrong),
    )
    .success();
    assert!(c.path().join("outbox/default/sos.eml").exists(), "{outbox}");
    assert_nowhere(&c, &[&run, &outbox], wrong);
    assert_nowhere(&c, &[], PASSWORD);
}

#[test]
fn the_right_password_appears_nowhere_either() {
    let server = TestServer::start(Options {
        auth: vec!["PLAIN"],
        ..Options::default()
    });
    let c = campaign("", &smtp_plain(&server, &login()), &[SOS, EPN, RUBIO]);
    let first = send_logged_in(&c, &[]).success();
    let again = send_logged_in(&c, &[]).success();
    let status = lm(&c, &["status"]).success();
    let json = lm(&c, &["status", "--json"]).success();
    assert_eq!(server.received().len(), 3);
    assert_nowhere(&c, &[&first, &again, &status, &json], PASSWORD);
    // And not in what the server received (it went only into AUTH).
    for r in server.received() {
        assert!(!String::from_utf8_lossy(&r.data).contains(PASSWORD));
    }
}

#[test]
fn a_login_without_any_password_is_refused_before_sending() {
    let server = TestServer::start(Options {
        auth: vec!["PLAIN"],
        ..Options::default()
    });
    let c = campaign("", &smtp_plain(&server, &login()), &[SOS]);
    let run = send(&c, &["--yes"]);
    let stderr = run.fails_with(1);
    assert!(stderr.contains("LETTERMERGE_SMTP_PASSWORD"), "{run}");
    assert_eq!(server.connections(), 0, "nothing was even connected");
}

// ── Header injection ────────────────────────────────────────────────────────────────────────────────────────────

#[test]
fn cr_lf_in_a_name_a_subject_or_an_address_refuses_that_letter_only() {
    let server = TestServer::start(Options::default());
    let rows = [
        SOS,
        // A name that would add a Bcc header.
        "evilname,Senator,Marco,\"Rubio\r\nBcc: spy1@attacker.example\",male,rubio@senate.example,email,torture,torture",
        // A subject value that would add a header.
        "evilsubject,Senator,Ted,Cruz,male,cruz@senate.example,email,\"torture\r\nBcc: spy2@attacker.example\",torture",
        // An address that would add an envelope recipient or a header.
        "eviladdr,Senator,Bob,Menendez,male,\"menendez@senate.example\r\nRCPT TO:<spy3@attacker.example>\",email,torture,torture",
        "evillf,Senator,Tim,Kaine,male,\"kaine@senate.example\nBcc: spy4@attacker.example\",email,torture,torture",
        EPN,
    ];
    let c = campaign("", &smtp_plain(&server, ""), &rows);
    let run = send(&c, &["--yes"]);
    let stderr = run.fails_with(1);
    assert!(
        stderr.contains("4 of 6 letters not delivered (4 failed)"),
        "{run}"
    );
    assert!(
        stderr.contains("recipients/officials.csv:3"),
        "names the row\n{run}"
    );
    for bad in ["evilname", "evilsubject", "eviladdr", "evillf"] {
        assert!(
            stderr.contains(&format!("default/{bad}")) || stderr.contains(bad),
            "the error names {bad}\n{run}"
        );
    }
    let got = server.received();
    let mut to: Vec<String> = got.iter().flat_map(|r| r.to.clone()).collect();
    to.sort();
    assert_eq!(
        to,
        [
            ARCHIVE,
            ARCHIVE,
            "epn@presidencia.example",
            "secretary@state.example"
        ],
        "only the two clean letters went out\n{run}"
    );
    for r in &got {
        let text = String::from_utf8_lossy(&r.data).to_lowercase();
        assert!(!text.contains("attacker.example"), "{text}");
    }
    let mut sent = journaled(&c, "sent");
    sent.sort();
    assert_eq!(sent, ["default/epn", "default/sos"]);
    assert!(journaled(&c, "sending")
        .iter()
        .all(|id| id == "default/epn" || id == "default/sos"));
}

// ── Safety rails ────────────────────────────────────────────────────────────────────────────────────────────────

#[test]
fn dry_run_prints_the_summary_and_the_first_message_and_sends_nothing() {
    let server = TestServer::start(Options::default());
    let c = three(&server);
    let run = send(&c, &["--dry-run"]).success();
    let out = run.stdout();
    assert!(out.contains("To send: 3 letters"), "{run}");
    assert!(out.contains("The first message (default/sos)"), "{run}");
    assert!(
        out.contains("Subject: Human rights in Mexico: the rule of law"),
        "{run}"
    );
    assert!(out.contains("secretary@state.example"), "{run}");
    assert_eq!(server.connections(), 0);
    assert!(server.received().is_empty());
    assert!(journal(&c).is_empty());
}

#[test]
fn without_yes_and_without_a_terminal_nothing_is_sent() {
    let server = TestServer::start(Options::default());
    let c = three(&server);
    let run = send(&c, &[]);
    let stderr = run.fails_with(1);
    assert!(stderr.contains("--yes"), "{run}");
    assert!(stderr.contains("nothing was sent"), "{run}");
    assert!(server.received().is_empty());
    assert!(journal(&c).is_empty());
}

#[test]
fn limit_and_only_select_letters() {
    let server = TestServer::start(Options::default());
    let c = three(&server);
    let run = send(&c, &["--yes", "--limit", "2"]).success();
    assert!(run.stdout().contains("Sent 2 letters"), "{run}");
    assert_eq!(server.received().len(), 2);
    assert_eq!(journaled(&c, "sent").len(), 2);

    let server = TestServer::start(Options::default());
    let c = three(&server);
    let run = send(&c, &["--yes", "--only", "rubio"]).success();
    assert!(run.stdout().contains("Sent 1 letter"), "{run}");
    let got = server.received();
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].to, ["senator@rubio.senate.example", ARCHIVE]);
    assert_eq!(journaled(&c, "sent"), ["default/rubio"]);
}

#[test]
fn limit_sends_in_waves_each_run_the_next_letters_never_one_twice() {
    let server = TestServer::start(Options::default());
    let c = three(&server);
    let run = send(&c, &["--yes", "--limit", "2"]).success();
    assert!(
        run.stdout()
            .contains("Left for a later run (--limit 2): 1 letter"),
        "{run}"
    );
    let first = journaled(&c, "sent");
    assert_eq!(first.len(), 2, "{run}");

    let run = send(&c, &["--yes", "--limit", "2"]).success();
    assert!(run.stdout().contains("Sent 1 letter"), "{run}");
    assert!(run.stdout().contains("Already sent, skipped: 2"), "{run}");
    assert!(!run.stdout().contains("Left for a later run"), "{run}");
    let mut all = journaled(&c, "sent");
    assert_eq!(all.len(), 3, "{run}");
    all.sort();
    all.dedup();
    assert_eq!(all.len(), 3, "each letter once: {all:?}");
    assert_eq!(server.received().len(), 3);

    let run = send(&c, &["--yes", "--limit", "2"]).success();
    assert!(run.stdout().contains("To send: 0 letters"), "{run}");
    assert_eq!(server.received().len(), 3);
}

#[test]
fn redirect_sends_test_copies_to_one_address_and_records_nothing() {
    let server = TestServer::start(Options::default());
    let c = three(&server);
    let run = send(&c, &["--yes", "--redirect", "me@x.example"]).success();
    assert!(
        run.stdout()
            .contains("Sent 3 test copies to me@x.example; nothing is recorded as sent."),
        "{run}"
    );
    let got = server.received();
    assert_eq!(got.len(), 3, "{run}");
    for r in &got {
        assert_eq!(r.to, ["me@x.example"], "the envelope goes to ADDR only");
    }
    assert!(journaled(&c, "sent").is_empty());
    assert!(journaled(&c, "sending").is_empty());
    // A real send afterwards still sends every letter, to the officials.
    let run = send(&c, &["--yes"]).success();
    assert!(run.stdout().contains("Sent 3 letters"), "{run}");
    let per = per_recipient(&server);
    assert_eq!(per["secretary@state.example"], 1);
    assert_eq!(per["epn@presidencia.example"], 1);
    assert_eq!(per["senator@rubio.senate.example"], 1);
    assert_eq!(per["me@x.example"], 3);
}

#[test]
fn print_and_manual_rows_are_listed_to_deliver_by_hand() {
    let server = TestServer::start(Options::default());
    let rows = [
        SOS,
        "mayor,Mayor,Ana,Ruiz,female,mayor@city.example,print,torture,torture",
        "judge,Judge,Luis,Mora,male,judge@court.example,manual,torture,torture",
    ];
    let c = campaign("", &smtp_plain(&server, ""), &rows);
    let run = send(&c, &["--yes"]).success();
    let out = run.stdout();
    assert!(
        out.contains("To deliver yourself, then `lettermerge mark ID delivered` (2 letters):"),
        "{run}"
    );
    let line = |id: &str| {
        out.lines()
            .find(|l| l.trim_start().starts_with(id))
            .unwrap_or_else(|| panic!("{id} listed\n{run}"))
            .to_string()
    };
    let ext = if cfg!(feature = "pdf") { "pdf" } else { "html" };
    assert!(
        line("default/mayor").contains(&format!("print out/default/mayor.{ext}")),
        "{run}"
    );
    assert!(line("default/judge").contains("by hand"), "{run}");
    assert!(
        line("default/judge").contains(&format!("out/default/judge.{ext}")),
        "{run}"
    );
    let per = per_recipient(&server);
    assert_eq!(per.get("secretary@state.example"), Some(&1));
    assert_eq!(per.get("mayor@city.example"), None);
    assert_eq!(per.get("judge@court.example"), None);
    assert_eq!(journaled(&c, "sent"), ["default/sos"]);
}

#[test]
fn a_rerun_sends_nothing_new_and_an_edited_row_needs_resend() {
    let server = TestServer::start(Options::default());
    let c = three(&server);
    send(&c, &["--yes"]).success();
    assert_eq!(server.received().len(), 3);

    let again = send(&c, &["--yes"]).success();
    assert!(again.stdout().contains("To send: 0 letters"), "{again}");
    assert!(
        again.stdout().contains("Already sent, skipped: 3"),
        "{again}"
    );
    assert_eq!(server.received().len(), 3, "a re-run sends nothing");

    // The Secretary's row changes after sending.
    let edited = SOS.replace("the rule of law", "the rule of law and justice");
    c.write(
        "recipients/officials.csv",
        format!("{HEADER}\n{edited}\n{EPN}\n{RUBIO}\n"),
    );
    let changed = send(&c, &["--yes"]).success();
    assert!(
        changed
            .stdout()
            .contains("Changed since it was sent, not re-sent without --resend: default/sos"),
        "{changed}"
    );
    assert_eq!(server.received().len(), 3);

    let resent = send(&c, &["--yes", "--resend", "--only", "sos"]).success();
    assert!(resent.stdout().contains("Sent 1 letter"), "{resent}");
    let got = server.received();
    assert_eq!(got.len(), 4);
    let last = parse(&got[3].data);
    assert_eq!(
        last.subject(),
        Some("Human rights in Mexico: the rule of law and justice")
    );
    assert_eq!(per_recipient(&server)["secretary@state.example"], 2);
    // Now it is sent with the new content: nothing more to do.
    let quiet = send(&c, &["--yes"]).success();
    assert!(quiet.stdout().contains("To send: 0 letters"), "{quiet}");
    assert_eq!(server.received().len(), 4);
}

#[test]
fn security_none_to_a_host_that_is_not_loopback_is_refused_before_anything() {
    // 192.0.2.1 is TEST-NET-1: a connection attempt would hang, so a quick refusal proves none was made.
    let smtp = "[smtp]\nhost = \"192.0.2.1\"\nport = 25\nsecurity = \"none\"\ntimeout = 20\n";
    let c = campaign("", smtp, &[SOS, EPN]);
    let start = Instant::now();
    let run = send(&c, &["--yes"]);
    let stderr = run.fails_with(1);
    assert!(start.elapsed() < Duration::from_secs(5), "{run}");
    assert!(stderr.contains("192.0.2.1"), "{run}");
    assert!(stderr.contains("clear text"), "{run}");
    assert!(journal(&c).is_empty(), "{:?}", journal(&c));
}

// ── Sign-off and embargo ────────────────────────────────────────────────────────────────────────────────────────

#[test]
fn a_text_change_after_approval_refuses_the_send() {
    let server = TestServer::start(Options::default());
    let c = three(&server);
    lm(&c, &["approve", "--by", "Maureen Meyer, WOLA"]).success();
    c.write(
        "recipients/issues.csv",
        ISSUES.replace("almost never", "rarely"),
    );
    let run = send(&c, &["--yes"]);
    let stderr = run.fails_with(1);
    assert!(stderr.contains("issues.csv"), "names the file\n{run}");
    assert!(stderr.contains("nothing was sent"), "{run}");
    assert_eq!(server.connections(), 0);
    assert!(server.received().is_empty());
    // Approved again, it goes.
    lm(&c, &["approve"]).success();
    send(&c, &["--yes"]).success();
    assert_eq!(server.received().len(), 3);
    let got = server.received();
    let sos = got
        .iter()
        .find(|r| r.to[0] == "secretary@state.example")
        .unwrap();
    let body = parse(&sos.data).body_text(0).unwrap().into_owned();
    assert!(body.contains("rarely lead to punishment"), "{body}");
}

#[test]
fn a_late_sign_on_refuses_the_send_until_approve_list() {
    let server = TestServer::start(Options::default());
    let c = three(&server);
    lm(&c, &["approve"]).success();
    c.write(
        "recipients/organizations.csv",
        ORGANIZATIONS.replace(
            "Latin America Working Group,pending",
            "Latin America Working Group,signed",
        ),
    );
    let run = send(&c, &["--yes"]);
    let stderr = run.fails_with(1);
    assert!(stderr.contains("added"), "{run}");
    assert!(
        stderr.contains("Latin America Working Group") || stderr.contains("lawg"),
        "names the organization\n{run}"
    );
    assert!(stderr.contains("approve --list"), "{run}");
    assert!(server.received().is_empty());

    lm(&c, &["approve", "--list"]).success();
    send(&c, &["--yes"]).success();
    assert_eq!(server.received().len(), 3);
    for r in server.received() {
        let text = parse(&r.data).body_text(0).unwrap().into_owned();
        assert!(text.contains("Latin America Working Group"), "{text}");
    }
    let s = journal(&c);
    assert!(s
        .iter()
        .filter(|r| r["state"] == "sent")
        .all(|r| r["signatories"].as_array().unwrap().len() == 3));
}

#[test]
fn an_embargo_refuses_unless_ignored() {
    let server = TestServer::start(Options::default());
    let c = campaign(
        "[variants.coalition]\nnot_before = \"2099-01-01T09:00:00-05:00\"\n",
        &smtp_plain(&server, ""),
        &[SOS, EPN],
    );
    let run = send(&c, &["--yes"]);
    let stderr = run.fails_with(1);
    assert!(
        stderr.contains("embargoed until 2099-01-01T09:00:00-05:00"),
        "{run}"
    );
    assert!(stderr.contains("--ignore-embargo"), "{run}");
    assert!(server.received().is_empty());
    assert_eq!(server.connections(), 0);

    send(&c, &["--yes", "--ignore-embargo"]).success();
    assert_eq!(server.received().len(), 2);
    let mut sent = journaled(&c, "sent");
    sent.sort();
    assert_eq!(sent, ["coalition/epn", "coalition/sos"]);
}

// ── Tracking ────────────────────────────────────────────────────────────────────────────────────────────────────

#[test]
fn status_signatory_lists_exactly_the_letters_that_carried_it_and_marks_show() {
    let server = TestServer::start(Options::default());
    let variants = "[variants.coalition]\n\
        [variants.each]\nper_signatory = true\nrecipients = { where = { id = \"sos\" } }\n";
    let c = campaign(variants, &smtp_plain(&server, ""), &[SOS, EPN, RUBIO]);
    let run = send(&c, &["--yes"]).success();
    assert!(run.stdout().contains("Sent 5 letters"), "{run}");
    assert_eq!(per_recipient(&server)["secretary@state.example"], 3);

    let ids = |v: &serde_json::Value| -> Vec<String> {
        let mut ids: Vec<String> = v["letters"]
            .as_array()
            .unwrap()
            .iter()
            .map(|l| l["id"].as_str().unwrap().to_string())
            .collect();
        ids.sort();
        ids
    };
    let wola = status_json(&c, &["--signatory", "wola"]);
    assert_eq!(
        ids(&wola),
        [
            "coalition/epn",
            "coalition/rubio",
            "coalition/sos",
            "each/sos/wola"
        ]
    );
    assert_eq!(wola["signatory"], "wola");
    let aiusa = status_json(&c, &["--signatory", "aiusa"]);
    assert_eq!(
        ids(&aiusa),
        [
            "coalition/epn",
            "coalition/rubio",
            "coalition/sos",
            "each/sos/aiusa"
        ]
    );
    // Pending, so on no letter.
    assert!(ids(&status_json(&c, &["--signatory", "lawg"])).is_empty());
    let text = lm(&c, &["status", "--signatory", "wola"])
        .success()
        .stdout();
    assert!(text.contains("Letters that carried wola"), "{text}");
    assert!(text.contains("each/sos/wola"), "{text}");
    assert!(!text.contains("each/sos/aiusa"), "{text}");

    let note = "Met the deputy chief of staff; follow-up on Ayotzinapa";
    lm(&c, &["mark", "coalition/sos", "replied", "--note", note]).success();
    lm(&c, &["mark", "coalition/sos", "meeting"]).success();
    let all = status_json(&c, &[]);
    let sos = all["letters"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["id"] == "coalition/sos")
        .unwrap();
    assert_eq!(
        sos["state"], "meeting",
        "the latest mark is where it stands"
    );
    assert_eq!(
        sos["send_state"], "sent",
        "a mark does not change the send state"
    );
    let marks = sos["marks"].as_array().unwrap();
    assert_eq!(marks.len(), 2, "{sos}");
    assert_eq!(marks[0]["state"], "replied");
    assert_eq!(marks[0]["note"], note);
    assert_eq!(marks[1]["state"], "meeting");
    for l in all["letters"].as_array().unwrap() {
        if l["id"] != "coalition/sos" {
            assert!(l["marks"].as_array().unwrap().is_empty(), "{l}");
        }
    }
    assert_eq!(all["counts"]["sent"], 4);
    assert_eq!(all["counts"]["meeting"], 1);
    let text = lm(&c, &["status"]).success().stdout();
    assert!(text.contains("replied") && text.contains(note), "{text}");
    // Marks are not sends: a re-run still sends nothing.
    let again = send(&c, &["--yes"]).success();
    assert!(again.stdout().contains("To send: 0 letters"), "{again}");
    assert_eq!(server.received().len(), 5);
    // An unknown id is a usage error.
    lm(&c, &["mark", "coalition/nobody", "replied"]).fails_with(2);
}

/// `send --dry-run` shows the first message to send even when a letter before it cannot be rendered: that letter is
/// listed as one that cannot be sent, and the view is of the letter that will go.
#[test]
fn a_dry_run_shows_the_first_message_past_a_letter_that_cannot_render() {
    let server = TestServer::start(Options::default());
    // Two variants, so that the letter that cannot render ends a batch of its own before the one to show.
    let variants = "[variants.one]\nrecipients = { where = { id = \"sos\" } }\n\
                    [variants.two]\nrecipients = { where = { id = \"epn\" } }\n";
    let c = campaign(variants, &smtp_plain(&server, ""), &[SOS, EPN]);
    // sos's letter cannot render: its issue names no row of issues.csv.
    c.edit(
        "recipients/officials.csv",
        "the rule of law,impunity;torture",
        "the rule of law,nosuchissue",
    );
    let run = send(&c, &["--dry-run"]);
    let out = run.stdout();
    assert!(out.contains("Cannot be sent: 1 letter"), "{run}");
    assert!(
        out.contains("The first message (two/epn), as it would be sent"),
        "{run}"
    );
}
