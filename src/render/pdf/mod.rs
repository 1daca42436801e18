//! PDF letters with Typst as a library (README, "PDF letters").
//!
//! The letter's one Markdown body becomes escaped Typst markup ([`markup`]) and is passed to the campaign's
//! `templates/layout.typ` (or the bundled one), which adds only the letterhead, page size and page numbers. The
//! letter's data reaches the layout as a dictionary of strings read from JSON, never as markup. Fonts are loaded once per run; the engine is
//! shared by every rendering thread.

pub mod markup;
mod overflow;
mod world;

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

use typst::foundations::{Dict, Smart, Value};
use typst_layout::PagedDocument;
use typst_pdf::PdfOptions as TypstPdfOptions;

use crate::diag::{Problem, Problems};
use world::{LetterWorld, Shared, INPUTS_PATH};

/// The bundled layout, used when the campaign has none. `lettermerge init` writes the same text.
pub const DEFAULT_LAYOUT: &str = include_str!("../../../templates/layout.typ");

/// Where the layout is looked for, and where `init` writes it.
pub const DEFAULT_LAYOUT_PATH: &str = "templates/layout.typ";

pub use crate::load::manifest::Paper;

/// `[pdf]` from the manifest, with paths relative to the campaign folder.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PdfOptions {
    pub campaign_dir: PathBuf,
    pub paper: Paper,
    /// `None`: the bundled layout. A file that does not exist is an error (a mistyped name must not silently
    /// print every letter on the bundled layout).
    pub layout: Option<PathBuf>,
    /// A folder of extra `.ttf`/`.otf` files; a missing folder is fine.
    pub fonts: Option<PathBuf>,
}

/// How often typst's memo cache is trimmed. Typst memoizes every layout it does; without eviction memory grows with
/// every letter. Evicting after every letter costs about twice the time, so the cache is kept warm for a batch of
/// letters, then entries unused in the last [`EVICT_MAX_AGE`] batches go. Every 20 pages was as fast as every 50 or
/// 100 and held peak memory to 76–120 MB instead of 150–190 MB (benches/pdf.rs, docs/PERFORMANCE.md).
const EVICT_EVERY: usize = 20;
const EVICT_MAX_AGE: usize = 1;

/// Stack for one compilation: typst's own CLI compiles on an 8 MB main thread; long letters nest deeper.
const STACK: usize = 32 << 20;

/// The PDF typesetter for one run: fonts and layout loaded once, used from many threads.
pub struct PdfEngine {
    shared: Shared,
    paper: Paper,
    /// Pages typeset so far, for trimming typst's cache.
    pages: AtomicUsize,
}

impl PdfEngine {
    /// Loads the fonts (bundled plus the campaign's) and the layout, and checks the layout's syntax.
    pub fn new(opts: &PdfOptions) -> Result<PdfEngine, Problems> {
        let root = std::fs::canonicalize(&opts.campaign_dir).map_err(|e| {
            Problems::from(
                Problem::error(format!("cannot open the campaign folder: {e}"))
                    .in_file(&opts.campaign_dir),
            )
        })?;
        let fonts = world::load_fonts(
            &root,
            opts.fonts.as_ref().map(|f| root.join(f)).as_deref(),
            opts.fonts.as_deref(),
        )?;
        let (vpath, text, name) = read_layout(&root, opts.layout.as_deref())?;
        let mut run_inputs = Dict::new();
        run_inputs.insert("paper".into(), Value::Str(opts.paper.typst_name().into()));
        let shared = Shared::new(root, fonts, &vpath, text, name, run_inputs)?;
        if let Some(p) = shared.layout_syntax_problem() {
            return Err(p.into());
        }
        Ok(PdfEngine {
            shared,
            paper: opts.paper,
            pages: AtomicUsize::new(0),
        })
    }

    /// One letter. `markdown` is the letter body as the template rendered it; `inputs` are the letter's data for the
    /// layout, plus `paper` added here.
    pub fn render(
        &self,
        markdown: &str,
        inputs: &BTreeMap<String, String>,
    ) -> Result<Vec<u8>, Problem> {
        self.render_with_pages(markdown, inputs).map(|(pdf, _)| pdf)
    }

    /// Every letter of a variant in one PDF, page numbers restarting per letter. The layout is called once per letter
    /// with that letter's inputs, found in the data file's `letters` (beside the first letter's `title`).
    pub fn combine(
        &self,
        letters: &[(String, BTreeMap<String, String>)],
    ) -> Result<Vec<u8>, Problem> {
        let main = |breaks: Option<usize>| {
            let mut main = self.preamble();
            for (i, (markdown, _)) in letters.iter().enumerate() {
                write_call(
                    &mut main,
                    &format!("inputs.letters.at({i})"),
                    markdown,
                    breaks,
                );
            }
            main
        };
        let all: Vec<_> = letters
            .iter()
            .map(|(_, inputs)| self.inputs(inputs))
            .collect();
        let mut data = serde_json::Map::new();
        if let Some(title) = letters.first().and_then(|(_, inputs)| inputs.get("title")) {
            data.insert("title".into(), title.as_str().into());
        }
        data.insert("paper".into(), self.paper.typst_name().into());
        data.insert("letters".into(), all.into());
        let ident = letters
            .first()
            .and_then(|(_, i)| i.get("variant"))
            .map(|v| format!("combined/{v}"));
        let json = serde_json::to_vec(&data).map_err(internal)?;
        self.compile(json, main, ident).map(|(pdf, _)| pdf)
    }

    /// Pages of one letter, for callers that report or check them.
    pub fn render_with_pages(
        &self,
        markdown: &str,
        inputs: &BTreeMap<String, String>,
    ) -> Result<(Vec<u8>, usize), Problem> {
        let main = |breaks: Option<usize>| {
            let mut main = self.preamble();
            write_call(&mut main, "inputs", markdown, breaks);
            main
        };
        let json = serde_json::to_vec(&self.inputs(inputs)).map_err(internal)?;
        self.compile(json, main, inputs.get("letter_id").cloned())
    }

    /// Evaluates the layout once and looks for its `letter` function, without typesetting a letter: a layout that
    /// fails or lacks the function stops a run (and `check`) here, not once per letter.
    pub fn probe(&self) -> Result<(), Problem> {
        let main = format!(
            "{}#assert(type(letter) == function, message: \"`letter` must be a function: #let letter(inputs, body) = …\")\n",
            self.preamble()
        );
        let json = serde_json::to_vec(&self.inputs(&BTreeMap::new())).map_err(internal)?;
        self.on_big_stack(|| {
            let world = LetterWorld::new(&self.shared, json, main);
            typst::compile::<PagedDocument>(&world)
                .output
                .map(|_| ())
                .map_err(|d| self.shared.problem(&world, &d))
        })
    }

    /// The paper every page is set on.
    pub fn paper(&self) -> Paper {
        self.paper
    }

    fn preamble(&self) -> String {
        // The import path is a string literal built from a validated virtual path; the title is data.
        format!(
            "#import {}: letter\n#let inputs = json({})\n#set document(title: inputs.at(\"title\", default: none))\n",
            markup::string_literal(self.shared.layout_vpath()),
            markup::string_literal(INPUTS_PATH),
        )
    }

    fn inputs(
        &self,
        inputs: &BTreeMap<String, String>,
    ) -> serde_json::Map<String, serde_json::Value> {
        let mut map: serde_json::Map<String, serde_json::Value> = inputs
            .iter()
            .map(|(k, v)| (k.clone(), v.as_str().into()))
            .collect();
        map.insert("paper".into(), self.paper.typst_name().into());
        map
    }

    /// Typesets `main(None)`; when text would be cut off at the page edge, typesets again with the words found too
    /// long allowed to break anywhere (`main(Some(n))`: words of `n` characters or more), and refuses the letter if
    /// text is still cut. Letters that fit are typeset once, exactly as written.
    fn compile(
        &self,
        inputs: Vec<u8>,
        main: impl Fn(Option<usize>) -> String + Sync,
        ident: Option<String>,
    ) -> Result<(Vec<u8>, usize), Problem> {
        let job = || -> Result<(Vec<u8>, usize), Problem> {
            let mut world = LetterWorld::new(&self.shared, inputs.clone(), main(None));
            let mut doc: PagedDocument = typst::compile(&world)
                .output
                .map_err(|d| self.shared.problem(&world, &d))?;
            let cut = overflow::cut_words(&doc);
            if let Some(shortest) = cut.iter().map(|w| w.chars().count()).min() {
                world = LetterWorld::new(&self.shared, inputs, main(Some(shortest.max(2))));
                doc = typst::compile(&world)
                    .output
                    .map_err(|d| self.shared.problem(&world, &d))?;
                if let Some(word) = overflow::cut_words(&doc).first() {
                    return Err(too_long(word));
                }
            }
            let options = TypstPdfOptions {
                ident: ident.map_or(Smart::Auto, Smart::Custom),
                creator: Smart::Custom(Some(format!("lettermerge {}", env!("CARGO_PKG_VERSION")))),
                // No creation date: the same letter gives the same bytes (README, "Formats").
                timestamp: None,
                ..TypstPdfOptions::default()
            };
            let pdf =
                typst_pdf::pdf(&doc, &options).map_err(|d| self.shared.problem(&world, &d))?;
            Ok((pdf, doc.pages().len()))
        };
        let result = self.on_big_stack(job);
        self.maybe_evict(result.as_ref().map_or(1, |(_, pages)| (*pages).max(1)));
        result
    }

    /// Typst recurses deeply; rayon's 2 MB worker stacks overflow (seen in benches/pdf.rs), so each compilation
    /// runs on its own thread with a large stack, whichever thread the caller uses. The thread costs far less than
    /// the typesetting, and a panic inside typst ends there instead of taking the run down.
    fn on_big_stack<T: Send>(
        &self,
        job: impl FnOnce() -> Result<T, Problem> + Send,
    ) -> Result<T, Problem> {
        std::thread::scope(|scope| {
            match std::thread::Builder::new()
                .name("lettermerge-pdf".into())
                .stack_size(STACK)
                .spawn_scoped(scope, job)
            {
                Ok(handle) => handle.join().unwrap_or_else(|_| {
                    Err(Problem::error(
                        "the PDF typesetter failed unexpectedly on this letter",
                    ))
                }),
                Err(e) => Err(Problem::error(format!("cannot start a PDF thread: {e}"))),
            }
        })
    }

    /// Counted in pages, not letters: a three-page letter leaves three pages' worth of layouts in the cache.
    fn maybe_evict(&self, pages: usize) {
        let before = self.pages.fetch_add(pages, Ordering::Relaxed);
        if before / EVICT_EVERY != (before + pages) / EVICT_EVERY {
            // typst's own comemo: a second copy of the crate would have its own, empty, cache.
            typst::comemo::evict(EVICT_MAX_AGE);
        }
    }
}

/// Text that would still run off the page: the letter fails rather than lose it.
fn too_long(word: &str) -> Problem {
    let n = word.chars().count();
    let shown: String = word.chars().take(40).collect();
    let ellipsis = if n > 40 { "…" } else { "" };
    Problem::error(format!(
        "text runs off the page and would be cut off in the PDF: `{shown}{ellipsis}` ({n} characters) does not fit \
         the width of the page"
    ))
    .help("shorten that text or put spaces in it; if it comes from the layout (a letterhead), make it smaller there")
}

fn internal(e: serde_json::Error) -> Problem {
    Problem::error(format!(
        "cannot pass the letter's data to the PDF layout: {e}"
    ))
}

/// `#letter(INPUTS)[BODY]`: the body as escaped markup in a content block that no text can close.
fn write_call(main: &mut String, inputs_expr: &str, markdown: &str, breaks: Option<usize>) {
    let _ = writeln!(main, "#letter({inputs_expr})[");
    main.push_str(&markup::to_typst_breaking(markdown, breaks));
    main.push_str("]\n");
}

/// The layout's virtual path, text, and name for messages. A missing file means the bundled layout.
fn read_layout(root: &Path, layout: Option<&Path>) -> Result<(String, String, PathBuf), Problem> {
    let bundled = || {
        (
            format!("/{DEFAULT_LAYOUT_PATH}"),
            DEFAULT_LAYOUT.to_owned(),
            PathBuf::from(DEFAULT_LAYOUT_PATH),
        )
    };
    let Some(rel) = layout else {
        return Ok(bundled());
    };
    if rel.is_absolute() {
        return Err(Problem::error(format!(
            "the PDF layout `{}` must be inside the campaign folder",
            rel.display()
        ))
        .help("give `[pdf] layout` relative to lettermerge.toml, like `templates/layout.typ`"));
    }
    let path = root.join(rel);
    // The campaign folder is canonical: a layout reached through a link must still be inside it.
    if path
        .canonicalize()
        .is_ok_and(|real| !real.starts_with(root))
    {
        return Err(Problem::error(format!(
            "the PDF layout `{}` leads outside the campaign folder through a symbolic link",
            rel.display()
        ))
        .help("copy the layout into the campaign folder instead of linking to it"));
    }
    let text = std::fs::read_to_string(&path).map_err(|e| {
        let (what, help) = match e.kind() {
            std::io::ErrorKind::NotFound => (
                "no such file".to_string(),
                "fix `[pdf] layout` in lettermerge.toml, or delete it to use the bundled layout",
            ),
            _ => (e.to_string(), "the layout is a UTF-8 Typst file"),
        };
        Problem::error(format!("cannot read the PDF layout: {what}"))
            .in_file(rel)
            .help(help)
    })?;
    let shown = rel.to_string_lossy().replace('\\', "/");
    Ok((
        format!("/{}", shown.trim_start_matches("./")),
        text,
        rel.to_path_buf(),
    ))
}
