//! Length limits per channel (`[channels.NAME]`): `check` names each letter over its channel's limit with its id and
//! its figure — characters of the text, pages of the PDF, bytes of the message — as a warning, or an error with
//! `strict = true`.

use crate::harness::{Campaign, DATE};
use crate::sendkit::*;

const COLUMNS: &str =
    "id,title,first_name,last_name,gender,email,channel,topic,issues,contact_form";
const SOS_ROW: &str = "sos,Secretary of State,Mike,Pompeo,male,secretary@state.example,email,the rule of law,impunity;torture,";
const CASTRO: &str = "castro,Representative,Joaquin,Castro,male,,webform,migrants,torture,https://castro.house.gov/contact";

fn limited(channels: &str) -> Campaign {
    let c = Campaign::small(
        &manifest(channels, ""),
        TEMPLATE,
        COLUMNS,
        &[SOS_ROW, CASTRO],
    );
    c.write("recipients/organizations.csv", ORGANIZATIONS);
    c.write("recipients/issues.csv", ISSUES);
    c
}

/// The characters of a letter's text, as its .txt file has them.
fn chars(c: &Campaign, stem: &str) -> usize {
    c.render_txt(&[]);
    c.out("default", &format!("{stem}.txt")).chars().count()
}

#[test]
fn a_web_form_letter_over_max_chars_is_named_with_its_figure() {
    let c = limited("[channels.webform]\nmax_chars = 200\n");
    let n = chars(&c, "castro");
    assert!(n > 200, "{n}");
    // Dated as the render was, so the figures agree.
    let run = c.check(&["--date", DATE]).success();
    let line = run
        .stderr()
        .lines()
        .find(|l| l.contains("default/castro"))
        .unwrap_or_else(|| panic!("castro is named\n{run}"))
        .to_string();
    assert!(line.starts_with("warning: lettermerge.toml:14: "), "{line}");
    assert!(
        line.contains(&format!(
            "letter default/castro is {n} characters, over max_chars = 200 for the webform channel"
        )),
        "{line}"
    );
    assert!(
        !run.stderr().contains("default/sos"),
        "the email letter has no limit\n{run}"
    );

    let strict = limited("[channels.webform]\nmax_chars = 200\nstrict = true\n");
    let run = strict.check(&[]);
    let stderr = run.fails_with(1);
    assert!(stderr.contains("error: lettermerge.toml:14:"), "{run}");
    // Within the limit, nothing is said.
    limited(&format!(
        "[channels.webform]\nmax_chars = {n}\nstrict = true\n"
    ))
    .check(&["--date", DATE])
    .success();
}

#[test]
fn an_email_over_max_bytes_is_named_with_its_size() {
    let c = limited("[channels.email]\nmax_bytes = 1000\n");
    let run = c.check(&[]).success();
    let line = run
        .stderr()
        .lines()
        .find(|l| l.contains("default/sos"))
        .unwrap_or_else(|| panic!("sos is named\n{run}"))
        .to_string();
    assert!(
        line.contains("bytes as a message, over max_bytes = 1000 for the email channel"),
        "{line}"
    );
}

#[test]
fn a_channels_section_that_names_no_channel_is_an_error_at_its_line() {
    let c = limited("[channels.pigeon]\nmax_chars = 10\n");
    let run = c.check(&[]);
    let stderr = run.fails_with(1);
    assert!(
        stderr.contains("lettermerge.toml:13: [channels.pigeon] names no channel"),
        "{run}"
    );
    // `render` and `send` refuse it too: a limit meant for the email letters would apply to none.
    let c = limited("[channels.Email]\nmax_chars = 10\nstrict = true\n");
    for args in [&["render"][..], &["send", "--dry-run"]] {
        let run = c.run(args);
        let stderr = run.fails_with(1);
        assert!(
            stderr.contains("lettermerge.toml:13: [channels.Email] names no channel"),
            "{args:?}\n{run}"
        );
    }
    assert!(c.all_out_files().is_empty());
    let c = limited("[channels.webform]\nmax_words = 10\n");
    let stderr = c.check(&[]).fails_with(1);
    assert!(stderr.contains("unknown field `max_words`"), "{stderr}");
}

/// The example's letter to the Secretary of State runs to three pages.
#[cfg(feature = "pdf")]
#[test]
fn a_three_page_letter_warns_under_max_pages_2() {
    let c = Campaign::example();
    c.append("lettermerge.toml", "\n[channels.email]\nmax_pages = 2\n");
    let run = c.check(&[]).success();
    let line = run
        .stderr()
        .lines()
        .find(|l| l.contains("letter coalition/sos "))
        .unwrap_or_else(|| panic!("coalition/sos is named\n{run}"))
        .to_string();
    assert!(line.starts_with("warning: lettermerge.toml:"), "{line}");
    assert!(
        line.contains("is 3 pages, over max_pages = 2 for the email channel"),
        "{line}"
    );
    // Paper letters without a section of their own take [channels.print]: the hand-delivered letter to the
    // president-elect.
    c.append(
        "lettermerge.toml",
        "[channels.print]\nmax_pages = 1\nstrict = true\n",
    );
    let run = c.check(&[]);
    let stderr = run.fails_with(1);
    assert!(stderr.contains("letter es/amlo is"), "{run}");
    assert!(stderr.contains("for the manual channel"), "{run}");
}

/// A strict `[channels.email]` limit is a refusal in `send` too: the letter over it is named and not sent, the
/// others go, and the run exits 1 — `check` and `send` agree.
#[test]
fn send_refuses_an_email_over_a_strict_email_limit_and_sends_the_rest() {
    use crate::smtp_server::{Options, TestServer};
    let server = TestServer::start(Options::default());
    const EPN_ROW: &str =
        "epn,Governor,Enrique,Peña Nieto,male,epn@presidencia.example,email,impunity,impunity,";
    let build = |channels: &str| {
        let c = Campaign::small(
            &manifest(channels, &smtp_plain(&server, "")),
            TEMPLATE,
            COLUMNS,
            &[SOS_ROW, EPN_ROW],
        );
        c.write("recipients/organizations.csv", ORGANIZATIONS);
        c.write("recipients/issues.csv", ISSUES);
        c
    };
    let probe = build("");
    let (sos, epn) = (chars(&probe, "sos"), chars(&probe, "epn"));
    assert!(sos > epn, "{sos} {epn}");
    let c = build(&format!(
        "[channels.email]\nmax_chars = {epn}\nstrict = true\n"
    ));
    c.check(&["--date", DATE]).fails_with(1);
    let run = send(&c, &["--yes"]);
    let stderr = run.fails_with(1);
    assert!(
        stderr.contains("letter default/sos is")
            && stderr.contains(&format!(
                "characters, over max_chars = {epn} for the email channel"
            )),
        "{run}"
    );
    assert!(run.stdout().contains("Cannot be sent: 1 letter"), "{run}");
    let to: Vec<String> = server
        .received()
        .iter()
        .flat_map(|m| m.to.clone())
        .filter(|t| t != ARCHIVE)
        .collect();
    assert_eq!(to, ["epn@presidencia.example"], "{run}");
    assert_eq!(journaled(&c, "sent"), ["default/epn"]);
}

/// A strict limit set after the letters went out does not make them failures: they were delivered, and `send`
/// skips them as sent (exit 0).
#[test]
fn a_strict_email_limit_set_after_sending_skips_the_sent_letters() {
    use crate::smtp_server::{Options, TestServer};
    let server = TestServer::start(Options::default());
    let c = Campaign::small(
        &manifest("", &smtp_plain(&server, "")),
        TEMPLATE,
        COLUMNS,
        &[SOS_ROW],
    );
    c.write("recipients/organizations.csv", ORGANIZATIONS);
    c.write("recipients/issues.csv", ISSUES);
    send(&c, &["--yes"]).success();
    c.write(
        "lettermerge.toml",
        manifest(
            "[channels.email]\nmax_chars = 10\nstrict = true\n",
            &smtp_plain(&server, ""),
        ),
    );
    let run = send(&c, &["--yes"]).success();
    assert!(run.stdout().contains("Already sent, skipped: 1"), "{run}");
    assert_eq!(server.received().len(), 1);
}
