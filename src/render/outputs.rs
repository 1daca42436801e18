//! Every output of a rendered letter, from its one Markdown: the bytes of each format and the email message.
//!
//! `render --format eml` and `send` both call [`Outputs::email`], so what is written is what is sent.

use std::collections::HashMap;
use std::path::Path;
use std::sync::{Arc, Mutex};

use crate::diag::{Problem, Problems};
use crate::load::manifest::{DEFAULT_FONTS, DEFAULT_LAYOUT};
use crate::load::paths::{self, CampaignPath};
use crate::load::Campaign;

use super::eml::{self, Attachment, Email};
use super::{html, md, txt, Format, Rendered};

pub struct Outputs<'c> {
    campaign: &'c Campaign,
    #[cfg(feature = "pdf")]
    pdf: Option<super::pdf::PdfEngine>,
    files: Mutex<HashMap<String, Arc<Vec<u8>>>>,
}

impl<'c> Outputs<'c> {
    /// `pdf`: whether PDFs will be needed (loading fonts and the layout costs time, and can fail). When they are,
    /// the layout is compiled once here, so a layout without its `letter` function stops the run (and `check`)
    /// before any letter.
    pub fn new(campaign: &'c Campaign, pdf: bool) -> Result<Outputs<'c>, Problems> {
        let files = if pdf {
            Some(pdf_files(campaign)?)
        } else {
            None
        };
        #[cfg(feature = "pdf")]
        let pdf = match files {
            Some((layout, fonts)) => {
                let opts = super::pdf::PdfOptions {
                    campaign_dir: campaign.dir.clone(),
                    paper: campaign.manifest.manifest.pdf.paper,
                    layout,
                    fonts,
                };
                let engine = super::pdf::PdfEngine::new(&opts)?;
                engine.probe()?;
                Some(engine)
            }
            None => None,
        };
        #[cfg(not(feature = "pdf"))]
        if files.is_some() {
            return Err(
                Problem::error("this lettermerge was built without PDF support")
                    .help("build it with the default features: cargo install lettermerge")
                    .into(),
            );
        }
        Ok(Outputs {
            campaign,
            #[cfg(feature = "pdf")]
            pdf,
            files: Mutex::new(HashMap::new()),
        })
    }

    pub fn bytes(&self, r: &Rendered, format: Format) -> Result<Vec<u8>, Problem> {
        let about = |p: Problem| {
            if p.letters.is_empty() {
                p.for_letter(&r.id, r.row_place(self.campaign))
            } else {
                p
            }
        };
        Ok(match format {
            Format::Txt => txt::render(&r.markdown).into_bytes(),
            Format::Md => md::render(r).into_bytes(),
            Format::Html => html::render(r).into_bytes(),
            Format::Eml => self.message(r).map_err(about)?,
            Format::Pdf => self.pdf(r).map_err(about)?,
        })
    }

    #[cfg(feature = "pdf")]
    pub fn pdf(&self, r: &Rendered) -> Result<Vec<u8>, Problem> {
        let engine = self
            .pdf
            .as_ref()
            .ok_or_else(|| Problem::error("internal: PDF engine not started"))?;
        engine.render(&r.markdown, &pdf_inputs(self.campaign, r))
    }

    /// The letter's PDF and its number of pages (for `check`'s page limits).
    #[cfg(feature = "pdf")]
    pub fn pdf_with_pages(&self, r: &Rendered) -> Result<(Vec<u8>, usize), Problem> {
        let engine = self
            .pdf
            .as_ref()
            .ok_or_else(|| Problem::error("internal: PDF engine not started"))?;
        engine.render_with_pages(&r.markdown, &pdf_inputs(self.campaign, r))
    }

    #[cfg(not(feature = "pdf"))]
    pub fn pdf_with_pages(&self, _r: &Rendered) -> Result<(Vec<u8>, usize), Problem> {
        Err(Problem::error(
            "this lettermerge was built without PDF support",
        ))
    }

    /// Every given letter in one PDF, page numbers restarting per letter.
    #[cfg(feature = "pdf")]
    pub fn combine(&self, letters: &[Rendered]) -> Result<Vec<u8>, Problem> {
        let engine = self
            .pdf
            .as_ref()
            .ok_or_else(|| Problem::error("internal: PDF engine not started"))?;
        let items: Vec<(String, std::collections::BTreeMap<String, String>)> = letters
            .iter()
            .map(|r| (r.markdown.clone(), pdf_inputs(self.campaign, r)))
            .collect();
        engine.combine(&items)
    }

    #[cfg(not(feature = "pdf"))]
    pub fn combine(&self, _letters: &[Rendered]) -> Result<Vec<u8>, Problem> {
        Err(Problem::error(
            "this lettermerge was built without PDF support",
        ))
    }

    #[cfg(not(feature = "pdf"))]
    pub fn pdf(&self, _r: &Rendered) -> Result<Vec<u8>, Problem> {
        Err(Problem::error(
            "this lettermerge was built without PDF support",
        ))
    }

    /// What `send` and `render --format eml` refuse about a letter's message, found without building it: an email
    /// letter whose `to` rendered empty, an attachment that is missing, unreadable or outside the campaign.
    /// `check` runs it on every letter.
    pub fn validate(&self, r: &Rendered) -> Result<(), Problem> {
        let template = self.campaign.templates.get(&r.template);
        let front = template.map(|t| &t.front);
        let at = |fields: Option<&Vec<crate::load::template::Field>>, p: Problem| {
            let p = p.in_file(&r.template);
            match fields.and_then(|f| f.first()) {
                Some(f) => p.at(f.line, None),
                None => p,
            }
        };
        let to = front.map(|f| &f.to);
        let letter = |p: Problem| p.for_letter(&r.id, r.row_place(self.campaign));
        let h = &r.headers;
        if r.channel.is_email() && !r.is_public() {
            if h.to.is_empty() && to.is_some_and(|t| !t.is_empty()) {
                let p = Problem::error("`to` is empty for this letter, so `send` cannot deliver it")
                    .help("fill the row's email cell, or set its `channel` column to `print` or `manual` to deliver it by hand");
                return Err(at(to, letter(p)));
            }
            let nobody = h.to.is_empty() && h.cc.is_empty() && h.bcc.is_empty();
            if nobody || h.from.is_none() {
                let set_up = front.is_some_and(|f| !f.to.is_empty() || !f.from.is_empty())
                    || self.campaign.manifest.manifest.smtp.is_some();
                let what = if nobody { "no recipient" } else { "no sender" };
                // A campaign with no email headers at all is made for print: say once that `send` will refuse it.
                let p = if set_up {
                    Problem::error(format!("{what}: `send` cannot deliver this letter"))
                } else {
                    Problem::warning(
                        "the template has no `to:` and no `from:`: its letters can be rendered, but `send` will refuse them",
                    )
                };
                let help = if nobody {
                    "give the template a `to:` in its front matter, or set the rows' `channel` column to `print`"
                } else {
                    "set `from:` in the template's front matter, or `from` in [smtp]"
                };
                let fields = if nobody { to } else { front.map(|f| &f.from) };
                return Err(at(fields, letter(p.help(help))));
            }
        }
        for path in &r.attachments {
            if let Err(p) = self.attachment(path) {
                return Err(at(
                    front.map(|f| &f.attachments),
                    p.for_letter(&r.id, r.row_place(self.campaign)),
                ));
            }
        }
        let no_subject = h.subject.as_deref().is_none_or(|s| s.trim().is_empty());
        if r.channel.is_email() && !r.is_public() && h.from.is_some() && no_subject {
            let p = Problem::warning(
                "this email has no subject: it would reach the office with an empty Subject line",
            )
            .help("add `subject:` to the template's front matter");
            let p = letter(p).in_file(&r.template);
            return Err(match front.and_then(|f| f.subject.as_ref()) {
                Some(f) => p.at(f.line, None),
                None => p,
            });
        }
        Ok(())
    }

    /// The message as `send` sends it (`keep_bcc` false) or as `render` files it (true).
    pub fn email(&self, r: &Rendered, keep_bcc: bool) -> Result<Email, Problem> {
        self.email_with(r, keep_bcc, None)
    }

    /// [`Outputs::email`] with the letter's PDF when the caller has typeset it already.
    pub fn email_with(
        &self,
        r: &Rendered,
        keep_bcc: bool,
        pdf: Option<Vec<u8>>,
    ) -> Result<Email, Problem> {
        let attachments = self.message_parts(r, pdf)?;
        eml::build(r, &attachments, keep_bcc).map_err(|e| self.refused(r, e))
    }

    /// The bytes of the message `render` files (Bcc kept): [`Outputs::email`] without what `send` shows of it.
    fn message(&self, r: &Rendered) -> Result<Vec<u8>, Problem> {
        let attachments = self.message_parts(r, None)?;
        eml::message(r, &attachments, true).map_err(|e| self.refused(r, e))
    }

    /// The letter's attachments, once the letter is known fit for a message.
    fn message_parts(
        &self,
        r: &Rendered,
        pdf: Option<Vec<u8>>,
    ) -> Result<Vec<Attachment>, Problem> {
        // (A warning is about the campaign, for `check`; building the message still refuses the letter.)
        if let Err(p) = self.validate(r) {
            if p.is_error() {
                return Err(p);
            }
        }
        self.attachments(r, pdf)
    }

    fn refused(&self, r: &Rendered, e: eml::EmlError) -> Problem {
        Problem::error(e.to_string()).for_letter(&r.id, r.row_place(self.campaign))
    }

    /// The envelope recipients of the letter's message, after every check [`Outputs::email`] makes short of
    /// reading its attachments' bytes and typesetting its PDF: `send --dry-run` needs a message's hash (and so its
    /// PDF) only for a letter the journal already knows.
    pub fn recipients(&self, r: &Rendered) -> Result<Vec<String>, Problem> {
        if let Err(p) = self.validate(r) {
            if p.is_error() {
                return Err(p);
            }
        }
        eml::check(r).map_err(|e| {
            Problem::error(e.to_string()).for_letter(&r.id, r.row_place(self.campaign))
        })?;
        Ok(r.headers
            .recipients()
            .map(|m| m.email.to_string())
            .collect())
    }

    /// A test copy of the message for `send --redirect ADDR`, to `to` alone (see [`eml::test_copy`]).
    pub fn test_copy(&self, r: &Rendered, to: &lettre::message::Mailbox) -> Result<Email, Problem> {
        if let Err(p) = self.validate(r) {
            if p.is_error() {
                return Err(p);
            }
        }
        let attachments = self.attachments(r, None)?;
        eml::test_copy(r, &attachments, to).map_err(|e| {
            Problem::error(e.to_string()).for_letter(&r.id, r.row_place(self.campaign))
        })
    }

    /// Reads the letter's `attachments` (once per run, as every message of the run then uses them), without building
    /// its message: a missing or unreadable file is the letter's problem now, not when it is sent.
    pub fn read_attachments(&self, r: &Rendered) -> Result<(), Problem> {
        r.attachments
            .iter()
            .try_for_each(|path| self.attachment(path).map(drop))
    }

    /// The files that travel with the letter: its `attachments` and, with `attach_pdf`, the letter as a PDF.
    fn attachments(&self, r: &Rendered, pdf: Option<Vec<u8>>) -> Result<Vec<Attachment>, Problem> {
        let mut attachments = Vec::new();
        for path in &r.attachments {
            let bytes = self.attachment(path)?;
            let name = Path::new(path)
                .file_name()
                .map_or(path.clone(), |n| n.to_string_lossy().into_owned());
            attachments.push(Attachment {
                content_type: eml::content_type_for(&name).to_string(),
                name,
                bytes: bytes.to_vec(),
            });
        }
        if r.attach_pdf {
            attachments.push(Attachment {
                name: r.attachment_name.clone(),
                bytes: match pdf {
                    Some(bytes) => bytes,
                    None => self.pdf(r)?,
                },
                content_type: "application/pdf".into(),
            });
        }
        Ok(attachments)
    }

    /// An attachment's bytes, read once per run; refused if the path leaves the campaign folder, also through a
    /// symbolic link.
    pub fn attachment(&self, path: &str) -> Result<Arc<Vec<u8>>, Problem> {
        if let Some(b) = self
            .files
            .lock()
            .map_err(|_| Problem::error("internal: lock poisoned"))?
            .get(path)
        {
            return Ok(b.clone());
        }
        let bytes = Arc::new(read_inside(&self.campaign.dir, path)?);
        if let Ok(mut files) = self.files.lock() {
            files.insert(path.to_string(), bytes.clone());
        }
        Ok(bytes)
    }
}

/// Reads a campaign file named by a template, refusing `..`, absolute paths and links that lead outside.
pub fn read_inside(dir: &Path, path: &str) -> Result<Vec<u8>, Problem> {
    let full = paths::resolve(dir, path)
        .map_err(|e| Problem::error(format!("attachment: {}", e.message(path))).help(e.help()))?;
    std::fs::read(&full).map_err(|e| {
        let what = match e.kind() {
            std::io::ErrorKind::NotFound => "no such file".to_string(),
            _ => e.to_string(),
        };
        Problem::error(format!("attachment `{path}`: {what}"))
            .help("attachments are files inside the campaign folder, named from it: attachments/briefing.pdf")
    })
}

/// The PDF layout and the fonts folder, relative to the campaign: a path set in `[pdf]` must exist; an unset one is
/// the default when that exists (else the bundled layout, no extra fonts). Either way inside the campaign.
pub(crate) fn pdf_files(
    c: &Campaign,
) -> Result<(Option<std::path::PathBuf>, Option<std::path::PathBuf>), Problems> {
    let p = &c.manifest.manifest.pdf;
    let mut problems = Problems::new();
    let mut pick = |key: &str, set: Option<&CampaignPath>, default: &str, what: &str| {
        let path = set.map_or(default, CampaignPath::as_str);
        match paths::resolve(&c.dir, path) {
            Err(e) => {
                problems.push(crate::load::escape_problem(
                    &c.manifest,
                    &["pdf", key],
                    path,
                    &e,
                ));
                None
            }
            Ok(full) if full.exists() => Some(std::path::PathBuf::from(path)),
            Ok(_) if set.is_some() => {
                problems.push(
                    c.manifest
                        .problem_at(&["pdf", key], format!("[pdf] {key} `{path}`: no such {what}"))
                        .help(format!(
                            "fix the path (relative to the campaign folder), or delete the line to use {}",
                            if key == "layout" { "the bundled layout" } else { "only the bundled fonts" }
                        )),
                );
                None
            }
            Ok(_) => None,
        }
    };
    let layout = pick("layout", p.layout.as_ref(), DEFAULT_LAYOUT, "file");
    let fonts = pick("fonts", p.fonts.as_ref(), DEFAULT_FONTS, "folder");
    if problems.has_errors() {
        Err(problems)
    } else {
        Ok((layout, fonts))
    }
}

/// The letter's data for the PDF layout, as Typst inputs (never markup).
#[cfg(feature = "pdf")]
fn pdf_inputs(c: &Campaign, r: &Rendered) -> std::collections::BTreeMap<String, String> {
    let mut m = std::collections::BTreeMap::new();
    m.insert(
        "date".into(),
        super::lang::format_date(r.date, &r.lang, None),
    );
    m.insert("letter_id".into(), r.id.clone());
    m.insert("variant".into(), r.variant.clone());
    m.insert("lang".into(), r.lang.clone());
    m.insert("title".into(), r.title());
    // The variant's vars over the campaign's, as the letter sees them: a Spanish variant's `coalition_name` is its
    // letterhead too.
    let manifest = &c.manifest.manifest;
    let own = manifest.variants.get(&r.variant).map(|v| &v.vars);
    let vars = manifest
        .vars
        .iter()
        .filter(|(k, _)| own.is_none_or(|o| !o.contains_key(*k)))
        .chain(own.into_iter().flatten());
    for (k, v) in vars {
        let v = match v {
            serde_json::Value::String(s) => s.clone(),
            other => other.to_string(),
        };
        if k == "coalition_name" {
            m.insert("letterhead".into(), v.clone());
        }
        m.insert(format!("vars.{k}"), v);
    }
    m
}
