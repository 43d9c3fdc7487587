//! Turning a file's bytes into text: detecting the encoding (UTF-8, UTF-16 or
//! GB18030/GBK, or an HTML page's declared charset), refusing binary files, and
//! stripping HTML and Markdown markup down to lines of text.
//!
//! Real copies of plans arrive in GBK, with a BOM, as saved web pages, half
//! broken, empty or as PDFs renamed `.txt`; each of those either decodes or
//! fails with a [`DecodeError`] that says why in words a user understands.

use std::path::Path;
use std::sync::LazyLock;

use encoding_rs::{DecoderResult, Encoding, GB18030, UTF_8};
use regex::Regex;
use scraper::{Html, Node};

/// How a document is marked up.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Format {
    /// Plain text: only line endings are normalised.
    Text,
    /// Markdown: heading, emphasis, link, list and quote markers are removed.
    Markdown,
    /// HTML: the text of the page body, one block element per line.
    Html,
}

impl Format {
    /// The format a file's extension names (`.txt`, `.md`, `.markdown`,
    /// `.html`, `.htm`, case-insensitive), or `None` for any other extension.
    ///
    /// ```
    /// use edusearch_plans::decode::Format;
    /// use std::path::Path;
    /// assert_eq!(Format::from_extension(Path::new("plan.HTM")), Some(Format::Html));
    /// assert_eq!(Format::from_extension(Path::new("plan.md")), Some(Format::Markdown));
    /// assert_eq!(Format::from_extension(Path::new("plan")), None);
    /// ```
    pub fn from_extension(path: &Path) -> Option<Format> {
        let ext = path.extension()?.to_str()?.to_ascii_lowercase();
        match ext.as_str() {
            "txt" | "text" => Some(Format::Text),
            "md" | "markdown" => Some(Format::Markdown),
            "html" | "htm" | "xhtml" | "shtml" => Some(Format::Html),
            _ => None,
        }
    }
}

/// A decoded document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decoded {
    /// The text, with `\n` line endings and markup removed.
    pub text: String,
    /// The encoding the bytes were read as (`"UTF-8"`, `"UTF-16LE"`,
    /// `"UTF-16BE"`, `"gb18030"`, or an HTML page's declared charset such as `"GBK"`).
    pub encoding: &'static str,
    /// The markup the text was read as.
    pub format: Format,
}

/// Why a file could not be turned into text.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DecodeError {
    /// The file has no bytes at all.
    #[error("file is empty")]
    Empty,
    /// The file is not text: a PDF, an Office document, an image, or bytes
    /// no text file contains.
    #[error("looks like a binary file ({what})")]
    Binary {
        /// What it looks like, e.g. `"PDF"`.
        what: String,
    },
    /// The bytes are not text in any encoding tried.
    #[error("not valid UTF-8, UTF-16 or GB18030 text ({detail})")]
    Undecodable {
        /// How badly each encoding failed.
        detail: String,
    },
    /// Decoding worked but nothing but whitespace (and markup) was left.
    #[error("no text after removing markup and whitespace")]
    NoText,
}

/// Decode a document's bytes into text. `path` is used only for its extension,
/// which decides the format; without a known one an HTML page is recognised
/// by its start (`<!DOCTYPE html`, `<html`) and anything else is plain text.
///
/// ```
/// use edusearch_plans::decode::{decode_document, DecodeError, Format};
/// use std::path::Path;
///
/// let gbk = encoding_rs::GB18030.encode("河源市教育局2021年工作要点\r\n").0;
/// let doc = decode_document(&gbk, Path::new("plan.txt")).unwrap();
/// assert_eq!((doc.text.as_str(), doc.encoding), ("河源市教育局2021年工作要点\n", "gb18030"));
///
/// let page = "<!DOCTYPE html><title>门户网站</title><p>一、总体要求</p><p>1.加强党建</p>";
/// let doc = decode_document(page.as_bytes(), Path::new("page")).unwrap();
/// assert_eq!((doc.text.as_str(), doc.format), ("一、总体要求\n1.加强党建", Format::Html));
///
/// let err = decode_document(b"%PDF-1.7\n", Path::new("plan.txt")).unwrap_err();
/// assert_eq!(err.to_string(), "looks like a binary file (PDF)");
/// ```
pub fn decode_document(bytes: &[u8], path: &Path) -> Result<Decoded, DecodeError> {
    if bytes.is_empty() {
        return Err(DecodeError::Empty);
    }
    if let Some(what) = binary_kind(bytes) {
        return Err(DecodeError::Binary {
            what: what.to_owned(),
        });
    }
    let by_extension = Format::from_extension(path);
    let may_be_html = by_extension.map_or_else(|| looks_like_html(bytes), |f| f == Format::Html);
    let (raw, encoding) = decode_bytes(bytes, may_be_html)?;
    let raw = normalise_line_endings(&raw);
    let format = by_extension.unwrap_or_else(|| {
        if looks_like_html(raw.as_bytes()) {
            Format::Html
        } else {
            Format::Text
        }
    });
    let text = match format {
        Format::Text => raw,
        Format::Markdown => markdown_to_text(&raw),
        // Entities such as &#13; can bring carriage returns back.
        Format::Html => normalise_line_endings(&html_to_text(&raw)),
    };
    if text.trim().is_empty() {
        return Err(DecodeError::NoText);
    }
    Ok(Decoded {
        text,
        encoding,
        format,
    })
}

// ---------------------------------------------------------------------------
// Binary files

/// How much of the start of a file the binary checks look at.
const SNIFF_LEN: usize = 8192;

/// Magic numbers of the binary files most often mistaken for plans.
const MAGIC: &[(&[u8], &str)] = &[
    (b"%PDF", "PDF"),
    (b"PK\x03\x04", "ZIP archive or Office document such as DOCX"),
    (
        b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1",
        "old Office document such as DOC",
    ),
    (b"{\\rtf", "RTF document"),
    (b"\x89PNG\r\n\x1A\n", "PNG image"),
    (b"\xFF\xD8\xFF", "JPEG image"),
    (b"GIF87a", "GIF image"),
    (b"GIF89a", "GIF image"),
    (b"\x1F\x8B", "gzip archive"),
    (b"Rar!\x1A\x07", "RAR archive"),
    (b"7z\xBC\xAF\x27\x1C", "7-Zip archive"),
];

/// What a binary file looks like, or `None` if it may be text.
fn binary_kind(bytes: &[u8]) -> Option<&'static str> {
    if let Some(&(_, what)) = MAGIC.iter().find(|(magic, _)| bytes.starts_with(magic)) {
        return Some(what);
    }
    // UTF-16 is full of NULs; without a BOM we cannot tell it from binary.
    if Encoding::for_bom(bytes).is_some() {
        return None;
    }
    let head = &bytes[..bytes.len().min(SNIFF_LEN)];
    if head.contains(&0) {
        return Some("contains NUL bytes");
    }
    // Text has tabs, line breaks and the odd form feed; little else below 0x20.
    let controls = head
        .iter()
        .filter(|&&b| matches!(b, 0x01..=0x08 | 0x0E..=0x1A | 0x1C..=0x1F | 0x7F))
        .count();
    (controls * 20 > head.len()).then_some("control characters")
}

// ---------------------------------------------------------------------------
// Encodings

/// Malformed sequences tolerated per character of decoded text: a file broken
/// in a place or two is still worth reading, a file in the wrong encoding is not.
const CHARS_PER_TOLERATED_ERROR: usize = 500;

fn tolerable(errors: usize, text: &str) -> bool {
    errors <= (text.chars().count() / CHARS_PER_TOLERATED_ERROR).max(1)
}

/// Decode with the first encoding that fits: a BOM; strict UTF-8; an HTML
/// page's declared charset; UTF-8 with a few broken sequences; GB18030.
fn decode_bytes(bytes: &[u8], may_be_html: bool) -> Result<(String, &'static str), DecodeError> {
    if let Some((encoding, bom_len)) = Encoding::for_bom(bytes) {
        let (text, errors) = decode_counting(encoding, &bytes[bom_len..]);
        if !tolerable(errors, &text) {
            let detail = format!(
                "{errors} malformed sequences after a {} BOM",
                encoding.name()
            );
            return Err(DecodeError::Undecodable { detail });
        }
        return Ok((text, encoding.name()));
    }
    // GBK text with more than a few Chinese characters is practically never
    // valid UTF-8 by accident (and pure ASCII reads the same in both), so valid
    // UTF-8 wins even over a page's declared charset, which is often stale.
    if let Ok(text) = std::str::from_utf8(bytes) {
        return Ok((text.to_owned(), UTF_8.name()));
    }
    if may_be_html {
        // A declared UTF-8 is not trusted here: these bytes are not valid UTF-8.
        if let Some(declared) = declared_charset(bytes).filter(|&e| e != UTF_8) {
            let (text, errors) = decode_counting(declared, bytes);
            if tolerable(errors, &text) {
                return Ok((text, declared.name()));
            }
        }
    }
    let (text, utf8_errors) = decode_counting(UTF_8, bytes);
    // GBK text is mostly malformed as UTF-8; require real UTF-8 characters
    // before blaming a few bad sequences on damage.
    let non_ascii = text
        .chars()
        .filter(|&c| !c.is_ascii() && c != '\u{FFFD}')
        .count();
    if tolerable(utf8_errors, &text) && non_ascii >= 10 * utf8_errors {
        return Ok((text, UTF_8.name()));
    }
    let (text, gb_errors) = decode_counting(GB18030, bytes);
    if tolerable(gb_errors, &text) {
        return Ok((text, GB18030.name()));
    }
    let detail = format!(
        "{utf8_errors} malformed sequences as UTF-8, {gb_errors} as GB18030, in {} bytes",
        bytes.len()
    );
    Err(DecodeError::Undecodable { detail })
}

/// Decode without BOM handling, replacing each malformed sequence with U+FFFD
/// and counting them (a U+FFFD already in the text is not counted).
fn decode_counting(encoding: &'static Encoding, bytes: &[u8]) -> (String, usize) {
    let mut decoder = encoding.new_decoder_without_bom_handling();
    let room = |decoder: &encoding_rs::Decoder, len: usize| {
        decoder
            .max_utf8_buffer_length_without_replacement(len)
            .unwrap_or(len)
            .max(16)
    };
    let mut text = String::with_capacity(room(&decoder, bytes.len()));
    let mut rest = bytes;
    let mut errors = 0;
    loop {
        let (result, read) = decoder.decode_to_string_without_replacement(rest, &mut text, true);
        rest = &rest[read..];
        match result {
            DecoderResult::InputEmpty => return (text, errors),
            DecoderResult::Malformed(..) => {
                errors += 1;
                text.push('\u{FFFD}');
            }
            DecoderResult::OutputFull => text.reserve(room(&decoder, rest.len())),
        }
    }
}

/// The charset an HTML page declares in a `<meta charset>` or
/// `<meta http-equiv="Content-Type" content="…; charset=…">` near its start.
/// UTF-16 declarations are ignored, as browsers do: bytes that reach this
/// point have no BOM and cannot be UTF-16.
fn declared_charset(bytes: &[u8]) -> Option<&'static Encoding> {
    static META: LazyLock<regex::bytes::Regex> = LazyLock::new(|| {
        regex::bytes::Regex::new(r#"(?i-u)<meta\b[^>]*?charset\s*=\s*["']?\s*([a-z0-9_:.\-]+)"#)
            .expect("valid regex")
    });
    let head = &bytes[..bytes.len().min(SNIFF_LEN)];
    let label = META.captures(head)?.get(1)?.as_bytes();
    let encoding = Encoding::for_label(label)?;
    let ascii_compatible = encoding.is_ascii_compatible() && encoding.output_encoding() == encoding;
    ascii_compatible.then_some(encoding)
}

/// `true` if the text starts like an HTML page (after whitespace and a BOM).
fn looks_like_html(bytes: &[u8]) -> bool {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let start = bytes
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .unwrap_or(bytes.len());
    let head = &bytes[start..bytes.len().min(start + 64)];
    let starts = |prefix: &[u8]| {
        head.len() >= prefix.len() && head[..prefix.len()].eq_ignore_ascii_case(prefix)
    };
    starts(b"<!doctype html") || starts(b"<html")
}

fn normalise_line_endings(text: &str) -> String {
    if text.contains('\r') {
        text.replace("\r\n", "\n").replace('\r', "\n")
    } else {
        text.to_owned()
    }
}

// ---------------------------------------------------------------------------
// HTML

/// Elements whose content is never part of the document's text: code, the
/// head (a page title is the site's, not the plan's), navigation and widgets.
const HIDDEN: &[&str] = &[
    "head", "title", "script", "style", "noscript", "template", "nav", "iframe", "object", "embed",
    "svg", "canvas", "button", "select", "input",
];

/// Elements that start a new line.
#[rustfmt::skip]
const BLOCKS: &[&str] = &[
    "address", "article", "aside", "blockquote", "body", "caption", "center", "dd", "details",
    "dialog", "div", "dl", "dt", "fieldset", "figcaption", "figure", "footer", "form", "h1", "h2",
    "h3", "h4", "h5", "h6", "header", "hgroup", "hr", "html", "legend", "li", "main", "ol", "p",
    "pre", "section", "summary", "table", "tbody", "tfoot", "thead", "tr", "ul",
];

/// Text of an HTML page's body: one line per block element or `<br>`, runs of
/// blank lines collapsed, entities decoded, hidden elements dropped.
fn html_to_text(html: &str) -> String {
    let document = Html::parse_document(html);
    let root = document.tree.root();
    let mut text = HtmlText::default();
    // Walked without recursion: a page may nest elements thousands deep.
    let mut node = root;
    'walk: loop {
        if text.open(node.value(), node.ancestors().map(|a| a.value())) {
            if let Some(child) = node.first_child() {
                node = child;
                continue;
            }
        }
        loop {
            text.close(node.value());
            if node.id() == root.id() {
                break 'walk;
            }
            if let Some(sibling) = node.next_sibling() {
                node = sibling;
                break;
            }
            match node.parent() {
                Some(parent) => node = parent,
                None => break 'walk,
            }
        }
    }
    tidy_lines(text.out.lines().map(|l| collapse_spaces(l.trim())))
}

/// The text being collected from an HTML tree.
#[derive(Default)]
struct HtmlText {
    out: String,
    /// Depth inside `<pre>`, where line breaks in the source are kept.
    pre: usize,
}

impl HtmlText {
    /// Enter a node; `false` if its content is to be skipped.
    fn open<'a>(&mut self, node: &Node, mut ancestors: impl Iterator<Item = &'a Node>) -> bool {
        match node {
            Node::Text(t) => {
                self.push_text(t);
                true
            }
            Node::Element(e) => {
                let name = e.name();
                if is_hidden(name, || {
                    ancestors.any(|a| is_element(a, &["article", "main"]))
                }) {
                    return false;
                }
                match name {
                    "br" => self.push_break(),
                    "pre" => self.pre += 1,
                    _ => {}
                }
                if BLOCKS.contains(&name) {
                    self.end_line();
                }
                true
            }
            _ => true,
        }
    }

    /// Leave a node (also called for nodes whose content was skipped).
    fn close(&mut self, node: &Node) {
        let Node::Element(e) = node else { return };
        let name = e.name();
        if name == "pre" {
            self.pre = self.pre.saturating_sub(1);
        }
        if BLOCKS.contains(&name) {
            self.end_line();
        } else if matches!(name, "td" | "th") {
            self.out.push(' ');
        }
    }

    /// Append a text node: outside `<pre>`, whitespace runs become one space,
    /// or nothing where a source line break falls between two Chinese
    /// characters (a browser would otherwise show a stray space).
    fn push_text(&mut self, text: &str) {
        if self.pre > 0 {
            self.out.push_str(text);
            return;
        }
        let mut prev: Option<char> = self.out.chars().next_back();
        let mut chars = text.chars().peekable();
        while let Some(c) = chars.next() {
            if !is_html_space(c) {
                self.out.push(c);
                prev = Some(c);
                continue;
            }
            let mut line_break = c == '\n';
            while let Some(&n) = chars.peek().filter(|&&n| is_html_space(n)) {
                line_break |= n == '\n';
                chars.next();
            }
            let between_cjk =
                prev.is_some_and(is_wide) && chars.peek().is_some_and(|&n| is_wide(n));
            if !(line_break && between_cjk) {
                self.out.push(' ');
                prev = Some(' ');
            }
        }
    }

    /// End the current line unless it is already ended.
    fn end_line(&mut self) {
        self.trim_trailing_spaces();
        if !self.out.is_empty() && !self.out.ends_with('\n') {
            self.out.push('\n');
        }
    }

    /// A `<br>`: always a line break, so `<br><br>` leaves a blank line.
    fn push_break(&mut self) {
        self.trim_trailing_spaces();
        self.out.push('\n');
    }

    fn trim_trailing_spaces(&mut self) {
        let kept = self.out.trim_end_matches(' ').len();
        self.out.truncate(kept);
    }
}

/// Hidden elements, and page footers and sidebars outside the main content
/// (`in_content` is asked only for those).
fn is_hidden(name: &str, in_content: impl FnOnce() -> bool) -> bool {
    HIDDEN.contains(&name) || (matches!(name, "footer" | "aside") && !in_content())
}

fn is_element(node: &Node, names: &[&str]) -> bool {
    matches!(node, Node::Element(e) if names.contains(&e.name()))
}

/// Whitespace as HTML collapses it, plus the no-break space pages indent with.
fn is_html_space(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\n' | '\r' | '\x0C' | '\u{A0}')
}

/// Chinese (and other East Asian wide) characters and their punctuation.
fn is_wide(c: char) -> bool {
    matches!(c, '\u{2E80}'..='\u{9FFF}' | '\u{F900}'..='\u{FAFF}' | '\u{FE30}'..='\u{FE4F}'
        | '\u{FF00}'..='\u{FFEF}' | '\u{20000}'..='\u{3FFFF}')
}

fn collapse_spaces(line: &str) -> String {
    let mut out = String::with_capacity(line.len());
    for c in line.chars() {
        if !(c == ' ' && out.ends_with(' ')) {
            out.push(c);
        }
    }
    out
}

/// Join lines, trimming their ends, keeping at most one blank line in a row
/// and none at the start or end.
fn tidy_lines(lines: impl IntoIterator<Item = String>) -> String {
    let mut out = String::new();
    let mut blank_pending = false;
    for line in lines {
        let line = line.trim_end();
        if line.is_empty() {
            blank_pending = !out.is_empty();
            continue;
        }
        if !out.is_empty() {
            out.push_str(if blank_pending { "\n\n" } else { "\n" });
        }
        out.push_str(line);
        blank_pending = false;
    }
    out
}

// ---------------------------------------------------------------------------
// Markdown

/// Text of a Markdown document: block markers (headings, quotes, bullets,
/// rules, table pipes, code fences) and inline markup (emphasis, links, code
/// spans, escapes) removed. Numbered lines (`13.`, `一、`) are left as they are:
/// their numbers are the items' numbers.
fn markdown_to_text(markdown: &str) -> String {
    let mut lines = Vec::new();
    let mut in_fence = false;
    for line in markdown.lines() {
        let trimmed = line.trim();
        if trimmed.starts_with("```") || trimmed.starts_with("~~~") {
            in_fence = !in_fence;
            continue;
        }
        if in_fence {
            lines.push(line.to_owned());
        } else if is_rule(trimmed) {
            lines.push(String::new());
        } else {
            lines.push(strip_inline(&strip_block(trimmed)));
        }
    }
    tidy_lines(lines)
}

/// Thematic breaks, setext underlines and table separator rows.
fn is_rule(line: &str) -> bool {
    let marks = line
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect::<String>();
    let table_separator = marks.starts_with('|')
        && marks.contains('-')
        && marks.chars().all(|c| matches!(c, '|' | '-' | ':'));
    let rule = marks.len() >= 3
        && ['-', '=', '*', '_']
            .iter()
            .any(|&m| marks.chars().all(|c| c == m));
    table_separator || rule
}

/// Remove a line's quote markers, heading hashes, bullet and table pipes.
fn strip_block(line: &str) -> String {
    let mut line = line;
    while let Some(rest) = line.strip_prefix('>') {
        line = rest.trim_start();
    }
    let hashes = line.len() - line.trim_start_matches('#').len();
    if (1..=6).contains(&hashes) {
        let rest = &line[hashes..];
        if rest.is_empty() || rest.starts_with([' ', '\t']) {
            line = strip_closing_hashes(rest.trim());
        }
    }
    for bullet in ["- ", "* ", "+ "] {
        if let Some(rest) = line.strip_prefix(bullet) {
            line = rest.trim_start();
            break;
        }
    }
    if line.starts_with('|') && line.ends_with('|') && line.len() > 1 {
        let cells: Vec<&str> = line[1..line.len() - 1].split('|').map(str::trim).collect();
        return cells.join(" ");
    }
    line.to_owned()
}

/// `标题 ##` → `标题`: a closing run of #s is heading syntax too, but only
/// after a space (`C#` keeps its hash).
fn strip_closing_hashes(heading: &str) -> &str {
    let unclosed = heading.trim_end_matches('#');
    if unclosed.is_empty() || unclosed.ends_with([' ', '\t']) {
        unclosed.trim_end()
    } else {
        heading
    }
}

/// Characters Markdown lets a backslash escape.
const ESCAPABLE: &str = "\\`*_{}[]()#+-.!<>~|";

/// First of the private-use characters escaped characters are parked in, so
/// that no later rule mistakes `\*` for emphasis.
const PARKED: u32 = 0xF0000;

fn strip_inline(line: &str) -> String {
    static RULES: LazyLock<Vec<(Regex, &'static str)>> = LazyLock::new(|| {
        [
            (r"!\[([^\]]*)\]\([^)]*\)", "$1"),            // image → alt text
            (r"\[([^\]]+)\]\([^)]*\)", "$1"),             // [text](url)
            (r"\[([^\]]+)\]\[[^\]]*\]", "$1"),            // [text][ref]
            (r"<((?:https?|ftp|mailto):[^>\s]+)>", "$1"), // <https://…>
            (r"`+([^`]+?)`+", "$1"),                      // `code`
            (r"\*\*([^*\s](?:[^*]*[^*\s])?)\*\*", "$1"),  // **strong**
            (r"\*([^*\s](?:[^*]*[^*\s])?)\*", "$1"),      // *emphasis*
            (r"~~([^~\s](?:[^~]*[^~\s])?)~~", "$1"),      // ~~strike~~
            // _ and __ only at word edges, as in CommonMark (snake_case stays).
            (
                r"(^|[^\p{L}\p{N}_])__([^_\s](?:[^_]*[^_\s])?)__($|[^\p{L}\p{N}_])",
                "${1}${2}${3}",
            ),
            (
                r"(^|[^\p{L}\p{N}_])_([^_\s](?:[^_]*[^_\s])?)_($|[^\p{L}\p{N}_])",
                "${1}${2}${3}",
            ),
        ]
        .into_iter()
        .map(|(re, to)| (Regex::new(re).expect("valid regex"), to))
        .collect()
    });
    let mut text = park_escapes(line);
    for (re, to) in RULES.iter() {
        if re.is_match(&text) {
            text = re.replace_all(&text, *to).into_owned();
        }
    }
    unpark_escapes(&text)
}

fn park_escapes(line: &str) -> String {
    let mut out = String::with_capacity(line.len());
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        let parked = (c == '\\')
            .then(|| chars.peek().and_then(|&n| ESCAPABLE.find(n)))
            .flatten()
            .and_then(|i| char::from_u32(PARKED + i as u32));
        match parked {
            Some(p) => {
                out.push(p);
                chars.next();
            }
            None => out.push(c),
        }
    }
    out
}

fn unpark_escapes(text: &str) -> String {
    text.chars()
        .map(|c| {
            let i = (c as u32).wrapping_sub(PARKED) as usize;
            ESCAPABLE.as_bytes().get(i).map_or(c, |&b| char::from(b))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    //! The markup and encoding rules one at a time; whole documents built from
    //! the seed corpus are tested in `tests/decode_inputs.rs`.

    use super::*;

    fn decode(bytes: &[u8], name: &str) -> Result<Decoded, DecodeError> {
        decode_document(bytes, Path::new(name))
    }

    fn text(bytes: &[u8], name: &str) -> String {
        decode(bytes, name)
            .map(|d| d.text)
            .unwrap_or_else(|e| panic!("{name}: {e}"))
    }

    #[test]
    fn format_from_extension_ignores_case() {
        let f = |name: &str| Format::from_extension(Path::new(name));
        assert_eq!(f("a.TXT"), Some(Format::Text));
        assert_eq!(f("a.Markdown"), Some(Format::Markdown));
        assert_eq!(f("dir.html/a.Htm"), Some(Format::Html));
        assert_eq!(f("a.pdf"), None);
        assert_eq!(f(".md"), None); // a hidden file named "md", no extension
    }

    #[test]
    fn html_is_sniffed_only_without_a_known_extension() {
        let page = b"\n  <!DOCTYPE HTML><p>\xE4\xB8\x80</p>";
        assert_eq!(decode(page, "copy").map(|d| d.format), Ok(Format::Html));
        assert_eq!(decode(page, "copy.bin").map(|d| d.format), Ok(Format::Html));
        assert_eq!(decode(page, "copy.txt").map(|d| d.format), Ok(Format::Text));
        assert_eq!(
            decode(b"<HTML><body>x", "copy").map(|d| d.format),
            Ok(Format::Html)
        );
        assert_eq!(
            decode(b"<p>x</p>", "copy").map(|d| d.format),
            Ok(Format::Text)
        );
    }

    #[test]
    fn line_endings_become_newlines() {
        assert_eq!(text(b"a\r\nb\rc\n", "a.txt"), "a\nb\nc\n");
    }

    #[test]
    fn plain_text_is_kept_as_is() {
        let t = "  一、总体要求\n\n\n# 不是标题\t*x*\n";
        assert_eq!(text(t.as_bytes(), "a.txt"), t);
    }

    #[test]
    fn errors_read_as_sentences() {
        assert_eq!(DecodeError::Empty.to_string(), "file is empty");
        assert_eq!(
            DecodeError::Binary { what: "PDF".into() }.to_string(),
            "looks like a binary file (PDF)"
        );
        assert_eq!(
            DecodeError::NoText.to_string(),
            "no text after removing markup and whitespace"
        );
        let e = decode(b"\xFF\x80\xFF\x80abc", "a.txt").unwrap_err();
        assert!(
            e.to_string()
                .starts_with("not valid UTF-8, UTF-16 or GB18030 text ("),
            "{e}"
        );
    }

    #[test]
    fn whitespace_only_is_no_text() {
        assert_eq!(decode(b" \r\n\t\n", "a.txt"), Err(DecodeError::NoText));
        assert_eq!(
            decode("\u{3000}\n".as_bytes(), "a.txt"),
            Err(DecodeError::NoText)
        );
        assert_eq!(decode(b"\xEF\xBB\xBF", "a.txt"), Err(DecodeError::NoText));
        assert_eq!(
            decode(b"<!-- nothing -->", "a.html"),
            Err(DecodeError::NoText)
        );
        assert_eq!(decode(b"---\n\n***", "a.md"), Err(DecodeError::NoText));
    }

    #[test]
    fn utf8_with_a_damaged_sequence_stays_utf8() {
        // A copy cut in the middle of a character must not turn into GB18030 mojibake.
        let mut bytes = "河源市教育局2021年工作要点,推动筹设华南农业大学河源校区。"
            .repeat(3)
            .into_bytes();
        bytes.extend_from_slice(&"校".as_bytes()[..2]);
        let d = decode(&bytes, "a.txt").unwrap();
        assert_eq!(d.encoding, "UTF-8");
        assert!(
            d.text.starts_with("河源市教育局") && d.text.ends_with('\u{FFFD}'),
            "{}",
            d.text
        );
    }

    #[test]
    fn gbk_with_little_chinese_is_not_taken_for_damaged_utf8() {
        let source = format!("{}河源", "2021 work plan, see appendix. ".repeat(20));
        let bytes = GB18030.encode(&source).0;
        let d = decode(&bytes, "a.txt").unwrap();
        assert_eq!((d.text.as_str(), d.encoding), (source.as_str(), "gb18030"));
    }

    #[test]
    fn binary_sniffing() {
        let what = |bytes: &[u8]| match decode(bytes, "a.txt") {
            Err(DecodeError::Binary { what }) => what,
            other => panic!("{other:?}"),
        };
        assert_eq!(what(b"%PDF-1.4\n%\xE2\xE3"), "PDF");
        assert!(what(b"PK\x03\x04\x14\x00").contains("DOCX"));
        assert!(what(b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1\x00").contains("DOC"));
        assert_eq!(what(b"\x89PNG\r\n\x1A\n\x00"), "PNG image");
        assert_eq!(what(b"\xFF\xD8\xFF\xE0"), "JPEG image");
        assert_eq!(what(b"GIF89a\x01\x00"), "GIF image");
        assert_eq!(what(b"text\x00more text"), "contains NUL bytes");
        assert_eq!(what(b"\x01\x02\x03\x04 abc"), "control characters");
        // UTF-16 has NULs but is text when its BOM says so.
        assert_eq!(text(b"\xFF\xFEa\x00b\x00", "a.txt"), "ab");
    }

    #[test]
    fn meta_charset_is_found_in_either_form() {
        let enc = |html: &str| declared_charset(html.as_bytes()).map(|e| e.name());
        assert_eq!(enc(r#"<meta charset="gb2312">"#), Some("GBK"));
        assert_eq!(enc("<META CHARSET=GBK>"), Some("GBK"));
        assert_eq!(
            enc(r#"<meta http-equiv="Content-Type" content="text/html; charset=gb18030" />"#),
            Some("gb18030")
        );
        assert_eq!(
            enc(r#"<meta content='text/html;charset=big5' http-equiv=content-type>"#),
            Some("Big5")
        );
        assert_eq!(enc(r#"<meta charset="utf-16">"#), None);
        assert_eq!(enc(r#"<meta charset="no-such-thing">"#), None);
        assert_eq!(enc("<p>charset=gbk</p>"), None);
    }

    #[test]
    fn valid_utf8_wins_over_a_stale_declaration() {
        let page = r#"<html><head><meta charset="gb2312"></head><body><p>海沧区</p></body></html>"#;
        let d = decode(page.as_bytes(), "a.html").unwrap();
        assert_eq!((d.text.as_str(), d.encoding), ("海沧区", "UTF-8"));
    }

    #[test]
    fn html_blocks_make_lines_and_inline_elements_do_not() {
        let page = "<body><h1>标题</h1><div>一、<b>总体</b>要求<br>第二行</div>\
                    <ul><li>1.甲</li><li>2.乙</li></ul>\
                    <table><tr><td>科室</td><td>基教科</td></tr><tr><td>年份</td><td>2023</td></tr></table>\
                    <p>a&amp;b &lt;c&gt; &ldquo;双减&rdquo;&nbsp;&#x5DE5;&#20316;</p></body>";
        assert_eq!(
            text(page.as_bytes(), "a.html"),
            "标题\n一、总体要求\n第二行\n1.甲\n2.乙\n科室 基教科\n年份 2023\na&b <c> “双减” 工作"
        );
    }

    #[test]
    fn html_whitespace_collapses_and_blank_lines_shrink() {
        let page = "<p>  研究\n   制定  方案 </p><p>x<br><br><br><br>y</p><pre>a\n  b</pre>";
        assert_eq!(
            text(page.as_bytes(), "a.htm"),
            "研究制定 方案\nx\n\ny\na\nb"
        );
        // A source line break between Latin words is a space.
        assert_eq!(text(b"<p>STEM\neducation</p>", "a.htm"), "STEM education");
    }

    #[test]
    fn html_hidden_parts_are_dropped() {
        let page = r#"<html><head><title>门户网站</title><style>p{}</style></head><body>
            <nav><a href="/">首页</a> &gt; 政务公开</nav>
            <script>var x = "脚本";</script><noscript>请启用脚本</noscript>
            <template><p>模板</p></template><button>分享</button>
            <main><p>正文</p><footer>落款</footer></main>
            <aside>猜你喜欢</aside><footer>版权所有</footer></body></html>"#;
        assert_eq!(text(page.as_bytes(), "a.html"), "正文\n落款");
    }

    #[test]
    fn deeply_nested_html_does_not_overflow_the_stack() {
        let page = format!(
            "{}深{}",
            "<div><span>".repeat(5_000),
            "</span></div>".repeat(5_000)
        );
        assert_eq!(text(page.as_bytes(), "a.html"), "深");
    }

    #[test]
    fn markdown_block_markers_are_removed() {
        let md = "# 河源市教育局2021年工作要点 #\n\n## 一、总体要求\n> 引用\n> > 嵌套\n- 项目\n* 星号\n+ 加号\n\
                  13. 编号留着\n一、中文编号留着\n---\n标题\n===\n| 科室 | 单位 |\n|---|:-:|\n| 基教科 | 学校 |\n\
                  ```\n*代码* 原样\n```\n#话题 不是标题\n####### 七个井号";
        assert_eq!(
            text(md.as_bytes(), "a.md"),
            "河源市教育局2021年工作要点\n\n一、总体要求\n引用\n嵌套\n项目\n星号\n加号\n13. 编号留着\n\
             一、中文编号留着\n\n标题\n\n科室 单位\n\n基教科 学校\n*代码* 原样\n#话题 不是标题\n####### 七个井号"
        );
    }

    #[test]
    fn markdown_inline_markup_is_removed() {
        let md = "推进**“双减”**工作,*课后服务*与__作业__ _减负_,见[通知](https://e.gov.cn/a?b=1)\
                  和![图](x.png)、`代码`、~~删除~~、<https://e.gov.cn>";
        assert_eq!(
            text(md.as_bytes(), "a.markdown"),
            "推进“双减”工作,课后服务与__作业__ 减负,见通知和图、代码、删除、https://e.gov.cn"
        );
        assert_eq!(
            text(br"1\. \*not emphasis\* snake_case_name 2*3", "a.md"),
            "1. *not emphasis* snake_case_name 2*3"
        );
    }
}
