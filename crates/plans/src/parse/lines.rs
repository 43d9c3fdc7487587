//! Numbering: section headings (`一、`), item numbers (`1.`, `9. `, `14 .`) at the start
//! of a line or inside it, and the lines that name a whole plan.

use std::sync::LazyLock;

use regex::Regex;

use super::clean::squeeze_spaces;

static HEADING: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^([一二三四五六七八九十]{1,3})\s*、\s*").expect("heading pattern is valid")
});

/// An item number at the start of a line. The separator must not be followed by a
/// digit, so that decimals (`3.5%`, `2.0版`) never start items.
static ITEM_START: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^([0-9０-９]{1,3})\s*[.．、]\s*").expect("item pattern is valid")
});

/// A candidate item number inside a line; accepted only where the numbering expects it.
static INLINE_ITEM: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"([0-9]{1,3})[ ]*[.．][ ]*").expect("inline item pattern is valid")
});

/// Words that make a short line the name of a plan.
const PLAN_WORDS: [&str; 8] = [
    "工作要点",
    "工作计划",
    "工作思路",
    "工作重点",
    "工作安排",
    "工作要點",
    "工作計劃",
    "工作計畫",
];

/// `一` → 1, `十` → 10, `十二` → 12, `二十三` → 23.
pub fn chinese_numeral(text: &str) -> Option<u32> {
    let digit = |c: char| "一二三四五六七八九".find(c).map(|i| i as u32 / 3 + 1);
    let chars: Vec<char> = text.chars().collect();
    match chars.as_slice() {
        [c] if *c == '十' => Some(10),
        [c] => digit(*c),
        ['十', u] => Some(10 + digit(*u)?),
        [t, '十'] => Some(digit(*t)? * 10),
        [t, '十', u] => Some(digit(*t)? * 10 + digit(*u)?),
        _ => None,
    }
}

/// A section heading `一、…`: its number and the rest of the line.
pub fn section_heading(line: &str) -> Option<(u32, &str)> {
    let caps = HEADING.captures(line)?;
    let number = chinese_numeral(caps.get(1)?.as_str())?;
    let rest = &line[caps.get(0)?.end()..];
    Some((number, rest))
}

/// An item number at the start of a line: the number and the rest of the line.
pub fn item_start(line: &str) -> Option<(u32, &str)> {
    let caps = ITEM_START.captures(line)?;
    let end = caps.get(0)?.end();
    let rest = &line[end..];
    if rest.starts_with(|c: char| c.is_ascii_digit() || ('０'..='９').contains(&c)) {
        return None;
    }
    let digits: String = caps
        .get(1)?
        .as_str()
        .chars()
        .map(|c| match c {
            '０'..='９' => char::from_u32(c as u32 - '０' as u32 + '0' as u32).unwrap_or(c),
            c => c,
        })
        .collect();
    Some((digits.parse().ok()?, rest))
}

/// Which item number may start inside a line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Expect {
    /// Only the next number of the running sequence.
    Next(u32),
    /// Any number: nothing numbered has been seen yet (a copy starting mid-plan).
    Any,
}

/// Splits `text` where further items start inside it (`…大体相当。 28.协调…`): the text
/// before the first such item, then each item found with its number. An item may start
/// only after a blank or a sentence end, with the number the sequence expects next.
pub fn split_inline_items(text: &str, mut expect: Expect) -> (&str, Vec<(u32, &str)>) {
    let mut starts: Vec<(usize, usize, u32)> = Vec::new(); // (marker start, text start, number)
    for caps in INLINE_ITEM.captures_iter(text) {
        let (Some(whole), Some(digits)) = (caps.get(0), caps.get(1)) else {
            continue;
        };
        let before = text[..whole.start()].chars().next_back();
        let opens = before
            .is_none_or(|c| c == ' ' || matches!(c, '。' | '；' | ';' | '！' | '？' | '!' | '?'));
        let after = text[whole.end()..].chars().next();
        let followed = after.is_some_and(|c| !c.is_ascii_digit() && c != '%');
        let Ok(number) = digits.as_str().parse::<u32>() else {
            continue;
        };
        let wanted = match expect {
            Expect::Next(n) => number == n,
            Expect::Any => number > 0 && before == Some(' '),
        };
        if opens && followed && wanted {
            starts.push((whole.start(), whole.end(), number));
            expect = Expect::Next(number + 1);
        }
    }
    let head_end = starts.first().map_or(text.len(), |s| s.0);
    let items = starts
        .iter()
        .enumerate()
        .map(|(i, &(_, from, number))| {
            let to = starts.get(i + 1).map_or(text.len(), |s| s.0);
            (number, &text[from..to])
        })
        .collect();
    (&text[..head_end], items)
}

/// True for a line that names a plan (`2021 年全市教育工作要点`, `河源市教育局2021年工作要点`):
/// short, with a plan word, and without the punctuation of running text.
pub fn is_plan_title(line: &str) -> bool {
    let line = squeeze_spaces(line);
    let len = line.chars().count();
    (4..=40).contains(&len)
        && PLAN_WORDS.iter().any(|w| line.contains(w))
        && !line.contains(['。', '，', ',', '：', ':', '；', ';', '《', '》', '>', '|'])
        && !is_notice_title(&line)
        && section_heading(&line).is_none()
        && item_start(&line).is_none()
}

/// True for the title of a covering notice (`…关于印发2023年教育工作要点的通知`): it says
/// who issued the plan, but it is not the plan's own title. A numbered item or a
/// sentence that names such documents (`1.…研究制订《关于…的意见》。…印发《…规划》`)
/// is not one.
pub fn is_notice_title(line: &str) -> bool {
    line.contains("关于")
        && (line.ends_with("通知") || line.contains("印发"))
        && !line.contains('。')
        && item_start(line).is_none()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chinese_numerals() {
        let parsed: Vec<_> = ["一", "五", "十", "十一", "二十", "二十三", "百", ""]
            .map(chinese_numeral)
            .into();
        assert_eq!(
            parsed,
            [
                Some(1),
                Some(5),
                Some(10),
                Some(11),
                Some(20),
                Some(23),
                None,
                None
            ]
        );
    }

    #[test]
    fn item_numbers_as_written() {
        assert_eq!(
            item_start("14 .推动普通高中多元化发展。"),
            Some((14, "推动普通高中多元化发展。"))
        );
        assert_eq!(
            item_start("9. 健全教育系统安全防控体系。"),
            Some((9, "健全教育系统安全防控体系。"))
        );
        assert_eq!(
            item_start("1.加强教育系统政治建设"),
            Some((1, "加强教育系统政治建设"))
        );
        assert_eq!(item_start("３．加强"), Some((3, "加强")));
    }

    #[test]
    fn decimals_never_start_items() {
        assert_eq!(item_start("3.3万个;公办园19所"), None);
        assert_eq!(item_start("2.0版,培育50个"), None);
        assert_eq!(item_start("2021年工作要点"), None);
    }

    #[test]
    fn headings() {
        assert_eq!(
            section_heading("十、全面强化各方协调联动"),
            Some((10, "全面强化各方协调联动"))
        );
        assert_eq!(
            section_heading("八、扎实 推进体旅融合 惠民改革"),
            Some((8, "扎实 推进体旅融合 惠民改革"))
        );
        assert_eq!(section_heading("一是加强"), None);
    }

    #[test]
    fn heading_with_its_first_item_on_the_same_line() {
        let line =
            "加强党的全面领导,引领和推动教育高质量发展 1.深入学习贯彻落实十九届五中全会精神。推进";
        let (head, items) = split_inline_items(line, Expect::Next(1));
        assert_eq!(head, "加强党的全面领导,引领和推动教育高质量发展 ");
        assert_eq!(items, [(1, "深入学习贯彻落实十九届五中全会精神。推进")]);
    }

    #[test]
    fn two_items_on_one_line() {
        let line =
            "规范中(高)职招生工作。加强扩招后市内高职学生的教育教学管理工作。 28.协调做好服务高等职业教育发展工作。";
        let (head, items) = split_inline_items(line, Expect::Next(28));
        assert_eq!(
            head,
            "规范中(高)职招生工作。加强扩招后市内高职学生的教育教学管理工作。 "
        );
        assert_eq!(items, [(28, "协调做好服务高等职业教育发展工作。")]);
    }

    #[test]
    fn numbers_inside_text_are_not_items() {
        for line in [
            "继续实施教育信息化 2.0 行动计划,投入 X 亿元",
            "打造“每周一歌”2.0版,培育50个优秀学生艺术社团",
            "新增公办中小学学位3.3万个;公办园19所",
            "关注学业成绩后 30%学生的学业发展",
            "组织建党 100 周年系列活动。 3.下一条",
        ] {
            let (head, items) = split_inline_items(line, Expect::Next(2));
            assert_eq!(head, line);
            assert!(items.is_empty(), "{line}");
        }
    }

    #[test]
    fn plan_titles() {
        assert!(is_plan_title(" 2021 年全市教育工作要点"));
        assert!(is_plan_title("市教育局2024年工作要点"));
        assert!(is_plan_title("2023年海沧区教育工作要点"));
        assert!(!is_plan_title(
            "近日,河源市教育局公布2021年工作要点,其中提到:积极协调"
        ));
        assert!(!is_plan_title(
            "现将《2023年海沧区教育工作要点》印发给你们,请结合实际认真贯彻落实。"
        ));
        assert!(!is_plan_title(
            "中共厦门市海沧区委教育工委 厦门市海沧区教育局关于印发2023年教育工作要点的通知"
        ));
        assert!(!is_plan_title(
            "当前位置:蚂蚁文档网 > 作文范文 > 2022年全市教育工作要点"
        ));
    }

    #[test]
    fn notice_titles() {
        assert!(is_notice_title(
            "中共厦门市海沧区委教育工委 厦门市海沧区教育局关于印发2023年教育工作要点的通知"
        ));
        assert!(is_notice_title("河源市教育局关于2021年工作要点的通知"));
        // The first item of a plan that names other documents.
        assert!(!is_notice_title(
            "1.全面加强劳动教育。研究制订《关于加强校长队伍建设的意见》。印发《xx市“十四五”教育事业发展规划》"
        ));
        assert!(!is_notice_title(
            "1.印发《关于进一步减轻义务教育阶段学生作业负担的通知》"
        ));
    }
}
