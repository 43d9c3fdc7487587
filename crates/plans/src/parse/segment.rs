//! One pass over the lines of a document, cutting it at plan titles into segments,
//! each with its preamble, section headings and numbered items still as raw text.

use std::collections::HashSet;

use super::clean::{ends_sentence, is_chrome, is_footer, squeeze_spaces};
use super::lines::{
    is_notice_title, is_plan_title, item_start, section_heading, split_inline_items, Expect,
};
use super::meta::is_signature;

/// A numbered item as found, its lines joined by blanks (squeezed later).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawItem {
    pub number: u32,
    pub section: Option<u32>,
    pub text: String,
}

/// A section heading as found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawSection {
    pub number: u32,
    pub title: String,
}

/// The stretch of a document from one plan title to the next (or, for the first
/// segment, from the start of the document to the first title).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Segment {
    pub title: Option<String>,
    /// Chrome, covering notices, signatures and leads: kept only for their metadata.
    pub meta_lines: Vec<String>,
    pub preamble: Vec<String>,
    pub sections: Vec<RawSection>,
    pub items: Vec<RawItem>,
    /// Numbers seen twice in this segment; the later copies are dropped.
    pub duplicates: Vec<u32>,
    seen: HashSet<u32>,
    /// Text found after a heading but outside any item.
    pub stray: Vec<String>,
}

impl Segment {
    fn last_number(&self) -> Option<u32> {
        self.items.last().map(|i| i.number)
    }

    fn current_section(&self) -> Option<u32> {
        self.sections.last().map(|s| s.number)
    }

    /// True while the open item of running text stops mid-sentence, so the next line
    /// must continue it (an outline's items have no sentences to stop in).
    fn mid_sentence(&self) -> bool {
        self.items
            .last()
            .is_some_and(|i| i.text.contains('。') && !ends_sentence(&i.text))
    }

    fn expect(&self) -> Expect {
        match self.last_number() {
            Some(n) => Expect::Next(n + 1),
            None if self.title.is_some() || !self.sections.is_empty() => Expect::Next(1),
            None => Expect::Any,
        }
    }

    fn push_item(&mut self, number: u32, text: &str) {
        if !self.seen.insert(number) {
            self.duplicates.push(number);
            // A placeholder collects the repeat's text; assembly keeps the first copy only.
            let section = self.current_section();
            self.items.push(RawItem {
                number,
                section,
                text: String::new(),
            });
            return;
        }
        let section = self.current_section();
        self.items.push(RawItem {
            number,
            section,
            text: text.trim().to_string(),
        });
    }

    /// Appends text to the open item, splitting off items that start inside it.
    fn continue_item(&mut self, text: &str) {
        let (head, inline) = split_inline_items(text, self.expect());
        if let Some(item) = self.items.last_mut() {
            if !item.text.is_empty() || !head.trim().is_empty() {
                item.text.push(' ');
                item.text.push_str(head.trim());
            }
        }
        for (number, text) in inline {
            self.push_item(number, text);
        }
    }
}

/// Cuts normalised text into segments. Content after a page footer is ignored.
pub fn segments(text: &str) -> Vec<Segment> {
    let mut out = vec![Segment::default()];
    for raw in text.lines() {
        let line = raw.trim();
        if line.is_empty() {
            continue;
        }
        let squeezed = squeeze_spaces(line);
        if is_footer(&squeezed) {
            break;
        }
        let Some(seg) = out.last_mut() else { break };
        let signature = is_signature(line) && !seg.mid_sentence();
        if is_chrome(&squeezed) || signature || is_notice_title(&squeezed) && seg.items.is_empty() {
            seg.meta_lines.push(line.to_string());
        } else if is_plan_title(line) && !seg.mid_sentence() {
            out.push(Segment {
                title: Some(squeezed),
                ..Segment::default()
            });
        } else if let Some((number, rest)) = accepted_heading(seg, line) {
            let (title, inline) = split_inline_items(rest, seg.expect());
            seg.sections.push(RawSection {
                number,
                title: title.trim().to_string(),
            });
            for (number, text) in inline {
                seg.push_item(number, text);
            }
        } else if let Some((number, rest)) = accepted_item(seg, line) {
            seg.push_item(number, "");
            seg.continue_item(rest);
        } else if !seg.items.is_empty()
            && seg
                .items
                .last()
                .is_some_and(|i| i.section == seg.current_section())
        {
            seg.continue_item(line);
        } else if let Some(section) = seg.sections.last_mut() {
            // A heading broken over two lines, or a section's introduction.
            if section.title.chars().count() < 40 && !line.contains('。') {
                section.title.push(' ');
                section.title.push_str(line);
            } else {
                seg.stray.push(squeezed);
            }
        } else if seg.title.is_some() {
            seg.preamble.push(line.to_string());
        } else {
            seg.meta_lines.push(line.to_string());
        }
    }
    out
}

/// A heading counts when it moves the section numbering forward; a line that merely
/// begins like one (`二、三年级…` after a page break) is text.
fn accepted_heading<'a>(seg: &Segment, line: &'a str) -> Option<(u32, &'a str)> {
    let (number, rest) = section_heading(line)?;
    match seg.current_section() {
        Some(current) if number <= current => None,
        _ => Some((number, rest)),
    }
}

/// An item number at the start of a line counts unless it leaps far ahead of the
/// sequence, which a stray number (`500.`) would.
fn accepted_item<'a>(seg: &Segment, line: &'a str) -> Option<(u32, &'a str)> {
    let (number, rest) = item_start(line)?;
    match seg.last_number() {
        Some(last) if number > last + 10 => None,
        _ if number == 0 => None,
        _ => Some((number, rest)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn heading_with_inline_item_and_page_break() {
        let text = " 2021 年全市教育工作要点\n\n 总体思路。\n\n 一、加强党的全面领导,引领发展 1.深入学习。推进\n\n 学习常态化。\n 2.提高质量。";
        let segs = segments(text);
        assert_eq!(segs.len(), 2);
        let plan = &segs[1];
        assert_eq!(plan.title.as_deref(), Some("2021年全市教育工作要点"));
        assert_eq!(plan.preamble, ["总体思路。"]);
        assert_eq!(
            plan.sections,
            [RawSection {
                number: 1,
                title: "加强党的全面领导,引领发展".into()
            }]
        );
        assert_eq!(plan.items.len(), 2);
        assert_eq!(
            squeeze_spaces(&plan.items[0].text),
            "深入学习。推进学习常态化。"
        );
        assert_eq!(plan.items[1].section, Some(1));
    }

    #[test]
    fn duplicates_are_recorded_and_emptied() {
        let segs = segments("工作要点\n一、甲\n1.一。\n2.二。\n2.二又。\n3.三。");
        let plan = &segs[1];
        assert_eq!(plan.duplicates, [2]);
        assert_eq!(plan.items.iter().filter(|i| i.number == 2).count(), 2);
    }

    #[test]
    fn footer_ends_the_content() {
        let segs = segments("2024年工作要点\n1.甲。\n推荐访问:全市 工作要点\n2.乙。");
        assert_eq!(segs[1].items.len(), 1);
    }
}
