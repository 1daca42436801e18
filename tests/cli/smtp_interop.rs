//! Interop with real third-party software: a private Postfix relaying to the test server, and
//! Python's `email` parser. Skipped (with a line saying so) when the tool is missing, unless
//! LETTERMERGE_INTEROP=require.

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use crate::smtp_server::postfix::{is_root, run, Postfix};
use crate::smtp_server::{Options, TestServer};
use lettermerge::deliver::smtp::{Envelope, Mailer, Security, SmtpConfig};

fn letter(n: usize) -> Vec<u8> {
    format!(
        "From: =?utf-8?q?Coalition_f=C3=BCr_Fl=C3=BCsse?= <coalition@example.org>\r\n\
         To: Secretary of State <sos{n}@state.example>\r\n\
         Subject: =?utf-8?q?Stra=C3=9Fe_und_Br=C3=BCcke_{n}?=\r\n\
         Message-ID: <interop-{n}@lettermerge.test>\r\n\
         Date: Tue, 3 Nov 2026 10:00:00 +0000\r\n\
         MIME-Version: 1.0\r\n\
         Content-Type: text/plain; charset=utf-8\r\n\
         Content-Transfer-Encoding: 8bit\r\n\
         \r\n\
         Sehr geehrte Frau Ministerin,\r\n\
         .a line with a leading dot\r\n\
         letter {n} ends here.\r\n"
    )
    .into_bytes()
}

#[test]
fn through_a_real_postfix_relay() {
    if !crate::harness::interop_tool("postfix") {
        return;
    }
    if !is_root() {
        assert_ne!(
            std::env::var("LETTERMERGE_INTEROP").as_deref(),
            Ok("require"),
            "the private Postfix needs root"
        );
        println!("skipped: the private Postfix needs root");
        return;
    }
    let sink = TestServer::start(Options::default());
    let postfix = Postfix::start(sink.port);
    let mut cfg = SmtpConfig::new("127.0.0.1", Security::None);
    cfg.port = Some(postfix.port);
    cfg.timeout = Some(5.0);
    let mailer = Mailer::connect(&cfg, None, Path::new(".")).unwrap();
    let sent: Vec<Vec<u8>> = (0..5).map(letter).collect();
    for (n, msg) in sent.iter().enumerate() {
        let env = Envelope {
            from: "coalition@example.org".into(),
            to: vec![format!("sos{n}@state.example")],
        };
        let outcome = mailer.send(&env, msg).unwrap();
        assert!(
            outcome.reply.starts_with("250 2.0.0 Ok: queued as"),
            "{outcome:?}"
        );
    }
    let deadline = Instant::now() + Duration::from_secs(8);
    while sink.received().len() < sent.len() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(50));
    }
    let mut got = sink.received();
    assert_eq!(
        got.len(),
        sent.len(),
        "Postfix relayed {} of {}",
        got.len(),
        sent.len()
    );
    got.sort_by_key(|r| r.to[0].clone());
    for (n, r) in got.iter().enumerate() {
        assert_eq!(r.to, [format!("sos{n}@state.example")]);
        // Postfix prepends its Received: trace header and must leave the rest untouched.
        let start = r
            .data
            .windows(7)
            .position(|w| w == b"\r\nFrom:")
            .map(|i| i + 2)
            .expect("our From header");
        assert!(
            r.data.starts_with(b"Received: from "),
            "{}",
            String::from_utf8_lossy(&r.data)
        );
        assert_eq!(
            &r.data[start..],
            sent[n].as_slice(),
            "message {n} changed in transit"
        );
    }
}

#[test]
fn python_email_parser_reads_what_was_received() {
    if !crate::harness::interop_tool("python3") {
        return;
    }
    let server = TestServer::start(Options::default());
    let mut cfg = server.config(Security::None);
    cfg.host = "127.0.0.1".into();
    let mailer = Mailer::connect(&cfg, None, Path::new(".")).unwrap();
    let env = Envelope {
        from: "coalition@example.org".into(),
        to: vec!["sos3@state.example".into()],
    };
    mailer.send(&env, &letter(3)).unwrap();
    let received = &server.received()[0].data;
    let dir = tempfile::tempdir().unwrap();
    let eml = dir.path().join("m.eml");
    std::fs::write(&eml, received).unwrap();
    let script = "import email, email.policy, sys\n\
        m = email.message_from_bytes(open(sys.argv[1], 'rb').read(), policy=email.policy.default)\n\
        print(m['From']); print(m['Subject']); print(m['Message-ID']); print(len(m.defects))\n\
        print(m.get_content().splitlines()[1])";
    let out = run(Command::new("python3").arg("-c").arg(script).arg(&eml));
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(
        lines,
        [
            "Coalition für Flüsse <coalition@example.org>",
            "Straße und Brücke 3",
            "<interop-3@lettermerge.test>",
            "0",
            ".a line with a leading dot",
        ]
    );
}
