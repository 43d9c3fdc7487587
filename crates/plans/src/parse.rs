//! Splitting a document's text into plans, sections and items.
//!
//! The text is normalised and cut at plan titles into segments ([`segment`]); a segment
//! of titles only (an outline) completes the full text that follows it; each other
//! segment with numbered items becomes a plan, its metadata read from its title and
//! from the lines around it ([`meta`]), its items cut into title, body and units
//! ([`items`]).

mod clean;
mod items;
mod lines;
mod meta;
mod segment;

use std::collections::BTreeMap;

use serde::Serialize;

use crate::model::{item_id, plan_id, Basis, Completeness, Item, Plan, Section};
use clean::{ends_sentence, join_paragraphs, squeeze_spaces};
use segment::{RawItem, Segment};

/// What one source file holds.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ParsedFile {
    pub plans: Vec<Plan>,
    /// Things worth a curator's eye; the caller prefixes the file name.
    pub warnings: Vec<String>,
}

/// Reads the plans of one decoded document.
///
/// `source` is the file's path relative to the corpus folder; plan ids are made from its
/// file name and the plan's place in the file, item ids from the plan id and the number.
///
/// ```
/// let text = "2024年工作要点\n一、总体\n1.加强党建。做好工作。(党建办)";
/// let parsed = edusearch_plans::parse::parse_document(text, "a.txt");
/// let item = &parsed.plans[0].items[0];
/// assert_eq!((item.title.as_str(), item.units.as_slice()), ("加强党建", &["党建办".to_string()][..]));
/// ```
pub fn parse_document(text: &str, source: &str) -> ParsedFile {
    let text = clean::normalise(text);
    let drafts = drafts(segment::segments(&text));
    let mut parsed = ParsedFile::default();
    if drafts.is_empty() {
        parsed.warnings.push("no numbered items found".to_string());
        return parsed;
    }
    let file_name = source.rsplit(['/', '\\']).next().unwrap_or(source);
    let count = drafts.len();
    for (index, draft) in drafts.into_iter().enumerate() {
        let ordinal = index + 1;
        let is_last = ordinal == count;
        let mut warnings = Vec::new();
        let plan = build_plan(
            draft,
            plan_id(file_name, ordinal),
            source,
            is_last,
            &mut warnings,
        );
        let label = if count > 1 {
            format!("plan {ordinal}: ")
        } else {
            String::new()
        };
        parsed
            .warnings
            .extend(warnings.into_iter().map(|w| format!("{label}{w}")));
        parsed.plans.push(plan);
    }
    parsed
}

/// A segment that becomes a plan, with the metadata lines that precede it and the
/// outline, if any, that lists its items.
struct Draft {
    body: Segment,
    meta_lines: Vec<String>,
    outline: Option<Segment>,
}

/// Segments without items give their metadata lines to the next plan (a page title
/// superseded by the plan's own is dropped with them); an outline waits for its full text.
fn drafts(segments: Vec<Segment>) -> Vec<Draft> {
    let has_items: Vec<bool> = segments.iter().map(|s| !s.items.is_empty()).collect();
    let mut carried: Vec<String> = Vec::new();
    let mut outline: Option<Segment> = None;
    let mut out = Vec::new();
    for (index, mut seg) in segments.into_iter().enumerate() {
        carried.append(&mut seg.meta_lines);
        if seg.items.is_empty() {
            continue;
        }
        let full_text_follows = has_items[index + 1..].iter().any(|&h| h);
        if full_text_follows && is_outline(&seg) {
            outline = Some(seg);
            continue;
        }
        out.push(Draft {
            body: seg,
            meta_lines: std::mem::take(&mut carried),
            outline: outline.take(),
        });
    }
    out
}

/// An outline lists item titles only: short lines without a sentence.
fn is_outline(seg: &Segment) -> bool {
    let titles_only = seg
        .items
        .iter()
        .filter(|i| {
            let text = squeeze_spaces(&i.text);
            !text.contains('。') && text.chars().count() <= 40
        })
        .count();
    seg.items.len() >= 2 && titles_only * 10 >= seg.items.len() * 9
}

fn build_plan(
    draft: Draft,
    id: String,
    source: &str,
    is_last: bool,
    warnings: &mut Vec<String>,
) -> Plan {
    let Draft {
        body,
        meta_lines,
        outline,
    } = draft;
    let title = body.title.clone().unwrap_or_default();
    let from_title = meta::title_facts(&title);
    let from_meta = meta::meta_facts(&meta_lines);

    let (issuer, issuer_basis) = match (from_title.issuer, from_meta.issuer) {
        (Some(name), _) => (Some(name), Basis::Title),
        (None, Some(name)) => (Some(name), Basis::Metadata),
        (None, None) => (None, Basis::Unknown),
    };
    let (year, year_basis) = match (from_title.year, from_meta.year) {
        (Some(y), _) => (Some(y), Basis::Title),
        (None, Some(y)) => (Some(y), Basis::Metadata),
        (None, None) => (None, Basis::Unknown),
    };
    let region = meta::region(&title, issuer.as_deref().map(|name| (name, issuer_basis)));
    let preamble = Some(join_paragraphs(&body.preamble)).filter(|p| !p.is_empty());

    for text in &body.stray {
        let start: String = text.chars().take(20).collect();
        warnings.push(format!("text outside any item dropped: {start}…"));
    }
    let (sections, items) = sections_and_items(&id, body, outline, is_last, warnings);
    Plan {
        id,
        title_basis: if title.is_empty() {
            Basis::Unknown
        } else {
            Basis::Title
        },
        title,
        issuer,
        issuer_basis,
        region,
        year,
        year_basis,
        published: from_meta.published,
        doc_number: from_meta.doc_number,
        source: source.to_string(),
        provenance: None,
        clues: Vec::new(),
        preamble,
        sections,
        items,
    }
}

fn sections_and_items(
    plan_id: &str,
    body: Segment,
    outline: Option<Segment>,
    is_last: bool,
    warnings: &mut Vec<String>,
) -> (Vec<Section>, Vec<Item>) {
    let mut sections: BTreeMap<u32, Option<String>> = BTreeMap::new();
    for s in &body.sections {
        sections
            .entry(s.number)
            .or_insert_with(|| Some(squeeze_spaces(&s.title)));
    }
    for number in dedup(&body.duplicates) {
        warnings.push(format!("duplicate item number {number} dropped"));
    }
    let mut raw: BTreeMap<u32, (RawItem, Completeness)> = BTreeMap::new();
    let last_number = body.items.last().map(|i| i.number);
    // A plan whose items do not end in sentences (a bare list) is not cut off by its last one.
    let finished = body.items.iter().filter(|i| ends_sentence(&i.text)).count();
    let written_in_sentences = finished * 2 > body.items.len();
    for item in body.items {
        let truncated = is_last
            && written_in_sentences
            && Some(item.number) == last_number
            && !ends_sentence(&item.text);
        let completeness = if truncated {
            Completeness::Truncated
        } else {
            Completeness::Complete
        };
        if truncated {
            warnings.push(format!(
                "item {} is cut off by the end of the copy",
                item.number
            ));
        }
        raw.entry(item.number).or_insert((item, completeness));
    }
    infer_missing_section(&mut sections, &mut raw, warnings);
    // The full text wins; the outline fills in what the copy lacks.
    if let Some(outline) = outline {
        for s in outline.sections {
            sections
                .entry(s.number)
                .or_insert_with(|| Some(squeeze_spaces(&s.title)));
        }
        for item in outline.items {
            raw.entry(item.number)
                .or_insert((item, Completeness::Outline));
        }
    }
    warn_gaps(raw.keys().copied(), warnings);
    let sections = sections
        .into_iter()
        .map(|(number, title)| Section { number, title })
        .collect();
    let items = raw
        .into_values()
        .map(|(item, completeness)| {
            let parts = items::split_item(&squeeze_spaces(&item.text));
            Item {
                id: item_id(plan_id, item.number),
                number: item.number,
                section: item.section,
                title: parts.title,
                body: parts.body,
                units: parts.units,
                completeness,
            }
        })
        .collect();
    (sections, items)
}

/// Items standing before the first heading of a copy that starts mid-plan belong to the
/// section before that heading, whose own heading the copy lacks.
fn infer_missing_section(
    sections: &mut BTreeMap<u32, Option<String>>,
    raw: &mut BTreeMap<u32, (RawItem, Completeness)>,
    warnings: &mut Vec<String>,
) {
    let Some((&first, _)) = sections.first_key_value() else {
        return;
    };
    let orphans: Vec<u32> = raw
        .values()
        .filter(|(i, _)| i.section.is_none())
        .map(|(i, _)| i.number)
        .collect();
    if first <= 1 || orphans.is_empty() {
        return;
    }
    let missing = first - 1;
    sections.insert(missing, None);
    for (item, _) in raw.values_mut().filter(|(i, _)| i.section.is_none()) {
        item.section = Some(missing);
    }
    warnings.push(format!(
        "items {}–{} stand before the first heading ({first}); counted under section {missing}, whose heading the copy lacks",
        orphans.first().copied().unwrap_or_default(),
        orphans.last().copied().unwrap_or_default(),
    ));
}

fn warn_gaps(numbers: impl Iterator<Item = u32>, warnings: &mut Vec<String>) {
    let mut previous: Option<u32> = None;
    for number in numbers {
        match previous {
            None if number != 1 => warnings.push(format!(
                "items start at {number}, not 1: the copy may begin mid-plan"
            )),
            Some(p) if number != p + 1 => {
                warnings.push(format!("numbering gap: item {number} follows item {p}"))
            }
            _ => {}
        }
        previous = Some(number);
    }
}

fn dedup(numbers: &[u32]) -> Vec<u32> {
    let mut out = numbers.to_vec();
    out.sort_unstable();
    out.dedup();
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_document_without_items_says_so() {
        for text in [
            "",
            "   \n\n",
            "当前位置:首页 > 新闻\n猜你喜欢",
            "2024年工作要点\n总体要求。",
        ] {
            let parsed = parse_document(text, "empty.txt");
            assert!(parsed.plans.is_empty(), "{text:?}");
            assert_eq!(parsed.warnings, ["no numbered items found"]);
        }
    }

    #[test]
    fn a_first_item_that_names_a_notice_is_an_item() {
        let parsed = parse_document(
            "萝北县教育局2017年工作要点\n全县教育工作的总体要求是:提高教育质量。\n\
             一、落实立德树人根本任务\n\
             1.全面加强劳动教育。研究制订《关于加强校长队伍建设的意见》。印发《教育事业发展规划》。\n\
             2.深化考试招生制度改革。",
            "notice-like.txt",
        );
        let numbers: Vec<u32> = parsed.plans[0].items.iter().map(|i| i.number).collect();
        assert_eq!(numbers, [1, 2]);
        assert!(parsed.warnings.is_empty(), "{:?}", parsed.warnings);
    }

    #[test]
    fn a_bare_list_is_not_cut_off() {
        let parsed = parse_document(
            "2024年工作要点\n一、党建\n1.加强党建\n2.强化监督",
            "list.txt",
        );
        let items = &parsed.plans[0].items;
        assert!(items
            .iter()
            .all(|i| i.completeness == Completeness::Complete));
        assert!(parsed.warnings.is_empty(), "{:?}", parsed.warnings);
    }

    #[test]
    fn repeated_numbers_and_gaps_are_reported() {
        let text =
            "2024年工作要点\n一、甲\n1.加强党建。做好。\n2.强化监督。做好。\n2.强化监督。重复。\n5.深化改革。做好。";
        let parsed = parse_document(text, "dup.txt");
        let plan = &parsed.plans[0];
        let numbers: Vec<u32> = plan.items.iter().map(|i| i.number).collect();
        assert_eq!(numbers, [1, 2, 5]);
        assert_eq!(plan.items[1].body, "做好。");
        assert_eq!(
            parsed.warnings,
            [
                "duplicate item number 2 dropped",
                "numbering gap: item 5 follows item 2"
            ]
        );
    }

    #[test]
    fn ids_come_from_the_file_name_and_the_plan_ordinal() {
        let text = "2021年甲工作要点\n1.加强。\n2021年乙工作要点\n1.加强。";
        let parsed = parse_document(text, "sub/dir/001_x.txt");
        let ids: Vec<&str> = parsed
            .plans
            .iter()
            .flat_map(|p| &p.items)
            .map(|i| i.id.as_str())
            .collect();
        assert_eq!(ids, ["001_x-p1-1", "001_x-p2-1"]);
        assert_eq!(parsed.plans[1].source, "sub/dir/001_x.txt");
    }

    #[test]
    fn a_signature_after_the_plan_is_metadata() {
        let text = "河源市教育局2021年工作要点\n1.加强党建。做好工作。\n河源市教育局\n2021年3月1日";
        let parsed = parse_document(text, "sig.txt");
        let plan = &parsed.plans[0];
        assert_eq!(plan.items[0].body, "做好工作。");
        assert_eq!(plan.published.as_deref(), Some("2021-03-01"));
    }
}
