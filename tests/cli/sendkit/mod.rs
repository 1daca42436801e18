//! What the end-to-end tests of `send`, `status` and `mark` share: a small campaign in a temporary folder whose
//! `[smtp]` points at a real SMTP server on 127.0.0.1 (`crate::smtp_server::TestServer`), the binary run on it, and the checks
//! that a received message is the letter `render --format eml` makes.
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::path::Path;

use mail_parser::{Message, MessageParser};

use crate::harness::{Campaign, Run, DATE};
use crate::smtp_server::{TestServer, PASSWORD, USER};

pub const TEMPLATE: &str = r#"---
from: '{{mailbox "Marselha Gonçalves Margerin" "marselha@coalition.example"}}'
to: '{{mailbox (addressee) email}}'
bcc: 'archive@coalition.example'
subject: 'Human rights in Mexico: {{topic}}'
---
{{date today}}

{{addressee}}

{{salutation}},

{{#each (rows "issues" issues)}}
{{paragraph}}

{{/each}}
Sincerely,

{{#each signatories}}
{{organization}}
{{/each}}
"#;

pub const HEADER: &str = "id,title,first_name,last_name,gender,email,channel,topic,issues";
pub const SOS: &str = "sos,Secretary of State,Mike,Pompeo,male,secretary@state.example,email,the rule of law,impunity;torture";
pub const EPN: &str =
    "epn,Governor,Enrique,Peña Nieto,male,epn@presidencia.example,email,impunity,impunity";
pub const RUBIO: &str =
    "rubio,Senator,Marco,Rubio,male,senator@rubio.senate.example,email,torture,torture";

pub const ORGANIZATIONS: &str = "id,organization,status\n\
    wola,Washington Office on Latin America,signed\n\
    aiusa,Amnesty International USA,signed\n\
    lawg,Latin America Working Group,pending\n";

pub const ISSUES: &str = "id,paragraph\n\
    impunity,Abuses by the security forces still almost never lead to punishment.\n\
    torture,Torture and enforced disappearance remain widespread.\n";

/// Every envelope recipient of the three standard letters (`bcc` included).
pub const ARCHIVE: &str = "archive@coalition.example";

/// The manifest, with `extra` (variants…) before the `[smtp]` table `smtp` (empty: none).
pub fn manifest(extra: &str, smtp: &str) -> String {
    format!(
        r#"[letter]
template   = "templates/letter.hbs"
recipients = "recipients/officials.csv"

[tables]
organizations = "recipients/organizations.csv"
issues        = "recipients/issues.csv"

[signatories]
table = "organizations"
where = {{ status = "signed" }}
sort  = "organization"
{extra}
{smtp}"#
    )
}

/// `[smtp]` for a plain test server on 127.0.0.1, with `more` lines added.
pub fn smtp_plain(server: &TestServer, more: &str) -> String {
    format!(
        "[smtp]\nhost = \"127.0.0.1\"\nport = {}\nsecurity = \"none\"\ntimeout = 5\n{more}",
        server.port
    )
}

/// `[smtp]` for a TLS test server ("starttls" or "tls"), trusting the test CA.
pub fn smtp_tls(server: &TestServer, security: &str, more: &str) -> String {
    format!(
        "[smtp]\nhost = \"localhost\"\nport = {}\nsecurity = \"{security}\"\nca_file = {:?}\ntimeout = 5\n{more}",
        server.port,
        server.ca_pem_path.display().to_string()
    )
}

/// `username = …` for the test server's account.
pub fn login() -> String {
    format!("username = \"{USER}\"\n")
}

/// A campaign of `rows` (officials.csv lines under [`HEADER`]) with the standard template and tables.
pub fn campaign(extra: &str, smtp: &str, rows: &[&str]) -> Campaign {
    let c = Campaign::small(&manifest(extra, smtp), TEMPLATE, HEADER, rows);
    c.write("recipients/organizations.csv", ORGANIZATIONS);
    c.write("recipients/issues.csv", ISSUES);
    c
}

/// The three standard letters (sos, epn, rubio) through `server`, plain, no login.
pub fn three(server: &TestServer) -> Campaign {
    campaign("", &smtp_plain(server, ""), &[SOS, EPN, RUBIO])
}

/// `lettermerge send --date 2018-07-11 ARGS…` with no password in the environment.
pub fn send(c: &Campaign, args: &[&str]) -> Run {
    send_env(c, args, None)
}

/// `send`, with `LETTERMERGE_SMTP_PASSWORD` set to `password` when given.
pub fn send_env(c: &Campaign, args: &[&str], password: Option<&str>) -> Run {
    let mut cmd = c.cmd();
    cmd.env_remove("LETTERMERGE_SMTP_PASSWORD");
    if let Some(p) = password {
        cmd.env("LETTERMERGE_SMTP_PASSWORD", p);
    }
    cmd.arg("send").arg("--date").arg(DATE).args(args);
    Run::from(cmd.output().expect("run lettermerge send"))
}

/// `send --yes` with the right password.
pub fn send_logged_in(c: &Campaign, args: &[&str]) -> Run {
    let mut all = vec!["--yes"];
    all.extend_from_slice(args);
    send_env(c, &all, Some(PASSWORD))
}

/// Any other subcommand.
pub fn lm(c: &Campaign, args: &[&str]) -> Run {
    let mut cmd = c.cmd();
    cmd.env_remove("LETTERMERGE_SMTP_PASSWORD");
    cmd.args(args);
    Run::from(cmd.output().expect("run lettermerge"))
}

/// `status --json`, parsed.
pub fn status_json(c: &Campaign, args: &[&str]) -> serde_json::Value {
    let mut all = vec!["status", "--json"];
    all.extend_from_slice(args);
    let run = lm(c, &all).success();
    serde_json::from_str(&run.stdout()).unwrap_or_else(|e| panic!("status --json: {e}\n{run}"))
}

/// Each letter id in `status --json` with its state.
pub fn states(c: &Campaign) -> BTreeMap<String, String> {
    let s = status_json(c, &[]);
    s["letters"]
        .as_array()
        .expect("letters")
        .iter()
        .map(|l| {
            (
                l["id"].as_str().unwrap().to_string(),
                l["state"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

/// The journal's records, parsed (empty when there is none).
pub fn journal(c: &Campaign) -> Vec<serde_json::Value> {
    let path = c.path().join(".lettermerge/journal.jsonl");
    let Ok(text) = std::fs::read_to_string(path) else {
        return Vec::new();
    };
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .filter_map(|l| serde_json::from_str(l).ok())
        .collect()
}

/// The ids the journal records in `state`.
pub fn journaled(c: &Campaign, state: &str) -> Vec<String> {
    journal(c)
        .iter()
        .filter(|r| r["state"] == state)
        .map(|r| r["id"].as_str().unwrap().to_string())
        .collect()
}

/// How many messages each envelope recipient got, over everything the server accepted.
pub fn per_recipient(server: &TestServer) -> BTreeMap<String, usize> {
    let mut n = BTreeMap::new();
    for r in server.received() {
        for to in r.to {
            *n.entry(to).or_insert(0) += 1;
        }
    }
    n
}

/// `render --format eml` of the campaign into a folder of its own; returns `VARIANT/KEY` → bytes.
pub fn rendered_emls(c: &Campaign) -> BTreeMap<String, Vec<u8>> {
    let out = tempfile::tempdir().unwrap();
    c.render(&["--format", "eml", "--out", out.path().to_str().unwrap()])
        .success();
    let mut emls = BTreeMap::new();
    collect_emls(out.path(), out.path(), &mut emls);
    emls
}

fn collect_emls(root: &Path, dir: &Path, out: &mut BTreeMap<String, Vec<u8>>) {
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let p = entry.path();
        if p.is_dir() {
            collect_emls(root, &p, out);
        } else if p.extension().is_some_and(|e| e == "eml") {
            let rel = p.strip_prefix(root).unwrap().with_extension("");
            out.insert(
                rel.to_string_lossy().replace('\\', "/"),
                std::fs::read(&p).unwrap(),
            );
        }
    }
}

pub fn parse(bytes: &[u8]) -> Message<'_> {
    MessageParser::default()
        .parse(bytes)
        .expect("mail-parser reads the message")
}

/// The received message is the rendered one: the same headers (name and raw value, in order) except `Bcc`, which
/// the rendered file keeps and the received data must not hold, and `Date`, which is the moment of sending (checked
/// in honest_email.rs), and the same text and HTML. `skip` names headers a relay may add (e.g. `Received`).
pub fn assert_same_message(received: &[u8], rendered: &[u8], skip: &[&str]) {
    let got = parse(received);
    let want = parse(rendered);
    assert!(
        want.header_raw("Bcc").is_some(),
        "render --format eml keeps Bcc"
    );
    assert!(
        got.header_raw("Bcc").is_none(),
        "Bcc travelled in the message:\n{}",
        String::from_utf8_lossy(received)
    );
    let bytes = String::from_utf8_lossy(received).to_ascii_lowercase();
    assert!(!bytes.contains(ARCHIVE), "the Bcc address is in the data");
    let headers = |m: &Message, skip: &[&str]| -> Vec<(String, String)> {
        m.headers_raw()
            .filter(|(n, _)| !n.eq_ignore_ascii_case("bcc") && !n.eq_ignore_ascii_case("date"))
            .filter(|(n, _)| !skip.iter().any(|s| n.eq_ignore_ascii_case(s)))
            .map(|(n, v)| (n.to_string(), v.to_string()))
            .collect()
    };
    assert_eq!(headers(&got, skip), headers(&want, &[]), "headers differ");
    assert_eq!(got.subject(), want.subject());
    assert_eq!(got.message_id(), want.message_id());
    assert_eq!(got.from(), want.from());
    assert_eq!(got.to(), want.to());
    assert_eq!(got.body_text(0), want.body_text(0), "text part differs");
    assert_eq!(got.body_html(0), want.body_html(0), "HTML part differs");
    assert!(got.body_text(0).is_some_and(|t| t.contains("Sincerely")));
    assert_eq!(got.attachment_count(), want.attachment_count());
}

/// Every file under `dir` (recursively) that contains `needle`.
pub fn files_containing(dir: &Path, needle: &str) -> Vec<String> {
    let mut hits = Vec::new();
    let Ok(entries) = std::fs::read_dir(dir) else {
        return hits;
    };
    for entry in entries.flatten() {
        let p = entry.path();
        if p.is_dir() {
            hits.extend(files_containing(&p, needle));
        } else if let Ok(bytes) = std::fs::read(&p) {
            if bytes.windows(needle.len()).any(|w| w == needle.as_bytes()) {
                hits.push(p.display().to_string());
            }
        }
    }
    hits
}
