//! Per-segment arrays of the values every search reads for every hit: the region as a
//! division position, the year and the units. tantivy's columns are compressed
//! (blockwise-linear, bitpacked, optional) and decoding them per hit was most of a
//! search's time; plain arrays cost one load each. They are built once per segment on
//! first use (an open index never changes) and take ~4 bytes per entry. The browse
//! order, which a search reads only for the entries of its page, stays in its column
//! where it rises with doc id (see [`Orders`]).
//!
//! What a facet count reads of an entry is one 4-byte code (8 bytes in a segment too
//! varied for 4): the hits of a large segment lie far apart, so each read is a cache
//! miss, and the fewer and smaller the reads, the fewer the misses (see
//! `FacetSegmentCollector::count_uncounted` for how a count overlaps them). The code
//! holds the entry's region slot and year slot, and names its set of units in a table
//! of the distinct ones, which stays in cache (46 sets in each segment of the 1.5 M
//! benchmark), where a list of units per entry cost a second miss for every hit with
//! units. (Naming the pair of region and year in a table too, of some 20 k pairs a
//! segment there, cost a second load for every hit.)

use std::collections::HashMap;
use std::ops::Range;
use std::sync::{Arc, Mutex, OnceLock};

use tantivy::columnar::ColumnValues;
use tantivy::index::SegmentId;
use tantivy::{DocId, SegmentReader, TantivyError};

use crate::build::ENTRY_BITS;
use crate::facets::{FastMap, RegionCounts};
use crate::schema::{UNKNOWN, UNKNOWN_YEAR};

/// An entry's facet values.
#[derive(Debug, Clone, Copy, Default)]
pub struct EntryFacets {
    /// Slot of the region in [`RegionCounts`] (the last slot for unknown).
    pub region_slot: usize,
    /// Slot of the year in [`SegmentColumns::years`].
    pub year_slot: usize,
    /// The entry's set of units in the segment's table (0: none).
    pub unit_set: usize,
}

/// Each doc's region slot (lowest bits), year slot and unit set (highest bits), as
/// narrow as the segment allows.
enum Codes {
    Narrow(Vec<u32>),
    Wide(Vec<u64>),
}

impl Codes {
    fn get(&self, doc: usize) -> Option<u64> {
        match self {
            Codes::Narrow(codes) => codes.get(doc).map(|&code| u64::from(code)),
            Codes::Wide(codes) => codes.get(doc).copied(),
        }
    }

    fn len(&self) -> usize {
        match self {
            Codes::Narrow(codes) => codes.len(),
            Codes::Wide(codes) => codes.len(),
        }
    }
}

/// One segment's arrays.
pub struct SegmentColumns {
    /// By doc id; see [`Codes`].
    codes: Codes,
    /// Bits of a code that hold the region slot, then the year slot.
    region_bits: u32,
    year_bits: u32,
    /// The segment's distinct years (0 = unknown), by slot.
    years: Vec<i64>,
    /// The distinct sets of units: set `n` is `set_ords[set_starts[n]..set_starts[n + 1]]`
    /// (unit ordinals of the unit column); set 0 is the empty one.
    set_starts: Vec<u32>,
    set_ords: Vec<u32>,
    /// Plan order << 20 | entry order, by doc id.
    orders: Orders,
    /// Bit `doc`: the entry is a plan's preamble rather than a numbered item.
    preambles: Vec<u64>,
    /// The entries of each year, newest first, if the segment is in layout order
    /// (see [`crate::layout_key`]).
    year_blocks: Option<Vec<YearBlock>>,
    /// See [`SegmentColumns::value_counts`].
    value_counts: OnceLock<Vec<(EntryFacets, u64)>>,
    /// The unit column's values by ordinal (so in sorted order), read once: naming a
    /// piece's unit counts from the column's dictionary decoded a block of it for each.
    unit_names: Vec<Arc<str>>,
}

impl SegmentColumns {
    fn read(segment: &SegmentReader) -> tantivy::Result<SegmentColumns> {
        let fast = segment.fast_fields();
        let region = fast.u64("region_code")?.first_or_default_col(UNKNOWN);
        let year = fast.i64("year")?.first_or_default_col(UNKNOWN_YEAR);
        let orders = Orders::new(fast.u64("order")?.first_or_default_col(0));
        let is_item = fast.u64("is_item")?.first_or_default_col(0);
        let units = fast.str("unit")?;
        let mut builder = ColumnsBuilder::new(segment.max_doc() as usize);
        let mut unit_ords = Vec::new();
        for doc in 0..segment.max_doc() {
            unit_ords.clear();
            if let Some(units) = &units {
                unit_ords.extend(units.term_ords(doc).map(|ord| ord as u32));
            }
            let item = is_item.get_val(doc) != 0;
            builder
                .push(region.get_val(doc), year.get_val(doc), &unit_ords, item)
                .map_err(|limit| {
                    TantivyError::InvalidArgument(format!(
                        "segment {} holds more {limit}",
                        segment.segment_id().short_uuid_string()
                    ))
                })?;
        }
        let mut unit_names = Vec::new();
        if let Some(units) = &units {
            for ord in 0..units.num_terms() {
                let mut name = String::new();
                units.ord_to_str(ord as u64, &mut name)?;
                unit_names.push(Arc::from(name));
            }
        }
        Ok(builder.finish(orders, unit_names))
    }

    /// Has the processor fetch a doc's values ahead of their reading, for a doc whose
    /// values are read a little later (see [`crate::facets`]).
    #[inline]
    pub fn prefetch(&self, doc: DocId) {
        #[cfg(target_arch = "x86_64")]
        {
            use std::arch::x86_64::{_mm_prefetch, _MM_HINT_T0};
            let code = match &self.codes {
                Codes::Narrow(codes) => codes
                    .get(doc as usize)
                    .map(|code| (code as *const u32).cast()),
                Codes::Wide(codes) => codes
                    .get(doc as usize)
                    .map(|code| (code as *const u64).cast()),
            };
            if let Some(code) = code {
                // SAFETY: a prefetch only hints at the cache; SSE is in every x86_64.
                unsafe { _mm_prefetch::<_MM_HINT_T0>(code) };
            }
        }
    }

    /// What a facet count reads of a doc.
    pub fn facets(&self, doc: DocId) -> EntryFacets {
        match self.codes.get(doc as usize) {
            Some(code) => self.facets_of_code(code),
            None => self.facets_of_none(),
        }
    }

    /// What a facet count reads of each of `docs`, into `out`: as [`Self::facets`],
    /// with the width of the codes told once for them all rather than for each doc (the
    /// total and facets of 学校 教师 课程 at 1.5 M entries, one thread: 1.18 → 1.14 ms).
    pub fn facets_of_each(&self, docs: &[DocId], out: &mut [EntryFacets]) {
        fn read<C: Copy + Into<u64>>(
            columns: &SegmentColumns,
            codes: &[C],
            docs: &[DocId],
            out: &mut [EntryFacets],
        ) {
            for (entry, &doc) in out.iter_mut().zip(docs) {
                *entry = match codes.get(doc as usize) {
                    Some(&code) => columns.facets_of_code(code.into()),
                    None => columns.facets_of_none(),
                };
            }
        }
        match &self.codes {
            Codes::Narrow(codes) => read(self, codes, docs, out),
            Codes::Wide(codes) => read(self, codes, docs, out),
        }
    }

    /// What a facet count reads of a doc the segment has no values for.
    fn facets_of_none(&self) -> EntryFacets {
        EntryFacets {
            region_slot: RegionCounts::unknown_slot(),
            year_slot: self.years.len(),
            unit_set: 0,
        }
    }

    fn facets_of_code(&self, code: u64) -> EntryFacets {
        let low_bits = |code: u64, bits: u32| (code & ((1 << bits) - 1)) as usize;
        EntryFacets {
            region_slot: low_bits(code, self.region_bits),
            year_slot: low_bits(code >> self.region_bits, self.year_bits),
            unit_set: (code >> (self.region_bits + self.year_bits)) as usize,
        }
    }

    /// Each distinct combination of facet values in the segment with its number of
    /// docs (deleted ones too), counted on first need: a browse's counts, which need
    /// no text, come from these rather than from every entry (at 1.5 M entries, about
    /// 400 k combinations, most of them told apart by their units).
    pub fn value_counts(&self) -> &[(EntryFacets, u64)] {
        self.value_counts.get_or_init(|| {
            let mut by_code: FastMap<u64, u64> = FastMap::default();
            for code in (0..self.codes.len()).filter_map(|doc| self.codes.get(doc)) {
                *by_code.entry(code).or_default() += 1;
            }
            let mut counts: Vec<(u64, u64)> = by_code.into_iter().collect();
            counts.sort_unstable();
            counts
                .into_iter()
                .map(|(code, docs)| (self.facets_of_code(code), docs))
                .collect()
        })
    }

    /// The number of distinct sets of units (the empty one included).
    pub fn unit_sets(&self) -> usize {
        self.set_starts.len() - 1
    }

    /// The segment's units, by ordinal.
    pub fn unit_names(&self) -> &[Arc<str>] {
        &self.unit_names
    }

    /// The ordinal of a unit, if the segment has it.
    pub fn unit_ord(&self, name: &str) -> Option<u32> {
        let ord = self
            .unit_names
            .binary_search_by(|unit| (**unit).cmp(name))
            .ok()?;
        u32::try_from(ord).ok()
    }

    /// The unit ordinals of a set of units.
    pub fn unit_ords(&self, unit_set: usize) -> &[u32] {
        match (
            self.set_starts.get(unit_set),
            self.set_starts.get(unit_set + 1),
        ) {
            (Some(&from), Some(&to)) => &self.set_ords[from as usize..to as usize],
            _ => &[],
        }
    }

    /// The segment's distinct years as stored (0 = unknown), by slot; a slot past the
    /// end stands for a doc the segment does not have.
    pub fn years(&self) -> &[i64] {
        &self.years
    }

    /// The year of a doc as stored (0 = unknown).
    pub fn year(&self, doc: DocId) -> i64 {
        self.years
            .get(self.facets(doc).year_slot)
            .copied()
            .unwrap_or(UNKNOWN_YEAR)
    }

    /// Whether browse order rises with doc id throughout the segment.
    pub fn order_follows_doc_ids(&self) -> bool {
        matches!(self.orders, Orders::Rising { .. })
    }

    /// Whether a doc is a numbered item (not a plan's preamble, nor past the end).
    pub fn is_item(&self, doc: DocId) -> bool {
        let doc = doc as usize;
        doc < self.codes.len()
            && (self.preambles.get(doc / 64)).is_some_and(|word| word & (1 << (doc % 64)) == 0)
    }

    /// The plan number of a doc (as in its browse order; `u64::MAX` past the end).
    /// `run` remembers where the doc asked about before was found (start it at 0):
    /// asked about rising docs, as a search's matches come, a doc is found in its
    /// plan's run or the next nearly every time, without a search.
    pub fn plan(&self, doc: DocId, run: &mut usize) -> u64 {
        if doc as usize >= self.codes.len() {
            return u64::MAX;
        }
        let (plan_starts, plans) = match &self.orders {
            Orders::Rising {
                plan_starts, plans, ..
            } => (plan_starts, plans),
            Orders::Interleaved(_) => return self.order(doc) >> ENTRY_BITS,
        };
        let starts_by = |run: usize| plan_starts.get(run).is_some_and(|&start| start <= doc);
        if !starts_by(*run) {
            // Asked about an earlier doc: from the first run.
            *run = 0;
        }
        // Gallop forward from the last run: the doc is in the last run before the first
        // that starts after it.
        let (mut below, mut step) = (*run, 1);
        while starts_by(below + step) {
            below += step;
            step *= 2;
        }
        let window = &plan_starts[below..plan_starts.len().min(below + step)];
        *run = below + window.partition_point(|&start| start <= doc) - 1;
        plans.get(*run).copied().unwrap_or(u64::MAX)
    }

    /// The entries of each year, newest first, each year's by region slot, if the
    /// segment was written in layout order; None otherwise.
    pub fn year_blocks(&self) -> Option<&[YearBlock]> {
        self.year_blocks.as_deref()
    }

    /// The entries of `block` whose region slots are in `slots`.
    pub fn region_run(&self, block: &YearBlock, slots: &Range<usize>) -> Range<DocId> {
        let first_at_or_after = |slot: usize| {
            let (mut low, mut high) = (block.entries.start, block.entries.end);
            while low < high {
                let middle = low + (high - low) / 2;
                if self.facets(middle).region_slot < slot {
                    low = middle + 1;
                } else {
                    high = middle;
                }
            }
            low
        };
        first_at_or_after(slots.start)..first_at_or_after(slots.end)
    }

    /// The browse order of a doc.
    pub fn order(&self, doc: DocId) -> u64 {
        match &self.orders {
            Orders::Rising { column, .. } if doc < column.num_vals() => column.get_val(doc),
            Orders::Rising { .. } => u64::MAX,
            Orders::Interleaved(orders) => orders.get(doc as usize).copied().unwrap_or(u64::MAX),
        }
    }
}

/// A segment's browse orders, by doc id.
enum Orders {
    /// Rising with doc id, as in a segment written in one go: read from the column as
    /// asked, which is only for the entries of a page once ranked (ties are broken by
    /// doc id until then, see [`crate::ranking::RankColumns::tie_break`]). An array of
    /// them took 8 bytes an entry, 12 MB at 1.5 M entries.
    Rising {
        column: Arc<dyn ColumnValues<u64>>,
        /// Where each plan's entries start, in doc order (a plan's entries are
        /// consecutive when orders rise), with its plan number: a hit's plan without
        /// decoding the column (the trend counts name the plan of every match).
        plan_starts: Vec<DocId>,
        plans: Vec<u64>,
    },
    /// Otherwise (a merge may interleave segments), kept as an array.
    Interleaved(Vec<u64>),
}

impl Orders {
    fn new(column: Arc<dyn ColumnValues<u64>>) -> Orders {
        let mut previous = None;
        let (mut plan_starts, mut plans) = (Vec::new(), Vec::new());
        let rising = column.iter().enumerate().all(|(doc, order)| {
            let rises = previous.is_none_or(|previous| previous < order);
            previous = Some(order);
            let plan = order >> ENTRY_BITS;
            if plans.last() != Some(&plan) {
                plan_starts.push(doc as DocId);
                plans.push(plan);
            }
            rises
        });
        match rising {
            true => Orders::Rising {
                column,
                plan_starts,
                plans,
            },
            false => Orders::Interleaved(column.iter().collect()),
        }
    }
}

/// The entries of one year in a segment in layout order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct YearBlock {
    pub year_slot: usize,
    pub entries: Range<DocId>,
}

/// Builds a segment's arrays from its entries' values in doc order.
struct ColumnsBuilder {
    /// Each doc's region slot (low 16 bits), year slot (next 16) and unit set (high
    /// 32), until `finish` packs them.
    codes: Vec<u64>,
    /// The highest region slot of a doc.
    most_region_slot: u16,
    years: Vec<i64>,
    year_slots: HashMap<i64, u16>,
    set_starts: Vec<u32>,
    set_ords: Vec<u32>,
    set_numbers: HashMap<Vec<u32>, u32>,
    /// The year blocks so far and the last entry's year and region slot; None once
    /// an entry breaks layout order.
    year_blocks: Option<Vec<YearBlock>>,
    last_key: Option<(i64, u16)>,
    preambles: Vec<u64>,
}

impl ColumnsBuilder {
    fn new(docs: usize) -> ColumnsBuilder {
        ColumnsBuilder {
            codes: Vec::with_capacity(docs),
            most_region_slot: 0,
            years: Vec::new(),
            year_slots: HashMap::new(),
            // Set 0, the empty set.
            set_starts: vec![0, 0],
            set_ords: Vec::new(),
            set_numbers: HashMap::from([(Vec::new(), 0)]),
            year_blocks: Some(Vec::new()),
            last_key: None,
            preambles: vec![0; docs.div_ceil(64)],
        }
    }

    /// Adds the next doc's values; the error names the limit the segment passed.
    fn push(
        &mut self,
        region: u64,
        year: i64,
        units: &[u32],
        is_item: bool,
    ) -> Result<(), &'static str> {
        if !is_item {
            let doc = self.codes.len();
            if let Some(word) = self.preambles.get_mut(doc / 64) {
                *word |= 1 << (doc % 64);
            }
        }
        let year_slot = match self.year_slots.get(&year) {
            Some(&slot) => slot,
            None => {
                let slot =
                    u16::try_from(self.years.len()).map_err(|_| "than 65,535 distinct years")?;
                self.years.push(year);
                self.year_slots.insert(year, slot);
                slot
            }
        };
        // ~3,300 divisions: a slot fits 16 bits (checked by `Divisions`).
        let region_slot = RegionCounts::slot(region) as u16;
        self.most_region_slot = self.most_region_slot.max(region_slot);
        let set_number = match self.set_numbers.get(units) {
            Some(&number) => number,
            None => {
                let number = u32::try_from(self.set_starts.len() - 1)
                    .map_err(|_| "than 4 billion distinct sets of units")?;
                self.set_ords.extend_from_slice(units);
                self.set_starts.push(
                    u32::try_from(self.set_ords.len())
                        .map_err(|_| "unit values than a 32-bit offset reaches")?,
                );
                self.set_numbers.insert(units.to_vec(), number);
                number
            }
        };
        self.follow_layout(year, year_slot, region_slot);
        self.codes.push(
            u64::from(region_slot) | u64::from(year_slot) << 16 | u64::from(set_number) << 32,
        );
        Ok(())
    }

    /// Extends the year blocks with the next doc, or gives them up if it breaks
    /// layout order: newest year first (unknown, 0, last), then by region slot.
    fn follow_layout(&mut self, year: i64, year_slot: u16, region_slot: u16) {
        let Some(blocks) = &mut self.year_blocks else {
            return;
        };
        let doc = self.codes.len() as DocId;
        match self.last_key {
            Some((last_year, last_slot)) if last_year == year && last_slot <= region_slot => {}
            Some((last_year, _)) if last_year <= year => {
                self.year_blocks = None;
                return;
            }
            _ => blocks.push(YearBlock {
                year_slot: usize::from(year_slot),
                entries: doc..doc,
            }),
        }
        if let Some(block) = blocks.last_mut() {
            block.entries.end = doc + 1;
        }
        self.last_key = Some((year, region_slot));
    }

    fn finish(self, orders: Orders, unit_names: Vec<Arc<str>>) -> SegmentColumns {
        let region_bits = bits_for(usize::from(self.most_region_slot) + 1);
        let year_bits = bits_for(self.years.len());
        let set_bits = bits_for(self.set_starts.len() - 1);
        let repack = |code: u64| {
            (code & 0xffff)
                | (code >> 16 & 0xffff) << region_bits
                | (code >> 32) << (region_bits + year_bits)
        };
        let codes = if region_bits + year_bits + set_bits <= 32 {
            Codes::Narrow(self.codes.into_iter().map(|c| repack(c) as u32).collect())
        } else {
            Codes::Wide(self.codes.into_iter().map(repack).collect())
        };
        SegmentColumns {
            codes,
            region_bits,
            year_bits,
            years: self.years,
            set_starts: self.set_starts,
            set_ords: self.set_ords,
            orders,
            preambles: self.preambles,
            year_blocks: self.year_blocks,
            value_counts: OnceLock::new(),
            unit_names,
        }
    }
}

/// Bits that hold every number below `count`.
fn bits_for(count: usize) -> u32 {
    usize::BITS - count.saturating_sub(1).leading_zeros()
}

/// The arrays of every segment read so far.
#[derive(Default)]
pub struct ColumnCache {
    segments: Mutex<HashMap<SegmentId, ColumnsSlot>>,
}

/// A segment's arrays once read; locked while the first search reads them.
type ColumnsSlot = Arc<Mutex<Option<Arc<SegmentColumns>>>>;

impl ColumnCache {
    /// The segment's arrays, read by the first search that asks while later ones wait:
    /// a server's first searches run side by side, and each read its own copy (then 12
    /// bytes an entry, 18 MB at 1.5 M entries), all but one thrown away.
    pub fn get(&self, segment: &SegmentReader) -> tantivy::Result<Arc<SegmentColumns>> {
        let slot = {
            let mut segments = lock(&self.segments);
            Arc::clone(segments.entry(segment.segment_id()).or_default())
        };
        let mut columns = lock(&slot);
        if let Some(columns) = &*columns {
            return Ok(Arc::clone(columns));
        }
        // On an error the slot stays empty, and the next search tries again.
        let read = Arc::new(SegmentColumns::read(segment)?);
        *columns = Some(Arc::clone(&read));
        Ok(read)
    }
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

#[cfg(test)]
mod tests {
    use edusearch_divisions::Divisions;
    use proptest::prelude::*;
    use tantivy::DocId;

    use std::sync::Arc;

    use tantivy::columnar::column_values::VecColumn;

    use super::{Codes, ColumnsBuilder, EntryFacets, Orders, SegmentColumns};
    use crate::build::ENTRY_BITS;
    use crate::facets::RegionCounts;
    use crate::order::{stored_layout_key, LayoutKey};
    use crate::schema::{UNKNOWN, UNKNOWN_YEAR};

    /// One entry's values as an index stores them.
    #[derive(Debug, Clone)]
    struct Entry {
        region: u64,
        year: i64,
        units: Vec<u32>,
        is_item: bool,
    }

    /// The entries' columns, with browse orders rising with doc id.
    fn build(entries: &[Entry]) -> SegmentColumns {
        let orders = (0..entries.len() as u64).collect();
        build_with_orders(entries, orders)
    }

    fn build_with_orders(entries: &[Entry], orders: Vec<u64>) -> SegmentColumns {
        let mut builder = ColumnsBuilder::new(entries.len());
        for entry in entries {
            builder
                .push(entry.region, entry.year, &entry.units, entry.is_item)
                .expect("within limits");
        }
        builder.finish(Orders::new(Arc::new(VecColumn::from(orders))), Vec::new())
    }

    /// Each entry reads back as it was stored.
    fn assert_reads_back(columns: &SegmentColumns, entries: &[Entry]) {
        for (doc, entry) in entries.iter().enumerate() {
            let facets = columns.facets(doc as DocId);
            assert_eq!(
                facets.region_slot,
                RegionCounts::slot(entry.region),
                "doc {doc}"
            );
            assert_eq!(columns.years()[facets.year_slot], entry.year, "doc {doc}");
            assert_eq!(columns.year(doc as DocId), entry.year, "doc {doc}");
            assert_eq!(columns.unit_ords(facets.unit_set), entry.units, "doc {doc}");
            assert_eq!(columns.order(doc as DocId), doc as u64);
            assert_eq!(columns.is_item(doc as DocId), entry.is_item, "doc {doc}");
        }
        // A doc the segment does not have: unknown region, the slot past the years.
        let past = columns.facets(entries.len() as DocId);
        assert_eq!(past.region_slot, RegionCounts::unknown_slot());
        assert_eq!(past.year_slot, columns.years().len());
        assert!(columns.unit_ords(past.unit_set).is_empty());
        assert_eq!(columns.year(entries.len() as DocId), UNKNOWN_YEAR);
        assert!(!columns.is_item(entries.len() as DocId));
        // Read for many docs at once, every doc's values and the past one's, the same.
        let docs: Vec<DocId> = (0..=entries.len() as DocId).rev().collect();
        let mut each = vec![EntryFacets::default(); docs.len()];
        columns.facets_of_each(&docs, &mut each);
        for (&doc, read) in docs.iter().zip(&each) {
            let alone = columns.facets(doc);
            let fields = |f: &EntryFacets| (f.region_slot, f.year_slot, f.unit_set);
            assert_eq!(fields(read), fields(&alone), "doc {doc}");
        }
    }

    fn entries() -> impl Strategy<Value = Vec<Entry>> {
        let divisions = Divisions::global().len();
        let region = prop_oneof![
            Just(UNKNOWN),
            // A code the list does not have counts as unknown.
            Just(999_999u64),
            (0..divisions).prop_map(|at| Divisions::global().at(at).code.parse().unwrap()),
        ];
        let year = prop_oneof![Just(UNKNOWN_YEAR), 2015i64..2026];
        let units = prop::collection::vec(0u32..12, 0..4).prop_map(|mut units| {
            units.sort_unstable();
            units.dedup();
            units
        });
        // Most entries are items; a plan's preamble is one of them.
        let is_item = prop::bool::weighted(0.9);
        prop::collection::vec(
            (region, year, units, is_item).prop_map(|(region, year, units, is_item)| Entry {
                region,
                year,
                units,
                is_item,
            }),
            0..200,
        )
    }

    /// Where an entry goes in layout order.
    fn layout_key(entry: &Entry) -> LayoutKey {
        stored_layout_key(entry.year, entry.region)
    }

    proptest! {
        /// Year blocks exist exactly for entries in layout order; they cover the
        /// entries in turn, one year each, and a run of region slots within a block is
        /// the block's entries of those slots.
        #[test]
        fn year_blocks_follow_layout_order(
            mut entries in entries(),
            sorted in any::<bool>(),
            slots in (0..3400usize, 0..3400usize),
        ) {
            if sorted {
                entries.sort_by_key(layout_key);
            }
            let columns = build(&entries);
            let in_order = entries.windows(2).all(|w| layout_key(&w[0]) <= layout_key(&w[1]));
            prop_assert_eq!(columns.year_blocks().is_some(), in_order);
            let Some(blocks) = columns.year_blocks() else {
                return Ok(());
            };
            let mut next: DocId = 0;
            for block in blocks {
                prop_assert_eq!(block.entries.start, next);
                next = block.entries.end;
                let year = columns.years()[block.year_slot];
                for doc in block.entries.clone() {
                    prop_assert_eq!(entries[doc as usize].year, year);
                }
                let slots = slots.0.min(slots.1)..slots.0.max(slots.1);
                let run = columns.region_run(block, &slots);
                let expected: Vec<DocId> = block
                    .entries
                    .clone()
                    .filter(|&doc| slots.contains(&RegionCounts::slot(entries[doc as usize].region)))
                    .collect();
                prop_assert_eq!(run.collect::<Vec<_>>(), expected);
            }
            prop_assert_eq!(next as usize, entries.len());
        }

        /// A doc's plan is its browse order's, asked about in any order: rising, as a
        /// search's matches come, skipping any number of plans, then back and forth.
        #[test]
        fn a_docs_plan_is_its_browse_orders(
            plans in prop::collection::vec((1u64..6, 0u64..3), 1..40),
            asked in prop::collection::vec(0u32..250, 0..60),
            interleaved in any::<bool>(),
        ) {
            let mut orders = Vec::new();
            let mut plan = 0;
            for (entries, gap) in plans {
                plan += gap;
                orders.extend((0..entries).map(|entry| plan << ENTRY_BITS | entry));
                plan += 1;
            }
            if interleaved && orders.len() > 1 {
                orders.reverse();
            }
            let entries = vec![
                Entry { region: UNKNOWN, year: 2020, units: Vec::new(), is_item: true };
                orders.len()
            ];
            let columns = build_with_orders(&entries, orders.clone());
            prop_assert_eq!(columns.order_follows_doc_ids(), !interleaved || orders.len() < 2);
            let mut rising = asked.clone();
            rising.sort_unstable();
            let mut run = 0;
            for doc in rising.into_iter().chain(asked) {
                let expected = orders.get(doc as usize).map_or(u64::MAX, |o| o >> ENTRY_BITS);
                prop_assert_eq!(columns.plan(doc, &mut run), expected, "doc {}", doc);
            }
        }

        #[test]
        fn every_entry_reads_back_its_values(entries in entries()) {
            let columns = build(&entries);
            prop_assert!(matches!(columns.codes, Codes::Narrow(_)));
            assert_reads_back(&columns, &entries);
        }
    }

    /// More region slots, year slots and sets of units than 32 bits of code hold
    /// between them: the codes are 64 bits wide and still read back.
    #[test]
    fn a_segment_too_varied_for_narrow_codes_reads_back() {
        let divisions = Divisions::global();
        let entries: Vec<Entry> = (0..70_000u32)
            .map(|n| Entry {
                region: divisions
                    .at(n as usize % divisions.len())
                    .code
                    .parse()
                    .unwrap(),
                year: 1990 + i64::from(n) / divisions.len() as i64,
                units: vec![n],
                is_item: n % 40 != 0,
            })
            .collect();
        let columns = build(&entries);
        assert!(matches!(columns.codes, Codes::Wide(_)));
        assert_reads_back(&columns, &entries);
    }

    /// Orders rising with doc id are read from their column; others, as a merge may
    /// leave them, from an array. Both read back, and a doc past the end comes last.
    #[test]
    fn browse_orders_read_back_whether_they_rise_or_not() {
        let entries = vec![
            Entry {
                region: UNKNOWN,
                year: 2020,
                units: Vec::new(),
                is_item: true,
            };
            5
        ];
        for (orders, rising) in [
            (vec![3, 8, 1 << 40, (1 << 40) + 1, u64::MAX - 1], true),
            (vec![3, 8, 8, 9, 10], false),
            (vec![1 << 20, 5, 1 << 21, 7, 1 << 22], false),
        ] {
            let columns = build_with_orders(&entries, orders.clone());
            assert_eq!(columns.order_follows_doc_ids(), rising, "{orders:?}");
            assert_eq!(matches!(columns.orders, Orders::Rising { .. }), rising);
            for (doc, &order) in orders.iter().enumerate() {
                assert_eq!(columns.order(doc as DocId), order, "{orders:?}");
            }
            assert_eq!(columns.order(orders.len() as DocId), u64::MAX);
        }
    }
}
