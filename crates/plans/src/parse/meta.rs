//! A plan's metadata as the text states it: year and issuer from its title; document
//! number, publication date and issuer from metadata blocks, covering notices and
//! signatures; the region from either, through the division list.

use std::sync::LazyLock;

use edusearch_divisions::Divisions;
use regex::Regex;

use super::clean::squeeze_spaces;
use super::lines::is_notice_title;
use crate::model::{Basis, Region};

static YEAR: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"((?:19|20)[0-9]{2})\s*年").expect("year pattern is valid"));

/// The issuing body at the head of a title, before its year: `河源市教育局2021年…`.
static TITLE_ISSUER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(.{2,30}?(?:局|厅|委员会|教委|工委))(?:19|20)[0-9]{2}\s*年")
        .expect("issuer pattern is valid")
});

/// 文号 such as 厦海教工委〔2023〕16号.
static DOC_NUMBER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"[\p{Han}A-Za-z]{1,15}[〔\[［【(（]\s*(?:19|20)[0-9]{2}\s*[〕\]］】)）]\s*第?\s*[0-9]{1,4}\s*号")
        .expect("doc number pattern is valid")
});

/// The document's own date in a government metadata block.
static LABELLED_DATE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?:公文生成日期|成文日期|印发日期|发文日期)[:：]\s*((?:19|20)[0-9]{2})\s*[-年/.]\s*([0-9]{1,2})\s*[-月/.]\s*([0-9]{1,2})")
        .expect("labelled date pattern is valid")
});

/// A line holding nothing but a date: the date under a signature.
static SIGNATURE_DATE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^((?:19|20)[0-9]{2})\s*年\s*([0-9]{1,2})\s*月\s*([0-9]{1,2})\s*日$")
        .expect("date pattern is valid")
});

/// One issuing body's name, as signed.
static ISSUER_NAME: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^\p{Han}{2,30}(?:局|厅|委员会|教委|工委|人民政府)$")
        .expect("issuer name pattern is valid")
});

/// What the plan's own title states.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct TitleFacts {
    pub year: Option<i32>,
    pub issuer: Option<String>,
}

pub fn title_facts(title: &str) -> TitleFacts {
    let title = squeeze_spaces(title);
    let year = YEAR
        .captures(&title)
        .and_then(|c| c.get(1)?.as_str().parse().ok());
    // 市教育局 names no place: only an issuer with a known division counts.
    let issuer = TITLE_ISSUER
        .captures(&title)
        .and_then(|c| c.get(1))
        .map(|m| m.as_str().to_string())
        .filter(|name| Divisions::global().find_in_text(name).is_some());
    TitleFacts { year, issuer }
}

/// What the lines around a plan (metadata block, covering notice, signature) state.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct MetaFacts {
    pub doc_number: Option<String>,
    pub published: Option<String>,
    pub issuer: Option<String>,
    /// A year named by a covering notice (关于印发2023年教育工作要点的通知).
    pub year: Option<i32>,
}

pub fn meta_facts<S: AsRef<str>>(lines: &[S]) -> MetaFacts {
    let lines: Vec<String> = lines
        .iter()
        .map(|l| l.as_ref().trim().to_string())
        .collect();
    let squeezed: Vec<String> = lines.iter().map(|l| squeeze_spaces(l)).collect();
    let doc_number = squeezed
        .iter()
        .find_map(|l| DOC_NUMBER.find(l).map(|m| m.as_str().to_string()));
    let labelled = squeezed
        .iter()
        .find_map(|l| LABELLED_DATE.captures(l).and_then(|c| ymd(&c)));
    // A bare date is the document's only under a signature; elsewhere it may be the page's.
    let signed = lines.windows(2).find_map(|pair| {
        issuer_names(&pair[0])?;
        SIGNATURE_DATE
            .captures(&squeeze_spaces(&pair[1]))
            .and_then(|c| ymd(&c))
    });
    let notice = squeezed.iter().find(|l| is_notice_title(l));
    let notice_issuer = notice
        .and_then(|n| lines.iter().find(|l| squeeze_spaces(l) == **n))
        .and_then(|raw| raw.split("关于").next())
        .and_then(issuer_names);
    let signature = lines.iter().find_map(|l| issuer_names(l));
    let year = notice
        .and_then(|n| YEAR.captures(n))
        .and_then(|c| c.get(1)?.as_str().parse().ok());
    MetaFacts {
        doc_number,
        published: labelled.or(signed),
        issuer: signature.or(notice_issuer),
        year,
    }
}

/// True for the lines of a signature: issuers' names only, or a bare date.
pub fn is_signature(line: &str) -> bool {
    SIGNATURE_DATE.is_match(&squeeze_spaces(line)) || issuer_names(line).is_some()
}

/// The issuing bodies of a signature line (`中共厦门市海沧区委教育工委   厦门市海沧区教育局`),
/// joined with 、; None unless every blank-separated part is an issuer's name.
fn issuer_names(line: &str) -> Option<String> {
    let names: Vec<&str> = line.split_whitespace().collect();
    let all_issuers = !names.is_empty() && names.iter().all(|n| ISSUER_NAME.is_match(n));
    all_issuers.then(|| names.join("、"))
}

fn ymd(caps: &regex::Captures) -> Option<String> {
    let num = |i: usize| caps.get(i)?.as_str().parse::<u32>().ok();
    let (y, m, d) = (num(1)?, num(2)?, num(3)?);
    ((1..=12).contains(&m) && (1..=31).contains(&d)).then(|| format!("{y:04}-{m:02}-{d:02}"))
}

/// The region a plan's title names, else the region its issuer names; unknown when
/// neither names one unambiguously.
pub fn region(title: &str, issuer: Option<(&str, Basis)>) -> Region {
    let divisions = Divisions::global();
    let from_title = divisions
        .find_in_text(&squeeze_spaces(title))
        .map(|d| (d, Basis::Title));
    let found = from_title.or_else(|| {
        let (name, basis) = issuer?;
        divisions.find_in_text(name).map(|d| (d, basis))
    });
    let Some((division, basis)) = found else {
        return Region::unknown();
    };
    let Some(chain) = divisions.chain(&division.code) else {
        return Region::unknown();
    };
    Region {
        province: chain.province.map(|d| d.name.clone()),
        city: chain.city.map(|d| d.name.clone()),
        county: chain.county.map(|d| d.name.clone()),
        code: Some(division.code.clone()),
        basis,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn year_and_issuer_from_titles() {
        let facts = title_facts("河源市教育局2021年工作要点");
        assert_eq!(
            facts,
            TitleFacts {
                year: Some(2021),
                issuer: Some("河源市教育局".into())
            }
        );
        let facts = title_facts("市教育局2024年工作要点");
        assert_eq!(
            facts,
            TitleFacts {
                year: Some(2024),
                issuer: None
            }
        );
        assert_eq!(title_facts(" 2021 年全市教育工作要点").year, Some(2021));
    }

    #[test]
    fn metadata_of_004() {
        let lines = [
            "• 索 引 号:XM04106-02-00-2023-006",
            "  • 备注/文号:厦海教工委〔2023〕16号",
            "  • 公文生成日期:2023-03-02",
            "中共厦门市海沧区委教育工委 厦门市海沧区教育局关于印发2023年教育工作要点的通知",
            "来源:海沧区教育局 发布时间:2023-03-02 15:47",
            "  各中小学、幼儿园、中等职业学校、特殊教育学校,局机关各科室、局属事业单位及各部门:",
            "中共厦门市海沧区委教育工委     厦门市海沧区教育局",
            "  2023年3月2日",
        ];
        let facts = meta_facts(&lines);
        assert_eq!(facts.doc_number.as_deref(), Some("厦海教工委〔2023〕16号"));
        assert_eq!(facts.published.as_deref(), Some("2023-03-02"));
        assert_eq!(
            facts.issuer.as_deref(),
            Some("中共厦门市海沧区委教育工委、厦门市海沧区教育局")
        );
        assert_eq!(facts.year, Some(2023));
    }

    #[test]
    fn a_page_timestamp_is_not_a_publication_date() {
        let facts = meta_facts(&[
            "时间:2022-07-13 11:50:05 浏览次数:",
            "当前位置:蚂蚁文档网 > 作文范文 > 2022年全市教育工作要点",
        ]);
        assert_eq!(facts, MetaFacts::default());
        assert_eq!(meta_facts(&["2022年7月13日"]).published, None);
    }

    #[test]
    fn signatures() {
        assert!(is_signature(
            "中共厦门市海沧区委教育工委     厦门市海沧区教育局"
        ));
        assert!(is_signature("  2023年3月2日"));
        assert!(!is_signature(
            "各中小学、幼儿园、中等职业学校、特殊教育学校,局机关各科室、局属事业单位及各部门:"
        ));
        assert!(!is_signature("做好关心下一代工作。"));
    }

    #[test]
    fn regions() {
        let r = region(
            "2023年海沧区教育工作要点",
            Some((
                "中共厦门市海沧区委教育工委、厦门市海沧区教育局",
                Basis::Metadata,
            )),
        );
        assert_eq!(
            (r.code.as_deref(), r.city.as_deref(), r.basis),
            (Some("350205"), Some("厦门市"), Basis::Title)
        );
        let r = region(
            "2023年教育工作要点",
            Some(("厦门市海沧区教育局", Basis::Metadata)),
        );
        assert_eq!(
            (r.code.as_deref(), r.basis),
            (Some("350205"), Basis::Metadata)
        );
        assert!(region("市教育局2024年工作要点", None).is_unknown());
        assert!(region("2021 年某市教育系统工作要点", None).is_unknown());
    }
}
