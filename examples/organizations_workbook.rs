//! Writes `recipients/organizations.xlsx`, the example campaign's signatories as a workbook, from
//! `recipients/organizations.csv`: the same cells, whole numbers as numbers (as a spreadsheet stores a typed `1`),
//! and a second sheet of notes, so the tests read a workbook a spreadsheet library wrote. Run it after editing the
//! CSV:
//!
//! ```sh
//! cargo run --example organizations_workbook
//! ```
//!
//! The file is deterministic (fixed creation date), so an unchanged CSV gives the same bytes.

use std::error::Error;
use std::path::Path;

use rust_xlsxwriter::{DocProperties, ExcelDateTime, Format, Workbook};

fn main() -> Result<(), Box<dyn Error>> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let csv_path = root.join("recipients/organizations.csv");
    let out = root.join("recipients/organizations.xlsx");
    let mut reader = csv::Reader::from_path(&csv_path)?;

    let mut book = Workbook::new();
    book.set_properties(
        &DocProperties::new()
            .set_title("Signatories of the example campaign")
            .set_creation_datetime(&ExcelDateTime::from_ymd(2018, 7, 1)?),
    );
    let bold = Format::new().set_bold();
    let sheet = book.add_worksheet().set_name("Organizations")?;
    for (col, header) in reader.headers()?.iter().enumerate() {
        sheet.write_string_with_format(0, col as u16, header, &bold)?;
    }
    for (i, record) in reader.records().enumerate() {
        let row = i as u32 + 1;
        for (col, value) in record?.iter().enumerate() {
            let col = col as u16;
            match value.parse::<i32>() {
                Ok(n) if n.to_string() == value => {
                    sheet.write_number(row, col, f64::from(n))?;
                }
                // An empty cell is left unwritten, as in a spreadsheet.
                _ if value.is_empty() => {}
                _ => {
                    sheet.write_string(row, col, value)?;
                }
            }
        }
    }
    sheet.autofit();

    let notes = book.add_worksheet().set_name("Notes")?;
    notes.write_string(
        0,
        0,
        "Generated from organizations.csv by `cargo run --example organizations_workbook`.",
    )?;
    notes.write_string(
        1,
        0,
        "lettermerge reads the first sheet unless the manifest names another with `sheet`.",
    )?;

    book.save(&out)?;
    println!("wrote {}", out.display());
    Ok(())
}
