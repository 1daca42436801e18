//! The Typst `World`: what a letter's compilation may see.
//!
//! Fonts, the layout and Typst's standard library are loaded once per run ([`Shared`]); each letter gets a cheap
//! [`LetterWorld`] holding its generated main file and its data as a JSON file beside it. The letter's data is a file
//! and not `sys.inputs` because `sys.inputs` lives in the library: a library per letter cost 40% of the time to
//! build and hash, and defeated typst's cache of the evaluated layout (docs/PERFORMANCE.md, "PDF"). Files other than those come from the campaign folder
//! only: a layout (or a logo path from a spreadsheet) cannot read `/etc/passwd` or a parent folder.

use std::collections::HashMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use typst::diag::{FileError, FileResult, PackageError, SourceDiagnostic};
use typst::foundations::{Bytes, Datetime, Dict, Duration};
use typst::syntax::{DiagSpanKind, FileId, RootedPath, Source, VirtualPath, VirtualRoot};
use typst::text::{Font, FontBook};
use typst::utils::LazyHash;
use typst::{Library, LibraryExt, World, WorldExt};

use crate::diag::Problem;

/// Everything that stays the same from letter to letter. `Send + Sync`: one per run, shared by every thread.
pub(super) struct Shared {
    /// The campaign folder, canonical, so a symlink cannot lead a read outside it.
    root: PathBuf,
    book: LazyHash<FontBook>,
    /// Typst's standard library; `sys.inputs` holds only what is the same for every letter (`paper`).
    library: LazyHash<Library>,
    fonts: Vec<Font>,
    layout: Source,
    /// How the layout is named in messages: the path the user wrote, relative to the campaign.
    layout_name: PathBuf,
    main_id: FileId,
    inputs_id: FileId,
    files: Mutex<HashMap<FileId, FileResult<Bytes>>>,
    sources: Mutex<HashMap<FileId, FileResult<Source>>>,
}

/// Where the generated main file lives: a name no campaign uses, inside the project root so that `/logo.png`
/// resolves against the campaign folder.
const MAIN_PATH: &str = "/__lettermerge__/letter.typ";

/// The letter's data, read by the main file with `json(…)`.
pub(super) const INPUTS_PATH: &str = "/__lettermerge__/inputs.json";

impl Shared {
    pub(super) fn new(
        root: PathBuf,
        fonts: Vec<Font>,
        layout_vpath: &str,
        layout_text: String,
        layout_name: PathBuf,
        run_inputs: Dict,
    ) -> Result<Shared, Problem> {
        let layout_path = VirtualPath::new(layout_vpath).map_err(|e| {
            Problem::error(format!("the PDF layout path `{layout_vpath}` is not usable: {e}"))
                .help("give `[pdf] layout` as a path inside the campaign folder, like `templates/layout.typ`")
        })?;
        let internal = |path: &str| {
            VirtualPath::new(path)
                .map(|v| RootedPath::new(VirtualRoot::Project, v).intern())
                .map_err(|e| Problem::error(format!("internal path {path}: {e}")))
        };
        let layout_id = RootedPath::new(VirtualRoot::Project, layout_path).intern();
        let main_id = internal(MAIN_PATH)?;
        let inputs_id = internal(INPUTS_PATH)?;
        Ok(Shared {
            root,
            book: LazyHash::new(FontBook::from_fonts(&fonts)),
            library: LazyHash::new(Library::builder().with_inputs(run_inputs).build()),
            fonts,
            layout: Source::new(layout_id, layout_text),
            layout_name,
            main_id,
            inputs_id,
            files: Mutex::new(HashMap::new()),
            sources: Mutex::new(HashMap::new()),
        })
    }

    pub(super) fn layout_vpath(&self) -> &str {
        self.layout.id().get().vpath().get_with_slash()
    }

    /// Syntax errors in the layout, found without compiling a letter, so a broken layout stops the run at once.
    pub(super) fn layout_syntax_problem(&self) -> Option<Problem> {
        let (errors, _warnings) = self.layout.root().errors_and_warnings();
        let first = errors.first()?;
        let mut p = Problem::error(first.message.to_string()).in_file(&self.layout_name);
        let start = match first.span.get() {
            DiagSpanKind::Number { num, sub_range, .. } => {
                self.layout.range(num, sub_range).map(|r| r.start)
            }
            DiagSpanKind::Range { range, .. } => Some(range.start),
            DiagSpanKind::Detached => None,
        };
        if let Some((line, col)) = start.and_then(|s| self.layout.lines().byte_to_line_column(s)) {
            p = p.at(line + 1, Some(col + 1));
        }
        if let Some(hint) = first.hints.first() {
            p = p.help(hint.v.to_string());
        }
        Some(p)
    }

    /// A campaign file's bytes, read once per run.
    fn read(&self, id: FileId) -> FileResult<Bytes> {
        if let Ok(cache) = self.files.lock() {
            if let Some(hit) = cache.get(&id) {
                return hit.clone();
            }
        }
        let result = self.read_uncached(id);
        if let Ok(mut cache) = self.files.lock() {
            cache.insert(id, result.clone());
        }
        result
    }

    fn read_uncached(&self, id: FileId) -> FileResult<Bytes> {
        if let VirtualRoot::Package(spec) = id.root() {
            return Err(FileError::Package(PackageError::Other(Some(
                format!("packages such as {spec} are not available: lettermerge works offline, without downloads").into(),
            ))));
        }
        let path = id.vpath().realize(&self.root).map_err(FileError::Realize)?;
        let real = fs::canonicalize(&path).map_err(|e| FileError::from_io(e, &path))?;
        if !real.starts_with(&self.root) {
            return Err(FileError::AccessDenied);
        }
        if real.is_dir() {
            return Err(FileError::IsDirectory);
        }
        fs::read(&real)
            .map(Bytes::new)
            .map_err(|e| FileError::from_io(e, &path))
    }

    /// The first error of a failed compilation, placed in the file the user can fix.
    pub(super) fn problem(&self, world: &LetterWorld<'_>, diags: &[SourceDiagnostic]) -> Problem {
        let Some(diag) = diags
            .iter()
            .find(|d| d.severity == typst::diag::Severity::Error)
            .or(diags.first())
        else {
            return Problem::error("typesetting the PDF failed without a message")
                .in_file(&self.layout_name);
        };
        let mut message = diag.message.to_string();
        let mut file = self.layout_name.clone();
        let mut place = None;
        if let Some(id) = diag.span.id() {
            if id == self.main_id {
                // The generated file only imports the layout and calls it: a failure there is the layout's.
                if diag.message.contains("import") || diag.message.contains("letter") {
                    message.push_str(" (the layout must define `#let letter(inputs, body) = …`)");
                } else {
                    message = format!("in the letter body: {}", diag.message);
                }
            } else if id != self.layout.id() {
                file = PathBuf::from(id.vpath().get_without_slash());
            }
            if id != self.main_id {
                place = world.range(diag.span).and_then(|range| {
                    let source = world.source(id).ok()?;
                    source.lines().byte_to_line_column(range.start)
                });
            }
        }
        let mut p = Problem::error(message).in_file(file);
        if let Some((line, col)) = place {
            p = p.at(line + 1, Some(col + 1));
        }
        let hints: Vec<String> = diag.hints.iter().map(|h| h.v.to_string()).collect();
        if !hints.is_empty() {
            p = p.help(hints.join("; "));
        }
        p
    }
}

/// One compilation: one letter (or one combined variant).
pub(super) struct LetterWorld<'a> {
    shared: &'a Shared,
    main: Source,
    /// The letter's data as JSON (string values only, so it reads back exactly).
    inputs: Bytes,
}

impl<'a> LetterWorld<'a> {
    pub(super) fn new(shared: &'a Shared, inputs: Vec<u8>, main: String) -> Self {
        LetterWorld {
            shared,
            main: Source::new(shared.main_id, main),
            inputs: Bytes::new(inputs),
        }
    }
}

impl World for LetterWorld<'_> {
    fn library(&self) -> &LazyHash<Library> {
        &self.shared.library
    }

    fn book(&self) -> &LazyHash<FontBook> {
        &self.shared.book
    }

    fn main(&self) -> FileId {
        self.shared.main_id
    }

    fn source(&self, id: FileId) -> FileResult<Source> {
        if id == self.shared.main_id {
            return Ok(self.main.clone());
        }
        if id == self.shared.layout.id() {
            return Ok(self.shared.layout.clone());
        }
        if let Ok(cache) = self.shared.sources.lock() {
            if let Some(hit) = cache.get(&id) {
                return hit.clone();
            }
        }
        let result = self.shared.read(id).and_then(|bytes| {
            let text = bytes.as_str().map_err(|_| FileError::InvalidUtf8)?;
            Ok(Source::new(id, text.to_owned()))
        });
        if let Ok(mut cache) = self.shared.sources.lock() {
            cache.insert(id, result.clone());
        }
        result
    }

    fn file(&self, id: FileId) -> FileResult<Bytes> {
        if id == self.shared.inputs_id {
            return Ok(self.inputs.clone());
        }
        if id == self.shared.main_id {
            return Ok(Bytes::from_string(self.main.clone()));
        }
        if id == self.shared.layout.id() {
            return Ok(Bytes::from_string(self.shared.layout.clone()));
        }
        self.shared.read(id)
    }

    fn font(&self, index: usize) -> Option<Font> {
        self.shared.fonts.get(index).cloned()
    }

    /// No clock: the same letter must give the same bytes tomorrow. The letter's date arrives as an input.
    fn today(&self, _offset: Option<Duration>) -> Option<Datetime> {
        None
    }
}

/// The bundled fonts, then every font file in the campaign's font folder (sorted, so the order is stable). `root` is
/// the canonical campaign folder: a font file linked from outside it is refused, not read.
pub(super) fn load_fonts(
    root: &Path,
    dir: Option<&Path>,
    shown_as: Option<&Path>,
) -> Result<Vec<Font>, Problem> {
    let mut fonts: Vec<Font> = typst_assets::fonts()
        .flat_map(|data| Font::iter(Bytes::new(data)))
        .collect();
    let Some(dir) = dir else { return Ok(fonts) };
    // A missing folder is the common case: the manifest's default names `fonts` whether or not it exists.
    let Ok(entries) = fs::read_dir(dir) else {
        return Ok(fonts);
    };
    let mut paths: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            p.extension().and_then(|e| e.to_str()).is_some_and(|e| {
                matches!(
                    e.to_ascii_lowercase().as_str(),
                    "ttf" | "otf" | "ttc" | "otc"
                )
            })
        })
        .collect();
    paths.sort();
    for path in paths {
        let shown = shown_as.map_or_else(
            || path.clone(),
            |s| s.join(path.file_name().unwrap_or_default()),
        );
        if fs::canonicalize(&path).is_ok_and(|real| !real.starts_with(root)) {
            return Err(Problem::error(
                "this font leads outside the campaign folder through a symbolic link",
            )
            .in_file(&shown)
            .help("copy the font file into the fonts folder instead of linking to it"));
        }
        let data = fs::read(&path)
            .map_err(|e| Problem::error(format!("cannot read font: {e}")).in_file(&shown))?;
        let before = fonts.len();
        fonts.extend(Font::iter(Bytes::new(data)));
        if fonts.len() == before {
            return Err(
                Problem::error("not a font file Typst can read (TrueType or OpenType)")
                    .in_file(&shown)
                    .help("remove it from the fonts folder or replace it with a .ttf or .otf file"),
            );
        }
    }
    Ok(fonts)
}
