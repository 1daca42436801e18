//! Issue 15: tables from workbooks. Sheets written by real spreadsheet libraries (rust_xlsxwriter for .xlsx,
//! spreadsheet-ods for .ods) are read as a person reads them — dates, numbers, booleans, empty and merged cells,
//! formulas' saved results — with every position a cell (`officials.xlsx:Officials!B7`), and the example campaign
//! gives the same letters from its CSV and from its workbook.

use rust_xlsxwriter::{ExcelDateTime, Format, Formula, Workbook};

use crate::harness::Campaign;

/// Every value of the row, one per line, so a test reads the letter as the table.
const VALUES: &str = "---\nsubject: 'Values'\n---\nid: {{id}}\n\
name: {{name}}\nborn: {{born}}\nmeeting: {{meeting}}\nvotes: {{votes}}\nshare: {{share}}\n\
total: {{total}}\nactive: {{active}}\nnote: {{note}}\ndoubled: {{doubled}}\ncommittee: {{committee}}\n";

const HEADERS: [&str; 11] = [
    "id",
    "name",
    "born",
    "meeting",
    "votes",
    "share",
    "total",
    "active",
    "note",
    "doubled",
    "committee",
];

/// A campaign whose primary table is `recipients/officials.xlsx`, declared by `entry` (the right side of
/// `recipients =`), with the letter printing every value.
fn campaign(entry: &str) -> Campaign {
    let c = Campaign::empty();
    c.write(
        "lettermerge.toml",
        format!("[letter]\nrecipients = {entry}\n"),
    );
    c.write("templates/letter.hbs", VALUES);
    c
}

/// Saves a workbook into the campaign, creating its folder.
pub fn save(book: &mut Workbook, path: &std::path::Path) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    book.save(path).unwrap();
}

fn date_format() -> Format {
    Format::new().set_num_format("yyyy-mm-dd")
}

/// Two sheets: "Notes" (first) and "Officials", with typed cells, an empty row, a merged cell and a formatted blank
/// cell past the last column.
fn officials_xlsx(path: &std::path::Path) {
    let mut book = Workbook::new();
    let notes = book.add_worksheet().set_name("Notes").unwrap();
    notes
        .write_string(
            0,
            0,
            "Not the table: the manifest names the Officials sheet",
        )
        .unwrap();
    let s = book.add_worksheet().set_name("Officials").unwrap();
    for (col, h) in HEADERS.iter().enumerate() {
        s.write_string(0, col as u16, *h).unwrap();
    }
    let when = Format::new().set_num_format("yyyy-mm-dd hh:mm");
    // Row 2: sos.
    s.write_string(1, 0, "sos").unwrap();
    s.write_string(1, 1, "Mike Pompeo").unwrap();
    s.write_datetime_with_format(
        1,
        2,
        ExcelDateTime::from_ymd(1963, 12, 30).unwrap(),
        &date_format(),
    )
    .unwrap();
    let meeting = ExcelDateTime::from_ymd(2018, 7, 13)
        .unwrap()
        .and_hms(9, 30, 0)
        .unwrap();
    s.write_datetime_with_format(1, 3, meeting, &when).unwrap();
    s.write_number(1, 4, 2018.0).unwrap();
    s.write_number(1, 5, 0.1).unwrap();
    // What Excel saves for =0.1+0.2: the binary noise a person never sees.
    s.write_formula(
        1,
        6,
        Formula::new("=0.1+0.2").set_result("0.30000000000000004"),
    )
    .unwrap();
    s.write_boolean(1, 7, true).unwrap();
    s.write_formula(1, 9, Formula::new("=E2*2").set_result("4036"))
        .unwrap();
    s.merge_range(1, 10, 2, 10, "SFRC", &Format::new()).unwrap();
    s.write_blank(1, 12, &Format::new().set_bold()).unwrap();
    // Row 3: rubio.
    s.write_string(2, 0, "rubio").unwrap();
    s.write_string(2, 1, "Marco Rubio").unwrap();
    s.write_datetime_with_format(
        2,
        2,
        ExcelDateTime::from_ymd(1971, 5, 28).unwrap(),
        &date_format(),
    )
    .unwrap();
    s.write_number(2, 4, 17.5).unwrap();
    s.write_number(2, 5, -0.25).unwrap();
    s.write_formula(2, 6, Formula::new("=1/3").set_result("0.33333333333333331"))
        .unwrap();
    s.write_boolean(2, 7, false).unwrap();
    s.write_string(2, 8, "two\nlines").unwrap();
    s.write_formula(2, 9, Formula::new("=E3*2").set_result("35"))
        .unwrap();
    // Row 4 is empty; row 5: castro, mostly empty cells.
    s.write_string(4, 0, "castro").unwrap();
    s.write_string(4, 1, "Joaquin Castro").unwrap();
    save(&mut book, path);
}

#[test]
fn an_xlsx_sheet_reads_as_a_person_reads_it() {
    let c = campaign(r#"{ path = "recipients/officials.xlsx", sheet = "Officials" }"#);
    officials_xlsx(&c.file("recipients/officials.xlsx"));
    c.render_txt(&[]);
    assert_eq!(
        c.out("default", "sos.txt"),
        "id: sos\nname: Mike Pompeo\nborn: 1963-12-30\nmeeting: 2018-07-13 09:30\nvotes: 2018\nshare: 0.1\n\
         total: 0.3\nactive: TRUE\nnote:\ndoubled: 4036\ncommittee: SFRC\n"
    );
    // A merged cell's value is in its first cell; the cells it covers are empty.
    assert_eq!(
        c.out("default", "rubio.txt"),
        "id: rubio\nname: Marco Rubio\nborn: 1971-05-28\nmeeting:\nvotes: 17.5\nshare: -0.25\n\
         total: 0.333333333333333\nactive: FALSE\nnote: two\nlines\ndoubled: 35\ncommittee:\n"
    );
    // The empty row 4 is skipped, and castro (row 5) is a letter with empty values.
    assert_eq!(
        c.out_files("default"),
        ["castro.txt", "rubio.txt", "sos.txt"]
    );
    assert!(c.out("default", "castro.txt").contains("votes:\n"));
}

#[test]
fn the_first_visible_sheet_is_read_unless_one_is_named() {
    let c = campaign(r#""recipients/officials.xlsx""#);
    let mut book = Workbook::new();
    let old = book.add_worksheet().set_name("Old list").unwrap();
    old.write_string(0, 0, "id").unwrap();
    old.write_string(1, 0, "stale").unwrap();
    old.set_hidden(true);
    let s = book.add_worksheet().set_name("Officials").unwrap();
    // Excel cannot hide the sheet that is open.
    s.set_active(true);
    s.write_string(0, 0, "id").unwrap();
    s.write_string(0, 1, "name").unwrap();
    s.write_string(1, 0, "sos").unwrap();
    s.write_string(1, 1, "Mike Pompeo").unwrap();
    save(&mut book, &c.file("recipients/officials.xlsx"));
    c.write("templates/letter.hbs", "---\nsubject: x\n---\n{{name}}\n");
    c.render_txt(&[]);
    assert_eq!(c.out_files("default"), ["sos.txt"]);

    c.write(
        "lettermerge.toml",
        "[letter]\nrecipients = { path = \"recipients/officials.xlsx\", sheet = \"officials\" }\n",
    );
    let err = c.check(&[]).fails_with(1);
    assert!(
        err.contains(
            "lettermerge.toml:2: table `recipients`: recipients/officials.xlsx has no sheet \"officials\"; \
             its sheets are \"Old list\" (hidden), \"Officials\""
        ),
        "{err}"
    );
    assert!(err.contains("the sheet is named \"Officials\""), "{err}");
}

#[test]
fn every_position_in_a_workbook_is_a_cell() {
    let c = campaign(r#"{ path = "recipients/officials.xlsx", sheet = "Officials" }"#);
    let mut book = Workbook::new();
    let s = book.add_worksheet().set_name("Officials").unwrap();
    for (col, h) in ["name", "id", "votes"].iter().enumerate() {
        s.write_string(0, col as u16, *h).unwrap();
    }
    for (row, (name, id)) in [
        ("Mike Pompeo", "sos"),
        ("Marco Rubio", "rubio"),
        ("Ted Cruz", "sos"),
        ("Nobody", ""),
    ]
    .iter()
    .enumerate()
    {
        s.write_string(row as u32 + 1, 0, *name).unwrap();
        if !id.is_empty() {
            s.write_string(row as u32 + 1, 1, *id).unwrap();
        }
        s.write_number(row as u32 + 1, 2, 1.0).unwrap();
    }
    s.write_formula(2, 2, Formula::new("=1/0").set_result("#DIV/0!"))
        .unwrap();
    s.write_string(6, 5, "a stray note").unwrap();
    s.write_string(5, 0, "Ted\u{1b}[2J").unwrap();
    s.write_string(5, 1, "esc").unwrap();
    save(&mut book, &c.file("recipients/officials.xlsx"));
    let err = c.check(&[]).fails_with(1);
    for expected in [
        "recipients/officials.xlsx:Officials!C3: the cell shows the error #DIV/0!",
        "recipients/officials.xlsx:Officials!B4: duplicate `id` \"sos\": row 4 repeats row 2",
        "recipients/officials.xlsx:Officials!B5: row 5 has an empty `id`",
        "recipients/officials.xlsx:Officials!F7: the cell holds \"a stray note\" but its column has no header",
        "recipients/officials.xlsx:Officials!A6: the cell holds the control character U+001B",
        "help: name the column in Officials!F1",
    ] {
        assert!(err.contains(expected), "missing {expected:?} in\n{err}");
    }
    // `check --json` gives the sheet, the row as `line` and the column's number.
    let json: serde_json::Value = serde_json::from_str(&c.check(&["--json"]).stdout).unwrap();
    let dup = json["problems"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["message"].as_str().unwrap().starts_with("duplicate"))
        .unwrap();
    assert_eq!(dup["file"], "recipients/officials.xlsx");
    assert_eq!(dup["sheet"], "Officials");
    assert_eq!(
        (dup["line"].as_u64(), dup["column"].as_u64()),
        (Some(4), Some(2))
    );
}

#[test]
fn a_damaged_workbook_is_an_error_naming_the_file_not_a_panic() {
    let c = campaign(r#""recipients/officials.xlsx""#);
    let mut book = Workbook::new();
    book.add_worksheet().write_string(0, 0, "id").unwrap();
    let bytes = book.save_to_buffer().unwrap();
    c.write("recipients/officials.xlsx", &bytes[..bytes.len() / 2]);
    let err = c.check(&[]).fails_with(1);
    assert!(
        err.contains("recipients/officials.xlsx: cannot read the `recipients` table as a workbook"),
        "{err}"
    );
    assert!(err.contains("save it again"), "{err}");
}

#[test]
fn a_range_reads_the_table_below_a_title_with_positions_of_the_sheet() {
    let c = campaign(r#"{ path = "recipients/officials.xlsx", range = "B3:D5", key = "code" }"#);
    let mut book = Workbook::new();
    let s = book.add_worksheet().set_name("Coalition list").unwrap();
    s.write_string(0, 0, "Officials to write to (July 2018)")
        .unwrap();
    for (col, h) in ["code", "name", "title"].iter().enumerate() {
        s.write_string(2, col as u16 + 1, *h).unwrap();
    }
    s.write_string(3, 1, "sos").unwrap();
    s.write_string(3, 2, "Mike Pompeo").unwrap();
    s.write_string(3, 3, "Secretary of State").unwrap();
    s.write_string(4, 1, "rubio").unwrap();
    s.write_string(4, 2, "Marco Rubio").unwrap();
    s.write_string(4, 3, "Grand Poobah").unwrap();
    s.write_string(9, 0, "Total: 2").unwrap();
    save(&mut book, &c.file("recipients/officials.xlsx"));
    c.write(
        "templates/letter.hbs",
        "---\nsubject: x\n---\n{{title}} {{name}}\n",
    );
    c.render_txt(&[]);
    assert_eq!(
        c.out("default", "sos.txt"),
        "Secretary of State Mike Pompeo\n"
    );
    assert_eq!(c.out_files("default"), ["rubio.txt", "sos.txt"]);
    // Row checks point into the sheet, at the cell in question.
    let run = c.check(&[]).success();
    assert!(
        run.stderr.contains(
            "warning: recipients/officials.xlsx:'Coalition list'!D5: title `Grand Poobah` of `rubio` is not in \
             the forms-of-address table"
        ),
        "{run}"
    );
}

/// The Officials table of [`officials_xlsx`], as LibreOffice's format: written by spreadsheet-ods.
fn officials_ods(path: &std::path::Path, doubled_saved: bool) {
    use chrono::NaiveDate;
    use spreadsheet_ods::{Sheet, WorkBook};
    let mut book = WorkBook::new_empty();
    let mut notes = Sheet::new("Notes");
    notes.set_value(0, 0, "Not the table");
    book.push_sheet(notes);
    let mut s = Sheet::new("Officials");
    for (col, h) in HEADERS.iter().enumerate() {
        s.set_value(0, col as u32, *h);
    }
    s.set_value(1, 0, "sos");
    s.set_value(1, 1, "Mike Pompeo");
    s.set_value(1, 2, NaiveDate::from_ymd_opt(1963, 12, 30).unwrap());
    let meeting = NaiveDate::from_ymd_opt(2018, 7, 13)
        .unwrap()
        .and_hms_opt(9, 30, 0)
        .unwrap();
    s.set_value(1, 3, meeting);
    s.set_value(1, 4, 2018.0);
    s.set_value(1, 5, 0.1);
    s.set_formula(1, 6, "of:=0.1+0.2");
    s.set_value(1, 6, 0.1 + 0.2);
    s.set_value(1, 7, true);
    s.set_formula(1, 9, "of:=[.E2]*2");
    if doubled_saved {
        s.set_value(1, 9, 4036.0);
    }
    s.set_value(1, 10, "SFRC");
    s.set_value(3, 0, "rubio");
    s.set_value(3, 1, "Marco Rubio");
    book.push_sheet(s);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    spreadsheet_ods::write_ods(&mut book, path).unwrap();
}

#[test]
fn an_ods_sheet_reads_like_the_same_xlsx_sheet() {
    let c = campaign(r#"{ path = "recipients/officials.ods", sheet = "Officials" }"#);
    officials_ods(&c.file("recipients/officials.ods"), true);
    c.render_txt(&[]);
    assert_eq!(
        c.out("default", "sos.txt"),
        "id: sos\nname: Mike Pompeo\nborn: 1963-12-30\nmeeting: 2018-07-13 09:30\nvotes: 2018\nshare: 0.1\n\
         total: 0.3\nactive: TRUE\nnote:\ndoubled: 4036\ncommittee: SFRC\n"
    );
    assert_eq!(c.out_files("default"), ["rubio.txt", "sos.txt"]);
}

#[test]
fn a_formula_without_a_saved_result_is_reported_at_its_cell() {
    let c = campaign(r#"{ path = "recipients/officials.ods", sheet = "Officials" }"#);
    officials_ods(&c.file("recipients/officials.ods"), false);
    let err = c.check(&[]).fails_with(1);
    assert!(
        err.contains(
            "recipients/officials.ods:Officials!J2: the formula `=[.E2]*2` has no saved result"
        ),
        "{err}"
    );
    assert!(
        err.contains("help: open the workbook in Excel or LibreOffice and save it"),
        "{err}"
    );
}

#[test]
fn the_example_campaign_gives_byte_identical_letters_from_its_csv_and_its_workbook() {
    let from_csv = Campaign::example();
    let from_xlsx = Campaign::example();
    from_xlsx.edit(
        "lettermerge.toml",
        r#"organizations = "recipients/organizations.csv""#,
        r#"organizations = "recipients/organizations.xlsx""#,
    );
    // Nothing can come from the CSV in the workbook's campaign.
    std::fs::remove_file(from_xlsx.file("recipients/organizations.csv")).unwrap();
    for c in [&from_csv, &from_xlsx] {
        c.render(&["--format", "txt,md,html"]).success();
        // The example's messages carry the letter as a PDF; the public copy is never sent.
        if cfg!(feature = "pdf") {
            let sent = [
                "--variant",
                "coalition",
                "--variant",
                "us",
                "--variant",
                "es",
                "--variant",
                "each",
            ];
            c.render(&["--format", "pdf"]).success();
            c.render(&[&["--format", "eml"][..], &sent].concat())
                .success();
        }
    }
    let files = from_csv.all_out_files();
    assert!(files.len() > 20, "{files:?}");
    assert_eq!(files, from_xlsx.all_out_files());
    for f in &files {
        let rel = format!("out/{f}");
        assert!(
            from_csv.read_bytes(&rel) == from_xlsx.read_bytes(&rel),
            "{f} differs"
        );
    }

    // A sign-off given on the CSV holds for the workbook: fingerprints are of the values, not of the file.
    from_csv.ok(&["approve", "--by", "Lucía Ramírez"]);
    from_xlsx.write("approvals.toml", from_csv.read("approvals.toml"));
    let run = from_xlsx.check(&[]).success();
    assert!(!run.all().contains("since"), "{run}");
    assert!(
        run.stdout.contains("The campaign is ready to send"),
        "{run}"
    );
}
