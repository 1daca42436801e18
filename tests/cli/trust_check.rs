//! Issue 10, "check sees what send would refuse": every setting `send` or `render` refuses is an error in `check`,
//! at `lettermerge.toml:LINE` of the offending key (or the template's line), exit 1 — and `check` fails exactly when
//! `send --dry-run` or `render` would.

use crate::harness::{Campaign, Run};

const MANIFEST: &str = r#"[letter]
template   = "templates/letter.hbs"
recipients = "recipients/officials.csv"
"#;

/// Five lines of front matter and fences: body line N is file line N + 5.
const TEMPLATE: &str = r#"---
from: 'Coalition <coalition@example.org>'
to: '{{mailbox name email}}'
subject: 'About {{topic}}'
---
Dear {{name}},

We write about {{topic}}.
"#;

const HEADER: &str = "id,name,email,topic";
const ROWS: &[&str] = &[
    "ana,Ana Pérez,ana@example.org,impunity",
    "ben,Ben Ortiz,ben@example.org,migrants",
    "cy,Cy Díaz,cy@example.org,torture",
];

/// A campaign that checks clean and sends (to the outbox) without a word.
pub fn campaign() -> Campaign {
    Campaign::small(
        &format!("{MANIFEST}\n[vars]\nsender = \"coalition@example.org\"\n"),
        TEMPLATE,
        HEADER,
        ROWS,
    )
}

/// The campaign with `extra` appended to its manifest; returns the campaign and the line `needle` is on.
fn with_manifest(extra: &str, needle: &str) -> (Campaign, usize) {
    let c = campaign();
    c.append("lettermerge.toml", extra);
    let line = line_of(&c.read("lettermerge.toml"), needle);
    (c, line)
}

/// The 1-based line of the first line holding `needle`.
pub fn line_of(text: &str, needle: &str) -> usize {
    text.lines()
        .position(|l| l.contains(needle))
        .unwrap_or_else(|| panic!("`{needle}` is not in\n{text}"))
        + 1
}

/// `check` exits 1, names `place`, and says `words`; returns stderr.
fn check_fails_at(c: &Campaign, place: &str, words: &str) -> String {
    let run = c.check(&[]);
    let err = run.fails_with(1);
    assert!(err.contains(place), "`{place}` not named\n{run}");
    assert!(err.contains(words), "`{words}` not said\n{run}");
    assert!(
        !err.contains(":0:") && !err.contains(":0 "),
        "a line 0\n{run}"
    );
    err
}

fn send_dry_run(c: &Campaign) -> Run {
    c.run(&["send", "--dry-run"])
}

// ── [smtp] ──────────────────────────────────────────────────────────────────────────────────────────────────────

#[test]
fn smtp_port_0_is_named_at_its_line() {
    let (c, line) = with_manifest("[smtp]\nhost = \"smtp.example.org\"\nport = 0\n", "port");
    check_fails_at(
        &c,
        &format!("lettermerge.toml:{line}:"),
        "between 1 and 65535",
    );
    send_dry_run(&c).fails_with(1);
}

#[test]
fn smtp_port_70000_is_named_at_its_line() {
    let (c, line) = with_manifest(
        "[smtp]\nhost = \"smtp.example.org\"\nport = 70000\n",
        "port",
    );
    check_fails_at(&c, &format!("lettermerge.toml:{line}:"), "not 70000");
}

#[test]
fn an_unknown_smtp_security_is_named_at_its_line() {
    let (c, line) = with_manifest(
        "[smtp]\nhost = \"smtp.example.org\"\nsecurity = \"ssl\"\n",
        "security",
    );
    check_fails_at(&c, &format!("lettermerge.toml:{line}:"), "ssl");
}

#[test]
fn smtp_security_none_to_a_remote_host_is_refused_by_check_and_send() {
    let (c, line) = with_manifest(
        "[smtp]\nhost = \"smtp.example.org\"\nsecurity = \"none\"\n",
        "security",
    );
    check_fails_at(&c, &format!("lettermerge.toml:{line}"), "clear text");
    let run = send_dry_run(&c);
    assert!(
        run.fails_with(1)
            .contains(&format!("lettermerge.toml:{line}")),
        "{run}"
    );
    // To this machine it is allowed.
    c.edit("lettermerge.toml", "smtp.example.org", "127.0.0.1");
    c.check(&[]).success();
}

#[test]
fn a_password_in_the_manifest_is_refused_with_the_ways_to_give_it() {
    let (c, line) = with_manifest(
        "[smtp]\nhost = \"smtp.example.org\"\nusername = \"u\"\npassword = \"hunter2\"\n",
        "password",
    );
    let err = check_fails_at(
        &c,
        &format!("lettermerge.toml:{line}"),
        "passwords never go in files",
    );
    assert!(err.contains("LETTERMERGE_SMTP_PASSWORD"), "{err}");
    assert!(err.contains("password_command"), "{err}");
    assert!(!err.contains("hunter2"), "the password was printed\n{err}");
    let run = send_dry_run(&c);
    let err = run.fails_with(1);
    assert!(err.contains("passwords never go in files"), "{run}");
    assert!(!run.all().contains("hunter2"), "{run}");
}

#[test]
fn a_negative_smtp_rate_is_named_at_its_line() {
    let (c, line) = with_manifest("[smtp]\nhost = \"smtp.example.org\"\nrate = -1\n", "rate");
    check_fails_at(&c, &format!("lettermerge.toml:{line}"), "rate");
    send_dry_run(&c).fails_with(1);
}

#[test]
fn a_zero_smtp_timeout_is_named_at_its_line() {
    let (c, line) = with_manifest(
        "[smtp]\nhost = \"smtp.example.org\"\ntimeout = 0\n",
        "timeout",
    );
    check_fails_at(&c, &format!("lettermerge.toml:{line}"), "timeout");
    send_dry_run(&c).fails_with(1);
}

#[test]
fn a_missing_smtp_ca_file_is_named_at_its_line() {
    let (c, line) = with_manifest(
        "[smtp]\nhost = \"smtp.example.org\"\nca_file = \"certs/private-ca.pem\"\n",
        "ca_file",
    );
    check_fails_at(
        &c,
        &format!("lettermerge.toml:{line}"),
        "certs/private-ca.pem",
    );
    send_dry_run(&c).fails_with(1);
    c.write("certs/private-ca.pem", "not a certificate\n");
    check_fails_at(&c, &format!("lettermerge.toml:{line}"), "BEGIN CERTIFICATE");
}

#[test]
fn an_unknown_smtp_key_is_named_at_its_own_line_not_the_sections() {
    let (c, line) = with_manifest(
        "[smtp]\nhost = \"smtp.example.org\"\n\nhots = \"x\"\n",
        "hots",
    );
    let section = line_of(&c.read("lettermerge.toml"), "[smtp]");
    assert_ne!(line, section);
    check_fails_at(&c, &format!("lettermerge.toml:{line}:"), "hots");
}

#[test]
fn an_smtp_from_that_is_not_an_address_is_named_in_the_manifest_never_at_line_0() {
    let (c, line) = with_manifest(
        "[smtp]\nhost = \"smtp.example.org\"\nfrom = \"the coalition\"\n",
        "from =",
    );
    let err = check_fails_at(
        &c,
        &format!("lettermerge.toml:{line}:"),
        "not an email address",
    );
    assert!(!err.contains("letter.hbs:0"), "{err}");
    let run = c.render(&["--format", "eml"]);
    assert!(
        run.fails_with(1)
            .contains(&format!("lettermerge.toml:{line}")),
        "{run}"
    );
}

// ── Variants, [pdf], [output] ────────────────────────────────────────────────────────────────────────────────────

#[test]
fn not_before_that_is_not_rfc3339_is_named_by_check() {
    let (c, line) = with_manifest(
        "[variants.us]\nnot_before = \"July 11, 9am\"\n",
        "not_before",
    );
    check_fails_at(&c, &format!("lettermerge.toml:{line}:"), "RFC 3339");
    send_dry_run(&c).fails_with(1);
    // A local time without its offset is ambiguous, too.
    c.edit(
        "lettermerge.toml",
        "\"July 11, 9am\"",
        "2018-07-11T09:00:00",
    );
    check_fails_at(&c, &format!("lettermerge.toml:{line}:"), "offset");
}

#[test]
fn legal_paper_is_named_at_its_line() {
    let (c, line) = with_manifest("[pdf]\npaper = \"legal\"\n", "paper");
    check_fails_at(&c, &format!("lettermerge.toml:{line}:"), "legal");
    c.render(&["--format", "txt"]).fails_with(1);
}

#[test]
fn an_unknown_output_format_is_named_at_its_line_and_render_refuses_it_as_a_campaign_error() {
    let (c, line) = with_manifest("[output]\nformats = [\"txt\", \"docx\"]\n", "formats");
    check_fails_at(&c, &format!("lettermerge.toml:{line}"), "docx");
    let run = c.render(&[]);
    assert!(
        run.fails_with(1)
            .contains(&format!("lettermerge.toml:{line}")),
        "{run}"
    );
    assert!(c.all_out_files().is_empty());
    // On the command line it stays a usage error.
    c.render(&["--format", "docx"]).fails_with(2);
}

#[test]
fn a_missing_layout_set_in_the_manifest_is_an_error_not_the_bundled_one() {
    let (c, line) = with_manifest(
        "[output]\nformats = [\"pdf\"]\n[pdf]\nlayout = \"templates/layuot.typ\"\n",
        "layout",
    );
    check_fails_at(
        &c,
        &format!("lettermerge.toml:{line}"),
        "templates/layuot.typ",
    );
    if cfg!(feature = "pdf") {
        c.render(&[]).fails_with(1);
        assert!(c.all_out_files().is_empty());
    }
}

// ── Templates ────────────────────────────────────────────────────────────────────────────────────────────────────

#[test]
fn front_matter_without_its_closing_fence_is_an_error_at_line_1() {
    let c = campaign();
    c.write(
        "templates/letter.hbs",
        TEMPLATE.replacen("---\nDear", "Dear", 1),
    );
    check_fails_at(&c, "templates/letter.hbs:1", "never closed");
    c.render(&["--format", "txt"]).fails_with(1);
    assert!(c.all_out_files().is_empty());
}

#[test]
fn a_template_that_is_not_utf8_says_so_with_the_byte_and_not_create_it() {
    let c = campaign();
    let mut bytes = TEMPLATE.as_bytes().to_vec();
    bytes.extend_from_slice(b"Se\xf1or,\n");
    c.write("templates/letter.hbs", bytes);
    let err = check_fails_at(&c, "templates/letter.hbs:9:3", "not UTF-8");
    assert!(err.contains("byte"), "{err}");
    assert!(err.contains("save it as UTF-8"), "{err}");
    assert!(!err.contains("create it"), "{err}");
}

#[test]
fn a_partial_that_is_not_utf8_says_so() {
    let c = campaign();
    c.write("templates/partials/sig.hbs", b"Se\xf1ora\n");
    check_fails_at(&c, "templates/partials/sig.hbs:1:3", "not UTF-8");
}

#[test]
fn an_email_letter_whose_to_renders_empty_is_an_error_in_check_and_send() {
    let c = campaign();
    c.edit("recipients/officials.csv", "ben@example.org", "");
    let err = check_fails_at(&c, "templates/letter.hbs:3", "`to` is empty");
    assert!(err.contains("default/ben"), "{err}");
    assert!(err.contains("recipients/officials.csv:3"), "{err}");
    let run = send_dry_run(&c);
    assert!(run.fails_with(1).contains("default/ben"), "{run}");
}

#[test]
fn a_print_channel_letter_needs_no_email() {
    let c = Campaign::small(
        MANIFEST,
        TEMPLATE,
        "id,name,email,topic,channel",
        &[
            "ana,Ana Pérez,ana@example.org,impunity,email",
            "ben,Ben Ortiz,,migrants,print",
        ],
    );
    c.check(&[]).success();
}

#[test]
fn a_missing_attachment_is_named_at_its_front_matter_line() {
    let c = campaign();
    c.write(
        "templates/letter.hbs",
        TEMPLATE.replace("subject:", "attachments: [briefing/report.pdf]\nsubject:"),
    );
    let err = check_fails_at(&c, "templates/letter.hbs:4", "briefing/report.pdf");
    assert!(err.contains("no such file"), "{err}");
    // One mistake, said once for the three letters.
    assert_eq!(err.matches("briefing/report.pdf").count(), 1, "{err}");
    assert!(err.contains("3 letters"), "{err}");
    send_dry_run(&c).fails_with(1);
    c.write("briefing/report.pdf", "%PDF-1.4\n");
    c.check(&[]).success();
    send_dry_run(&c).success();
}

#[test]
fn an_attachment_outside_the_campaign_is_refused_by_check() {
    let outside = Campaign::empty();
    outside.write("secret.txt", "the coalition's private notes\n");
    let c = campaign();
    let rel = format!(
        "../{}/secret.txt",
        outside.path().file_name().unwrap().to_string_lossy()
    );
    c.write(
        "templates/letter.hbs",
        TEMPLATE.replace("subject:", &format!("attachments: ['{rel}']\nsubject:")),
    );
    let err = check_fails_at(&c, "templates/letter.hbs:4", "outside the campaign folder");
    assert!(!err.contains("private notes"), "{err}");
    let run = send_dry_run(&c);
    run.fails_with(1);
    assert!(!run.all().contains("private notes"), "{run}");
}

#[test]
fn a_declared_encoding_that_garbles_a_utf8_file_is_a_warning_with_an_example() {
    let c = Campaign::small(
        "[letter]\nrecipients = { path = \"recipients/officials.csv\", encoding = \"windows-1252\" }\n",
        TEMPLATE,
        HEADER,
        &["ana,Marselha Gonçalves,ana@example.org,impunity"],
    );
    let run = c.check(&[]).success();
    let err = run.stderr();
    assert!(err.contains("warning: recipients/officials.csv:2"), "{run}");
    assert!(err.contains("GonÃ§alves"), "{run}");
    assert!(err.contains("remove `encoding`"), "{run}");
    // Declared right, no warning.
    c.write(
        "recipients/officials.csv",
        b"id,name,email,topic\nana,Marselha Gon\xe7alves,ana@example.org,impunity\n",
    );
    let run = c.check(&[]).success();
    assert!(!run.stderr().contains("GonÃ"), "{run}");
}

#[test]
fn raw_triple_stash_on_table_data_is_a_warning_at_its_place() {
    let c = campaign();
    c.write(
        "templates/letter.hbs",
        TEMPLATE.replace("Dear {{name}},", "Dear {{{name}}}, {{{vars.sender}}}"),
    );
    let run = c.check(&[]).success();
    let err = run.stderr();
    assert!(err.contains("warning: templates/letter.hbs:6:6"), "{run}");
    assert!(err.contains("{{{name}}}"), "{run}");
    assert!(
        !err.contains("{{{vars.sender}}}"),
        "vars are the coalition's own\n{run}"
    );
}

#[test]
fn keys_that_differ_only_by_case_are_flagged() {
    let c = Campaign::small(
        MANIFEST,
        TEMPLATE,
        HEADER,
        &[
            "ABC,Ana Pérez,ana@example.org,impunity",
            "abc,Ben Ortiz,ben@example.org,migrants",
        ],
    );
    let run = c.check(&[]);
    let err = run.fails_with(1);
    assert!(err.contains("warning: recipients/officials.csv:3"), "{run}");
    assert!(err.contains("differ only by case"), "{run}");
    // Their letters would be one file on Windows and macOS: render refuses as check does.
    assert!(err.contains("default/ABC and default/abc"), "{run}");
    c.render(&["--format", "txt"]).fails_with(1);
    assert!(c.all_out_files().is_empty());
}

#[test]
fn one_mistake_every_letter_hits_is_reported_once_with_the_count() {
    let c = campaign();
    c.write(
        "templates/letter.hbs",
        TEMPLATE.replace("<coalition@example.org>", "<{{vars.sender}}>"),
    );
    c.edit(
        "lettermerge.toml",
        "coalition@example.org",
        "coalition at example.org",
    );
    let err = check_fails_at(
        &c,
        "templates/letter.hbs:2",
        "3 letters (default/ana, default/ben, default/cy)",
    );
    assert_eq!(err.matches("is not an email address").count(), 1, "{err}");
    assert!(err.contains("check found 1 error"), "{err}");
    let run = c.render(&["--format", "eml"]);
    let err = run.fails_with(1);
    assert_eq!(err.matches("is not an email address").count(), 1, "{run}");
    assert!(err.contains("all 3 letters failed"), "{run}");
}

// ── check agrees with send and render ────────────────────────────────────────────────────────────────────────────

/// Each case: a change to the valid campaign. `check` must fail exactly when `send --dry-run` or `render` does.
#[test]
fn check_fails_exactly_when_send_dry_run_or_render_refuses() {
    type Change = fn(&Campaign);
    let cases: &[(&str, Change)] = &[
        ("valid", |_| {}),
        ("smtp none remote", |c| {
            c.append(
                "lettermerge.toml",
                "[smtp]\nhost = \"mail.example.org\"\nsecurity = \"none\"",
            )
        }),
        ("smtp password", |c| {
            c.append(
                "lettermerge.toml",
                "[smtp]\nhost = \"h.example.org\"\npassword = \"x\"",
            )
        }),
        ("smtp rate", |c| {
            c.append(
                "lettermerge.toml",
                "[smtp]\nhost = \"h.example.org\"\nrate = -2",
            )
        }),
        ("smtp ca_file", |c| {
            c.append(
                "lettermerge.toml",
                "[smtp]\nhost = \"h.example.org\"\nca_file = \"nope.pem\"",
            )
        }),
        ("smtp fine", |c| {
            c.append(
                "lettermerge.toml",
                "[smtp]\nhost = \"127.0.0.1\"\nsecurity = \"none\"\nrate = 5",
            )
        }),
        ("not_before", |c| {
            c.append(
                "lettermerge.toml",
                "[variants.default]\nnot_before = \"soon\"",
            )
        }),
        ("formats", |c| {
            c.append("lettermerge.toml", "[output]\nformats = [\"docx\"]")
        }),
        ("paper", |c| {
            c.append("lettermerge.toml", "[pdf]\npaper = \"legal\"")
        }),
        ("variant name", |c| {
            c.append("lettermerge.toml", "[variants.\"a/b\"]")
        }),
        ("output dir", |c| {
            c.append("lettermerge.toml", "[output]\ndir = \"../out\"")
        }),
        ("unclosed front matter", |c| {
            c.write(
                "templates/letter.hbs",
                TEMPLATE.replacen("---\nDear", "Dear", 1),
            )
        }),
        ("empty to", |c| {
            c.edit("recipients/officials.csv", "cy@example.org", "")
        }),
        ("missing attachment", |c| {
            c.write(
                "templates/letter.hbs",
                TEMPLATE.replace("subject:", "attachments: [nope.pdf]\nsubject:"),
            )
        }),
        ("case keys", |c| {
            c.edit("recipients/officials.csv", "ben,", "ANA,")
        }),
        ("garbling encoding (a warning)", |c| {
            c.write(
                "lettermerge.toml",
                "[letter]\nrecipients = { path = \"recipients/officials.csv\", encoding = \"latin1\" }\n",
            )
        }),
        ("raw table data (a warning)", |c| {
            c.write(
                "templates/letter.hbs",
                TEMPLATE.replace("{{name}},", "{{{name}}},"),
            )
        }),
    ];
    for (name, change) in cases {
        let c = campaign();
        change(&c);
        let check = c.check(&[]);
        let send = send_dry_run(&c);
        let render = c.render(&[]);
        for run in [&check, &send, &render] {
            assert!(run.code() == 0 || run.code() == 1, "{name}\n{run}");
            run.fails_with(run.code());
        }
        let refused = send.code() != 0 || render.code() != 0;
        assert_eq!(
            check.code() != 0,
            refused,
            "case `{name}`: check and send/render disagree\n{check}\n{send}\n{render}"
        );
    }
}

/// Two keys a reader cannot tell apart (`josé` with its accent composed, and with a combining accent), and one
/// address written in Unicode and in ASCII (`peña.example`, `xn--pea-8ma.example`), are named by `check` as case-only
/// differences are.
#[test]
fn keys_and_addresses_that_look_the_same_are_named() {
    let c = Campaign::small(
        MANIFEST,
        TEMPLATE,
        HEADER,
        &[
            "jos\u{e9},Jos\u{e9} Ruiz,jose@example.org,impunity",
            "jose\u{301},Jos\u{e9} Ruiz,jr@example.org,migrants",
            "cy,Cy D\u{ed}az,cy@pe\u{f1}a.example,torture",
            "cy2,Cy D\u{ed}az,cy@xn--pea-8ma.example,torture",
        ],
    );
    let run = c.check(&[]);
    let err = run.stderr();
    assert!(
        err.contains("look the same (they differ by case or by how an accent is encoded)"),
        "{run}"
    );
    assert!(
        err.lines()
            .any(|l| l.contains("recipients/officials.csv:5")
                && l.contains("cy@xn--pea-8ma.example")),
        "{run}"
    );
}

/// An escape sequence would colour or clear the terminal that `preview` and `status` print to: a `[vars]` value
/// holding one is refused at its line, and so is a `mark --note`.
#[test]
fn a_control_character_in_vars_or_a_note_is_refused() {
    let c = Campaign::small(
        &format!("{MANIFEST}\n[vars]\nsender = \"coalition\\u001b[31m@example.org\"\n"),
        TEMPLATE,
        HEADER,
        ROWS,
    );
    let run = c.check(&[]);
    run.fails_with(1);
    assert!(
        run.stderr()
            .contains("lettermerge.toml:6:1: `sender` holds the control character U+001B"),
        "{run}"
    );
    let c = campaign();
    let run = c.run(&["mark", "ana", "replied", "--note", "call \u{1b}[2J back"]);
    assert!(
        run.fails_with(2)
            .contains("--note holds the control character U+001B"),
        "{run}"
    );
    // A pasted note of two lines, or with a tab, is ordinary: kept, and shown on the letter's one line.
    c.ok(&[
        "mark",
        "ana",
        "replied",
        "--note",
        "meeting on 7/20\nwith\tstaff",
    ]);
    let status = c.ok(&["status"]);
    assert!(
        status.stdout().contains(": meeting on 7/20 / with staff"),
        "{status}"
    );
}
