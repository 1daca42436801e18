//! Template files: a letter's YAML front matter and Markdown body, and the partials beside them (README, "Templates").

use std::path::{Path, PathBuf};

use serde_norway::Value as Yaml;

use super::nesting;
use crate::diag::{Problem, Problems};

/// One front-matter value: a Handlebars template rendered per letter, and the line it sits on.
#[derive(Debug, Clone)]
pub struct Field {
    pub source: String,
    pub line: usize,
}

#[derive(Debug, Clone, Default)]
pub struct FrontMatter {
    pub from: Vec<Field>,
    pub to: Vec<Field>,
    pub cc: Vec<Field>,
    pub bcc: Vec<Field>,
    pub reply_to: Vec<Field>,
    pub subject: Option<Field>,
    pub attachments: Vec<Field>,
    pub attach_pdf: bool,
    /// The partial used as the email body when the letter travels as an attached PDF.
    pub body: Option<Field>,
    pub filename: Option<Field>,
    /// The attached PDF's file name (default: from the subject and the addressees).
    pub attachment_name: Option<Field>,
}

pub const FRONT_KEYS: &[&str] = &[
    "from",
    "to",
    "cc",
    "bcc",
    "reply_to",
    "subject",
    "attachments",
    "attach_pdf",
    "body",
    "filename",
    "attachment_name",
];

#[derive(Debug, Clone)]
pub struct LetterTemplate {
    /// Relative to the campaign, `/`-separated: the name handlebars knows it by.
    pub path: String,
    /// The whole file as read, for fingerprints.
    pub source: String,
    pub front: FrontMatter,
    pub body: String,
    /// Lines before the body (front matter and its fences), added to handlebars' body positions.
    pub body_offset: usize,
}

#[derive(Debug, Clone)]
pub struct Partial {
    /// `signatures` for `templates/partials/signatures.hbs`; `blocks/footer` for a nested one.
    pub name: String,
    pub path: String,
    pub source: String,
}

pub const PARTIALS_DIR: &str = "templates/partials";

impl LetterTemplate {
    /// Reads `file` (already resolved inside the campaign), known to the user as `rel`.
    pub fn load(file: &Path, rel: &str) -> Result<LetterTemplate, Problems> {
        let text = read_text(file, rel).map_err(|p| {
            if p.help.is_none() {
                p.help(
                    "create it, or point `template` in lettermerge.toml at an existing .hbs file",
                )
            } else {
                p
            }
        })?;
        Self::parse(rel, &text)
    }

    pub fn parse(rel: &str, text: &str) -> Result<LetterTemplate, Problems> {
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        if opens_front_matter(text) && split_front_matter(text).is_none() {
            return Err(Problem::error(
                "the front matter opened by `---` on line 1 is never closed: the whole file would be read as front matter",
            )
            .in_file(rel)
            .at(1, Some(1))
            .help("put a line `---` after the last front-matter key (to:, subject:…), before the letter's text")
            .into());
        }
        // `---` after blank lines is front matter its writer meant, read as the letter's first words.
        let blank = text.lines().take_while(|l| l.trim().is_empty()).count();
        if blank > 0 && !opens_front_matter(text) {
            let rest: String = text.lines().skip(blank).collect::<Vec<_>>().join("\n");
            if opens_front_matter(&rest) && split_front_matter(&rest).is_some() {
                return Err(Problem::error(format!(
                    "the front matter starts on line {}, after blank lines: it must start on line 1, or the whole file is the letter's text",
                    blank + 1
                ))
                .in_file(rel)
                .at(blank + 1, Some(1))
                .help("remove the blank lines before the first `---`")
                .into());
            }
        }
        let Some((yaml, body, body_offset)) = split_front_matter(text) else {
            nesting::check(text, rel, 0)?;
            return Ok(LetterTemplate {
                path: rel.to_string(),
                source: text.to_string(),
                front: FrontMatter::default(),
                body: text.to_string(),
                body_offset: 0,
            });
        };
        let front = parse_front_matter(rel, yaml)?;
        nesting::check(body, rel, body_offset)?;
        for field in front_fields(&front) {
            nesting::check(&field.source, rel, field.line - 1)?;
        }
        Ok(LetterTemplate {
            path: rel.to_string(),
            source: text.to_string(),
            front,
            body: body.to_string(),
            body_offset,
        })
    }
}

/// A template file's text. A file that is not UTF-8 says where, rather than "cannot read".
pub fn read_text(file: &Path, rel: &str) -> Result<String, Problem> {
    let bytes = std::fs::read(file).map_err(|e| {
        let what = if e.kind() == std::io::ErrorKind::NotFound {
            "no such file".to_string()
        } else {
            e.to_string()
        };
        Problem::error(format!("cannot read the template: {what}")).in_file(rel)
    })?;
    String::from_utf8(bytes).map_err(|e| {
        let at = e.utf8_error().valid_up_to();
        let good = String::from_utf8_lossy(&e.as_bytes()[..at]).into_owned();
        let (line, col) = crate::diag::line_col(&good, good.len());
        Problem::error(format!(
            "the template is not UTF-8: byte {at} (0x{:02X}) is not valid UTF-8",
            e.as_bytes()[at]
        ))
        .in_file(rel)
        .at(line, Some(col))
        .help("save it as UTF-8 (in most editors: Save As → Encoding → UTF-8)")
    })
}

/// Whether the first line is a `---` fence.
fn opens_front_matter(text: &str) -> bool {
    text.lines().next().is_some_and(|l| l.trim_end() == "---")
}

/// `(yaml, body, lines before body)` when the file opens with a `---` line and has a closing one.
fn split_front_matter(text: &str) -> Option<(&str, &str, usize)> {
    let first_end = text.find('\n')?;
    if text[..first_end].trim_end() != "---" {
        return None;
    }
    let mut offset = first_end + 1;
    let mut lines = 1;
    while offset <= text.len() {
        let end = text[offset..].find('\n').map_or(text.len(), |i| offset + i);
        lines += 1;
        if text[offset..end].trim_end() == "---" {
            let body_start = (end + 1).min(text.len());
            return Some((&text[first_end + 1..offset], &text[body_start..], lines));
        }
        if end == text.len() {
            break;
        }
        offset = end + 1;
    }
    None
}

fn parse_front_matter(rel: &str, yaml: &str) -> Result<FrontMatter, Problems> {
    let mut problems = Problems::new();
    let doc: Yaml = match serde_norway::from_str(yaml) {
        Ok(v) => v,
        Err(e) => {
            let mut p = Problem::error(format!("front matter is not valid YAML: {e}")).in_file(rel);
            if let Some(loc) = e.location() {
                p = p.at(loc.line() + 1, Some(loc.column()));
            }
            return Err(p
                .help("values containing `{{` must be quoted: to: '{{mailbox name email}}'")
                .into());
        }
    };
    let mut front = FrontMatter::default();
    let map = match doc {
        Yaml::Mapping(m) => m,
        Yaml::Null => return Ok(front),
        _ => {
            return Err(Problem::error("front matter must be `key: value` lines")
                .in_file(rel)
                .at(2, None)
                .into())
        }
    };
    for (k, v) in map {
        let Some(key) = k.as_str() else {
            problems.push(
                Problem::error("front matter keys must be words")
                    .in_file(rel)
                    .at(2, None),
            );
            continue;
        };
        let line = key_line(yaml, key).map_or(2, |l| l + 1);
        let at = |msg: String| Problem::error(msg).in_file(rel).at(line, None);
        let fields = match scalars(&v) {
            Ok(values) => values
                .into_iter()
                .map(|source| Field { source, line })
                .collect::<Vec<_>>(),
            Err(()) => {
                problems.push(
                    at(format!(
                        "front matter `{key}` must be a string or a list of strings"
                    ))
                    .help(format!(
                        "quote values that contain `{{{{`: {key}: '{{{{…}}}}'"
                    )),
                );
                continue;
            }
        };
        let single = |problems: &mut Problems, fields: Vec<Field>| -> Option<Field> {
            if fields.len() > 1 {
                problems.push(at(format!(
                    "front matter `{key}` takes one value, not a list"
                )));
            }
            fields.into_iter().next()
        };
        match key {
            "from" => front.from = fields,
            "to" => front.to = fields,
            "cc" => front.cc = fields,
            "bcc" => front.bcc = fields,
            "reply_to" => front.reply_to = fields,
            "attachments" => front.attachments = fields,
            "subject" => front.subject = single(&mut problems, fields),
            "body" => front.body = single(&mut problems, fields),
            "filename" => front.filename = single(&mut problems, fields),
            "attachment_name" => front.attachment_name = single(&mut problems, fields),
            "attach_pdf" => match v {
                Yaml::Bool(b) => front.attach_pdf = b,
                _ => problems.push(at("front matter `attach_pdf` must be true or false".into())),
            },
            other => problems.push(
                at(format!("unknown front matter key `{other}`"))
                    .help(format!("the keys are: {}", FRONT_KEYS.join(", "))),
            ),
        }
    }
    if problems.has_errors() {
        Err(problems)
    } else {
        Ok(front)
    }
}

/// Every front-matter value that is a template of its own (`body` names a partial; `attach_pdf` is a flag).
pub fn front_fields(front: &FrontMatter) -> impl Iterator<Item = &Field> {
    front
        .from
        .iter()
        .chain(&front.to)
        .chain(&front.cc)
        .chain(&front.bcc)
        .chain(&front.reply_to)
        .chain(&front.attachments)
        .chain(&front.subject)
        .chain(&front.filename)
        .chain(&front.attachment_name)
}

/// Strings, numbers and lists of them; a mapping is what an unquoted `{{x}}` parses as.
fn scalars(v: &Yaml) -> Result<Vec<String>, ()> {
    match v {
        Yaml::Null => Ok(vec![]),
        Yaml::String(s) => Ok(vec![s.clone()]),
        Yaml::Bool(b) => Ok(vec![b.to_string()]),
        Yaml::Number(n) => Ok(vec![n.to_string()]),
        Yaml::Sequence(items) => {
            let mut out = Vec::new();
            for item in items {
                out.extend(scalars(item)?);
            }
            Ok(out)
        }
        _ => Err(()),
    }
}

/// The 1-based line of `key:` within the front matter (the file line is one more, for the opening fence).
fn key_line(yaml: &str, key: &str) -> Option<usize> {
    yaml.lines()
        .position(|l| {
            l.strip_prefix(key)
                .is_some_and(|rest| rest.trim_start().starts_with(':'))
        })
        .map(|i| i + 1)
}

/// Every `.hbs` under `templates/partials`, named by its relative path without the extension.
pub fn load_partials(campaign_dir: &Path) -> Result<Vec<Partial>, Problems> {
    let root = campaign_dir.join(PARTIALS_DIR);
    let mut out = Vec::new();
    let mut problems = Problems::new();
    let mut stack: Vec<PathBuf> = vec![root.clone()];
    // Folders already read, by real path: a link from a folder to its parent must not loop.
    let mut seen = std::collections::HashSet::new();
    while let Some(dir) = stack.pop() {
        if !seen.insert(dir.canonicalize().unwrap_or_else(|_| dir.clone())) {
            continue;
        }
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            if path.extension().and_then(|e| e.to_str()) != Some("hbs") {
                continue;
            }
            let rel_to_root = path.strip_prefix(&root).unwrap_or(&path).with_extension("");
            let name = rel_to_root.to_string_lossy().replace('\\', "/");
            let rel = format!("{PARTIALS_DIR}/{name}.hbs");
            // A partial is part of the letter: a link to a file outside the campaign would put it in the letter.
            if let Err(e) = crate::load::paths::resolve(campaign_dir, &rel) {
                problems.push(Problem::error(e.message(&rel)).in_file(&rel).help(e.help()));
                continue;
            }
            // A byte-order mark is the editor's, not text of the letter (letter templates drop it too).
            match read_text(&path, &rel)
                .map(|s| s.strip_prefix('\u{feff}').map(str::to_string).unwrap_or(s))
            {
                Ok(source) => match nesting::check(&source, &rel, 0) {
                    Ok(()) => out.push(Partial {
                        name,
                        path: rel,
                        source,
                    }),
                    Err(p) => problems.push(p),
                },
                Err(p) => problems.push(p),
            }
        }
    }
    out.sort_by(|a, b| a.name.cmp(&b.name));
    if problems.has_errors() {
        Err(problems)
    } else {
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn front_matter_values_and_body_offset() {
        let t = LetterTemplate::parse(
            "templates/letter.hbs",
            "---\nto: '{{mailbox name email}}'\ncc: [a@x.example, b@x.example]\nsubject: Hello\nattach_pdf: true\n---\nDear {{name}},\n",
        )
        .unwrap();
        assert_eq!(t.front.to[0].source, "{{mailbox name email}}");
        assert_eq!(t.front.to[0].line, 2);
        assert_eq!(t.front.cc.len(), 2);
        assert!(t.front.attach_pdf);
        assert_eq!(t.body, "Dear {{name}},\n");
        assert_eq!(t.body_offset, 6);
    }

    #[test]
    fn an_unquoted_mustache_is_named_with_the_fix() {
        let err = LetterTemplate::parse("t.hbs", "---\nsubject: Hi\nto: {{email}}\n---\nx\n")
            .unwrap_err();
        let p = err.iter().next().unwrap();
        assert_eq!(p.line, Some(3));
        assert!(p.help.as_deref().unwrap().contains("quote"), "{p}");
    }

    #[test]
    fn unknown_keys_are_errors() {
        let err = LetterTemplate::parse("t.hbs", "---\nsubjet: Hi\n---\nx\n").unwrap_err();
        assert!(err
            .iter()
            .next()
            .unwrap()
            .message
            .contains("unknown front matter key `subjet`"));
    }

    #[test]
    fn an_unclosed_front_matter_is_an_error_at_line_1() {
        let err = LetterTemplate::parse("t.hbs", "---\nsubject: Hi\nDear all,\n").unwrap_err();
        let p = err.iter().next().unwrap();
        assert_eq!(p.line, Some(1));
        assert!(p.message.contains("never closed"), "{p}");
    }

    #[test]
    fn a_template_that_is_not_utf8_names_the_byte_and_the_fix() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("t.hbs");
        std::fs::write(&file, b"Dear all,\nSe\xf1or\n").unwrap();
        let p = read_text(&file, "t.hbs").unwrap_err();
        assert_eq!((p.line, p.column), (Some(2), Some(3)), "{p}");
        assert!(p.message.contains("byte 12"), "{p}");
        assert!(p.help.unwrap().contains("save it as UTF-8"));
        let p = read_text(&dir.path().join("nope.hbs"), "nope.hbs").unwrap_err();
        assert!(p.message.contains("no such file"), "{p}");
    }

    #[test]
    fn no_front_matter_is_all_body() {
        let t = LetterTemplate::parse("t.hbs", "Dear all,\n---\n").unwrap();
        assert_eq!(t.body_offset, 0);
        assert!(t.front.to.is_empty());
    }
}
