//! What a rendered letter prints, read as a person reads it: the lines the address linter (`address.rs`) checks —
//! "The Honorable" beside another title, an office word the addressees do not hold — without the Markdown escapes.

use std::collections::BTreeSet;

use crate::render::address::{self, honorific_lang, Chamber, HonorificLang, Person};

/// Markdown's backslash escapes removed, so the text reads as printed.
pub(super) fn unescape(markdown: &str) -> String {
    let mut out = String::with_capacity(markdown.len());
    let mut chars = markdown.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\\' && chars.peek().is_some_and(|n| n.is_ascii_punctuation()) {
            continue;
        }
        out.push(c);
    }
    out
}

/// The lines (as `str::lines` gives them) that hold "honorable" in any case, in order, each once. Found without
/// lowercasing (no other character lowercases to these ASCII letters, so this misses nothing) and without walking
/// every line: `check` reads every letter, and most lines of a letter have no "honorable".
pub(super) fn honorable_lines(text: &str) -> impl Iterator<Item = &str> {
    let b = text.as_bytes();
    let mut done = 0;
    memchr::memchr2_iter(b'h', b'H', b).filter_map(move |i| {
        let found = i >= done
            && b.get(i..i + 9)
                .is_some_and(|w| w.eq_ignore_ascii_case(b"honorable"));
        if !found {
            return None;
        }
        let start = memchr::memrchr(b'\n', &b[..i]).map_or(0, |p| p + 1);
        let end = memchr::memchr(b'\n', &b[i..]).map_or(b.len(), |p| i + p);
        done = end + 1;
        let line = &text[start..end];
        Some(line.strip_suffix('\r').unwrap_or(line))
    })
}

pub(super) fn is_greeting(line: &str) -> bool {
    ["Dear ", "Estimad", "Distinguid"]
        .iter()
        .any(|g| line.starts_with(g))
}

/// "The Honorable Dr. Raul Ruiz": the title after "The Honorable" (or Spanish "Honorable"), if any.
pub(super) fn honorable_with_title(line: &str) -> Option<String> {
    let lower = line.to_lowercase();
    let at = lower.find("honorable ")?;
    let after = line[at + "honorable ".len()..].split_whitespace().next()?;
    let combined = match honorific_lang(after) {
        HonorificLang::English | HonorificLang::Both | HonorificLang::Honorable => true,
        HonorificLang::Spanish => true,
        HonorificLang::Other => matches!(
            after.trim_end_matches('.'),
            "Senator"
                | "Sen"
                | "Rep"
                | "Representative"
                | "Judge"
                | "Governor"
                | "Gov"
                | "Ambassador"
                | "Secretary"
        ),
    };
    combined.then(|| after.to_owned())
}

/// The office words a letter to these people may use: their offices', their chambers', and those of the forms the
/// table gives them.
pub(super) fn allowed_words(people: &[Person], forms: &[&str]) -> BTreeSet<String> {
    let mut allowed = BTreeSet::new();
    for p in people {
        if let Some(v) = address::view(p) {
            allowed.extend(address::office_words(v.id));
            let chamber_words: &[&str] = match v.chamber {
                Some(Chamber::Senate) => &[
                    "senator",
                    "senators",
                    "senador",
                    "senadora",
                    "senadores",
                    "senadoras",
                ],
                Some(Chamber::House) => &[
                    "representative",
                    "representatives",
                    "representante",
                    "representantes",
                    "congressman",
                    "congresswoman",
                    "congresista",
                    "member of congress",
                ],
                None => &[],
            };
            allowed.extend(chamber_words.iter().map(|w| (*w).to_owned()));
        }
    }
    for form in forms {
        for w in form.split_whitespace() {
            allowed.insert(w.to_lowercase());
        }
    }
    allowed
}

/// The first office word in `text` that belongs to none of the allowed offices, with a description of its office.
pub(super) fn foreign_office_word(
    text: &str,
    allowed: &BTreeSet<String>,
) -> Option<(String, String)> {
    let lower = format!(
        " {} ",
        text.to_lowercase().replace([',', ':', '.', ';'], " ")
    );
    // Every office word the text holds, found in one pass, then looked at in the list's order.
    static FINDER: std::sync::OnceLock<aho_corasick::AhoCorasick> = std::sync::OnceLock::new();
    let words = address::all_office_words();
    let finder = FINDER.get_or_init(|| {
        aho_corasick::AhoCorasick::new(words.iter().map(|(w, _)| w))
            .expect("the office words make an automaton")
    });
    let mut held: Vec<usize> = finder
        .find_overlapping_iter(&lower)
        .map(|m| m.pattern().as_usize())
        .collect();
    held.sort_unstable();
    held.dedup();
    for (word, id) in held.into_iter().map(|i| &words[i]) {
        if allowed.contains(word) || word.split(' ').all(|w| allowed.contains(w)) {
            continue;
        }
        if lower.contains(&format!(" {word} ")) {
            return Some((word.clone(), format!("the word of `{id}`")));
        }
    }
    None
}

pub(super) fn describe(people: &[Person]) -> String {
    let parts: Vec<String> = people
        .iter()
        .map(|p| {
            format!(
                "{} {} (title `{}`)",
                p.first_name.trim(),
                p.last_name.trim(),
                p.title.trim()
            )
        })
        .collect();
    parts.join(" and ")
}

#[cfg(test)]
mod tests {
    use super::honorable_lines;

    /// The lines `str::lines` gives that hold "honorable" in any case: what the linter read before it searched.
    fn by_line(text: &str) -> Vec<&str> {
        text.lines()
            .filter(|l| l.to_ascii_lowercase().contains("honorable"))
            .collect()
    }

    #[test]
    fn honorable_lines_are_the_lines_that_hold_it_each_once() {
        let texts = [
            "",
            "honorable",
            "The Honorable Marco Rubio\nUnited States Senate\n\nDear Senator Rubio:\n",
            "The Honorable Dr. Raul Ruiz\r\nHouse\r\nTHE HONORABLE x honorable y\r\n",
            "line\nHonorable\nhonorabl\nhonorableHONORABLE\n\nHONORABLE",
            "h\nH\nhh honorable\n",
            "ends with honorab",
            "Señora Honorable Secretaría\nÁ honorable é\n",
        ];
        for text in texts {
            assert_eq!(
                honorable_lines(text).collect::<Vec<_>>(),
                by_line(text),
                "{text:?}"
            );
        }
    }
}
