//! The text layout of a plan file, as the seeds have it: the title line, the preamble
//! paragraph, sections `一、…`, and one numbered item a line, `13.深入推进…。…`, with
//! its responsible units at the end, `（责任单位：基教科、教研中心）`.

use edusearch_plans::Plan;

const NUMERALS: [&str; 10] = ["一", "二", "三", "四", "五", "六", "七", "八", "九", "十"];

/// 1 → 一, 10 → 十, 12 → 十二, 20 → 二十.
pub fn chinese_numeral(n: u32) -> String {
    let (tens, ones) = (n as usize / 10, n as usize % 10);
    match n {
        1..=10 => NUMERALS[n as usize - 1].to_owned(),
        11..=19 => format!("十{}", NUMERALS[ones - 1]),
        20..=99 if ones == 0 => format!("{}十", NUMERALS[tens - 1]),
        21..=99 => format!("{}十{}", NUMERALS[tens - 1], NUMERALS[ones - 1]),
        _ => n.to_string(),
    }
}

pub fn render(plan: &Plan) -> String {
    let mut out = String::with_capacity(64 * 1024);
    out.push_str(&plan.title);
    out.push('\n');
    if let Some(preamble) = &plan.preamble {
        out.push_str(preamble);
        out.push('\n');
    }
    let mut section = None;
    for item in &plan.items {
        if item.section != section {
            section = item.section;
            if let Some(s) = section.and_then(|n| plan.section(n)) {
                out.push_str(&chinese_numeral(s.number));
                out.push('、');
                out.push_str(s.title.as_deref().unwrap_or(""));
                out.push('\n');
            }
        }
        out.push_str(&item.number.to_string());
        out.push('.');
        out.push_str(&item.title);
        out.push('。');
        out.push_str(&item.body);
        if !item.units.is_empty() {
            out.push_str("（责任单位：");
            out.push_str(&item.units.join("、"));
            out.push('）');
        }
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numerals() {
        let got: Vec<String> = [1, 10, 11, 20, 23]
            .into_iter()
            .map(chinese_numeral)
            .collect();
        assert_eq!(got, ["一", "十", "十一", "二十", "二十三"]);
    }
}
