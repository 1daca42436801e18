//! What the live page adds to the written proof: the build's id and the reload script, `check`'s problems beside
//! the variant they concern, each variant's PDF; and the page shown instead when the proof cannot be built.

use std::collections::BTreeMap;
use std::fmt::Write;
use std::path::Path;

use axum::body::Bytes;
use percent_encoding::{utf8_percent_encode, NON_ALPHANUMERIC};

use crate::diag::{Problem, Problems, Severity};
use crate::error::count;
use crate::load::Campaign;
use crate::plan::{Plan, Variant};
use crate::signoff::proof::{esc, Additions};

/// The reload script, served as /live.js so the page's Content-Security-Policy can forbid inline scripts.
pub(crate) const SCRIPT: &str = include_str!("live.js");

const CSS: &str = r#"
body { font: 15px/1.5 system-ui, sans-serif; margin: 2em auto; max-width: 75em; padding: 0 1em; color: #111; }
#live { position: sticky; top: 0; background: #f4f6fa; border: 1px solid #ccd; padding: .4em 1em; z-index: 1; }
#live p { margin: .2em 0; }
#connection.disconnected { color: #a00; font-weight: 600; }
ul.problems { list-style: none; padding: 0; }
ul.problems li { border-left: 4px solid #c90; background: #fff8e6; padding: .4em .8em; margin: .4em 0; }
ul.problems li.error { border-color: #c00; background: #fdecec; }
ul.problems .severity { font-weight: 700; text-transform: uppercase; font-size: .8em; }
ul.problems pre.source { margin: .3em 0; background: #fff; border: 1px solid #ddd; padding: .3em .6em; overflow-x: auto; }
ul.problems .help { color: #345; }
iframe.pdf { width: 100%; height: 60em; border: 1px solid #bbb; }
"#;

/// The longest source line a problem quotes.
const QUOTE_MAX: usize = 240;

/// The additions for one build.
pub(crate) struct Live {
    id: String,
    status: String,
    campaign_wide: Vec<Problem>,
    by_variant: BTreeMap<String, Vec<Problem>>,
    pdfs: Vec<String>,
    /// The variants in the manifest's order.
    order: Vec<String>,
    dir: std::path::PathBuf,
}

impl Live {
    pub fn new(
        dir: &Path,
        id: &str,
        campaign: &Campaign,
        plan: &Plan,
        problems: &Problems,
        pdfs: &BTreeMap<String, Bytes>,
    ) -> Live {
        let mut campaign_wide = Vec::new();
        let mut by_variant: BTreeMap<String, Vec<Problem>> = BTreeMap::new();
        for p in problems.iter() {
            let places = placement(p, campaign, plan);
            if places.is_empty() {
                campaign_wide.push(p.clone());
            }
            for v in places {
                by_variant.entry(v).or_default().push(p.clone());
            }
        }
        Live {
            id: id.to_string(),
            status: status_line(problems),
            campaign_wide,
            by_variant,
            pdfs: pdfs.keys().cloned().collect(),
            order: plan.variants.iter().map(|v| v.name.clone()).collect(),
            dir: dir.to_path_buf(),
        }
    }
}

impl Additions for Live {
    fn head(&self) -> String {
        head(&self.id)
    }

    fn top(&self) -> String {
        let mut status = self.status.clone();
        if !self.by_variant.is_empty() {
            let links: Vec<String> = self
                .order
                .iter()
                .filter(|v| self.by_variant.contains_key(*v))
                .map(|v| format!("<a href=\"#variant-{0}\">{0}</a>", esc(v)))
                .collect();
            status.push_str(&format!(" Problems in {}.", links.join(", ")));
        }
        if !self.campaign_wide.is_empty() {
            status.push_str(" <a href=\"#campaign-problems\">Problems in the campaign</a>.");
        }
        let mut out = bar(&status);
        if !self.campaign_wide.is_empty() {
            out.push_str(
                "<section class=\"campaign-problems\" id=\"campaign-problems\">\n<h2>Problems in the campaign</h2>\n",
            );
            out.push_str(&list(&self.dir, &self.campaign_wide));
            out.push_str("</section>\n");
        }
        out
    }

    fn variant_head(&self, v: &Variant) -> String {
        self.by_variant
            .get(&v.name)
            .map(|ps| list(&self.dir, ps))
            .unwrap_or_default()
    }

    fn variant_tail(&self, v: &Variant) -> String {
        let mut out = String::from("<h3>The PDF (first recipient)</h3>\n");
        if self.pdfs.contains(&v.name) {
            let url = format!(
                "/pdf/{}.pdf?build={}",
                utf8_percent_encode(&v.name, NON_ALPHANUMERIC),
                esc(&self.id)
            );
            let _ = writeln!(
                out,
                "<iframe class=\"pdf\" src=\"{url}\" title=\"The PDF of {name}\"></iframe>\n<p><a class=\"pdf\" href=\"{url}\">Open the PDF of {name}</a></p>",
                name = esc(&v.name)
            );
        } else if cfg!(feature = "pdf") {
            out.push_str("<p class=\"pdf-missing\">(no PDF: see the problems above)</p>\n");
        } else {
            out.push_str("<p class=\"pdf-missing\">(no PDF: this lettermerge was built without PDF support)</p>\n");
        }
        out
    }
}

/// The page shown when the campaign does not load or its templates do not compile: every problem, with the line
/// it points at, and the script that reloads it once a save fixes them.
pub(crate) fn failed(dir: &Path, id: &str, problems: &Problems) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>Proof: cannot be built</title>{}\n</head>\n<body>\n<h1>The proof cannot be built</h1>",
        head(id)
    );
    out.push_str(&bar(&status_line(problems)));
    let errors = problems.errors();
    let _ = writeln!(
        out,
        "<section class=\"build-error\">\n<p>{} {} the proof. Fix {} and save: this page reloads by itself.</p>",
        count(errors, "error"),
        if errors == 1 { "stops" } else { "stop" },
        if errors == 1 { "it" } else { "them" }
    );
    out.push_str(&list(dir, &problems.iter().cloned().collect::<Vec<_>>()));
    out.push_str("</section>\n</body>\n</html>\n");
    out
}

fn head(id: &str) -> String {
    format!(
        "\n<meta name=\"lettermerge-build\" content=\"{}\">\n<style>{CSS}</style>\n<script src=\"/live.js\" defer></script>",
        esc(id)
    )
}

fn bar(status: &str) -> String {
    format!(
        "<div id=\"live\">\n<p class=\"build\">{status}</p>\n<p id=\"connection\">Connecting to lettermerge serve…</p>\n</div>\n"
    )
}

fn status_line(problems: &Problems) -> String {
    let time = chrono::Local::now().format("%H:%M:%S");
    format!(
        "Built at {time}: <span class=\"counts\">{}, {}</span>.",
        count(problems.errors(), "error"),
        count(problems.warnings(), "warning")
    )
}

fn list(dir: &Path, problems: &[Problem]) -> String {
    let mut out = String::from("<ul class=\"problems\">\n");
    for p in problems {
        let (class, label) = match p.severity {
            Severity::Error => ("error", "error"),
            Severity::Warning => ("warning", "warning"),
        };
        let _ = write!(
            out,
            "<li class=\"problem {class}\"><span class=\"severity\">{label}</span> "
        );
        if let Some(loc) = p.location() {
            let _ = write!(out, "<code class=\"location\">{}</code> ", esc(&loc));
        }
        out.push_str(&esc(&p.message));
        if let Some(line) = quote(dir, p) {
            let _ = write!(
                out,
                "\n<pre class=\"source\">{} | {}</pre>",
                p.line.unwrap_or_default(),
                esc(&line)
            );
        }
        if let Some(help) = &p.help {
            let _ = write!(out, "\n<p class=\"help\">help: {}</p>", esc(help));
        }
        out.push_str("</li>\n");
    }
    out.push_str("</ul>\n");
    out
}

/// The line a problem points at, as the file has it now.
fn quote(dir: &Path, p: &Problem) -> Option<String> {
    let line = p.line?.checked_sub(1)?;
    let text = std::fs::read_to_string(dir.join(p.file.as_ref()?)).ok()?;
    let l = text.lines().nth(line)?.trim_end();
    if l.trim().is_empty() {
        return None;
    }
    Some(l.chars().take(QUOTE_MAX).collect())
}

/// The variants a problem concerns: those it names, else those whose template it is in, else those whose recipient
/// or signatory row it points at. None: it concerns the whole campaign.
fn placement(p: &Problem, campaign: &Campaign, plan: &Plan) -> Vec<String> {
    let named: Vec<String> = plan
        .variants
        .iter()
        .filter(|v| names(&p.message, &v.name))
        .map(|v| v.name.clone())
        .collect();
    if !named.is_empty() {
        return named;
    }
    let Some(file) = &p.file else {
        return Vec::new();
    };
    let by_template: Vec<String> = plan
        .variants
        .iter()
        .filter(|v| Path::new(&v.template) == file)
        .map(|v| v.name.clone())
        .collect();
    if !by_template.is_empty() {
        return by_template;
    }
    let Some(line) = p.line else {
        return Vec::new();
    };
    plan.variants
        .iter()
        .filter(|v| {
            let recipient = campaign.recipients.path == *file && plan.has_row_at(v, line);
            let signatory = v
                .signatory_table
                .is_some_and(|t| t.path == *file && v.signatories.iter().any(|r| r.line == line));
            recipient || signatory
        })
        .map(|v| v.name.clone())
        .collect()
}

/// Whether a message is about variant `name`: "letter NAME/KEY: …", "variant `NAME` …", "the letter of `NAME`".
fn names(message: &str, name: &str) -> bool {
    message.starts_with(&format!("letter {name}/"))
        || message.starts_with(&format!("letters {name}/"))
        || message.contains(&format!(" and {name}/"))
        || message.contains(&format!("variant `{name}`"))
        || message.contains(&format!("letter of `{name}`"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_message_names_its_variant_exactly() {
        assert!(names("letter us/sos (x.csv:3): oops", "us"));
        assert!(!names("letter usa/sos (x.csv:3): oops", "us"));
        assert!(names("variant `es` is not approved", "es"));
        assert!(names(
            "letters coalition/a and us/b would both be written to x",
            "us"
        ));
        assert!(!names("the recipients table has no rows", "us"));
    }

    #[test]
    fn problems_quote_their_line_escaped() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("t.hbs"), "one\n<b>{{#if x}</b>\n").unwrap();
        let p = Problem::error("template syntax: x")
            .in_file("t.hbs")
            .at(2, Some(5));
        let html = list(dir.path(), &[p]);
        assert!(
            html.contains("<code class=\"location\">t.hbs:2:5</code>"),
            "{html}"
        );
        assert!(html.contains("2 | &lt;b&gt;{{#if x}&lt;/b&gt;"), "{html}");
    }
}
