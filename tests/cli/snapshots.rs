//! Snapshots (insta) of the Secretary of State's letter in txt, md and html, and of a small campaign's eml: any
//! change to what a letter says or how a format lays it out shows up as a reviewed diff. Accept a deliberate change
//! with `cargo insta review` (or `INSTA_UPDATE=always cargo test --test snapshots`) and commit tests/snapshots/.

use crate::harness::Campaign;

fn sos(format: &str) -> String {
    let c = Campaign::example();
    c.render(&["--format", format, "--only", "coalition/sos"])
        .success();
    c.read(&format!("out/coalition/sos.{format}"))
}

#[test]
fn secretary_of_state_letter_txt() {
    insta::assert_snapshot!("sos_txt", sos("txt"));
}

#[test]
fn secretary_of_state_letter_md() {
    insta::assert_snapshot!("sos_md", sos("md"));
}

#[test]
fn secretary_of_state_letter_html() {
    insta::assert_snapshot!("sos_html", sos("html"));
}

#[test]
fn a_small_letter_eml() {
    let c = Campaign::small(
        "[vars]\nsender_name = \"Marselha Gonçalves Margerin\"\nsender_email = \"marselha@aiusa.example\"\n",
        "---
from: '{{mailbox vars.sender_name vars.sender_email}}'
to: '{{mailbox name email}}'
bcc: 'archive@coalition.example'
subject: 'Derechos humanos: carta a {{name}}'
---
{{date today}}

Dear {{name}},

We write to you about {{topic}}.

Sincerely,

{{vars.sender_name}}
",
        "id,name,email,topic",
        &["amlo,Andrés Manuel López Obrador,amlo@transicion.example,*impunity* & <torture>"],
    );
    c.render(&["--format", "eml"]).success();
    // CRLF line ends are part of the message; shown as LF so the snapshot file stays readable.
    insta::assert_snapshot!(
        "small_eml",
        c.read("out/default/amlo.eml").replace("\r\n", "\n")
    );
}
