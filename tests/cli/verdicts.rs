//! What `check` says of each variant in its last lines (and in `--json`): "ready to send" only when `send` would go,
//! never while `check` itself finds an error; a selection that picks nothing is a usage error, not a clean check;
//! and a deleted approvals.toml after letters went out is named as missing, however sign-off is required.

use crate::harness::Campaign;
use crate::sendkit::{campaign, lm, send, smtp_plain, EPN, SOS};
use crate::smtp_server::{Options, TestServer};

/// Two letters, no sign-off, and a template whose body names a column the table does not have.
fn misspelt() -> Campaign {
    Campaign::small(
        "",
        "---\nto: '{{email}}'\nfrom: 'coalition@coalition.example'\nsubject: 'Human rights in Mexico'\n---\n\
         Dear {{positon}},\n",
        "id,position,email",
        &[
            "sos,Secretary of State,secretary@state.example",
            "rubio,Senator,senator@rubio.senate.example",
        ],
    )
}

#[test]
fn check_never_says_ready_to_send_while_it_finds_errors() {
    let c = misspelt();
    let run = c.check(&[]);
    let err = run.fails_with(1);
    assert!(err.contains("`positon` is not a column"), "{run}");
    assert!(!run.stdout.contains("ready to send"), "{run}");
    assert!(
        run.stdout.contains(
            "variant `default`: not ready: fix the error above first (not approved; sign-off is not required)"
        ),
        "{run}"
    );

    let json = c.check(&["--json"]);
    json.fails_with(1);
    let doc: serde_json::Value = serde_json::from_str(&json.stdout).expect("check --json is JSON");
    assert_eq!(doc["ok"], false);
    assert_eq!(doc["variants"][0]["variant"], "default");
    assert_eq!(doc["variants"][0]["send"], "refused", "{doc:#}");
    assert_eq!(doc["variants"][0]["reasons"][0], "check found 1 error");

    // Fixed, the same campaign is ready, in words and in JSON.
    c.edit("templates/letter.hbs", "positon", "position");
    let run = c.check(&[]).success();
    assert!(
        run.stdout
            .contains("variant `default`: ready to send (not approved; sign-off is not required)"),
        "{run}"
    );
    let doc: serde_json::Value =
        serde_json::from_str(&c.check(&["--json"]).success().stdout).unwrap();
    assert_eq!(doc["variants"][0]["send"], "ready");
}

#[test]
fn check_only_that_matches_no_letter_is_a_usage_error_as_in_render() {
    let c = misspelt();
    c.edit("templates/letter.hbs", "positon", "position");
    for command in ["check", "render", "preview"] {
        let run = c.run(&[command, "--only", "rubbio"]);
        let err = run.fails_with(2);
        assert!(
            err.contains("--only rubbio matches no letter"),
            "{command}: {run}"
        );
        assert!(!run.stdout.contains("ready to send"), "{command}: {run}");
    }
    c.run(&["check", "--only", "rubio"]).success();
}

#[test]
fn approvals_deleted_after_sending_are_named_missing_also_when_the_manifest_requires_sign_off() {
    let server = TestServer::start(Options::default());
    let c = campaign(
        "\n[signoff]\nrequired = true\n",
        &smtp_plain(&server, ""),
        &[SOS, EPN],
    );
    lm(&c, &["approve", "--by", "Maureen Meyer, WOLA"]).success();
    send(&c, &["--yes"]).success();
    assert_eq!(server.received().len(), 2);
    std::fs::remove_file(c.file("approvals.toml")).unwrap();

    // Not "not approved", whose fix would be a new `approve` of today's text without its signers: the file is named,
    // with the way back.
    let check = lm(&c, &["check"]);
    let err = check.fails_with(1);
    assert!(err.contains("approvals.toml is missing"), "{check}");
    assert!(err.contains("git checkout -- approvals.toml"), "{check}");
    assert!(!err.contains("not approved"), "{check}");
    assert!(!check.stdout.contains("ready to send"), "{check}");
    let run = send(&c, &["--yes"]);
    assert!(
        run.fails_with(1).contains("approvals.toml is missing"),
        "{run}"
    );
    assert_eq!(server.received().len(), 2, "nothing more was sent");
}

#[test]
fn with_the_manifest_requiring_sign_off_and_nothing_sent_a_missing_approvals_file_means_not_approved(
) {
    let server = TestServer::start(Options::default());
    let c = campaign(
        "\n[signoff]\nrequired = true\n",
        &smtp_plain(&server, ""),
        &[SOS],
    );
    let check = lm(&c, &["check"]).success();
    assert!(check.stderr.contains("is not approved"), "{check}");
    assert!(
        !check.stderr.contains("approvals.toml is missing"),
        "{check}"
    );
    let run = send(&c, &["--yes"]);
    assert!(run.fails_with(1).contains("not approved"), "{run}");
    assert!(server.received().is_empty());
}
