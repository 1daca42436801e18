//! How deeply a template nests, measured on its text before handlebars parses it.
//!
//! handlebars' parser (pest) and its renderer recurse once per nested block, so 3,000 nested `{{#if}}` overflow the
//! stack and kill the process. This scan is iterative and cheap: it refuses a template nested deeper than
//! [`MAX_DEPTH`] with the place where the limit is crossed, and only then may handlebars see the text. Nesting through
//! partials is measured on the parsed templates ([`crate::plan::reads`]), against the same limit.

use crate::diag::{line_col, Problem};

/// The deepest nesting a letter may have: blocks (`{{#if}}`, `{{#each}}`, `{{else if}}`…), partials included within
/// each other, and parentheses or brackets within one tag. Real letters stay under 10.
pub const MAX_DEPTH: usize = 64;

/// Refuses a template whose blocks, `else if` chains or subexpressions nest deeper than [`MAX_DEPTH`]. `file` and
/// `line_offset` (lines before `source` in its file) place the problem.
pub fn check(source: &str, file: &str, line_offset: usize) -> Result<(), Problem> {
    scan(source)
        .map(|_| ())
        .map_err(|at| too_deep(source, file, line_offset, at))
}

/// Where the innermost block still open at the end of the text starts (`{{#if x}}` without its `{{/if}}`): what
/// handlebars' "expected …" at the end of the file means.
pub fn unclosed(source: &str) -> Option<usize> {
    let open = scan(source).ok()?;
    open.mismatch.or_else(|| open.at_end.last().copied())
}

/// What the scan leaves open.
struct Open {
    /// Where each block still open at the end of the text starts.
    at_end: Vec<usize>,
    /// The first block closed by another block's closing tag (`{{#if}}` … `{{/each}}`): the one never closed.
    mismatch: Option<usize>,
}

/// A block's name after its sigil: `if` in `{{#if x}}` and `{{/if}}`, `layout` in `{{#> layout}}`.
fn block_name(bytes: &[u8], from: usize) -> &[u8] {
    let mut j = from;
    while j < bytes.len() && (bytes[j].is_ascii_whitespace() || matches!(bytes[j], b'>' | b'*')) {
        j += 1;
    }
    let start = j;
    while j < bytes.len()
        && !(bytes[j].is_ascii_whitespace() || matches!(bytes[j], b'}' | b'~' | b'('))
    {
        j += 1;
    }
    &bytes[start..j]
}

/// The blocks open at the end of the text, or where the text nests too deep.
fn scan(source: &str) -> Result<Open, usize> {
    let bytes = source.as_bytes();
    // Per open block, how many levels it holds: 1, plus one per `{{else if …}}` (handlebars nests each in the last),
    // and where it opens.
    let mut blocks: Vec<usize> = Vec::new();
    let mut opened: Vec<(usize, &[u8])> = Vec::new();
    let mut mismatch = None;
    let mut depth = 0;
    let mut i = 0;
    while i < bytes.len() {
        let rest = &bytes[i..];
        if rest.starts_with(b"\\{{") {
            i += 3;
            continue;
        }
        if !rest.starts_with(b"{{") {
            i += 1;
            continue;
        }
        if rest.starts_with(b"{{!--") {
            i = find(bytes, i + 5, b"--}}").map_or(bytes.len(), |e| e + 4);
            continue;
        }
        if rest.starts_with(b"{{!") {
            i = find(bytes, i + 3, b"}}").map_or(bytes.len(), |e| e + 2);
            continue;
        }
        if rest.starts_with(b"{{{{") {
            // A raw block: its text is not parsed, but the block is one level.
            if depth + 1 > MAX_DEPTH {
                return Err(i);
            }
            let open_end = find(bytes, i + 4, b"}}}}").map_or(bytes.len(), |e| e + 4);
            let is_end = bytes.get(i + 4) == Some(&b'/');
            i = if is_end {
                open_end
            } else {
                find(bytes, open_end, b"{{{{/").map_or(bytes.len(), |e| e)
            };
            continue;
        }
        let (kind, body) = tag_kind(bytes, i + 2);
        match kind {
            Kind::Open => {
                blocks.push(1);
                opened.push((i, block_name(bytes, body)));
                depth += 1;
            }
            Kind::Chain => {
                if let Some(top) = blocks.last_mut() {
                    *top += 1;
                    depth += 1;
                }
            }
            Kind::Close => {
                depth -= blocks.pop().unwrap_or(0);
                if let Some((at, name)) = opened.pop() {
                    if name != block_name(bytes, body) {
                        mismatch.get_or_insert(at);
                    }
                }
            }
            Kind::Other => {}
        }
        if depth > MAX_DEPTH {
            return Err(i);
        }
        let (end, inner) = tag_end(bytes, body);
        if inner > MAX_DEPTH {
            return Err(i);
        }
        i = end;
    }
    Ok(Open {
        at_end: opened.into_iter().map(|(at, _)| at).collect(),
        mismatch,
    })
}

enum Kind {
    Open,
    /// `{{else if …}}` / `{{^ if …}}`: one more level inside the open block.
    Chain,
    Close,
    Other,
}

/// What the tag starting after `{{` at `start` is, and where its expression starts.
fn tag_kind(bytes: &[u8], start: usize) -> (Kind, usize) {
    let mut j = start;
    // `{{{x}}}`, `{{~#if}}`, `{{ #if}}`: handlebars' grammar allows a tilde and whitespace before the sigil.
    while j < bytes.len()
        && (bytes[j] == b'{' || bytes[j] == b'~' || bytes[j].is_ascii_whitespace())
    {
        j += 1;
    }
    match bytes.get(j) {
        Some(b'#') => (Kind::Open, j + 1),
        Some(b'/') => (Kind::Close, j + 1),
        Some(b'^') => (chain_or_not(bytes, j + 1), j + 1),
        _ if bytes[j..].starts_with(b"else")
            && !bytes
                .get(j + 4)
                .is_some_and(|b| b.is_ascii_alphanumeric() || b"-_$:".contains(b)) =>
        {
            (chain_or_not(bytes, j + 4), j + 4)
        }
        _ => (Kind::Other, j),
    }
}

/// `{{else}}` alone is no level; `{{else if x}}` is one.
fn chain_or_not(bytes: &[u8], mut j: usize) -> Kind {
    while j < bytes.len() && (bytes[j].is_ascii_whitespace() || bytes[j] == b'~') {
        j += 1;
    }
    if bytes[j..].starts_with(b"}}") || j >= bytes.len() {
        Kind::Other
    } else {
        Kind::Chain
    }
}

/// The index after the tag's closing `}}`, and the deepest nesting of `(`, `[` and `{` inside it (string literals
/// skipped). A tag that never closes ends the scan: handlebars reports it.
fn tag_end(bytes: &[u8], mut j: usize) -> (usize, usize) {
    let mut open = 0usize;
    let mut deepest = 0;
    while j < bytes.len() {
        match bytes[j] {
            q @ (b'"' | b'\'') => {
                j += 1;
                while j < bytes.len() && bytes[j] != q {
                    j += if bytes[j] == b'\\' { 2 } else { 1 };
                }
            }
            b'(' | b'[' | b'{' => {
                open += 1;
                deepest = deepest.max(open);
            }
            b')' | b']' => open = open.saturating_sub(1),
            b'}' if open > 0 => open -= 1,
            b'}' if bytes.get(j + 1) == Some(&b'}') => {
                let mut end = j + 2;
                // A triple-stash closes with a third brace.
                while bytes.get(end) == Some(&b'}') {
                    end += 1;
                }
                return (end, deepest);
            }
            _ => {}
        }
        j += 1;
    }
    (bytes.len(), deepest)
}

fn find(bytes: &[u8], from: usize, needle: &[u8]) -> Option<usize> {
    bytes
        .get(from..)?
        .windows(needle.len())
        .position(|w| w == needle)
        .map(|p| from + p)
}

fn too_deep(source: &str, file: &str, line_offset: usize, at: usize) -> Problem {
    let (line, col) = line_col(source, at);
    Problem::error(format!(
        "the template nests more than {MAX_DEPTH} levels deep here (blocks, `else if` chains or parentheses)"
    ))
    .in_file(file)
    .at(line + line_offset, Some(col))
    .help(format!(
        "lettermerge allows {MAX_DEPTH} levels of {{{{#if}}}}, {{{{#each}}}}, {{{{#with}}}} and partials within partials; \
         flatten the template, e.g. with {{{{#if (and a b)}}}}"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn nested(n: usize) -> String {
        "{{#if a}}".repeat(n) + "x" + &"{{/if}}".repeat(n)
    }

    #[test]
    fn the_limit_is_allowed_and_one_more_is_refused_at_its_place() {
        assert!(check(&nested(MAX_DEPTH), "t.hbs", 0).is_ok());
        let p = check(&format!("a\nb\n{}", nested(MAX_DEPTH + 1)), "t.hbs", 5).unwrap_err();
        assert_eq!(p.line, Some(8));
        assert_eq!(p.column, Some(1 + 9 * MAX_DEPTH));
    }

    #[test]
    fn thousands_of_levels_are_refused_without_recursion() {
        assert!(check(&nested(100_000), "t.hbs", 0).is_err());
        let parens = format!("{{{{x {}y{}}}}}", "(a ".repeat(5000), ")".repeat(5000));
        assert!(check(&parens, "t.hbs", 0).is_err());
        let chain = format!("{{{{#if a}}}}{}{{{{/if}}}}", "{{else if b}}".repeat(5000));
        assert!(check(&chain, "t.hbs", 0).is_err());
    }

    #[test]
    fn siblings_comments_escapes_and_strings_do_not_count() {
        let siblings = "{{#if a}}x{{/if}}".repeat(1000);
        assert!(check(&siblings, "t.hbs", 0).is_ok());
        let hidden = format!(
            "{{{{!-- {} --}}}}\\{{{{#if}}}}{{{{x \"((((\"}}}}",
            nested(100)
        );
        assert!(check(&hidden, "t.hbs", 0).is_ok());
        let elses = format!("{{{{#if a}}}}{}{{{{/if}}}}", "{{else}}".repeat(100));
        assert!(check(&elses, "t.hbs", 0).is_ok());
    }

    #[test]
    fn the_innermost_block_left_open_is_found() {
        let t = "{{#if a}}x{{/if}}\n{{#each rows}}\n{{#if b}}y{{/if}}\nz\n";
        assert_eq!(unclosed(t), t.find("{{#each"));
        assert_eq!(unclosed("{{#if a}}x{{/if}}"), None);
        assert_eq!(unclosed("{{!-- {{#if a}} --}}x"), None);
        // An `{{#if}}` never closed inside an `{{#each}}`: the each's closing tag closes the if, and the if is named.
        let t = "{{#each rows}}\n{{#if a}}{{#if b}}x{{/if}}\n{{/each}}\n";
        assert_eq!(unclosed(t), t.find("{{#if a}}"));
        assert_eq!(unclosed("{{#> layout}}x{{/layout}}"), None);
        assert_eq!(unclosed("{{~#if a~}}x{{~/if~}}"), None);
    }

    #[test]
    fn whitespace_and_tildes_before_the_sigil_still_open_a_block() {
        let sneaky = "{{~ #if a}}".repeat(MAX_DEPTH + 1);
        assert!(check(&sneaky, "t.hbs", 0).is_err());
    }
}
