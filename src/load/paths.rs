//! Every path a campaign names stays inside the campaign folder (issue 10).
//!
//! Tables, templates, partials, the PDF layout and fonts, attachments, the output folder and the outbox are all
//! reached through [`CampaignPath::resolve`] (or [`resolve`] for a path from a template): relative, no `..`, and —
//! once symbolic links are followed — still under the campaign folder. A manifest cannot name `/etc/passwd`, and a
//! campaign cloned from someone's repository cannot read or write beside it through a link. Paths given on the
//! command line (`--out`, `--outbox`) are the user's own and go where they say; they never come through here.

use std::fmt;
use std::path::{Component, Path, PathBuf};

use serde::{Deserialize, Deserializer};

/// Why a path was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Escape {
    Empty,
    /// `/etc/passwd`, `C:\x`.
    Absolute,
    /// A `..` component.
    Parent,
    /// A symbolic link on the way leads outside the campaign (or nowhere, so it cannot be checked).
    Link(PathBuf),
    /// The campaign folder itself cannot be opened.
    Root(String),
}

impl Escape {
    /// The sentence for a problem about `path`.
    pub fn message(&self, path: &str) -> String {
        match self {
            Escape::Empty => "the path is empty".to_string(),
            Escape::Absolute => {
                format!("`{path}` is outside the campaign folder (an absolute path)")
            }
            Escape::Parent => {
                format!("`{path}` is outside the campaign folder (it goes up with `..`)")
            }
            Escape::Link(at) => format!(
                "`{path}` leads outside the campaign folder through the symbolic link {}",
                at.display()
            ),
            Escape::Root(e) => format!("cannot open the campaign folder: {e}"),
        }
    }

    pub fn help(&self) -> &'static str {
        match self {
            Escape::Link(_) => {
                "copy the file into the campaign folder instead of linking to it: lettermerge reads and writes only \
                 inside the campaign"
            }
            _ => "give a path relative to the campaign folder (where lettermerge.toml is), without `..`",
        }
    }
}

impl fmt::Display for Escape {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message("the path"))
    }
}

/// A relative path with no `..`: checked on its own, without touching the disk.
pub fn lexical(path: &str) -> Result<(), Escape> {
    let p = Path::new(path);
    if path.trim().is_empty() {
        return Err(Escape::Empty);
    }
    for c in p.components() {
        match c {
            Component::Normal(_) | Component::CurDir => {}
            Component::ParentDir => return Err(Escape::Parent),
            Component::RootDir | Component::Prefix(_) => return Err(Escape::Absolute),
        }
    }
    // `C:x` or `\\server` on Windows are prefixes there but plain names elsewhere; refuse them everywhere, so a
    // campaign means the same on every machine.
    let drive =
        path.len() >= 2 && path.as_bytes()[0].is_ascii_alphabetic() && path.as_bytes()[1] == b':';
    if path.starts_with(['/', '\\']) || drive {
        return Err(Escape::Absolute);
    }
    if path.split(['/', '\\']).any(|c| c == "..") {
        return Err(Escape::Parent);
    }
    Ok(())
}

/// `root/path`, refused unless it stays inside `root` once links are followed. The path need not exist yet (an
/// output folder): then its nearest existing ancestor is what is checked, and the rest has no `..` to climb with.
pub fn resolve(root: &Path, path: &str) -> Result<PathBuf, Escape> {
    lexical(path)?;
    let real_root = root
        .canonicalize()
        .map_err(|e| Escape::Root(e.to_string()))?;
    let full = root.join(path);
    let mut at = full.as_path();
    loop {
        match at.canonicalize() {
            Ok(real) if real.starts_with(&real_root) => return Ok(full),
            Ok(_) => return Err(Escape::Link(shown(root, at))),
            // A link that points nowhere may be made to point anywhere: refuse it rather than write through it.
            Err(_) if at.symlink_metadata().is_ok() => return Err(Escape::Link(shown(root, at))),
            Err(_) => match at.parent() {
                Some(parent) if parent.starts_with(root) => at = parent,
                _ => return Ok(full),
            },
        }
    }
}

/// `at` relative to the campaign folder, as the user would name it.
fn shown(root: &Path, at: &Path) -> PathBuf {
    at.strip_prefix(root).unwrap_or(at).to_path_buf()
}

/// A path from the manifest, relative to the campaign folder. Parsing refuses absolute paths and `..` (so the error
/// points at the value in lettermerge.toml); [`CampaignPath::resolve`] is the only way to a file system path, and
/// also refuses symbolic links that lead outside.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CampaignPath(String);

impl CampaignPath {
    /// A built-in default, known to be inside.
    pub fn new(path: &str) -> CampaignPath {
        debug_assert!(lexical(path).is_ok(), "{path}");
        CampaignPath(path.to_string())
    }

    pub fn parse(path: &str) -> Result<CampaignPath, Escape> {
        lexical(path)?;
        Ok(CampaignPath(path.to_string()))
    }

    /// As written in the manifest: for messages, and as the name a template is known by.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The file inside `campaign_dir`, or why it may not be used.
    pub fn resolve(&self, campaign_dir: &Path) -> Result<PathBuf, Escape> {
        resolve(campaign_dir, &self.0)
    }
}

impl fmt::Display for CampaignPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for CampaignPath {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        CampaignPath::parse(&text)
            .map_err(|e| serde::de::Error::custom(format!("{}; {}", e.message(&text), e.help())))
    }
}

/// Whether `name` may be a variant's name: it becomes a folder under the output folder and part of every letter's
/// id, so letters, digits, `-` and `_` only (ASCII, so the folder is named the same on every file system).
pub fn valid_variant_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 64
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_paths_without_parents_pass() {
        for ok in [
            "a.csv",
            "recipients/officials.csv",
            "./out",
            "templates/partials/x.hbs",
        ] {
            assert_eq!(lexical(ok), Ok(()), "{ok}");
        }
        assert_eq!(lexical("../../etc/passwd"), Err(Escape::Parent));
        assert_eq!(lexical("a/../../b"), Err(Escape::Parent));
        assert_eq!(lexical("a\\..\\b"), Err(Escape::Parent));
        assert_eq!(lexical("/etc/passwd"), Err(Escape::Absolute));
        assert_eq!(lexical("C:\\x"), Err(Escape::Absolute));
        assert_eq!(lexical("\\\\server\\x"), Err(Escape::Absolute));
        assert_eq!(lexical(""), Err(Escape::Empty));
    }

    #[cfg(unix)]
    #[test]
    fn links_that_lead_outside_are_refused_also_before_the_file_exists() {
        let outside = tempfile::tempdir().unwrap();
        let campaign = tempfile::tempdir().unwrap();
        let root = campaign.path();
        std::fs::create_dir(root.join("inside")).unwrap();
        std::os::unix::fs::symlink(outside.path(), root.join("out")).unwrap();
        std::os::unix::fs::symlink(root.join("inside"), root.join("fine")).unwrap();
        std::os::unix::fs::symlink(root.join("nowhere"), root.join("dangling")).unwrap();
        assert!(
            matches!(resolve(root, "out/default/a.txt"), Err(Escape::Link(p)) if p == Path::new("out"))
        );
        assert!(matches!(resolve(root, "dangling/x"), Err(Escape::Link(_))));
        assert_eq!(resolve(root, "fine/x/y.txt"), Ok(root.join("fine/x/y.txt")));
        assert_eq!(resolve(root, "new/x.txt"), Ok(root.join("new/x.txt")));
    }

    #[test]
    fn variant_names_are_folder_safe() {
        for ok in ["coalition", "es", "us-2018", "each_org", "A1"] {
            assert!(valid_variant_name(ok), "{ok}");
        }
        for bad in ["../../x", "a/b", "", "café", "a b", ".hidden", "x.y"] {
            assert!(!valid_variant_name(bad), "{bad}");
        }
    }
}
