//! The send journal on a real file system.

use std::fs;
use std::io::Write;

use lettermerge::deliver::journal::{self, Journal, Mark, Record, SendState, State};

use SendState::{Failed, Sending, Sent};

fn record(id: &str, state: impl Into<State>, hash: &str) -> Record {
    let state = state.into();
    Record {
        at: journal::now(),
        id: id.into(),
        variant: "default".into(),
        key: id.trim_start_matches("L-").into(),
        signatory: Some("ana".into()),
        signer: Vec::new(),
        signatories: vec!["ana".into(), "ben".into()],
        approval: None,
        hash: hash.into(),
        to: vec!["sos@state.example".into()],
        state,
        reply: (state == Sent.into()).then(|| "250 2.0.0 Ok: queued as X".into()),
        message_id: Some(format!("<{id}@lettermerge.test>")),
        note: None,
        channel: None,
    }
}

fn journal_path(dir: &std::path::Path) -> std::path::PathBuf {
    dir.join(".lettermerge/journal.jsonl")
}

#[test]
fn round_trip_one_line_per_record() {
    let dir = tempfile::tempdir().unwrap();
    let written = vec![
        record("L-1", Sending, "h1"),
        record("L-1", Sent, "h1"),
        Record {
            note: Some("called back on Tuesday".into()),
            ..record("L-1", Mark::Replied, "h1")
        },
    ];
    {
        let (mut j, warnings) = Journal::open(dir.path()).unwrap();
        assert!(warnings.is_empty());
        assert!(j.records().is_empty());
        for r in &written {
            j.append(r).unwrap();
        }
        assert_eq!(j.records(), written.as_slice());
    }
    let text = fs::read_to_string(journal_path(dir.path())).unwrap();
    assert_eq!(text.lines().count(), 3);
    assert!(text.ends_with('\n'));
    let first: serde_json::Value = serde_json::from_str(text.lines().next().unwrap()).unwrap();
    for field in [
        "at",
        "id",
        "variant",
        "key",
        "signatory",
        "signatories",
        "approval",
        "hash",
        "to",
        "state",
        "reply",
        "message_id",
    ] {
        assert!(first.get(field).is_some(), "missing {field}: {first}");
    }
    assert!(first.get("note").is_none(), "note is omitted when empty");
    assert!(first["at"].as_str().unwrap().ends_with('Z'));

    let (j, warnings) = Journal::open(dir.path()).unwrap();
    assert!(warnings.is_empty(), "{warnings:?}");
    assert_eq!(j.records(), written.as_slice());
    drop(j);
    let (read_only, _) = Journal::read(dir.path()).unwrap();
    assert_eq!(read_only.records(), written.as_slice());
}

#[cfg(unix)]
#[test]
fn journal_is_private() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let (mut j, _) = Journal::open(dir.path()).unwrap();
    j.append(&record("L-1", Sending, "h")).unwrap();
    let mode = |p: &std::path::Path| fs::metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(&journal_path(dir.path())), 0o600);
    assert_eq!(mode(&dir.path().join(".lettermerge")), 0o700);
    drop(j);
    // A journal restored with looser permissions is tightened on open.
    fs::set_permissions(journal_path(dir.path()), fs::Permissions::from_mode(0o644)).unwrap();
    let _ = Journal::open(dir.path()).unwrap();
    assert_eq!(mode(&journal_path(dir.path())), 0o600);
}

#[test]
fn a_truncated_last_line_is_reported_and_appended_after() {
    let dir = tempfile::tempdir().unwrap();
    {
        let (mut j, _) = Journal::open(dir.path()).unwrap();
        j.append(&record("L-1", Sending, "h1")).unwrap();
        j.append(&record("L-1", Sent, "h1")).unwrap();
        j.append(&record("L-2", Sending, "h2")).unwrap();
    }
    // Power loss in the middle of the fourth line.
    let path = journal_path(dir.path());
    let full = serde_json::to_string(&record("L-2", Sent, "h2")).unwrap();
    let mut f = fs::OpenOptions::new().append(true).open(&path).unwrap();
    f.write_all(&full.as_bytes()[..full.len() / 2]).unwrap();
    drop(f);

    let (mut j, warnings) = Journal::open(dir.path()).unwrap();
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    assert!(warnings[0].contains("journal.jsonl:4"), "{}", warnings[0]);
    assert!(warnings[0].contains("incomplete"), "{}", warnings[0]);
    assert_eq!(j.records().len(), 3);
    assert_eq!(
        j.latest("L-2").unwrap().state,
        Sending.into(),
        "L-2 stays uncertain"
    );

    j.append(&record("L-3", Sending, "h3")).unwrap();
    drop(j);
    let text = fs::read_to_string(&path).unwrap();
    let last = text.lines().last().unwrap();
    assert_eq!(serde_json::from_str::<Record>(last).unwrap().id, "L-3");

    // The cut-off line is now in the middle: still a warning, naming its line, never fatal.
    let (j, warnings) = Journal::open(dir.path()).unwrap();
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    assert!(
        warnings[0].contains("journal.jsonl:4: not a valid record"),
        "{}",
        warnings[0]
    );
    assert_eq!(j.records().len(), 4);
    assert_eq!(j.latest("L-3").unwrap().hash, "h3");
}

#[test]
fn a_complete_last_line_without_newline_is_kept() {
    let dir = tempfile::tempdir().unwrap();
    fs::create_dir(dir.path().join(".lettermerge")).unwrap();
    let line = serde_json::to_string(&record("L-9", Sent, "h9")).unwrap();
    fs::write(journal_path(dir.path()), format!("\n{line}")).unwrap();
    let (mut j, warnings) = Journal::open(dir.path()).unwrap();
    assert!(warnings.is_empty(), "{warnings:?}");
    assert_eq!(j.latest("L-9").unwrap().state, Sent.into());
    j.append(&record("L-10", Sending, "h10")).unwrap();
    drop(j);
    let (j, warnings) = Journal::open(dir.path()).unwrap();
    assert!(warnings.is_empty(), "{warnings:?}");
    assert_eq!(j.records().len(), 2);
}

#[test]
fn latest_is_the_last_send_state_and_ignores_marks() {
    let dir = tempfile::tempdir().unwrap();
    let (mut j, _) = Journal::open(dir.path()).unwrap();
    assert!(j.latest("L-1").is_none());
    j.append(&record("L-1", Sending, "old")).unwrap();
    j.append(&record("L-1", Failed, "old")).unwrap();
    assert_eq!(j.latest("L-1").unwrap().state, Failed.into());
    j.append(&record("L-1", Sending, "new")).unwrap();
    j.append(&record("L-1", Sent, "new")).unwrap();
    j.append(&record("L-1", Mark::Delivered, "new")).unwrap();
    j.append(&record("L-1", Mark::Meeting, "new")).unwrap();
    j.append(&record("L-2", Sending, "x")).unwrap();
    let latest = j.latest("L-1").unwrap();
    assert_eq!((latest.state, latest.hash.as_str()), (Sent.into(), "new"));
    assert_eq!(j.latest("L-2").unwrap().state, Sending.into());
    assert!(j.latest("L-3").is_none());
    assert_eq!(j.records().len(), 7);
}

#[test]
fn a_second_writer_is_refused_while_the_first_holds_the_lock() {
    let dir = tempfile::tempdir().unwrap();
    let (first, _) = Journal::open(dir.path()).unwrap();
    let err = Journal::open(dir.path()).unwrap_err().to_string();
    assert!(err.contains("another lettermerge run"), "{err}");
    assert!(
        err.contains(&format!("process {}", std::process::id())),
        "{err}"
    );
    // Readers are never blocked, and never write.
    let (mut reader, _) = Journal::read(dir.path()).unwrap();
    assert!(reader.append(&record("L-1", Sent, "h")).is_err());
    drop(first);
    assert!(Journal::open(dir.path()).is_ok());
}

#[test]
fn concurrent_appends_behind_a_mutex_stay_whole_lines() {
    let dir = tempfile::tempdir().unwrap();
    let (j, _) = Journal::open(dir.path()).unwrap();
    let j = std::sync::Mutex::new(j);
    std::thread::scope(|s| {
        for t in 0..4 {
            let j = &j;
            s.spawn(move || {
                for n in 0..25 {
                    let r = record(&format!("L-{t}-{n}"), Sent, "h");
                    j.lock().unwrap().append(&r).unwrap();
                }
            });
        }
    });
    drop(j);
    let (j, warnings) = Journal::open(dir.path()).unwrap();
    assert!(warnings.is_empty());
    assert_eq!(j.records().len(), 100);
}

#[test]
fn append_all_writes_a_batch_with_one_sync() {
    let dir = tempfile::tempdir().unwrap();
    let (mut j, _) = Journal::open(dir.path()).unwrap();
    let batch: Vec<Record> = (0..50)
        .map(|n| record(&format!("L-{n}"), Sending, "h"))
        .collect();
    j.append_all(&batch).unwrap();
    j.append_all(&[]).unwrap();
    assert_eq!(j.latest("L-49").unwrap().state, Sending.into());
    drop(j);
    let (j, warnings) = Journal::open(dir.path()).unwrap();
    assert!(warnings.is_empty());
    assert_eq!(j.records(), batch.as_slice());
}

/// Journals written before the states were typed, or edited by hand with another offset, read as they are; a
/// record's time is a time, not text.
#[test]
fn an_older_journal_reads_with_typed_states_and_times() {
    let dir = tempfile::tempdir().unwrap();
    fs::create_dir(dir.path().join(".lettermerge")).unwrap();
    let line = |at: &str, state: &str| {
        format!(
            r#"{{"at":"{at}","id":"coalition/sos","variant":"coalition","key":"sos","signatory":null,"signatories":["wola"],"approval":null,"hash":"h","to":["sos@state.example"],"state":"{state}","reply":null,"message_id":"<m@x>"}}"#
        )
    };
    let text = [
        line("2018-07-11T09:00:00.000-04:00", "sending"),
        line("2018-07-11T13:00:01.250Z", "sent"),
        line("2018-07-12T10:00:00+02:00", "replied"),
        line("2018-07-20T10:00:00Z", "no-response"),
    ]
    .join("\n");
    fs::write(journal_path(dir.path()), text + "\n").unwrap();
    let (j, warnings) = Journal::read(dir.path()).unwrap();
    assert!(warnings.is_empty(), "{warnings:?}");
    let latest = j.latest("coalition/sos").unwrap();
    assert_eq!(latest.state, Sent.into());
    assert_eq!(latest.at.to_rfc3339(), "2018-07-11T13:00:01.250+00:00");
    let marks = j.marks("coalition/sos");
    assert_eq!(marks.len(), 2);
    assert_eq!(marks[0].state, Mark::Replied.into());
    assert_eq!(marks[1].state, Mark::NoResponse.into());
    // 10:00 at +02:00 on the 12th is 08:00 UTC that day: after the send, compared as times.
    assert!(marks[0].at > latest.at);
    assert_eq!(
        j.records()[0].at,
        "2018-07-11T13:00:00Z"
            .parse::<chrono::DateTime<chrono::Utc>>()
            .unwrap()
    );
}
