//! No value from a cell reaches an email header with a control character in it: a line break would forge a header
//! (tests/cli/send.rs covers those), and a vertical tab, an escape, a DEL or a C1 character has no place in one, nor in
//! a letter's body, either. The table holding one is refused where it is, line and column, before any letter; a tab
//! becomes a space. Messages are read back by mail-parser and by Python's `email`.

use std::process::Command;

use crate::harness::{interop_tool, tool_stdout};
use crate::sendkit::*;
use crate::smtp_server::{Options, TestServer};

const ROWS: [&str; 6] = [
    SOS,
    // A vertical tab in the subject's cell, as a spreadsheet leaves for a line break inside a cell.
    "vt,Senator,Marco,Rubio,male,rubio@senate.example,email,torture\u{b}and impunity,torture",
    // An escape sequence in the name that goes into `To:`.
    "esc,Senator,Ted,\"Cruz\u{1b}[2J\",male,cruz@senate.example,email,torture,torture",
    // DEL and a C1 control (NEL) in the subject.
    "del,Senator,Bob,Menendez,male,menendez@senate.example,email,torture\u{7f},torture",
    "nel,Senator,Tim,Kaine,male,kaine@senate.example,email,torture\u{85}Bcc: spy@attacker.example,torture",
    // A tab is whitespace: it becomes a space, and the letter goes.
    "tab,Governor,Enrique,Peña\tNieto,male,epn@presidencia.example,email,impunity\tand torture,impunity",
];

#[test]
fn a_control_character_from_a_cell_never_reaches_a_header() {
    let server = TestServer::start(Options::default());
    let c = campaign("", &smtp_plain(&server, ""), &ROWS);

    let check = c.check(&[]);
    let stderr = check.fails_with(1);
    for (place, code) in [
        ("recipients/officials.csv:3:", "U+000B (a vertical tab)"),
        ("recipients/officials.csv:4:", "U+001B (escape)"),
        ("recipients/officials.csv:5:", "U+007F (delete)"),
        ("recipients/officials.csv:6:", "U+0085 (next line)"),
    ] {
        let said = stderr
            .lines()
            .find(|l| l.contains(place))
            .unwrap_or_else(|| panic!("check names {place}\n{check}"));
        assert!(said.contains(code), "{said}");
    }
    assert!(
        stderr.contains("recipients/officials.csv:4:22: control character U+001B"),
        "the column of the escape in `\"Cruz…\"`\n{check}"
    );

    let run = send(&c, &["--yes"]);
    run.fails_with(1);
    assert!(server.received().is_empty(), "nothing goes\n{run}");
    assert!(run.stderr().contains("U+0085 (next line)"), "{run}");

    // With those rows mended, the others go, the tab a space.
    let mended: Vec<&str> = [ROWS[0], ROWS[5]].to_vec();
    c.write(
        "recipients/officials.csv",
        format!("{HEADER}\n{}\n", mended.join("\n")),
    );
    send(&c, &["--yes"]).success();
    let got = server.received();
    let mut to: Vec<&str> = got.iter().map(|r| r.to[0].as_str()).collect();
    to.sort();
    assert_eq!(
        to,
        ["epn@presidencia.example", "secretary@state.example"],
        "{run}"
    );
    for r in &got {
        let head_end = r.data.windows(4).position(|w| w == b"\r\n\r\n").unwrap();
        let head = &r.data[..head_end];
        assert!(
            !head
                .iter()
                .any(|&b| (b < 0x20 && b != b'\r' && b != b'\n' && b != b'\t') || b == 0x7f),
            "a control byte in the headers:\n{}",
            String::from_utf8_lossy(head)
        );
        assert!(!String::from_utf8_lossy(&r.data).contains("attacker.example"));
        let m = parse(&r.data);
        let subject = m.subject().unwrap();
        assert!(!subject.chars().any(char::is_control), "{subject:?}");
    }
    let tab = got
        .iter()
        .find(|r| r.to[0] == "epn@presidencia.example")
        .unwrap();
    let m = parse(&tab.data);
    assert_eq!(
        m.subject(),
        Some("Human rights in Mexico: impunity and torture")
    );
    assert_eq!(
        m.to().unwrap().first().unwrap().name(),
        Some("The Honorable Enrique Peña Nieto")
    );

    if !interop_tool("python3") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let mut paths = Vec::new();
    for (i, r) in got.iter().enumerate() {
        let p = dir.path().join(format!("m{i}.eml"));
        std::fs::write(&p, &r.data).unwrap();
        paths.push(p);
    }
    // Every header, decoded (RFC 2047 included), must be free of control characters.
    let script = "import email, email.policy, sys, unicodedata\n\
        for path in sys.argv[1:]:\n\
        \x20   m = email.message_from_bytes(open(path, 'rb').read(), policy=email.policy.default)\n\
        \x20   assert not m.defects, (path, m.defects)\n\
        \x20   for name, value in m.items():\n\
        \x20       bad = [c for c in str(value) if unicodedata.category(c) == 'Cc']\n\
        \x20       assert not bad, (path, name, value)\n\
        \x20   print(m['To'], '|', m['Subject'])\n";
    let out = tool_stdout(Command::new("python3").arg("-c").arg(script).args(&paths));
    let mut lines: Vec<&str> = out.lines().collect();
    lines.sort();
    assert_eq!(
        lines,
        [
            "The Honorable Enrique Peña Nieto <epn@presidencia.example> | Human rights in Mexico: impunity and torture",
            "The Honorable Mike Pompeo <secretary@state.example> | Human rights in Mexico: the rule of law",
        ]
    );
}
