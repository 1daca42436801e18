//! The files besides the text that make a letter's PDF and its attachments, for the text fingerprint.
//!
//! A Typst layout can read any file of the campaign (`image("assets/logo.png")`, `read(…)`, `#import "x.typ"`), and
//! whether it does is only known once it runs. So the fingerprint takes every campaign file the layout could name:
//! each file or folder that a word or string of the layout (or of a `.typ` file it names) names, relative to the
//! campaign or to the layout's folder; each file a `[vars]` or `[pdf]` value names (a logo given as a var); and every
//! file in the `[pdf] fonts` folder. The output folder, `.lettermerge/`, `.git/`, `approvals.toml` and
//! `lettermerge.toml` never count (the manifest's settings that reach the PDF are parts of their own).

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use serde_json::{Map, Value};

use crate::load::Campaign;
use crate::load::{approvals, manifest};
use crate::render::outputs::read_inside;

use super::short_bytes;

/// The layout lettermerge uses when the campaign has none; the text ships in the binary, so a new version that
/// changes it changes the letters' PDFs too.
const BUNDLED_LAYOUT: &str = include_str!("../../templates/layout.typ");
const BUNDLED_NAME: &str = "(the bundled PDF layout)";

/// Files under one folder beyond which the walk stops (a layout naming a folder of thousands of images).
const MAX_FILES: usize = 10_000;

/// Short fingerprints of the PDF's layout, `[pdf]` settings, the letter's data as the layout gets it, and every file
/// the layout could read.
pub fn pdf_parts(campaign: &Campaign, vars: &Map<String, Value>) -> BTreeMap<String, String> {
    let m = &campaign.manifest.manifest;
    let mut parts = BTreeMap::new();
    // The layout gets `[pdf] paper` and the campaign's `[vars]` (not only the variant's) as inputs: by name, so
    // their order in lettermerge.toml is not part of the text.
    let settings =
        serde_json::json!({ "paper": m.pdf.paper, "vars": sorted(&Value::Object(m.vars.clone())) });
    parts.insert("[pdf]".into(), short_bytes(settings.to_string().as_bytes()));
    let files = Files::new(campaign);
    let mut found = BTreeSet::new();
    let layout = m
        .pdf
        .layout
        .as_ref()
        .map_or(crate::load::manifest::DEFAULT_LAYOUT, |p| p.as_str());
    match files.file(layout) {
        Some(rel) => files.scan_typ(&rel, &mut found),
        None => {
            parts.insert(BUNDLED_NAME.into(), short_bytes(BUNDLED_LAYOUT.as_bytes()));
            files.scan_text(BUNDLED_LAYOUT, Path::new(""), &mut found);
        }
    }
    let mut values = Vec::new();
    strings(&Value::Object(vars.clone()), &mut values);
    strings(&Value::Object(m.vars.clone()), &mut values);
    if let Ok(raw) = campaign.manifest.source.parse::<toml::Table>() {
        if let Some(pdf) = raw.get("pdf") {
            if let Ok(v) = serde_json::to_value(pdf) {
                strings(&v, &mut values);
            }
        }
    }
    for v in values {
        files.name(&v, Path::new(""), &mut found);
    }
    let fonts = m
        .pdf
        .fonts
        .as_ref()
        .map_or(crate::load::manifest::DEFAULT_FONTS, |p| p.as_str());
    files.folder(fonts, &mut found);
    for rel in found {
        let key = rel.clone();
        parts
            .entry(key)
            .or_insert_with(|| attachment_part(campaign, &rel));
    }
    parts
}

/// The `[pdf]` part as approvals before December 2026 computed it, with `[vars]` in the file's order: an approval
/// made then still holds when nothing but that order differs ([`super::fingerprint::Fingerprint::approves`]).
pub fn legacy_pdf_settings(campaign: &Campaign) -> String {
    let m = &campaign.manifest.manifest;
    let settings = serde_json::json!({ "paper": m.pdf.paper, "vars": m.vars });
    short_bytes(settings.to_string().as_bytes())
}

/// The value with every object's keys in order.
fn sorted(v: &Value) -> Value {
    match v {
        Value::Object(map) => {
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort();
            Value::Object(
                keys.into_iter()
                    .map(|k| (k.clone(), sorted(&map[k])))
                    .collect(),
            )
        }
        Value::Array(items) => Value::Array(items.iter().map(sorted).collect()),
        other => other.clone(),
    }
}

/// A file's short fingerprint, or what is wrong with it (sending then fails on it anyway).
pub fn attachment_part(campaign: &Campaign, path: &str) -> String {
    match read_inside(&campaign.dir, path) {
        Ok(bytes) => short_bytes(&bytes),
        Err(_) => "missing or unreadable".into(),
    }
}

fn strings(v: &Value, out: &mut Vec<String>) {
    match v {
        Value::String(s) => out.push(s.clone()),
        Value::Array(items) => items.iter().for_each(|i| strings(i, out)),
        Value::Object(map) => map.values().for_each(|i| strings(i, out)),
        _ => {}
    }
}

/// The campaign's files, as the fingerprint may count them.
struct Files {
    root: PathBuf,
    /// Top-level folders and files that never count.
    excluded: Vec<String>,
}

impl Files {
    fn new(campaign: &Campaign) -> Files {
        let out = campaign
            .manifest
            .manifest
            .output
            .dir
            .as_str()
            .trim_matches('/')
            .to_string();
        Files {
            root: campaign
                .dir
                .canonicalize()
                .unwrap_or_else(|_| campaign.dir.clone()),
            // The manifest's settings that reach the PDF are parts of their own; the layout's comments name it.
            excluded: vec![
                out,
                ".lettermerge".into(),
                ".git".into(),
                approvals::FILE.into(),
                manifest::FILE.into(),
            ],
        }
    }

    /// `rel` as a file inside the campaign (`/`-separated, relative), if it is one.
    fn file(&self, rel: &str) -> Option<String> {
        self.inside(rel).filter(|p| self.root.join(p).is_file())
    }

    /// `rel` resolved inside the campaign and not excluded: symbolic links that lead out do not count.
    fn inside(&self, rel: &str) -> Option<String> {
        let rel = rel.trim().trim_start_matches('/');
        if rel.is_empty() || rel.contains('\0') {
            return None;
        }
        let real = self.root.join(rel).canonicalize().ok()?;
        let rel = real.strip_prefix(&self.root).ok()?;
        let rel = rel.to_string_lossy().replace('\\', "/");
        let top = rel.split('/').next().unwrap_or("");
        (!rel.is_empty() && !self.excluded.iter().any(|e| e == top)).then_some(rel)
    }

    /// A Typst file: it counts, and so does every file its text names.
    fn scan_typ(&self, rel: &str, found: &mut BTreeSet<String>) {
        if !found.insert(rel.to_string()) {
            return;
        }
        if let Ok(text) = std::fs::read_to_string(self.root.join(rel)) {
            let dir = Path::new(rel)
                .parent()
                .unwrap_or(Path::new(""))
                .to_path_buf();
            self.scan_text(&text, &dir, found);
        }
    }

    /// Every string literal of `text` (comments left out), as a name relative to the campaign and to `dir`: Typst
    /// reads files only through strings (`image("logo.png")`, `read(…)`, `#import "…"`), and a path built from
    /// pieces (`"logos/" + name`) names its folder. Too many candidates is harmless: only names of existing files
    /// count. A word in a comment ("the data folder") is not a file the layout reads.
    fn scan_text(&self, text: &str, dir: &Path, found: &mut BTreeSet<String>) {
        for name in string_literals(text) {
            if name.len() < 500 {
                self.name(&name, dir, found);
            }
        }
    }

    /// `name` relative to the campaign and to `dir`: a file counts (a `.typ` one with what it names), a folder counts
    /// with every file in it.
    fn name(&self, name: &str, dir: &Path, found: &mut BTreeSet<String>) {
        // `.`, `/`, `..` name the layout's own folder or its parents, not something it reads.
        if !name.chars().any(char::is_alphanumeric) {
            return;
        }
        let mut bases = vec![name.to_string()];
        if !dir.as_os_str().is_empty() && !name.starts_with('/') {
            bases.push(dir.join(name).to_string_lossy().replace('\\', "/"));
        }
        for base in bases {
            let Some(rel) = self.inside(&base) else {
                continue;
            };
            let full = self.root.join(&rel);
            if full.is_file() {
                if rel.ends_with(".typ") {
                    self.scan_typ(&rel, found);
                } else {
                    found.insert(rel);
                }
            } else if full.is_dir() && !dir.starts_with(&rel) {
                self.folder(&rel, found);
            }
        }
    }

    /// Every file under a folder of the campaign (a missing folder adds nothing).
    fn folder(&self, rel: &str, found: &mut BTreeSet<String>) {
        let Some(rel) = self.inside(rel) else { return };
        let mut todo = vec![self.root.join(&rel)];
        let mut count = 0;
        while let Some(dir) = todo.pop() {
            let Ok(entries) = std::fs::read_dir(&dir) else {
                continue;
            };
            for entry in entries.flatten() {
                let path = entry.path();
                let Ok(kind) = entry.file_type() else {
                    continue;
                };
                if kind.is_dir() {
                    todo.push(path);
                } else if let Some(r) = path
                    .strip_prefix(&self.root)
                    .ok()
                    .and_then(|r| self.inside(&r.to_string_lossy()))
                {
                    count += 1;
                    if count > MAX_FILES {
                        return;
                    }
                    found.insert(r);
                }
            }
        }
    }
}

/// The string literals of Typst source, outside `//` and `/* */` comments (a `//` inside a string is text).
fn string_literals(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '/' if chars.peek() == Some(&'/') => {
                for c in chars.by_ref() {
                    if c == '\n' {
                        break;
                    }
                }
            }
            '/' if chars.peek() == Some(&'*') => {
                chars.next();
                let mut last = ' ';
                for c in chars.by_ref() {
                    if last == '*' && c == '/' {
                        break;
                    }
                    last = c;
                }
            }
            '"' => {
                let mut s = String::new();
                while let Some(c) = chars.next() {
                    match c {
                        '\\' => {
                            if let Some(n) = chars.next() {
                                s.push(n);
                            }
                        }
                        '"' => break,
                        _ => s.push(c),
                    }
                }
                out.push(s);
            }
            _ => {}
        }
    }
    out
}

#[cfg(test)]
mod literal_tests {
    use super::string_literals;

    #[test]
    fn strings_count_and_comments_do_not() {
        let typ = "// the data folder\n#image(\"logo.png\") /* recipients */ #link(\"https://x.org/a\")\n#let s = \"a\\\"b\"";
        assert_eq!(
            string_literals(typ),
            ["logo.png", "https://x.org/a", "a\"b"]
        );
    }
}
