//! Per-signatory letters (issue 11): `signatories` is the one organization that signs, so a template written for the
//! coalition letter shows one signer and counts one; the coalition's whole list is `coalition.signatories`, which
//! `check` knows.

use crate::harness::Campaign;

/// The seven organizations that signed the example letter.
const SIGNED: [&str; 7] = [
    "Washington Office on Latin America (WOLA)",
    "Amnesty International USA",
    "Border Human Rights Observatory",
    "Due Process of Law Foundation (DPLF)",
    "Latin America Working Group (LAWG)",
    "Robert F. Kennedy Human Rights",
    "Texas Border Human Rights Network",
];

/// The signed organizations a letter names on a line of their own.
fn signers_in(letter: &str) -> Vec<&'static str> {
    SIGNED
        .into_iter()
        .filter(|o| letter.lines().any(|l| l.trim() == *o))
        .collect()
}

#[test]
fn every_per_signatory_letter_of_the_bundled_example_shows_exactly_one_signer() {
    let c = Campaign::example();
    c.render(&["--format", "txt", "--variant", "each"])
        .success();
    let files = c.out_files("each");
    assert_eq!(files.len(), 7, "{files:?}");
    let mut signers = Vec::new();
    for f in files {
        let letter = c.out("each", &f);
        let found = signers_in(&letter);
        assert_eq!(found.len(), 1, "{f} is signed by {found:?}:\n{letter}");
        signers.extend(found);
    }
    signers.sort_unstable();
    let mut all = SIGNED.to_vec();
    all.sort_unstable();
    assert_eq!(signers, all, "each organization signs one letter");
}

/// The signature block as a coalition letter writes it, with no special case for a per-signatory letter, and a count.
const PLAIN_SIGNATURES: &str = "We write as {{len signatories}} organization{{#unless (eq (len signatories) 1)}}s{{/unless}}, \
for a coalition of {{len coalition.signatories}}.

{{#each signatories}}
{{organization}}
{{signer_name}}, {{signer_title}}

{{/each}}
";

#[test]
fn a_coalition_signature_block_reused_per_signatory_shows_one_signer_and_counts_one() {
    let c = Campaign::example();
    c.write("templates/partials/signatures.hbs", PLAIN_SIGNATURES);
    c.check(&[]).success();
    c.render(&[
        "--format",
        "txt",
        "--variant",
        "each",
        "--variant",
        "coalition",
    ])
    .success();
    let each = c.read("out/each/sos-aiusa.txt");
    assert_eq!(signers_in(&each), ["Amnesty International USA"], "{each}");
    assert!(
        flat(&each).contains("We write as 1 organization, for a coalition of 7."),
        "{each}"
    );
    let coalition = c.read("out/coalition/sos.txt");
    assert_eq!(signers_in(&coalition), SIGNED, "{coalition}");
    assert!(
        flat(&coalition).contains("We write as 7 organizations, for a coalition of 7."),
        "{coalition}"
    );
}

#[test]
fn coalition_signatories_lists_everyone_who_signed_also_in_a_per_signatory_letter() {
    let c = Campaign::example();
    c.append(
        "templates/letter.hbs",
        "Signed with: {{join coalition.signatories \"id\"}}.",
    );
    c.render(&["--format", "txt", "--variant", "each", "--only", "sos/lawg"])
        .success();
    let letter = flat(&c.read("out/each/sos-lawg.txt"));
    assert!(
        letter.contains("Signed with: wola, aiusa, ofdh, dplf, lawg, rfk, and tbhrn."),
        "{letter}"
    );
}

/// Whitespace folded to single spaces: txt wraps at 72 columns.
fn flat(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

// ── coalition.signatories in the coalition test campaign ────────────────────────────────────────────────────────────────────────────────────────

#[test]
fn check_knows_the_columns_of_coalition_signatories() {
    let c = Campaign::coalition();
    c.append(
        "templates/partials/signatures.hbs",
        "{{#each coalition.signatories}}{{organisation}}{{/each}} {{coalition.members}}",
    );
    let run = c.check(&[]);
    let err = run.fails_with(1);
    assert!(
        err.contains("`organisation` is not a column of recipients/organizations.csv"),
        "{run}"
    );
    assert!(err.contains("`coalition.members` does not exist"), "{run}");
    assert!(err.contains("templates/partials/signatures.hbs:"), "{run}");
}

#[test]
fn a_per_signatory_letter_counts_one_signatory_and_the_whole_coalition() {
    let c = Campaign::coalition();
    c.append(
        "templates/partials/signatures.hbs",
        "Count: {{len signatories}} of {{len coalition.signatories}}",
    );
    c.render_txt(&["--variant", "each", "--variant", "coalition"]);
    assert!(c.out("each", "sos-wola.txt").contains("Count: 1 of 6"));
    assert!(c.out("coalition", "sos.txt").contains("Count: 6 of 6"));
}
