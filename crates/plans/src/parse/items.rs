//! One item's text cut into its parts: the lead phrase (title), the body, and the
//! responsible units listed in parentheses at its very end.

use std::sync::LazyLock;

use regex::Regex;

/// A parenthesised group closing the text: `(责任单位:基教科、教研中心,各学校)`, `(党建办)`.
static TRAILING_GROUP: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"[(（]([^()（）]*)[)）]\s*$").expect("trailing group pattern is valid")
});

/// The labels that introduce responsible units.
static UNIT_LABEL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?:责任|牵头|配合|参与|协办|主办|主责|负责|实施)(?:单位|部门|科室|处室)\s*[:：]?")
        .expect("unit label pattern is valid")
});

/// How the names of unlabelled units end (党建办, 基教科, 教育事务中心, 教师进修学校).
const UNIT_ENDINGS: [&str; 20] = [
    "办", "科", "处", "室", "局", "委", "部", "中心", "学校", "校", "院", "所", "站", "会", "组",
    "队", "团", "馆", "厅", "集团",
];

/// The parts of an item's text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ItemText {
    pub title: String,
    pub body: String,
    pub units: Vec<String>,
}

/// Cuts a cleaned item text: the units come off the end first, then the lead phrase
/// (the words before the first 。) is the title and the rest the body.
pub fn split_item(text: &str) -> ItemText {
    let (main, units) = take_units(text.trim());
    let (title, body) = match main.find('。') {
        Some(at) => (&main[..at], &main[at + '。'.len_utf8()..]),
        None => (main, ""),
    };
    ItemText {
        title: title.trim().to_string(),
        body: body.trim().to_string(),
        units,
    }
}

/// Splits responsible units off the end of `text`. A closing group counts when it is
/// labelled (责任单位:…), or when it follows a finished sentence and holds nothing but
/// unit names; parentheses elsewhere in an item (各园区(镇街)) are text.
fn take_units(text: &str) -> (&str, Vec<String>) {
    let Some(caps) = TRAILING_GROUP.captures(text) else {
        return (text, Vec::new());
    };
    let (Some(group), Some(inner)) = (caps.get(0), caps.get(1)) else {
        return (text, Vec::new());
    };
    let before = text[..group.start()].trim_end();
    let inner = inner.as_str();
    let labelled = UNIT_LABEL.find(inner).is_some_and(|m| m.start() == 0);
    let names = unit_names(inner);
    let after_sentence = before.is_empty() || before.ends_with(['。', '；', ';', '！', '？']);
    let all_units = !names.is_empty()
        && names
            .iter()
            .all(|n| n.chars().count() <= 20 && UNIT_ENDINGS.iter().any(|e| n.ends_with(e)))
        && !inner.contains(['。', '：', ':']);
    if labelled && !names.is_empty() || after_sentence && all_units {
        (before, names)
    } else {
        (text, Vec::new())
    }
}

/// The unit names of a group, labels removed: `责任单位:职教科, X水产学校` → [职教科, X水产学校].
fn unit_names(inner: &str) -> Vec<String> {
    let unlabelled = UNIT_LABEL.replace_all(inner, "、");
    unlabelled
        .split(['、', ',', '，', ';', '；', '/'])
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labelled_units_from_003() {
        let item =
            split_item("推动普通高中多元化发展。发挥省特色高中的辐射带动作用。(责任单位:基教科、教研中心,各学校)");
        assert_eq!(item.title, "推动普通高中多元化发展");
        assert_eq!(item.body, "发挥省特色高中的辐射带动作用。");
        assert_eq!(item.units, ["基教科", "教研中心", "各学校"]);
    }

    #[test]
    fn unlabelled_units_from_004() {
        let item =
            split_item("强化政治监督,全面落实从严管党治党。坚持以“严”的基调。(党建办、教育纪工委)");
        assert_eq!(item.title, "强化政治监督,全面落实从严管党治党");
        assert_eq!(item.body, "坚持以“严”的基调。");
        assert_eq!(item.units, ["党建办", "教育纪工委"]);
    }

    #[test]
    fn parentheses_in_text_are_not_units() {
        let item = split_item("加快新一轮学校项目建设。含高中2个、小学1个、幼儿园2个。(基建办)");
        assert_eq!(item.units, ["基建办"]);
        let item = split_item("深化集团化办学。推动松山湖、莞城等园区(镇街)");
        assert!(item.units.is_empty());
        assert_eq!(item.body, "推动松山湖、莞城等园区(镇街)");
        let item = split_item("规范校外培训。制定《管理办法(试行)》");
        assert!(item.units.is_empty());
        let item =
            split_item("深化清廉教育建设。建立机制(查民生热点、难点问题,查违纪违法易发问题,查廉政风险点;开展廉政谈话)");
        assert!(item.units.is_empty());
    }

    #[test]
    fn outline_line_is_all_title() {
        let item = split_item("实施班主任队伍提升工程");
        assert_eq!(item.title, "实施班主任队伍提升工程");
        assert_eq!(item.body, "");
    }
}
