//! Issue 15: `lettermerge serve` — the proof page live on loopback, rebuilt when a campaign file changes, the
//! browser told to reload by server-sent events; a broken template's error shown in the page, not a dead server.
//! Driven over real HTTP (ureq); the browser itself is in serve_browser.rs.

use std::time::Duration;

use crate::coalition::*;
use crate::serve_kit::*;
use crate::signoff_kit::{sel, text_of, texts};

/// The text of the first element matching `css`, or "" when there is none.
fn first(doc: &scraper::Html, css: &str) -> String {
    doc.select(&sel(css))
        .next()
        .map(text_of)
        .unwrap_or_default()
}

fn build_id(doc: &scraper::Html) -> String {
    doc.select(&sel("meta[name=lettermerge-build]"))
        .next()
        .and_then(|m| m.value().attr("content"))
        .expect("the page carries its build id")
        .to_string()
}

#[test]
fn serve_shows_every_variant_with_its_recipients_signers_and_letter() {
    let c = Campaign::coalition();
    let s = Server::start(&c, &[]);
    assert!(
        s.url.starts_with("http://127.0.0.1:") && s.url.ends_with('/'),
        "{}",
        s.url
    );
    let r = s.get("/");
    assert_eq!(r.status, 200);
    assert_eq!(r.content_type, "text/html; charset=utf-8");
    assert_eq!(r.header("cache-control"), Some("no-store"));
    let csp = r.header("content-security-policy").unwrap_or_default();
    assert!(
        csp.contains("default-src 'none'") && csp.contains("script-src 'self'"),
        "{csp}"
    );

    let doc = scraper::Html::parse_document(&r.text());
    let ids: Vec<String> = doc
        .select(&sel("section.variant"))
        .filter_map(|s| s.value().attr("id").map(str::to_string))
        .collect();
    assert_eq!(
        ids,
        [
            "variant-coalition",
            "variant-us",
            "variant-es",
            "variant-each",
            "variant-public"
        ]
    );
    let recipients = texts(&doc, "section#variant-es ul.recipients li");
    assert_eq!(recipients.len(), 2, "{recipients:?}");
    assert!(recipients[0].contains("López Obrador"), "{recipients:?}");
    assert_eq!(
        texts(&doc, "section#variant-coalition ol.signatories li"),
        SIGNED_IN_ORDER
    );
    let letter = first(&doc, "section#variant-coalition .letter");
    assert!(letter.contains("Dear Secretary Pompeo"), "{letter}");
    assert!(letter.contains("July 11, 2018"), "{letter}");
    assert!(letter.contains(IMPUNITY_OLD), "{letter}");
    let es = first(&doc, "section#variant-es .letter");
    assert!(es.contains("11 de julio de 2018"), "{es}");
}

#[test]
fn serve_loads_nothing_from_the_network() {
    let c = Campaign::coalition();
    let s = Server::start(&c, &[]);
    let doc = s.page();
    for e in doc.select(&sel("link, script, img, iframe, source, object, embed")) {
        for attr in ["src", "href", "data"] {
            if let Some(v) = e.value().attr(attr) {
                assert!(
                    v.starts_with('/') && !v.starts_with("//"),
                    "<{} {attr}={v}> is not served by lettermerge",
                    e.value().name()
                );
            }
        }
    }
    let script = s.get("/live.js");
    assert_eq!(script.status, 200);
    assert_eq!(script.content_type, "text/javascript; charset=utf-8");
    assert!(script.text().contains("new EventSource(\"/events\")"));
    assert!(
        !script.text().contains("http"),
        "the script names no other site"
    );
}

#[test]
fn serve_answers_404_for_unknown_pages_and_405_for_other_methods() {
    let c = Campaign::coalition();
    let s = Server::start(&c, &[]);
    let r = s.get("/out/proof.html");
    assert_eq!(r.status, 404);
    assert!(r.text().contains("the proof is at /"), "{}", r.text());
    assert_eq!(s.get("/pdf/nonesuch.pdf").status, 404);
    let r = s.post("/");
    assert_eq!(r.status, 405);
    assert_eq!(r.header("allow"), Some("GET,HEAD"));
}

#[test]
fn serve_refuses_requests_addressed_to_another_host() {
    // A page on another site that rebinds its name to 127.0.0.1 sends its own name as the Host.
    let c = Campaign::coalition();
    let s = Server::start(&c, &[]);
    let answer = raw_get(&s.url, "attacker.example:3000");
    assert!(answer.starts_with("HTTP/1.1 403"), "{answer}");
    assert!(!answer.contains("Pompeo"), "{answer}");
    let port = s.url.rsplit(':').next().unwrap().trim_end_matches('/');
    for host in [format!("localhost:{port}"), format!("127.0.0.1:{port}")] {
        let answer = raw_get(&s.url, &host);
        assert!(answer.starts_with("HTTP/1.1 200"), "{host}: {answer}");
    }
}

#[test]
fn an_edit_sends_a_reload_event_and_the_page_shows_it() {
    let c = Campaign::coalition();
    let s = Server::start(&c, &[]);
    let before = build_id(&s.page());
    let events = s.events();
    assert_eq!(events.next(), ("current".to_string(), before.clone()));

    c.edit("recipients/officials.csv", "Mike,Pompeo", "Michael,Pompeo");
    let (event, id) = events.next();
    assert_eq!(event, "reload");
    assert_ne!(id, before);
    let doc = s.page();
    assert_eq!(build_id(&doc), id, "the page served is the build announced");
    let recipients = texts(&doc, "section#variant-coalition ul.recipients li").join("\n");
    assert!(recipients.contains("Michael Pompeo"), "{recipients}");
    s.wait_stderr("recipients/officials.csv changed");
}

#[test]
fn a_broken_template_shows_its_file_and_line_in_the_page_until_fixed() {
    let c = Campaign::coalition();
    let s = Server::start(&c, &[]);
    let good = c.read("templates/letter.hbs");
    let line = good
        .lines()
        .position(|l| l == "{{/each}}")
        .map(|i| i + 1)
        .expect("a closing tag");
    c.write(
        "templates/letter.hbs",
        good.replacen("\n{{/each}}\n", "\n{{/eech}}\n", 1),
    );
    let doc = s.wait_for("the template error", |d| {
        d.select(&sel(".build-error")).next().is_some()
    });
    let error = first(&doc, ".build-error li.error");
    assert!(
        error.contains(&format!("templates/letter.hbs:{line}")),
        "names the file and line {line}: {error}"
    );
    assert!(error.contains("{{/eech}}"), "quotes the line: {error}");
    assert!(error.contains("help:"), "{error}");
    assert!(doc.select(&sel("section.variant")).next().is_none());
    s.wait_stderr(&format!("templates/letter.hbs:{line}"));

    c.write("templates/letter.hbs", &good);
    let doc = s.wait_for("the proof again", |d| {
        d.select(&sel("section#variant-coalition .letter"))
            .next()
            .is_some()
    });
    assert!(doc.select(&sel(".build-error")).next().is_none());
}

#[test]
fn a_broken_manifest_shows_in_the_page_and_the_server_lives_on() {
    let c = Campaign::coalition();
    let s = Server::start(&c, &[]);
    let good = c.read("lettermerge.toml");
    c.write(
        "lettermerge.toml",
        good.replacen("[variants.us]", "[variants.us", 1),
    );
    let doc = s.wait_for("the manifest error", |d| {
        d.select(&sel(".build-error")).next().is_some()
    });
    let error = first(&doc, ".build-error li.error");
    let line = good.lines().position(|l| l == "[variants.us]").unwrap() + 1;
    assert!(
        error.contains(&format!("lettermerge.toml:{line}")),
        "{error}"
    );
    c.write("lettermerge.toml", &good);
    s.wait_for("the proof again", |d| {
        d.select(&sel("section#variant-us")).next().is_some()
    });
}

#[test]
fn checks_problems_appear_in_the_variant_they_concern() {
    let c = Campaign::coalition();
    // A Spanish name missing concerns only the Spanish letter; an unknown title concerns the letters to that row.
    c.edit(
        "recipients/organizations.csv",
        "Zeta Legal Aid,Asistencia Legal Zeta",
        "Zeta Legal Aid,",
    );
    c.edit(
        "recipients/officials.csv",
        "castro,Representative",
        "castro,Grand Poobah",
    );
    let s = Server::start(&c, &[]);
    let doc = s.page();
    let es = texts(&doc, "section#variant-es ul.problems li").join("\n");
    assert!(es.contains("organization_es"), "{es}");
    assert!(
        !es.contains("Grand Poobah"),
        "castro gets no Spanish letter: {es}"
    );
    for v in ["coalition", "us", "each"] {
        let ps = texts(&doc, &format!("section#variant-{v} ul.problems li")).join("\n");
        assert!(ps.contains("Grand Poobah"), "{v}: {ps}");
        assert!(ps.contains("recipients/officials.csv:"), "{v}: {ps}");
        assert!(!ps.contains("organization_es"), "{v}: {ps}");
    }
    let counts = first(&doc, "#live .counts");
    assert!(counts.contains("0 errors"), "{counts}");
    let links: Vec<&str> = doc
        .select(&sel("#live a"))
        .filter_map(|a| a.value().attr("href"))
        .collect();
    assert_eq!(
        links,
        [
            "#variant-coalition",
            "#variant-us",
            "#variant-es",
            "#variant-each"
        ],
        "the status bar leads to each variant with problems, in the manifest's order"
    );
}

#[test]
fn the_page_shows_the_changes_since_approval() {
    let c = Campaign::coalition();
    c.ok(&["approve", "--by", "Maureen Meyer, WOLA"]);
    let s = Server::start(&c, &[]);
    let doc = s.page();
    assert!(first(&doc, "section#variant-coalition dd.approval").contains("approved"));
    let diff = first(&doc, "section#variant-coalition pre.diff");
    assert!(diff.ends_with("(no change)\n"), "{diff}");
    c.write("recipients/issues.csv", issues_csv(IMPUNITY_NEW));
    let doc = s.wait_for("the diff", |d| {
        texts(d, "section#variant-coalition pre.diff ins")
            .iter()
            .any(|l| l.contains(IMPUNITY_NEW))
    });
    let del = texts(&doc, "section#variant-coalition pre.diff del").join("\n");
    let ins = texts(&doc, "section#variant-coalition pre.diff ins").join("\n");
    assert!(del.contains(IMPUNITY_OLD), "{del}");
    assert!(ins.contains(IMPUNITY_NEW), "{ins}");
    let problems = texts(&doc, "section#variant-coalition ul.problems li.error").join("\n");
    assert!(
        problems.contains("variant `coalition` changed since its approval"),
        "{problems}"
    );
}

#[cfg(feature = "pdf")]
#[test]
fn each_variant_embeds_its_pdf_served_from_memory() {
    let c = Campaign::coalition();
    let s = Server::start(&c, &[]);
    let doc = s.page();
    let src = doc
        .select(&sel("section#variant-coalition iframe.pdf"))
        .next()
        .and_then(|f| f.value().attr("src"))
        .expect("an embedded PDF")
        .to_string();
    assert!(src.starts_with("/pdf/coalition.pdf?build="), "{src}");
    let r = s.get(&src);
    assert_eq!(r.status, 200);
    assert_eq!(r.content_type, "application/pdf");
    let text = pdf_extract::extract_text_from_mem(&r.body).expect("the PDF reads back");
    assert!(text.contains("Pompeo"), "{text}");
    assert!(!c.file("out").exists(), "nothing written to out/");
}

#[cfg(feature = "pdf")]
#[test]
fn a_broken_pdf_layout_shows_its_line_and_the_proof_stays() {
    let c = Campaign::coalition();
    let s = Server::start(&c, &[]);
    c.write(
        "templates/layout.typ",
        "#let letter(inputs, body) = {\n  body + oops\n}\n",
    );
    let doc = s.wait_for("the layout's error", |d| {
        texts(d, "ul.problems li.error")
            .iter()
            .any(|p| p.contains("templates/layout.typ:2:"))
    });
    // The letters' text does not depend on the layout: the proof is still there, without PDFs.
    assert!(first(&doc, "section#variant-coalition .letter").contains("Dear Secretary Pompeo"));
    assert!(doc.select(&sel("iframe.pdf")).next().is_none());
    assert!(first(&doc, "section#variant-coalition .pdf-missing").contains("no PDF"));
}

#[test]
fn serve_writes_nothing_and_ignores_what_render_writes() {
    let c = Campaign::coalition();
    let s = Server::start(&c, &[]);
    let events = s.events();
    let (_, first_id) = events.next();
    c.render_txt(&[]);
    // `render`'s own files are not an edit: no reload follows them.
    assert_eq!(events.next_within(Duration::from_secs(2)), None);
    c.edit("recipients/officials.csv", "Mike,Pompeo", "Michael,Pompeo");
    let (event, id) = events.next();
    assert_eq!(event, "reload");
    assert_ne!(id, first_id);
    drop(s);
    let mut files: Vec<String> = walk(c.path());
    files.retain(|f| !f.starts_with("out/"));
    assert_eq!(
        files,
        [
            "lettermerge.toml",
            "recipients/issues.csv",
            "recipients/officials.csv",
            "recipients/organizations.csv",
            "templates/carta.hbs",
            "templates/letter.hbs",
            "templates/partials/signatures.hbs",
            "templates/public.hbs",
        ]
    );
}

fn walk(root: &std::path::Path) -> Vec<String> {
    let mut out = Vec::new();
    let mut dirs = vec![root.to_path_buf()];
    while let Some(d) = dirs.pop() {
        for e in std::fs::read_dir(&d).unwrap().flatten() {
            let p = e.path();
            if p.is_dir() {
                dirs.push(p);
            } else {
                out.push(
                    p.strip_prefix(root)
                        .unwrap()
                        .to_string_lossy()
                        .replace('\\', "/"),
                );
            }
        }
    }
    out.sort();
    out
}

#[cfg(unix)]
#[test]
fn ctrl_c_ends_open_event_streams_and_stops_cleanly() {
    let c = Campaign::coalition();
    let mut s = Server::start(&c, &[]);
    let events = s.events();
    events.next();
    let status = s
        .interrupt(Duration::from_secs(20))
        .expect("the server stops on Ctrl-C");
    assert_eq!(status.code(), Some(0), "{}", s.stderr());
    assert!(
        events.ended_within(Duration::from_secs(5)),
        "the stream was closed"
    );
    let stderr = s.wait_stderr("Stopped.");
    assert!(!stderr.contains("panicked"), "{stderr}");
    // The port is free again.
    let addr = s.url.trim_start_matches("http://").trim_end_matches('/');
    std::net::TcpListener::bind(addr).expect("the port is released");
}

#[test]
fn a_port_in_use_is_a_usage_error_that_suggests_another() {
    let c = Campaign::coalition();
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port().to_string();
    let r = c.run(&["serve", "--port", &port]);
    let err = r.fails_with(2);
    assert!(err.contains(&format!("127.0.0.1:{port}")), "{err}");
    assert!(err.contains("in use"), "{err}");
    assert!(err.contains("--port"), "{err}");
    assert!(r.stdout.is_empty(), "no address printed: {}", r.stdout);
}

#[test]
fn listening_beyond_loopback_must_be_asked_for_and_says_so() {
    let c = Campaign::coalition();
    let s = Server::start(&c, &["--bind", "0.0.0.0"]);
    assert!(s.url.starts_with("http://127.0.0.1:"), "{}", s.url);
    let stderr = s.wait_stderr("Watching");
    assert!(
        stderr.contains("warning: listening on 0.0.0.0:"),
        "{stderr}"
    );
    assert!(
        stderr.contains("anyone who can reach this machine"),
        "{stderr}"
    );

    let quiet = Server::start(&c, &[]);
    let stderr = quiet.wait_stderr("Watching");
    assert!(!stderr.contains("warning:"), "{stderr}");
}

#[test]
fn a_bind_address_must_be_an_ip_address() {
    let c = Campaign::coalition();
    let err = c
        .run(&["serve", "--bind", "my-laptop", "--port", "0"])
        .fails_with(2);
    assert!(err.contains("`my-laptop` is not an IP address"), "{err}");
}

#[test]
fn serve_outside_a_campaign_or_with_an_unknown_variant_does_not_start() {
    let empty = Campaign::empty();
    let err = empty.run(&["serve", "--port", "0"]).fails_with(1);
    assert!(err.contains("lettermerge.toml"), "{err}");

    let c = Campaign::coalition();
    let err = c
        .run(&["serve", "--port", "0", "--variant", "nonesuch"])
        .fails_with(2);
    assert!(err.contains("nonesuch"), "{err}");
}

#[test]
fn open_hands_the_address_to_the_browser() {
    let c = Campaign::coalition();
    let dir = tempfile::tempdir().unwrap();
    let seen = dir.path().join("seen");
    let browser = dir.path().join("browser.sh");
    std::fs::write(
        &browser,
        format!("#!/bin/sh\nprintf '%s' \"$1\" > '{}'\n", seen.display()),
    )
    .unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&browser, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_lettermerge"));
    cmd.env("NO_COLOR", "1")
        .env("BROWSER", &browser)
        .arg("-C")
        .arg(c.path())
        .args(["serve", "--port", "0", "--open"]);
    let s = Server::spawn(cmd);
    let start = std::time::Instant::now();
    while !seen.exists() && start.elapsed() < PATIENCE {
        std::thread::sleep(Duration::from_millis(50));
    }
    assert_eq!(std::fs::read_to_string(&seen).unwrap_or_default(), s.url);
}
