//! Marking matches in text. A term is found in the folded, searchable characters of a
//! text exactly as the index matches it, and marked over the original characters it
//! came from, so marks sit on the right characters whatever the script or width.

use crate::analysis::searchable_chars;

/// Byte ranges of `text` where any of the (normalized) terms occur, merged and sorted.
pub fn match_ranges(text: &str, terms: &[String]) -> Vec<(usize, usize)> {
    let chars = searchable_chars(text);
    let mut ranges = Vec::new();
    for term in terms {
        let needle: Vec<char> = term.chars().collect();
        if needle.is_empty() || needle.len() > chars.len() {
            continue;
        }
        for start in 0..=chars.len() - needle.len() {
            if chars[start..start + needle.len()]
                .iter()
                .zip(&needle)
                .all(|(c, n)| c.ch == *n)
            {
                ranges.push((chars[start].start, chars[start + needle.len() - 1].end));
            }
        }
    }
    ranges.sort_unstable();
    let mut merged: Vec<(usize, usize)> = Vec::with_capacity(ranges.len());
    for (start, end) in ranges {
        match merged.last_mut() {
            Some(last) if start <= last.1 => last.1 = last.1.max(end),
            _ => merged.push((start, end)),
        }
    }
    merged
}

/// The whole text, HTML-escaped, with matches in `<mark>`.
pub fn mark_all(text: &str, terms: &[String]) -> String {
    mark(text, 0, text.len(), &match_ranges(text, terms))
}

/// A passage of about `width` characters around the first match (or the start),
/// HTML-escaped, with matches in `<mark>` and `…` where text was cut.
pub fn snippet(text: &str, terms: &[String], width: usize) -> String {
    let ranges = match_ranges(text, terms);
    let boundaries: Vec<usize> = text
        .char_indices()
        .map(|(i, _)| i)
        .chain([text.len()])
        .collect();
    let total_chars = boundaries.len() - 1;
    let first_match_char = ranges
        .first()
        .map_or(0, |&(start, _)| boundaries.partition_point(|&b| b < start));
    // Keep a little context before the first match.
    let from_char = first_match_char.saturating_sub(width / 5);
    let to_char = (from_char + width).min(total_chars);
    let from_char = to_char.saturating_sub(width).min(from_char);
    let (from, to) = (boundaries[from_char], boundaries[to_char]);
    let mut out = String::new();
    if from_char > 0 {
        out.push('…');
    }
    out.push_str(&mark(text, from, to, &ranges));
    if to_char < total_chars {
        out.push('…');
    }
    out
}

/// `text[from..to]`, escaped, with the parts inside `ranges` marked.
fn mark(text: &str, from: usize, to: usize, ranges: &[(usize, usize)]) -> String {
    let mut out = String::with_capacity(to - from + 32);
    let mut at = from;
    for &(start, end) in ranges {
        let (start, end) = (start.max(from), end.min(to));
        if start >= end {
            continue;
        }
        escape_into(&mut out, &text[at..start]);
        out.push_str("<mark>");
        escape_into(&mut out, &text[start..end]);
        out.push_str("</mark>");
        at = end;
    }
    escape_into(&mut out, &text[at..to]);
    // Line breaks between title, body and units read as spaces in a passage.
    out.replace('\n', " ")
}

fn escape_into(out: &mut String, text: &str) {
    for c in text.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn terms(t: &[&str]) -> Vec<String> {
        t.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn marks_sit_on_the_original_characters() {
        let text = "深入推进“雙減”工作。全面落实";
        assert_eq!(
            mark_all(text, &terms(&["双减工作"])),
            "深入推进“<mark>雙減”工作</mark>。全面落实"
        );
        assert_eq!(
            mark_all(text, &terms(&["双减"])),
            "深入推进“<mark>雙減</mark>”工作。全面落实"
        );
    }

    #[test]
    fn overlapping_matches_merge_and_html_is_escaped() {
        assert_eq!(
            mark_all("a<b 课后服务", &terms(&["课后", "后服"])),
            "a&lt;b <mark>课后服</mark>务"
        );
    }

    #[test]
    fn snippet_centres_on_the_first_match() {
        let text = format!("{}双减{}", "甲".repeat(100), "乙".repeat(100));
        let s = snippet(&text, &terms(&["双减"]), 40);
        assert!(s.starts_with('…') && s.ends_with('…'));
        assert!(s.contains("<mark>双减</mark>"));
        assert_eq!(s.chars().filter(|c| *c == '甲').count(), 8);
    }
}
