//! `lettermerge.toml`: every key optional, every unknown key an error with its line (README, "lettermerge.toml").

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use indexmap::IndexMap;
use serde::{Deserialize, Deserializer};

use crate::diag::{line_col, Problem, Problems};
use crate::load::paths::{self, CampaignPath};
use crate::load::smtp::SmtpConfig;
use crate::load::table::{Dedupe, Keep, TableSpec};

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
    #[serde(default)]
    pub signoff: SignoffSection,
    /// `[channels.NAME]`: length limits per delivery channel, checked by `check`.
    #[serde(default)]
    pub channels: IndexMap<String, ChannelLimits>,
    pub smtp: Option<SmtpConfig>,
    #[serde(default)]
    pub roster: RosterSection,
}

/// Rosters of officials the recipients are checked against.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RosterSection {
    /// The unitedstates/congress-legislators `legislators-current.csv`, inside the campaign.
    pub us_congress: Option<CampaignPath>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct LetterSection {
    pub template: CampaignPath,
    pub recipients: TableEntry,
    pub key: Option<String>,
    pub group: Option<String>,
}

impl Default for LetterSection {
    fn default() -> Self {
        LetterSection {
            template: CampaignPath::new("templates/letter.hbs"),
            recipients: TableEntry::Path(CampaignPath::new("recipients/officials.csv")),
            key: None,
            group: None,
        }
    }
}

/// A table as a bare path or written out in full.
#[derive(Debug, Clone)]
pub enum TableEntry {
    Path(CampaignPath),
    Full(Box<FullTable>),
}

/// By hand rather than `untagged`, which would replace every error inside the table (a path outside the campaign,
/// an unknown key) with "data did not match any variant", without its line.
impl<'de> Deserialize<'de> for TableEntry {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Entry;
        impl<'de> serde::de::Visitor<'de> for Entry {
            type Value = TableEntry;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a path, or a table such as { path = \"…\", key = \"id\" }")
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<TableEntry, E> {
                CampaignPath::parse(v)
                    .map(TableEntry::Path)
                    .map_err(|e| E::custom(format!("{}; {}", e.message(v), e.help())))
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                map: A,
            ) -> Result<TableEntry, A::Error> {
                FullTable::deserialize(serde::de::value::MapAccessDeserializer::new(map))
                    .map(|f| TableEntry::Full(Box::new(f)))
            }
        }
        d.deserialize_any(Entry)
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FullTable {
    pub path: CampaignPath,
    pub encoding: Option<String>,
    pub delimiter: Option<String>,
    pub key: Option<String>,
    /// Workbooks: the sheet (default: the first visible) and the cells to read ("A1:F200").
    pub sheet: Option<String>,
    pub range: Option<String>,
    /// The name templates use → the header in the file.
    #[serde(default)]
    pub columns: IndexMap<String, String>,
    pub dedupe: Option<DedupeEntry>,
}

/// `dedupe = { by = "email", keep = "last" }`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DedupeEntry {
    pub by: OneOrMany,
    #[serde(default)]
    pub keep: Keep,
}

/// A `delimiter` that is not one ASCII character.
#[derive(Debug, Clone, thiserror::Error)]
#[error("delimiter `{0}` must be one ASCII character such as \",\", \";\" or \"\\t\"")]
pub struct BadDelimiter(pub String);

impl TableEntry {
    /// The loader's spec; `key` is the `[letter] key` fallback for the primary table.
    pub fn spec(&self, fallback_key: Option<&str>) -> Result<TableSpec, BadDelimiter> {
        let mut spec;
        match self {
            TableEntry::Path(p) => {
                spec = TableSpec::new(PathBuf::from(p.as_str()));
                if let Some(k) = fallback_key {
                    spec.key = k.to_string();
                }
            }
            TableEntry::Full(f) => {
                spec = TableSpec::new(PathBuf::from(f.path.as_str()));
                spec.encoding = f.encoding.clone();
                spec.sheet = f.sheet.clone();
                spec.range = f.range.clone();
                spec.columns = f.columns.clone().into_iter().collect();
                spec.dedupe = f.dedupe.as_ref().map(|d| Dedupe {
                    by: d.by.as_slice().to_vec(),
                    keep: d.keep,
                });
                if let Some(k) = f.key.as_deref().or(fallback_key) {
                    spec.key = k.to_string();
                }
                if let Some(d) = &f.delimiter {
                    spec.delimiter = match d.as_str() {
                        "\\t" | "\t" | "tab" => b'\t',
                        s if s.len() == 1 && s.is_ascii() => s.as_bytes()[0],
                        other => return Err(BadDelimiter(other.to_string())),
                    };
                }
            }
        }
        Ok(spec)
    }

    pub fn path(&self) -> &CampaignPath {
        match self {
            TableEntry::Path(p) => p,
            TableEntry::Full(f) => &f.path,
        }
    }
}

/// `column = value` or `column = [values]`; every column must match.
pub type Where = BTreeMap<String, OneOrMany>;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OneOrMany {
    One(String),
    Many(Vec<String>),
}

/// By hand rather than `untagged`, whose error ("did not match any variant of untagged enum") names no fix.
impl<'de> Deserialize<'de> for OneOrMany {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Visit;
        impl<'de> serde::de::Visitor<'de> for Visit {
            type Value = OneOrMany;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str(
                    r#"a text ("signed") or a list of texts (["signed", "pending"]); a number or true/false goes in quotes, as a cell holds it: "1""#,
                )
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<OneOrMany, E> {
                Ok(OneOrMany::One(v.to_string()))
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(
                self,
                mut seq: A,
            ) -> Result<OneOrMany, A::Error> {
                let mut all = Vec::new();
                while let Some(Text(v)) = seq.next_element::<Text>()? {
                    all.push(v);
                }
                Ok(OneOrMany::Many(all))
            }
        }
        d.deserialize_any(Visit)
    }
}

/// One value of a `where` list: text, as a cell holds it.
struct Text(String);

impl<'de> Deserialize<'de> for Text {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Visit;
        impl serde::de::Visitor<'_> for Visit {
            type Value = Text;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str(r#"a text in the list; a number or true/false goes in quotes, as a cell holds it: "1""#)
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Text, E> {
                Ok(Text(v.to_string()))
            }
        }
        d.deserialize_str(Visit)
    }
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
    pub template: Option<CampaignPath>,
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

/// `not_before`: a moment with its offset from UTC, checked when the manifest is read (not only by `send`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Moment {
    pub at: chrono::DateTime<chrono::FixedOffset>,
    /// As written, for messages and the proof page.
    text: String,
}

impl<'de> Deserialize<'de> for Moment {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Raw {
            Datetime(toml::value::Datetime),
            Text(String),
        }
        let text = match Raw::deserialize(d)? {
            Raw::Datetime(d) => d.to_string(),
            Raw::Text(s) => s,
        };
        match chrono::DateTime::parse_from_rfc3339(text.trim()) {
            Ok(at) => Ok(Moment { at, text }),
            Err(e) => Err(serde::de::Error::custom(format!(
                "not_before `{text}` is not an RFC 3339 moment ({e}); write the date, the time and the offset \
                 from UTC, like \"2018-07-11T09:00:00-04:00\""
            ))),
        }
    }
}

impl std::fmt::Display for Moment {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.text)
    }
}

/// `recipients = false` (one public copy) or `recipients = { where = … }`.
#[derive(Debug, Clone)]
pub enum RecipientsOverride {
    Enabled(bool),
    Filter(RecipientsFilter),
}

/// By hand, as [`TableEntry`]: a mistake inside `where` keeps its own message.
impl<'de> Deserialize<'de> for RecipientsOverride {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Visit;
        impl<'de> serde::de::Visitor<'de> for Visit {
            type Value = RecipientsOverride;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str(r#"false (one public copy) or { where = { column = "value" } }"#)
            }
            fn visit_bool<E: serde::de::Error>(self, v: bool) -> Result<RecipientsOverride, E> {
                Ok(RecipientsOverride::Enabled(v))
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                map: A,
            ) -> Result<RecipientsOverride, A::Error> {
                RecipientsFilter::deserialize(serde::de::value::MapAccessDeserializer::new(map))
                    .map(RecipientsOverride::Filter)
            }
        }
        d.deserialize_any(Visit)
    }
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
    pub dir: CampaignPath,
    pub formats: Vec<String>,
    pub filename: String,
}

impl Default for OutputSection {
    fn default() -> Self {
        OutputSection {
            dir: CampaignPath::new("out"),
            formats: vec!["txt".into()],
            filename: "{{letter.key}}".into(),
        }
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct PdfSection {
    pub paper: Paper,
    /// Set: this file, which must exist. Unset: `templates/layout.typ` when there is one, else the bundled layout.
    pub layout: Option<CampaignPath>,
    /// Set: this folder, which must exist. Unset: `fonts` when there is one.
    pub fonts: Option<CampaignPath>,
}

/// Where the layout is looked for when `[pdf] layout` is not set, and where `init` writes it.
pub const DEFAULT_LAYOUT: &str = "templates/layout.typ";
/// Where extra fonts are looked for when `[pdf] fonts` is not set.
pub const DEFAULT_FONTS: &str = "fonts";

/// `[pdf] paper`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Paper {
    #[default]
    Letter,
    A4,
}

impl Paper {
    /// Typst's name for the paper size, handed to the layout as input `paper`.
    pub fn typst_name(self) -> &'static str {
        match self {
            Paper::Letter => "us-letter",
            Paper::A4 => "a4",
        }
    }
}

/// `[signoff]`: whether `send` needs an approval even before the first `approve`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SignoffSection {
    pub required: bool,
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
    pub fn load(dir: &Path) -> Result<ManifestFile, Problems> {
        let path = dir.join(FILE);
        let source = match std::fs::read_to_string(&path) {
            Ok(s) => s,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Ok(ManifestFile::default())
            }
            Err(e) => {
                return Err(Problem::error(format!("cannot read the manifest: {e}"))
                    .in_file(FILE)
                    .into())
            }
        };
        Self::parse(source)
    }

    pub fn parse(source: String) -> Result<ManifestFile, Problems> {
        let manifest = match toml::from_str::<Manifest>(&source) {
            Ok(manifest) => ManifestFile { manifest, source },
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
                return Err(p.into());
            }
        };
        let mut problems = Problems::new();
        for name in manifest.manifest.variants.keys() {
            if !paths::valid_variant_name(name) {
                problems.push(
                    manifest
                        .problem_at(&["variants", name], format!("variant name `{name}` may hold only letters, digits, `-` and `_`"))
                        .help("the name becomes the folder out/NAME/ and part of every letter's id: rename it, e.g. [variants.es]"),
                );
            }
        }
        let lower: Vec<String> = manifest
            .manifest
            .variants
            .keys()
            .map(|k| k.to_ascii_lowercase())
            .collect();
        // A `[vars]` value reaches every letter (and `preview`'s terminal) unescaped by any table check.
        let mut vars: Vec<(Vec<&str>, &serde_json::Map<String, serde_json::Value>)> =
            vec![(vec!["vars"], &manifest.manifest.vars)];
        for (name, v) in &manifest.manifest.variants {
            vars.push((vec!["variants", name.as_str(), "vars"], &v.vars));
        }
        for (path, map) in vars {
            for (key, value) in map {
                let Some(c) = control_in(value) else { continue };
                let mut at = path.clone();
                at.push(key);
                problems.push(
                    manifest
                        .problem_at(
                            &at,
                            format!("`{key}` holds the control character U+{:04X}", u32::from(c)),
                        )
                        .help("write the value as plain text (a line break is fine)"),
                );
            }
        }
        for (i, name) in manifest.manifest.variants.keys().enumerate() {
            if let Some(j) = lower[..i].iter().position(|l| *l == lower[i]) {
                let first = manifest
                    .manifest
                    .variants
                    .get_index(j)
                    .map_or("", |(k, _)| k.as_str());
                problems.push(
                    manifest
                        .problem_at(&["variants", name], format!("variants `{first}` and `{name}` differ only by case: their folders out/{first}/ and out/{name}/ are one folder on Windows and macOS"))
                        .help("rename one of them"),
                );
            }
        }
        if problems.has_errors() {
            Err(problems)
        } else {
            Ok(manifest)
        }
    }

    /// The line and column of the key at `path` (`["smtp", "port"]`, `["variants", "es", "vars"]`), found in the
    /// parsed document, so inline tables, dotted keys and quoted names are found as surely as `[section]` lines.
    pub fn position(&self, path: &[&str]) -> Option<(usize, usize)> {
        let doc = toml::de::DeTable::parse(&self.source).ok()?;
        let mut table = doc.get_ref();
        let mut span = None;
        for (i, seg) in path.iter().enumerate() {
            let (key, value) = table.iter().find(|(k, _)| k.get_ref() == seg)?;
            span = Some(key.span());
            if i + 1 < path.len() {
                table = value.get_ref().as_table()?;
            }
        }
        span.map(|s| line_col(&self.source, s.start))
    }

    /// The line of a `[section]` header (`variants.es` names `[variants.es]`) or of `key =` inside it, for problems
    /// found after parsing; without the key, the section's.
    pub fn line_of(&self, section: &str, key: Option<&str>) -> Option<usize> {
        let mut path: Vec<&str> = if section.is_empty() {
            Vec::new()
        } else {
            // A variant's name has no dots (it is checked above), so `variants.NAME` splits in two.
            section.splitn(2, '.').collect()
        };
        if let Some(k) = key {
            path.push(k);
            if let Some((line, _)) = self.position(&path) {
                return Some(line);
            }
            path.pop();
        }
        if path.is_empty() {
            return None;
        }
        self.position(&path).map(|(line, _)| line)
    }

    /// A problem pointing at a manifest key by its path, with its column.
    pub fn problem_at(&self, path: &[&str], message: impl Into<String>) -> Problem {
        let p = Problem::error(message).in_file(FILE);
        match self.position(path) {
            Some((line, col)) => p.at(line, Some(col)),
            None => p,
        }
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
mod tests;

/// A control character other than a tab or a line break anywhere in a `[vars]` value (strings in lists and tables
/// too).
fn control_in(value: &serde_json::Value) -> Option<char> {
    match value {
        serde_json::Value::String(s) => s
            .chars()
            .find(|c| c.is_control() && !matches!(c, '\t' | '\n' | '\r')),
        serde_json::Value::Array(items) => items.iter().find_map(control_in),
        serde_json::Value::Object(map) => map.values().find_map(control_in),
        _ => None,
    }
}
