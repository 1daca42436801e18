//! A handlebars path (`@root.tables.issues`, `../name`, `this.[a b]`, `s.organization`), split the way handlebars
//! resolves it. handlebars keeps its own segments behind a private grammar type, so the raw text is split here by the
//! same rules (`path_inline` in handlebars' grammar).

/// Where a path starts, and the names after that.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PathRef {
    /// `@root.…`: the letter's whole context.
    pub root: bool,
    /// How many `../` lead up from the current scope.
    pub up: usize,
    /// `@index`, `@key`, `@first`…: a block's own values, never data of the campaign.
    pub local: bool,
    /// The names after the start: `tables.[issues]` → `["tables", "issues"]`. Empty for `this`, `.` or `@root`.
    pub segs: Vec<String>,
}

impl PathRef {
    pub fn parse(raw: &str) -> PathRef {
        let mut rest = raw.trim();
        let mut p = PathRef {
            root: false,
            up: 0,
            local: false,
            segs: Vec::new(),
        };
        for current in ["this.", "this/", "./"] {
            if let Some(r) = rest.strip_prefix(current) {
                rest = r;
                break;
            }
        }
        if let Some(r) = rest.strip_prefix("@root") {
            if r.is_empty() || r.starts_with(['.', '/']) {
                p.root = true;
                rest = r.strip_prefix(['.', '/']).unwrap_or(r);
            }
        }
        if !p.root {
            if let Some(r) = rest.strip_prefix('@') {
                p.local = true;
                rest = r;
            }
        }
        while let Some(r) = rest.strip_prefix("..") {
            if !(r.is_empty() || r.starts_with(['.', '/'])) {
                break;
            }
            p.up += 1;
            rest = r.strip_prefix(['.', '/']).unwrap_or(r);
        }
        p.segs = segments(rest);
        // `this` alone, or `this` as a segment, is the current value (handlebars drops it too).
        p.segs.retain(|s| s != "this");
        p
    }

    /// The first name, if any.
    pub fn head(&self) -> Option<&str> {
        self.segs.first().map(String::as_str)
    }
}

/// `a.b/[c d].e` → `a`, `b`, `c d`, `e`.
fn segments(mut rest: &str) -> Vec<String> {
    let mut out = Vec::new();
    while !rest.is_empty() {
        if let Some(r) = rest.strip_prefix('[') {
            let end = r.find(']').unwrap_or(r.len());
            out.push(r[..end].to_string());
            rest = r.get(end + 1..).unwrap_or("");
        } else {
            let end = rest.find(['.', '/']).unwrap_or(rest.len());
            if end > 0 {
                out.push(rest[..end].to_string());
            }
            rest = &rest[end..];
        }
        rest = rest.strip_prefix(['.', '/']).unwrap_or(rest);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn segs(raw: &str) -> Vec<String> {
        PathRef::parse(raw).segs
    }

    #[test]
    fn roots_ups_locals_and_keys() {
        let p = PathRef::parse("@root.tables.[issues]");
        assert!(p.root);
        assert_eq!(p.segs, ["tables", "issues"]);
        let p = PathRef::parse("../../name");
        assert_eq!((p.up, p.segs.clone()), (2, vec!["name".to_string()]));
        assert!(PathRef::parse("@index").local);
        assert!(PathRef::parse("@root").root && PathRef::parse("@root").segs.is_empty());
        assert_eq!(segs("this.[a b].c"), ["a b", "c"]);
        assert_eq!(segs("tables/issues"), ["tables", "issues"]);
        assert!(segs("this").is_empty());
        assert_eq!(segs("./x"), ["x"]);
    }
}
