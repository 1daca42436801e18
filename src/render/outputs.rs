//! Every output of a rendered letter, from its one Markdown: the bytes of each format and the email message.
//!
//! `render --format eml` and `send` both call [`Outputs::email`], so what is written is what is sent.

use std::collections::HashMap;
use std::path::Path;
use std::sync::{Arc, Mutex};

use crate::diag::Problem;
use crate::load::{inside_campaign, Campaign};

use super::eml::{self, Attachment, Email};
use super::{html, md, txt, Format, Rendered};

pub struct Outputs<'c> {
    campaign: &'c Campaign,
    #[cfg(feature = "pdf")]
    pdf: Option<super::pdf::PdfEngine>,
    files: Mutex<HashMap<String, Arc<Vec<u8>>>>,
}

impl<'c> Outputs<'c> {
    /// `pdf`: whether PDFs will be needed (loading fonts and the layout costs time, and can fail).
    pub fn new(campaign: &'c Campaign, pdf: bool) -> Result<Outputs<'c>, crate::diag::Problems> {
        #[cfg(feature = "pdf")]
        let pdf = if pdf {
            Some(super::pdf::PdfEngine::new(&pdf_options(campaign)?)?)
        } else {
            None
        };
        #[cfg(not(feature = "pdf"))]
        if pdf {
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
        Ok(match format {
            Format::Txt => txt::render(&r.markdown).into_bytes(),
            Format::Md => md::render(r).into_bytes(),
            Format::Html => html::render(r).into_bytes(),
            Format::Eml => self.email(r, true)?.bytes,
            Format::Pdf => self.pdf(r)?,
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

    /// How many pages the letter's PDF has (for `check`'s page limits).
    #[cfg(feature = "pdf")]
    pub fn pages(&self, r: &Rendered) -> Result<usize, Problem> {
        let engine = self
            .pdf
            .as_ref()
            .ok_or_else(|| Problem::error("internal: PDF engine not started"))?;
        engine
            .render_with_pages(&r.markdown, &pdf_inputs(self.campaign, r))
            .map(|(_, pages)| pages)
    }

    #[cfg(not(feature = "pdf"))]
    pub fn pages(&self, _r: &Rendered) -> Result<usize, Problem> {
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

    /// The message as `send` sends it (`keep_bcc` false) or as `render` files it (true).
    pub fn email(&self, r: &Rendered, keep_bcc: bool) -> Result<Email, Problem> {
        let attachments = self.attachments(r)?;
        eml::build(r, &attachments, keep_bcc)
            .map_err(|e| Problem::error(format!("letter {}: {e}", r.id)))
    }

    /// A test copy of the message for `send --redirect ADDR`, to `to` alone (see [`eml::test_copy`]).
    pub fn test_copy(&self, r: &Rendered, to: &lettre::message::Mailbox) -> Result<Email, Problem> {
        let attachments = self.attachments(r)?;
        eml::test_copy(r, &attachments, to)
            .map_err(|e| Problem::error(format!("letter {}: {e}", r.id)))
    }

    /// The files that travel with the letter: its `attachments` and, with `attach_pdf`, the letter as a PDF.
    fn attachments(&self, r: &Rendered) -> Result<Vec<Attachment>, Problem> {
        let who = format!("letter {}", r.id);
        let mut attachments = Vec::new();
        for path in &r.attachments {
            let bytes = self.attachment(path).map_err(|p| Problem {
                message: format!("{who}: {}", p.message),
                ..p
            })?;
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
                name: format!("{}.pdf", r.file_stem),
                bytes: self.pdf(r)?,
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
    inside_campaign(path).map_err(|p| Problem { file: None, ..p })?;
    let full = dir.join(path);
    let real = full.canonicalize().map_err(|e| {
        Problem::error(format!("attachment `{path}`: {e}"))
            .help("attachments are paths inside the campaign folder")
    })?;
    let root = dir
        .canonicalize()
        .map_err(|e| Problem::error(format!("campaign folder: {e}")))?;
    if !real.starts_with(&root) {
        return Err(Problem::error(format!(
            "attachment `{path}` leads outside the campaign folder (a symbolic link?)"
        )));
    }
    std::fs::read(&real).map_err(|e| Problem::error(format!("attachment `{path}`: {e}")))
}

#[cfg(feature = "pdf")]
fn pdf_options(c: &Campaign) -> Result<super::pdf::PdfOptions, crate::diag::Problems> {
    let p = &c.manifest.manifest.pdf;
    let paper = match p.paper.as_str() {
        "letter" => super::pdf::Paper::Letter,
        "a4" => super::pdf::Paper::A4,
        other => {
            return Err(c
                .manifest
                .problem(
                    "pdf",
                    Some("paper"),
                    format!("paper `{other}`: use \"letter\" or \"a4\""),
                )
                .into())
        }
    };
    Ok(super::pdf::PdfOptions {
        campaign_dir: c.dir.clone(),
        paper,
        layout: Some(p.layout.clone().into()),
        fonts: Some(p.fonts.clone().into()),
    })
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
    for (k, v) in &c.manifest.manifest.vars {
        let v = match v {
            serde_json::Value::String(s) => s.clone(),
            other => other.to_string(),
        };
        m.insert(format!("vars.{k}"), v);
    }
    if let Some(name) = c
        .manifest
        .manifest
        .vars
        .get("coalition_name")
        .and_then(|v| v.as_str())
    {
        m.insert("letterhead".into(), name.to_string());
    }
    m
}
