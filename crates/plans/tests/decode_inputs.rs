//! Decoding the seed plans as real copies arrive: in every encoding, as saved
//! web pages and as Markdown; and refusing what is not a plan at all.

use std::path::Path;

use edusearch_plans::decode::{decode_document, DecodeError, Decoded, Format};
use encoding_rs::{GB18030, UTF_16BE, UTF_16LE};
use proptest::prelude::*;

const SEEDS: &[&str] = &[
    "000_7df3fdc0b0d15778.txt",
    "001_e4caccb4cccb9945.txt",
    "002_450f203c91f27f3e.txt",
    "003_48301fe1551795f4.txt",
    "004_2a59dc35d15015e3.txt",
];

fn seed(name: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../corpus")
        .join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The lines a reader sees: trimmed, inner whitespace runs as one space, blank
/// lines dropped. Decoding may change nothing else.
fn lines(text: &str) -> Vec<String> {
    text.lines()
        .map(|l| l.split_whitespace().collect::<Vec<_>>().join(" "))
        .filter(|l| !l.is_empty())
        .collect()
}

fn decode(bytes: &[u8], name: &str) -> Decoded {
    decode_document(bytes, Path::new(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn utf16(text: &str, big_endian: bool) -> Vec<u8> {
    let units = text.encode_utf16();
    let mut bytes = if big_endian {
        vec![0xFE, 0xFF]
    } else {
        vec![0xFF, 0xFE]
    };
    for unit in units {
        let pair = if big_endian {
            unit.to_be_bytes()
        } else {
            unit.to_le_bytes()
        };
        bytes.extend_from_slice(&pair);
    }
    bytes
}

fn escape_html(line: &str) -> String {
    line.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('“', "&ldquo;")
        .replace('”', "&rdquo;")
}

/// A government-site page holding the plan, one `<p>` per line, with the
/// chrome such pages have around it.
fn web_page(plan: &str, charset: &str) -> String {
    let body: String = plan
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            format!(
                "      <p style=\"text-indent:2em\">{}</p>\n",
                escape_html(l.trim())
            )
        })
        .collect();
    format!(
        r#"<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN" "http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">
<html xmlns="http://www.w3.org/1999/xhtml">
<head>
  <meta http-equiv="Content-Type" content="text/html; charset={charset}" />
  <title>工作要点_教育局门户网站 TITLE_MARKER</title>
  <link rel="stylesheet" href="/css/main.css" />
  <style type="text/css">
    body {{ font-family: "宋体"; }} .nav a:after {{ content: "STYLE_MARKER"; }}
  </style>
  <script type="text/javascript">
    var _hmt = _hmt || []; document.write("<p>SCRIPT_MARKER</p>");
  </script>
</head>
<body>
  <div class="top"><nav class="nav"><a href="/">首页</a> | <a href="/zwgk/">政务公开</a> NAV_MARKER</nav></div>
  <div class="main">
    <div class="article">
{body}    </div>
    <script>window.print && console.log("SCRIPT_MARKER");</script>
  </div>
  <footer class="foot">主办单位:教育局 版权所有 FOOTER_MARKER<br/>备案号:粤ICP备00000000号</footer>
</body>
</html>
"#
    )
}

#[test]
fn seeds_decode_as_utf8_with_and_without_bom() {
    for name in SEEDS {
        let text = seed(name);
        let plain = decode(text.as_bytes(), name);
        assert_eq!(
            (plain.text.as_str(), plain.encoding, plain.format),
            (text.as_str(), "UTF-8", Format::Text)
        );
        let mut with_bom = b"\xEF\xBB\xBF".to_vec();
        with_bom.extend_from_slice(text.as_bytes());
        assert_eq!(decode(&with_bom, name).text, text, "{name}");
    }
}

#[test]
fn seeds_decode_from_windows_line_endings() {
    for name in SEEDS {
        let text = seed(name);
        let crlf = text.replace('\n', "\r\n");
        assert_eq!(decode(crlf.as_bytes(), name).text, text, "{name}");
    }
}

#[test]
fn seeds_decode_from_gb18030() {
    for name in SEEDS {
        let text = seed(name);
        let (bytes, _, unmappable) = GB18030.encode(&text);
        assert!(!unmappable);
        let d = decode(&bytes, name);
        assert_eq!(
            (d.text.as_str(), d.encoding),
            (text.as_str(), "gb18030"),
            "{name}"
        );
    }
}

#[test]
fn seeds_decode_from_utf16_with_bom() {
    for name in SEEDS {
        let text = seed(name);
        let le = decode(&utf16(&text, false), name);
        assert_eq!(
            (le.text.as_str(), le.encoding),
            (text.as_str(), UTF_16LE.name()),
            "{name}"
        );
        let be = decode(&utf16(&text, true), name);
        assert_eq!(
            (be.text.as_str(), be.encoding),
            (text.as_str(), UTF_16BE.name()),
            "{name}"
        );
    }
}

fn assert_page_text(d: &Decoded, plan: &str, what: &str) {
    assert_eq!(d.format, Format::Html, "{what}");
    assert_eq!(lines(&d.text), lines(plan), "{what}");
    for marker in [
        "TITLE_MARKER",
        "STYLE_MARKER",
        "SCRIPT_MARKER",
        "NAV_MARKER",
        "FOOTER_MARKER",
    ] {
        assert!(
            !d.text.contains(marker),
            "{what}: {marker} left in the text"
        );
    }
}

#[test]
fn seeds_decode_from_utf8_web_pages() {
    for name in SEEDS {
        let plan = seed(name);
        let page = web_page(&plan, "utf-8");
        let d = decode(page.as_bytes(), "page.html");
        assert_eq!(d.encoding, "UTF-8");
        assert_page_text(&d, &plan, name);
        // No extension: recognised by its doctype.
        assert_page_text(&decode(page.as_bytes(), "page"), &plan, name);
    }
}

#[test]
fn seeds_decode_from_gbk_web_pages_by_their_meta_charset() {
    for name in SEEDS {
        let plan = seed(name);
        let bytes = GB18030.encode(&web_page(&plan, "gb2312")).0.into_owned();
        let d = decode(&bytes, "page.htm");
        assert_eq!(d.encoding, "GBK", "{name}");
        assert_page_text(&d, &plan, name);
    }
}

#[test]
fn web_page_lines_are_tidy() {
    let plan = seed("002_450f203c91f27f3e.txt");
    let d = decode(web_page(&plan, "utf-8").as_bytes(), "page.html");
    assert!(
        !d.text.contains("\n\n"),
        "paragraphs are lines, not blank-separated"
    );
    assert!(d.text.lines().all(|l| l == l.trim() && !l.is_empty()));
    assert!(d.text.starts_with("近日,河源市教育局公布2021年工作要点"));
}

/// The plan as a Markdown file: a title, section headings, and a sprinkling
/// of quotes, bullets, emphasis and links, as a converted copy would have.
fn markdown(plan: &str) -> String {
    let section = regex::Regex::new(r"^[一二三四五六七八九十]+、").unwrap();
    let mut md = String::new();
    for (i, line) in plan
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .enumerate()
    {
        let plain = !line.contains(['*', '_', '[', ']', '`', '\\']);
        let marked = match i % 7 {
            _ if i == 0 => format!("# {line}"),
            _ if section.is_match(line) => format!("## {line}"),
            1 => format!("> {line}"),
            2 if plain => format!("**{line}**"),
            3 if plain => format!("[{line}](https://www.example.gov.cn/zwgk/{i}.html)"),
            4 if !line.starts_with(char::is_numeric) => format!("- {line}"),
            _ => line.to_owned(),
        };
        md.push_str(&marked);
        md.push_str("\n\n");
    }
    md
}

#[test]
fn seeds_decode_from_markdown() {
    for name in SEEDS {
        let plan = seed(name);
        let md = markdown(&plan);
        assert!(
            md.contains("\n## ") || md.starts_with("# "),
            "{name}: markup was added"
        );
        let d = decode(md.as_bytes(), "plan.md");
        assert_eq!(d.format, Format::Markdown);
        assert_eq!(lines(&d.text), lines(&plan), "{name}");
    }
}

#[test]
fn markdown_keeps_item_and_section_numbers() {
    let plan = seed("002_450f203c91f27f3e.txt");
    let d = decode(markdown(&plan).as_bytes(), "plan.markdown");
    assert!(d
        .text
        .lines()
        .any(|l| l.starts_with("9. 健全教育系统安全防控体系")));
    assert!(d.text.lines().any(|l| l.starts_with("一、")));
}

// ---------------------------------------------------------------------------
// Bad input

fn error(bytes: &[u8], name: &str) -> DecodeError {
    match decode_document(bytes, Path::new(name)) {
        Ok(d) => panic!(
            "{name} decoded: {:?}",
            d.text.chars().take(80).collect::<String>()
        ),
        Err(e) => e,
    }
}

#[test]
fn an_empty_file_is_empty() {
    assert_eq!(error(b"", "plan.txt"), DecodeError::Empty);
    assert_eq!(error(b"", "plan.html"), DecodeError::Empty);
}

#[test]
fn a_pdf_is_binary() {
    let pdf = b"%PDF-1.7\n%\xE2\xE3\xCF\xD3\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n";
    assert_eq!(
        error(pdf, "plan.txt"),
        DecodeError::Binary { what: "PDF".into() }
    );
    assert_eq!(
        error(pdf, "plan.txt").to_string(),
        "looks like a binary file (PDF)"
    );
}

#[test]
fn a_zip_or_docx_is_binary() {
    let mut docx = b"PK\x03\x04\x14\x00\x06\x00\x08\x00\x00\x00!\x00".to_vec();
    docx.extend_from_slice(b"[Content_Types].xml");
    assert!(
        matches!(error(&docx, "plan.txt"), DecodeError::Binary { what } if what.contains("DOCX"))
    );
}

#[test]
fn random_binary_with_nuls_is_binary() {
    // A fixed pseudo-random sequence (xorshift), so the test is repeatable.
    let mut x: u32 = 0x9E37_79B9;
    let bytes: Vec<u8> = (0..4096)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            x.to_le_bytes()[0]
        })
        .collect();
    assert!(bytes.contains(&0));
    assert!(matches!(
        error(&bytes, "plan.txt"),
        DecodeError::Binary { .. }
    ));
    assert!(matches!(error(&bytes, "data"), DecodeError::Binary { .. }));
}

#[test]
fn utf16_without_a_bom_is_binary() {
    let bytes: Vec<u8> = "2021年工作要点"
        .encode_utf16()
        .flat_map(u16::to_le_bytes)
        .collect();
    assert!(matches!(
        error(&bytes, "plan.txt"),
        DecodeError::Binary { .. }
    ));
}

#[test]
fn bytes_that_are_no_encoding_are_undecodable() {
    // 0x80 and 0xFF start no character in UTF-8 or GB18030.
    let bytes = b"\x80\xFF\x80abc\xFF\xFF def\x80\x80\xFF ghi\xFF".repeat(20);
    let e = error(&bytes, "plan.txt");
    assert!(matches!(e, DecodeError::Undecodable { .. }), "{e:?}");
    assert!(
        e.to_string()
            .starts_with("not valid UTF-8, UTF-16 or GB18030 text"),
        "{e}"
    );
}

#[test]
fn a_page_of_only_scripts_has_no_text() {
    let page = r#"<!DOCTYPE html><html><head><title>河源市教育局</title>
        <script src="/js/jquery.js"></script></head>
        <body><script>location.href = "/zwgk/index.html";</script>
        <noscript><p>请启用 JavaScript</p></noscript><style>p { color: red }</style></body></html>"#;
    assert_eq!(error(page.as_bytes(), "page.html"), DecodeError::NoText);
    assert_eq!(error(page.as_bytes(), "page"), DecodeError::NoText);
    assert_eq!(
        error(page.as_bytes(), "page.html").to_string(),
        "no text after removing markup and whitespace"
    );
}

#[test]
fn whitespace_and_markup_only_have_no_text() {
    assert_eq!(error(b"\r\n \t\r\n", "plan.txt"), DecodeError::NoText);
    assert_eq!(
        error("\u{feff}\n".as_bytes(), "plan.txt"),
        DecodeError::NoText
    );
    assert_eq!(error(b"# \n\n---\n> ", "plan.md"), DecodeError::NoText);
}

#[test]
fn a_truncated_gbk_copy_still_decodes() {
    // A copy cut off in the middle of its last character.
    let plan = seed("004_2a59dc35d15015e3.txt");
    let (bytes, _, _) = GB18030.encode(&plan);
    let mut cut = bytes.into_owned();
    cut.push(GB18030.encode("中").0[0]);
    let d = decode(&cut, "plan.txt");
    assert_eq!(d.encoding, "gb18030");
    assert_eq!(d.text, format!("{plan}\u{FFFD}"));
}

// ---------------------------------------------------------------------------
// Properties

const NAMES: &[&str] = &[
    "plan.txt",
    "plan.md",
    "plan.html",
    "plan.htm",
    "plan",
    "plan.pdf",
    "PLAN.MD",
];

proptest! {
    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..2048),
                                   name in proptest::sample::select(NAMES)) {
        if let Ok(d) = decode_document(&bytes, Path::new(name)) {
            prop_assert!(!d.text.trim().is_empty());
            prop_assert!(!d.text.contains('\r'));
        }
    }

    #[test]
    fn markup_like_text_never_panics(text in r#"([<>/!&#;*_\[\]()`~|\\ \n-]|<[a-z]{1,6}>|</[a-z]{1,6}>|[a-z]{1,3}|双减)*"#,
                                     name in proptest::sample::select(NAMES)) {
        let _ = decode_document(text.as_bytes(), Path::new(name));
    }

    #[test]
    fn text_files_round_trip(text in r"(\PC|\n|\r|\t)*") {
        let expected = text.replace("\r\n", "\n").replace('\r', "\n");
        match decode_document(text.as_bytes(), Path::new("plan.txt")) {
            Ok(d) => {
                prop_assert_eq!(d.text, expected);
                prop_assert_eq!(d.format, Format::Text);
            }
            Err(e) => {
                prop_assert!(text.trim().is_empty(), "{:?} failed: {}", text, e);
                prop_assert!(matches!(e, DecodeError::Empty | DecodeError::NoText));
            }
        }
    }

    #[test]
    fn text_files_round_trip_through_gb18030_and_utf16(text in r"([\p{Han}]{2}[\p{P}a-z0-9 \n]?){8,80}") {
        // Eight or more Chinese characters: a shorter GBK text can be valid
        // UTF-8 by chance (the classic 联通 case) and is then read as UTF-8.
        let expected = text.clone();
        let (gb, _, _) = GB18030.encode(&text);
        prop_assert_eq!(decode(&gb, "plan.txt").text, expected.clone());
        prop_assert_eq!(decode(&utf16(&text, true), "plan.txt").text, expected);
    }
}
