//! Tests of the division list: the embedded data file as a whole, lookups by
//! code and name, chains, children, short names and names found in text.

use super::*;
use std::collections::HashSet;

fn d() -> &'static Divisions {
    Divisions::global()
}

fn codes(found: Vec<&Division>) -> Vec<&str> {
    found.into_iter().map(|d| d.code.as_str()).collect()
}

fn found_code(text: &str) -> Option<&'static str> {
    d().find_in_text(text).map(|d| d.code.as_str())
}

fn name_of(code: &str) -> &'static str {
    d().get(code).map_or("", |d| d.name.as_str())
}

// ---------------------------------------------------------------------------
// The data file as a whole

#[test]
fn embedded_data_parses() {
    let parsed = Divisions::parse(EMBEDDED_TSV);
    assert!(parsed.is_ok(), "{:?}", parsed.err());
}

#[test]
fn data_covers_every_county_level_unit_and_above() {
    let count = |level| d().all().filter(|x| x.level == level).count();
    // Mainland China: 22 provinces, 5 autonomous regions, 4 municipalities.
    assert_eq!(count(Level::Province), 31);
    assert!(
        (330..=340).contains(&count(Level::City)),
        "{}",
        count(Level::City)
    );
    assert!(count(Level::County) > 2800, "{}", count(Level::County));
    assert!(d().all().len() > 3200, "{}", d().all().len());
}

#[test]
fn codes_are_unique_and_sorted() {
    let all: Vec<&str> = d().all().map(|x| x.code.as_str()).collect();
    assert!(all.windows(2).all(|w| w[0] < w[1]));
    let unique: HashSet<&str> = all.iter().copied().collect();
    assert_eq!(unique.len(), all.len());
}

#[test]
fn every_parent_exists_and_levels_match_codes() {
    for x in d().all() {
        match x.level {
            Level::Province => {
                assert!(x.code.ends_with("0000"), "{x:?}");
                assert_eq!(x.parent, None, "{x:?}");
            }
            Level::City => {
                assert!(x.code.ends_with("00") && !x.code.ends_with("0000"), "{x:?}");
                let p = d()
                    .get(x.parent.as_deref().unwrap_or(""))
                    .expect("parent exists");
                assert_eq!(p.level, Level::Province, "{x:?}");
                assert_eq!(p.code[..2], x.code[..2], "{x:?}");
            }
            Level::County => {
                assert!(!x.code.ends_with("00"), "{x:?}");
                let p = d()
                    .get(x.parent.as_deref().unwrap_or(""))
                    .expect("parent exists");
                assert_ne!(p.level, Level::County, "{x:?}");
                let shared = if p.level == Level::City { 4 } else { 2 };
                assert_eq!(p.code[..shared], x.code[..shared], "{x:?}");
            }
        }
    }
}

#[test]
fn every_division_is_a_child_of_its_parent() {
    for x in d().all() {
        if let Some(p) = &x.parent {
            assert!(d().children(p).any(|c| c.code == x.code), "{x:?}");
        }
    }
    let total: usize = d().all().map(|x| d().children(&x.code).len()).sum();
    assert_eq!(total, d().all().filter(|x| x.parent.is_some()).count());
}

#[test]
fn names_are_clean_and_placeholders_dropped() {
    for x in d().all() {
        assert!(!x.name.is_empty() && x.name.trim() == x.name, "{x:?}");
        assert!(
            !x.name.chars().any(|c| c.is_ascii() || c.is_whitespace()),
            "{x:?}"
        );
        assert!(!matches!(x.name.as_str(), "市辖区" | "县"), "{x:?}");
        assert!(!x.name.ends_with("直辖县级行政区划"), "{x:?}");
    }
    // The placeholders' codes are not divisions.
    for code in [
        "110100", "120100", "310100", "500100", "500200", "419000", "429000", "469000",
    ] {
        assert!(d().get(code).is_none(), "{code}");
    }
}

#[test]
fn cities_without_counties_are_not_repeated_as_counties() {
    for (code, name) in [
        ("441900", "东莞市"),
        ("442000", "中山市"),
        ("460400", "儋州市"),
        ("620200", "嘉峪关市"),
    ] {
        assert_eq!(name_of(code), name);
        assert_eq!(d().children(code).len(), 0, "{name}");
        assert_eq!(codes(d().lookup(name)), [code], "{name}");
    }
}

// ---------------------------------------------------------------------------
// Parsing the TSV format

#[test]
fn parse_accepts_a_minimal_file() {
    let tsv = "# a comment\ncode\tname\tlevel\tparent_code\n\
               350000\t福建省\tprovince\t\n\
               350200\t厦门市\tcity\t350000\n\
               350205\t海沧区\tcounty\t350200\n";
    let list = Divisions::parse(tsv).expect("parses");
    assert_eq!(list.all().len(), 3);
    assert_eq!(codes(list.lookup("海沧")), ["350205"]);
    assert_eq!(
        list.chain("350205")
            .and_then(|c| c.city)
            .map(|c| c.name.as_str()),
        Some("厦门市")
    );
}

#[test]
fn parse_rejects_malformed_files() {
    let head = "code\tname\tlevel\tparent_code\n";
    let bad = [
        ("no header", "350000\t福建省\tprovince\t\n".to_owned()),
        ("wrong header", "code\tname\tlevel\n".to_owned()),
        ("three fields", format!("{head}350000\t福建省\tprovince\n")),
        ("short code", format!("{head}35000\t福建省\tprovince\t\n")),
        ("letters in code", format!("{head}35000a\t福建省\tprovince\t\n")),
        ("empty name", format!("{head}350000\t\tprovince\t\n")),
        ("padded name", format!("{head}350000\t 福建省\tprovince\t\n")),
        ("bad level", format!("{head}350000\t福建省\tstate\t\n")),
        ("unsorted", format!("{head}350000\t福建省\tprovince\t\n340000\t安徽省\tprovince\t\n")),
        ("duplicate", format!("{head}350000\t福建省\tprovince\t\n350000\t福建省\tprovince\t\n")),
        ("unknown parent", format!("{head}350000\t福建省\tprovince\t\n350200\t厦门市\tcity\t360000\n")),
        ("city without parent", format!("{head}350200\t厦门市\tcity\t\n")),
        ("province with parent", format!("{head}350000\t福建省\tprovince\t\n360000\t江西省\tprovince\t350000\n")),
        ("province code", format!("{head}350001\t福建省\tprovince\t\n")),
        (
            "county under another province",
            format!("{head}350000\t福建省\tprovince\t\n360000\t江西省\tprovince\t\n360105\t湾里区\tcounty\t350000\n"),
        ),
        (
            "county under another city",
            format!(
                "{head}350000\t福建省\tprovince\t\n350100\t福州市\tcity\t350000\n\
                 350200\t厦门市\tcity\t350000\n350205\t海沧区\tcounty\t350100\n"
            ),
        ),
    ];
    for (what, tsv) in bad {
        assert!(Divisions::parse(&tsv).is_err(), "{what} was accepted");
    }
}

// ---------------------------------------------------------------------------
// get, chain, children

#[test]
fn get_finds_the_seed_regions() {
    for (code, name, level) in [
        ("441600", "河源市", Level::City),
        ("441900", "东莞市", Level::City),
        ("370200", "青岛市", Level::City),
        ("321283", "泰兴市", Level::County),
        ("371082", "荣成市", Level::County),
        ("350205", "海沧区", Level::County),
        ("440000", "广东省", Level::Province),
    ] {
        let x = d().get(code).unwrap_or_else(|| panic!("{code} missing"));
        assert_eq!((x.name.as_str(), x.level), (name, level));
    }
}

#[test]
fn get_rejects_unknown_codes() {
    for code in [
        "",
        "000000",
        "999999",
        "44160",
        "4416000",
        "河源市",
        " 441600",
    ] {
        assert!(d().get(code).is_none(), "{code:?}");
    }
}

fn chain_names(code: &str) -> [Option<&'static str>; 3] {
    let c = d()
        .chain(code)
        .unwrap_or_else(|| panic!("no chain for {code}"));
    [c.province, c.city, c.county].map(|x| x.map(|x| x.name.as_str()))
}

#[test]
fn chain_of_a_county_under_a_city() {
    assert_eq!(
        chain_names("350205"),
        [Some("福建省"), Some("厦门市"), Some("海沧区")]
    );
    assert_eq!(
        chain_names("371082"),
        [Some("山东省"), Some("威海市"), Some("荣成市")]
    );
    assert_eq!(
        chain_names("321283"),
        [Some("江苏省"), Some("泰州市"), Some("泰兴市")]
    );
    assert_eq!(
        d().get("350205").and_then(|x| x.parent.as_deref()),
        Some("350200")
    );
    assert_eq!(
        d().get("350200").and_then(|x| x.parent.as_deref()),
        Some("350000")
    );
}

#[test]
fn chain_of_a_city_and_of_a_province() {
    assert_eq!(
        chain_names("441600"),
        [Some("广东省"), Some("河源市"), None]
    );
    assert_eq!(
        chain_names("441900"),
        [Some("广东省"), Some("东莞市"), None]
    );
    assert_eq!(chain_names("370000"), [Some("山东省"), None, None]);
    let c = d().chain("370200").expect("青岛市");
    assert_eq!(c.deepest().map(|x| x.code.as_str()), Some("370200"));
}

#[test]
fn municipal_districts_chain_to_the_municipality() {
    for (municipality, district) in [
        ("110000", "110105"),
        ("120000", "120101"),
        ("310000", "310115"),
        ("500000", "500101"),
    ] {
        let x = d().get(district).expect("district");
        assert_eq!(x.parent.as_deref(), Some(municipality), "{x:?}");
        let c = d().chain(district).expect("chain");
        assert_eq!(c.province.map(|p| p.code.as_str()), Some(municipality));
        assert!(c.city.is_none(), "{district} has a city");
    }
    // Every district and county of a municipality is directly under it.
    for m in ["110000", "120000", "310000", "500000"] {
        assert!(d().children(m).len() >= 10, "{m}");
        assert!(d().children(m).all(|c| c.level == Level::County), "{m}");
    }
}

#[test]
fn counties_directly_under_a_province_have_no_city() {
    assert_eq!(
        chain_names("429004"),
        [Some("湖北省"), None, Some("仙桃市")]
    );
    assert_eq!(
        chain_names("419001"),
        [Some("河南省"), None, Some("济源市")]
    );
}

#[test]
fn chain_of_an_unknown_code_is_none() {
    assert!(d().chain("999999").is_none());
    assert!(d().chain("").is_none());
    assert!(d().chain("110100").is_none());
}

#[test]
fn children_in_code_order_with_this_parent() {
    let kids: Vec<&Division> = d().children("350200").collect();
    assert!(kids
        .iter()
        .any(|k| k.code == "350205" && k.name == "海沧区"));
    assert!(kids
        .iter()
        .all(|k| k.parent.as_deref() == Some("350200") && k.level == Level::County));
    assert!(kids.windows(2).all(|w| w[0].code < w[1].code));

    let cities: Vec<&str> = d().children("440000").map(|c| c.name.as_str()).collect();
    assert!(
        cities.contains(&"河源市") && cities.contains(&"东莞市"),
        "{cities:?}"
    );
    assert_eq!(d().children("440000").len(), 21); // Guangdong's 21 prefecture-level cities
}

#[test]
fn children_of_a_county_or_unknown_code_are_empty() {
    assert_eq!(d().children("350205").len(), 0);
    assert_eq!(d().children("999999").len(), 0);
    assert_eq!(d().children("").len(), 0);
}

// ---------------------------------------------------------------------------
// lookup by name

#[test]
fn lookup_full_and_short_names() {
    assert_eq!(codes(d().lookup("河源")), ["441600"]);
    assert_eq!(codes(d().lookup("河源市")), ["441600"]);
    assert_eq!(codes(d().lookup("海沧区")), ["350205"]);
    assert_eq!(codes(d().lookup("海沧")), ["350205"]);
    assert_eq!(codes(d().lookup("荣成市")), ["371082"]);
    assert_eq!(codes(d().lookup("泰兴")), ["321283"]);
    assert_eq!(codes(d().lookup("东莞")), ["441900"]);
    assert_eq!(codes(d().lookup("青岛市")), ["370200"]);
    assert_eq!(codes(d().lookup("广东")), ["440000"]);
    assert_eq!(codes(d().lookup("广西")), ["450000"]);
    assert_eq!(codes(d().lookup("内蒙古")), ["150000"]);
    assert_eq!(codes(d().lookup("北京")), ["110000"]);
}

#[test]
fn lookup_by_code_and_with_whitespace() {
    assert_eq!(codes(d().lookup("441600")), ["441600"]);
    assert_eq!(codes(d().lookup(" 河源市\n")), ["441600"]);
    assert_eq!(codes(d().lookup("\t441600 ")), ["441600"]);
    assert!(d().lookup("999999").is_empty());
    assert!(d().lookup("110100").is_empty()); // a dropped placeholder
}

#[test]
fn lookup_of_a_repeated_name_gives_every_candidate() {
    let chaoyang = codes(d().lookup("朝阳区"));
    assert!(chaoyang.len() >= 2, "{chaoyang:?}");
    assert!(
        chaoyang.contains(&"110105") && chaoyang.contains(&"220104"),
        "{chaoyang:?}"
    );
    assert!(chaoyang.iter().all(|c| name_of(c) == "朝阳区"));

    let gulou = codes(d().lookup("鼓楼区"));
    assert_eq!(gulou.len(), 4, "{gulou:?}");
    assert!(
        gulou.windows(2).all(|w| w[0] < w[1]),
        "same level: code order"
    );
}

#[test]
fn lookup_orders_general_levels_first() {
    // 吉林省 before 吉林市; 朝阳市 (city) before 朝阳县 and the 朝阳区 districts.
    assert_eq!(codes(d().lookup("吉林")), ["220000", "220200"]);
    let levels: Vec<Level> = d().lookup("朝阳").iter().map(|x| x.level).collect();
    assert!(levels.len() >= 3, "{levels:?}");
    assert!(levels.windows(2).all(|w| w[0] <= w[1]), "{levels:?}");
    assert_eq!(levels[0], Level::City);
}

#[test]
fn lookup_misses_give_nothing() {
    for name in [
        "",
        " ",
        "某市",
        "XX市",
        "全市",
        "教育局",
        "河",
        "市",
        "区",
        "县",
    ] {
        assert!(d().lookup(name).is_empty(), "{name:?}");
    }
}

#[test]
fn statistical_zones_answer_to_their_full_name_only() {
    let zone = codes(d().lookup("苏州工业园区"));
    assert_eq!(zone, ["320576"]);
    assert!(is_statistical_zone("320576"));
    assert!(!is_statistical_zone("320506"));
    assert!(d().lookup("苏州工业园").is_empty());
}

#[test]
fn lookup_within_narrows_to_a_branch() {
    assert_eq!(codes(d().lookup_within("朝阳区", "110000")), ["110105"]);
    assert_eq!(codes(d().lookup_within("朝阳区", "北京市")), ["110105"]);
    assert_eq!(codes(d().lookup_within("朝阳区", "北京")), ["110105"]);
    assert_eq!(codes(d().lookup_within("朝阳区", "吉林")), ["220104"]); // 长春市朝阳区
    assert_eq!(codes(d().lookup_within("鼓楼区", "350000")), ["350102"]);
    assert_eq!(codes(d().lookup_within("海沧", "厦门")), ["350205"]);
    assert_eq!(codes(d().lookup_within("泰兴市", "江苏省")), ["321283"]);
    // A division is within itself.
    assert_eq!(codes(d().lookup_within("厦门市", "厦门")), ["350200"]);
}

#[test]
fn lookup_within_elsewhere_or_unknown_is_empty() {
    assert!(d().lookup_within("海沧区", "广东省").is_empty());
    assert!(d().lookup_within("朝阳区", "999999").is_empty());
    assert!(d().lookup_within("朝阳区", "某省").is_empty());
    assert!(d().lookup_within("朝阳区", "").is_empty());
    assert!(d().lookup_within("某区", "北京").is_empty());
}

// ---------------------------------------------------------------------------
// find_in_text

#[test]
fn finds_the_issuer_of_a_title() {
    assert_eq!(found_code("河源市教育局"), Some("441600"));
    assert_eq!(found_code("河源市教育局2021年工作要点"), Some("441600"));
    assert_eq!(found_code("东莞市教育局2024年工作要点"), Some("441900"));
    assert_eq!(found_code("青岛市教育局"), Some("370200"));
    assert_eq!(
        found_code("荣成市教育和体育局2025年工作要点"),
        Some("371082")
    );
    assert_eq!(found_code("泰兴市教育局2021年教育工作要点"), Some("321283"));
    assert_eq!(found_code("广东省教育厅"), Some("440000"));
}

#[test]
fn finds_the_most_specific_division_of_a_chain() {
    assert_eq!(found_code("厦门市海沧区教育局"), Some("350205"));
    assert_eq!(found_code("福建省厦门市海沧区教育局"), Some("350205"));
    assert_eq!(found_code("江苏省泰兴市教育局"), Some("321283"));
    assert_eq!(found_code("山东省威海市荣成市教育局"), Some("371082"));
    assert_eq!(
        found_code("中共厦门市海沧区委教育工委 厦门市海沧区教育局关于印发2023年教育工作要点的通知"),
        Some("350205")
    );
}

#[test]
fn a_repeated_name_is_resolved_by_its_ancestor() {
    assert_eq!(found_code("北京市朝阳区教育委员会"), Some("110105"));
    assert_eq!(found_code("长春市朝阳区教育局"), Some("220104"));
    assert_eq!(found_code("福建省鼓楼区"), Some("350102"));
    assert_eq!(found_code("南京市鼓楼区教育局"), Some("320106"));
}

#[test]
fn an_ambiguous_name_gives_none() {
    assert_eq!(found_code("朝阳区教育委员会"), None);
    assert_eq!(found_code("鼓楼区教育局2023年工作要点"), None);
    // Two 鼓楼区 in 江苏省 (南京, 徐州): the province does not decide.
    assert_eq!(found_code("江苏省鼓楼区"), None);
}

#[test]
fn names_in_different_branches_give_none() {
    assert_eq!(found_code("深圳市教育局 河源市教育局"), None);
    assert_eq!(found_code("广东省厦门市"), None);
}

#[test]
fn text_without_a_division_gives_none() {
    for text in [
        "",
        "   ",
        "2021年全市教育工作要点",
        "市教育局2024年工作要点",
        "XX市教育局2024年工作要点",
        "某市教育局",
        "深入推进“双减”工作",
        "plain ASCII text, 2023",
    ] {
        assert_eq!(found_code(text), None, "{text:?}");
    }
}

#[test]
fn short_names_in_text_do_not_count() {
    // 河源 alone is a short name; only full names are found in text.
    assert_eq!(found_code("推动筹设华南农业大学河源校区"), None);
    assert_eq!(found_code("河源教育发展"), None);
}

#[test]
fn the_seed_issuer_lines_resolve() {
    let corpus = concat!(env!("CARGO_MANIFEST_DIR"), "/../../corpus");
    let line = |file: &str, needle: &str| -> String {
        let text = std::fs::read_to_string(format!("{corpus}/{file}")).expect("seed file");
        text.lines()
            .find(|l| l.contains(needle))
            .expect("line in seed")
            .to_owned()
    };
    assert_eq!(
        found_code(&line("002_450f203c91f27f3e.txt", "工作要点")),
        Some("441600")
    );
    assert_eq!(
        found_code(&line("004_2a59dc35d15015e3.txt", "内容概述")),
        Some("350205")
    );
    // 000's title has lost its city.
    assert_eq!(
        found_code(&line("000_7df3fdc0b0d15778.txt", "市教育局")),
        None
    );
}

#[test]
fn find_in_text_never_panics_on_odd_text() {
    let mut long = "河源市".repeat(200);
    long.push_str("海沧区𠀀\u{0}");
    for text in [
        "\u{feff}河源市",
        "河",
        "市",
        "🙂河源市🙂",
        "河源市\r\n",
        long.as_str(),
    ] {
        let _ = d().find_in_text(text);
    }
    assert_eq!(found_code("🙂河源市🙂"), Some("441600"));
}

// ---------------------------------------------------------------------------
// short_name

#[test]
fn short_names_strip_the_suffix() {
    for (full, short) in [
        ("河源市", "河源"),
        ("海沧区", "海沧"),
        ("广东省", "广东"),
        ("广西壮族自治区", "广西"),
        ("宁夏回族自治区", "宁夏"),
        ("西藏自治区", "西藏"),
        ("内蒙古自治区", "内蒙古"),
        ("新疆维吾尔自治区", "新疆"),
        ("海西蒙古族藏族自治州", "海西"),
        ("黔东南苗族侗族自治州", "黔东南"),
        ("龙胜各族自治县", "龙胜"),
        ("东乡族自治县", "东乡"),
        ("鄂伦春自治旗", "鄂伦春"),
        ("阿里地区", "阿里"),
        ("兴安盟", "兴安"),
        ("六枝特区", "六枝"),
        ("神农架林区", "神农架"),
    ] {
        assert_eq!(short_name(full), short, "{full}");
    }
}

#[test]
fn two_character_names_are_not_shortened() {
    for name in ["泾县", "城区", "郊区", "芒市", "东区", "沙县"] {
        assert_eq!(short_name(name), name);
    }
    // Across the whole list, no short name is a single character.
    for x in d().all() {
        assert!(short_name(&x.name).chars().count() >= 2, "{x:?}");
    }
}

#[test]
fn names_without_a_short_form_stay_whole() {
    for name in ["苏州工业园区", "矿区", "白云矿区", "北京", "", "市"] {
        assert_eq!(short_name(name), name);
    }
}

#[test]
fn every_short_name_finds_its_division() {
    for x in d().all().filter(|x| !is_statistical_zone(&x.code)) {
        let found = d().lookup(short_name(&x.name));
        assert!(found.iter().any(|f| f.code == x.code), "{x:?}");
    }
}

// ---------------------------------------------------------------------------
// Level

#[test]
fn levels_order_from_general_to_specific() {
    assert!(Level::Province < Level::City && Level::City < Level::County);
    for level in [Level::Province, Level::City, Level::County] {
        assert_eq!(Level::parse(level.as_str()), Some(level));
        assert_eq!(level.to_string(), level.as_str());
    }
    assert_eq!(Level::parse("Province"), None);
}
