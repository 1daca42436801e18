//! SMTP servers that bend or break the rules, against the transport: PIPELINING offered or not, a refusal in a group
//! of commands, a server out of step with its client, one that answers the message with something other than an
//! acceptance, one that refuses a second EHLO, one that takes only so many sessions at once. Every letter is
//! delivered once or not at all, and what the journal would record says which.

use std::sync::Arc;
use std::time::Duration;

use crate::smtp::{
    connect, envelope, letter, one_session_refusing_nobody, send_from_threads, send_one,
};
use crate::smtp_server::{Encryption, Options, TestServer};
use lettermerge::deliver::smtp::{send_with_retry, Security, SendError};

/// A server that offers PIPELINING gets MAIL, RCPT and DATA in one write; one that does not (and ends the session
/// when a client runs ahead, as Postfix does) gets one command at a time. Both deliver the same bytes.
#[test]
fn commands_go_in_groups_only_to_a_server_that_offers_pipelining() {
    for no_pipelining in [false, true] {
        for tls in [Encryption::None, Encryption::StartTls] {
            let server = TestServer::start(Options {
                no_pipelining,
                tls,
                ..Options::default()
            });
            let security = match tls {
                Encryption::None => Security::None,
                _ => Security::StartTls,
            };
            let mailer = connect(&server.config(security), None).unwrap();
            let one = send_one(&mailer, 1, "sos@state.example");
            assert!(one.is_ok(), "{one:?}");
            let two = mailer.send(
                &envelope(&["sos@state.example", "deputy@state.example"]),
                &letter(2, "sos@state.example"),
            );
            assert!(two.is_ok(), "{two:?}");
            let got = server.received();
            assert_eq!(got.len(), 2, "no_pipelining {no_pipelining}, {tls:?}");
            assert_eq!(got[0].data, letter(1, "sos@state.example"));
            assert_eq!(got[1].to, ["sos@state.example", "deputy@state.example"]);
            assert_eq!(server.connections(), 1);
            if no_pipelining {
                assert_eq!(server.grouped(), 0);
            } else {
                // MAIL and RCPT of each letter (and DATA of the first) came with the next command.
                assert!(server.grouped() >= 4, "{}", server.grouped());
            }
        }
    }
}

/// The one recipient refused in a group: DATA, sent with it, is refused too, and the session goes on after RSET. A
/// server that takes DATA all the same (against RFC 2920) has the session ended before a byte of the message, so it
/// cannot deliver it; either way the refusal is what the letter records.
#[test]
fn a_refused_recipient_in_a_group_sends_nothing() {
    for data_without_recipients in [false, true] {
        let (server, mailer) = one_session_refusing_nobody(Options {
            data_without_recipients,
            ..Options::default()
        });
        let err = send_one(&mailer, 1, "nobody@state.example").unwrap_err();
        assert!(
            matches!(&err, SendError::Permanent { reply } if reply.starts_with("550 5.1.1 <nobody@state.example>")),
            "{err:?}"
        );
        let ok = send_one(&mailer, 2, "sos@state.example");
        assert!(ok.is_ok(), "{ok:?}");
        let got = server.received();
        assert_eq!(got.len(), 1, "only the second letter");
        assert_eq!(got[0].data, letter(2, "sos@state.example"));
        if data_without_recipients {
            assert_eq!(
                server.connections(),
                2,
                "the first session was ended in DATA"
            );
        } else {
            assert_eq!(server.connections(), 1);
            assert!(server.verbs().contains(&"RSET".to_string()));
        }
    }
}

/// A server that answers the final `.` with something other than a 2xx (here 354) has not said it took the message:
/// the letter is uncertain, never counted as sent.
#[test]
fn a_message_answered_with_anything_but_2xx_is_uncertain() {
    let server = TestServer::start(Options {
        dot_reply: Some("354 go on"),
        ..Options::default()
    });
    let mailer = connect(&server.config(Security::None), None).unwrap();
    let err = send_one(&mailer, 1, "sos@state.example").unwrap_err();
    assert!(
        matches!(&err, SendError::Uncertain(t) if t.contains("354 go on") && t.contains("not an acceptance")),
        "{err:?}"
    );
    assert!(!err.is_retryable());
}

/// A server that confirms a message twice is out of step: the next letter's commands would read the replies meant for
/// others, and a refusal could pass for an acceptance. The reply of the wrong kind is caught before the message, the
/// session is ended, and the letter goes once on a fresh one; grouped or one by one.
#[test]
fn a_server_out_of_step_is_left_before_the_message() {
    for one_by_one in [false, true] {
        let server = TestServer::start(Options {
            double_confirm: 1,
            // A refused second EHLO, rather than no PIPELINING: a server out of step that also ended sessions for
            // commands sent early would refuse the letter outright, which proves nothing here.
            second_ehlo: one_by_one.then_some(("503 5.5.1 Duplicate HELO/EHLO", usize::MAX)),
            ..Options::default()
        });
        let mut cfg = server.config(Security::None);
        cfg.connections = Some(1);
        let mailer = connect(&cfg, None).unwrap();
        let first = send_one(&mailer, 1, "sos@state.example");
        assert!(first.is_ok(), "{first:?}");
        let second = send_with_retry(
            &mailer,
            &envelope(&["sos@state.example"]),
            &Arc::new(letter(2, "sos@state.example")),
            3,
            Duration::from_millis(5),
        )
        .unwrap();
        assert_eq!(second.attempts, 2, "one by one: {one_by_one}");
        let got = server.received();
        assert_eq!(got.len(), 2, "each letter once");
        assert_eq!(got[0].data, letter(1, "sos@state.example"));
        assert_eq!(got[1].data, letter(2, "sos@state.example"));
        assert_eq!(server.connections(), 2);
    }
}

/// A second EHLO refused (sendmail says "duplicate"): one command at a time. Answered with 421 (closing): the session
/// is given up as a busy server's is, and the next one is used.
#[test]
fn a_second_ehlo_refused_or_closing() {
    for (reply, sessions) in [
        ("503 5.5.1 Duplicate HELO/EHLO", 1),
        ("421 4.3.2 Closing, too busy", 2),
    ] {
        let server = TestServer::start(Options {
            second_ehlo: Some((reply, 1)),
            ..Options::default()
        });
        let mailer = connect(&server.config(Security::None), None).unwrap();
        let sent = send_one(&mailer, 1, "sos@state.example");
        assert!(sent.is_ok(), "{reply}: {sent:?}");
        assert_eq!(server.received().len(), 1);
        // 503: the session goes on, one command at a time; 421: it is not used, and the next one is.
        assert_eq!(server.connections(), sessions, "{reply}");
        if sessions == 1 {
            assert_eq!(server.grouped(), 0, "one command at a time");
        }
    }
}

/// A server that takes only two sessions at once, asked for four: the letters wait for the two it takes instead of
/// failing, and each goes once.
#[test]
fn fewer_sessions_than_connections_still_carry_every_letter() {
    let server = TestServer::start(Options {
        max_sessions: Some(2),
        ..Options::default()
    });
    let mut cfg = server.config(Security::None);
    cfg.connections = Some(4);
    let mailer = connect(&cfg, None).unwrap();
    send_from_threads(&mailer, 4, 40);
    let mut got: Vec<String> = server.received().iter().map(|r| r.to[0].clone()).collect();
    got.sort();
    got.dedup();
    assert_eq!(got.len(), 40);
    assert_eq!(server.received().len(), 40, "each letter once");
    assert!(server.refused_sessions() >= 1, "the limit was reached");
}
