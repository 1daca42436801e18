//! Opening a table's file: BOM sniffing, declared encodings, and files that are not CSV at all.

use std::fs::File;
use std::io::{self, Read, Seek, SeekFrom};
use std::path::Path;

use encoding_rs::Encoding;
use encoding_rs_io::DecodeReaderBytesBuilder;

use super::TableSpec;
use crate::diag::{Problem, Problems};

pub(super) struct Source {
    pub reader: Box<dyn Read + Send>,
    /// Bytes of BOM taken off the front, so byte offsets stay those of the file.
    pub skipped: u64,
    /// Whether the bytes are the file's own (UTF-8, checked by us) rather than a decoder's output.
    pub raw: bool,
}

pub(super) enum OpenError {
    Io(io::Error),
    Folder,
    Workbook(&'static str),
}

impl From<io::Error> for OpenError {
    fn from(e: io::Error) -> Self {
        OpenError::Io(e)
    }
}

impl OpenError {
    pub fn into_problem(self, name: &str, spec: &TableSpec) -> Problems {
        let section = if name == "recipients" {
            "[letter]"
        } else {
            "[tables]"
        };
        let path = spec.path.display().to_string().replace('\\', "/");
        let fix_path = format!(
            "check the path, which is relative to the campaign folder: {section} {name} = \"{path}\" in lettermerge.toml"
        );
        let (message, help) = match self {
            OpenError::Io(e) if e.kind() == io::ErrorKind::NotFound => {
                ("no such file".to_owned(), fix_path)
            }
            OpenError::Io(e) => (e.to_string(), fix_path),
            OpenError::Folder => ("it is a folder, not a file".to_owned(), fix_path),
            // Only a caller streaming rows gets here: `Table::load` reads a workbook through calamine.
            OpenError::Workbook(kind) => (
                format!("this is a workbook ({kind}), which cannot be read row by row"),
                "read it whole as a table, or save the sheet as \"CSV UTF-8\"".to_owned(),
            ),
        };
        Problem::error(format!("cannot read the `{name}` table: {message}"))
            .in_file(&spec.path)
            .help(help)
            .into()
    }
}

pub(super) fn open_source(
    path: &Path,
    encoding: Option<&'static Encoding>,
) -> Result<Source, OpenError> {
    let mut file = File::open(path)?;
    if file.metadata()?.is_dir() {
        return Err(OpenError::Folder);
    }
    let mut head = [0u8; 4];
    let mut n = 0;
    while n < head.len() {
        match file.read(&mut head[n..]) {
            Ok(0) => break,
            Ok(k) => n += k,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e.into()),
        }
    }
    let head = &head[..n];
    if head.starts_with(b"PK\x03\x04") {
        return Err(OpenError::Workbook(".xlsx"));
    }
    if head.starts_with(b"\xD0\xCF\x11\xE0") {
        return Err(OpenError::Workbook(".xls"));
    }
    let utf16_bom = head.starts_with(b"\xFF\xFE") || head.starts_with(b"\xFE\xFF");
    let declared = encoding.filter(|&e| e != encoding_rs::UTF_8);
    if declared.is_some() || utf16_bom {
        file.seek(SeekFrom::Start(0))?;
        // A BOM outranks the declaration, as in browsers: a file re-saved as UTF-16 or UTF-8 still reads right.
        let reader = DecodeReaderBytesBuilder::new()
            .encoding(declared)
            .bom_override(true)
            .strip_bom(true)
            .build(file);
        return Ok(Source {
            reader: Box::new(reader),
            skipped: 0,
            raw: false,
        });
    }
    let skipped = if head.starts_with(b"\xEF\xBB\xBF") {
        3
    } else {
        0
    };
    file.seek(SeekFrom::Start(skipped))?;
    Ok(Source {
        reader: Box::new(file),
        skipped,
        raw: true,
    })
}
