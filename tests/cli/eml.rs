//! `render --format eml`: the message `send` would send, read back by real MIME parsers (the `mail-parser` crate and
//! Python's `email` with `policy.default`): UTF-8 headers decode to what the tables hold, both parts are there, and
//! the Message-ID and Date are deterministic (README, "Formats").

use crate::harness::{interop_tool, Campaign};
use mail_parser::{Message, MessageParser, MimeHeaders, PartType};

const MANIFEST: &str = r#"[vars]
sender_name  = "Marselha Gonçalves Margerin"
sender_email = "marselha@aiusa.example"
"#;

const TEMPLATE: &str = r#"---
from: '{{mailbox vars.sender_name vars.sender_email}}'
to: '{{mailbox name email}}'
cc: '{{cc}}'
bcc: 'archive@coalition.example'
reply_to: '{{mailbox "Lucía Ramírez" "lucia@coalition.example"}}'
subject: 'Derechos humanos en México: carta a {{name}}'
---
{{date today}}

Dear {{name}},

We write to you about {{topic}}.

Sincerely,

{{vars.sender_name}}
"#;

const HEADER: &str = "id,name,email,cc,topic";
const EPN: &str = "epn,Enrique Peña Nieto,epn@presidencia.example,aide.one@presidencia.example;aide.two@presidencia.example,impunity";
const AMLO: &str = "amlo,Andrés Manuel López Obrador,amlo@transicion.example,,torture";

fn campaign() -> Campaign {
    Campaign::small(MANIFEST, TEMPLATE, HEADER, &[EPN, AMLO])
}

fn rendered() -> Campaign {
    let c = campaign();
    c.render(&["--format", "eml"]).success();
    c
}

fn parse(bytes: &[u8]) -> Message<'_> {
    MessageParser::default()
        .parse(bytes)
        .expect("mail-parser reads the message")
}

/// The header section, as written (up to the first empty line).
fn raw_headers(bytes: &[u8]) -> String {
    let text = String::from_utf8(bytes.to_vec()).expect("an .eml is ASCII/UTF-8");
    let end = text
        .find("\r\n\r\n")
        .or_else(|| text.find("\n\n"))
        .expect("a header section");
    text[..end].to_string()
}

#[test]
fn from_to_and_subject_decode_to_the_original_utf8() {
    let c = rendered();
    let bytes = c.read_bytes("out/default/epn.eml");
    let m = parse(&bytes);
    let from = m.from().and_then(|a| a.first()).expect("From");
    assert_eq!(from.name(), Some("Marselha Gonçalves Margerin"));
    assert_eq!(from.address(), Some("marselha@aiusa.example"));
    let to = m.to().and_then(|a| a.first()).expect("To");
    assert_eq!(to.name(), Some("Enrique Peña Nieto"));
    assert_eq!(to.address(), Some("epn@presidencia.example"));
    assert_eq!(
        m.subject(),
        Some("Derechos humanos en México: carta a Enrique Peña Nieto")
    );

    let bytes = c.read_bytes("out/default/amlo.eml");
    let m = parse(&bytes);
    assert_eq!(
        m.to().and_then(|a| a.first()).and_then(|a| a.name()),
        Some("Andrés Manuel López Obrador")
    );
    assert_eq!(
        m.subject(),
        Some("Derechos humanos en México: carta a Andrés Manuel López Obrador")
    );
}

#[test]
fn headers_are_written_as_ascii_encoded_words() {
    let c = rendered();
    let headers = raw_headers(&c.read_bytes("out/default/epn.eml"));
    assert!(
        headers.is_ascii(),
        "raw 8-bit text in the headers:\n{headers}"
    );
    assert!(
        headers.contains("=?utf-8?") || headers.contains("=?UTF-8?"),
        "{headers}"
    );
}

#[test]
fn a_text_part_and_an_html_part_are_both_present() {
    let c = rendered();
    let bytes = c.read_bytes("out/default/epn.eml");
    let m = parse(&bytes);
    assert_eq!(
        m.content_type().map(|t| (t.ctype(), t.subtype())),
        Some(("multipart", Some("alternative")))
    );
    let kinds: Vec<(String, Option<String>)> = m
        .parts
        .iter()
        .filter_map(|p| {
            p.content_type()
                .map(|t| (t.ctype().to_string(), t.subtype().map(str::to_string)))
        })
        .collect();
    assert!(
        kinds.contains(&("text".into(), Some("plain".into()))),
        "{kinds:?}"
    );
    assert!(
        kinds.contains(&("text".into(), Some("html".into()))),
        "{kinds:?}"
    );
    assert!(m.parts.iter().any(|p| matches!(p.body, PartType::Text(_))));
    assert!(m.parts.iter().any(|p| matches!(p.body, PartType::Html(_))));

    let text = m.body_text(0).expect("the text part");
    assert!(text.contains("Dear Enrique Peña Nieto,"), "{text}");
    assert!(text.contains("July 11, 2018"), "{text}");
    assert!(text.contains("We write to you about impunity."), "{text}");
    let html = m.body_html(0).expect("the html part");
    assert!(html.contains("Dear Enrique Peña Nieto,"), "{html}");
    assert!(html.contains("<p>"), "{html}");
}

#[test]
fn message_id_is_hash_variant_and_key_at_the_sender_domain() {
    let c = rendered();
    for key in ["epn", "amlo"] {
        let bytes = c.read_bytes(&format!("out/default/{key}.eml"));
        let id = parse(&bytes)
            .message_id()
            .expect("a Message-ID")
            .to_string();
        let (local, domain) = id.split_once('@').unwrap_or_else(|| panic!("{id}"));
        assert_eq!(domain, "aiusa.example", "{id}");
        let parts: Vec<&str> = local.split('.').collect();
        assert_eq!(parts.len(), 3, "{id}");
        assert_eq!(parts[0].len(), 16, "{id}");
        assert!(parts[0].chars().all(|c| c.is_ascii_hexdigit()), "{id}");
        assert_eq!(&parts[1..], ["default", key], "{id}");
        assert!(
            raw_headers(&bytes).contains(&format!("<{id}>")),
            "Message-ID not in angle brackets"
        );
    }
}

#[test]
fn message_id_follows_the_content() {
    let c = rendered();
    let id = |c: &Campaign, key: &str| {
        let bytes = c.read_bytes(&format!("out/default/{key}.eml"));
        parse(&bytes)
            .message_id()
            .map(str::to_string)
            .expect("a Message-ID")
    };
    let (epn, amlo) = (id(&c, "epn"), id(&c, "amlo"));
    assert_ne!(epn[..16], amlo[..16]);
    c.write(
        "recipients/officials.csv",
        format!(
            "{HEADER}\n{}\n{AMLO}\n",
            EPN.replace("impunity", "migrants")
        ),
    );
    c.render(&["--format", "eml"]).success();
    assert_ne!(id(&c, "epn"), epn, "a changed letter kept its Message-ID");
    assert_eq!(
        id(&c, "amlo"),
        amlo,
        "an unchanged letter got a new Message-ID"
    );
}

#[test]
fn date_is_the_render_date_at_midnight_utc() {
    let c = rendered();
    let bytes = c.read_bytes("out/default/epn.eml");
    let m = parse(&bytes);
    let d = m.date().expect("a Date");
    assert_eq!(
        (d.year, d.month, d.day, d.hour, d.minute, d.second),
        (2018, 7, 11, 0, 0, 0)
    );
    assert_eq!((d.tz_hour, d.tz_minute), (0, 0));
    assert!(
        raw_headers(&bytes).contains("Date: Wed, 11 Jul 2018 00:00:00 +0000"),
        "{}",
        raw_headers(&bytes)
    );
}

#[test]
fn bcc_is_kept_in_the_eml_file() {
    let c = rendered();
    let bytes = c.read_bytes("out/default/epn.eml");
    let m = parse(&bytes);
    let bcc: Vec<&str> = m
        .bcc()
        .expect("a Bcc header")
        .iter()
        .filter_map(|a| a.address())
        .collect();
    assert_eq!(bcc, ["archive@coalition.example"]);
}

#[test]
fn a_semicolon_separated_cell_gives_several_addresses_and_an_empty_one_none() {
    let c = rendered();
    let bytes = c.read_bytes("out/default/epn.eml");
    let cc: Vec<String> = parse(&bytes)
        .cc()
        .expect("a Cc header")
        .iter()
        .filter_map(|a| a.address().map(str::to_string))
        .collect();
    assert_eq!(
        cc,
        [
            "aide.one@presidencia.example",
            "aide.two@presidencia.example"
        ]
    );
    let bytes = c.read_bytes("out/default/amlo.eml");
    assert!(
        parse(&bytes).cc().is_none(),
        "an empty cc cell made a Cc header"
    );
}

#[test]
fn reply_to_decodes_to_the_original_utf8() {
    let c = rendered();
    let bytes = c.read_bytes("out/default/epn.eml");
    let m = parse(&bytes);
    let r = m.reply_to().and_then(|a| a.first()).expect("Reply-To");
    assert_eq!(
        (r.name(), r.address()),
        (Some("Lucía Ramírez"), Some("lucia@coalition.example"))
    );
}

#[test]
fn every_format_is_byte_identical_across_two_renders() {
    let (a, b) = (campaign(), campaign());
    for c in [&a, &b] {
        c.render(&["--format", "txt,md,html,eml"]).success();
    }
    let files = a.all_out_files();
    assert_eq!(files.len(), 8, "{files:?}");
    assert_eq!(files, b.all_out_files());
    for f in files {
        let rel = format!("out/{f}");
        assert!(
            a.read_bytes(&rel) == b.read_bytes(&rel),
            "{rel} differs between two renders"
        );
    }
}

#[test]
fn a_letter_without_a_sender_is_not_written_as_eml() {
    let c = Campaign::small(
        MANIFEST,
        &TEMPLATE.replace(
            "from: '{{mailbox vars.sender_name vars.sender_email}}'\n",
            "",
        ),
        HEADER,
        &[EPN],
    );
    let run = c.render(&["--format", "eml"]);
    let stderr = run.fails_with(1);
    assert!(
        stderr.contains("from"),
        "the message does not say what is missing:\n{run}"
    );
    assert!(!c.path().join("out/default/epn.eml").exists());
}

#[test]
fn python_email_reads_the_message_back() {
    if !interop_tool("python3") {
        return;
    }
    let c = rendered();
    let script = "import email, email.policy, sys; \
                  m = email.message_from_binary_file(open(sys.argv[1],'rb'), policy=email.policy.default); \
                  print(m['subject']); print(m['to']); print(m.get_body(('plain',)).get_content())";
    let stdout = crate::harness::tool_stdout(
        std::process::Command::new("python3")
            .args(["-c", script])
            .arg(c.path().join("out/default/epn.eml"))
            .env("PYTHONIOENCODING", "utf-8"),
    );
    let mut lines = stdout.lines();
    assert_eq!(
        lines.next(),
        Some("Derechos humanos en México: carta a Enrique Peña Nieto"),
        "{stdout}"
    );
    assert_eq!(
        lines.next(),
        Some("Enrique Peña Nieto <epn@presidencia.example>"),
        "{stdout}"
    );
    let body: Vec<&str> = lines.collect();
    assert!(body.contains(&"Dear Enrique Peña Nieto,"), "{stdout}");
    assert!(body.contains(&"Marselha Gonçalves Margerin"), "{stdout}");
}
