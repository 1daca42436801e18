//! The output formats a letter is rendered to, by the names the manifest and the CLI give them.

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Format {
    Txt,
    Md,
    Html,
    Eml,
    Pdf,
}

impl Format {
    pub const ALL: [Format; 5] = [
        Format::Txt,
        Format::Md,
        Format::Html,
        Format::Eml,
        Format::Pdf,
    ];

    pub fn extension(self) -> &'static str {
        match self {
            Format::Txt => "txt",
            Format::Md => "md",
            Format::Html => "html",
            Format::Eml => "eml",
            Format::Pdf => "pdf",
        }
    }

    pub fn parse(s: &str) -> Result<Format, UnknownFormat> {
        Format::ALL
            .into_iter()
            .find(|f| f.extension() == s.trim())
            .ok_or_else(|| UnknownFormat(s.to_string()))
    }
}

/// A format name that is none of txt, md, html, eml and pdf.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown format `{0}`: use txt, md, html, eml or pdf")]
pub struct UnknownFormat(pub String);
