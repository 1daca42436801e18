//! The message writer's output as mail programs read it: non-ASCII display names, a long non-ASCII subject, file names
//! that need RFC 2231, long lines broken softly in quoted-printable, a text part mostly in Cyrillic (base64), files
//! attached in base64 — read back by Python's `email` (policy.default, no defect anywhere) and by mail-parser, with
//! CRLF line ends and encoded lines of at most 76 characters in the bytes.

use mail_parser::{MessageParser, MimeHeaders};

use crate::harness::{interop_tool, tool_stdout, Campaign};

const MANIFEST: &str = "[vars]\nsender = \"Lucía Ramírez-Gonçalves, Coordinadora\"\n";

/// A file name that needs RFC 2231: not ASCII, and longer than a header line.
const REPORT: &str =
    "Informe año 2018 — versión final para la oficina del Secretario de Estado.bin";

const TEMPLATE: &str = r#"---
from: '{{mailbox vars.sender "lucia@coalicion.example"}}'
to: '{{mailbox name email}}'
cc: 'prensa@coalicion.example; "Jürgen Groß" <jg@coalicion.example>'
reply_to: '{{mailbox "Oficina de Coordinación" "oficina@coalicion.example"}}'
subject: 'Derechos humanos en México: carta urgente a {{name}} sobre la impunidad, la tortura y las desapariciones'
attachments:
  - attachments/Informe año 2018 — versión final para la oficina del Secretario de Estado.bin
  - attachments/briefing.txt
---
Estimado {{name}}:

{{body}}

Atentamente,

{{vars.sender}}
"#;

/// A paragraph with a link longer than any line, an `=` sign and accents.
const SPANISH: &str = "Le escribimos sobre la impunidad (véase https://www.coalicion.example/informes/2018/mexico/impunidad-tortura-desapariciones-forzadas-version-final.html): 1 = 1, y la tasa de condenas no llega al cuatro por ciento.";

/// Mostly Cyrillic: more than a third of its bytes would need escaping, so the text travels in base64.
const RUSSIAN: &str = "Мы пишем вам о положении с правами человека в Мексике. Безнаказанность за нарушения прав человека остаётся нормой.";

fn rendered() -> Campaign {
    let c = Campaign::small(
        MANIFEST,
        TEMPLATE,
        "id,name,email,body",
        &[
            &format!("amlo,\"Andrés Manuel López Obrador, Presidente electo\",amlo@transicion.example,\"{SPANISH}\""),
            &format!("lavrov,Сергей Лавров,sl@mid.example,{RUSSIAN}"),
        ],
    );
    let report: Vec<u8> = (0..3000u32).map(|i| (i * 7919 % 251) as u8).collect();
    c.write(&format!("attachments/{REPORT}"), report);
    c.write("attachments/briefing.txt", "Line one\nLine two\n");
    c.render(&["--format", "eml"]).success();
    c
}

#[test]
fn the_bytes_are_ascii_with_crlf_line_ends_and_body_lines_of_at_most_76_characters() {
    let c = rendered();
    for id in ["amlo", "lavrov"] {
        let bytes = c.read_bytes(&format!("out/default/{id}.eml"));
        assert!(bytes.is_ascii(), "{id}");
        for (i, &b) in bytes.iter().enumerate() {
            if b == b'\n' {
                assert!(
                    i > 0 && bytes[i - 1] == b'\r',
                    "{id}: a bare LF at byte {i}"
                );
            }
            if b == b'\r' {
                assert_eq!(
                    bytes.get(i + 1),
                    Some(&b'\n'),
                    "{id}: a bare CR at byte {i}"
                );
            }
        }
        let text = String::from_utf8(bytes).unwrap();
        // Header lines stay under RFC 5322's limit of 998 (lettre, whose bytes these are, keeps an encoded display
        // name and its address on one line); encoded body lines are at most 76 characters.
        let (head, body) = text.split_once("\r\n\r\n").unwrap();
        for line in head.split("\r\n") {
            assert!(line.len() <= 998, "{id}: a header line of {}", line.len());
        }
        for line in body.split("\r\n") {
            assert!(
                line.len() <= 76,
                "{id}: a body line of {}: {line}",
                line.len()
            );
        }
        // The long link is broken softly (`=` at the end of a line), never cut.
        if id == "amlo" {
            assert!(text.contains("=\r\n"), "a soft line break");
            assert!(text.contains("Content-Transfer-Encoding: quoted-printable"));
        }
    }
}

#[test]
fn attachments_are_base64_at_76_columns() {
    let c = rendered();
    let text = String::from_utf8(c.read_bytes("out/default/amlo.eml")).unwrap();
    let parts: Vec<&str> = text
        .split("Content-Disposition: attachment;")
        .skip(1)
        .collect();
    assert_eq!(parts.len(), 2, "{text}");
    for part in parts {
        assert!(
            part.contains("Content-Transfer-Encoding: base64\r\n\r\n"),
            "{part}"
        );
        let body = part.split("\r\n\r\n").nth(1).unwrap();
        let lines: Vec<&str> = body.lines().take_while(|l| !l.starts_with("--")).collect();
        let (last, full) = lines.split_last().unwrap();
        assert!(full.iter().all(|l| l.trim_end().len() == 76), "{body}");
        assert!(last.trim_end().len() <= 76);
    }
}

#[test]
fn every_file_listed_under_attachments_travels_once_under_its_own_name() {
    let c = rendered();
    let bytes = c.read_bytes("out/default/amlo.eml");
    let m = MessageParser::default().parse(&bytes).unwrap();
    let names: Vec<&str> = m
        .attachments()
        .filter_map(|a| a.attachment_name())
        .collect();
    assert_eq!(names, [REPORT, "briefing.txt"]);
}

#[test]
fn mail_parser_reads_names_subject_text_and_files_back() {
    let c = rendered();
    let report = c.read_bytes(&format!("attachments/{REPORT}"));
    let bytes = c.read_bytes("out/default/amlo.eml");
    let m = MessageParser::default().parse(&bytes).unwrap();
    assert_eq!(
        m.subject(),
        Some("Derechos humanos en México: carta urgente a Andrés Manuel López Obrador, Presidente electo sobre la impunidad, la tortura y las desapariciones")
    );
    let from = m.from().unwrap().first().unwrap();
    assert_eq!(from.name(), Some("Lucía Ramírez-Gonçalves, Coordinadora"));
    let to = m.to().unwrap().first().unwrap();
    assert_eq!(
        to.name(),
        Some("Andrés Manuel López Obrador, Presidente electo")
    );
    assert_eq!(to.address(), Some("amlo@transicion.example"));
    let cc: Vec<_> = m
        .cc()
        .unwrap()
        .iter()
        .map(|a| (a.name(), a.address()))
        .collect();
    assert_eq!(
        cc,
        [
            (None, Some("prensa@coalicion.example")),
            (Some("Jürgen Groß"), Some("jg@coalicion.example"))
        ]
    );
    assert_eq!(
        m.reply_to().unwrap().first().unwrap().name(),
        Some("Oficina de Coordinación")
    );
    let text = m.body_text(0).unwrap();
    assert!(
        text.contains("Estimado Andrés Manuel López Obrador, Presidente electo:"),
        "{text}"
    );
    assert!(text.contains("1 = 1"), "{text}");
    let html = m.body_html(0).unwrap();
    assert!(
        html.contains("https://www.coalicion.example/informes/2018/mexico/impunidad-tortura-desapariciones-forzadas-version-final.html"),
        "{html}"
    );
    let files: Vec<(String, Vec<u8>)> = m
        .attachments()
        .map(|a| {
            (
                a.attachment_name().unwrap().to_string(),
                a.contents().to_vec(),
            )
        })
        .collect();
    assert_eq!(files.len(), 2);
    assert_eq!(files[0].0, REPORT);
    assert_eq!(files[0].1, report);
    assert_eq!(files[1].0, "briefing.txt");
    assert_eq!(
        files[1].1, b"Line one\nLine two\n",
        "the file's bytes, its LF line ends kept"
    );

    let bytes = c.read_bytes("out/default/lavrov.eml");
    let m = MessageParser::default().parse(&bytes).unwrap();
    let text = m.body_text(0).unwrap();
    let folded = text.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(folded.contains(RUSSIAN), "{text}");
    let raw = String::from_utf8(bytes.clone()).unwrap();
    assert!(
        raw.contains(
            "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n"
        ),
        "mostly Cyrillic text travels in base64"
    );
    assert_eq!(
        m.to().unwrap().first().unwrap().name(),
        Some("Сергей Лавров")
    );
}

#[test]
fn python_email_reads_every_part_without_a_defect() {
    if !interop_tool("python3") {
        return;
    }
    let c = rendered();
    let script = r#"
import email, email.policy, hashlib, sys
m = email.message_from_binary_file(open(sys.argv[1], 'rb'), policy=email.policy.default)
for part in m.walk():
    assert not part.defects, (part.get_content_type(), part.defects)
print(m['subject'])
print(m['from'].addresses[0].display_name)
print(m['to'].addresses[0].display_name)
print('|'.join(a.display_name for a in m['cc'].addresses))
print(m.get_body(('plain',)).get_content().splitlines()[0])
for a in m.iter_attachments():
    print(a.get_filename(), hashlib.sha256(a.get_payload(decode=True)).hexdigest())
"#;
    let run = |id: &str| {
        tool_stdout(
            std::process::Command::new("python3")
                .args(["-c", script])
                .arg(c.path().join(format!("out/default/{id}.eml")))
                .env("PYTHONIOENCODING", "utf-8"),
        )
    };
    let sha = |bytes: &[u8]| {
        use sha2::Digest;
        sha2::Sha256::digest(bytes)
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect::<String>()
    };
    // Python keeps the folding space between two encoded words of a display name, which RFC 2047 (6.2) says to drop
    // (mail-parser drops it): names are compared with runs of spaces folded.
    let out: String = run("amlo")
        .lines()
        .map(|l| {
            l.split(' ')
                .filter(|w| !w.is_empty())
                .collect::<Vec<_>>()
                .join(" ")
        })
        .collect::<Vec<_>>()
        .join("\n");
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(
        lines[..5],
        [
            "Derechos humanos en México: carta urgente a Andrés Manuel López Obrador, Presidente electo sobre la impunidad, la tortura y las desapariciones",
            "Lucía Ramírez-Gonçalves, Coordinadora",
            "Andrés Manuel López Obrador, Presidente electo",
            "|Jürgen Groß",
            "Estimado Andrés Manuel López Obrador, Presidente electo:",
        ],
        "{out}"
    );
    assert_eq!(
        lines[5],
        format!(
            "{REPORT} {}",
            sha(&c.read_bytes(&format!("attachments/{REPORT}")))
        )
    );
    assert_eq!(
        lines[6],
        format!("briefing.txt {}", sha(b"Line one\nLine two\n"))
    );
    let out = run("lavrov");
    assert!(out.lines().any(|l| l == "Сергей Лавров"), "{out}");
}
