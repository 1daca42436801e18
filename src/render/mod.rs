//! Render: one letter's context → its Markdown body → every output format.
//!
//! Two handlebars registries hold the same templates: `body` escapes every value for Markdown (README, "Templates"),
//! `raw` escapes nothing and renders front matter and file names, whose values are validated instead. Rendering a
//! letter is a pure function of the plan, so letters render in parallel.

pub(crate) mod address;
mod attachment;
pub mod columns;
pub(crate) mod context;
pub(crate) mod eml;
pub(crate) mod escape;
pub(crate) mod file_name;
mod fold;
mod format;
pub(crate) mod headers;
pub(crate) mod helpers;
pub(crate) mod html;
pub(crate) mod lang;
pub(crate) mod md;
mod mime;
pub mod outputs;
#[cfg(feature = "pdf")]
pub mod pdf;
mod splice;
mod tidy;
pub(crate) mod txt;
mod wrap;

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::Arc;

use chrono::NaiveDate;
use handlebars::{Handlebars, RenderError, TemplateError};
use serde_json::Value;

use crate::diag::{LetterRef, Problem, Problems};
use crate::load::nesting::unclosed;
use crate::load::template::FrontMatter;
use crate::load::Campaign;
use crate::plan::channel::Channel;
use crate::plan::{Letter, Plan};
use context::VariantParts;
use headers::Headers;
use helpers::{TableRows, Tables};
use tidy::tidy;

pub use format::{Format, UnknownFormat};

/// One letter, rendered: its Markdown and everything a format or a transport needs besides.
#[derive(Debug, Clone)]
pub struct Rendered {
    pub id: String,
    pub variant: String,
    pub key: String,
    pub signatory: Option<String>,
    /// The signing organization's fingerprints, in a per-signatory letter ([`crate::plan::Letter::signer_prints`]).
    pub signer: Vec<String>,
    /// Keys of the signatories the letter carries.
    pub signatories: Vec<String>,
    pub markdown: String,
    /// The cover note's Markdown, when the letter travels as an attached PDF (`body:` in front matter).
    pub cover: Option<String>,
    pub headers: Headers,
    pub attachments: Vec<String>,
    pub attach_pdf: bool,
    /// The letter template's path, as the campaign names it (for problems about its front matter).
    pub template: String,
    /// Its variant's [`Variant::is_public`](crate::plan::Variant::is_public), kept with the letter: ask
    /// [`Rendered::is_public`].
    public: bool,
    /// The attached PDF's file name, with `.pdf`: `attachment_name`, else from the subject and the addressees (empty
    /// when the letter attaches no PDF).
    pub attachment_name: String,
    /// The file name without extension, sanitized.
    pub file_stem: String,
    pub lang: String,
    pub date: NaiveDate,
    /// How the letter reaches its office (the row's `channel` column; email when empty).
    pub channel: Channel,
    /// The recipient row's line in the primary table (for messages), if there is a row.
    pub row_line: Option<usize>,
}

impl Rendered {
    /// A public copy (`recipients = false`): no recipient, never sent.
    pub fn is_public(&self) -> bool {
        self.public
    }

    /// `recipients/officials.csv:3`, where the letter's row is.
    pub fn row_place(&self, campaign: &Campaign) -> Option<String> {
        row_place(campaign, self.row_line)
    }

    /// The title formats show: the subject, else the letter's id.
    pub fn title(&self) -> String {
        self.headers
            .subject
            .clone()
            .unwrap_or_else(|| format!("Letter {}", self.id))
    }
}

/// Where a registered template came from, to turn handlebars positions into file positions.
#[derive(Debug, Clone)]
struct Origin {
    file: String,
    line_offset: usize,
}

pub struct Renderer<'c> {
    campaign: &'c Campaign,
    body: Handlebars<'static>,
    raw: Handlebars<'static>,
    origins: HashMap<String, Origin>,
    parts: BTreeMap<String, VariantParts>,
    tables: Value,
    /// Templates that more than one variant sends, whose default attachment names carry the variant's name.
    shared_templates: BTreeSet<String>,
    /// The body templates with their partials spliced in.
    spliced: splice::Spliced,
    /// Each variant's copy of them with its shared blocks rendered once.
    folds: fold::Folds,
}

const FILENAME: &str = "[output] filename";

impl<'c> Renderer<'c> {
    pub fn new(plan: &Plan<'c>) -> Result<Renderer<'c>, Problems> {
        let campaign = plan.campaign;
        let tables: Tables = Arc::new(
            campaign
                .tables
                .iter()
                .map(|(name, t)| {
                    let rows: Vec<Value> = t
                        .rows
                        .iter()
                        .map(|r| Value::Object(t.row_json(r)))
                        .collect();
                    let index = t
                        .rows
                        .iter()
                        .enumerate()
                        .map(|(i, r)| (t.key(r).to_string(), i))
                        .collect();
                    (name.clone(), TableRows { rows, index })
                })
                .collect(),
        );
        let mut body = Handlebars::new();
        body.set_strict_mode(true);
        body.set_prevent_indent(true);
        // The cells of the small tables and the variants' values reach letter after letter: escaped once.
        let cells = campaign
            .tables
            .values()
            .flat_map(|t| t.rows.iter().flat_map(|r| r.fields()));
        let vars = plan
            .variants
            .iter()
            .flat_map(|v| v.vars.values().filter_map(Value::as_str));
        let known = escape::Known::new(cells.chain(vars));
        body.register_escape_fn(move |v| known.markdown(v));
        helpers::register(&mut body, &tables);
        let mut raw = body.clone();
        raw.register_escape_fn(handlebars::no_escape);

        let mut problems = Problems::new();
        let mut origins = HashMap::new();
        for p in &campaign.partials {
            origins.insert(
                p.name.clone(),
                Origin {
                    file: p.path.clone(),
                    line_offset: 0,
                },
            );
            for reg in [&mut body, &mut raw] {
                if let Err(e) = reg.register_partial(&p.name, &p.source) {
                    problems.push(template_problem(&p.path, 0, &p.source, &e));
                    break;
                }
            }
        }
        for (path, t) in &campaign.templates {
            origins.insert(
                path.clone(),
                Origin {
                    file: path.clone(),
                    line_offset: t.body_offset,
                },
            );
            if let Err(e) = body.register_template_string(path, &t.body) {
                problems.push(template_problem(path, t.body_offset, &t.body, &e));
            }
            if let Some(field) = &t.front.body {
                if !campaign.partials.iter().any(|p| p.name == field.source) {
                    problems.push(
                        Problem::error(format!(
                            "front matter `body: {}` names no partial",
                            field.source
                        ))
                        .in_file(path)
                        .at(field.line, None)
                        .help(format!("create templates/partials/{}.hbs", field.source)),
                    );
                } else if let Err(e) = body.register_template_string(
                    &cover_name(&field.source),
                    format!("{{{{> {}}}}}", field.source),
                ) {
                    problems.push(template_problem(path, field.line - 1, "", &e));
                }
            }
            for (key, index, field) in front_fields(&t.front) {
                let name = field_template(path, key, index, field.line);
                origins.insert(
                    name.clone(),
                    Origin {
                        file: path.clone(),
                        line_offset: field.line - 1,
                    },
                );
                if let Err(e) = raw.register_template_string(&name, &field.source) {
                    problems.push(template_problem(path, field.line - 1, &field.source, &e));
                }
            }
        }
        let out = &campaign.manifest.manifest.output;
        if let Err(e) = raw.register_template_string(FILENAME, &out.filename) {
            problems.push(
                campaign
                    .manifest
                    .problem("output", Some("filename"), format!("{e}")),
            );
        }
        if problems.has_errors() {
            return Err(problems);
        }
        let letters: Vec<String> = campaign
            .templates
            .iter()
            .flat_map(|(path, t)| {
                let cover = t.front.body.as_ref().map(|f| cover_name(&f.source));
                std::iter::once(path.clone()).chain(cover)
            })
            .collect();
        let spliced = splice::Spliced::register(&mut body, letters.iter().cloned());
        let fields: Vec<String> = campaign
            .templates
            .iter()
            .flat_map(|(path, t)| {
                front_fields(&t.front)
                    .into_iter()
                    .map(|(key, index, field)| field_template(path, key, index, field.line))
            })
            .collect();
        let folds = fold::Folds::new(plan, &letters, &fields);
        let parts = plan
            .variants
            .iter()
            .map(|v| (v.name.clone(), VariantParts::new(v)))
            .collect();
        Ok(Renderer {
            campaign,
            body,
            raw,
            origins,
            parts,
            shared_templates: attachment::shared_templates(campaign),
            spliced,
            folds,
            // Most letters read tables through `rows`; the context carries them only for letters that read `tables`.
            tables: if plan.variants.iter().any(|v| v.reads.context_tables) {
                context::tables_value(campaign)
            } else {
                Value::Object(Default::default())
            },
        })
    }

    pub fn context(&self, letter: &Letter) -> Value {
        context::letter_context(self.campaign, letter, &self.parts, &self.tables)
    }

    /// Renders the letter's body, front matter and file name; every problem names the letter and its row.
    pub fn render(&self, letter: &Letter) -> Result<Rendered, Problem> {
        let parts = &self.parts[&letter.variant.name];
        let (ctx, rest) =
            context::letter_context_with(self.campaign, letter, parts.lend(&self.tables));
        let mut ctx = handlebars::Context::from(ctx);
        let rendered = self.render_in(letter, &ctx, true);
        parts.give_back(rest, ctx.data_mut());
        rendered
    }

    /// Renders the letter from a context the caller made (`check`'s probes change values in it, so nothing folded
    /// from another letter's context is used).
    pub fn render_value(&self, letter: &Letter, ctx: Value) -> Result<Rendered, Problem> {
        self.render_in(letter, &handlebars::Context::from(ctx), false)
    }

    /// A body template's text: from the variant's folded copy when `fold` allows and it renders, else spliced, else
    /// as written (whose error then says where).
    fn body_text(
        &self,
        letter: &Letter,
        name: &str,
        ctx: &handlebars::Context,
        fold: bool,
    ) -> Result<String, RenderError> {
        if fold {
            let registered = self.spliced.registered(name);
            let folded = self
                .folds
                .render(&self.body, &letter.variant.name, name, registered, ctx);
            if let Some(Ok(text)) = folded {
                return Ok(text);
            }
        }
        self.spliced.render(&self.body, name, ctx)
    }

    fn render_in(
        &self,
        letter: &Letter,
        ctx: &handlebars::Context,
        fold: bool,
    ) -> Result<Rendered, Problem> {
        let variant = letter.variant;
        let template = &self.campaign.templates[&variant.template];
        let id = letter.id();
        let row_line = letter.row().map(|r| r.line);
        // Made only for an error: the row's place is a formatted string, and most letters have no error.
        let who = || LetterRef {
            id: id.clone(),
            row: row_place(self.campaign, row_line),
        };
        let markdown = self
            .body_text(letter, &variant.template, ctx, fold)
            .map_err(|e| self.problem(&who(), &e))?;
        let front = &template.front;
        let mut rendered_fields: BTreeMap<&str, Vec<(String, usize)>> = BTreeMap::new();
        for (key, index, field) in front_fields(front) {
            let name = field_template(&variant.template, key, index, field.line);
            let shared = fold
                .then(|| self.folds.field(&self.raw, &variant.name, &name, ctx))
                .flatten();
            let value = match shared {
                Some(text) => text.to_string(),
                None => self
                    .raw
                    .render_with_context(&name, ctx)
                    .map_err(|e| self.problem(&who(), &e))?,
            };
            rendered_fields
                .entry(key)
                .or_default()
                .push((value, field.line));
        }
        let default_from = self
            .campaign
            .manifest
            .manifest
            .smtp
            .as_ref()
            .and_then(|s| s.from.as_ref());
        let headers =
            Headers::from_fields(&rendered_fields, default_from).map_err(|(line, msg)| {
                Problem::error(msg)
                    .in_file(&variant.template)
                    .at(line, None)
                    .for_letter(&id, row_place(self.campaign, row_line))
            })?;
        let cover = match front.body.as_ref() {
            None => None,
            Some(field) => {
                let name = cover_name(&field.source);
                Some(
                    self.body_text(letter, &name, ctx, fold)
                        .map_err(|e| self.problem(&who(), &e))?,
                )
            }
        };
        let file_stem = match self.key_stem(letter) {
            Some(key) => self.safe_stem(letter, key),
            None => self.safe_stem(letter, &self.stem_in(letter, ctx, &who())?),
        };
        let attachment_name = match rendered_fields
            .get("attachment_name")
            .and_then(|v| v.first())
        {
            Some((value, line)) => attachment::given(value).map_err(|msg| {
                Problem::error(msg)
                    .for_letter(&id, row_place(self.campaign, row_line))
                    .in_file(&variant.template)
                    .at(*line, None)
                    .help("write a file name such as 'Human rights in Mexico - {{last_name}}'")
            })?,
            None => None,
        };
        // The default name reads every addressee's form of address: made only for a letter that attaches its PDF.
        let attachment_name = match attachment_name {
            Some(name) => name,
            None if front.attach_pdf => attachment::default(
                self.campaign,
                letter,
                headers.subject.as_deref(),
                self.shared_templates.contains(&variant.template),
            ),
            None => String::new(),
        };
        let attachments: Vec<String> = rendered_fields
            .get("attachments")
            .into_iter()
            .flatten()
            .flat_map(|(v, _)| helpers::split_cell(v))
            .collect();
        let channel = letter.channel(&self.campaign.recipients).map_err(|e| {
            let p =
                Problem::error(e.to_string()).for_letter(&id, row_place(self.campaign, row_line));
            match row_line {
                Some(line) => self.campaign.recipients.at(p, line, None),
                None => p,
            }
        })?;
        let signatories = match variant.signatory_table {
            Some(t) => match letter.signatory {
                Some(r) => vec![t.key(r).to_string()],
                None => variant
                    .signatories
                    .iter()
                    .map(|r| t.key(r).to_string())
                    .collect(),
            },
            None => Vec::new(),
        };
        Ok(Rendered {
            id,
            variant: variant.name.clone(),
            template: variant.template.clone(),
            public: variant.is_public(),
            key: letter.key().to_string(),
            signatory: letter.signatory_key().map(str::to_string),
            signer: letter.signer_prints(),
            signatories,
            markdown: tidy(&markdown),
            cover: cover.map(|c| tidy(&c)),
            headers,
            attachments,
            attach_pdf: front.attach_pdf,
            attachment_name,
            file_stem,
            lang: variant.lang.clone(),
            date: variant.today,
            channel,
            row_line,
        })
    }

    /// The files the letter attaches (front matter `attachments`), rendered alone: sign-off fingerprints every file a
    /// variant's letters attach.
    pub fn attachment_paths(&self, letter: &Letter) -> Result<Vec<String>, Problem> {
        let template = &self.campaign.templates[&letter.variant.template];
        let ctx = handlebars::Context::from(self.context(letter));
        let mut out = Vec::new();
        for (index, field) in template.front.attachments.iter().enumerate() {
            let name = field_template(&letter.variant.template, "attachments", index, field.line);
            let value = self.raw.render_with_context(&name, &ctx).map_err(|e| {
                let who = LetterRef {
                    id: letter.id(),
                    row: row_place(self.campaign, letter.row().map(|r| r.line)),
                };
                self.problem(&who, &e)
            })?;
            out.extend(helpers::split_cell(&value));
        }
        Ok(out)
    }

    fn problem(&self, who: &LetterRef, e: &RenderError) -> Problem {
        let reason = match e.reason() {
            handlebars::RenderErrorReason::MissingVariable(Some(name)) => {
                format!("`{name}` is not in the letter's context (a column name misspelt, or a value missing)")
            }
            // What `lookup` looks for has no name handlebars can give.
            handlebars::RenderErrorReason::MissingVariable(None) => {
                "a value this expression looks up (with `lookup`?) is not in the letter's context".to_string()
            }
            handlebars::RenderErrorReason::HelperNotFound(name) => format!(
                "`{name}` is neither a helper nor a value of the letter (see the README's list of helpers)"
            ),
            other => other.to_string(),
        };
        let mut p = Problem::error(reason).for_letter(&who.id, who.row.clone());
        if let Some(origin) = e.template_name.as_ref().and_then(|n| self.origins.get(n)) {
            p = p.in_file(&origin.file);
            if let Some(line) = e.line_no {
                p = p.at(line + origin.line_offset, e.column_no);
            }
        }
        p
    }
}

/// `recipients/officials.csv:3`: where a letter's row is, for messages.
fn row_place(campaign: &Campaign, line: Option<usize>) -> Option<String> {
    line.map(|l| campaign.recipients.place(l))
}

/// The registered template that renders a cover-note partial on its own.
fn cover_name(partial: &str) -> String {
    format!("cover:{partial}")
}

/// Front-matter fields rendered per letter, with their keys and their place in the key's list.
fn front_fields(front: &FrontMatter) -> Vec<(&'static str, usize, &crate::load::template::Field)> {
    let mut out = Vec::new();
    for (key, list) in [
        ("from", &front.from),
        ("to", &front.to),
        ("cc", &front.cc),
        ("bcc", &front.bcc),
        ("reply_to", &front.reply_to),
        ("attachments", &front.attachments),
    ] {
        out.extend(list.iter().enumerate().map(|(i, f)| (key, i, f)));
    }
    for (key, field) in [
        ("subject", &front.subject),
        ("filename", &front.filename),
        ("attachment_name", &front.attachment_name),
    ] {
        if let Some(f) = field {
            out.push((key, 0, f));
        }
    }
    out
}

/// The registered name of one front-matter value. The items of a YAML list share their key's line, so the name
/// holds the item's place too: with the line alone, every item of `attachments:` rendered as the last one.
fn field_template(path: &str, key: &str, index: usize, line: usize) -> String {
    format!("{path}#{key}@{line}#{index}")
}

fn template_problem(file: &str, offset: usize, source: &str, e: &TemplateError) -> Problem {
    // A block left open makes handlebars stop at the end of the file with a list of what it expected: the block's
    // own line says more.
    let at_end = e
        .pos()
        .is_some_and(|(line, _)| line >= source.lines().count());
    if let Some(open) = unclosed(source).filter(|_| at_end) {
        let (line, col) = crate::diag::line_col(source, open);
        let tag: String = source[open..].chars().take_while(|&c| c != '}').collect();
        let name = tag
            .trim_start_matches(['{', '~', ' ', '#', '>', '*'])
            .split_whitespace()
            .next()
            .unwrap_or("")
            .to_string();
        return Problem::error(format!("`{tag}}}}}` is never closed"))
            .in_file(file)
            .at(line + offset, Some(col))
            .help(format!("add `{{{{/{name}}}}}` where the block ends"));
    }
    let mut p = Problem::error(format!("template syntax: {}", e.reason())).in_file(file);
    if let Some((line, col)) = e.pos() {
        p = p.at(line + offset, Some(col));
    }
    p.help("see the README's template section; every {{#block}} needs its {{/block}}")
}
