//! No value from a table can add markup to a letter: emphasis, links, HTML, headings, lists or code print literally
//! in every format (README, "Templates"). Only `{{{x}}}`, the triple-stash, inserts a trusted value raw.

use crate::harness::{interop_tool, Campaign};

const MANIFEST: &str = "[vars]\nlang = \"en\"\n";

const TEMPLATE: &str = "---
from: 'Coalition <coalition@example.org>'
to: '{{mailbox name email}}'
subject: 'Letter on {{topic}}'
---
Dear {{name}},

Markup: {{markup}}

Also: {{under}} and {{code}} and {{backslash}} and {{entity}}

{{heading}}

{{item}}

Sincerely,
The coalition
";

const HEADER: &str = "id,name,email,topic,markup,under,code,backslash,entity,heading,item";
const ROW: &str = "ana,Ana Pérez,ana@example.org,Rule of law & *impunity*,<b>x</b> *y* [z](u) # h,_a_,`c`,\\,&amp;,# Heading,- item";

fn campaign() -> Campaign {
    Campaign::small(MANIFEST, TEMPLATE, HEADER, &[ROW])
}

/// What lies between `<main …>` and `</main>`: the letter, without the page's style sheet.
fn main_of(page: &str) -> &str {
    let start = page
        .find("<main")
        .unwrap_or_else(|| panic!("no <main> in:\n{page}"));
    let end = page.rfind("</main>").expect("</main>");
    &page[start..end]
}

/// Asserts an HTML rendering of the letter shows every value as text, with no element a value could have made.
fn assert_html_is_literal(html: &str, what: &str) {
    assert!(
        html.contains("&lt;b&gt;x&lt;/b&gt;"),
        "{what}: <b> not escaped:\n{html}"
    );
    assert!(
        html.contains("*y* [z](u) # h"),
        "{what}: markup characters lost:\n{html}"
    );
    for literal in ["_a_", "`c`", "&amp;amp;", "# Heading", "- item"] {
        assert!(
            html.contains(literal),
            "{what}: `{literal}` not literal:\n{html}"
        );
    }
    for element in [
        "<b>", "<a ", "<a>", "<em>", "<strong>", "<code>", "<h1", "<h2", "<ul>", "<li>",
    ] {
        assert!(
            !html.contains(element),
            "{what}: a value made {element}:\n{html}"
        );
    }
}

#[test]
fn txt_shows_markup_in_values_literally() {
    let c = campaign();
    c.render(&["--format", "txt"]).success();
    let txt = c.read("out/default/ana.txt");
    let lines: Vec<&str> = txt.lines().map(str::trim_end).collect();
    assert!(lines.contains(&"Markup: <b>x</b> *y* [z](u) # h"), "{txt}");
    assert!(
        lines.contains(&"Also: _a_ and `c` and \\ and &amp;"),
        "{txt}"
    );
    assert!(lines.contains(&"# Heading"), "{txt}");
    assert!(lines.contains(&"- item"), "{txt}");
    assert!(
        !txt.contains("\\*") && !txt.contains("\\<"),
        "escapes leaked into the text:\n{txt}"
    );
}

#[test]
fn html_escapes_markup_in_values() {
    let c = campaign();
    c.render(&["--format", "html"]).success();
    let page = c.read("out/default/ana.html");
    assert_html_is_literal(main_of(&page), "html");
}

#[test]
fn html_title_is_the_subject_escaped_once() {
    let c = campaign();
    c.render(&["--format", "html"]).success();
    let page = c.read("out/default/ana.html");
    assert!(
        page.contains("<title>Letter on Rule of law &amp; *impunity*</title>"),
        "{page}"
    );
}

#[test]
fn md_read_by_a_commonmark_parser_keeps_values_literal() {
    let c = campaign();
    c.render(&["--format", "md"]).success();
    let md = c.read("out/default/ana.md");
    let body = md
        .splitn(3, "---\n")
        .nth(2)
        .unwrap_or_else(|| panic!("no metadata block in:\n{md}"));
    let mut html = String::new();
    pulldown_cmark::html::push_html(&mut html, pulldown_cmark::Parser::new(body));
    assert_html_is_literal(&html, "md via pulldown-cmark");
}

#[test]
fn md_converted_by_pandoc_keeps_values_literal() {
    if !interop_tool("pandoc") {
        return;
    }
    let c = campaign();
    c.render(&["--format", "md"]).success();
    let html = crate::harness::tool_stdout(
        std::process::Command::new("pandoc")
            .args(["-f", "markdown", "-t", "html"])
            .arg(c.path().join("out/default/ana.md")),
    );
    assert_html_is_literal(&html, "md via pandoc");
}

#[test]
fn eml_parts_show_markup_in_values_literally() {
    use mail_parser::MessageParser;
    let c = campaign();
    c.render(&["--format", "eml"]).success();
    let bytes = c.read_bytes("out/default/ana.eml");
    let msg = MessageParser::default().parse(&bytes).expect("a message");
    let text = msg.body_text(0).expect("a text/plain part");
    assert!(text.contains("Markup: <b>x</b> *y* [z](u) # h"), "{text}");
    assert!(text.contains("_a_ and `c` and \\ and &amp;"), "{text}");
    let html = msg.body_html(0).expect("a text/html part");
    assert_html_is_literal(main_of(&html), "eml html part");
}

#[test]
fn front_matter_values_are_not_escaped_for_markdown() {
    use mail_parser::MessageParser;
    let c = campaign();
    c.render(&["--format", "eml"]).success();
    let bytes = c.read_bytes("out/default/ana.eml");
    let msg = MessageParser::default().parse(&bytes).expect("a message");
    assert_eq!(msg.subject(), Some("Letter on Rule of law & *impunity*"));
}

#[test]
fn a_value_with_a_line_break_keeps_it_without_starting_a_paragraph_or_code_block() {
    let c = Campaign::small(
        MANIFEST,
        "Address:\n{{address}}\nEnd\n",
        "id,address",
        &["a,\"2201 C Street NW\n        Washington, DC 20520\n\n\n* not a list\""],
    );
    c.render(&["--format", "txt,html"]).success();
    let txt = c.read("out/default/a.txt");
    let lines: Vec<&str> = txt.lines().collect();
    let at = lines
        .iter()
        .position(|l| *l == "2201 C Street NW")
        .unwrap_or_else(|| panic!("{txt}"));
    assert_eq!(lines[at + 1], "Washington, DC 20520", "{txt}");
    assert!(txt.contains("* not a list"), "{txt}");
    let html = c.read("out/default/a.html");
    assert!(!html.contains("<pre>") && !html.contains("<li>"), "{html}");
    assert!(html.contains("2201 C Street NW<br />"), "{html}");
}

#[test]
fn a_triple_stash_value_is_trusted_and_not_escaped() {
    let c = Campaign::small(
        MANIFEST,
        "Escaped: {{snippet}}\n\nTrusted: {{{snippet}}}\n",
        "id,snippet",
        &["t,**bold** and [a link](https://example.org)"],
    );
    c.render(&["--format", "txt,html"]).success();
    let html = c.read("out/default/t.html");
    let body = main_of(&html);
    assert!(
        body.contains("Escaped: **bold** and [a link](https://example.org)"),
        "{body}"
    );
    assert!(
        body.contains(
            "Trusted: <strong>bold</strong> and <a href=\"https://example.org\">a link</a>"
        ),
        "{body}"
    );
    let txt = c.read("out/default/t.txt");
    assert!(
        txt.contains("Escaped: **bold** and [a link](https://example.org)"),
        "{txt}"
    );
    assert!(
        txt.contains("Trusted: bold and a link (https://example.org)"),
        "{txt}"
    );
}

#[test]
fn helper_output_is_escaped_too() {
    let c = Campaign::small(
        MANIFEST,
        "{{upper name}} / {{default nickname name}}\n",
        "id,name,nickname",
        &["h,*emph* <i>x</i>,"],
    );
    c.render(&["--format", "html"]).success();
    let body = c.read("out/default/h.html");
    let body = main_of(&body);
    assert!(body.contains("*EMPH* &lt;I&gt;X&lt;/I&gt;"), "{body}");
    assert!(!body.contains("<em>") && !body.contains("<i>"), "{body}");
}

// ── Context-dependent escapes: a mark is escaped only where Markdown would read it ──────────────────────────────

const CASES_TEMPLATE: &str = "---
subject: 'Cases'
---
{{year}}

{{dash}}

{{snake}}

{{stars}}
";

fn cases() -> Campaign {
    Campaign::small(
        MANIFEST,
        CASES_TEMPLATE,
        "id,year,dash,snake,stars",
        &["c,1999. A year,- dash at start,a_b_c,x*y*z"],
    )
}

const CASES: [&str; 4] = ["1999. A year", "- dash at start", "a_b_c", "x*y*z"];

#[test]
fn a_number_a_dash_and_underscores_or_stars_at_the_start_of_a_line_print_literally_in_txt_and_html()
{
    let c = cases();
    c.render(&["--format", "txt,html"]).success();
    let txt = c.read("out/default/c.txt");
    let lines: Vec<&str> = txt.lines().filter(|l| !l.is_empty()).collect();
    assert_eq!(lines, CASES, "{txt}");
    let html = c.read("out/default/c.html");
    let body = main_of(&html);
    for case in CASES {
        assert!(body.contains(&format!("<p>{case}</p>")), "{case}:\n{body}");
    }
    for element in ["<ol", "<ul", "<li", "<em", "<strong"] {
        assert!(!body.contains(element), "a value made {element}:\n{body}");
    }
}

#[test]
fn the_md_file_escapes_only_the_marks_markdown_would_read() {
    let c = cases();
    c.render(&["--format", "md"]).success();
    let md = c.read("out/default/c.md");
    let body: Vec<&str> = md
        .splitn(3, "---\n")
        .nth(2)
        .expect("a body after the metadata")
        .lines()
        .filter(|l| !l.is_empty())
        .collect();
    assert_eq!(
        body,
        [r"1999\. A year", r"\- dash at start", "a_b_c", r"x\*y\*z"],
        "{md}"
    );
    for (reader, html) in [
        ("pulldown-cmark", {
            let mut html = String::new();
            pulldown_cmark::html::push_html(&mut html, pulldown_cmark::Parser::new(&md));
            html
        }),
        ("pandoc", pandoc_html(&c, "out/default/c.md")),
    ] {
        for case in CASES {
            assert!(
                html.contains(&format!("<p>{case}</p>")),
                "{reader}: {case}:\n{html}"
            );
        }
        for element in ["<ol", "<ul", "<em"] {
            assert!(!html.contains(element), "{reader} made {element}:\n{html}");
        }
    }
}

/// pandoc's HTML for a file of the campaign, or the input of the other reader when pandoc is missing (the caller's
/// assertions then check that reader twice).
fn pandoc_html(c: &Campaign, rel: &str) -> String {
    if !interop_tool("pandoc") {
        let mut html = String::new();
        let md = c.read(rel);
        pulldown_cmark::html::push_html(&mut html, pulldown_cmark::Parser::new(&md));
        return html;
    }
    crate::harness::tool_stdout(
        std::process::Command::new("pandoc")
            .args(["-f", "markdown", "-t", "html"])
            .arg(c.file(rel)),
    )
}

/// Values that each are, unescaped, a construct of pandoc's Markdown or of CommonMark.
const HAND_PICKED: &[&str] = &[
    "Term\n: definition",
    "Term\n~ definition",
    "::: columns\nx\n:::",
    "Title {.class #id}",
    "[span]{.class}",
    "(@) example",
    "#. item",
    "iv. item",
    "IV. item",
    "a) item",
    "(b) item",
    "A.  two spaces",
    "| line | block |",
    "^[inline note]",
    "H~2~O and x^2^",
    "@wola and [@wola]",
    "\\begin{center}x\\end{center}",
    "<!-- comment -->",
    "---\ntitle: x\n---",
    "- - -",
    "+---+---+\n| a | b |\n+---+---+",
    "----- -----\nab    cd\n----- -----",
    "$x$ and $$y$$",
    "&copy; &amp; &#169;",
    "`code`{=html}",
    "Issue ##",
    "Title\n=====",
    "<https://example.org> and <a@b.example>",
    "![image](x.png)",
    "[^1]\n[^1]: a note",
    "* * *",
    "1999. A year",
];

/// A fixed generator of awkward values: characters and words Markdown or pandoc could read as syntax.
fn generated_values(n: usize) -> Vec<String> {
    const TOKENS: &[&str] = &[
        "a",
        "b",
        "i",
        "v",
        "X",
        "1",
        "9",
        " ",
        " ",
        "\t",
        "\n",
        "_",
        "*",
        "-",
        "+",
        ".",
        ")",
        "(",
        "#",
        ">",
        "=",
        ":",
        "|",
        "`",
        "~",
        "^",
        "$",
        "&",
        ";",
        "@",
        "[",
        "]",
        "<",
        "/",
        "{",
        "}",
        "!",
        "\\",
        "'",
        "%",
        "ñ",
        "amp",
        "#169",
        "copy",
        "1999",
        "iv",
        "http://x.example",
        "div",
        "e.g.",
        "--",
        "...",
        "@wola",
        "$5",
    ];
    let mut seed: u64 = 0x2f74_fef1_187c_c3c8;
    let mut next = |n: usize| {
        seed = seed
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (seed >> 33) as usize % n
    };
    (0..n)
        .map(|_| {
            let len = 1 + next(10);
            (0..len).map(|_| TOKENS[next(TOKENS.len())]).collect()
        })
        .collect()
}

/// How pandoc shows a value: lines without outer blanks, runs of blanks as one space.
fn as_pandoc_shows(value: &str) -> String {
    value
        .trim()
        .lines()
        .map(|l| l.split_whitespace().collect::<Vec<_>>().join(" "))
        .collect::<Vec<_>>()
        .join("\n")
}

/// The text of a paragraph in pandoc's JSON AST, or the first element that is not text.
fn pandoc_inline_text(inlines: &[serde_json::Value]) -> Result<String, String> {
    let mut text = String::new();
    for i in inlines {
        match i["t"].as_str() {
            Some("Str") => text.push_str(i["c"].as_str().unwrap_or_default()),
            Some("Space" | "SoftBreak") => text.push(' '),
            Some("LineBreak") => text.push('\n'),
            _ => return Err(i.to_string()),
        }
    }
    Ok(text)
}

#[test]
fn pandoc_reads_hundreds_of_generated_values_as_plain_text() {
    if !interop_tool("pandoc") {
        return;
    }
    let values: Vec<String> = HAND_PICKED
        .iter()
        .map(|v| v.to_string())
        .chain(generated_values(600))
        .filter(|v| !v.trim().is_empty())
        .collect();
    // `v` as written; `h` on one line, for the end of a heading.
    let one_line = |v: &str| as_pandoc_shows(v).replace('\n', " ");
    let mut csv = String::from("id,v,h\n");
    for (i, v) in values.iter().enumerate() {
        let quoted = |s: &str| format!("\"{}\"", s.replace('"', "\"\""));
        csv.push_str(&format!("v{i},{},{}\n", quoted(v), quoted(&one_line(v))));
    }
    let c = Campaign::small(
        "[tables]\nvals = \"recipients/vals.csv\"\n",
        "---\nsubject: 'Generated'\n---\n{{#each tables.vals}}\n{{v}}\n\nDear {{v}}\n\n# On {{h}}\n\n{{/each}}\n",
        "id",
        &["g"],
    );
    c.write("recipients/vals.csv", csv);
    c.render(&["--format", "md"]).success();
    // Smart punctuation is typography, not markup: off, so that the text compares exactly.
    let json = crate::harness::tool_stdout(
        std::process::Command::new("pandoc")
            .args(["-f", "markdown-smart", "-t", "json"])
            .arg(c.file("out/default/g.md")),
    );
    let ast: serde_json::Value = serde_json::from_str(&json).expect("pandoc's JSON");
    let blocks = ast["blocks"].as_array().expect("blocks");
    let want: Vec<(&str, String)> = values
        .iter()
        .flat_map(|v| {
            let shown = as_pandoc_shows(v);
            [
                ("Para", shown.clone()),
                ("Para", format!("Dear {shown}")),
                ("Header", format!("On {}", one_line(v))),
            ]
        })
        .collect();
    assert_eq!(
        blocks.len(),
        want.len(),
        "two paragraphs and a heading per value"
    );
    for (block, (kind, want)) in blocks.iter().zip(&want) {
        assert_eq!(block["t"], *kind, "{want:?} became {block}");
        let inlines = match *kind {
            // [level, [id, classes, attributes], inlines]: a value adds no class or attribute.
            "Header" => {
                assert_eq!(
                    block["c"][1][1],
                    serde_json::json!([]),
                    "{want:?} became {block}"
                );
                assert_eq!(
                    block["c"][1][2],
                    serde_json::json!([]),
                    "{want:?} became {block}"
                );
                &block["c"][2]
            }
            _ => &block["c"],
        };
        match pandoc_inline_text(inlines.as_array().expect("inlines")) {
            Ok(text) => assert_eq!(&text, want, "{block}"),
            Err(e) => panic!("{want:?} made {e}"),
        }
    }
}

#[test]
fn pandoc_shows_the_md_metadata_literally_too() {
    if !interop_tool("pandoc") {
        return;
    }
    let c = campaign();
    c.render(&["--format", "md"]).success();
    let html = crate::harness::tool_stdout(
        std::process::Command::new("pandoc")
            .args(["-f", "markdown", "-t", "html", "-s"])
            .arg(c.file("out/default/ana.md")),
    );
    assert!(
        html.contains("<title>Letter on Rule of law &amp; *impunity*</title>"),
        "{html}"
    );
    let header = &html[html.find("<header").expect("a title block")..];
    let header = &header[..header.find("</header>").expect("its end")];
    assert!(!header.contains("<em>"), "{header}");
    assert!(header.contains("*impunity*"), "{header}");
}
