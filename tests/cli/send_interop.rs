//! `lettermerge send` through real third-party software: a private Postfix on a loopback port relaying to the
//! in-process test server, and Python's `email` parser (`policy.default`) reading every message received. Skipped
//! (with a line saying so) when a tool is missing, unless LETTERMERGE_INTEROP=require.
//!
//! The Postfix set-up lives in tests/support/postfix.rs, shared with tests/smtp_interop.rs.

use std::process::Command;
use std::time::{Duration, Instant};

use crate::sendkit::*;
use crate::smtp_server::postfix::{is_root, run, Postfix};
use crate::smtp_server::{Options, TestServer};

const OFFICIALS: [&str; 3] = [
    SOS,
    EPN,
    "mg,Senator,Ana,Gonçalves Peña,female,ana.goncalves@senado.example,email,migrantes y justicia,torture",
];

/// The letters sent through `postfix` arrive at `sink`, one each (plus the Bcc archive copies); returns them by
/// first envelope recipient.
fn send_through_postfix() -> Option<(
    crate::harness::Campaign,
    TestServer,
    Vec<crate::smtp_server::Received>,
)> {
    if !crate::harness::interop_tool("postfix") {
        return None;
    }
    if !is_root() {
        assert_ne!(
            std::env::var("LETTERMERGE_INTEROP").as_deref(),
            Ok("require"),
            "the private Postfix needs root"
        );
        println!("skipped: the private Postfix needs root");
        return None;
    }
    let sink = TestServer::start(Options::default());
    let postfix = Postfix::start(sink.port);
    let smtp = format!(
        "[smtp]\nhost = \"127.0.0.1\"\nport = {}\nsecurity = \"none\"\ntimeout = 10\n",
        postfix.port
    );
    let c = campaign("", &smtp, &OFFICIALS);
    let run = send(&c, &["--yes"]).success();
    assert!(run.stdout().contains("Sent 3 letters."), "{run}");
    // Postfix queues, then relays: wait for every envelope recipient (3 officials, 3 archive copies).
    let deadline = Instant::now() + Duration::from_secs(8);
    let count = |s: &TestServer| s.received().iter().map(|r| r.to.len()).sum::<usize>();
    while count(&sink) < 6 && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(50));
    }
    drop(postfix);
    let got = sink.received();
    Some((c, sink, got))
}

#[test]
fn send_through_a_real_postfix_relay_arrives_intact_and_python_reads_it() {
    let Some((c, sink, got)) = send_through_postfix() else {
        return;
    };
    let per = per_recipient(&sink);
    assert_eq!(per.get(ARCHIVE), Some(&3), "{per:?}");
    for to in [
        "secretary@state.example",
        "epn@presidencia.example",
        "ana.goncalves@senado.example",
    ] {
        assert_eq!(per.get(to), Some(&1), "{to}: {per:?}");
    }
    let emls = rendered_emls(&c);
    // Postfix may carry one message to several recipients in one transaction, or one each: compare by Message-ID.
    let mut seen = std::collections::BTreeSet::new();
    for r in &got {
        let m = parse(&r.data);
        let id = m.message_id().expect("a Message-ID").to_string();
        seen.insert(id.clone());
        let (_, want) = emls
            .iter()
            .find(|(_, e)| parse(e).message_id() == Some(id.as_str()))
            .unwrap_or_else(|| panic!("{id} is none of the rendered letters"));
        assert!(
            r.data.starts_with(b"Received: from "),
            "{}",
            String::from_utf8_lossy(&r.data)
        );
        assert_same_message(&r.data, want, &["Received"]);
    }
    assert_eq!(seen.len(), 3, "three distinct letters arrived");

    if !crate::harness::interop_tool("python3") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let mut paths = Vec::new();
    for (i, r) in got.iter().enumerate() {
        let p = dir.path().join(format!("m{i}.eml"));
        std::fs::write(&p, &r.data).unwrap();
        paths.push(p);
    }
    let script = "import email, email.policy, sys\n\
        for path in sys.argv[1:]:\n\
        \x20   m = email.message_from_bytes(open(path, 'rb').read(), policy=email.policy.default)\n\
        \x20   assert not m.defects, (path, m.defects)\n\
        \x20   assert m['Bcc'] is None\n\
        \x20   body = m.get_body(('plain',)).get_content()\n\
        \x20   html = m.get_body(('html',)).get_content()\n\
        \x20   assert 'Sincerely' in body and '<' in html\n\
        \x20   print(m['From'], '|', m['To'], '|', m['Subject'])\n";
    let out = run(Command::new("python3").arg("-c").arg(script).args(&paths));
    let lines: std::collections::BTreeSet<&str> = out.lines().collect();
    let from = "Marselha Gonçalves Margerin <marselha@coalition.example>";
    let want: std::collections::BTreeSet<String> = [
        (
            "The Honorable Mike Pompeo <secretary@state.example>",
            "the rule of law",
        ),
        (
            "The Honorable Enrique Peña Nieto <epn@presidencia.example>",
            "impunity",
        ),
        (
            "The Honorable Ana Gonçalves Peña <ana.goncalves@senado.example>",
            "migrantes y justicia",
        ),
    ]
    .iter()
    .map(|(to, topic)| format!("{from} | {to} | Human rights in Mexico: {topic}"))
    .collect();
    let got_lines: std::collections::BTreeSet<String> =
        lines.iter().map(|s| s.to_string()).collect();
    assert_eq!(got_lines, want, "{out}");
}
