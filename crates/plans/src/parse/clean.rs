//! Normalising raw text and recognising page chrome: the breadcrumbs, view counters,
//! share links and footers that web copies wrap around a plan.

use std::sync::LazyLock;

use regex::Regex;

/// Line endings unified, BOM and zero-width characters dropped, and every kind of
/// horizontal blank (tab, NBSP, ideographic space) made an ASCII space, so that later
/// steps only ever see `' '` and `'\n'`.
pub fn normalise(text: &str) -> String {
    let text = text.replace("\r\n", "\n");
    text.chars()
        .filter_map(|c| match c {
            '\u{feff}' | '\u{200b}' | '\u{200c}' | '\u{200d}' | '\u{2060}' => None,
            '\r' | '\u{2028}' | '\u{2029}' | '\u{0c}' | '\u{0b}' => Some('\n'),
            '\n' => Some('\n'),
            c if c.is_whitespace() => Some(' '),
            c if c.is_control() => None,
            c => Some(c),
        })
        .collect()
}

/// Collapses blanks the way a reader would: a space survives only between two ASCII
/// letters or digits (`Hello World`, `1 2`); anywhere else it is an artefact of PDF
/// extraction or page layout (`研 学`, `xx 市`, `985 、 211`) and is removed.
pub fn squeeze_spaces(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut pending_space = false;
    for c in text.chars() {
        if c.is_whitespace() {
            pending_space = true;
            continue;
        }
        if pending_space {
            let prev_ascii = out
                .chars()
                .next_back()
                .is_some_and(|p| p.is_ascii_alphanumeric());
            if prev_ascii && c.is_ascii_alphanumeric() {
                out.push(' ');
            }
            pending_space = false;
        }
        out.push(c);
    }
    out
}

/// Punctuation that may end a sentence, a paragraph or an item as published.
pub fn ends_sentence(text: &str) -> bool {
    text.trim_end().chars().next_back().is_some_and(|c| {
        matches!(
            c,
            '。' | '！'
                | '？'
                | '!'
                | '?'
                | '；'
                | ';'
                | '）'
                | ')'
                | '”'
                | '"'
                | '」'
                | '』'
                | '…'
        )
    })
}

/// Joins the lines of one paragraph-bearing text: a line that ends a sentence starts a
/// new paragraph; a line broken mid-sentence (a page break) is glued to the next.
pub fn join_paragraphs<S: AsRef<str>>(lines: &[S]) -> String {
    let mut out = String::new();
    let mut open = String::new();
    for line in lines {
        let line = line.as_ref().trim();
        if line.is_empty() {
            continue;
        }
        if !open.is_empty() {
            open.push(' ');
        }
        open.push_str(line);
        if ends_sentence(line) {
            push_paragraph(&mut out, &open);
            open.clear();
        }
    }
    push_paragraph(&mut out, &open);
    out
}

fn push_paragraph(out: &mut String, raw: &str) {
    let paragraph = squeeze_spaces(raw);
    if paragraph.is_empty() {
        return;
    }
    if !out.is_empty() {
        out.push('\n');
    }
    out.push_str(&paragraph);
}

/// Lines of page furniture inside the copy: dropped from the text, but kept aside
/// because some of them (文号, 公文生成日期) carry the plan's metadata.
static CHROME: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?x)^[•·●◆■\-\*]?\s*(?:
            (?:当前位置|您的位置|您现在的位置|当前所在位置)
          | 时间[:：].*(?:浏览|阅读|点击)
          | .*(?:浏览次数|阅读次数|点击数|访问量)[:：]?
          | (?:来源|来自|发布时间|发布日期|更新时间|作者|编辑|责任编辑|文章来源|信息来源|字号|字体|打印|关闭)[:：]
          | 分享(?:到)?[:：]?$
          | 分享到
          | 以下(?:内容|文章|为|是).{0,6}(?:参考|正文)
          | (?:索引号|备注/?文号|文号|发文字号|发布机构|发文机关|公文生成日期|成文日期|印发日期|内容概述|原文件下载|是否规范性文件|主题分类|有效性|生效日期|废止日期|体裁分类|组配分类|服务对象)[:：]
          | (?:打印本页|关闭窗口|打印此页|【打印】|【关闭】|扫一扫|【字体|字体[:：]?\s*[大中小])
        )",
    )
    .expect("chrome pattern is valid")
});

/// Lines after which a page holds nothing of the plan: link lists and footers.
static FOOTER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"^(?:推荐访问|猜你喜欢|相关解读|相关阅读|相关文章|相关链接|相关推荐|延伸阅读|热门文章|热门推荐|上一篇|下一篇|上一条|下一条|网站地图|版权所有|主办单位)",
    )
    .expect("footer pattern is valid")
});

/// True for a line of page chrome. `line` is already space-squeezed, so that
/// `• 索 引 号:` reads `•索引号:`.
pub fn is_chrome(line: &str) -> bool {
    // Chrome is short; a long line that happens to mention 点击数 is text.
    line.chars().count() <= 120 && CHROME.is_match(line)
}

/// True for a line that ends the page's content.
pub fn is_footer(line: &str) -> bool {
    FOOTER.is_match(line)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spaces_inside_chinese_are_removed() {
        assert_eq!(squeeze_spaces("发挥 省特色 高中"), "发挥省特色高中");
        assert_eq!(
            squeeze_spaces("(责任单位: 基教科 、教研中心,各学校)"),
            "(责任单位:基教科、教研中心,各学校)"
        );
        assert_eq!(
            squeeze_spaces("对接省 教科院和 985 、 211 “双一流”高校"),
            "对接省教科院和985、211“双一流”高校"
        );
        assert_eq!(
            squeeze_spaces("不低于符合条件的 15 %"),
            "不低于符合条件的15%"
        );
    }

    #[test]
    fn spaces_between_ascii_words_are_kept() {
        assert_eq!(squeeze_spaces("扩大 xx 教育 e 平台"), "扩大xx教育e平台");
        assert_eq!(
            squeeze_spaces("STEAM  education 2.0"),
            "STEAM education 2.0"
        );
    }

    #[test]
    fn normalise_unifies_blanks_and_line_ends() {
        assert_eq!(
            normalise("\u{feff}一、\u{3000}总体\r\n要求\u{a0}x"),
            "一、 总体\n要求 x"
        );
    }

    #[test]
    fn page_breaks_mid_sentence_are_glued_and_paragraphs_kept() {
        let lines = [
            "构建艺术学科课堂教学、社团活动和社会艺",
            "术实践“三位一体”的育人机制。",
            "新段落。",
        ];
        assert_eq!(
            join_paragraphs(&lines),
            "构建艺术学科课堂教学、社团活动和社会艺术实践“三位一体”的育人机制。\n新段落。"
        );
    }

    #[test]
    fn chrome_lines_from_the_seeds() {
        for line in [
            "当前位置:蚂蚁文档网>作文范文>2022年全市教育工作要点",
            "时间:2022-07-13 11:50:05浏览次数:",
            "以下内容供参考:",
            "•索引号:XM04106-02-00-2023-006",
            "•备注/文号:厦海教工委〔2023〕16号",
            "•公文生成日期:2023-03-02",
            "来源:海沧区教育局发布时间:2023-03-02 15:47",
            "分享:",
            "来源:河源市教育局",
        ] {
            assert!(is_chrome(line), "{line}");
        }
        for line in ["推荐访问:全市工作要点教育", "猜你喜欢", "相关解读"] {
            assert!(is_footer(line), "{line}");
        }
        assert!(!is_chrome("2023年海沧区教育工作要点"));
        assert!(!is_chrome("14.推动普通高中多元化发展。"));
    }
}
