//! Facet and trend counts, read from fast-field columns (never from stored documents).

use std::collections::{HashMap, HashSet};
use std::hash::{BuildHasherDefault, Hasher};
use std::sync::Arc;

use edusearch_divisions::Divisions;
use tantivy::collector::{Collector, SegmentCollector};
use tantivy::columnar::{ColumnValues, StrColumn};
use tantivy::{DocId, Score, SegmentOrdinal, SegmentReader};

use crate::build::ENTRY_BITS;
use crate::request::YearFilter;
use crate::response::{RegionCount, UnitCount, YearCount};
use crate::schema::{UNKNOWN, UNKNOWN_YEAR};

/// Counting touches a map once per matching entry per facet, so the keys (division
/// codes, years) are hashed by one multiplication rather than SipHash.
#[derive(Default)]
pub struct MultiplyHasher(u64);

impl Hasher for MultiplyHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0 ^ u64::from(b)).wrapping_mul(0x9E37_79B9_7F4A_7C15);
        }
    }
    fn write_u64(&mut self, n: u64) {
        // Fibonacci hashing spreads small, clustered keys over the high bits the table uses.
        self.0 = n.wrapping_mul(0x9E37_79B9_7F4A_7C15);
    }
    fn write_i64(&mut self, n: i64) {
        self.write_u64(n as u64);
    }
}

pub type FastMap<K, V> = HashMap<K, V, BuildHasherDefault<MultiplyHasher>>;

/// Which facets a pass counts.
#[derive(Debug, Clone, Copy, Default)]
pub struct Wanted {
    pub region: bool,
    pub year: bool,
    pub unit: bool,
}

/// Raw counts by region code (most specific), year and unit.
#[derive(Debug, Default)]
pub struct RawCounts {
    pub region: FastMap<u64, u64>,
    pub year: FastMap<i64, u64>,
    pub unit: HashMap<String, u64>,
}

pub struct FacetCollector {
    pub wanted: Wanted,
}

pub struct FacetSegmentCollector {
    wanted: Wanted,
    region: Arc<dyn ColumnValues<u64>>,
    year: Arc<dyn ColumnValues<i64>>,
    unit: Option<StrColumn>,
    region_counts: FastMap<u64, u64>,
    year_counts: FastMap<i64, u64>,
    unit_ord_counts: Vec<u64>,
}

impl Collector for FacetCollector {
    type Fruit = RawCounts;
    type Child = FacetSegmentCollector;

    fn for_segment(
        &self,
        _: SegmentOrdinal,
        segment: &SegmentReader,
    ) -> tantivy::Result<FacetSegmentCollector> {
        let fast = segment.fast_fields();
        let unit = if self.wanted.unit {
            fast.str("unit")?
        } else {
            None
        };
        let unit_terms = unit.as_ref().map_or(0, |u| u.num_terms());
        Ok(FacetSegmentCollector {
            wanted: self.wanted,
            region: fast.u64("region_code")?.first_or_default_col(UNKNOWN),
            year: fast.i64("year")?.first_or_default_col(UNKNOWN_YEAR),
            unit,
            region_counts: FastMap::default(),
            year_counts: FastMap::default(),
            unit_ord_counts: vec![0; unit_terms],
        })
    }

    fn requires_scoring(&self) -> bool {
        false
    }

    fn merge_fruits(&self, fruits: Vec<RawCounts>) -> tantivy::Result<RawCounts> {
        let mut all = RawCounts::default();
        for fruit in fruits {
            for (k, v) in fruit.region {
                *all.region.entry(k).or_default() += v;
            }
            for (k, v) in fruit.year {
                *all.year.entry(k).or_default() += v;
            }
            for (k, v) in fruit.unit {
                *all.unit.entry(k).or_default() += v;
            }
        }
        Ok(all)
    }
}

impl SegmentCollector for FacetSegmentCollector {
    type Fruit = RawCounts;

    fn collect(&mut self, doc: DocId, _: Score) {
        if self.wanted.region {
            *self
                .region_counts
                .entry(self.region.get_val(doc))
                .or_default() += 1;
        }
        if self.wanted.year {
            *self.year_counts.entry(self.year.get_val(doc)).or_default() += 1;
        }
        if let Some(unit) = &self.unit {
            for ord in unit.term_ords(doc) {
                if let Some(count) = self.unit_ord_counts.get_mut(ord as usize) {
                    *count += 1;
                }
            }
        }
    }

    fn harvest(self) -> RawCounts {
        let mut unit = HashMap::new();
        if let Some(column) = &self.unit {
            let mut name = String::new();
            for (ord, &count) in self.unit_ord_counts.iter().enumerate() {
                if count > 0 && column.ord_to_str(ord as u64, &mut name).unwrap_or(false) {
                    unit.insert(name.clone(), count);
                }
            }
        }
        RawCounts {
            region: self.region_counts,
            year: self.year_counts,
            unit,
        }
    }
}

/// The region tree of raw counts by most specific code: each level's count is the
/// number of entries at or under it. Largest first; unknown last.
pub fn region_tree(counts: &FastMap<u64, u64>, selected: &[u64]) -> Vec<RegionCount> {
    let divisions = Divisions::global();
    let mut roots: Vec<RegionCount> = Vec::new();
    let mut unknown = 0;
    for (&code, &count) in counts {
        let chain = (code != UNKNOWN)
            .then(|| divisions.chain(&format!("{code:06}")))
            .flatten();
        let Some(chain) = chain else {
            unknown += count;
            continue;
        };
        let mut level = &mut roots;
        for division in [chain.province, chain.city, chain.county]
            .into_iter()
            .flatten()
        {
            let code_num: u64 = division.code.parse().unwrap_or_default();
            let position = match level.iter().position(|r| r.code == division.code) {
                Some(p) => p,
                None => {
                    level.push(RegionCount {
                        value: division.name.clone(),
                        code: division.code.clone(),
                        level: division.level.as_str().to_owned(),
                        count: 0,
                        selected: selected.contains(&code_num),
                        children: Vec::new(),
                    });
                    level.len() - 1
                }
            };
            level[position].count += count;
            level = &mut level[position].children;
        }
    }
    sort_tree(&mut roots);
    prune_counties(&mut roots, selected);
    if unknown > 0 {
        roots.push(RegionCount {
            value: "未知".to_owned(),
            code: "unknown".to_owned(),
            level: "unknown".to_owned(),
            count: unknown,
            selected: selected.contains(&UNKNOWN),
            children: Vec::new(),
        });
    }
    roots
}

/// Above this many nodes, counties are listed only where the user is looking.
pub const FULL_REGION_TREE_NODES: usize = 400;

/// A national result set touches thousands of counties: sending them all with every
/// answer costs more than the search. Past [`FULL_REGION_TREE_NODES`], counties are kept
/// only under a selected city or beside a selected county; selecting a city shows them.
fn prune_counties(roots: &mut [RegionCount], selected: &[u64]) {
    fn size(level: &[RegionCount]) -> usize {
        level.iter().map(|n| 1 + size(&n.children)).sum()
    }
    if size(roots) <= FULL_REGION_TREE_NODES {
        return;
    }
    let divisions = Divisions::global();
    let open_cities: HashSet<String> = selected
        .iter()
        .filter(|&&code| code != UNKNOWN)
        .filter_map(|code| divisions.chain(&format!("{code:06}")))
        .filter_map(|chain| chain.city.map(|c| c.code.clone()))
        .collect();
    for province in roots.iter_mut() {
        let province_open = selected
            .iter()
            .any(|&c| c != UNKNOWN && format!("{c:06}")[..2] == province.code[..2]);
        for node in province.children.iter_mut() {
            if node.level == "city" && !open_cities.contains(&node.code) {
                node.children.clear();
            }
        }
        // Counties directly under a province (the municipalities' districts) are its
        // children: keep them only when something in the province is selected.
        if !province_open {
            province.children.retain(|n| n.level != "county");
        }
    }
}

fn sort_tree(level: &mut [RegionCount]) {
    level.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.code.cmp(&b.code)));
    for node in level {
        sort_tree(&mut node.children);
    }
}

/// Years newest first, unknown last.
pub fn year_counts(counts: &FastMap<i64, u64>, selected: &[YearFilter]) -> Vec<YearCount> {
    let mut years: Vec<YearCount> = counts
        .iter()
        .map(|(&year, &count)| {
            let value = (year != UNKNOWN_YEAR)
                .then(|| i32::try_from(year).ok())
                .flatten();
            YearCount {
                value,
                count,
                selected: selected.iter().any(|f| f.contains(value)),
            }
        })
        .collect();
    years.sort_by_key(|y| std::cmp::Reverse(y.value.map_or(i64::MIN, i64::from)));
    years
}

/// Units by count, then name.
pub fn unit_counts(counts: &HashMap<String, u64>, selected: &[String]) -> Vec<UnitCount> {
    let mut units: Vec<UnitCount> = counts
        .iter()
        .map(|(unit, &count)| UnitCount {
            value: unit.clone(),
            count,
            selected: selected.contains(unit),
        })
        .collect();
    units.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.value.cmp(&b.value)));
    units
}

/// Per-year and per-region counts of numbered items, for trends.
pub struct StatsCollector;

#[derive(Debug, Default)]
pub struct RawStats {
    pub items: u64,
    pub by_year: FastMap<i64, u64>,
    pub regions_by_year: FastMap<i64, HashSet<u64>>,
    pub plans_by_year: FastMap<i64, HashSet<u64>>,
    pub by_region: FastMap<u64, u64>,
}

pub struct StatsSegmentCollector {
    region: Arc<dyn ColumnValues<u64>>,
    year: Arc<dyn ColumnValues<i64>>,
    order: Arc<dyn ColumnValues<u64>>,
    is_item: Arc<dyn ColumnValues<u64>>,
    stats: RawStats,
}

impl Collector for StatsCollector {
    type Fruit = RawStats;
    type Child = StatsSegmentCollector;

    fn for_segment(
        &self,
        _: SegmentOrdinal,
        segment: &SegmentReader,
    ) -> tantivy::Result<StatsSegmentCollector> {
        let fast = segment.fast_fields();
        Ok(StatsSegmentCollector {
            region: fast.u64("region_code")?.first_or_default_col(UNKNOWN),
            year: fast.i64("year")?.first_or_default_col(UNKNOWN_YEAR),
            order: fast.u64("order")?.first_or_default_col(0),
            is_item: fast.u64("is_item")?.first_or_default_col(0),
            stats: RawStats::default(),
        })
    }

    fn requires_scoring(&self) -> bool {
        false
    }

    fn merge_fruits(&self, fruits: Vec<RawStats>) -> tantivy::Result<RawStats> {
        let mut all = RawStats::default();
        for fruit in fruits {
            all.items += fruit.items;
            for (k, v) in fruit.by_year {
                *all.by_year.entry(k).or_default() += v;
            }
            for (k, v) in fruit.regions_by_year {
                all.regions_by_year.entry(k).or_default().extend(v);
            }
            for (k, v) in fruit.plans_by_year {
                all.plans_by_year.entry(k).or_default().extend(v);
            }
            for (k, v) in fruit.by_region {
                *all.by_region.entry(k).or_default() += v;
            }
        }
        Ok(all)
    }
}

impl SegmentCollector for StatsSegmentCollector {
    type Fruit = RawStats;

    fn collect(&mut self, doc: DocId, _: Score) {
        if self.is_item.get_val(doc) == 0 {
            return;
        }
        let (region, year) = (self.region.get_val(doc), self.year.get_val(doc));
        let plan = self.order.get_val(doc) >> ENTRY_BITS;
        let stats = &mut self.stats;
        stats.items += 1;
        *stats.by_year.entry(year).or_default() += 1;
        if region != UNKNOWN {
            stats
                .regions_by_year
                .entry(year)
                .or_default()
                .insert(region);
        }
        stats.plans_by_year.entry(year).or_default().insert(plan);
        *stats.by_region.entry(region).or_default() += 1;
    }

    fn harvest(self) -> RawStats {
        self.stats
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn all_counties() -> FastMap<u64, u64> {
        Divisions::global()
            .all()
            .filter(|d| d.level == edusearch_divisions::Level::County)
            .filter_map(|d| d.code.parse().ok())
            .map(|code| (code, 1))
            .collect()
    }

    fn find<'a>(level: &'a [RegionCount], code: &str) -> Option<&'a RegionCount> {
        level.iter().find_map(|n| {
            if n.code == code {
                Some(n)
            } else {
                find(&n.children, code)
            }
        })
    }

    #[test]
    fn a_national_tree_lists_counties_only_where_selected() {
        let counts = all_counties();
        let tree = region_tree(&counts, &[]);
        let guangdong = find(&tree, "440000").unwrap();
        assert_eq!(
            guangdong.count,
            guangdong.children.iter().map(|c| c.count).sum::<u64>()
        );
        assert!(
            find(&tree, "441600").unwrap().children.is_empty(),
            "河源市's counties are not listed"
        );
        assert!(find(&tree, "110105").is_none());

        let tree = region_tree(&counts, &[441600, 110105]);
        assert!(
            !find(&tree, "441600").unwrap().children.is_empty(),
            "a selected city lists its counties"
        );
        assert!(
            find(&tree, "110105").unwrap().selected,
            "a selected district of Beijing is listed"
        );
    }

    #[test]
    fn a_small_tree_is_whole() {
        let counts: FastMap<u64, u64> = [(350205, 2), (441900, 1), (0, 1)].into_iter().collect();
        let tree = region_tree(&counts, &[]);
        assert_eq!(find(&tree, "350205").unwrap().count, 2);
        assert_eq!(tree.last().unwrap().code, "unknown");
    }
}
