//! The five seed documents, parsed: the facts a reader finds in each, checks that hold
//! for every item, and a snapshot of each whole parse.

use edusearch_plans::parse::{parse_document, ParsedFile};
use edusearch_plans::{Basis, Completeness, Plan};

const SEEDS: [&str; 5] = [
    "000_7df3fdc0b0d15778.txt",
    "001_e4caccb4cccb9945.txt",
    "002_450f203c91f27f3e.txt",
    "003_48301fe1551795f4.txt",
    "004_2a59dc35d15015e3.txt",
];

fn parse_seed(name: &str) -> ParsedFile {
    let path = format!("{}/../../corpus/{name}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("reading {path}: {e}"));
    parse_document(&text, name)
}

fn numbers(plan: &Plan) -> Vec<u32> {
    plan.items.iter().map(|i| i.number).collect()
}

fn section_numbers(plan: &Plan) -> Vec<u32> {
    plan.sections.iter().map(|s| s.number).collect()
}

#[test]
fn seed_000_outline_and_truncated_full_text() {
    let parsed = parse_seed(SEEDS[0]);
    assert_eq!(parsed.plans.len(), 1);
    let plan = &parsed.plans[0];
    assert_eq!(plan.title, "市教育局2024年工作要点");
    assert_eq!((plan.year, plan.year_basis), (Some(2024), Basis::Title));
    assert!(
        plan.region.is_unknown(),
        "东莞 comes only from the manifest"
    );
    assert_eq!(plan.issuer, None);
    assert_eq!(section_numbers(plan), (1..=10).collect::<Vec<_>>());
    // The full text's section titles win over the outline's shorter ones.
    assert_eq!(
        plan.sections[0].title.as_deref(),
        Some("全面落实管党治党政治责任,加强党对教育工作的全面领导")
    );
    assert_eq!(
        plan.sections[9].title.as_deref(),
        Some("全面强化各方协调联动")
    );
    assert_eq!(numbers(plan), (1..=50).collect::<Vec<_>>());
    for item in &plan.items {
        let expected = match item.number {
            1..=21 => Completeness::Complete,
            22 => Completeness::Truncated,
            _ => Completeness::Outline,
        };
        assert_eq!(item.completeness, expected, "item {}", item.number);
        if item.completeness == Completeness::Outline {
            assert!(item.body.is_empty());
        }
    }
    assert_eq!(plan.items[12].title, "深入推进“双减”工作");
    assert_eq!(plan.items[21].title, "实施班主任队伍提升工程");
    assert!(plan.items[21].body.ends_with("促进年轻班主任"));
    assert_eq!(plan.items[49].title, "加强教育系统队伍建设");
    assert_eq!(plan.items[49].section, Some(10));
    let preamble = plan.preamble.as_deref().unwrap_or_default();
    assert!(preamble.starts_with("2024年是中华人民共和国成立75周年"));
    // Decimals in the text stay inside their items.
    assert!(plan.items[4].body.contains("新增公办中小学学位3.3万个"));
    assert!(plan.items[10].body.contains("“每周一歌”2.0版"));
}

#[test]
fn seed_001_two_plans_and_no_page_title() {
    let parsed = parse_seed(SEEDS[1]);
    assert_eq!(parsed.plans.len(), 2);
    let (a, b) = (&parsed.plans[0], &parsed.plans[1]);
    assert_eq!(a.title, "2021年全市教育工作要点");
    assert_eq!(b.title, "2021年某市教育系统工作要点");
    for plan in [a, b] {
        assert_eq!((plan.year, plan.year_basis), (Some(2021), Basis::Title));
        assert!(plan.region.is_unknown());
        assert_eq!(section_numbers(plan), (1..=6).collect::<Vec<_>>());
        assert_eq!(plan.published, None);
        assert!(plan
            .items
            .iter()
            .all(|i| i.completeness == Completeness::Complete));
    }
    assert_eq!(numbers(a), (1..=25).collect::<Vec<_>>());
    assert_eq!(numbers(b), (1..=23).collect::<Vec<_>>());
    assert_ne!(a.id, b.id);
    // Headings with the first item on the same line.
    assert_eq!(
        a.sections[0].title.as_deref(),
        Some("加强党的全面领导,引领和推动教育高质量发展")
    );
    assert_eq!(a.items[0].title, "深入学习贯彻落实十九届五中全会精神");
    assert_eq!(a.items[5].section, Some(2));
    // Lines broken by page breaks are joined.
    assert!(a.items[6].body.contains("社会艺术实践“三位一体”的育人机制"));
    assert!(a.items[4]
        .body
        .ends_with("提高离退休干部服务保障水平,做好关心下一代工作。"));
    assert!(a.items[21]
        .body
        .ends_with("开展教师减负、工作活力激发和优待政策研究制订工作。"));
    assert!(b.items[7].body.contains("继续实施教育信息化2.0行动计划"));
    // Nothing of the page: its 2022 title, its timestamp, its link lists.
    let json = serde_json::to_string(&parsed.plans).unwrap_or_default();
    for chrome in [
        "2022",
        "浏览次数",
        "推荐访问",
        "猜你喜欢",
        "以下内容供参考",
        "当前位置",
    ] {
        assert!(!json.contains(chrome), "{chrome}");
    }
}

#[test]
fn seed_002_heyuan_and_two_items_on_one_line() {
    let parsed = parse_seed(SEEDS[2]);
    assert_eq!(parsed.plans.len(), 1);
    let plan = &parsed.plans[0];
    assert_eq!(plan.title, "河源市教育局2021年工作要点");
    assert_eq!(
        (plan.issuer.as_deref(), plan.issuer_basis),
        (Some("河源市教育局"), Basis::Title)
    );
    assert_eq!(plan.region.code.as_deref(), Some("441600"));
    assert_eq!(plan.region.city.as_deref(), Some("河源市"));
    assert_eq!(plan.region.province.as_deref(), Some("广东省"));
    assert_eq!(plan.region.basis, Basis::Title);
    assert_eq!((plan.year, plan.year_basis), (Some(2021), Basis::Title));
    assert_eq!(section_numbers(plan), (1..=10).collect::<Vec<_>>());
    assert_eq!(numbers(plan), (1..=55).collect::<Vec<_>>());
    let item = |n: u32| {
        plan.items
            .iter()
            .find(|i| i.number == n)
            .expect("item present")
    };
    assert_eq!(item(43).title, "规范校外培训机构发展");
    assert_eq!(item(43).section, Some(8));
    assert!(item(43).body.starts_with("推动建立河源市关于"));
    assert_eq!(item(27).title, "规范中(高)职招生工作");
    assert!(item(27)
        .body
        .ends_with("加强扩招后市内高职学生的教育教学管理工作。"));
    assert_eq!(item(28).title, "协调做好服务高等职业教育发展工作");
    assert_eq!(item(9).title, "健全教育系统安全防控体系");
    assert!(item(37).body.contains("信息技术2.0"));
    assert!(
        item(55).body.ends_with("扩大教育影响力。"),
        "the source line is not text"
    );
    // The news lead repeats item 28; it is neither an item nor the preamble.
    let preamble = plan.preamble.as_deref().unwrap_or_default();
    assert!(preamble.starts_with("2021年,是河源教育发展"));
    assert!(!preamble.contains("近日"));
    assert!(plan
        .items
        .iter()
        .all(|i| i.completeness == Completeness::Complete));
}

#[test]
fn seed_003_fragment_with_units() {
    let parsed = parse_seed(SEEDS[3]);
    assert_eq!(parsed.plans.len(), 1);
    let plan = &parsed.plans[0];
    assert_eq!(
        (plan.title.as_str(), plan.title_basis),
        ("", Basis::Unknown)
    );
    assert_eq!((plan.year, plan.year_basis), (None, Basis::Unknown));
    assert!(plan.region.is_unknown());
    assert_eq!(section_numbers(plan), (4..=10).collect::<Vec<_>>());
    assert_eq!(plan.sections[0].title, None);
    assert_eq!(
        plan.sections[1].title.as_deref(),
        Some("着力实施职教助企专项改革行动")
    );
    assert_eq!(
        plan.sections[4].title.as_deref(),
        Some("扎实推进体旅融合惠民改革")
    );
    assert_eq!(numbers(plan), (14..=41).collect::<Vec<_>>());
    let sections: Vec<Option<u32>> = plan.items.iter().map(|i| i.section).collect();
    let expected: Vec<Option<u32>> = [
        (14..=16, 4),
        (17..=20, 5),
        (21..=25, 6),
        (26..=28, 7),
        (29..=32, 8),
        (33..=36, 9),
        (37..=41, 10),
    ]
    .into_iter()
    .flat_map(|(range, s)| range.map(move |_| Some(s)))
    .collect();
    assert_eq!(sections, expected);
    assert!(plan.items.iter().all(|i| !i.units.is_empty()));
    assert_eq!(plan.items[0].units, ["基教科", "教研中心", "各学校"]);
    assert_eq!(plan.items[3].title, "推动教学提质培优");
    assert_eq!(plan.items[3].units, ["职教科", "X水产学校"]);
    assert_eq!(plan.items[9].title, "统筹推进“双减”工作");
    assert!(plan.items[10].body.contains("吸引外地学生来荣研学"));
    assert!(plan.items[21]
        .body
        .contains("(查民生热点、难点问题,查违纪违法易发问题,查廉政风险点;开展廉政谈话)"));
    assert!(parsed.warnings.iter().any(|w| w.contains("start at 14")));
}

#[test]
fn seed_004_haicang_with_metadata() {
    let parsed = parse_seed(SEEDS[4]);
    assert_eq!(parsed.plans.len(), 1);
    let plan = &parsed.plans[0];
    assert_eq!(plan.title, "2023年海沧区教育工作要点");
    assert_eq!(plan.region.code.as_deref(), Some("350205"));
    assert_eq!(plan.region.county.as_deref(), Some("海沧区"));
    assert_eq!(plan.region.city.as_deref(), Some("厦门市"));
    assert_eq!(plan.region.province.as_deref(), Some("福建省"));
    assert_eq!(plan.region.basis, Basis::Title);
    assert_eq!((plan.year, plan.year_basis), (Some(2023), Basis::Title));
    assert_eq!(
        plan.issuer.as_deref(),
        Some("中共厦门市海沧区委教育工委、厦门市海沧区教育局")
    );
    assert_eq!(plan.issuer_basis, Basis::Metadata);
    assert_eq!(plan.doc_number.as_deref(), Some("厦海教工委〔2023〕16号"));
    assert_eq!(plan.published.as_deref(), Some("2023-03-02"));
    assert_eq!(section_numbers(plan), (1..=6).collect::<Vec<_>>());
    assert_eq!(numbers(plan), (1..=25).collect::<Vec<_>>());
    assert!(plan.items.iter().all(|i| !i.units.is_empty()));
    assert_eq!(plan.items[1].units, ["党建办", "教育纪工委"]);
    assert_eq!(plan.items[8].title, "加强培训机构常态化监管");
    assert!(plan.items[10].body.ends_with("幼儿园2个。"));
    let preamble = plan.preamble.as_deref().unwrap_or_default();
    assert!(preamble.starts_with("2023年是全面贯彻党的二十大精神的开局之年"));
    assert!(!preamble.contains("印发给你们"));
}

#[test]
fn all_seeds_together() {
    let parsed: Vec<ParsedFile> = SEEDS.iter().map(|s| parse_seed(s)).collect();
    let items: usize = parsed
        .iter()
        .flat_map(|p| &p.plans)
        .map(|p| p.items.len())
        .sum();
    assert_eq!(items, 206);
    let mut ids: Vec<&str> = parsed
        .iter()
        .flat_map(|p| &p.plans)
        .flat_map(|p| &p.items)
        .map(|i| i.id.as_str())
        .collect();
    let total = ids.len();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), total, "item ids are unique");
}

fn is_cjk(c: char) -> bool {
    ('\u{4e00}'..='\u{9fff}').contains(&c) || ('\u{3400}'..='\u{4dbf}').contains(&c)
}

fn has_space_between_cjk(text: &str) -> bool {
    let chars: Vec<char> = text.chars().collect();
    chars
        .windows(3)
        .any(|w| is_cjk(w[0]) && w[1].is_whitespace() && is_cjk(w[2]))
}

#[test]
fn every_item_reads_clean() {
    let chrome = [
        "当前位置",
        "浏览次数",
        "推荐访问",
        "猜你喜欢",
        "相关解读",
        "分享:",
        "来源:",
        "以下内容供参考",
        "索引号",
        "文号",
    ];
    for seed in SEEDS {
        for plan in parse_seed(seed).plans {
            for item in &plan.items {
                let at = format!("{seed} item {}", item.number);
                for text in [&item.title, &item.body] {
                    assert!(!has_space_between_cjk(text), "{at}: {text}");
                    assert!(!text.contains('\n'), "{at}");
                    for c in chrome {
                        assert!(!text.contains(c), "{at}: {c}");
                    }
                    // No text of the next item: its number does not open a sentence here.
                    let next = format!("{}.", item.number + 1);
                    for sep in ["。", " ", ")"] {
                        assert!(
                            !text.contains(&format!("{sep}{next}")),
                            "{at}: holds {next}"
                        );
                    }
                }
                assert!(!item.title.is_empty(), "{at}");
                assert!(!item.title.contains('。'), "{at}");
                let starts_with_decimal_fragment = item
                    .body
                    .starts_with(|c: char| c.is_ascii_digit() || c == '%' || c == '万');
                assert!(!starts_with_decimal_fragment, "{at}: {}", item.body);
                assert!(
                    !item.title.starts_with(|c: char| c.is_ascii_digit()),
                    "{at}"
                );
                assert!(
                    item.units.iter().all(|u| !u.is_empty() && !u.contains(' ')),
                    "{at}"
                );
            }
        }
    }
}

#[test]
fn snapshots() {
    for seed in SEEDS {
        let parsed = parse_seed(seed);
        let name = seed.split('_').next().unwrap_or(seed);
        insta::assert_yaml_snapshot!(format!("seed_{name}"), parsed);
    }
}
