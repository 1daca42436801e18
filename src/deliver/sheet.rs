//! The delivery sheet: the page a coordinator works through on the day letters go out, one row per letter with its
//! office, channel, address or web form, files, state and marks. `out/deliveries.html` is self-contained (no
//! network assets, every value escaped, a link only for an http(s) web form and the letter's own files);
//! `out/deliveries.csv` is the same table for a spreadsheet; `out/deliveries.json` is `status --json`.

use std::fmt::Write;

use pulldown_cmark_escape::{escape_href, escape_html};

use super::track::{MarkEntry, Standing, Tracked};

pub const HTML: &str = "deliveries.html";
pub const CSV: &str = "deliveries.csv";
pub const JSON: &str = "deliveries.json";

const CSS: &str = r#"
body { font: 14px/1.45 system-ui, sans-serif; margin: 1.5em auto; max-width: 90em; padding: 0 1em; color: #111; }
table { border-collapse: collapse; width: 100%; }
th, td { border-bottom: 1px solid #ccc; padding: .4em .5em; text-align: left; vertical-align: top; }
th { background: #f2f2f2; position: sticky; top: 0; }
td.done { font-size: 1.3em; text-align: center; }
td.address { white-space: pre-line; }
code { font-size: .95em; }
.state { font-weight: 600; white-space: nowrap; }
tr.to-deliver .state { color: #a60; } tr.uncertain .state, tr.failed .state, tr.bounced .state { color: #a00; }
tr.sent .state, tr.delivered .state, tr.replied .state, tr.meeting .state { color: #070; }
.how { color: #555; font-size: .9em; }
ul.marks { margin: 0; padding-left: 1.1em; }
@media print { th { position: static; } a { color: inherit; text-decoration: none; } .how { display: none; } }
"#;

fn esc(s: &str) -> String {
    let mut out = String::new();
    let _ = escape_html(&mut out, s);
    out
}

fn href(s: &str) -> String {
    let mut out = String::new();
    let _ = escape_href(&mut out, s);
    esc(&out)
}

/// Only an http(s) address becomes a link: a `javascript:` or `data:` cell stays text.
fn is_web(url: &str) -> bool {
    let lower = url.trim().to_ascii_lowercase();
    lower.starts_with("https://") || lower.starts_with("http://")
}

/// Letters counted by where they stand, as they stream by.
#[derive(Debug, Default, Clone)]
pub struct Counts {
    total: usize,
    by: Vec<(Standing, usize)>,
}

impl Counts {
    pub fn add(&mut self, state: Standing) {
        self.total += 1;
        match self.by.iter_mut().find(|(s, _)| *s == state) {
            Some((_, n)) => *n += 1,
            None => self.by.push((state, 1)),
        }
    }

    /// "7 letters: 2 sent, 3 to deliver, 1 uncertain, 1 replied".
    pub fn line(&self) -> String {
        let mut counts = self.by.clone();
        counts.sort();
        let parts: Vec<String> = counts
            .iter()
            .map(|(s, n)| format!("{n} {}", s.words()))
            .collect();
        format!(
            "{} letter{}: {}",
            self.total,
            if self.total == 1 { "" } else { "s" },
            parts.join(", ")
        )
    }
}

/// The page's end, after the last row.
pub const HTML_TAIL: &str = "</tbody>\n</table>\n</body>\n</html>\n";

/// The page up to its first row: the title, the counts, the table's head.
pub fn html_head(counts: &Counts, title: &str, now: &str) -> String {
    let mut o = String::new();
    let _ = write!(
        o,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>Deliveries: {t}</title>\n<style>{CSS}</style>\n</head>\n<body>\n\
         <h1>Deliveries: {t}</h1>\n<p class=\"summary\">{c}. As of {n}; after delivering one, \
         <code>lettermerge mark ID delivered</code>, then <code>lettermerge status --sheet</code> again.</p>\n\
         <table>\n<thead><tr><th>Done</th><th>Letter</th><th>Office</th><th>Channel</th>\
         <th>Address or web form</th><th>Files</th><th>State</th><th>Marks</th></tr></thead>\n<tbody>\n",
        t = esc(title),
        c = esc(&counts.line()),
        n = esc(now),
    );
    o
}

/// One letter's row of the page.
pub fn html_row(l: &Tracked, out_shown: &str) -> String {
    let mut o = String::new();
    let prefix = format!("{out_shown}/");
    {
        let done = if l.state == Standing::ToDeliver {
            "☐"
        } else {
            "☑"
        };
        let _ = write!(
            o,
            "<tr class=\"{}\" data-id=\"{}\"><td class=\"done\">{done}</td><td><code>{}</code></td><td>{}</td><td>{}</td>",
            l.state.as_str(),
            esc(&l.id),
            esc(&l.id),
            esc(&l.office),
            esc(l.channel.words()),
        );
        o.push_str("<td class=\"address\">");
        let mut where_to: Vec<String> = Vec::new();
        if l.channel.is_email() {
            where_to.extend(l.to.iter().map(|a| esc(a)));
        } else if let Some(url) = l
            .url
            .as_deref()
            .filter(|_| l.channel == crate::plan::channel::Channel::Webform)
        {
            where_to.push(if is_web(url) {
                format!(
                    "<a href=\"{}\" rel=\"noreferrer\">{}</a>",
                    href(url),
                    esc(url)
                )
            } else {
                esc(url)
            });
        } else if let Some(a) = &l.address {
            where_to.push(esc(a));
        }
        o.push_str(&where_to.join("\n"));
        o.push_str("</td><td>");
        let mut files: Vec<String> = Vec::new();
        if let Some(f) = &l.file {
            let how = if l.channel == crate::plan::channel::Channel::Webform {
                "paste"
            } else {
                "print"
            };
            files.push(match f.strip_prefix(&prefix).filter(|_| l.files.contains(f)) {
                Some(rel) => format!("{how} <a href=\"{}\">{}</a>", href(rel), esc(f)),
                None => format!("{how} {} <span class=\"how\">(not rendered yet: lettermerge render)</span>", esc(f)),
            });
        }
        for f in l.files.iter().filter(|f| Some(*f) != l.file.as_ref()) {
            files.push(match f.strip_prefix(&prefix) {
                Some(rel) => format!("<a href=\"{}\">{}</a>", href(rel), esc(f)),
                None => esc(f),
            });
        }
        o.push_str(&files.join("<br>"));
        let _ = write!(o, "</td><td class=\"state\">{}", esc(l.state.words()));
        if let Some(problem) = &l.problem {
            let _ = write!(o, "<br><span class=\"how\">{}</span>", esc(problem));
        }
        o.push_str("</td><td>");
        let mut lines: Vec<String> = Vec::new();
        if let (Some(s), Some(at)) = (l.send_state, l.at) {
            let reply = l
                .reply
                .as_deref()
                .map(|r| format!(": {r}"))
                .unwrap_or_default();
            lines.push(format!(
                "{} {}{}",
                s.words(),
                at.format("%Y-%m-%d %H:%M UTC"),
                reply
            ));
        }
        lines.extend(l.marks.iter().map(MarkEntry::line));
        if !lines.is_empty() {
            o.push_str("<ul class=\"marks\">");
            for line in lines {
                let _ = write!(o, "<li>{}</li>", esc(&line));
            }
            o.push_str("</ul>");
        }
        o.push_str("</td></tr>\n");
    }
    o
}

/// A spreadsheet cell that starts like a formula is prefixed with `'`, so that a cell holding `=HYPERLINK(…)` stays
/// text when the sheet is opened in Excel or LibreOffice.
fn cell(s: &str) -> String {
    if s.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{s}")
    } else {
        s.to_string()
    }
}

/// The CSV sheet, written as letters stream by.
pub struct Csv<W: std::io::Write> {
    w: csv::Writer<W>,
}

impl<W: std::io::Write> Csv<W> {
    pub fn new(out: W) -> Result<Csv<W>, csv::Error> {
        let mut w = csv::Writer::from_writer(out);
        w.write_record(HEADER)?;
        Ok(Csv { w })
    }

    pub fn finish(self) -> Result<W, csv::Error> {
        self.w.into_inner().map_err(|e| e.into_error().into())
    }

    pub fn row(&mut self, l: &Tracked) -> Result<(), csv::Error> {
        let marks: Vec<String> = l
            .marks
            .iter()
            .map(|m| {
                let note = m
                    .note
                    .as_deref()
                    .map(|n| format!(": {n}"))
                    .unwrap_or_default();
                format!(
                    "{} {}{note}",
                    m.state.as_str(),
                    m.at.format("%Y-%m-%dT%H:%M:%SZ")
                )
            })
            .collect();
        let at =
            l.at.map(|a| a.format("%Y-%m-%dT%H:%M:%SZ").to_string())
                .unwrap_or_default();
        self.w.write_record(
            [
                l.id.as_str(),
                &l.variant,
                &l.key,
                l.signatory.as_deref().unwrap_or(""),
                l.channel.as_str(),
                &l.office,
                l.state.as_str(),
                l.send_state.map_or("", |s| s.as_str()),
                &at,
                &l.to.join("; "),
                l.url.as_deref().unwrap_or(""),
                l.address.as_deref().unwrap_or(""),
                l.file.as_deref().unwrap_or(""),
                &l.files.join("; "),
                l.reply.as_deref().unwrap_or(""),
                l.message_id.as_deref().unwrap_or(""),
                &marks.join("; "),
            ]
            .map(cell),
        )
    }
}

const HEADER: [&str; 17] = [
    "id",
    "variant",
    "key",
    "signatory",
    "channel",
    "office",
    "state",
    "send_state",
    "at",
    "to",
    "url",
    "address",
    "file",
    "files",
    "reply",
    "message_id",
    "marks",
];
