//! Terminal rendering: marked matches in colour (when stdout is a terminal and
//! NO_COLOR is unset), regions and bases in words.

use std::io::IsTerminal;
use std::sync::OnceLock;

use edusearch_plans::{Basis, Region};

pub fn colour() -> bool {
    static ON: OnceLock<bool> = OnceLock::new();
    *ON.get_or_init(|| std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none())
}

fn paint(code: &str, text: &str) -> String {
    if colour() {
        format!("\x1b[{code}m{text}\x1b[0m")
    } else {
        text.to_owned()
    }
}

pub fn bold(text: &str) -> String {
    paint("1", text)
}

pub fn dim(text: &str) -> String {
    paint("2", text)
}

/// Library text is HTML-escaped with `<mark>` around matches: show marks as bold
/// yellow on a terminal, or as 【…】 when colour is off, so matches stay visible in
/// pipes and logs.
pub fn marked(html: &str) -> String {
    let (open, close) = if colour() {
        ("\x1b[1;33m", "\x1b[0m")
    } else {
        ("【", "】")
    };
    unescape(&html.replace("<mark>", open).replace("</mark>", close))
}

fn unescape(text: &str) -> String {
    text.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&amp;", "&")
}

/// "广东省 东莞市" or "未知地区".
pub fn region(region: &Region) -> String {
    let names: Vec<&str> = [&region.province, &region.city, &region.county]
        .into_iter()
        .flatten()
        .map(String::as_str)
        .collect();
    if names.is_empty() {
        "未知地区".to_owned()
    } else {
        names.join(" ")
    }
}

/// "2024" or "未知年份".
pub fn year(year: Option<i32>) -> String {
    year.map_or_else(|| "未知年份".to_owned(), |y| y.to_string())
}

/// A basis as a short note for values not read from the text.
pub fn basis_note(basis: Basis) -> &'static str {
    match basis {
        Basis::Title => "stated in the title",
        Basis::Metadata => "stated in the text",
        Basis::Manifest => "from the manifest",
        Basis::Inferred => "inferred (see clues)",
        Basis::Unknown => "unknown",
    }
}

/// Chinese section numerals for headings: 1 → 一.
pub fn chinese_number(n: u32) -> String {
    const DIGITS: [&str; 10] = ["零", "一", "二", "三", "四", "五", "六", "七", "八", "九"];
    match n {
        0..=9 => DIGITS[n as usize].to_owned(),
        10 => "十".to_owned(),
        11..=19 => format!("十{}", DIGITS[(n % 10) as usize]),
        20..=99 => format!(
            "{}十{}",
            DIGITS[(n / 10) as usize],
            if n.is_multiple_of(10) {
                ""
            } else {
                DIGITS[(n % 10) as usize]
            }
        ),
        _ => n.to_string(),
    }
}
