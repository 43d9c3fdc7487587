//! Facet counts, read from fast-field columns (never from stored documents); trend
//! counts are in [`crate::trends`].

use std::borrow::Cow;
use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::sync::Arc;

use edusearch_divisions::{Divisions, Level};
use tantivy::collector::{Collector, SegmentCollector};
use tantivy::{DocAddress, DocId, Score, SegmentOrdinal, SegmentReader};

use crate::columns::{ColumnCache, EntryFacets, SegmentColumns};
use crate::filters::{year_value, ColumnFilters, SegmentFilters, Verdict};
use crate::passes::ScoreOnDemand;
use crate::query::Reached;
use crate::ranking::{PieceTop, RankKey, Ranking};
use crate::request::YearFilter;
use crate::response::{RegionCount, UnitCount, YearCount};
use crate::schema::UNKNOWN;

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

impl Wanted {
    pub const ALL: Wanted = Wanted {
        region: true,
        year: true,
        unit: true,
    };
    pub const NONE: Wanted = Wanted {
        region: false,
        year: false,
        unit: false,
    };

    fn any(&self) -> bool {
        self.region || self.year || self.unit
    }
}

/// Counts per division, by position in the division list; the last slot counts
/// entries of unknown region (or of a code the list does not have).
#[derive(Debug, Clone)]
pub struct RegionCounts(Vec<u64>);

impl Default for RegionCounts {
    fn default() -> Self {
        RegionCounts(vec![0; Divisions::global().len() + 1])
    }
}

impl RegionCounts {
    pub(crate) fn unknown_slot() -> usize {
        Divisions::global().len()
    }

    /// The slot of a stored region code.
    pub(crate) fn slot(code: u64) -> usize {
        Divisions::global()
            .position(code)
            .unwrap_or_else(Self::unknown_slot)
    }

    /// Counts `entries` entries in `slot`.
    pub(crate) fn count(&mut self, slot: usize, entries: u64) {
        if let Some(count) = self.0.get_mut(slot) {
            *count += entries;
        }
    }

    /// Each slot with its count.
    pub(crate) fn slots(&self) -> impl Iterator<Item = (usize, u64)> + '_ {
        self.0.iter().copied().enumerate()
    }

    pub fn add(&mut self, other: &RegionCounts) {
        for (mine, theirs) in self.0.iter_mut().zip(&other.0) {
            *mine += theirs;
        }
    }

    /// Counts by most specific division code (0 = unknown).
    #[cfg(test)]
    pub fn from_codes(counts: impl IntoIterator<Item = (u64, u64)>) -> RegionCounts {
        let mut all = RegionCounts::default();
        for (code, count) in counts {
            all.0[Self::slot(code)] += count;
        }
        all
    }
}

/// Raw counts by region, year and unit.
#[derive(Debug, Default, Clone)]
pub struct RawCounts {
    pub region: RegionCounts,
    pub year: FastMap<i64, u64>,
    /// Names shared with the segments' columns: a piece's counts are named without
    /// copying a string.
    pub unit: FastMap<Arc<str>, u64>,
}

impl RawCounts {
    fn merge(&mut self, other: RawCounts) {
        self.region.add(&other.region);
        for (k, v) in other.year {
            *self.year.entry(k).or_default() += v;
        }
        for (k, v) in other.unit {
            *self.unit.entry(k).or_default() += v;
        }
    }
}

/// Counts facets and the total in the same pass as the page is ranked: an entry that
/// passes every filter is a hit (counted everywhere and offered to the page); one that
/// fails exactly one filter still counts in that filter's own facet, so that each facet
/// shows what choosing another value there would give (disjunctive facets). One pass
/// over the text matches replaces one pass per filtered dimension, and only the hits
/// are ever scored.
pub struct FacetCollector<'a> {
    /// The page to rank, if any (none for a count alone).
    pub top: Option<Ranking>,
    pub filters: Arc<ColumnFilters>,
    pub wanted: Wanted,
    pub columns: &'a ColumnCache,
}

impl<'a> FacetCollector<'a> {
    /// Counts the facets `wanted` of the entries that pass `filters`, without a page.
    pub fn counting(filters: ColumnFilters, wanted: Wanted, columns: &'a ColumnCache) -> Self {
        FacetCollector {
            top: None,
            filters: Arc::new(filters),
            wanted,
            columns,
        }
    }
}

pub struct FacetSegmentCollector {
    top: Option<PieceTop>,
    /// No filters: every entry is a hit, offered at once and counted (if any facet
    /// is wanted) with its batch.
    unfiltered: bool,
    /// Hits not yet counted (see [`COUNT_BATCH`]).
    uncounted: Vec<DocId>,
    filters: SegmentFilters,
    wanted: Wanted,
    columns: Arc<SegmentColumns>,
    total: u64,
    region_counts: RegionCounts,
    /// Counts by the segment's year slots.
    year_slot_counts: Vec<u64>,
    /// Counts by the segment's sets of units, told apart into units once harvested: one
    /// count per entry instead of one per unit of the entry (劳动教育's total and facets
    /// at 1.5 M entries, whose segments have 46 sets: 4.1 -> 3.6 ms on one thread).
    unit_set_counts: Vec<u64>,
}

/// The page (best first), the total, and the counts.
pub type FacetFruit = (Vec<(RankKey, DocAddress)>, u64, RawCounts);

impl Collector for FacetCollector<'_> {
    type Fruit = FacetFruit;
    type Child = FacetSegmentCollector;

    fn for_segment(
        &self,
        ordinal: SegmentOrdinal,
        segment: &SegmentReader,
    ) -> tantivy::Result<Self::Child> {
        let columns = self.columns.get(segment)?;
        let unit_sets = if self.wanted.unit && !columns.unit_names().is_empty() {
            columns.unit_sets()
        } else {
            0
        };
        // One slot more than the segment's years: the slot of a doc it does not have.
        let year_slots = columns.years().len() + 1;
        Ok(FacetSegmentCollector {
            top: self
                .top
                .as_ref()
                .map(|ranking| PieceTop::new(ranking.clone(), ordinal)),
            unfiltered: self.filters.is_empty(),
            uncounted: Vec::with_capacity(COUNT_BATCH),
            filters: SegmentFilters::new(&self.filters, &columns),
            wanted: self.wanted,
            columns,
            total: 0,
            region_counts: RegionCounts::default(),
            year_slot_counts: vec![0; if self.wanted.year { year_slots } else { 0 }],
            unit_set_counts: vec![0; unit_sets],
        })
    }

    fn requires_scoring(&self) -> bool {
        self.top.as_ref().is_some_and(|ranking| ranking.by_score)
    }

    fn merge_fruits(&self, fruits: Vec<FacetFruit>) -> tantivy::Result<FacetFruit> {
        let mut pages = Vec::with_capacity(fruits.len());
        let mut total = 0;
        let mut all = RawCounts::default();
        for (page, count, counts) in fruits {
            pages.push(page);
            total += count;
            all.merge(counts);
        }
        let page = match &self.top {
            Some(ranking) => ranking.merge(pages),
            None => Vec::new(),
        };
        Ok((page, total, all))
    }
}

impl ScoreOnDemand for FacetSegmentCollector {
    fn collect_lazily(&mut self, doc: DocId, score: impl FnMut(Score) -> Reached) {
        let columns = &*self.columns;
        if self.unfiltered {
            // Every entry is a hit: offered at once, counted with its batch.
            self.total += 1;
            if let Some(top) = &mut self.top {
                top.offer(doc, columns, score);
            }
        } else if self.top.is_some() {
            // Whether the entry is offered depends on its values: read them now.
            let entry = columns.facets(doc);
            let verdict = self.filters.sift(&entry);
            if verdict.all() {
                if let Some(top) = &mut self.top {
                    top.offer(doc, columns, score);
                }
            }
            self.count(&entry, verdict, 1);
            return;
        }
        if self.unfiltered && !self.wanted.any() {
            return;
        }
        self.columns.prefetch(doc);
        self.uncounted.push(doc);
        if self.uncounted.len() == COUNT_BATCH {
            self.count_uncounted();
        }
    }
}

/// Hits counted at a time (see [`FacetSegmentCollector::count_uncounted`]).
const COUNT_BATCH: usize = 64;

impl FacetSegmentCollector {
    /// Counts the entries set aside. The entries of a large segment lie far apart, so
    /// reading one's facet values is a cache miss; one entry at a time, between the
    /// reads of the postings, those misses came one after another and were most of
    /// the time of counting. Copying a batch's values out first, in a loop of nothing
    /// else, lets the processor have many of them in flight at once; and each hit's
    /// are fetched as it is set aside, so most are at hand by then (1.5 M entries, one
    /// thread: 双减 0.53-0.58 -> 0.49-0.51 ms, 劳动教育 and 校外培训 -双减 up to 5 %).
    fn count_uncounted(&mut self) {
        let mut batch = [EntryFacets::default(); COUNT_BATCH];
        let batch = &mut batch[..self.uncounted.len()];
        self.columns.facets_of_each(&self.uncounted, batch);
        if self.unfiltered {
            // Every entry is a hit, in the total since it came: into every facet wanted,
            // with nothing to sift (双减's total and facets at 1.5 M entries, one
            // thread: 0.34 -> 0.30 ms).
            let wanted = self.wanted;
            for entry in batch.iter() {
                self.add(entry, wanted, 1);
            }
        } else {
            for entry in batch.iter() {
                let verdict = self.filters.sift(entry);
                self.count(entry, verdict, 1);
            }
        }
        self.uncounted.clear();
    }

    /// Counts every entry of the segment, deleted ones too, from its counts of its
    /// distinct facet values (see [`SegmentColumns::value_counts`]).
    pub fn count_values(&mut self) {
        let columns = Arc::clone(&self.columns);
        for (entry, entries) in columns.value_counts() {
            let verdict = if self.unfiltered {
                // Unfiltered entries are counted in the total as they come.
                self.total += entries;
                Verdict::ALL
            } else {
                self.filters.sift(entry)
            };
            self.count(entry, verdict, *entries);
        }
    }

    /// Counts `entries` entries of these values: a hit (passing every filter) in the
    /// total and every facet wanted; an entry failing one filter only in that filter's
    /// facet (disjunctive facets); one failing more, nowhere. (The page, if any, is
    /// offered hits by the caller.)
    fn count(&mut self, entry: &EntryFacets, verdict: Verdict, entries: u64) {
        let failed = verdict.failed();
        if failed > 1 {
            return;
        }
        // Unfiltered hits are in the total from the moment they come.
        if failed == 0 && !self.unfiltered {
            self.total += entries;
        }
        let into = Wanted {
            region: self.wanted.region && (failed == 0 || !verdict.region),
            year: self.wanted.year && (failed == 0 || !verdict.year),
            unit: self.wanted.unit && (failed == 0 || !verdict.unit),
        };
        self.add(entry, into, entries);
    }

    /// Adds `entries` entries of these values to the facets `into`.
    #[inline(always)]
    fn add(&mut self, entry: &EntryFacets, into: Wanted, entries: u64) {
        if into.region {
            self.region_counts.0[entry.region_slot] += entries;
        }
        if into.year {
            self.year_slot_counts[entry.year_slot] += entries;
        }
        if into.unit {
            if let Some(count) = self.unit_set_counts.get_mut(entry.unit_set) {
                *count += entries;
            }
        }
    }
}

impl SegmentCollector for FacetSegmentCollector {
    type Fruit = FacetFruit;

    fn collect(&mut self, doc: DocId, score: Score) {
        self.collect_lazily(doc, |_| Reached::score(score));
    }

    fn harvest(mut self) -> Self::Fruit {
        self.count_uncounted();
        let mut unit = FastMap::default();
        let names = self.columns.unit_names();
        let mut ord_counts = vec![0; names.len()];
        for (set, &count) in self.unit_set_counts.iter().enumerate() {
            if count == 0 {
                continue;
            }
            for &ord in self.columns.unit_ords(set) {
                if let Some(total) = ord_counts.get_mut(ord as usize) {
                    *total += count;
                }
            }
        }
        for (name, count) in names.iter().zip(ord_counts) {
            if count > 0 {
                unit.insert(Arc::clone(name), count);
            }
        }
        let years = self.columns.years();
        let year = self
            .year_slot_counts
            .iter()
            .enumerate()
            .filter(|&(_, &count)| count > 0)
            .filter_map(|(slot, &count)| Some((*years.get(slot)?, count)))
            .collect();
        let counts = RawCounts {
            region: self.region_counts,
            year,
            unit,
        };
        let columns = &*self.columns;
        let page = self.top.map(|top| top.harvest(columns)).unwrap_or_default();
        (page, self.total, counts)
    }
}

/// The region tree of raw counts by most specific division: each level's count is the
/// number of entries at or under it. Largest first; unknown last.
///
/// A national result set touches thousands of counties, and sending them all with every
/// answer costs more than the search: past [`FULL_REGION_TREE_NODES`] nodes, counties
/// are listed only under a selected city or in a province where something is selected
/// (the districts of the municipalities hang under their province).
pub fn region_tree(counts: &RegionCounts, selected: &[u64]) -> Vec<RegionCount> {
    let divisions = Divisions::global();
    let unknown_slot = RegionCounts::unknown_slot();
    // Roll each count up to every ancestor.
    let mut rolled = counts.0.clone();
    for (at, &count) in counts.0[..unknown_slot].iter().enumerate() {
        if count == 0 {
            continue;
        }
        let mut parent = divisions.parent_position(at);
        while let Some(p) = parent {
            rolled[p] += count;
            parent = divisions.parent_position(p);
        }
    }
    let nodes = rolled[..unknown_slot].iter().filter(|&&c| c > 0).count();
    let selected_at: Vec<usize> = selected
        .iter()
        .filter_map(|&code| divisions.position(code))
        .collect();
    let tree = RegionTree {
        divisions,
        rolled: &rolled,
        whole: nodes <= FULL_REGION_TREE_NODES,
        selected: &selected_at,
    };
    let mut roots: Vec<RegionCount> = (0..unknown_slot)
        .filter(|&at| divisions.parent_position(at).is_none() && rolled[at] > 0)
        .map(|at| tree.node(at))
        .collect();
    sort_tree(&mut roots);
    let unknown = counts.0[unknown_slot];
    if unknown > 0 {
        roots.push(RegionCount {
            value: Cow::Borrowed("未知"),
            code: Cow::Borrowed("unknown"),
            level: Cow::Borrowed("unknown"),
            count: unknown,
            selected: selected.contains(&UNKNOWN),
            children: Vec::new(),
        });
    }
    roots
}

/// Above this many nodes, counties are listed only where the user is looking.
pub const FULL_REGION_TREE_NODES: usize = 400;

struct RegionTree<'a> {
    /// The global list, whose names and codes the answer borrows.
    divisions: &'static Divisions,
    rolled: &'a [u64],
    /// Small enough to send every node.
    whole: bool,
    selected: &'a [usize],
}

impl RegionTree<'_> {
    fn node(&self, at: usize) -> RegionCount {
        let division = self.divisions.at(at);
        let children = if self.lists_children(at) {
            self.divisions
                .child_positions(at)
                .iter()
                .filter(|&&child| self.rolled[child] > 0)
                .filter(|&&child| self.lists_child(at, child))
                .map(|&child| self.node(child))
                .collect()
        } else {
            Vec::new()
        };
        RegionCount {
            value: Cow::Borrowed(&division.name),
            code: Cow::Borrowed(&division.code),
            level: Cow::Borrowed(division.level.as_str()),
            count: self.rolled[at],
            selected: self.selected.contains(&at),
            children,
        }
    }

    /// Whether a node's children are listed: always in a whole tree; in a pruned one,
    /// a city's counties only when the city or one of them is selected.
    fn lists_children(&self, at: usize) -> bool {
        if self.whole || self.divisions.at(at).level != Level::City {
            return true;
        }
        self.selected
            .iter()
            .any(|&s| s == at || self.divisions.parent_position(s) == Some(at))
    }

    /// In a pruned tree, a county directly under a province is listed only when
    /// something in that province is selected.
    fn lists_child(&self, parent: usize, child: usize) -> bool {
        let divisions = self.divisions;
        if self.whole
            || divisions.at(parent).level != Level::Province
            || divisions.at(child).level != Level::County
        {
            return true;
        }
        self.selected
            .iter()
            .any(|&s| self.province_of(s) == self.province_of(parent))
    }

    fn province_of(&self, mut at: usize) -> usize {
        while let Some(parent) = self.divisions.parent_position(at) {
            at = parent;
        }
        at
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
            let value = year_value(year);
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
pub fn unit_counts(counts: &FastMap<Arc<str>, u64>, selected: &[String]) -> Vec<UnitCount> {
    let mut units: Vec<UnitCount> = counts
        .iter()
        .map(|(unit, &count)| UnitCount {
            value: unit.to_string(),
            count,
            selected: selected.iter().any(|name| **name == **unit),
        })
        .collect();
    units.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.value.cmp(&b.value)));
    units
}

#[cfg(test)]
mod tests {
    use super::*;

    fn all_counties() -> RegionCounts {
        RegionCounts::from_codes(
            Divisions::global()
                .all()
                .filter(|d| d.level == Level::County)
                .filter_map(|d| d.code.parse().ok())
                .map(|code| (code, 1)),
        )
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
        let counts = RegionCounts::from_codes([(350205, 2), (441900, 1), (0, 1)]);
        let tree = region_tree(&counts, &[]);
        assert_eq!(find(&tree, "350205").unwrap().count, 2);
        assert_eq!(tree.last().unwrap().code, "unknown");
    }
}
