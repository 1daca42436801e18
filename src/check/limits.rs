//! Length limits per channel (`[channels.NAME]` in the manifest): a web form that cuts a letter at 5,000 characters,
//! a committee that reads two pages, a mail server that refuses large messages. `check` reports each letter over its
//! channel's limit with its id and its figure: a warning, or an error with `strict = true`.
//!
//! A fax and a hand-delivered letter are paper: without a section of their own, `[channels.print]` applies to them.
//! PDFs are made only for letters whose channel has `max_pages`, and messages only for those with `max_bytes`; a
//! letter under both is typeset once.

use std::collections::BTreeMap;

use crate::diag::{Problem, Problems, Severity};
use crate::load::manifest::ChannelLimits;
use crate::load::Campaign;
use crate::plan::channel::Channel;
use crate::render::outputs::Outputs;
use crate::render::{txt, Rendered};

pub struct Limits<'c, 'o> {
    campaign: &'c Campaign,
    /// Each channel's section name and limits.
    by_channel: BTreeMap<Channel, (String, &'c ChannelLimits)>,
    /// `check`'s own outputs, started with the PDF engine when [`needs_pdf`] says so.
    outputs: Option<&'o Outputs<'c>>,
}

/// Whether some channel's limit needs each letter's PDF: `max_pages`, or `max_bytes` of messages that attach it.
/// `check` starts its PDF engine (and compiles the layout, once) for these too.
pub fn needs_pdf(campaign: &Campaign) -> bool {
    let channels = &campaign.manifest.manifest.channels;
    let attach_pdf = campaign.templates.values().any(|t| t.front.attach_pdf);
    channels
        .values()
        .any(|l| l.max_pages.is_some() || (l.max_bytes.is_some() && attach_pdf))
}

/// `[channels.email]` when it is `strict`: `send` refuses an email over it, as `check` does.
pub fn strict_email(campaign: &Campaign) -> Option<&ChannelLimits> {
    campaign
        .manifest
        .manifest
        .channels
        .iter()
        .find(|(name, _)| name.trim() == Channel::Email.as_str())
        .map(|(_, l)| l)
        .filter(|l| l.strict)
}

impl<'c, 'o> Limits<'c, 'o> {
    /// Reads `[channels]`; a section that names no channel is an error at its line.
    pub fn new(
        campaign: &'c Campaign,
        outputs: Option<&'o Outputs<'c>>,
    ) -> (Limits<'c, 'o>, Problems) {
        let mf = &campaign.manifest;
        let mut problems = Problems::new();
        let mut by_channel = BTreeMap::new();
        for (name, limits) in &mf.manifest.channels {
            let section = format!("channels.{name}");
            match Channel::parse(name) {
                Ok(c) if name.trim() == c.as_str() => {
                    by_channel.insert(c, (section, limits));
                }
                _ => problems.push(
                    mf.problem(&section, None, format!("[{section}] names no channel"))
                        .help("the channels are email, webform, print, manual and fax"),
                ),
            }
        }
        if let Some(print) = by_channel.get(&Channel::Print).cloned() {
            for paper in [Channel::Manual, Channel::Fax] {
                by_channel.entry(paper).or_insert_with(|| print.clone());
            }
        }
        let pages = by_channel.values().any(|(_, l)| l.max_pages.is_some());
        if pages && !cfg!(feature = "pdf") {
            problems.push(
                Problem::warning(
                    "max_pages cannot be checked: this lettermerge was built without PDF support",
                )
                .in_file(crate::load::manifest::FILE),
            );
        }
        let limits = Limits {
            campaign,
            by_channel,
            outputs,
        };
        (limits, problems)
    }

    /// The letter's figures against its channel's limits.
    pub fn letter(&self, r: &Rendered) -> Problems {
        let mut problems = Problems::new();
        let Some((section, limits)) = self.by_channel.get(&r.channel) else {
            return problems;
        };
        let over = |key: &str, what: String, limit: usize, unit: &str| {
            let mut p = self.campaign.manifest.problem(
                section,
                Some(key),
                format!(
                    "letter {} is {what}, over {key} = {limit} for the {} channel",
                    r.id, r.channel
                ),
            );
            p.severity = if limits.strict {
                Severity::Error
            } else {
                Severity::Warning
            };
            p.help(format!(
                "shorten the letter, or raise [{section}] {key} if {limit} {unit} is too few"
            ))
        };
        if let Some(max) = limits.max_chars {
            let chars = txt::render(&r.markdown).chars().count();
            if chars > max {
                problems.push(over(
                    "max_chars",
                    format!("{} characters", thousands(chars)),
                    max,
                    "characters",
                ));
            }
        }
        let Some(outputs) = self.outputs else {
            return problems;
        };
        // One typesetting serves both limits: the PDF's pages, and the message that attaches it.
        let pages_limit = limits.max_pages.filter(|_| cfg!(feature = "pdf"));
        let mut pdf = None;
        if let Some(max) = pages_limit {
            match outputs.pdf_with_pages(r) {
                Ok((bytes, pages)) => {
                    if pages > max {
                        problems.push(over("max_pages", format!("{pages} pages"), max, "pages"));
                    }
                    pdf = Some(bytes);
                }
                Err(p) => {
                    // The message would need the same PDF: said once.
                    problems.push(p);
                    return problems;
                }
            }
        }
        if let Some(max) = limits.max_bytes {
            // A letter whose message cannot be built is reported by the other checks.
            if let Ok(email) = outputs.email_with(r, false, pdf) {
                let bytes = email.bytes.len();
                if bytes > max {
                    problems.push(over(
                        "max_bytes",
                        format!("{} bytes as a message", thousands(bytes)),
                        max,
                        "bytes",
                    ));
                }
            }
        }
        problems
    }
}

/// 5612 → "5,612".
fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, d) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(d);
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn thousands_are_grouped() {
        assert_eq!(super::thousands(5), "5");
        assert_eq!(super::thousands(5612), "5,612");
        assert_eq!(super::thousands(1234567), "1,234,567");
    }
}
