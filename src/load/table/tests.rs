use super::*;
use crate::diag::Problem;

/// Writes `bytes` as `t.csv` in a fresh campaign folder.
fn campaign(bytes: &[u8]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("t.csv"), bytes).unwrap();
    dir
}

fn spec() -> TableSpec {
    TableSpec::new("t.csv")
}

fn load_with(bytes: &[u8], spec: &TableSpec) -> Result<Table, Problems> {
    let dir = campaign(bytes);
    Table::load(dir.path(), "issues", spec)
}

fn load(bytes: &[u8]) -> Table {
    match load_with(bytes, &spec()) {
        Ok(t) => t,
        Err(p) => panic!("unexpected problems: {p:?}"),
    }
}

fn problems(bytes: &[u8]) -> Vec<Problem> {
    problems_with(bytes, &spec())
}

fn problems_with(bytes: &[u8], spec: &TableSpec) -> Vec<Problem> {
    match load_with(bytes, spec) {
        Ok(t) => panic!("expected problems, loaded {:?}", t.rows),
        Err(p) => p.into_iter().collect(),
    }
}

/// The single problem, after checking its message holds `fragment` and its line is `line`.
fn only(problems: Vec<Problem>, fragment: &str, line: Option<usize>) -> Problem {
    assert_eq!(problems.len(), 1, "{problems:#?}");
    let p = problems.into_iter().next().unwrap();
    assert!(
        p.message.contains(fragment),
        "{:?} lacks {fragment:?}",
        p.message
    );
    assert_eq!(p.line, line, "{p}");
    assert_eq!(p.file.as_deref(), Some(Path::new("t.csv")));
    p
}

fn values(t: &Table) -> Vec<Vec<&str>> {
    t.rows.iter().map(|r| r.fields().collect()).collect()
}

#[test]
fn reads_values_exactly_and_indexes_keys() {
    let t = load(b"id, name ,note\nsos,  Mike Pompeo ,\nsen,Marco Rubio,x\n");
    assert_eq!(t.headers, ["id", "name", "note"]);
    assert_eq!(
        values(&t),
        [["sos", "  Mike Pompeo ", ""], ["sen", "Marco Rubio", "x"]]
    );
    assert_eq!(t.key_column, 0);
    assert_eq!(t.rows[1].line, 3);
    let row = t.find("sen").unwrap();
    assert_eq!(t.value(row, "name"), Some("Marco Rubio"));
    assert_eq!(t.value(row, "nope"), None);
    assert_eq!(t.key(row), "sen");
    assert_eq!(row.get(7), "");
    assert!(t.find("x").is_none());
    let json = serde_json::Value::Object(t.row_json(row)).to_string();
    assert_eq!(json, r#"{"id":"sen","name":"Marco Rubio","note":"x"}"#);
}

#[test]
fn utf8_bom_is_stripped() {
    let t = load(b"\xEF\xBB\xBFid,name\nsos,Pe\xC3\xB1a\n");
    assert_eq!(t.headers, ["id", "name"]);
    assert_eq!(t.rows[0].get(1), "Peña");
}

#[test]
fn utf16_with_bom_is_decoded() {
    let mut bytes = vec![0xFF, 0xFE];
    bytes.extend(
        "id,name\r\nsos,Gonçalves\r\nsen,Peña\r\n"
            .encode_utf16()
            .flat_map(u16::to_le_bytes),
    );
    let t = load(&bytes);
    assert_eq!(values(&t), [["sos", "Gonçalves"], ["sen", "Peña"]]);
    assert_eq!(t.rows[1].line, 3);
}

const WINDOWS_1252: &[u8] = b"id,name\nsos,Gon\xE7alves\nsen,Pe\xF1a\n";

#[test]
fn windows_1252_reads_when_declared() {
    for label in ["windows-1252", "latin1", " Windows-1252 "] {
        let spec = TableSpec {
            encoding: Some(label.into()),
            ..spec()
        };
        let t = load_with(WINDOWS_1252, &spec).unwrap();
        assert_eq!(values(&t), [["sos", "Gonçalves"], ["sen", "Peña"]]);
    }
}

#[test]
fn windows_1252_undeclared_names_line_byte_and_the_fix_once() {
    let p = only(
        problems(WINDOWS_1252),
        "invalid UTF-8 at byte offset 15 (byte 0xE7",
        Some(2),
    );
    assert_eq!(p.column, Some(8));
    assert!(
        p.message.contains(r#"which is "ç" in windows-1252"#),
        "{}",
        p.message
    );
    let help = p.help.unwrap();
    assert!(help.contains(r#"save the file as "CSV UTF-8""#), "{help}");
    assert!(
        help.contains(r#"[tables] issues = { path = "t.csv", encoding = "windows-1252" }"#),
        "{help}"
    );
}

#[test]
fn invalid_utf8_offset_counts_the_bom() {
    let p = only(
        problems(b"\xEF\xBB\xBFid\nok\nx\xFF\n"),
        "byte offset 10 (byte 0xFF",
        Some(3),
    );
    assert_eq!(p.column, Some(2));
}

#[test]
fn truncated_utf8_at_end_of_file_is_reported() {
    only(
        problems(b"id\nPe\xC3"),
        "invalid UTF-8 at byte offset 5 (byte 0xC3",
        Some(2),
    );
}

#[test]
fn multibyte_character_across_read_chunks_is_fine() {
    let mut bytes = b"id,v\na,".to_vec();
    bytes.resize(CHUNK - 1, b'x');
    bytes.extend("ñ\nb,ü\n".as_bytes());
    let t = load(&bytes);
    assert!(t.rows[0].get(1).ends_with("xñ"));
    assert_eq!(t.rows[1].line, 3);
}

#[test]
fn unknown_encoding_is_named() {
    let spec = TableSpec {
        encoding: Some("latin-9000".into()),
        ..spec()
    };
    let p = problems_with(b"id\n", &spec);
    assert_eq!(p.len(), 1);
    assert!(
        p[0].message.contains(r#"unknown encoding "latin-9000""#),
        "{}",
        p[0].message
    );
    assert!(p[0].message.contains("`issues`"));
}

#[test]
fn semicolon_and_tab_delimiters() {
    let semi = TableSpec {
        delimiter: b';',
        ..spec()
    };
    let t = load_with(
        b"id;name;city\nsos;Pompeo, Mike;\"Washington; DC\"\n",
        &semi,
    )
    .unwrap();
    assert_eq!(values(&t), [["sos", "Pompeo, Mike", "Washington; DC"]]);
    let tab = TableSpec {
        delimiter: b'\t',
        ..spec()
    };
    let t = load_with(b"id\tname\nsos\tPompeo, Mike\n", &tab).unwrap();
    assert_eq!(values(&t), [["sos", "Pompeo, Mike"]]);
}

#[test]
fn undeclared_semicolons_suggest_the_delimiter() {
    let p = only(
        problems(b"id;name\nsos;Mike\n"),
        "no key column `id`: the headers are `id;name`",
        Some(1),
    );
    assert!(p.help.unwrap().contains(r#"delimiter = ";""#));
}

#[test]
fn empty_or_blank_file_has_no_header_row() {
    for bytes in [&b""[..], b"\n\n", b"  \r\n \t \n"] {
        only(problems(bytes), "the header row is missing", Some(1));
    }
}

#[test]
fn header_only_is_an_empty_table() {
    assert!(load(b"id,name\n").rows.is_empty());
}

#[test]
fn empty_and_duplicate_header_names_name_the_column() {
    let p = problems(b"id,email, ,Email,email \nsos,a,b,c,d\n");
    assert_eq!(p.len(), 2, "{p:#?}");
    assert!(
        p[0].message.contains("column 3 has no header name"),
        "{}",
        p[0].message
    );
    assert!(
        p[1].message
            .contains("column 5 is named `email` like column 2"),
        "{}",
        p[1].message
    );
    assert_eq!((p[0].line, p[1].line), (Some(1), Some(1)));
}

#[test]
fn ragged_row_gives_line_and_counts() {
    let bytes = b"id,a,b,c,d\n1,,,,\n2,,,,\n3,,,,\n4,,,,\n5,,,,\n6,,,\n";
    let p = only(
        problems(bytes),
        "line 7 has 4 fields but the header has 5",
        Some(7),
    );
    assert!(p.help.unwrap().contains("missing fields"));
    let p = only(
        problems(b"id,a\n1,x,y\n"),
        "line 2 has 3 fields but the header has 2",
        Some(2),
    );
    assert!(p
        .help
        .unwrap()
        .contains(r#"a value holding "," must be in quotes"#));
}

#[test]
fn multiline_address_keeps_physical_lines_and_becomes_lf() {
    let bytes = b"id,address,zip\r\nsos,\"2201 C St NW\r\nWashington, DC\r\n\"\"HST\"\"\",20520\r\nsen,x,1\r\nrep,y\r\n";
    let p = only(
        problems(bytes),
        "line 6 has 2 fields but the header has 3",
        Some(6),
    );
    assert!(p.help.unwrap().contains("missing fields"));
    let t = load(&bytes[..bytes.len() - 7]);
    assert_eq!(t.rows[0].get(1), "2201 C St NW\nWashington, DC\n\"HST\"");
    assert_eq!((t.rows[0].line, t.rows[1].line), (2, 5));
}

#[test]
fn blank_lines_are_skipped_but_counted() {
    let t = load(b"id,v\n\nsos,1\n\r\n  \nsen,2\n");
    assert_eq!(values(&t), [["sos", "1"], ["sen", "2"]]);
    // In a one-column table a line of spaces is a value, not a blank line.
    only(
        problems(b"id\nsos\n  \n"),
        "line 3 has an empty `id`",
        Some(3),
    );
    assert_eq!((t.rows[0].line, t.rows[1].line), (3, 6));
}

#[test]
fn old_mac_line_endings_count_as_lines() {
    let t = load(b"id,v\rsos,\"a\rb\"\rsen,c\r");
    assert_eq!(values(&t), [["sos", "a\nb"], ["sen", "c"]]);
    assert_eq!(t.rows[1].line, 4);
}

#[test]
fn missing_key_column_lists_the_headers() {
    let p = only(
        problems(b"code,name\nx,y\n"),
        "no key column `id`: the headers are `code`, `name`",
        Some(1),
    );
    assert!(p
        .help
        .unwrap()
        .contains(r#"issues = { path = "t.csv", key = "code" }"#));
    let p = only(problems(b"ID,name\nx,y\n"), "no key column `id`", Some(1));
    assert!(p.help.unwrap().contains("`ID` differs only in case"));
}

#[test]
fn declared_key_is_used() {
    let spec = TableSpec {
        key: "code".into(),
        ..spec()
    };
    let t = load_with(b"name,code\nA,x\nB,y\n", &spec).unwrap();
    assert_eq!(t.key_column, 1);
    assert_eq!(t.find("y").unwrap().get(0), "B");
}

#[test]
fn empty_key_is_an_error() {
    only(
        problems(b"id,name\nsos,a\n ,b\n"),
        "line 3 has an empty `id`",
        Some(3),
    );
}

#[test]
fn duplicate_key_names_both_lines() {
    let p = only(
        problems(b"id,name\nsos,a\nsen,b\nsos,c\n"),
        "duplicate `id` \"sos\": line 4 repeats line 2",
        Some(4),
    );
    assert!(p.help.is_some());
}

#[test]
fn every_problem_in_one_pass() {
    let p = problems(b"id,name\nsos,a\nsen\nsos,b\n,c\nrep,d,e\n");
    let got: Vec<_> = p
        .iter()
        .map(|p| (p.line.unwrap(), p.message.as_str()))
        .collect();
    assert_eq!(
        got,
        [
            (3, "line 3 has 1 field but the header has 2"),
            (4, "duplicate `id` \"sos\": line 4 repeats line 2"),
            (5, "line 5 has an empty `id`"),
            (6, "line 6 has 3 fields but the header has 2"),
        ]
    );
}

#[test]
fn problems_are_capped_per_table() {
    let mut bytes = b"id,name\n".to_vec();
    for i in 0..150 {
        bytes.extend(format!("{i}\n").as_bytes());
    }
    let p = problems(&bytes);
    assert_eq!(p.len(), MAX_PROBLEMS + 1);
    assert!(p[MAX_PROBLEMS].message.contains("50 more problems"));
}

#[test]
fn control_characters_are_reported_at_each_row_with_line_and_column() {
    let p = problems(
        "id,name\nsos,Doe\u{1b}[31m\nsen,Ruiz\nrep,a\u{85}b\nx,\"two\nlines\ttab\"\n".as_bytes(),
    );
    assert_eq!(p.len(), 2, "{p:?}");
    assert!(p[0].message.contains("U+001B (escape)"), "{p:?}");
    assert_eq!((p[0].line, p[0].column), (Some(2), Some(8)));
    assert!(p[1].message.contains("U+0085 (next line)"), "{p:?}");
    assert_eq!((p[1].line, p[1].column), (Some(4), Some(6)));
}

#[test]
fn nul_byte_is_reported_once_with_its_line() {
    let p = only(
        problems(b"id,name\nsos,a\x00b\nsen,\x00\n"),
        "NUL byte at byte offset 13",
        Some(2),
    );
    assert_eq!(p.column, Some(6));
    assert!(p.help.unwrap().contains(r#"encoding = "utf-16""#));
}

#[test]
fn utf16_without_bom_is_caught_by_its_nul_bytes() {
    let bytes: Vec<u8> = "id,name\nsos,a\n"
        .encode_utf16()
        .flat_map(u16::to_le_bytes)
        .collect();
    only(
        problems(&bytes),
        "the file looks binary, or is UTF-16 without a byte-order mark",
        Some(1),
    );
}

#[test]
fn field_over_a_mebibyte_is_a_clean_error() {
    for size in [2 << 20, 10 << 20] {
        let mut bytes = b"id,notes,x\nsos,short,1\nsen,\"".to_vec();
        bytes.resize(bytes.len() + size, b'a');
        bytes.extend(b"\",2\nrep,,3\n");
        let p = only(
            problems(&bytes),
            "the `notes` field of line 3 is larger than 1 MiB",
            Some(3),
        );
        assert!(p.help.unwrap().contains("never closed"));
    }
}

#[test]
fn field_just_over_the_limit_is_caught_without_filling_the_buffer() {
    let mut bytes = b"id,notes\nsos,".to_vec();
    bytes.resize(bytes.len() + MAX_FIELD_BYTES + 1, b'a');
    only(
        problems(&bytes),
        "the `notes` field of line 2 is larger than 1 MiB",
        Some(2),
    );
    let mut bytes = b"id,notes\nsos,".to_vec();
    bytes.resize(bytes.len() + MAX_FIELD_BYTES, b'a');
    assert_eq!(load(&bytes).rows[0].get(1).len(), MAX_FIELD_BYTES);
}

#[test]
fn unclosed_quote_points_at_its_row() {
    let bytes = b"id,name\nsos,\"Mike\"\"\nsen,Marco\nrep,Joaquin\n";
    let p = only(
        problems(bytes),
        "the quote (\") opened on line 2 is never closed",
        Some(2),
    );
    assert_eq!(p.column, Some(5));
    // A quote closed lines later is valid CSV; the field count is the only clue, and the help names the span.
    let p = only(
        problems(b"id,a,b\nsos,\"x\ny\"\n"),
        "line 2 has 2 fields",
        Some(2),
    );
    assert!(p.help.unwrap().contains("runs from line 2 to line 3"));
}

#[test]
fn too_many_fields_is_bounded() {
    let mut bytes = b"id,a\nx".to_vec();
    bytes.resize(bytes.len() + 40_000, b',');
    only(
        problems(&bytes),
        "line 2 has more than 16384 fields",
        Some(2),
    );
}

#[test]
fn missing_file_names_the_path_and_the_manifest_key() {
    let dir = tempfile::tempdir().unwrap();
    let p: Vec<_> = Table::load(
        dir.path(),
        "issues",
        &TableSpec::new("recipients/issues.csv"),
    )
    .unwrap_err()
    .into_iter()
    .collect();
    assert_eq!(p.len(), 1);
    assert_eq!(
        p[0].file.as_deref(),
        Some(Path::new("recipients/issues.csv"))
    );
    assert!(
        p[0].message
            .contains("cannot read the `issues` table: no such file"),
        "{}",
        p[0].message
    );
    let help = p[0].help.as_deref().unwrap();
    assert!(
        help.contains(r#"[tables] issues = "recipients/issues.csv""#),
        "{help}"
    );
    let p: Vec<_> = Table::load(dir.path(), "recipients", &TableSpec::new("."))
        .unwrap_err()
        .into_iter()
        .collect();
    assert!(p[0].message.contains("a folder"));
    assert!(p[0]
        .help
        .as_deref()
        .unwrap()
        .contains("[letter] recipients"));
}

#[test]
fn a_workbook_named_like_csv_is_read_as_a_workbook() {
    let p = problems(b"PK\x03\x04rest of a zip");
    assert_eq!(p.len(), 1, "{p:#?}");
    assert!(
        p[0].message
            .contains("cannot read the `issues` table as a workbook"),
        "{}",
        p[0]
    );
    assert!(p[0].help.as_deref().unwrap().contains("CSV UTF-8"));
}

#[test]
fn the_primary_table_streams_with_the_problems_a_whole_table_has() {
    let dir = campaign(b"name,id\nA,x\nB,y\nC\nD,x\nE,y\nF,x\n");
    let whole = Table::load(dir.path(), "recipients", &spec()).unwrap_err();
    let streamed = Primary::load(dir.path(), "recipients", &spec()).unwrap_err();
    assert_eq!(streamed, whole);
    let text: Vec<String> = streamed.iter().map(|p| p.to_string()).collect();
    assert!(text[1].contains("line 5 repeats line 2"), "{text:?}");
    assert!(text[3].contains("line 7 repeats line 2"), "{text:?}");
}

#[test]
fn the_primary_table_reads_its_rows_again_and_refuses_a_changed_file() {
    let dir = campaign(b"name,id\nA,x\nB,y\n");
    let t = Primary::load(dir.path(), "recipients", &spec()).unwrap();
    assert!(t.is_streamed());
    assert_eq!((t.len(), t.key_column), (2, 1));
    assert!(t.may_have_key("y") && !t.may_have_key("z"));
    let lines: Vec<usize> = t.rows().unwrap().map(|r| r.unwrap().line).collect();
    assert_eq!(lines, [2, 3]);
    std::fs::write(dir.path().join("t.csv"), b"name,id\nA,x\nB,y\nC,z\n").unwrap();
    let p = t.rows().err().unwrap();
    assert!(
        p.message
            .contains("changed while lettermerge was reading it"),
        "{p}"
    );
}

/// A file written in place while a pass reads it: the pass ends with an error, never as a complete set of rows that
/// is half of each version.
#[test]
fn a_file_saved_during_a_pass_ends_the_pass_with_an_error() {
    let dir = campaign(b"name,id\nA,x\nB,y\n");
    let t = Primary::load(dir.path(), "recipients", &spec()).unwrap();
    let mut rows = t.rows().unwrap();
    assert_eq!(rows.next().unwrap().unwrap().line, 2);
    std::fs::write(dir.path().join("t.csv"), b"name,id\nA,x\nB,y\nC,z\n").unwrap();
    let rest: Vec<_> = rows.collect();
    let last = rest.last().expect("the pass ends with its verdict");
    let p = last.as_ref().expect_err("a changed file is an error");
    assert!(p.message.contains("it was saved during the reading"), "{p}");
}

#[test]
fn row_reader_refuses_a_bad_header() {
    let dir = campaign(b"name\nA\n");
    let err = RowReader::open(dir.path(), "recipients", &spec())
        .err()
        .unwrap();
    assert!(err
        .iter()
        .next()
        .unwrap()
        .message
        .contains("no key column `id`"));
}

#[test]
fn manifest_hint_keeps_the_declared_settings() {
    let spec = TableSpec {
        delimiter: b'\t',
        key: "code".into(),
        ..spec()
    };
    let p = problems_with(b"code\tname\nx\tPe\xF1a\n", &spec);
    let help = p[0].help.as_deref().unwrap();
    let want = r#"[tables] issues = { path = "t.csv", encoding = "windows-1252", delimiter = "\t", key = "code" }"#;
    assert!(help.contains(want), "{help}");
}

#[test]
fn unclosed_quote_beats_the_size_error() {
    let mut bytes = b"id,notes\nsos,\"".to_vec();
    bytes.resize(bytes.len() + (3 << 20), b'a');
    let p = only(
        problems(&bytes),
        "opened on line 2 is never closed",
        Some(2),
    );
    assert_eq!(p.column, Some(5));
}

#[test]
fn empty_tab_file_help_shows_the_tab() {
    let spec = TableSpec {
        delimiter: b'\t',
        ..spec()
    };
    let p = problems_with(b"", &spec);
    assert!(p[0]
        .help
        .as_deref()
        .unwrap()
        .contains("`id<tab>name<tab>email`"));
}

#[test]
fn manifest_hint_keeps_columns_and_dedupe() {
    let spec = TableSpec {
        key: "email".into(),
        columns: vec![
            ("email".into(), "Email \"work\" Address".into()),
            ("organización".into(), "Org".into()),
        ],
        dedupe: Some(Dedupe {
            by: vec!["email".into()],
            keep: Keep::First,
        }),
        ..spec()
    };
    let hint = declare("signons", &spec, "key", "email");
    assert_eq!(
        hint,
        r#"lettermerge.toml: [tables] signons = { path = "t.csv", key = "email", columns = { email = 'Email "work" Address', "organización" = "Org" }, dedupe = { by = "email", keep = "first" } }"#
    );
}

#[test]
fn encoding_labels_as_people_write_them() {
    use super::encoding_of;
    for (label, encoding) in [
        ("windows-1252", encoding_rs::WINDOWS_1252),
        ("latin-1", encoding_rs::WINDOWS_1252),
        (" Latin1 ", encoding_rs::WINDOWS_1252),
        ("cp-1252", encoding_rs::WINDOWS_1252),
        ("ISO_8859-15", encoding_rs::ISO_8859_15),
        ("utf8", encoding_rs::UTF_8),
    ] {
        assert_eq!(encoding_of(label), Some(encoding), "{label}");
    }
    assert_eq!(encoding_of("klingon"), None);
}

#[test]
fn a_row_gives_back_each_value_and_nothing_past_the_last() {
    // The second row has no line break to make LF: its values are taken as the record holds them.
    let t = load(
        "id,name,empty,note\nsos,Peña,,\"a, \"\"quoted\"\"\r\nline\"\nsen,Núñez,,\"x,y\"\n"
            .as_bytes(),
    );
    assert_eq!(t.rows[1], Row::new(4, ["sen", "Núñez", "", "x,y"]));
    let row = &t.rows[0];
    assert_eq!(row.get(0), "sos");
    assert_eq!(row.get(1), "Peña");
    assert_eq!(row.get(2), "");
    assert_eq!(row.get(3), "a, \"quoted\"\nline");
    assert_eq!(row.get(4), "");
    assert_eq!(row.fields().count(), 4);
    assert_eq!(
        *row,
        Row::new(row.line, ["sos", "Peña", "", "a, \"quoted\"\nline"])
    );
}
