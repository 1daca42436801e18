//! Honest email (issue 11): a sent message is dated when it is handed to the server, while the rendered `.eml` keeps
//! the letter's date; a `--redirect` test copy looks like one, and no official's address is in any of its headers;
//! `--dry-run` shows the message as a person reads it, never its encoded bytes.

use std::process::Command;

use crate::harness::{interop_tool, tool_stdout};
use crate::sendkit::*;
use crate::smtp_server::{Options, TestServer};

/// The message without its `Date` line (and without `Bcc`, which a rendered file keeps and a sent one does not).
fn without_date_and_bcc(message: &[u8]) -> String {
    String::from_utf8_lossy(message)
        .split("\r\n")
        .filter(|l| !l.starts_with("Date: ") && !l.starts_with("Bcc: "))
        .collect::<Vec<_>>()
        .join("\r\n")
}

#[test]
fn a_sent_message_is_dated_when_handed_over_while_the_rendered_eml_keeps_its_date() {
    let server = TestServer::start(Options::default());
    let c = three(&server);
    let before = chrono::Utc::now().timestamp();
    send(&c, &["--yes"]).success();
    let after = chrono::Utc::now().timestamp();
    let emls = rendered_emls(&c);
    for r in server.received() {
        let id = match r.to[0].as_str() {
            "secretary@state.example" => "default/sos",
            "epn@presidencia.example" => "default/epn",
            _ => "default/rubio",
        };
        let sent = parse(&r.data);
        let at = sent.date().expect("a Date").to_timestamp();
        assert!(
            before - 60 <= at && at <= after + 60,
            "{id}: Date {} is not the moment of sending",
            sent.date().unwrap().to_rfc3339()
        );
        let rendered = parse(&emls[id]);
        assert_eq!(
            rendered.date().unwrap().to_rfc3339(),
            "2018-07-11T00:00:00Z",
            "the rendered file keeps --date at 00:00 UTC"
        );
        assert_eq!(
            without_date_and_bcc(&r.data),
            without_date_and_bcc(&emls[id]),
            "{id}: the sent bytes differ from the rendered file in Date only"
        );
    }
    // The journal's hash ignores Date: a re-run the next minute finds every letter already sent.
    let again = send(&c, &["--yes"]).success();
    assert!(
        again.stdout().contains("Already sent, skipped: 3"),
        "{again}"
    );
}

#[test]
fn a_redirect_copy_says_test_and_names_the_real_recipients_only_in_its_text() {
    let server = TestServer::start(Options::default());
    let c = campaign("", &smtp_plain(&server, ""), &[SOS, EPN]);
    c.edit(
        "templates/letter.hbs",
        "bcc: 'archive@coalition.example'",
        "bcc: 'archive@coalition.example'\ncc: 'deputy@state.example'\nreply_to: 'secretary.office@state.example'",
    );
    let run = send(&c, &["--yes", "--redirect", "me@coalition.example"]).success();
    assert!(
        run.stdout()
            .contains("Sent 2 test copies to me@coalition.example; nothing is recorded as sent."),
        "{run}"
    );
    let got = server.received();
    assert_eq!(got.len(), 2);
    let officials = [
        "secretary@state.example",
        "epn@presidencia.example",
        "deputy@state.example",
        "secretary.office@state.example",
        ARCHIVE,
    ];
    let real = rendered_emls(&c);
    for r in &got {
        assert_eq!(
            r.to,
            ["me@coalition.example"],
            "the envelope goes to ADDR only"
        );
        let m = parse(&r.data);
        assert!(
            m.subject()
                .unwrap()
                .starts_with("[TEST] Human rights in Mexico: "),
            "{:?}",
            m.subject()
        );
        for (name, value) in m.headers_raw() {
            for o in officials {
                assert!(
                    !value.contains(o),
                    "{o} in the {name} header of a test copy"
                );
            }
        }
        let text = m.body_text(0).unwrap();
        let first: Vec<&str> = text.lines().take(4).collect();
        assert!(first[0].starts_with("To: The Honorable "), "{first:?}");
        assert_eq!(first[1], "Cc: deputy@state.example", "{first:?}");
        assert_eq!(first[2], format!("Bcc: {ARCHIVE}"), "{first:?}");
        assert_eq!(
            first[3], "Reply-To: secretary.office@state.example",
            "{first:?}"
        );
        assert!(text.contains("Sincerely"), "the letter follows");
        // Never the real message's Message-ID: a mail server or client could take one for the other.
        for eml in real.values() {
            assert_ne!(parse(eml).message_id(), m.message_id());
        }
    }

    if !interop_tool("python3") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let mut paths = Vec::new();
    for (i, r) in got.iter().enumerate() {
        let p = dir.path().join(format!("copy{i}.eml"));
        std::fs::write(&p, &r.data).unwrap();
        paths.push(p);
    }
    let script = "import email, email.policy, sys\n\
        officials = sys.argv[1].split(',')\n\
        for path in sys.argv[2:]:\n\
        \x20   m = email.message_from_bytes(open(path, 'rb').read(), policy=email.policy.default)\n\
        \x20   assert not m.defects, (path, m.defects)\n\
        \x20   for name, value in m.items():\n\
        \x20       for o in officials:\n\
        \x20           assert o not in str(value).lower(), (name, value)\n\
        \x20   body = m.get_body(('plain',)).get_content()\n\
        \x20   print(m['Subject'], '|', m['To'], '|', body.splitlines()[0])\n";
    let out = tool_stdout(
        Command::new("python3")
            .arg("-c")
            .arg(script)
            .arg(officials.join(","))
            .args(&paths),
    );
    let mut lines: Vec<&str> = out.lines().collect();
    lines.sort();
    assert_eq!(
        lines,
        [
            "[TEST] Human rights in Mexico: impunity | me@coalition.example | To: The Honorable Enrique Peña Nieto <epn@presidencia.example>",
            "[TEST] Human rights in Mexico: the rule of law | me@coalition.example | To: The Honorable Mike Pompeo <secretary@state.example>",
        ]
    );
}

#[test]
fn dry_run_shows_headers_text_and_attachments_never_encoded_bytes() {
    let server = TestServer::start(Options::default());
    let c = three(&server);
    c.edit(
        "templates/letter.hbs",
        "subject:",
        "attachments:\n  - attachments/briefing.pdf\nsubject:",
    );
    // 200 KB that base64 would turn into thousands of lines.
    let blob: Vec<u8> = (0..200_000u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
        .collect();
    c.write("attachments/briefing.pdf", &blob);
    let run = send(&c, &["--dry-run"]).success();
    let out = run.stdout();
    assert!(
        out.contains("The first message (default/sos), as it would be sent:"),
        "{run}"
    );
    assert!(
        out.contains("Subject: Human rights in Mexico: the rule of law"),
        "{run}"
    );
    assert!(
        out.contains("\nTo: The Honorable Mike Pompeo <secretary@state.example>\n"),
        "{run}"
    );
    assert!(
        out.contains("\nBcc: archive@coalition.example  (in the envelope only)\n"),
        "{run}"
    );
    assert!(
        out.contains("\nFrom: Marselha Gonçalves Margerin <marselha@coalition.example>\n"),
        "{run}"
    );
    assert!(
        out.contains("Envelope: from marselha@coalition.example to secretary@state.example, archive@coalition.example"),
        "{run}"
    );
    assert!(
        out.contains("Dear Secretary Pompeo,"),
        "the text part, readable\n{run}"
    );
    assert!(
        out.contains("  briefing.pdf  (application/pdf, 200000 bytes)"),
        "{run}"
    );
    let longest = out.lines().map(str::len).max().unwrap();
    assert!(longest <= 200, "a line of {longest} characters\n{run}");
    let base64ish = out
        .lines()
        .filter(|l| {
            l.len() >= 60
                && l.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"+/=".contains(&b))
        })
        .count();
    assert_eq!(base64ish, 0, "encoded bytes in the output\n{run}");
    assert!(out.len() < 10_000, "{} bytes of output", out.len());
    assert!(server.received().is_empty());
    assert!(journal(&c).is_empty());

    // A dry run of test copies shows the copy.
    let run = send(&c, &["--dry-run", "--redirect", "me@coalition.example"]).success();
    assert!(
        run.stdout()
            .contains("Subject: [TEST] Human rights in Mexico"),
        "{run}"
    );
    assert!(run.stdout().contains("\nTo: me@coalition.example"), "{run}");
}
