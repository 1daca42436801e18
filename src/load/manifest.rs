//! `lettermerge.toml`: every key optional, every unknown key an error with its line (SPEC §2).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use indexmap::IndexMap;
use serde::Deserialize;

use crate::diag::{line_col, Problem};
use crate::load::table::TableSpec;

pub const FILE: &str = "lettermerge.toml";

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Manifest {
    #[serde(default)]
    pub letter: LetterSection,
    #[serde(default)]
    pub tables: IndexMap<String, TableEntry>,
    pub signatories: Option<SignatoriesSection>,
    #[serde(default)]
    pub vars: serde_json::Map<String, serde_json::Value>,
    #[serde(default)]
    pub variants: IndexMap<String, VariantSection>,
    #[serde(default)]
    pub output: OutputSection,
    #[serde(default)]
    pub pdf: PdfSection,
    /// `[channels.NAME]`: length limits per delivery channel, checked by `check`.
    #[serde(default)]
    pub channels: IndexMap<String, ChannelLimits>,
    /// Parsed by the delivery layer, which owns its shape.
    pub smtp: Option<toml::Table>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct LetterSection {
    pub template: String,
    pub recipients: TableEntry,
    pub key: Option<String>,
    pub group: Option<String>,
}

impl Default for LetterSection {
    fn default() -> Self {
        LetterSection {
            template: "templates/letter.hbs".into(),
            recipients: TableEntry::Path("recipients/officials.csv".into()),
            key: None,
            group: None,
        }
    }
}

/// A table as a bare path or written out in full.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum TableEntry {
    Path(String),
    Full(FullTable),
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FullTable {
    pub path: String,
    pub encoding: Option<String>,
    pub delimiter: Option<String>,
    pub key: Option<String>,
}

impl TableEntry {
    /// The loader's spec; `key` is the `[letter] key` fallback for the primary table.
    pub fn spec(&self, fallback_key: Option<&str>) -> Result<TableSpec, String> {
        let mut spec;
        match self {
            TableEntry::Path(p) => {
                spec = TableSpec::new(PathBuf::from(p));
                if let Some(k) = fallback_key {
                    spec.key = k.to_string();
                }
            }
            TableEntry::Full(f) => {
                spec = TableSpec::new(PathBuf::from(&f.path));
                spec.encoding = f.encoding.clone();
                if let Some(k) = f.key.as_deref().or(fallback_key) {
                    spec.key = k.to_string();
                }
                if let Some(d) = &f.delimiter {
                    spec.delimiter = match d.as_str() {
                        "\\t" | "\t" | "tab" => b'\t',
                        s if s.len() == 1 && s.is_ascii() => s.as_bytes()[0],
                        other => {
                            return Err(format!(
                                "delimiter `{other}` must be one ASCII character such as \",\", \";\" or \"\\t\""
                            ))
                        }
                    };
                }
            }
        }
        Ok(spec)
    }

    pub fn path(&self) -> &str {
        match self {
            TableEntry::Path(p) => p,
            TableEntry::Full(f) => &f.path,
        }
    }
}

/// `column = value` or `column = [values]`; every column must match.
pub type Where = BTreeMap<String, OneOrMany>;

#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(untagged)]
pub enum OneOrMany {
    One(String),
    Many(Vec<String>),
}

impl OneOrMany {
    pub fn as_slice(&self) -> &[String] {
        match self {
            OneOrMany::One(s) => std::slice::from_ref(s),
            OneOrMany::Many(v) => v,
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SignatoriesSection {
    pub table: String,
    #[serde(default, rename = "where")]
    pub filter: Where,
    pub sort: Option<OneOrMany>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VariantSection {
    pub template: Option<String>,
    pub recipients: Option<RecipientsOverride>,
    pub signatories: Option<SignatoriesOverride>,
    #[serde(default)]
    pub vars: serde_json::Map<String, serde_json::Value>,
    #[serde(default)]
    pub per_signatory: bool,
    /// An RFC 3339 moment, quoted or as a TOML datetime.
    pub not_before: Option<Moment>,
    pub translation_of: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum Moment {
    Datetime(toml::value::Datetime),
    Text(String),
}

impl std::fmt::Display for Moment {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Moment::Datetime(d) => d.fmt(f),
            Moment::Text(s) => f.write_str(s),
        }
    }
}

/// `recipients = false` (one public copy) or `recipients = { where = … }`.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum RecipientsOverride {
    Enabled(bool),
    Filter(RecipientsFilter),
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RecipientsFilter {
    #[serde(rename = "where")]
    pub filter: Where,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SignatoriesOverride {
    #[serde(rename = "where")]
    pub filter: Option<Where>,
    pub sort: Option<OneOrMany>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct OutputSection {
    pub dir: String,
    pub formats: Vec<String>,
    pub filename: String,
}

impl Default for OutputSection {
    fn default() -> Self {
        OutputSection {
            dir: "out".into(),
            formats: vec!["txt".into()],
            filename: "{{letter.key}}".into(),
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct PdfSection {
    pub paper: String,
    pub layout: String,
    pub fonts: String,
}

impl Default for PdfSection {
    fn default() -> Self {
        PdfSection {
            paper: "letter".into(),
            layout: "templates/layout.typ".into(),
            fonts: "fonts".into(),
        }
    }
}

/// How long a letter of one channel may be before `check` says so.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChannelLimits {
    /// Characters of the letter's text (what a web form takes).
    pub max_chars: Option<usize>,
    /// Pages of the letter's PDF.
    pub max_pages: Option<usize>,
    /// Bytes of the email message, attachments included.
    pub max_bytes: Option<usize>,
    /// A letter over a limit is an error, not a warning.
    #[serde(default)]
    pub strict: bool,
}

/// The parsed manifest and its text, kept to point at lines later.
#[derive(Debug, Default)]
pub struct ManifestFile {
    pub manifest: Manifest,
    pub source: String,
}

impl ManifestFile {
    /// A missing manifest is the all-defaults manifest.
    pub fn load(dir: &Path) -> Result<ManifestFile, Problem> {
        let path = dir.join(FILE);
        let source = match std::fs::read_to_string(&path) {
            Ok(s) => s,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Ok(ManifestFile::default())
            }
            Err(e) => {
                return Err(Problem::error(format!("cannot read the manifest: {e}")).in_file(FILE))
            }
        };
        Self::parse(source)
    }

    pub fn parse(source: String) -> Result<ManifestFile, Problem> {
        match toml::from_str::<Manifest>(&source) {
            Ok(manifest) => Ok(ManifestFile { manifest, source }),
            Err(e) => {
                let mut p = Problem::error(e.message().trim().to_string()).in_file(FILE);
                if let Some(span) = e.span() {
                    let (line, col) = line_col(&source, span.start);
                    p = p.at(line, Some(col));
                }
                if e.message().contains("unknown field") {
                    p = p.help(
                        "remove the key or fix its spelling; the README lists every manifest key",
                    );
                }
                Err(p)
            }
        }
    }

    /// The line of a `[section]` header or of `key =` inside it, for problems found after parsing.
    pub fn line_of(&self, section: &str, key: Option<&str>) -> Option<usize> {
        let header = format!("[{section}]");
        let mut in_section = section.is_empty();
        let mut section_line = None;
        for (i, raw) in self.source.lines().enumerate() {
            let line = raw.trim();
            if line.starts_with('[') {
                in_section = line.starts_with(&header);
                if in_section {
                    section_line = Some(i + 1);
                }
                continue;
            }
            if let (true, Some(k)) = (in_section, key) {
                if let Some(rest) = line.strip_prefix(k) {
                    if rest.trim_start().starts_with('=') {
                        return Some(i + 1);
                    }
                }
            }
        }
        // `[variants.es]` may also be written inline as `es = {…}` under `[variants]`; then the header is enough.
        section_line
    }

    /// A problem pointing at a manifest key.
    pub fn problem(&self, section: &str, key: Option<&str>, message: impl Into<String>) -> Problem {
        let p = Problem::error(message).in_file(FILE);
        match self.line_of(section, key) {
            Some(line) => p.at(line, None),
            None => p,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_key_has_a_default() {
        let m = ManifestFile::parse(String::new()).unwrap().manifest;
        assert_eq!(m.letter.template, "templates/letter.hbs");
        assert_eq!(m.letter.recipients.path(), "recipients/officials.csv");
        assert_eq!(m.output.dir, "out");
        assert_eq!(m.output.formats, ["txt"]);
        assert_eq!(m.pdf.paper, "letter");
    }

    #[test]
    fn an_unknown_key_names_itself_and_its_line() {
        let err = ManifestFile::parse("[letter]\ntemplate = \"a.hbs\"\ntemplat = \"b\"\n".into())
            .unwrap_err();
        assert!(err.message.contains("unknown field `templat`"), "{err}");
        assert_eq!(err.line, Some(3));
    }

    #[test]
    fn tables_take_a_path_or_a_full_form() {
        let m = ManifestFile::parse(
            "[tables]\norgs = \"o.csv\"\nissues = { path = \"i.csv\", encoding = \"windows-1252\", delimiter = \";\", key = \"code\" }\n"
                .into(),
        )
        .unwrap()
        .manifest;
        let spec = m.tables["issues"].spec(None).unwrap();
        assert_eq!(spec.delimiter, b';');
        assert_eq!(spec.key, "code");
        assert_eq!(spec.encoding.as_deref(), Some("windows-1252"));
        assert_eq!(m.tables["orgs"].spec(None).unwrap().key, "id");
    }

    #[test]
    fn variants_keep_manifest_order_and_public_copies() {
        let m = ManifestFile::parse(
            "[variants.b]\nrecipients = false\n[variants.a]\nrecipients = { where = { country = \"MX\" } }\nvars = { lang = \"es\" }\n"
                .into(),
        )
        .unwrap();
        let names: Vec<_> = m.manifest.variants.keys().cloned().collect();
        assert_eq!(names, ["b", "a"]);
        assert!(matches!(
            m.manifest.variants["b"].recipients,
            Some(RecipientsOverride::Enabled(false))
        ));
        assert_eq!(m.line_of("variants.a", Some("vars")), Some(5));
    }
}
