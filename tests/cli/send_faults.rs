//! `lettermerge send` against SMTP servers that misbehave on purpose: a refused recipient, greylisting, a connection
//! cut mid-message, a server that stops answering, and the sending process killed half-way through 200 letters.
//! Whatever happens, every official gets exactly one letter or the letter is reported; none is lost silently.

use std::collections::BTreeSet;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::sendkit::*;
use crate::smtp_server::{Options, Stall, TestServer};

#[test]
fn a_550_for_one_recipient_fails_that_letter_and_the_others_go() {
    let server = TestServer::start(Options {
        reject_rcpt: Some("epn@presidencia.example".into()),
        ..Options::default()
    });
    let c = three(&server);
    let run = send(&c, &["--yes"]);
    let stderr = run.fails_with(1);
    assert!(stderr.contains("default/epn"), "{run}");
    assert!(stderr.contains("550 5.1.1"), "{run}");
    assert!(run.stdout().contains("Sent 2 letters; 1 failed."), "{run}");
    let per = per_recipient(&server);
    assert_eq!(per.get("epn@presidencia.example"), None);
    assert_eq!(per["secretary@state.example"], 1);
    assert_eq!(per["senator@rubio.senate.example"], 1);

    let text = lm(&c, &["status"]).success().stdout();
    assert!(
        text.contains("2 sent") && text.contains("1 failed"),
        "{text}"
    );
    assert!(
        text.contains(
            "server said: 550 5.1.1 <epn@presidencia.example>: Recipient address rejected"
        ),
        "{text}"
    );
    let json = status_json(&c, &[]);
    assert_eq!(json["failed"], serde_json::json!(["default/epn"]));
    assert_eq!(json["counts"]["failed"], 1);
    assert_eq!(json["counts"]["sent"], 2);
    let epn = json["letters"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["id"] == "default/epn")
        .unwrap();
    assert_eq!(epn["state"], "failed");
    assert!(
        epn["reply"].as_str().unwrap().starts_with("550 5.1.1"),
        "{epn}"
    );
    // A failed letter is tried again on the next run (the address was fixed, say); the sent ones are not.
    let server2 = TestServer::start(Options::default());
    c.write("lettermerge.toml", manifest("", &smtp_plain(&server2, "")));
    let again = send(&c, &["--yes"]).success();
    assert!(again.stdout().contains("Sent 1 letter."), "{again}");
    let got = server2.received();
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].to[0], "epn@presidencia.example");
}

#[test]
fn greylisted_then_accepted_is_sent_once() {
    let server = TestServer::start(Options {
        tempfail_first: 1,
        ..Options::default()
    });
    let c = campaign(
        "",
        &smtp_plain(&server, "connections = 1\n"),
        &[SOS, EPN, RUBIO],
    );
    let run = send(&c, &["--yes"]).success();
    assert!(run.stdout().contains("Sent 3 letters."), "{run}");
    let per = per_recipient(&server);
    for to in [
        "secretary@state.example",
        "epn@presidencia.example",
        "senator@rubio.senate.example",
    ] {
        assert_eq!(per[to], 1, "{to}: {per:?}");
    }
    assert_eq!(per[ARCHIVE], 3);
    assert_eq!(
        server.verbs().iter().filter(|v| *v == "DATA").count(),
        3,
        "the greylisted letter reached DATA only on its retry"
    );
    assert!(states(&c).values().all(|s| s == "sent"), "{:?}", states(&c));
}

/// This server cuts the connection after the first two lines of the first message; a small message is by then
/// wholly written, so the client cannot tell a cut before the final `.` from one after it. The letter is uncertain:
/// reported, exit 1, never retried; the others go.
#[test]
fn a_connection_cut_mid_data_is_reported_uncertain_never_lost_or_doubled_silently() {
    let server = TestServer::start(Options {
        drop_mid_data: 1,
        ..Options::default()
    });
    let c = campaign(
        "",
        &smtp_plain(&server, "connections = 1\n"),
        &[SOS, EPN, RUBIO],
    );
    let run = send(&c, &["--yes"]);
    let stderr = run.fails_with(1);
    let per = per_recipient(&server);
    let st = states(&c);
    assert_eq!(st.len(), 3, "{st:?}");
    assert_eq!(st["default/sos"], "uncertain", "{st:?}\n{run}");
    assert_eq!(st["default/epn"], "sent");
    assert_eq!(st["default/rubio"], "sent");
    assert!(stderr.contains("letter default/sos is uncertain"), "{run}");
    assert!(
        run.stdout().contains("Sent 2 letters; 1 is uncertain."),
        "{run}"
    );
    assert_eq!(per.get("secretary@state.example"), None, "{per:?}");
    assert_eq!(per["epn@presidencia.example"], 1);
    assert_eq!(per["senator@rubio.senate.example"], 1);
    assert_eq!(per[ARCHIVE], 2);
    assert_eq!(
        server.verbs().iter().filter(|v| *v == "DATA").count(),
        3,
        "the uncertain letter reached DATA once"
    );
}

#[test]
fn a_server_that_never_greets_times_out_within_the_configured_timeout() {
    let server = TestServer::start(Options {
        stall: Some(Stall::Greeting),
        ..Options::default()
    });
    let c = campaign(
        "",
        &smtp_plain(&server, "").replace("timeout = 5", "timeout = 1"),
        &[SOS, EPN],
    );
    let start = Instant::now();
    let run = send(&c, &["--yes"]);
    let elapsed = start.elapsed();
    let stderr = run.fails_with(1);
    assert!(elapsed < Duration::from_secs(4), "took {elapsed:?}\n{run}");
    assert!(
        stderr.contains("1.0 s") || stderr.contains("timed out"),
        "{run}"
    );
    assert!(stderr.contains("cannot send"), "{run}");
    assert!(journaled(&c, "sending").is_empty());
    assert!(journaled(&c, "sent").is_empty());
    assert!(server.received().is_empty());
}

#[test]
fn a_server_that_stops_answering_after_the_message_leaves_it_uncertain() {
    let server = TestServer::start(Options {
        stall: Some(Stall::AfterData),
        ..Options::default()
    });
    let c = campaign(
        "",
        &smtp_plain(&server, "").replace("timeout = 5", "timeout = 1"),
        &[SOS],
    );
    let start = Instant::now();
    let run = send(&c, &["--yes"]);
    let elapsed = start.elapsed();
    let stderr = run.fails_with(1);
    // One attempt of one second, never a second one, with room for a slow machine.
    assert!(elapsed < Duration::from_secs(4), "took {elapsed:?}\n{run}");
    assert!(stderr.contains("no reply within 1.0 s"), "{run}");
    assert!(stderr.contains("default/sos"), "{run}");
    assert!(stderr.contains("uncertain"), "{run}");
    assert_eq!(server.received().len(), 1, "one copy");
    assert_eq!(states(&c)["default/sos"], "uncertain");
    let status = lm(&c, &["status"]).success().stdout();
    assert!(status.contains("UNCERTAIN"), "{status}");
    assert!(status.contains("default/sos"), "{status}");
    // Not retried without --resend.
    let again = send(&c, &["--yes"]);
    assert!(again.stdout().contains("Uncertain"), "{again}");
    assert!(again.stdout().contains("default/sos"), "{again}");
    assert!(again.stdout().contains("To send: 0 letters"), "{again}");
    assert_eq!(server.received().len(), 1, "one copy");
}

/// The binary, killed with SIGKILL part-way through 200 letters, then run again.
#[test]
fn killed_mid_run_then_run_again_each_official_gets_one_or_is_reported() {
    const N: usize = 200;
    let server = TestServer::start(Options {
        reply_delay: Some(Duration::from_millis(15)),
        ..Options::default()
    });
    let c = senators(N, &server, "connections = 4\n");

    let mut child = spawn_send(&c, Stdio::null);
    let deadline = Instant::now() + Duration::from_secs(20);
    while server.received().len() < N / 3 {
        assert!(Instant::now() < deadline, "the run did not get going");
        assert!(
            child.try_wait().unwrap().is_none(),
            "the run ended before the kill"
        );
        std::thread::sleep(Duration::from_millis(5));
    }
    child.kill().expect("SIGKILL");
    child.wait().unwrap();
    let at_kill = server.received().len();
    assert!(at_kill < N, "the kill landed after the end");

    let second = send(&c, &["--yes"]);
    assert!(!second.stderr().contains("panicked"), "{second}");
    let st = states(&c);
    let uncertain: BTreeSet<String> = st
        .iter()
        .filter(|(_, s)| *s == "uncertain")
        .map(|(id, _)| id.clone())
        .collect();
    assert!(
        uncertain.len() <= 4,
        "at most one per connection: {uncertain:?}"
    );
    let status = lm(&c, &["status"]).success().stdout();
    let json = status_json(&c, &[]);
    let per = per_recipient(&server);
    for i in 0..N {
        let id = format!("default/o{i:03}");
        let to = format!("o{i:03}@senate.example");
        let n = per.get(&to).copied().unwrap_or(0);
        if uncertain.contains(&id) {
            assert!(n <= 1, "{id}: {n} copies");
            assert!(status.contains(&id), "status reports {id}\n{status}");
            assert!(
                json["uncertain"]
                    .as_array()
                    .unwrap()
                    .contains(&id.as_str().into()),
                "{json}"
            );
            assert!(second.stdout().contains(&id), "send reports {id}\n{second}");
        } else {
            assert_eq!(n, 1, "{id}: {n} copies\n{second}");
            assert_eq!(st.get(&id).map(String::as_str), Some("sent"), "{id}");
        }
    }
    // What the server holds and the journal does not call sent is exactly the uncertain set, in at most one copy.
    let doubled: Vec<_> = per
        .iter()
        .filter(|(to, &n)| n > 1 && *to != ARCHIVE)
        .collect();
    assert!(doubled.is_empty(), "duplicates: {doubled:?}");
    let officials: usize = per
        .iter()
        .filter(|(to, _)| *to != ARCHIVE)
        .map(|(_, n)| n)
        .sum();
    assert_eq!(per[ARCHIVE], officials, "one archive (Bcc) copy per letter");

    // A third run changes nothing; --resend of the uncertain letters delivers them.
    let third = send(&c, &["--yes"]);
    let before = server.received().len();
    assert!(third.stdout().contains("To send: 0 letters"), "{third}");
    assert_eq!(server.received().len(), before);
    if !uncertain.is_empty() {
        let mut args = vec!["--yes", "--resend"];
        for id in &uncertain {
            args.push("--only");
            args.push(id);
        }
        let resent = send(&c, &args).success();
        assert!(
            resent
                .stdout()
                .contains(&format!("Sent {} letter", uncertain.len())),
            "{resent}"
        );
        let per = per_recipient(&server);
        for id in &uncertain {
            let to = format!("{}@senate.example", id.trim_start_matches("default/"));
            assert!(per[&to] >= 1, "{id} received after --resend");
        }
        assert_eq!(server.received().len(), before + uncertain.len());
    }
    assert!(states(&c).values().all(|s| s == "sent"));
}

/// Under `[smtp] rate`, a letter waits for its turn before it is journaled as being sent: a run killed during the
/// wait leaves it unsent and plain to send, not "uncertain" (which would claim it may have reached the server).
#[test]
fn killed_while_letters_wait_for_their_turn_under_a_rate_none_is_uncertain() {
    const N: usize = 8;
    let server = TestServer::start(Options::default());
    let c = senators(N, &server, "connections = 3\nrate = 2\n");
    let mut child = spawn_send(&c, Stdio::null);
    // Two letters and their archive copies: the other two threads now wait for their turns, 0.5 s apart.
    wait_for_messages(&server, 2);
    std::thread::sleep(Duration::from_millis(150));
    child.kill().expect("SIGKILL");
    child.wait().unwrap();
    let st = states(&c);
    let sent = st.values().filter(|s| *s == "sent").count();
    assert!(
        !st.values().any(|s| s == "uncertain"),
        "letters that only waited for their turn are uncertain: {st:?}"
    );
    assert!((1..N).contains(&sent), "{st:?}");
    // The next run sends the rest, each once.
    send(&c, &["--yes"]).success();
    each_senator_once(&server, N);
}

/// Ctrl-C (here SIGTERM, its twin) during a send: the letters being handed over finish, no other starts, and the run
/// ends with its summary; nothing is uncertain, and the next run sends the rest once.
#[cfg(unix)]
#[test]
fn a_signal_stops_the_run_cleanly_with_its_summary() {
    const N: usize = 8;
    let server = TestServer::start(Options::default());
    let c = senators(N, &server, "connections = 2\nrate = 2\n");
    let child = spawn_send(&c, Stdio::piped);
    wait_for_messages(&server, 2);
    // SAFETY: a plain kill(2) of our own child.
    assert_eq!(unsafe { libc::kill(child.id() as i32, libc::SIGTERM) }, 0);
    let out = child.wait_with_output().unwrap();
    let (stdout, stderr) = (
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr),
    );
    assert_eq!(out.status.code(), Some(1), "{stdout}\n{stderr}");
    assert!(stderr.contains("Stopping"), "{stderr}");
    assert!(stderr.contains("not sent: the run was stopped"), "{stderr}");
    // Counted as not sent, never as failed.
    assert!(
        !stdout.contains("failed") && !stderr.contains("failed"),
        "{stdout}\n{stderr}"
    );
    assert!(stdout.contains("not sent."), "{stdout}");
    assert!(
        stderr.contains("not sent: the run stopped first)"),
        "{stderr}"
    );
    let st = states(&c);
    assert!(!st.values().any(|s| s == "uncertain"), "{st:?}");
    let sent = st.values().filter(|s| *s == "sent").count();
    assert_eq!(sent, server.received().len(), "{st:?}");
    assert!(sent < N, "the signal came after the end");
    send(&c, &["--yes"]).success();
    each_senator_once(&server, N);
}

/// README, "Exactly once": `send` exits 1 when any selected letter failed or is uncertain. A re-run that leaves letters
/// uncertain (not retried without `--resend`) says so on stdout but exits 0, so a script (`send --yes && echo done`)
/// takes it for complete.
#[test]
fn a_rerun_that_leaves_letters_uncertain_exits_1() {
    let server = TestServer::start(Options {
        stall: Some(Stall::AfterData),
        ..Options::default()
    });
    let c = campaign(
        "",
        &smtp_plain(&server, "").replace("timeout = 5", "timeout = 1"),
        &[SOS],
    );
    send(&c, &["--yes"]).fails_with(1);
    assert_eq!(states(&c)["default/sos"], "uncertain");
    let again = send(&c, &["--yes"]);
    assert!(again.stdout().contains("Uncertain"), "{again}");
    again.fails_with(1);
}

/// `n` officials, `o000`…, each with an address of their own.
/// A campaign of `n` senators (o000@senate.example…) sending through `server` with `smtp_extra` in `[smtp]`.
fn senators(n: usize, server: &TestServer, smtp_extra: &str) -> crate::harness::Campaign {
    let rows: Vec<String> = (0..n)
        .map(|i| {
            format!(
                "o{i:03},Senator,First{i},Last{i},,o{i:03}@senate.example,email,torture,torture"
            )
        })
        .collect();
    let rows: Vec<&str> = rows.iter().map(String::as_str).collect();
    campaign("", &smtp_plain(server, smtp_extra), &rows)
}

/// `send --yes` in the background, its output to `out()` (null, or piped to read).
fn spawn_send(c: &crate::harness::Campaign, out: fn() -> Stdio) -> std::process::Child {
    Command::new(env!("CARGO_BIN_EXE_lettermerge"))
        .arg("-C")
        .arg(c.path())
        .args(["send", "--yes", "--date", crate::harness::DATE])
        .env("NO_COLOR", "1")
        .env_remove("LETTERMERGE_SMTP_PASSWORD")
        .stdin(Stdio::null())
        .stdout(out())
        .stderr(out())
        .spawn()
        .expect("spawn lettermerge send")
}

/// Waits (20 s at most) until the server holds `n` messages.
fn wait_for_messages(server: &TestServer, n: usize) {
    let deadline = Instant::now() + Duration::from_secs(20);
    while server.received().len() < n {
        assert!(Instant::now() < deadline, "the run did not get going");
        std::thread::sleep(Duration::from_millis(5));
    }
}

/// Every one of `senators(n)` received exactly one copy.
fn each_senator_once(server: &TestServer, n: usize) {
    let per = per_recipient(server);
    for i in 0..n {
        let to = format!("o{i:03}@senate.example");
        assert_eq!(per.get(&to).copied(), Some(1), "{to}");
    }
}

/// A server too busy to greet (421) is asked again with backoff, as a temporary refusal of a letter is; the run goes
/// on once it answers, and every letter is sent once.
#[test]
fn a_server_too_busy_to_greet_at_first_is_asked_again() {
    let server = TestServer::start(Options {
        busy_first: 2,
        ..Options::default()
    });
    let c = campaign("", &smtp_plain(&server, "connections = 1\n"), &[SOS, EPN]);
    let run = send(&c, &["--yes"]).success();
    assert!(run.stdout().contains("Sent 2 letters."), "{run}");
    let per = per_recipient(&server);
    assert_eq!(per["secretary@state.example"], 1, "{run}");
    assert_eq!(per["epn@presidencia.example"], 1, "{run}");
}
