//! Issue 15 in a real browser: Debian's Chromium, headless, driven through chromedriver (W3C WebDriver), watches the
//! live proof follow the files on disk — a CSV cell, a template line, a broken template and its fix — without
//! anyone reloading the page.

use crate::harness::{interop_tool, Campaign};
use crate::serve_kit::{Browser, Server};

const MANIFEST: &str = r#"[letter]
template   = "templates/letter.hbs"
recipients = "recipients/officials.csv"
key        = "id"

[output]
formats = ["txt"]
"#;

const TEMPLATE: &str = "---\nsubject: 'The forty-three'\n---\nDear {{first_name}} {{last_name}},\n\nWe write about the students of Ayotzinapa.\n\nSincerely,\n\nThe coalition\n";

/// The text of the first element matching `css` in the page, or null: for `Browser::wait_for`.
fn text_js(css: &str, contains: &str) -> String {
    format!(
        "const e = document.querySelector({css:?}); return e && e.innerText.includes({contains:?}) ? e.innerText : null;"
    )
}

#[test]
fn the_page_in_chromium_follows_edits_and_shows_a_broken_template_until_fixed() {
    if !interop_tool("chromium") || !interop_tool("chromedriver") {
        return;
    }
    let c = Campaign::small(
        MANIFEST,
        TEMPLATE,
        "id,first_name,last_name,email",
        &["sos,Mike,Pompeo,secretary@state.example"],
    );
    let server = Server::start(&c, &[]);
    let browser = Browser::start();
    browser.open(&server.url);
    let letter = "section#variant-default .letter";
    browser.wait_for("the letter", &text_js(letter, "Dear Mike Pompeo"));
    // The event stream is open: the script reached the server (the page's policy let it run).
    browser.wait_for(
        "the live connection",
        &text_js("#connection", "Live: this page reloads"),
    );
    // A mark the page loses only by reloading: the test itself never reloads or navigates.
    browser
        .run("window.lettermergeTestMark = 1; return null;")
        .unwrap();

    c.edit(
        "recipients/officials.csv",
        "sos,Mike,Pompeo",
        "sos,Michael,Pompeo",
    );
    browser.wait_for("the edited cell", &text_js(letter, "Dear Michael Pompeo"));
    let mark = browser.run("return window.lettermergeTestMark === undefined;");
    assert_eq!(
        mark,
        Ok(serde_json::Value::Bool(true)),
        "the page reloaded itself"
    );

    c.edit(
        "templates/letter.hbs",
        "the students of Ayotzinapa.",
        "the forty-three students of Ayotzinapa.",
    );
    browser.wait_for(
        "the edited line",
        &text_js(letter, "the forty-three students"),
    );

    let good = c.read("templates/letter.hbs");
    c.write(
        "templates/letter.hbs",
        good.replace("Dear {{first_name}}", "Dear {{#if first_name}"),
    );
    let error = browser.wait_for(
        "the template's error",
        &text_js(".build-error", "templates/letter.hbs:4"),
    );
    let error = error.as_str().unwrap_or_default();
    assert!(
        error.contains("Dear {{#if first_name}"),
        "quotes the line: {error}"
    );

    c.write("templates/letter.hbs", &good);
    browser.wait_for(
        "the letter again",
        &text_js(letter, "the forty-three students"),
    );
    let gone = browser.run("return document.querySelector('.build-error') === null;");
    assert_eq!(gone, Ok(serde_json::Value::Bool(true)), "the error is gone");
}
