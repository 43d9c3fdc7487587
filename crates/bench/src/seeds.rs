//! The real material a synthetic corpus is recombined from: the seed plans' item titles,
//! body sentences, responsible units, section titles and preamble sentences, read with
//! the product's own corpus reader (a plain numbered-line scan stands in if it finds
//! nothing, so that a broken parser cannot stop the benchmark).

use std::path::Path;

use anyhow::{bail, Context, Result};
use edusearch_plans::{corpus::read_corpus, Completeness};
use regex::Regex;

/// Sentences and shapes taken from the seed plans, in corpus order (so that the same
/// seeds always give the same pools).
#[derive(Debug, Default)]
pub struct SeedPool {
    pub item_titles: Vec<String>,
    pub body_sentences: Vec<String>,
    /// Sentences per item body, one entry per seed item with a body.
    pub sentences_per_item: Vec<usize>,
    /// The unit lists of seed items that name units.
    pub unit_lists: Vec<Vec<String>>,
    /// Seed items with a body, and how many of them name units.
    pub items_with_body: usize,
    pub items_with_units: usize,
    pub section_titles: Vec<String>,
    pub preamble_sentences: Vec<String>,
    /// Where the pools came from: "corpus reader" or "numbered-line scan".
    pub reader: &'static str,
}

impl SeedPool {
    pub fn read(dir: &Path) -> Result<SeedPool> {
        let from_parser = from_corpus_reader(dir)?;
        let pool = if from_parser.body_sentences.len() >= 50 {
            from_parser
        } else {
            eprintln!(
                "the corpus reader found only {} body sentences in {}; scanning numbered lines instead",
                from_parser.body_sentences.len(),
                dir.display()
            );
            from_numbered_lines(dir)?
        };
        if pool.body_sentences.is_empty() || pool.item_titles.is_empty() {
            bail!("no items found in the seed corpus {}", dir.display());
        }
        Ok(pool)
    }
}

fn from_corpus_reader(dir: &Path) -> Result<SeedPool> {
    let output =
        read_corpus(dir).with_context(|| format!("reading the seed corpus {}", dir.display()))?;
    let mut pool = SeedPool {
        reader: "corpus reader",
        ..Default::default()
    };
    for plan in &output.plans {
        for section in &plan.sections {
            if let Some(title) = section.title.as_deref().filter(|t| usable_heading(t)) {
                pool.section_titles.push(title.to_owned());
            }
        }
        if let Some(preamble) = &plan.preamble {
            pool.preamble_sentences.extend(sentences(preamble));
        }
        for item in &plan.items {
            if usable_heading(&item.title) {
                pool.item_titles.push(item.title.clone());
            }
            if item.completeness != Completeness::Complete || item.body.trim().is_empty() {
                continue;
            }
            let body = sentences(&item.body);
            if body.is_empty() {
                continue;
            }
            pool.items_with_body += 1;
            pool.sentences_per_item.push(body.len());
            pool.body_sentences.extend(body);
            if !item.units.is_empty() {
                pool.items_with_units += 1;
                pool.unit_lists.push(item.units.clone());
            }
        }
    }
    Ok(pool)
}

/// The fallback: every line that starts with an item number is an item; its first
/// sentence is the title, the rest the body.
fn from_numbered_lines(dir: &Path) -> Result<SeedPool> {
    let numbered = Regex::new(r"^\s*\d{1,2}\s*[\.．、]\s*(\S.*)$").expect("valid regex");
    let heading = Regex::new(r"^\s*[一二三四五六七八九十]+、\s*(\S.*)$").expect("valid regex");
    let mut pool = SeedPool {
        reader: "numbered-line scan",
        ..Default::default()
    };
    let mut paths: Vec<_> = std::fs::read_dir(dir)
        .with_context(|| format!("listing {}", dir.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "txt"))
        .collect();
    paths.sort();
    for path in paths {
        let text = std::fs::read_to_string(&path)
            .with_context(|| format!("reading {}", path.display()))?;
        for line in text.lines() {
            if let Some(c) = heading.captures(line) {
                let title = c[1]
                    .split(['。', '，', ','])
                    .next()
                    .unwrap_or("")
                    .trim()
                    .to_owned();
                if usable_heading(&title) {
                    pool.section_titles.push(title);
                }
            } else if let Some(c) = numbered.captures(line) {
                let mut parts = sentences(&c[1]).into_iter();
                let Some(title) = parts.next() else { continue };
                let title = title.trim_end_matches(['。', '；', ';']).to_owned();
                if usable_heading(&title) {
                    pool.item_titles.push(title);
                }
                let body: Vec<String> = parts.collect();
                if !body.is_empty() {
                    pool.items_with_body += 1;
                    pool.sentences_per_item.push(body.len());
                    pool.body_sentences.extend(body);
                }
            } else if line.chars().count() > 80 {
                pool.preamble_sentences.extend(sentences(line));
            }
        }
    }
    Ok(pool)
}

/// Splits text after 。；; into sentences, each keeping its final mark. Sentences that
/// would read as something else in the plan layout (an item number, a heading, a
/// trailing list of units) are left out.
pub fn sentences(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut current = String::new();
    for c in text.chars() {
        if c == '\n' || c == '\r' {
            continue;
        }
        current.push(c);
        if matches!(c, '。' | '；' | ';') {
            push_sentence(&mut out, &current);
            current.clear();
        }
    }
    push_sentence(&mut out, &current);
    out
}

fn push_sentence(out: &mut Vec<String>, sentence: &str) {
    let s = sentence.trim();
    if s.chars().count() < 4 {
        return;
    }
    let first = s.chars().next().unwrap_or(' ');
    let looks_numbered = first.is_ascii_digit() || first == '(' || first == '（' || first == '第';
    let looks_heading =
        s.chars().take(4).any(|c| c == '、') && "一二三四五六七八九十".contains(first);
    let ends_in_parenthesis = s.trim_end_matches(['。', '；', ';']).ends_with([')', '）']);
    if looks_numbered || looks_heading || ends_in_parenthesis || s.contains("责任单位") {
        return;
    }
    // A sentence cut off by the end of a copy gets a full stop, so that it ends an item.
    let mut s = s.to_owned();
    if !s.ends_with(['。', '；', ';']) {
        s.push('。');
    }
    out.push(s);
}

fn usable_heading(title: &str) -> bool {
    let n = title.chars().count();
    (2..=60).contains(&n)
        && !title.contains('。')
        && !title.starts_with(|c: char| c.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_at_sentence_marks_and_drops_numbered_starts() {
        let got = sentences("加强党建工作。推进双减；2.0版本上线。落实责任(党建办)。");
        assert_eq!(got, vec!["加强党建工作。", "推进双减；"]);
    }
}
