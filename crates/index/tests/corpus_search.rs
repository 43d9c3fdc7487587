//! Search over a real index of the bundled corpus, checked against the parsed items
//! themselves: recall, query forms, facet counts, browse order, highlights.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::sync::OnceLock;

use edusearch_index::analysis::normalize;
use edusearch_index::analysis::words::words;
use edusearch_index::analysis::{shared_jieba, BUILTIN_DICTIONARY};
use edusearch_index::{
    sort_plans, BuildOptions, EntryKind, IndexBuilder, ItemRecord, PlansRequest, SearchIndex,
    SearchRequest, SortOrder, YearFilter,
};
use edusearch_plans::Plan;

struct Fixture {
    _dir: tempfile::TempDir,
    index: SearchIndex,
    plans: Vec<Plan>,
    records: Vec<ItemRecord>,
    /// Each record's folded text, computed once.
    folded: Vec<String>,
}

fn fixture() -> &'static Fixture {
    static FIXTURE: OnceLock<Fixture> = OnceLock::new();
    FIXTURE.get_or_init(|| {
        let corpus = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../corpus");
        let mut plans = edusearch_plans::corpus::read_corpus(&corpus)
            .expect("corpus")
            .plans;
        // In layout order, as `edusearch index` adds them.
        sort_plans(&mut plans);
        let dir = tempfile::tempdir().unwrap();
        let mut builder = IndexBuilder::create(dir.path(), &BuildOptions::default()).unwrap();
        for plan in &plans {
            builder.add_plan(plan).unwrap();
        }
        builder.commit().unwrap();
        let index = SearchIndex::open(dir.path()).unwrap();
        let records: Vec<ItemRecord> = plans.iter().flat_map(ItemRecord::from_plan).collect();
        let folded = records.iter().map(folded).collect();
        Fixture {
            _dir: dir,
            index,
            plans,
            records,
            folded,
        }
    })
}

/// The folded, searchable text of a record: what "contains" means.
fn folded(record: &ItemRecord) -> String {
    let mut text = record.title.clone();
    text.push('\n');
    text.push_str(&record.body);
    for unit in &record.units {
        text.push('\n');
        text.push_str(unit);
    }
    normalize(&text)
}

/// Every id a request finds, across pages.
fn all_ids(request: &SearchRequest) -> BTreeSet<String> {
    let index = &fixture().index;
    let mut ids = BTreeSet::new();
    let mut request = SearchRequest {
        limit: 200,
        facets: false,
        ..request.clone()
    };
    loop {
        let response = index
            .search(&request)
            .unwrap_or_else(|e| panic!("{:?}: {e}", request.query));
        let page = response.hits.len();
        ids.extend(response.hits.into_iter().map(|h| h.id));
        assert!(response.total as usize >= ids.len());
        if page < request.limit {
            assert_eq!(ids.len() as u64, response.total, "{:?}", request.query);
            return ids;
        }
        request.offset += page;
    }
}

fn ids_containing(needle: &str) -> BTreeSet<String> {
    let f = fixture();
    f.records
        .iter()
        .zip(&f.folded)
        .filter(|(_, text)| text.contains(needle))
        .map(|(r, _)| r.id.clone())
        .collect()
}

#[test]
fn double_reduction_finds_exactly_the_three_items_that_say_it() {
    let response = fixture().index.search(&SearchRequest::new("双减")).unwrap();
    let ids: BTreeSet<&str> = response.hits.iter().map(|h| h.id.as_str()).collect();
    assert_eq!(
        ids,
        BTreeSet::from([
            "000_7df3fdc0b0d15778-p1-13",
            "003_48301fe1551795f4-p1-23",
            "004_2a59dc35d15015e3-p1-9"
        ])
    );
    assert_eq!(response.total, 3);
    let facets = response.facets.unwrap();
    assert_eq!(facets.region.iter().map(|r| r.count).sum::<u64>(), 3);
    assert_eq!(
        facets
            .year
            .iter()
            .map(|y| (y.value, y.count))
            .collect::<Vec<_>>(),
        [(Some(2025), 1), (Some(2024), 1), (Some(2023), 1)]
    );
    let dongguan = &facets
        .region
        .iter()
        .find(|r| r.code == "440000")
        .unwrap()
        .children[0];
    assert_eq!((&*dongguan.value, dongguan.count), ("东莞市", 1));
}

/// Every string that occurs verbatim in an item finds that item, and only items
/// containing it — including the tails and middles of jieba words.
#[test]
fn recall_equals_a_substring_scan() {
    let records = &fixture().records;
    // A deterministic sample: substrings of 1–8 characters at spread-out places.
    let mut state = 0x2545_f491_4f6c_dd1d_u64;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    let mut samples = BTreeSet::new();
    while samples.len() < 3000 {
        let chars: Vec<char> = fixture().folded[(next() % records.len() as u64) as usize]
            .chars()
            .collect();
        if chars.is_empty() {
            continue;
        }
        let length = 1 + (next() % 8) as usize;
        let start = (next() % chars.len() as u64) as usize;
        let sample: String = chars[start..(start + length).min(chars.len())]
            .iter()
            .collect();
        samples.insert(sample);
    }
    // Known word-boundary cases from the seeds.
    for tail in ["减负", "培训", "教融", "育并", "管校"] {
        samples.insert(tail.to_owned());
    }
    let mut checked = 0;
    for sample in &samples {
        let needle = normalize(sample);
        if needle.is_empty() || sample.eq_ignore_ascii_case("or") {
            continue;
        }
        let expected = ids_containing(&needle);
        let found = all_ids(&SearchRequest::new(format!("\"{sample}\"")));
        assert_eq!(found, expected, "query {sample:?}");
        checked += 1;
    }
    assert!(checked > 2500, "only {checked} samples checked");
}

/// A term jieba cuts as one word is decided from the word field where the text has that
/// word, and from bigram positions elsewhere: together, exactly the items containing it.
#[test]
fn whole_word_terms_equal_a_substring_scan() {
    let jieba = shared_jieba(BUILTIN_DICTIONARY).unwrap();
    let mut corpus_words = BTreeSet::new();
    for record in &fixture().records {
        for (word, _, _) in words(&jieba, &format!("{}\n{}", record.title, record.body)) {
            if word.chars().count() >= 2 && word.chars().all(char::is_alphanumeric) {
                corpus_words.insert(word);
            }
        }
    }
    assert!(corpus_words.len() > 2000, "{} words", corpus_words.len());
    // Every seventh word, in code-point order: a spread of rare and common words.
    for word in corpus_words.iter().step_by(7) {
        assert_eq!(
            all_ids(&SearchRequest::new(word.as_str())),
            ids_containing(word),
            "query {word:?}"
        );
    }
    // Terms the seeds also hold inside longer words that begin with them (校外培训机构),
    // through which the shortcut finds them too.
    for term in ["校外培训", "心理健康", "人工智能", "集团化", "高质量"] {
        assert!(
            corpus_words
                .iter()
                .any(|word| word.starts_with(term) && word != term),
            "the seeds have a longer word beginning with {term}"
        );
        assert_eq!(
            all_ids(&SearchRequest::new(term)),
            ids_containing(term),
            "{term}"
        );
    }
    // The same shortcut excludes: 教育 without 劳动教育.
    let expected: BTreeSet<String> = ids_containing("教育")
        .difference(&ids_containing("劳动教育"))
        .cloned()
        .collect();
    assert!(!ids_containing("劳动教育").is_empty());
    assert_eq!(all_ids(&SearchRequest::new("教育 -劳动教育")), expected);
}

/// Relevance puts the items whose titles say the term first: of the real items, every hit
/// with the term in its title outranks every hit that has it only in its body or units.
#[test]
fn title_matches_rank_first() {
    let index = &fixture().index;
    for term in [
        "双减",
        "减负",
        "课程",
        "服务",
        "教师",
        "劳动教育",
        "校外培训",
        "心理健康",
        "教育",
    ] {
        let response = index
            .search(&SearchRequest {
                limit: 200,
                facets: false,
                ..SearchRequest::new(term)
            })
            .unwrap();
        assert_eq!(response.hits.len() as u64, response.total, "{term}");
        let in_title: Vec<bool> = response
            .hits
            .iter()
            .map(|h| normalize(&h.title).contains(term))
            .collect();
        assert!(
            in_title.contains(&true) && in_title.contains(&false),
            "{term}: the seeds have hits with and without it in the title"
        );
        let first_without = in_title.iter().position(|&t| !t).unwrap_or(in_title.len());
        assert!(
            in_title[first_without..].iter().all(|&t| !t),
            "{term}: titles in rank order: {:?}",
            response
                .hits
                .iter()
                .map(|h| (&h.title, h.score))
                .collect::<Vec<_>>()
        );
    }
}

#[test]
fn a_term_means_its_characters_together() {
    // 课后服务 must not match where 课后 and 服务 stand apart.
    let together = all_ids(&SearchRequest::new("课后服务"));
    assert_eq!(together, ids_containing("课后服务"));
    let apart: BTreeSet<String> = ids_containing("课后")
        .intersection(&ids_containing("服务"))
        .cloned()
        .collect();
    assert!(
        apart.len() > together.len(),
        "the corpus should hold items with 课后 and 服务 apart"
    );
    // Punctuation between the characters does not matter: “双减”工作 is 双减工作.
    assert_eq!(
        all_ids(&SearchRequest::new("双减工作")),
        ids_containing("双减工作")
    );
    assert!(!ids_containing("双减工作").is_empty());
    // Full-width, Traditional and case fold to the same characters.
    assert_eq!(
        all_ids(&SearchRequest::new("雙減")),
        all_ids(&SearchRequest::new("双减"))
    );
}

#[test]
fn query_forms() {
    let both: BTreeSet<String> = ids_containing("劳动教育")
        .intersection(&ids_containing("课程"))
        .cloned()
        .collect();
    assert_eq!(all_ids(&SearchRequest::new("劳动教育 课程")), both);
    let either: BTreeSet<String> = ids_containing("双减")
        .union(&ids_containing("减负"))
        .cloned()
        .collect();
    assert_eq!(all_ids(&SearchRequest::new("双减 OR 减负")), either);
    let without: BTreeSet<String> = ids_containing("培训")
        .difference(&ids_containing("校外"))
        .cloned()
        .collect();
    assert_eq!(all_ids(&SearchRequest::new("培训 -校外")), without);
    let phrase = all_ids(&SearchRequest::new("\"义务教育 优质均衡\""));
    assert_eq!(phrase, ids_containing("义务教育优质均衡"));

    let plans = &fixture().plans;
    let in_guangdong: BTreeSet<String> = fixture()
        .records
        .iter()
        .filter(|r| r.region.province.as_deref() == Some("广东省") && folded(r).contains("教师"))
        .map(|r| r.id.clone())
        .collect();
    assert_eq!(
        all_ids(&SearchRequest::new("教师 region:广东")),
        in_guangdong
    );
    assert_eq!(
        all_ids(&SearchRequest {
            regions: vec!["440000".into()],
            ..SearchRequest::new("教师")
        }),
        in_guangdong
    );
    let in_2021: BTreeSet<String> = fixture()
        .records
        .iter()
        .filter(|r| r.year == Some(2021))
        .map(|r| r.id.clone())
        .collect();
    assert_eq!(all_ids(&SearchRequest::new("year:2021")), in_2021);
    let range: BTreeSet<String> = fixture()
        .records
        .iter()
        .filter(|r| matches!(r.year, Some(2022..=2024)))
        .map(|r| r.id.clone())
        .collect();
    assert_eq!(
        all_ids(&SearchRequest {
            years: vec![YearFilter::Range(2022, 2024)],
            ..Default::default()
        }),
        range
    );
    let unit: BTreeSet<String> = fixture()
        .records
        .iter()
        .filter(|r| r.units.iter().any(|u| u == "基教科"))
        .map(|r| r.id.clone())
        .collect();
    assert!(!unit.is_empty());
    assert_eq!(all_ids(&SearchRequest::new("unit:基教科")), unit);
    assert_eq!(plans.len(), 6);
}

#[test]
fn malformed_and_ambiguous_requests_are_errors_not_panics() {
    let index = &fixture().index;
    for query in [
        "\"双减",
        "OR",
        "title:双减",
        "year:20x1",
        "region:火星",
        "region:朝阳区",
        "year:2023..2019",
    ] {
        let error = index.search(&SearchRequest::new(query)).unwrap_err();
        assert!(error.parameter_name().is_some(), "{query}: {error}");
    }
    let error = index
        .search(&SearchRequest::new("region:朝阳区"))
        .unwrap_err()
        .to_string();
    assert!(error.contains("110105"), "{error}");
}

/// Facet counts equal counts computed from the parsed items; a selected facet keeps
/// the counts of its other values.
#[test]
fn facet_counts_match_the_items_and_are_disjunctive() {
    let records = &fixture().records;
    let matching: Vec<&ItemRecord> = records
        .iter()
        .filter(|r| folded(r).contains("教育"))
        .collect();
    let response = fixture().index.search(&SearchRequest::new("教育")).unwrap();
    assert_eq!(response.total as usize, matching.len());
    let facets = response.facets.unwrap();
    let mut by_province: BTreeMap<String, u64> = BTreeMap::new();
    let mut by_year: BTreeMap<Option<i32>, u64> = BTreeMap::new();
    let mut by_unit: BTreeMap<String, u64> = BTreeMap::new();
    for r in &matching {
        *by_province
            .entry(r.region.province.clone().unwrap_or_else(|| "未知".into()))
            .or_default() += 1;
        *by_year.entry(r.year).or_default() += 1;
        for u in &r.units {
            *by_unit.entry(u.clone()).or_default() += 1;
        }
    }
    let got_province: BTreeMap<String, u64> = facets
        .region
        .iter()
        .map(|r| (r.value.to_string(), r.count))
        .collect();
    assert_eq!(got_province, by_province);
    let got_year: BTreeMap<Option<i32>, u64> =
        facets.year.iter().map(|y| (y.value, y.count)).collect();
    assert_eq!(got_year, by_year);
    let got_unit: BTreeMap<String, u64> = facets
        .unit
        .iter()
        .map(|u| (u.value.clone(), u.count))
        .collect();
    assert_eq!(got_unit, by_unit);

    // Select 广东: hits narrow, the region facet still shows every province's count,
    // and the year facet counts only Guangdong's entries.
    let narrowed = fixture()
        .index
        .search(&SearchRequest {
            regions: vec!["广东".into()],
            ..SearchRequest::new("教育")
        })
        .unwrap();
    assert_eq!(narrowed.total, by_province["广东省"]);
    let narrowed_facets = narrowed.facets.unwrap();
    let regions: BTreeMap<String, u64> = narrowed_facets
        .region
        .iter()
        .map(|r| (r.value.to_string(), r.count))
        .collect();
    assert_eq!(regions, by_province);
    assert!(narrowed_facets
        .region
        .iter()
        .any(|r| r.value == "广东省" && r.selected));
    let guangdong_years: u64 = narrowed_facets.year.iter().map(|y| y.count).sum();
    assert_eq!(guangdong_years, by_province["广东省"]);
}

/// What the model of `/api/stats` counts for a year.
#[derive(Default)]
struct YearModel {
    items: u64,
    regions: BTreeSet<String>,
    plans: BTreeSet<String>,
}

/// For every mix of text, region, year and unit filters, the total and each facet equal
/// counts computed from the parsed items: a facet counts the entries that pass every
/// filter but its own. The stats of the same request (items, issuing regions and plans
/// by year, items by region) count the items that pass them all.
#[test]
fn disjunctive_facets_equal_a_model_for_every_filter_combination() {
    let f = fixture();
    let divisions = edusearch_divisions::Divisions::global();
    let chain_codes = |r: &ItemRecord| -> Vec<String> {
        r.region
            .code
            .as_deref()
            .and_then(|code| divisions.chain(code))
            .map(|chain| {
                [chain.province, chain.city, chain.county]
                    .into_iter()
                    .flatten()
                    .map(|d| d.code.clone())
                    .collect()
            })
            .unwrap_or_else(|| vec!["unknown".to_owned()])
    };
    let mut some_units: Vec<String> = f.records.iter().flat_map(|r| r.units.clone()).collect();
    some_units.sort();
    some_units.dedup();
    assert!(some_units.len() > 3, "the corpus has items with units");

    let queries = ["", "教育", "学校", "工作 -教师", "-教师"];
    let region_sets: [&[&str]; 5] = [
        &[],
        &["440000"],
        &["370000"],
        &["440000", "350205"],
        &["370200", "371082"],
    ];
    let year_sets: [&[YearFilter]; 4] = [
        &[],
        &[YearFilter::Year(2021)],
        &[YearFilter::Range(2022, 2025)],
        &[YearFilter::Year(2021), YearFilter::Year(2023)],
    ];
    let unit_sets: [Vec<String>; 3] = [
        Vec::new(),
        vec![some_units[0].clone()],
        vec![
            some_units[1].clone(),
            some_units[some_units.len() - 1].clone(),
        ],
    ];
    let mut checked = 0;
    for query in queries {
        let parts: Vec<&str> = query.split_whitespace().collect();
        let text_ok = |text: &str| {
            parts.iter().all(|part| match part.strip_prefix('-') {
                Some(excluded) => !text.contains(&normalize(excluded)),
                None => text.contains(&normalize(part)),
            })
        };
        for regions in region_sets {
            for years in year_sets {
                for units in &unit_sets {
                    let request = SearchRequest {
                        regions: regions.iter().map(|r| r.to_string()).collect(),
                        years: years.to_vec(),
                        units: units.clone(),
                        ..SearchRequest::new(query)
                    };
                    let response = f.index.search(&request).unwrap();
                    let facets = response.facets.unwrap();

                    let mut total = 0;
                    let mut items = 0;
                    // Items, issuing regions and plans by year, and items by region.
                    let mut items_by_year: BTreeMap<Option<i32>, YearModel> = BTreeMap::new();
                    let mut items_by_region: BTreeMap<String, u64> = BTreeMap::new();
                    let mut hit_ids: BTreeSet<&str> = BTreeSet::new();
                    let mut by_region: BTreeMap<String, u64> = BTreeMap::new();
                    let mut by_year: BTreeMap<Option<i32>, u64> = BTreeMap::new();
                    let mut by_unit: BTreeMap<String, u64> = BTreeMap::new();
                    for (r, text) in f.records.iter().zip(&f.folded) {
                        if !text_ok(text) {
                            continue;
                        }
                        let codes = chain_codes(r);
                        let region_ok = regions.is_empty()
                            || regions.iter().any(|c| codes.iter().any(|k| k == c));
                        let year_ok = years.is_empty() || years.iter().any(|y| y.contains(r.year));
                        let unit_ok = units.is_empty() || r.units.iter().any(|u| units.contains(u));
                        if region_ok && year_ok && unit_ok {
                            total += 1;
                            items += u64::from(r.kind == EntryKind::Item);
                            hit_ids.insert(&r.id);
                            if r.kind == EntryKind::Item {
                                let region = codes.last().expect("a code or unknown");
                                let year = items_by_year.entry(r.year).or_default();
                                year.items += 1;
                                if region != "unknown" {
                                    year.regions.insert(region.clone());
                                }
                                year.plans.insert(r.plan_id.clone());
                                *items_by_region.entry(region.clone()).or_default() += 1;
                            }
                        }
                        if year_ok && unit_ok {
                            for code in &codes {
                                *by_region.entry(code.clone()).or_default() += 1;
                            }
                        }
                        if region_ok && unit_ok {
                            *by_year.entry(r.year).or_default() += 1;
                        }
                        if region_ok && year_ok {
                            for u in &r.units {
                                *by_unit.entry(u.clone()).or_default() += 1;
                            }
                        }
                    }
                    let label =
                        format!("{query:?} regions {regions:?} years {years:?} units {units:?}");
                    assert_eq!(response.total, total, "total of {label}");
                    let stats = f.index.stats(&request, None).unwrap();
                    assert_eq!(
                        stats.total_items, items,
                        "items counted by stats for {label}"
                    );
                    let stats_by_year: Vec<(Option<i32>, u64, u64, u64)> = stats
                        .by_year
                        .iter()
                        .map(|y| (y.year, y.items, y.regions, y.plans))
                        .collect();
                    // Oldest first, unknown last.
                    let mut model_by_year: Vec<(Option<i32>, u64, u64, u64)> = items_by_year
                        .iter()
                        .map(|(&year, m)| {
                            (year, m.items, m.regions.len() as u64, m.plans.len() as u64)
                        })
                        .collect();
                    model_by_year.sort_by_key(|&(year, ..)| year.map_or(i64::MAX, i64::from));
                    assert_eq!(stats_by_year, model_by_year, "stats by year of {label}");
                    let stats_by_region: BTreeMap<String, u64> = stats
                        .by_region
                        .iter()
                        .map(|r| (r.code.clone(), r.items))
                        .collect();
                    assert_eq!(
                        stats_by_region, items_by_region,
                        "stats by region of {label}"
                    );
                    assert!(
                        (stats.by_region.windows(2))
                            .all(|w| (w[1].items, &w[0].code) < (w[0].items, &w[1].code)),
                        "most items first, then by code, {label}"
                    );
                    // Asked again (the whole index's are kept once counted), alike; and
                    // with fewer regions listed, the first of them.
                    assert_eq!(f.index.stats(&request, None).unwrap(), stats, "{label}");
                    let mut fewer = stats.clone();
                    fewer.by_region.truncate(2);
                    assert_eq!(f.index.stats(&request, Some(2)).unwrap(), fewer, "{label}");
                    // The page holds hits of the same set the total counts.
                    assert_eq!(
                        response.hits.len() as u64,
                        total.min(request.limit as u64),
                        "page of {label}"
                    );
                    for hit in &response.hits {
                        assert!(hit_ids.contains(hit.id.as_str()), "{} in {label}", hit.id);
                    }
                    let mut got_region = BTreeMap::new();
                    let mut stack: Vec<_> = facets.region.iter().collect();
                    while let Some(node) = stack.pop() {
                        got_region.insert(node.code.to_string(), node.count);
                        stack.extend(&node.children);
                    }
                    assert_eq!(got_region, by_region, "regions of {label}");
                    let got_year: BTreeMap<Option<i32>, u64> =
                        facets.year.iter().map(|y| (y.value, y.count)).collect();
                    assert_eq!(got_year, by_year, "years of {label}");
                    let got_unit: BTreeMap<String, u64> = facets
                        .unit
                        .iter()
                        .map(|u| (u.value.clone(), u.count))
                        .collect();
                    assert_eq!(got_unit, by_unit, "units of {label}");

                    // Counting alone (an empty page, with and without facets) answers alike.
                    let counted = f
                        .index
                        .search(&SearchRequest {
                            limit: 0,
                            ..request.clone()
                        })
                        .unwrap();
                    assert!(counted.hits.is_empty(), "{label}");
                    assert_eq!(counted.total, total, "counted total of {label}");
                    assert_eq!(counted.facets, Some(facets), "counted facets of {label}");
                    let bare = SearchRequest {
                        limit: 0,
                        facets: false,
                        ..request.clone()
                    };
                    assert_eq!(f.index.search(&bare).unwrap().total, total, "{label}");
                    // The page ranked while counting facets is the one ranked without
                    // them (filters then narrow the text matches by their postings).
                    let unfaceted = f
                        .index
                        .search(&SearchRequest {
                            facets: false,
                            ..request.clone()
                        })
                        .unwrap();
                    let ranked = |hits: &[edusearch_index::Hit]| {
                        hits.iter()
                            .map(|h| (h.id.clone(), h.score.to_bits()))
                            .collect::<Vec<_>>()
                    };
                    assert_eq!(
                        ranked(&response.hits),
                        ranked(&unfaceted.hits),
                        "page of {label}"
                    );
                    checked += 1;
                }
            }
        }
    }
    assert_eq!(checked, 5 * 5 * 4 * 3);
}

#[test]
fn an_empty_query_browses_in_plan_and_item_order() {
    let response = fixture()
        .index
        .search(&SearchRequest {
            regions: vec!["河源市".into()],
            limit: 200,
            ..Default::default()
        })
        .unwrap();
    let heyuan = fixture()
        .plans
        .iter()
        .find(|p| p.region.code.as_deref() == Some("441600"))
        .unwrap();
    let mut expected: Vec<String> = vec![edusearch_plans::preamble_id(&heyuan.id)];
    expected.retain(|_| heyuan.preamble.is_some());
    expected.extend(heyuan.items.iter().map(|i| i.id.clone()));
    let got: Vec<String> = response.hits.into_iter().map(|h| h.id).collect();
    assert_eq!(got, expected);

    // By year: newest first (unknown last), each year's entries in browse order, as
    // the records (in browse order) give them sorted by year alone.
    for regions in [vec![], vec!["440000".to_owned()]] {
        let by_year = fixture()
            .index
            .search(&SearchRequest {
                sort: SortOrder::Year,
                regions: regions.clone(),
                limit: 200,
                ..Default::default()
            })
            .unwrap();
        let mut expected: Vec<&ItemRecord> = fixture()
            .records
            .iter()
            .filter(|r| regions.is_empty() || r.region.province.as_deref() == Some("广东省"))
            .collect();
        expected.sort_by_key(|r| std::cmp::Reverse(r.year.unwrap_or(0)));
        let expected: Vec<&str> = expected.iter().take(200).map(|r| r.id.as_str()).collect();
        let got: Vec<&str> = by_year.hits.iter().map(|h| h.id.as_str()).collect();
        assert_eq!(got, expected, "regions {regions:?}");
    }
}

#[test]
fn marks_sit_on_the_matched_characters() {
    let response = fixture().index.search(&SearchRequest::new("减负")).unwrap();
    assert!(response.total > 0);
    for hit in &response.hits {
        let marked = format!("{} {}", hit.title_marked, hit.snippet);
        assert!(marked.contains("<mark>减负</mark>"), "{marked}");
    }
    let response = fixture()
        .index
        .search(&SearchRequest::new("双减工作"))
        .unwrap();
    let hit = response
        .hits
        .iter()
        .find(|h| h.id.ends_with("-p1-13"))
        .unwrap();
    assert!(
        hit.title_marked.contains("<mark>双减”工作</mark>"),
        "{}",
        hit.title_marked
    );
}

#[test]
fn items_and_plans_read_back_whole() {
    let index = &fixture().index;
    let record = index.item("002_450f203c91f27f3e-p1-43").unwrap();
    assert_eq!(record.title, "规范校外培训机构发展");
    assert_eq!(record.region.code.as_deref(), Some("441600"));
    let original = fixture()
        .records
        .iter()
        .find(|r| r.id == record.id)
        .unwrap();
    assert_eq!(&record, original);
    // Metadata, section titles, preamble and items: every plan and every record as
    // they went in.
    for plan in &fixture().plans {
        assert_eq!(&index.plan(&plan.id).unwrap(), plan, "{}", plan.id);
        let originals: Vec<_> = (fixture().records.iter())
            .filter(|r| r.plan_id == plan.id)
            .collect();
        let records = index.plan_records(&plan.id).unwrap();
        assert_eq!(records.iter().collect::<Vec<_>>(), originals, "{}", plan.id);
    }
    assert!(matches!(
        index.item("nope"),
        Err(edusearch_index::SearchError::NotFound { .. })
    ));
    let plans = index.plans(&PlansRequest::default()).unwrap();
    assert_eq!((plans.total, plans.items), (6, 206));
    assert_eq!(plans.plans.iter().map(|p| p.items).sum::<u64>(), 206);
    let stats = index.stats(&SearchRequest::new("双减"), None).unwrap();
    assert_eq!(stats.total_items, 3);
    assert_eq!(stats.by_year.iter().map(|y| y.regions).sum::<u64>(), 3);
}

#[test]
fn searching_segments_side_by_side_answers_as_one_thread_does() {
    let f = fixture();
    // An index of several segments, searched by one thread and by two.
    let dir = tempfile::tempdir().unwrap();
    let options = BuildOptions {
        threads: 2,
        ..BuildOptions::default()
    };
    let mut builder = IndexBuilder::create(dir.path(), &options).unwrap();
    for plan in &f.plans {
        builder.add_plan(plan).unwrap();
    }
    builder.commit().unwrap();
    let single = SearchIndex::open_with_threads(dir.path(), 1).unwrap();
    let parallel = SearchIndex::open_with_threads(dir.path(), 2).unwrap();
    let segments = tantivy::Index::open_in_dir(single.generation())
        .unwrap()
        .searchable_segment_ids()
        .unwrap()
        .len();
    assert!(
        segments >= 2,
        "two indexing threads wrote {segments} segment"
    );

    for query in [
        "双减",
        "教育",
        "学校 教师 课程",
        "\"义务教育 优质均衡\"",
        "工作 -教师",
        "课后服务 OR 劳动教育",
        "",
    ] {
        for (regions, years, sort, offset) in [
            (vec![], vec![], SortOrder::Relevance, 0),
            (vec!["440000".to_owned()], vec![], SortOrder::Relevance, 0),
            (
                vec![],
                vec![YearFilter::Range(2019, 2023)],
                SortOrder::Year,
                0,
            ),
            (vec![], vec![], SortOrder::Relevance, 10),
            // Both: each segment's entries of those years, and of 广东 in the others.
            (
                vec!["440000".to_owned()],
                vec![YearFilter::Range(2022, 2024)],
                SortOrder::Relevance,
                0,
            ),
        ] {
            let request = SearchRequest {
                query: query.to_owned(),
                regions,
                years,
                sort,
                offset,
                ..SearchRequest::default()
            };
            let one = single.search(&request).unwrap();
            let two = parallel.search(&request).unwrap();
            assert_eq!(one, two, "{request:?}");
        }
    }
}
