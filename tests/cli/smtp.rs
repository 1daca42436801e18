//! The SMTP transport against real servers on 127.0.0.1 (tests/support), never a mock.

use std::collections::BTreeSet;
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::smtp_server::{Encryption, Options, Stall, TestServer, PASSWORD, USER};
use lettermerge::deliver::smtp::{
    send_with_retry, Envelope, Mailer, Outcome, Secret, Security, SendError, SmtpConfig,
};
use mail_parser::MessageParser;

const FROM: &str = "coalition@example.org";

/// A letter with what tends to break transports: 8-bit text, lines starting with dots (one
/// of them a lone dot), a Bcc-free header block, CRLF line ends.
pub(crate) fn letter(n: usize, to: &str) -> Vec<u8> {
    format!(
        "From: Climate Coalition <{FROM}>\r\n\
         To: <{to}>\r\n\
         Subject: Letter {n} to the Secretary of State\r\n\
         Message-ID: <letter-{n}@lettermerge.test>\r\n\
         Date: Tue, 3 Nov 2026 10:00:00 +0000\r\n\
         MIME-Version: 1.0\r\n\
         Content-Type: text/plain; charset=utf-8\r\n\
         Content-Transfer-Encoding: 8bit\r\n\
         \r\n\
         Dear Secretary Müller,\r\n\
         \r\n\
         .this line starts with a dot\r\n\
         ..and this one with two\r\n\
         .\r\n\
         We ask for a meeting about letter {n}. Grüße, Ωμέγα, 日本.\r\n"
    )
    .into_bytes()
}

pub(crate) fn envelope(to: &[&str]) -> Envelope {
    Envelope {
        from: FROM.into(),
        to: to.iter().map(|s| s.to_string()).collect(),
    }
}

pub(crate) fn connect(cfg: &SmtpConfig, password: Option<&str>) -> Result<Mailer, SendError> {
    Mailer::connect(cfg, password.map(Secret::new), Path::new("."))
}

fn with_auth(mut cfg: SmtpConfig) -> SmtpConfig {
    cfg.username = Some(USER.into());
    cfg
}

#[test]
fn plain_starttls_and_tls_deliver_the_exact_bytes() {
    for (tls, security) in [
        (Encryption::None, Security::None),
        (Encryption::StartTls, Security::StartTls),
        (Encryption::Implicit, Security::Tls),
    ] {
        let server = TestServer::start(Options {
            tls,
            ..Options::default()
        });
        let mailer = connect(&server.config(security), None).unwrap();
        let sent: Vec<Vec<u8>> = (0..3).map(|n| letter(n, "sos@state.example")).collect();
        for msg in &sent {
            let outcome = mailer.send(&envelope(&["sos@state.example"]), msg).unwrap();
            assert!(
                outcome.reply.starts_with("250 2.0.0 Ok: queued as TEST"),
                "{outcome:?}"
            );
        }
        let got = server.received();
        assert_eq!(got.len(), 3, "{security:?}");
        for (n, (r, msg)) in got.iter().zip(&sent).enumerate() {
            assert_eq!(r.data, *msg, "{security:?}: message {n} changed in transit");
            assert_eq!(r.from, FROM);
            assert_eq!(r.to, ["sos@state.example"]);
            assert_eq!(r.tls, security != Security::None);
            let parsed = MessageParser::default().parse(&r.data).unwrap();
            assert_eq!(
                parsed.subject(),
                Some(format!("Letter {n} to the Secretary of State").as_str())
            );
            let body = parsed.body_text(0).unwrap();
            assert!(body.contains("Dear Secretary Müller"), "{body}");
            assert!(body.contains("\n.this line starts with a dot"), "{body}");
            assert!(body.contains("\n..and this one with two"), "{body}");
        }
        // One session carried all three messages.
        assert_eq!(server.connections(), 1, "{security:?}");
    }
}

#[test]
fn auth_plain_and_login() {
    for mechanism in ["PLAIN", "LOGIN"] {
        let server = TestServer::start(Options {
            tls: Encryption::StartTls,
            auth: vec![mechanism],
            ..Options::default()
        });
        let cfg = with_auth(server.config(Security::StartTls));
        let mailer = connect(&cfg, Some(PASSWORD)).unwrap();
        send_one(&mailer, 1, "sos@state.example").unwrap();
        let got = server.received();
        assert_eq!(got.len(), 1);
        assert_eq!(got[0].user.as_deref(), Some(USER), "{mechanism}");
        assert!(server.verbs().contains(&"AUTH".to_string()));
    }
}

#[test]
fn wrong_password_is_an_auth_error_that_never_shows_it() {
    let wrong = "Wr0ng-but-s3cret!";
    let server = TestServer::start(Options {
        tls: Encryption::Implicit,
        auth: vec!["PLAIN", "LOGIN"],
        ..Options::default()
    });
    let cfg = with_auth(server.config(Security::Tls));
    let err = connect(&cfg, Some(wrong))
        .err()
        .expect("the login must fail");
    let SendError::Auth(text) = &err else {
        panic!("expected Auth, got {err:?}")
    };
    assert!(text.contains("535"), "{text}");
    for shown in [err.to_string(), format!("{err:?}"), text.clone()] {
        assert!(!shown.contains(wrong), "password leaked: {shown}");
    }
    assert!(server.received().is_empty());
    assert!(!server.verbs().contains(&"MAIL".to_string()));
    // A username without a password never reaches the network.
    assert!(matches!(connect(&cfg, None), Err(SendError::Auth(_))));
}

#[test]
fn starttls_not_offered_means_nothing_is_sent() {
    let server = TestServer::start(Options {
        tls: Encryption::None,
        auth: vec!["PLAIN"],
        ..Options::default()
    });
    let cfg = with_auth(server.config(Security::StartTls));
    let err = connect(&cfg, Some(PASSWORD)).err().expect("must refuse");
    assert!(
        matches!(&err, SendError::Connection(t) if t.contains("does not offer STARTTLS")),
        "{err:?}"
    );
    let verbs = server.verbs();
    assert!(
        !verbs.iter().any(|v| v == "AUTH" || v == "MAIL"),
        "{verbs:?}"
    );
    assert!(server.received().is_empty());
}

#[test]
fn security_none_only_to_loopback() {
    let cfg = SmtpConfig::new("smtp.example.org", Security::None);
    let err = connect(&cfg, None).err().expect("must refuse");
    assert!(
        matches!(&err, SendError::Config(t) if t.contains("clear text")),
        "{err:?}"
    );
}

#[test]
fn certificates_are_always_verified() {
    let server = TestServer::start(Options {
        tls: Encryption::Implicit,
        ..Options::default()
    });
    let mut cfg = server.config(Security::Tls);
    cfg.ca_file = None;
    let err = connect(&cfg, None)
        .err()
        .expect("an unknown CA must be refused");
    assert!(
        matches!(&err, SendError::Connection(t) if t.contains("certificate")),
        "{err:?}"
    );
    // STARTTLS too.
    let server = TestServer::start(Options {
        tls: Encryption::StartTls,
        ..Options::default()
    });
    let mut cfg = server.config(Security::StartTls);
    cfg.ca_file = None;
    let err = connect(&cfg, None)
        .err()
        .expect("an unknown CA must be refused");
    assert!(
        matches!(&err, SendError::Connection(t) if t.contains("STARTTLS") && t.contains("certificate")),
        "{err:?}"
    );
    assert!(server.received().is_empty());
}

/// Letter `n` to `to` alone, through `mailer`.
pub(crate) fn send_one(mailer: &Mailer, n: usize, to: &str) -> Result<Outcome, SendError> {
    mailer.send(&envelope(&[to]), &letter(n, to))
}

/// Letters 0 to `letters` - 1, each to its own office, sent from `threads` threads at once; every one must go.
pub(crate) fn send_from_threads(mailer: &Mailer, threads: usize, letters: usize) {
    std::thread::scope(|scope| {
        for t in 0..threads {
            scope.spawn(move || {
                for n in (t..letters).step_by(threads) {
                    let to = format!("official{n}@state.example");
                    let sent = mailer.send(&envelope(&[to.as_str()]), &letter(n, &to));
                    assert!(sent.is_ok(), "letter {n}: {sent:?}");
                }
            });
        }
    });
}

/// A server that refuses nobody@state.example, and a mailer of one session.
pub(crate) fn one_session_refusing_nobody(options: Options) -> (TestServer, Mailer) {
    let server = TestServer::start(Options {
        reject_rcpt: Some("nobody@state.example".into()),
        ..options
    });
    let mut cfg = server.config(Security::None);
    cfg.connections = Some(1);
    let mailer = connect(&cfg, None).unwrap();
    (server, mailer)
}

#[test]
fn one_refused_recipient_fails_the_letter_and_the_session_goes_on() {
    let (server, mailer) = one_session_refusing_nobody(Options::default());
    let err = mailer
        .send(
            &envelope(&["sos@state.example", "nobody@state.example"]),
            &letter(1, "sos@state.example"),
        )
        .unwrap_err();
    match &err {
        SendError::Permanent { reply } => {
            assert!(
                reply.starts_with("550 5.1.1 <nobody@state.example>"),
                "{reply}"
            );
            // Not every server names the address it refuses: the reply of a letter to several says which.
            assert!(reply.ends_with("(for nobody@state.example)"), "{reply}");
        }
        other => panic!("expected Permanent, got {other:?}"),
    }
    assert!(!err.is_retryable());
    let ok = send_one(&mailer, 2, "sos@state.example");
    assert!(ok.is_ok(), "{ok:?}");
    let got = server.received();
    assert_eq!(got.len(), 1);
    assert!(got[0].data.windows(8).any(|w| w == b"letter 2"));
    assert_eq!(
        server.connections(),
        1,
        "the session should survive the refusal"
    );
    assert!(server.verbs().contains(&"RSET".to_string()));
}

#[test]
fn greylisted_then_accepted_with_retry() {
    let server = TestServer::start(Options {
        tempfail_first: 1,
        ..Options::default()
    });
    let mailer = connect(&server.config(Security::None), None).unwrap();
    let env = envelope(&["sos@state.example"]);
    let msg = letter(1, "sos@state.example");
    let err = mailer.send(&env, &msg).unwrap_err();
    assert!(
        matches!(&err, SendError::Transient { reply } if reply.starts_with("451 4.7.1")),
        "{err:?}"
    );
    assert!(server.received().is_empty());

    let server = TestServer::start(Options {
        tempfail_first: 2,
        ..Options::default()
    });
    let mailer = connect(&server.config(Security::None), None).unwrap();
    let outcome = send_with_retry(
        &mailer,
        &env,
        &Arc::new(msg.clone()),
        3,
        Duration::from_millis(5),
    )
    .unwrap();
    assert_eq!(outcome.attempts, 3);
    assert_eq!(server.received().len(), 1);
}

#[test]
fn permanent_errors_are_not_retried() {
    let server = TestServer::start(Options {
        reject_rcpt: Some("nobody@state.example".into()),
        ..Options::default()
    });
    let mailer = connect(&server.config(Security::None), None).unwrap();
    let env = envelope(&["nobody@state.example"]);
    let err = send_with_retry(
        &mailer,
        &env,
        &Arc::new(letter(1, "x@y")),
        3,
        Duration::from_millis(5),
    );
    assert!(matches!(err, Err(SendError::Permanent { .. })));
    let rcpts = server.verbs().iter().filter(|v| *v == "RCPT").count();
    assert_eq!(rcpts, 1);
}

/// The client wrote the whole message, so the final `.` may have reached the server before the connection went: the
/// message is uncertain, and never sent twice.
#[test]
fn a_connection_dropped_after_the_whole_message_is_written_is_uncertain_and_not_retried() {
    let server = TestServer::start(Options {
        drop_mid_data: 1,
        ..Options::default()
    });
    let mailer = connect(&server.config(Security::None), None).unwrap();
    let env = envelope(&["sos@state.example"]);
    let msg = letter(7, "sos@state.example");
    let err = send_with_retry(
        &mailer,
        &env,
        &Arc::new(msg.clone()),
        3,
        Duration::from_millis(5),
    )
    .unwrap_err();
    assert!(matches!(err, SendError::Uncertain(_)), "{err:?}");
    assert!(!err.is_retryable());
    assert_eq!(server.connections(), 1, "one attempt only");
    assert_eq!(server.verbs().iter().filter(|v| *v == "DATA").count(), 1);
}

/// A server that keeps the message and then closes the connection without its reply: one copy, reported uncertain.
#[test]
fn a_message_kept_by_a_server_that_then_drops_the_connection_is_uncertain_and_sent_once() {
    let server = TestServer::start(Options {
        drop_after_data: 1,
        ..Options::default()
    });
    let mailer = connect(&server.config(Security::None), None).unwrap();
    let env = envelope(&["sos@state.example"]);
    let msg = letter(8, "sos@state.example");
    let err = send_with_retry(
        &mailer,
        &env,
        &Arc::new(msg.clone()),
        3,
        Duration::from_millis(5),
    )
    .unwrap_err();
    assert!(
        matches!(&err, SendError::Uncertain(t) if t.contains("may have been delivered")),
        "{err:?}"
    );
    let got = server.received();
    assert_eq!(got.len(), 1, "exactly one copy");
    assert_eq!(got[0].data, msg);
}

/// A connection cut while the client is still writing a large message proves the message incomplete (a server
/// discards a message whose final `.` never came), so it is retried, and arrives once.
#[test]
fn a_connection_cut_while_a_large_message_is_written_is_retried_and_arrives_once() {
    let server = TestServer::start(Options {
        drop_mid_data: 1,
        ..Options::default()
    });
    let mailer = connect(&server.config(Security::None), None).unwrap();
    let env = envelope(&["sos@state.example"]);
    // Far beyond what the kernel buffers on both sides of a loopback connection hold, so the cut is seen while
    // writing.
    let mut msg = letter(9, "sos@state.example");
    let line = format!("{}\r\n", "x".repeat(998));
    while msg.len() < 16 << 20 {
        msg.extend_from_slice(line.as_bytes());
    }
    let outcome = send_with_retry(
        &mailer,
        &env,
        &Arc::new(msg.clone()),
        3,
        Duration::from_millis(5),
    )
    .unwrap();
    assert_eq!(outcome.attempts, 2);
    let got = server.received();
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].data.len(), msg.len());
    assert_eq!(server.connections(), 2);
}

#[test]
fn a_silent_server_times_out() {
    let server = TestServer::start(Options {
        stall: Some(Stall::Greeting),
        ..Options::default()
    });
    let mut cfg = server.config(Security::None);
    cfg.timeout = Some(0.5);
    let start = Instant::now();
    let err = connect(&cfg, None).err().expect("must time out");
    assert!(
        start.elapsed() < Duration::from_secs(2),
        "{:?}",
        start.elapsed()
    );
    assert!(
        matches!(&err, SendError::Connection(t) if t.contains("no answer within 0.5 s")),
        "{err:?}"
    );

    let server = TestServer::start(Options {
        stall: Some(Stall::AfterData),
        ..Options::default()
    });
    let mut cfg = server.config(Security::None);
    cfg.timeout = Some(0.5);
    let mailer = connect(&cfg, None).unwrap();
    let start = Instant::now();
    let err = send_one(&mailer, 1, "sos@state.example").unwrap_err();
    assert!(
        start.elapsed() < Duration::from_secs(2),
        "{:?}",
        start.elapsed()
    );
    assert!(
        matches!(&err, SendError::Uncertain(t) if t.contains("may have been delivered")),
        "{err:?}"
    );
    assert_eq!(server.received().len(), 1, "the server kept it");
}

#[test]
fn two_hundred_messages_over_four_connections_arrive_once_each() {
    let server = TestServer::start(Options::default());
    let mut cfg = server.config(Security::None);
    cfg.connections = Some(4);
    let mailer = connect(&cfg, None).unwrap();
    send_from_threads(&mailer, 8, 200);
    let got = server.received();
    assert_eq!(got.len(), 200);
    let ids: BTreeSet<String> = got
        .iter()
        .map(|r| {
            let parsed = MessageParser::default().parse(&r.data).unwrap();
            let n: usize = parsed.message_id().unwrap()["letter-".len()..]
                .split('@')
                .next()
                .unwrap()
                .parse()
                .unwrap();
            assert_eq!(r.to, [format!("official{n}@state.example")]);
            assert_eq!(r.data, letter(n, &r.to[0]));
            parsed.message_id().unwrap().to_string()
        })
        .collect();
    assert_eq!(ids.len(), 200);
    assert!(
        server.connections() <= 4,
        "{} connections",
        server.connections()
    );
}

#[test]
fn rate_paces_all_connections_together() {
    let server = TestServer::start(Options::default());
    let mut cfg = server.config(Security::None);
    cfg.rate = Some(40.0);
    let mailer = connect(&cfg, None).unwrap();
    let start = Instant::now();
    std::thread::scope(|scope| {
        for t in 0..4 {
            let mailer = &mailer;
            scope.spawn(move || {
                for n in 0..5 {
                    mailer
                        .send(
                            &envelope(&["sos@state.example"]),
                            &letter(t * 10 + n, "x@y.z"),
                        )
                        .unwrap();
                }
            });
        }
    });
    // 20 messages at 40/s: the 20th may start 19/40 s after the first.
    let elapsed = start.elapsed();
    assert!(elapsed >= Duration::from_millis(450), "{elapsed:?}");
    assert!(elapsed < Duration::from_secs(3), "{elapsed:?}");
    assert_eq!(server.received().len(), 20);
}

#[test]
fn eight_bit_message_to_a_seven_bit_server_is_refused_locally() {
    let server = TestServer::start(Options {
        seven_bit: true,
        ..Options::default()
    });
    let mailer = connect(&server.config(Security::None), None).unwrap();
    let err = mailer
        .send(&envelope(&["sos@state.example"]), &letter(1, "x@y.z"))
        .unwrap_err();
    assert!(
        matches!(&err, SendError::Permanent { reply } if reply.contains("8BITMIME")),
        "{err:?}"
    );
    let ascii = b"Subject: plain\r\n\r\nonly ascii\r\n";
    mailer
        .send(&envelope(&["sos@state.example"]), ascii)
        .unwrap();
    assert_eq!(server.received()[0].data, ascii);
}

#[test]
fn header_injection_in_an_envelope_address_is_refused() {
    let server = TestServer::start(Options::default());
    let mailer = connect(&server.config(Security::None), None).unwrap();
    let err = mailer
        .send(
            &envelope(&["sos@state.example>\r\nRCPT TO:<evil@example.org"]),
            &letter(1, "x@y.z"),
        )
        .unwrap_err();
    assert!(matches!(err, SendError::Permanent { .. }));
    assert!(!server.verbs().contains(&"MAIL".to_string()));
}
