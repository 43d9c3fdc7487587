//! Whatever the text, parsing never panics and never gives two items one id.

use std::collections::HashSet;

use edusearch_plans::parse::parse_document;
use proptest::prelude::*;

/// Pieces that look like a work plan's text: numbering, decimals, headings, titles,
/// chrome, units, blanks and breaks, in any order.
fn plan_like_piece() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("一、".to_string()),
        Just("二、".to_string()),
        Just("十、".to_string()),
        Just("2021年工作要点\n".to_string()),
        Just("(责任单位: 基教科 、教研中心)".to_string()),
        Just("推荐访问:".to_string()),
        Just("来源:".to_string()),
        Just("〔2023〕16号".to_string()),
        Just("2023年3月2日\n".to_string()),
        (0u32..60).prop_map(|n| format!("{n}.")),
        (0u32..60).prop_map(|n| format!("{n} .")),
        (0u32..10, 0u32..10).prop_map(|(a, b)| format!("{a}.{b}")),
        prop::sample::select(vec![
            '。', '、', '．', '.', '，', ',', '\n', ' ', '(', ')', '（', '）', '%', '\u{3000}',
            '\r'
        ])
        .prop_map(String::from),
        "[\u{4e00}-\u{4e60}]{1,8}",
        "[0-9]{1,4}",
    ]
}

fn plan_like_text() -> impl Strategy<Value = String> {
    prop::collection::vec(plan_like_piece(), 0..80).prop_map(|pieces| pieces.concat())
}

fn assert_sound(text: &str) {
    let parsed = parse_document(text, "corpus/x.txt");
    let mut ids = HashSet::new();
    for plan in &parsed.plans {
        assert!(ids.insert(plan.id.clone()), "plan id {}", plan.id);
        for item in &plan.items {
            assert!(ids.insert(item.id.clone()), "item id {}", item.id);
        }
    }
    if parsed.plans.iter().all(|p| p.items.is_empty()) {
        assert!(!parsed.warnings.is_empty(), "an empty parse says so");
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn arbitrary_strings(text in any::<String>()) {
        assert_sound(&text);
    }

    #[test]
    fn chinese_like_text(text in plan_like_text()) {
        assert_sound(&text);
    }
}
