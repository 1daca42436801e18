//! `out/proof.html`: one self-contained page (no network assets) for the people who approve the text.

use std::fmt::Write;

use pulldown_cmark_escape::escape_html;
use similar::{ChangeTag, TextDiff};

use crate::plan::{Plan, Variant};
use crate::render::{html, txt, Renderer};

use super::{describe, Approved, Refusal, Sending, Signoff, Verdict};

const CSS: &str = r#"
body { font: 15px/1.5 system-ui, sans-serif; margin: 2em auto; max-width: 75em; padding: 0 1em; color: #111; }
section.variant { border-top: 3px solid #333; margin-top: 2.5em; padding-top: .5em; }
dl { display: grid; grid-template-columns: max-content 1fr; gap: .2em 1em; }
dt { font-weight: 600; }
.letter { font-family: Georgia, serif; border: 1px solid #bbb; padding: 1.5em 2em; background: #fff; }
.pair { display: grid; grid-template-columns: 1fr 1fr; gap: 1.5em; }
pre.diff { white-space: pre-wrap; background: #f7f7f7; padding: 1em; border: 1px solid #ddd; }
pre.diff del { background: #fdd; text-decoration: line-through; display: block; }
pre.diff ins { background: #dfd; text-decoration: none; display: block; }
.stale { color: #a00; font-weight: 600; } .fresh { color: #070; font-weight: 600; }
li.added { color: #070; } li.removed { color: #a00; text-decoration: line-through; }
"#;

pub(crate) fn esc(s: &str) -> String {
    let mut out = String::new();
    let _ = escape_html(&mut out, s);
    out
}

/// What a page adds to the written proof: `lettermerge serve` puts its reload script, each variant's problems and
/// its PDF into the same page, so the live proof and out/proof.html never drift apart.
pub(crate) trait Additions {
    /// Inside `<head>`, after the style.
    fn head(&self) -> String {
        String::new()
    }
    /// After the page's heading.
    fn top(&self) -> String {
        String::new()
    }
    /// After a variant's heading.
    fn variant_head(&self, _v: &Variant) -> String {
        String::new()
    }
    /// At the end of a variant's section.
    fn variant_tail(&self, _v: &Variant) -> String {
        String::new()
    }
}

/// out/proof.html adds nothing.
struct Written;

impl Additions for Written {}

/// The page, with the letter of each selected variant's first recipient (translations beside their source's).
pub fn page(signoff: &Signoff) -> String {
    page_with(signoff, &Written)
}

/// The page with `add`'s parts in place.
pub(crate) fn page_with(signoff: &Signoff, add: &dyn Additions) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>Proof</title>\n<style>{CSS}</style>{}\n</head>\n<body>\n<h1>Proof: what each variant sends</h1>",
        add.head()
    );
    out.push_str(&add.top());
    for v in signoff.selected() {
        section(&mut out, signoff, v, add);
    }
    out.push_str("</body>\n</html>\n");
    out
}

fn first_letter(plan: &Plan, v: &Variant, renderer: &Renderer) -> Option<String> {
    plan.with_first_letter(v, |l| renderer.render(l).ok().map(|r| r.markdown))
        .ok()
        .flatten()
        .flatten()
}

fn section(out: &mut String, signoff: &Signoff, v: &Variant, add: &dyn Additions) {
    let campaign = signoff.campaign;
    let renderer = &signoff.renderer;
    let approval = signoff.approval(&v.name);
    let verdict = signoff.verdict(&v.name, Sending::default());
    let _ = writeln!(
        out,
        "<section class=\"variant\" id=\"variant-{0}\">\n<h2>{0}</h2>{1}\n<dl>",
        esc(&v.name),
        add.variant_head(v)
    );
    let _ = writeln!(
        out,
        "<dt>Language</dt><dd class=\"lang\">{}</dd>",
        esc(&v.lang)
    );
    let _ = writeln!(out, "<dt>Letters</dt><dd>{}</dd>", v.letter_count());
    let embargo = v.not_before.clone().unwrap_or_else(|| "none".into());
    let _ = writeln!(
        out,
        "<dt>Embargo</dt><dd class=\"embargo\">{}</dd>",
        esc(&embargo)
    );
    let text_changes = signoff.text_changes(&v.name);
    let state = match (approval, &text_changes) {
        (Some(a), None) => format!(
            "<span class=\"fresh\">approved {} by {}</span>",
            a.date,
            esc(&a.by)
        ),
        (Some(a), Some(changes)) => format!(
            "<span class=\"stale\">changed since approval on {}: {}</span>",
            a.date,
            esc(&describe(changes))
        ),
        (None, _) => "<span class=\"stale\">not approved</span>".to_string(),
    };
    let _ = writeln!(out, "<dt>Approval</dt><dd class=\"approval\">{state}</dd>");
    if let Some((source, changes)) = signoff.source_changes(&v.name) {
        let _ = writeln!(
            out,
            "<dt>Translation</dt><dd class=\"stale translation\">the source `{}` changed since this translation was approved: {}</dd>",
            esc(&source),
            esc(&describe(&changes))
        );
    }
    let send = match &verdict {
        Verdict::Ready(Approved::By { .. }) => "<span class=\"fresh\">ready</span>".to_string(),
        Verdict::Ready(Approved::NotRequired) => {
            "<span class=\"fresh\">ready (sign-off not required)</span>".to_string()
        }
        Verdict::Public(_) => "never (a public copy)".to_string(),
        Verdict::Refused(rs) => format!(
            "<span class=\"stale\">refused: {}</span>",
            esc(&rs
                .iter()
                .filter(|r| !matches!(r, Refusal::Embargoed(_)))
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join("; "))
        ),
    };
    let _ = writeln!(out, "<dt>Send</dt><dd class=\"send\">{send}</dd>");
    out.push_str("</dl>\n");

    out.push_str("<h3>Recipients</h3>\n<ul class=\"recipients\">\n");
    if v.is_public() {
        out.push_str("<li>none: a public copy, never sent</li>\n");
    }
    let t = &campaign.recipients;
    for unit in signoff.plan.units(v).into_iter().flatten().flatten() {
        for r in &unit.rows {
            let name = ["title", "first_name", "last_name"]
                .iter()
                .filter_map(|c| t.value(r, c))
                .filter(|s| !s.is_empty())
                .collect::<Vec<_>>()
                .join(" ");
            let _ = writeln!(
                out,
                "<li><code>{}</code> {}</li>",
                esc(&unit.key),
                esc(&name)
            );
        }
    }
    out.push_str("</ul>\n<h3>Signatories</h3>\n<ol class=\"signatories\">\n");
    let list = signoff.list_change(&v.name);
    if let Some(st_table) = v.signatory_table {
        let added = list.as_ref().map(|l| l.added.clone()).unwrap_or_default();
        for r in &v.signatories {
            let key = st_table.key(r);
            let name = st_table.value(r, "organization").unwrap_or(key);
            let class = if added.iter().any(|k| k == key) {
                " class=\"added\""
            } else {
                ""
            };
            let mark = if class.is_empty() {
                ""
            } else {
                " (added since approval)"
            };
            let _ = writeln!(out, "<li{class}>{}{mark}</li>", esc(name));
        }
        for k in list.as_ref().map(|l| l.removed.clone()).unwrap_or_default() {
            let _ = writeln!(
                out,
                "<li class=\"removed\">{} (removed since approval)</li>",
                esc(&k)
            );
        }
    }
    out.push_str("</ol>\n");

    let current = first_letter(&signoff.plan, v, renderer);
    let source = v.translation_of.as_ref().and_then(|s| signoff.variant(s));
    out.push_str("<h3>The letter (first recipient)</h3>\n");
    match (
        &current,
        source.and_then(|s| first_letter(&signoff.plan, s, renderer)),
    ) {
        (Some(md), Some(src)) => {
            let _ = writeln!(
                out,
                "<div class=\"pair\"><div class=\"letter\" lang=\"{}\">{}</div><div class=\"letter source\">{}</div></div>",
                esc(&v.lang),
                html::fragment(md),
                html::fragment(&src)
            );
        }
        (Some(md), None) => {
            let _ = writeln!(
                out,
                "<div class=\"letter\" lang=\"{}\">{}</div>",
                esc(&v.lang),
                html::fragment(md)
            );
        }
        (None, _) => out.push_str("<p>(no letter)</p>\n"),
    }
    if let (Some(a), Some(md)) = (approval, &current) {
        out.push_str("<h3>Changes since the approved text</h3>\n<pre class=\"diff\">");
        let now = txt::render(md);
        let diff = TextDiff::from_lines(&a.letter, &now);
        let mut any = false;
        for change in diff.iter_all_changes() {
            let line = esc(change.value().trim_end_matches('\n'));
            match change.tag() {
                ChangeTag::Delete => {
                    any = true;
                    let _ = write!(out, "<del>{line}</del>");
                }
                ChangeTag::Insert => {
                    any = true;
                    let _ = write!(out, "<ins>{line}</ins>");
                }
                ChangeTag::Equal => {
                    let _ = writeln!(out, "{line}");
                }
            }
        }
        if !any {
            out.push_str("(no change)\n");
        }
        out.push_str("</pre>\n");
    }
    out.push_str(&add.variant_tail(v));
    out.push_str("</section>\n");
}
