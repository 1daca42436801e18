//! The PDF engine through its library API: what a reader of the printed letter sees.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::harness::interop_tool;
use lettermerge::render::pdf::{Paper, PdfEngine, PdfOptions};

/// What the core does to every value before it reaches the Markdown body (README, "Templates").
fn md_escape(value: &str) -> String {
    let mut out = String::new();
    for c in value.chars() {
        if c.is_ascii_punctuation() {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

const ADDRESS: [&str; 5] = [
    "Presidente electo Andrés Manuel López Obrador",
    "Equipo de Transición, c/o Enrique Peña Nieto",
    "Calle Chihuahua 216, Colonia Roma Norte",
    "Ciudad de México, CDMX 06700",
    "México",
];
const SALUTATION: &str = "Estimado Señor Presidente electo López Obrador,";
const PARAGRAPHS: [&str; 3] = [
    "Your visit comes at a crucial moment for human rights in Mexico and for the bilateral relationship.",
    "Impunity for human rights violations remains a problem with extremely low prosecution rates for all crimes.",
    "We urge you to address these key issues in your discussions with the Mexican President and President-elect.",
];
const SIGNERS: [&str; 5] = [
    "Latin America Working Group (LAWG), Daniella Burgi-Palomino, Senior Associate, dburgipalomino@lawg.org",
    "Washington Office on Latin America (WOLA), Maureen Meyer, Director for Mexico, mmeyer@wola.org",
    "Amnesty International USA, Marselha Gonçalves Margerin, Advocacy Director for the Americas",
    "Due Process of Law Foundation (DPLF), Ursula Indacochea, Senior Program Officer",
    "Robert F. Kennedy Human Rights, Angelita Baeyens, Program Director, Advocacy & Litigation",
];

/// The seed letter's shape, rendered by a template as the core would: template text as is, values escaped.
fn letter_markdown(paragraphs: &[String]) -> String {
    let mut md = format!("{}\n\n", md_escape("July 11, 2018"));
    md.push_str(&ADDRESS.map(md_escape).join("\n"));
    md.push_str(&format!("\n\n{}\n\n", md_escape(SALUTATION)));
    for p in paragraphs {
        md.push_str(p);
        md.push_str("\n\n");
    }
    md.push_str("Sincerely,\n\n");
    md.push_str(&SIGNERS.map(md_escape).join("\n\n"));
    md.push('\n');
    md
}

fn short_letter() -> String {
    letter_markdown(&PARAGRAPHS.map(String::from))
}

fn inputs(id: &str) -> BTreeMap<String, String> {
    [
        ("date", "July 11, 2018"),
        ("letter_id", id),
        ("variant", "coalition"),
        ("lang", "en"),
        ("title", "Letter to President-elect López Obrador"),
        ("letterhead", "Mexico Human Rights Coalition"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect()
}

fn campaign() -> tempfile::TempDir {
    tempfile::tempdir().expect("temp dir")
}

/// The campaign's `templates/layout.typ` when it has one, else the bundled layout.
fn engine_in(dir: &Path, paper: Paper) -> PdfEngine {
    let layout = PathBuf::from("templates/layout.typ");
    let opts = PdfOptions {
        campaign_dir: dir.to_path_buf(),
        paper,
        layout: dir.join(&layout).exists().then_some(layout),
        fonts: Some(PathBuf::from("fonts")),
    };
    match PdfEngine::new(&opts) {
        Ok(e) => e,
        Err(p) => panic!("engine: {:?}", p),
    }
}

/// Text with whitespace and hyphens removed: line breaking and hyphenation may split any word.
fn squash(text: &str) -> String {
    text.chars()
        .filter(|c| !c.is_whitespace() && *c != '-' && *c != '\u{ad}')
        .map(|c| if c == '\u{2019}' { '\'' } else { c })
        .collect()
}

fn pages(pdf: &[u8]) -> Vec<String> {
    pdf_extract::extract_text_from_mem_by_pages(pdf).expect("pdf-extract reads the PDF")
}

fn assert_has_every_line(text: &str, source: &str) {
    let squashed = squash(text);
    let mut lines: Vec<&str> = vec!["July 11, 2018", SALUTATION, "Sincerely,"];
    lines.extend(ADDRESS);
    lines.extend(PARAGRAPHS);
    lines.extend(SIGNERS);
    for line in lines {
        assert!(
            squashed.contains(&squash(line)),
            "{source}: missing {line:?} in:\n{text}"
        );
    }
}

fn write_pdf(dir: &Path, name: &str, pdf: &[u8]) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, pdf).expect("write pdf");
    path
}

fn tool(name: &str, args: &[&str]) -> String {
    crate::harness::tool_stdout(Command::new(name).args(args))
}

#[test]
fn engine_is_shared_across_threads() {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<PdfEngine>();
}

#[test]
fn every_line_reads_back_with_its_diacritics() {
    let dir = campaign();
    let pdf = engine_in(dir.path(), Paper::Letter)
        .render(&short_letter(), &inputs("coalition/amlo"))
        .unwrap();
    assert!(pdf.starts_with(b"%PDF-"));
    let text = pages(&pdf).join("\n");
    assert_has_every_line(&text, "pdf-extract");
    // Line breaks in the address block are line breaks, not one run-on line.
    assert!(text.contains("México"), "{text}");
    assert!(
        !text.contains("Obrador Equipo"),
        "address lines ran together:\n{text}"
    );
    assert!(
        text.contains("Mexico Human Rights Coalition")
            || squash(&text).contains("MexicoHumanRightsCoalition")
    );
}

#[test]
fn poppler_reads_the_same_text_fonts_embedded_and_subset() {
    if !interop_tool("pdftotext") || !interop_tool("pdffonts") {
        return;
    }
    let dir = campaign();
    let pdf = engine_in(dir.path(), Paper::Letter)
        .render(&short_letter(), &inputs("coalition/amlo"))
        .unwrap();
    let path = write_pdf(dir.path(), "letter.pdf", &pdf);
    let path = path.to_str().unwrap();
    let text = tool("pdftotext", &["-layout", path, "-"]);
    assert_has_every_line(&text, "pdftotext");
    assert!(
        text.contains("Gonçalves") && text.contains("Peña Nieto") && text.contains("López Obrador")
    );

    let fonts = tool("pdffonts", &[path]);
    let rows: Vec<&str> = fonts
        .lines()
        .skip(2)
        .filter(|l| !l.trim().is_empty())
        .collect();
    assert!(!rows.is_empty(), "no fonts listed:\n{fonts}");
    for row in rows {
        let cols: Vec<&str> = row.split_whitespace().collect();
        let n = cols.len();
        assert!(n >= 6, "unexpected pdffonts row {row:?}");
        // name type encoding emb sub uni object-id (two numbers)
        assert_eq!(
            (cols[n - 5], cols[n - 4]),
            ("yes", "yes"),
            "font not embedded and subset: {row}"
        );
    }
}

#[test]
fn page_size_follows_the_paper_setting() {
    if !interop_tool("pdfinfo") {
        return;
    }
    let dir = campaign();
    for (paper, want) in [
        (Paper::Letter, (612.0, 792.0)),
        (Paper::A4, (595.28, 841.89)),
    ] {
        let pdf = engine_in(dir.path(), paper)
            .render(&short_letter(), &inputs("x"))
            .unwrap();
        let path = write_pdf(dir.path(), "size.pdf", &pdf);
        let info = tool("pdfinfo", &[path.to_str().unwrap()]);
        let line = info
            .lines()
            .find(|l| l.starts_with("Page size:"))
            .expect("page size line");
        let nums: Vec<f64> = line
            .split_whitespace()
            .filter_map(|w| w.parse().ok())
            .collect();
        assert!(
            nums.len() >= 2 && (nums[0] - want.0).abs() < 0.5 && (nums[1] - want.1).abs() < 0.5,
            "{paper:?}: {line}"
        );
    }
}

/// Long paragraphs, added until the letter runs to exactly three pages.
fn three_page_letter(engine: &PdfEngine) -> (String, Vec<u8>) {
    let para = |i: usize| {
        format!(
            "Issue {i}. {}",
            "Torture and enforced disappearances also remain widespread and generalized practices in Mexico, \
             fueled by a crisis of impunity that the new government must address with resources and resolve. "
                .repeat(4)
        )
    };
    for n in 4..40 {
        let md = letter_markdown(
            &(0..n)
                .map(para)
                .chain(PARAGRAPHS.map(String::from))
                .collect::<Vec<_>>(),
        );
        let (pdf, count) = engine.render_with_pages(&md, &inputs("long")).unwrap();
        if count == 3 {
            return (md, pdf);
        }
        assert!(count < 3, "jumped past three pages at {n} paragraphs");
    }
    panic!("never reached three pages");
}

#[test]
fn three_page_letter_numbers_pages_two_and_three_and_ends_with_signatures() {
    let dir = campaign();
    let engine = engine_in(dir.path(), Paper::Letter);
    let (_, pdf) = three_page_letter(&engine);
    let pages = pages(&pdf);
    assert_eq!(pages.len(), 3);
    assert!(
        !pages[0].contains("Page 1"),
        "page 1 must carry no number:\n{}",
        pages[0]
    );
    assert!(!squash(&pages[0]).contains("Page1of3"));
    assert!(squash(&pages[1]).contains("Page2of3"), "{}", pages[1]);
    assert!(squash(&pages[2]).contains("Page3of3"), "{}", pages[2]);
    let last = squash(&pages[2]);
    let sig = squash(SIGNERS[4]);
    let at = last.find(&sig).expect("last signatory on page 3");
    // After the last signatory only the page number follows.
    assert_eq!(&last[at + sig.len()..], "Page3of3");
}

#[test]
fn markup_looking_values_print_literally() {
    let dir = campaign();
    let value =
        r"*not bold* _x_ #heading $math$ @ref <b>tag</b> \\ [link](u) // -- = + 1. ~ `code`";
    // Line-start forms too: each of these opens its own paragraph.
    let starts = [
        "= #set page(width: 1cm)",
        "- x",
        "+ y",
        "1. z",
        "/ term: def",
    ];
    let md = std::iter::once(value)
        .chain(starts)
        .map(md_escape)
        .collect::<Vec<_>>()
        .join("\n\n");
    let pdf = engine_in(dir.path(), Paper::Letter)
        .render(&md, &inputs("x"))
        .unwrap();
    let text = pages(&pdf).join("\n");
    let squashed: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    for want in std::iter::once(value).chain(starts) {
        let want: String = want.chars().filter(|c| !c.is_whitespace()).collect();
        assert!(squashed.contains(&want), "missing {want:?} in {text:?}");
    }
}

#[test]
fn letterhead_text_is_data_not_markup() {
    let dir = campaign();
    let mut data = inputs("x");
    data.insert(
        "letterhead".into(),
        "Coalición *por* los #Derechos $1".into(),
    );
    data.insert("letterhead_detail".into(), "1 Main St. <b> @home".into());
    let pdf = engine_in(dir.path(), Paper::Letter)
        .render("Hello.", &data)
        .unwrap();
    let text = squash(&pages(&pdf).join("\n")).to_lowercase();
    // The letterhead is set in small capitals; the extracted text keeps the characters.
    assert!(
        text.contains(&squash("Coalición *por* los #Derechos $1").to_lowercase()),
        "{text}"
    );
    assert!(
        text.contains(&squash("1 Main St. <b> @home").to_lowercase()),
        "{text}"
    );
}

#[test]
fn broken_layout_is_reported_at_its_line_and_column() {
    let dir = campaign();
    std::fs::create_dir_all(dir.path().join("templates")).unwrap();
    let layout = dir.path().join("templates/layout.typ");
    // A runtime error: found when a letter is typeset.
    std::fs::write(
        &layout,
        "#let letter(inputs, body) = {\n  set text(size: oops)\n  body\n}\n",
    )
    .unwrap();
    let engine = engine_in(dir.path(), Paper::Letter);
    let err = engine
        .render("Hello.", &inputs("x"))
        .unwrap_err()
        .to_string();
    assert!(err.starts_with("templates/layout.typ:2:18: "), "{err}");
    assert!(err.contains("oops"), "{err}");

    // A syntax error: found when the engine starts, before any letter.
    std::fs::write(&layout, "#let letter(inputs, body) = {\n  body\n").unwrap();
    let opts = PdfOptions {
        campaign_dir: dir.path().to_path_buf(),
        paper: Paper::Letter,
        layout: Some(PathBuf::from("templates/layout.typ")),
        fonts: None,
    };
    let problems = PdfEngine::new(&opts).err().expect("syntax error found");
    let first = problems.iter().next().unwrap().to_string();
    assert!(first.starts_with("templates/layout.typ:"), "{first}");
    let place: Vec<&str> = first.split(':').collect();
    assert!(
        place[1].parse::<usize>().is_ok() && place[2].parse::<usize>().is_ok(),
        "{first}"
    );
}

#[test]
fn a_missing_layout_file_is_an_error_naming_it() {
    let dir = campaign();
    let opts = PdfOptions {
        campaign_dir: dir.path().to_path_buf(),
        paper: Paper::A4,
        layout: Some(PathBuf::from("templates/nowhere.typ")),
        fonts: None,
    };
    let err = PdfEngine::new(&opts)
        .err()
        .expect("a missing layout is refused");
    let p = err.iter().next().unwrap();
    assert_eq!(
        p.file.as_deref(),
        Some(std::path::Path::new("templates/nowhere.typ"))
    );
    assert!(p.message.contains("no such file"), "{p}");
    // No layout named: the bundled one.
    let opts = PdfOptions {
        layout: None,
        ..opts
    };
    let engine = PdfEngine::new(&opts).unwrap();
    assert!(engine.render("Hello.", &inputs("x")).is_ok());
}

#[test]
fn logo_must_stay_inside_the_campaign_folder() {
    let outer = campaign();
    let inner = outer.path().join("campaign");
    std::fs::create_dir_all(&inner).unwrap();
    std::fs::write(outer.path().join("secret.png"), b"not really a png").unwrap();
    let engine = engine_in(&inner, Paper::Letter);
    for logo in [
        "../secret.png",
        "/../secret.png",
        &outer.path().join("secret.png").display().to_string(),
    ] {
        let mut data = inputs("x");
        data.insert("logo".into(), logo.to_string());
        assert!(engine.render("Hello.", &data).is_err(), "{logo} was read");
    }
    #[cfg(unix)]
    {
        std::os::unix::fs::symlink(outer.path().join("secret.png"), inner.join("link.png"))
            .unwrap();
        let mut data = inputs("x");
        data.insert("logo".into(), "link.png".into());
        let err = engine.render("Hello.", &data).unwrap_err();
        assert!(err.to_string().contains("layout.typ"), "{err}");
    }
}

#[test]
fn combine_restarts_page_numbers_per_letter() {
    let dir = campaign();
    let engine = engine_in(dir.path(), Paper::Letter);
    let (long, _) = three_page_letter(&engine);
    let letters = vec![
        (long.clone(), inputs("coalition/a")),
        (short_letter(), inputs("coalition/b")),
        (long, inputs("coalition/c")),
    ];
    let counts: Vec<usize> = letters
        .iter()
        .map(|(md, i)| engine.render_with_pages(md, i).unwrap().1)
        .collect();
    let pdf = engine.combine(&letters).unwrap();
    let pages = pages(&pdf);
    assert_eq!(pages.len(), counts.iter().sum::<usize>());
    assert_eq!(counts, vec![3, 1, 3]);
    let numbers: Vec<String> = pages
        .iter()
        .map(|p| {
            let s = squash(p);
            s.rfind("Page")
                .map_or(String::new(), |at| s[at..].to_string())
        })
        .collect();
    assert_eq!(
        numbers,
        ["", "Page2of3", "Page3of3", "", "", "Page2of3", "Page3of3"]
    );
}

#[test]
fn the_same_letter_gives_the_same_bytes() {
    let dir = campaign();
    let engine = engine_in(dir.path(), Paper::Letter);
    let a = engine.render(&short_letter(), &inputs("x")).unwrap();
    let b = engine.render(&short_letter(), &inputs("x")).unwrap();
    assert!(a == b, "two renders differ");
    let c = engine_in(dir.path(), Paper::Letter)
        .render(&short_letter(), &inputs("x"))
        .unwrap();
    assert!(a == c, "a second engine renders differently");
}

#[test]
fn campaign_fonts_are_loaded_and_bad_ones_named() {
    let dir = campaign();
    std::fs::create_dir_all(dir.path().join("fonts")).unwrap();
    std::fs::write(dir.path().join("fonts/broken.ttf"), b"not a font").unwrap();
    let opts = PdfOptions {
        campaign_dir: dir.path().to_path_buf(),
        paper: Paper::Letter,
        layout: None,
        fonts: Some(PathBuf::from("fonts")),
    };
    let problems = PdfEngine::new(&opts).err().expect("bad font reported");
    let first = problems.iter().next().unwrap().to_string();
    assert!(first.starts_with("fonts/broken.ttf: "), "{first}");
}
