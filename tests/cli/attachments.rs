//! Attachment names: the attached PDF is named for what it is and to whom (`attachment_name` in the front matter, by
//! default from the subject and the addressees), so an office receiving several letters gets files it can tell
//! apart; files of `attachments:` keep their own names. Names are read back by real MIME parsers (mail-parser and
//! Python's `email`).

use crate::harness::Campaign;

const MANIFEST: &str = "[vars]\nlang = \"en\"\n";

/// A letter whose front matter says `attachment_name: NAME` (and attaches nothing: the name is validated for every
/// letter, whatever the format).
fn named(name: &str, value: &str) -> Campaign {
    Campaign::small(
        MANIFEST,
        &format!(
            "---\nfrom: 'Coalition <c@coalition.example>'\nto: '{{{{email}}}}'\nattachment_name: '{name}'\n---\nDear {{{{name}}}},\n"
        ),
        "id,name,email",
        &[&format!("epn,{value},epn@presidencia.example")],
    )
}

#[test]
fn an_attachment_name_with_a_path_separator_is_refused_with_its_line() {
    for value in ["../../etc/passwd", "a\\b"] {
        let c = named("Carta {{name}}", value);
        let run = c.render(&["--format", "txt"]);
        let err = run.fails_with(1);
        assert!(err.contains("templates/letter.hbs:4"), "{run}");
        assert!(err.contains("path separator"), "{run}");
        assert!(err.contains("letter default/epn"), "{run}");
    }
}

#[test]
fn an_attachment_name_with_a_control_character_is_refused_and_check_says_so() {
    let c = named("Carta {{name}}", "\"Peña\tNieto\"");
    let run = c.check(&[]);
    let err = run.fails_with(1);
    assert!(err.contains("control character"), "{run}");
    assert!(err.contains("templates/letter.hbs:4"), "{run}");
}

#[test]
fn an_unknown_name_in_attachment_name_is_a_check_error() {
    let c = named("Carta {{nmae}}", "Peña Nieto");
    let run = c.check(&[]);
    let err = run.fails_with(1);
    assert!(err.contains("`nmae` is not a column"), "{run}");
}

#[cfg(feature = "pdf")]
mod pdf {
    use std::collections::BTreeMap;

    use mail_parser::{MessageParser, MimeHeaders};

    use crate::harness::{interop_tool, Campaign};

    /// The file names of a message's attachments, as mail-parser reads them.
    fn attachment_names(eml: &[u8]) -> Vec<String> {
        let msg = MessageParser::default()
            .parse(eml)
            .expect("the message parses");
        msg.attachments()
            .map(|a| a.attachment_name().expect("a named attachment").to_string())
            .collect()
    }

    #[test]
    fn the_example_letters_attach_pdfs_named_by_subject_and_addressee() {
        let c = Campaign::example();
        c.render(&["--format", "eml"]).success();
        let sos = attachment_names(&c.read_bytes("out/coalition/sos.eml"));
        assert_eq!(
            sos,
            [
                "mexico-briefing-2018.txt",
                "Human rights in Mexico on the occasion of the U.S.… - Secretary Pompeo (coalition).pdf",
            ]
        );
        let sfrc = attachment_names(&c.read_bytes("out/coalition/sfrc.eml"));
        assert!(
            sfrc[1].ends_with(" - Chairman Corker and Ranking Member Menendez (coalition).pdf"),
            "{sfrc:?}"
        );
        let wola = attachment_names(&c.read_bytes("out/each/sos-wola.eml"));
        assert!(
            wola[1].ends_with(
                " - Secretary Pompeo - Washington Office on Latin America (WOLA) (each).pdf"
            ),
            "{wola:?}"
        );
        // (The President-elect's letter goes by hand, so it has no message; the Foreign Minister's does.)
        let sre = attachment_names(&c.read_bytes("out/es/sre.eml"));
        assert!(
            sre[0].starts_with("Derechos humanos en México con motivo de"),
            "{sre:?}"
        );
        assert!(
            sre[0].ends_with(" - Secretario Videgaray Caso.pdf"),
            "{sre:?}"
        );
    }

    #[test]
    fn no_office_of_the_example_gets_two_attachments_of_one_name() {
        let c = Campaign::example();
        c.render(&["--format", "eml"]).success();
        let mut by_office: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for f in c.all_out_files() {
            let bytes = c.read_bytes(&format!("out/{f}"));
            let msg = MessageParser::default().parse(&bytes).expect("a message");
            let to: Vec<String> = msg
                .to()
                .expect("a To")
                .iter()
                .filter_map(|a| a.address().map(str::to_string))
                .collect();
            for name in attachment_names(&bytes)
                .into_iter()
                .filter(|n| n.ends_with(".pdf"))
            {
                for office in &to {
                    by_office
                        .entry(office.clone())
                        .or_default()
                        .push(name.clone());
                }
            }
        }
        let pompeo = &by_office["secretary@state.example"];
        assert_eq!(
            pompeo.len(),
            9,
            "coalition, us and seven per-signatory letters: {pompeo:?}"
        );
        for (office, names) in &by_office {
            let mut distinct = names.clone();
            distinct.sort();
            distinct.dedup();
            assert_eq!(
                distinct.len(),
                names.len(),
                "{office} gets two files of one name: {names:?}"
            );
        }
    }

    /// A Spanish letter whose attachment names the addressee with accents.
    fn pena_nieto() -> Campaign {
        Campaign::small(
            super::MANIFEST,
            "---\nfrom: 'Coalition <c@coalition.example>'\nto: '{{mailbox name email}}'\nsubject: 'Derechos humanos'\nattach_pdf: true\nattachment_name: 'Carta a {{name}}'\n---\nEstimado {{name}}:\n",
            "id,name,email",
            &["epn,Enrique Peña Nieto,epn@presidencia.example"],
        )
    }

    #[test]
    fn a_non_ascii_attachment_name_round_trips_through_mail_parser() {
        let c = pena_nieto();
        c.render(&["--format", "eml"]).success();
        let bytes = c.read_bytes("out/default/epn.eml");
        assert_eq!(attachment_names(&bytes), ["Carta a Enrique Peña Nieto.pdf"]);
        let text = String::from_utf8(bytes).expect("UTF-8");
        let headers_ascii = text
            .lines()
            .filter(|l| l.to_ascii_lowercase().contains("filename"))
            .all(str::is_ascii);
        assert!(headers_ascii, "raw 8-bit text in a file name:\n{text}");
    }

    #[test]
    fn a_non_ascii_attachment_name_round_trips_through_python_email() {
        if !interop_tool("python3") {
            return;
        }
        let c = pena_nieto();
        c.render(&["--format", "eml"]).success();
        let script = "import email, email.policy, sys; \
                      m = email.message_from_binary_file(open(sys.argv[1],'rb'), policy=email.policy.default); \
                      [print(p.get_filename(), p.get_content_type()) for p in m.iter_attachments()]";
        let out = crate::harness::tool_stdout(
            std::process::Command::new("python3")
                .args(["-c", script])
                .arg(c.file("out/default/epn.eml"))
                .env("PYTHONIOENCODING", "utf-8"),
        );
        assert_eq!(out.trim(), "Carta a Enrique Peña Nieto.pdf application/pdf");
    }
}
