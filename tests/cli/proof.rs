//! Issue 5: `proof` — the self-contained page a coalition reviews before approving: per variant its recipients,
//! signatories (added/removed since approval marked), language, embargo and first letter (README, "What sign-off
//! covers").

use crate::coalition::*;
use crate::signoff_kit::*;

#[test]
fn proof_has_a_section_per_variant() {
    let c = Campaign::coalition();
    let doc = proof(&c, &[]);
    let ids: Vec<String> = doc
        .select(&sel("section.variant"))
        .filter_map(|s| s.value().attr("id").map(str::to_string))
        .collect();
    assert_eq!(
        ids,
        [
            "variant-coalition",
            "variant-us",
            "variant-es",
            "variant-each",
            "variant-public"
        ]
    );
}

#[test]
fn proof_lists_each_variants_recipients() {
    let c = Campaign::coalition();
    let doc = proof(&c, &[]);
    let coalition = texts(&doc, "section#variant-coalition ul.recipients li");
    assert_eq!(coalition.len(), 5, "{coalition:?}");
    assert!(
        coalition
            .iter()
            .any(|li| li.contains("sos") && li.contains("Pompeo")),
        "{coalition:?}"
    );
    let es = texts(&doc, "section#variant-es ul.recipients li");
    assert_eq!(es.len(), 2, "{es:?}");
    assert!(
        es[0].contains("amlo") && es[0].contains("López Obrador"),
        "{es:?}"
    );
    assert!(es[1].contains("micher"), "{es:?}");
    let public = texts(&doc, "section#variant-public ul.recipients li");
    assert_eq!(public.len(), 1, "{public:?}");
    assert!(public[0].contains("public copy"), "{public:?}");
}

#[test]
fn proof_lists_each_variants_signatories_in_order() {
    let c = Campaign::coalition();
    let doc = proof(&c, &[]);
    let coalition = texts(&doc, "section#variant-coalition ol.signatories li");
    assert_eq!(coalition, SIGNED_IN_ORDER);
    let us = texts(&doc, "section#variant-us ol.signatories li");
    assert_eq!(us.len(), 5, "{us:?}");
    assert!(!us.iter().any(|s| s == NON_US_SIGNED), "{us:?}");
}

#[test]
fn proof_marks_signatories_added_since_approval() {
    let c = Campaign::coalition();
    c.ok(&["approve"]);
    late_sign_on(&c);
    let doc = proof(&c, &[]);
    let added = texts(&doc, "section#variant-coalition ol.signatories li.added");
    assert_eq!(added.len(), 1, "{added:?}");
    assert!(added[0].contains(LATE_ORG), "{added:?}");
    assert!(added[0].contains("added since approval"), "{added:?}");
    let all = texts(&doc, "section#variant-coalition ol.signatories li");
    assert_eq!(all.len(), 7, "{all:?}");
}

#[test]
fn proof_shows_language_and_embargo() {
    let c = Campaign::coalition();
    let doc = proof(&c, &[]);
    assert_eq!(texts(&doc, "section#variant-es dd.lang"), ["es"]);
    assert_eq!(texts(&doc, "section#variant-coalition dd.lang"), ["en"]);
    assert_eq!(
        texts(&doc, "section#variant-us dd.embargo"),
        ["2018-07-11T09:00:00-04:00"]
    );
    assert_eq!(
        texts(&doc, "section#variant-coalition dd.embargo"),
        ["none"]
    );
}

#[test]
fn proof_shows_the_letter_for_the_first_recipient() {
    let c = Campaign::coalition();
    c.ok(&["approve"]);
    set_approval_dates(&c, OLD_DATE);
    let doc = proof(&c, &[]);
    let coalition = texts(&doc, "section#variant-coalition .letter").join("\n");
    assert!(coalition.contains("Dear Secretary Pompeo"), "{coalition}");
    assert!(coalition.contains("July 11, 2018"), "{coalition}");
    assert!(coalition.contains(IMPUNITY_OLD), "{coalition}");
    // The translation beside its source.
    let es: Vec<String> = doc
        .select(&sel("section#variant-es .letter"))
        .map(text_of)
        .collect();
    assert_eq!(es.len(), 2, "the Spanish letter and its source: {es:?}");
    assert!(
        es[0].contains("Estimado Señor Presidente electo"),
        "{}",
        es[0]
    );
    assert!(es[0].contains("11 de julio de 2018"), "{}", es[0]);
    assert!(es[1].contains("Dear Secretary Pompeo"), "{}", es[1]);
}

#[test]
fn proof_is_self_contained() {
    let c = Campaign::coalition();
    c.ok(&["approve"]);
    let doc = proof(&c, &[]);
    for e in doc.select(&sel("link, script, img, iframe, source, object, embed")) {
        for attr in ["src", "href", "data"] {
            if let Some(v) = e.value().attr(attr) {
                let v = v.trim().to_ascii_lowercase();
                assert!(
                    !v.starts_with("http") && !v.starts_with("//"),
                    "<{} {attr}={v}> loads from the network",
                    e.value().name()
                );
            }
        }
    }
    let raw = c.read("out/proof.html");
    assert!(!raw.contains("@import"), "no imported stylesheet");
    assert!(!raw.contains("url(http"), "no remote CSS asset");
}

#[test]
fn proof_of_one_variant_has_only_that_variant() {
    let c = Campaign::coalition();
    let doc = proof(&c, &["--variant", "us"]);
    assert_eq!(texts(&doc, "section.variant h2"), ["us"]);
}

/// `--out` names the page's file; a folder (or a device) there is refused and left as it is, never renamed over.
#[test]
fn proof_out_that_is_not_a_file_is_refused_and_left_alone() {
    let c = Campaign::coalition();
    std::fs::create_dir_all(c.file("review")).unwrap();
    std::fs::write(c.file("review/keep.txt"), "mine").unwrap();
    let run = c.run(&["proof", "--out", "review"]);
    assert!(run.fails_with(2).contains("not a file"), "{run}");
    assert_eq!(c.read("review/keep.txt"), "mine");
    c.run(&["proof", "--out", "review/proof.html"]).success();
    assert!(c.read("review/proof.html").contains("variant-coalition"));
}
