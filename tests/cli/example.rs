//! The bundled example campaign, rendered: the Secretary of State's letter reads like the seed letter
//! (`seeds/000_2f74fef1187cc3c8.txt`), the committee letter has both addressees, every variant has its letters,
//! text stays within 72 columns, and output is byte-identical from one run to the next.

use crate::harness::{block_starting, Campaign};

/// The example rendered to txt, md and html (eml and pdf need the PDF engine the example's `attach_pdf` asks for).
fn rendered_example() -> Campaign {
    let c = Campaign::example();
    c.render(&["--format", "txt,md,html"]).success();
    c
}

fn sos_txt(c: &Campaign) -> String {
    c.read("out/coalition/sos.txt")
}

/// Index of the first line equal to `line` (trimmed), or a panic showing the letter.
fn line_index(text: &str, line: &str) -> usize {
    text.lines()
        .position(|l| l.trim() == line)
        .unwrap_or_else(|| panic!("no line `{line}` in the letter:\n{text}"))
}

#[test]
fn secretary_of_state_letter_is_dated_july_11_2018() {
    let c = rendered_example();
    let letter = sos_txt(&c);
    assert_eq!(
        letter.lines().find(|l| !l.trim().is_empty()).map(str::trim),
        Some("July 11, 2018"),
        "{letter}"
    );
}

#[test]
fn secretary_of_state_address_block_keeps_its_lines_in_order() {
    let c = rendered_example();
    let letter = sos_txt(&c);
    assert_eq!(
        block_starting(&letter, "The Honorable Mike Pompeo"),
        [
            "The Honorable Mike Pompeo",
            "Secretary of State",
            "U.S. Department of State",
            "2201 C Street NW",
            "Washington, DC 20520",
        ],
        "{letter}"
    );
    assert!(
        line_index(&letter, "July 11, 2018") < line_index(&letter, "The Honorable Mike Pompeo")
    );
}

#[test]
fn secretary_of_state_is_greeted_as_secretary_pompeo() {
    let c = rendered_example();
    let letter = sos_txt(&c);
    let salutation = line_index(&letter, "Dear Secretary Pompeo,");
    assert!(
        line_index(&letter, "Washington, DC 20520") < salutation,
        "{letter}"
    );
}

#[test]
fn secretary_of_state_letter_has_each_of_the_six_issue_paragraphs_in_order() {
    let c = rendered_example();
    // Joined into one line: wrapping may split a phrase across lines.
    let letter = sos_txt(&c).split_whitespace().collect::<Vec<_>>().join(" ");
    let figures = [
        "22 civilians",              // impunity: Tlatlaya
        "1 percent",                 // migrants
        "8,335",                     // torture and disappearances
        "43 students",               // Ayotzinapa
        "31 human rights defenders", // journalists and defenders
        "Anti-Corruption",           // rule of law and corruption
    ];
    let mut at = 0;
    for f in figures {
        let found = letter[at..]
            .find(f)
            .unwrap_or_else(|| panic!("`{f}` missing, or out of order, in:\n{letter}"));
        at += found + f.len();
    }
}

#[test]
fn secretary_of_state_letter_is_signed_by_exactly_the_signed_organizations_in_sort_order() {
    let c = rendered_example();
    let letter = sos_txt(&c);
    let signed = [
        "Washington Office on Latin America (WOLA)", // lead signer (order 1) first
        "Amnesty International USA",
        "Border Human Rights Observatory",
        "Due Process of Law Foundation (DPLF)",
        "Latin America Working Group (LAWG)",
        "Robert F. Kennedy Human Rights",
        "Texas Border Human Rights Network", // state and local organizations after the national ones
    ];
    let lines: Vec<usize> = signed.iter().map(|o| line_index(&letter, o)).collect();
    assert!(
        lines.windows(2).all(|w| w[0] < w[1]),
        "signatories out of order in:\n{letter}"
    );
    assert!(line_index(&letter, "Sincerely,") < lines[0]);
    // Each signatory: organization, then signer's name and title, then email, as in the seed.
    assert_eq!(
        block_starting(&letter, "Washington Office on Latin America (WOLA)"),
        [
            "Washington Office on Latin America (WOLA)",
            "Maureen Meyer, Director for Mexico and Migrant Rights",
            "mmeyer@wola.org",
        ],
        "{letter}"
    );
    assert!(
        letter.contains("Marselha Gonçalves Margerin, Advocacy Director for the Americas"),
        "{letter}"
    );
    for absent in [
        "Interfaith Alliance for Justice in the Americas",
        "Mexican Center for Accountability",
    ] {
        assert!(
            !letter.contains(absent),
            "{absent} has not signed (pending or declined) but is in:\n{letter}"
        );
    }
}

#[test]
fn committee_letter_is_addressed_to_both_members() {
    let c = rendered_example();
    let letter = c.read("out/coalition/sfrc.txt");
    for block in [
        [
            "The Honorable Bob Corker",
            "Chairman",
            "Senate Committee on Foreign Relations",
            "423 Dirksen Senate Office Building",
        ],
        [
            "The Honorable Bob Menendez",
            "Ranking Member",
            "Senate Committee on Foreign Relations",
            "423 Dirksen Senate Office Building",
        ],
    ] {
        assert_eq!(block_starting(&letter, block[0])[..4], block, "{letter}");
    }
    assert!(
        line_index(&letter, "The Honorable Bob Corker")
            < line_index(&letter, "The Honorable Bob Menendez")
    );
    // One letter for the committee, none for its members one by one.
    assert!(!c.path().join("out/coalition/corker.txt").exists());
    assert!(!c.path().join("out/coalition/menendez.txt").exists());
}

#[test]
fn committee_letter_greets_the_chairman_and_the_ranking_member() {
    let c = rendered_example();
    let letter = c.read("out/coalition/sfrc.txt");
    line_index(&letter, "Dear Chairman Corker and Ranking Member Menendez,");
}

#[test]
fn each_variant_has_its_number_of_letters() {
    let c = Campaign::example();
    c.render(&["--format", "txt"]).success();
    let files = c.all_out_files();
    let count = |variant: &str| {
        files
            .iter()
            .filter(|f| f.starts_with(&format!("{variant}/")))
            .count()
    };
    assert_eq!(count("coalition"), 4, "{files:?}");
    assert_eq!(count("us"), 4, "{files:?}");
    assert_eq!(count("es"), 2, "{files:?}");
    assert_eq!(count("each"), 7, "{files:?}");
    assert_eq!(count("public"), 1, "{files:?}");
    assert_eq!(files.len(), 18, "no other files: {files:?}");
    for f in [
        "coalition/sos.txt",
        "coalition/sfrc.txt",
        "es/amlo.txt",
        "each/sos-wola.txt",
        "public/human-rights-in-mexico.txt",
    ] {
        assert!(files.contains(&f.to_string()), "{f} missing from {files:?}");
    }
}

#[test]
fn us_variant_is_signed_by_us_organizations_only() {
    let c = Campaign::example();
    c.render(&["--format", "txt", "--variant", "us"]).success();
    let letter = c.read("out/us/sos.txt");
    assert!(
        letter.contains("Washington Office on Latin America (WOLA)"),
        "{letter}"
    );
    assert!(
        !letter.contains("Border Human Rights Observatory"),
        "a Mexican organization in the us variant:\n{letter}"
    );
}

#[test]
fn a_per_signatory_letter_is_signed_by_that_organization_alone() {
    let c = Campaign::example();
    c.render(&["--format", "txt", "--variant", "each"])
        .success();
    let letter = c.read("out/each/sos-aiusa.txt");
    assert!(letter.contains("Amnesty International USA"), "{letter}");
    assert!(letter.contains("Marselha Gonçalves Margerin"), "{letter}");
    assert!(
        !letter.contains("Washington Office on Latin America"),
        "another signatory in:\n{letter}"
    );
}

#[test]
fn spanish_letter_is_dated_in_spanish() {
    let c = Campaign::example();
    c.render(&["--format", "txt", "--variant", "es"]).success();
    let letter = c.read("out/es/amlo.txt");
    assert!(letter.contains("11 de julio de 2018"), "{letter}");
    assert!(letter.contains("Andrés Manuel López Obrador"), "{letter}");
}

#[test]
fn txt_lines_are_at_most_72_columns_in_every_example_letter() {
    let c = Campaign::example();
    c.render(&["--format", "txt"]).success();
    let files = c.all_out_files();
    assert_eq!(files.len(), 18);
    for f in files {
        let text = c.read(&format!("out/{f}"));
        for (i, line) in text.lines().enumerate() {
            let width = line.chars().count();
            assert!(width <= 72, "out/{f}:{}: {width} columns: {line}", i + 1);
        }
    }
}

#[test]
fn two_renders_with_one_date_are_byte_identical() {
    let runs: Vec<Campaign> = (0..2)
        .map(|_| {
            let c = Campaign::example();
            c.render(&["--format", "txt,md,html"]).success();
            c
        })
        .collect();
    let files = runs[0].all_out_files();
    assert_eq!(files, runs[1].all_out_files());
    assert_eq!(files.len(), 18 * 3);
    for f in &files {
        let rel = format!("out/{f}");
        assert!(
            runs[0].read_bytes(&rel) == runs[1].read_bytes(&rel),
            "{rel} differs between two renders"
        );
    }
}

#[test]
fn rendering_again_in_the_same_folder_changes_nothing() {
    let c = Campaign::example();
    c.render(&["--format", "txt,md,html"]).success();
    let first: Vec<Vec<u8>> = c
        .all_out_files()
        .iter()
        .map(|f| c.read_bytes(&format!("out/{f}")))
        .collect();
    c.render(&["--format", "txt,md,html"]).success();
    let second: Vec<Vec<u8>> = c
        .all_out_files()
        .iter()
        .map(|f| c.read_bytes(&format!("out/{f}")))
        .collect();
    assert!(first == second);
}

#[test]
fn render_reports_where_the_letters_went() {
    let c = Campaign::example();
    let run = c.render(&["--format", "txt"]).success();
    let stdout = run.stdout();
    assert!(stdout.contains("18 letters"), "{run}");
    assert!(stdout.contains("coalition 4"), "{run}");
}

#[test]
fn only_renders_the_selected_letter() {
    let c = Campaign::example();
    c.render(&["--format", "txt", "--only", "coalition/sos"])
        .success();
    assert!(c.path().join("out/coalition/sos.txt").exists());
    assert!(
        !c.path().join("out/us").exists(),
        "--only wrote other letters"
    );
}
