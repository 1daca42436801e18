//! Every letter, on every channel, is planned, tracked and reported (issue 11): an email is sent, a web-form letter
//! and a hand-delivered one are listed by `send` with what to do, appear in `status`, take `mark` (by id or by a
//! bare key), and appear on the delivery sheet, which is read back with `scraper`.

use scraper::{Html, Selector};
use serde_json::Value;

use crate::harness::Campaign;
use crate::sendkit::*;
use crate::smtp_server::{Options, TestServer};

const COLUMNS: &str =
    "id,title,first_name,last_name,gender,email,channel,topic,issues,contact_form,address";
const SOS_ROW: &str = "sos,Secretary of State,Mike,Pompeo,male,secretary@state.example,email,the rule of law,impunity;torture,,\"2201 C Street NW\nWashington, DC 20520\"";
const CASTRO: &str = "castro,Representative,Joaquin,Castro,male,,webform,migrants,torture,https://castro.house.gov/contact,";
/// A hand-delivered letter needs no email address.
const JUDGE: &str =
    "judge,Judge,Luis,Mora,male,,manual,torture,torture,,\"Supreme Court\n1 First Street NE\"";

fn channel_campaign(server: &TestServer, extra: &str, rows: &[&str]) -> Campaign {
    let c = Campaign::small(
        &manifest(extra, &smtp_plain(server, "")),
        TEMPLATE,
        COLUMNS,
        rows,
    );
    c.write("recipients/organizations.csv", ORGANIZATIONS);
    c.write("recipients/issues.csv", ISSUES);
    c
}

fn letter<'a>(status: &'a Value, id: &str) -> &'a Value {
    status["letters"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["id"] == id)
        .unwrap_or_else(|| panic!("{id} in status: {status:#}"))
}

fn ext() -> &'static str {
    if cfg!(feature = "pdf") {
        "pdf"
    } else {
        "html"
    }
}

#[test]
fn a_web_form_letter_and_a_hand_delivered_letter_are_tracked_marked_and_on_the_sheet() {
    let server = TestServer::start(Options::default());
    let c = channel_campaign(&server, "", &[SOS_ROW, CASTRO, JUDGE]);
    c.check(&[]).success();

    // `render` writes what the coordinator pastes or prints, beside the formats asked for.
    c.render(&[]).success();
    assert!(c
        .out("default", "castro.txt")
        .contains("Dear Representative Castro"));
    assert!(c.file(&format!("out/default/judge.{}", ext())).exists());

    let run = send(&c, &["--yes"]).success();
    let out = run.stdout();
    assert!(out.contains("To send: 1 letter"), "{run}");
    assert!(out.contains("Sent 1 letter."), "{run}");
    let castro_line = out.lines().find(|l| l.contains("default/castro")).unwrap();
    assert!(castro_line.contains("web form"), "{castro_line}");
    assert!(
        castro_line.contains("https://castro.house.gov/contact"),
        "{castro_line}"
    );
    assert!(
        castro_line.contains("paste out/default/castro.txt"),
        "{castro_line}"
    );
    assert!(!castro_line.contains("not rendered"), "{castro_line}");
    let judge_line = out.lines().find(|l| l.contains("default/judge")).unwrap();
    assert!(
        judge_line.contains(&format!("print out/default/judge.{}", ext())),
        "{judge_line}"
    );
    assert_eq!(server.received().len(), 1);

    let s = status_json(&c, &[]);
    assert_eq!(s["counts"]["sent"], 1);
    assert_eq!(s["counts"]["to-deliver"], 2);
    let castro = letter(&s, "default/castro");
    assert_eq!(castro["channel"], "webform");
    assert_eq!(castro["state"], "to-deliver");
    assert_eq!(castro["url"], "https://castro.house.gov/contact");
    assert_eq!(castro["file"], "out/default/castro.txt");
    assert_eq!(
        castro["office"],
        "The Honorable Joaquin Castro, Representative"
    );
    assert_eq!(castro["send_state"], Value::Null);
    let judge = letter(&s, "default/judge");
    assert_eq!(judge["channel"], "manual");
    assert_eq!(judge["address"], "Supreme Court\n1 First Street NE");
    assert_eq!(judge["to"], serde_json::json!([]));
    assert_eq!(letter(&s, "default/sos")["state"], "sent");
    let text = lm(&c, &["status"]).success().stdout();
    assert!(text.contains("3 letters: 2 to deliver, 1 sent"), "{text}");
    let webform = status_json(&c, &["--channel", "webform"]);
    assert_eq!(webform["letters"].as_array().unwrap().len(), 1);

    // Marks: a bare key, and a whole id.
    let note = "Submitted through the form; confirmation 4411";
    let marked = lm(&c, &["mark", "castro", "delivered", "--note", note]).success();
    assert!(
        marked.stdout().contains("Marked default/castro delivered."),
        "{marked}"
    );
    lm(&c, &["mark", "default/judge", "delivered"]).success();
    lm(
        &c,
        &[
            "mark",
            "default/judge",
            "meeting",
            "--note",
            "Chambers, July 20",
        ],
    )
    .success();
    let s = status_json(&c, &[]);
    let castro = letter(&s, "default/castro");
    assert_eq!(castro["state"], "delivered");
    assert_eq!(castro["marks"][0]["note"], note);
    assert_eq!(letter(&s, "default/judge")["state"], "meeting");
    assert_eq!(s["counts"]["delivered"], 1);
    assert_eq!(s["counts"]["meeting"], 1);
    let text = lm(&c, &["status"]).success().stdout();
    assert!(text.contains(note), "{text}");

    // The delivery sheet.
    lm(&c, &["status", "--sheet"]).success();
    let page = Html::parse_document(&c.read("out/deliveries.html"));
    let sel = |s: &str| Selector::parse(s).unwrap();
    let rows: Vec<_> = page.select(&sel("tbody tr")).collect();
    assert_eq!(rows.len(), 3);
    let row = |id: &str| {
        *rows
            .iter()
            .find(|r| r.value().attr("data-id") == Some(id))
            .unwrap_or_else(|| panic!("{id} on the sheet"))
    };
    let cells = |id: &str| -> Vec<String> {
        row(id)
            .select(&sel("td"))
            .map(|td| td.text().collect::<String>())
            .collect()
    };
    let castro = cells("default/castro");
    assert_eq!(castro[1], "default/castro");
    assert_eq!(castro[2], "The Honorable Joaquin Castro, Representative");
    assert_eq!(castro[3], "web form");
    assert_eq!(castro[6], "delivered");
    assert!(castro[7].contains(note), "{castro:?}");
    let links: Vec<&str> = row("default/castro")
        .select(&sel("a"))
        .filter_map(|a| a.value().attr("href"))
        .collect();
    assert!(
        links.contains(&"https://castro.house.gov/contact"),
        "{links:?}"
    );
    assert!(links.contains(&"default/castro.txt"), "{links:?}");
    let judge = cells("default/judge");
    assert_eq!(judge[3], "by hand");
    assert!(judge[4].contains("Supreme Court"), "{judge:?}");
    assert_eq!(judge[6], "meeting");
    let sos = cells("default/sos");
    assert_eq!(sos[3], "email");
    assert!(sos[4].contains("secretary@state.example"), "{sos:?}");
    assert_eq!(sos[6], "sent");
    assert!(
        page.select(&sel("script, link, img")).next().is_none(),
        "self-contained"
    );
    let csv = c.read("out/deliveries.csv");
    assert!(
        csv.starts_with("id,variant,key,signatory,channel,office,state"),
        "{csv}"
    );
    assert!(
        csv.contains("default/castro,default,castro,,webform,"),
        "{csv}"
    );
    let json: Value = serde_json::from_str(&c.read("out/deliveries.json")).unwrap();
    assert_eq!(json["letters"].as_array().unwrap().len(), 3);

    // Delivered letters are off the list; nothing is sent again.
    let again = send(&c, &["--yes"]).success();
    assert!(!again.stdout().contains("To deliver yourself"), "{again}");
    assert!(
        again.stdout().contains(
            "Marked as received (delivered, replied, meeting or no response), skipped: 2"
        ),
        "{again}"
    );
    assert_eq!(server.received().len(), 1);
}

#[test]
fn mark_takes_a_bare_key_when_it_is_unique_and_lists_the_ids_when_not() {
    let server = TestServer::start(Options::default());
    let variants =
        "[variants.coalition]\n[variants.us]\nrecipients = { where = { id = \"sos\" } }\n";
    let c = channel_campaign(&server, variants, &[SOS_ROW, CASTRO]);
    let run = lm(&c, &["mark", "sos", "delivered"]);
    let stderr = run.fails_with(2);
    assert!(
        stderr.contains("`sos` names 2 letters: coalition/sos, us/sos"),
        "{run}"
    );
    assert!(journal(&c).is_empty());
    lm(&c, &["mark", "castro", "delivered"]).success();
    lm(&c, &["mark", "us/sos", "replied"]).success();
    let s = status_json(&c, &[]);
    assert_eq!(letter(&s, "coalition/castro")["state"], "delivered");
    assert_eq!(letter(&s, "us/sos")["state"], "replied");
    assert_eq!(letter(&s, "coalition/sos")["state"], "to-deliver");
    lm(&c, &["mark", "nobody", "delivered"]).fails_with(2);
    // An email letter marked (handed over at a meeting, say) is not sent as well.
    let run = send(&c, &["--yes"]).success();
    assert!(
        run.stdout().contains(
            "Marked as received (delivered, replied, meeting or no response), skipped: 2"
        ),
        "{run}"
    );
    assert_eq!(server.received().len(), 1, "only coalition/sos");
    assert_eq!(server.received()[0].to[0], "secretary@state.example");
}

#[test]
fn status_with_an_unknown_signatory_is_an_error() {
    let server = TestServer::start(Options::default());
    let c = channel_campaign(&server, "", &[SOS_ROW]);
    let run = lm(&c, &["status", "--signatory", "nope"]);
    let stderr = run.fails_with(1);
    assert!(stderr.contains("no signatory `nope`"), "{run}");
    assert!(
        stderr.contains("aiusa, lawg, wola"),
        "names the keys\n{run}"
    );
    lm(&c, &["status", "--signatory", "lawg"]).success();
}

#[test]
fn an_unknown_channel_or_a_web_form_without_an_address_is_a_check_error_naming_the_row() {
    let server = TestServer::start(Options::default());
    let rows = [
        SOS_ROW,
        "pigeon,Senator,Ted,Cruz,male,cruz@senate.example,carrier pigeon,torture,torture,,",
        "noform,Senator,Tim,Kaine,male,,webform,torture,torture,,",
        "jsform,Senator,Bob,Casey,male,,webform,torture,torture,javascript:alert(1),",
    ];
    let c = channel_campaign(&server, "", &rows);
    let run = c.check(&[]);
    let stderr = run.fails_with(1);
    let line = |needle: &str| {
        stderr
            .lines()
            .find(|l| l.contains(needle))
            .unwrap_or_else(|| panic!("{needle}\n{run}"))
            .to_string()
    };
    assert!(
        line("carrier pigeon").contains("recipients/officials.csv:4:7"),
        "{run}"
    );
    assert_eq!(stderr.matches("carrier pigeon").count(), 1, "once\n{run}");
    assert!(
        line("`noform`").contains("recipients/officials.csv:5:10"),
        "{run}"
    );
    assert!(
        line("`noform`").contains("`contact_form` is empty"),
        "{run}"
    );
    assert!(
        line("javascript:alert(1)").contains("not an http(s) address"),
        "{run}"
    );
    // `send` refuses the letter with the unknown channel and sends the others' emails.
    let run = send(&c, &["--yes"]);
    let stderr = run.fails_with(1);
    assert!(stderr.contains("default/pigeon"), "{run}");
    assert_eq!(server.received().len(), 1);
}

#[test]
fn the_delivery_sheet_escapes_every_value() {
    let server = TestServer::start(Options::default());
    let rows = [
        "xss,Senator,Ana,\"<img src=x onerror=alert(1)>\",female,,webform,torture,torture,\"https://x.example/?a=1&b=\"\"><script>alert(2)</script>\",\"<b>1 Main St</b>\"",
        "js,Senator,Bo,Lee,male,,print,torture,torture,javascript:alert(3),\"<script>alert(4)</script>\"",
    ];
    let c = channel_campaign(&server, "", &rows);
    lm(&c, &["status", "--sheet"]).success();
    let html = c.read("out/deliveries.html");
    let page = Html::parse_document(&html);
    let sel = |s: &str| Selector::parse(s).unwrap();
    assert!(
        page.select(&sel("script, img, b")).next().is_none(),
        "{html}"
    );
    let hrefs: Vec<&str> = page
        .select(&sel("a"))
        .filter_map(|a| a.value().attr("href"))
        .collect();
    assert!(hrefs.iter().all(|h| h.starts_with("https://")), "{hrefs:?}");
    let text: String = page.root_element().text().collect();
    assert!(
        text.contains("<img src=x onerror=alert(1)>"),
        "shown as text"
    );
    assert!(text.contains("<script>alert(4)</script>"), "shown as text");
}

#[test]
fn a_letter_not_sent_by_email_needs_no_address_and_gets_no_eml() {
    let server = TestServer::start(Options::default());
    let c = channel_campaign(&server, "", &[SOS_ROW, JUDGE]);
    let check = c.check(&[]).success();
    assert!(
        !check.all().contains("judge"),
        "nothing to say about judge\n{check}"
    );
    let run = c.render(&["--format", "txt,eml"]).success();
    assert!(run.stdout().contains("No .eml for 1 letter"), "{run}");
    assert_eq!(
        c.out_files("default"),
        ["judge.txt", "sos.eml", "sos.txt"],
        "{run}"
    );
}

/// A template broken after the letters went out must not hide what was sent.
#[test]
fn status_still_shows_the_journal_when_the_campaign_cannot_be_planned() {
    let server = TestServer::start(Options::default());
    let c = channel_campaign(&server, "", &[SOS_ROW, CASTRO]);
    send(&c, &["--yes"]).success();
    c.edit(
        "templates/letter.hbs",
        "{{/each}}\nSincerely,",
        "Sincerely,",
    );
    let run = lm(&c, &["status"]).success();
    assert!(
        run.stderr()
            .contains("warning: the templates cannot be read"),
        "{run}"
    );
    assert!(run.stderr().contains("lettermerge check"), "{run}");
    assert!(run.stdout().contains("1 letter: 1 sent"), "{run}");
    assert!(run.stdout().contains("default/sos"), "{run}");
    // Whether sos is still planned cannot be known now: it is not called "no longer planned".
    assert!(!run.stdout().contains("no longer"), "{run}");
    assert!(
        run.stdout().contains("the campaign cannot be planned now"),
        "{run}"
    );
    let sheet = lm(&c, &["status", "--sheet"]);
    assert!(
        sheet
            .fails_with(1)
            .contains("the delivery sheet needs the campaign planned"),
        "{sheet}"
    );
}

/// `status --variant us` shows that variant's letters: the other variants' letters in the journal are not asked
/// for, and are not "no longer in the campaign's plan".
#[test]
fn status_of_one_variant_leaves_the_other_variants_letters_out() {
    let server = TestServer::start(Options::default());
    let variants =
        "[variants.coalition]\n[variants.us]\nrecipients = { where = { id = \"sos\" } }\n";
    let c = channel_campaign(&server, variants, &[SOS_ROW, CASTRO]);
    send(&c, &["--yes"]).success();
    let run = lm(&c, &["status", "--variant", "us"]).success();
    let out = run.stdout();
    assert!(out.contains("us/sos"), "{run}");
    assert!(!out.contains("coalition/"), "{run}");
    assert!(!out.contains("no longer"), "{run}");
    let json = status_json(&c, &["--variant", "us"]);
    let ids: Vec<&str> = json["letters"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["us/sos"]);
    // A row removed from the campaign still shows, in its variant.
    c.write("recipients/officials.csv", format!("{COLUMNS}\n{CASTRO}\n"));
    let json = status_json(&c, &["--variant", "coalition"]);
    let sos = letter(&json, "coalition/sos");
    assert_eq!(sos["planned"], false, "{json:#}");
    assert!(json["letters"]
        .as_array()
        .unwrap()
        .iter()
        .all(|l| l["variant"] == "coalition"));
}
