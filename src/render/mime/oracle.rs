//! The writer against lettre's builder, which wrote every message before it: on random messages (names, subjects,
//! texts and file names in and out of ASCII, long ones, line ends of every kind), the two give the same bytes. lettre
//! is told to send attachments as base64, the writer's one deliberate difference (see the module's comment).

use std::time::{Duration, UNIX_EPOCH};

use lettre::message::header::{ContentDisposition, ContentTransferEncoding, ContentType};
use lettre::message::{Mailbox, MultiPart, SinglePart};
use proptest::prelude::*;

use super::{write, Message, Part};

/// The message as `eml::build` made it with lettre until the writer replaced it.
fn with_lettre(m: &Message) -> Vec<u8> {
    let secs = m
        .date
        .and_hms_opt(0, 0, 0)
        .map_or(0, |d| d.and_utc().timestamp());
    let mut b = lettre::Message::builder()
        .from(m.from.clone())
        .subject(m.subject)
        .date(UNIX_EPOCH + Duration::from_secs(secs.max(0) as u64))
        .message_id(Some(m.message_id.to_string()));
    for x in m.to {
        b = b.to(x.clone());
    }
    for x in m.cc {
        b = b.cc(x.clone());
    }
    for x in m.bcc {
        b = b.bcc(x.clone());
    }
    for x in m.reply_to {
        b = b.reply_to(x.clone());
    }
    let b = b.keep_bcc();
    let alternative = MultiPart::alternative()
        .boundary(format!("alt-{}", m.boundary_tag))
        .singlepart(SinglePart::plain(m.text.to_string()))
        .singlepart(SinglePart::html(m.html.to_string()));
    let body = if m.attachments.is_empty() {
        alternative
    } else {
        let mut mixed = MultiPart::mixed()
            .boundary(format!("mix-{}", m.boundary_tag))
            .multipart(alternative);
        for a in m.attachments {
            mixed = mixed.singlepart(
                SinglePart::builder()
                    .header(ContentDisposition::attachment(a.name))
                    .header(ContentType::parse(a.content_type).unwrap())
                    .header(ContentTransferEncoding::Base64)
                    .body(a.bytes.to_vec()),
            );
        }
        mixed
    };
    b.multipart(body).unwrap().formatted()
}

fn mailbox() -> impl Strategy<Value = Mailbox> {
    let name = prop_oneof![
        Just(None),
        "[A-Za-z]{1,12}".prop_map(Some),
        "[A-Za-z]{1,10} [A-Za-z .,]{1,20}".prop_map(Some),
        "[A-Za-záéíóúñç ]{1,40}".prop_map(Some),
        "[A-Za-z\"\\\\ ]{1,20}".prop_map(Some),
        "[a-zA-Z ]{60,90}".prop_map(Some),
    ];
    (name, "[a-z]{1,12}", "[a-z]{1,10}").prop_map(|(name, user, domain)| {
        let email = format!("{user}@{domain}.example").parse().unwrap();
        Mailbox::new(
            name.map(|n: String| n.trim().to_string())
                .filter(|n| !n.is_empty()),
            email,
        )
    })
}

fn text() -> impl Strategy<Value = String> {
    proptest::collection::vec(
        prop_oneof![
            "[a-zA-Z.,]{1,12}",
            " {1,2}",
            "\n",
            "\n\n",
            "[a-záéñ]{1,10}",
            "[Привет]{1,30}",
            "[a-z]{70,100}",
            "=",
            "\t",
            "\r",
        ],
        0..80,
    )
    .prop_map(|p| p.concat())
}

fn subject() -> impl Strategy<Value = String> {
    proptest::collection::vec(
        prop_oneof![
            "[A-Za-z:]{1,12}",
            "[a-záéñ]{1,10}",
            Just(" ".to_string()),
            "[Ωλ]{1,5}"
        ],
        1..30,
    )
    .prop_map(|p| p.concat())
}

fn file_name() -> impl Strategy<Value = String> {
    prop_oneof![
        "[a-z]{1,20}\\.pdf",
        "[A-Za-z ]{1,100}\\.pdf",
        "[A-Za-zñé \\-]{1,70}\\.pdf",
        "[a-z\"\\\\]{1,20}\\.txt",
    ]
}

#[derive(Debug)]
struct Case {
    from: Mailbox,
    to: Vec<Mailbox>,
    cc: Vec<Mailbox>,
    bcc: Vec<Mailbox>,
    reply_to: Vec<Mailbox>,
    subject: String,
    text: String,
    html: String,
    files: Vec<(String, String, Vec<u8>)>,
}

fn case() -> impl Strategy<Value = Case> {
    let lists = (
        proptest::collection::vec(mailbox(), 1..4),
        proptest::collection::vec(mailbox(), 0..3),
        proptest::collection::vec(mailbox(), 0..2),
        proptest::collection::vec(mailbox(), 0..2),
    );
    let content_type = prop_oneof![
        Just("application/pdf".to_string()),
        Just("text/plain; charset=utf-8".to_string()),
        Just("application/vnd.openxmlformats-officedocument.wordprocessingml.document".to_string()),
    ];
    let files = proptest::collection::vec(
        (
            file_name(),
            content_type,
            proptest::collection::vec(any::<u8>(), 0..300),
        ),
        0..3,
    );
    (mailbox(), lists, subject(), text(), text(), files).prop_map(
        |(from, (to, cc, bcc, reply_to), subject, text, html, files)| Case {
            from,
            to,
            cc,
            bcc,
            reply_to,
            subject,
            text,
            html,
            files,
        },
    )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn the_writer_gives_the_bytes_lettre_gave(c in case()) {
        let parts: Vec<Part> = c
            .files
            .iter()
            .map(|(name, content_type, bytes)| Part { name, content_type, bytes })
            .collect();
        let m = Message {
            from: &c.from,
            to: &c.to,
            cc: &c.cc,
            bcc: &c.bcc,
            reply_to: &c.reply_to,
            subject: &c.subject,
            date: chrono::NaiveDate::from_ymd_opt(2018, 7, 11).unwrap(),
            message_id: "<0021aebf38f9577a.default.amlo@aiusa.example>",
            boundary_tag: "0021aebf38f9577aafeae3d53b43714d",
            text: &c.text,
            html: &c.html,
            attachments: &parts,
        };
        let ours = String::from_utf8(write(&m)).unwrap();
        let theirs = String::from_utf8(with_lettre(&m)).unwrap();
        prop_assert_eq!(ours, theirs);
    }
}

#[test]
fn dates_before_1970_show_the_epoch_as_lettre_did() {
    let day = chrono::NaiveDate::from_ymd_opt(1969, 7, 20).unwrap();
    assert_eq!(super::date(day), "Thu, 01 Jan 1970 00:00:00 +0000");
}

#[test]
fn dates_are_chrono_s_to_the_digit() {
    let mut day = chrono::NaiveDate::from_ymd_opt(1970, 1, 1).unwrap();
    let last = chrono::NaiveDate::from_ymd_opt(9999, 12, 31).unwrap();
    while day <= last {
        let chrono = day.format("%a, %d %b %Y 00:00:00 +0000").to_string();
        assert_eq!(super::date(day), chrono);
        day += chrono::Duration::days(997);
    }
    assert_eq!(super::date(last), "Fri, 31 Dec 9999 00:00:00 +0000");
}
