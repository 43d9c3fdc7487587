//! Per-segment arrays of the values every search reads for every hit: the region as a
//! division position, the year, the browse order and the units. tantivy's columns are
//! compressed (blockwise-linear, bitpacked, optional) and decoding them per hit was
//! most of a search's time; plain arrays cost one load each. They are built once per
//! segment on first use (an open index never changes) and take ~16 bytes per entry.
//!
//! What a facet count reads of an entry (region, year, where its units start) is one
//! 8-byte record rather than three arrays: the hits of a large segment lie far apart,
//! so each read is a cache miss, and one record is one miss (see
//! `FacetSegmentCollector::count_uncounted` for how a count overlaps them).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use tantivy::columnar::StrColumn;
use tantivy::index::SegmentId;
use tantivy::{DocId, SegmentReader, TantivyError};

use crate::facets::RegionCounts;
use crate::schema::{UNKNOWN, UNKNOWN_YEAR};

/// What a facet count reads of one entry, as stored.
#[derive(Debug, Clone, Copy, Default)]
#[repr(C, align(8))]
struct StoredFacets {
    /// Units of the entry are `unit_ords[units_start..]` up to the next entry's start.
    units_start: u32,
    region_slot: u16,
    year_slot: u16,
}

/// An entry's facet values, copied out of its segment's arrays.
#[derive(Debug, Clone, Copy, Default)]
pub struct EntryFacets {
    /// Slot of the region in [`RegionCounts`] (the last slot for unknown).
    pub region_slot: usize,
    /// Slot of the year in [`SegmentColumns::years`].
    pub year_slot: usize,
    /// Where the entry's units lie in the segment's unit ordinals.
    units: (u32, u32),
}

/// One segment's arrays, indexed by doc id.
pub struct SegmentColumns {
    /// One record per entry, and one past the last that closes its units.
    facets: Vec<StoredFacets>,
    /// The segment's distinct years (0 = unknown), by slot.
    years: Vec<i64>,
    /// Plan order << 20 | entry order.
    order: Vec<u64>,
    /// Whether `order` rises with doc id (as a segment written in one go has it; a
    /// merge may interleave).
    order_follows_doc_ids: bool,
    unit_ords: Vec<u32>,
    /// The unit column, for ordinal ↔ name.
    pub units: Option<StrColumn>,
}

impl SegmentColumns {
    fn read(segment: &SegmentReader) -> tantivy::Result<SegmentColumns> {
        let fast = segment.fast_fields();
        let docs = segment.max_doc();
        let region = fast.u64("region_code")?.first_or_default_col(UNKNOWN);
        let year = fast.i64("year")?.first_or_default_col(UNKNOWN_YEAR);
        let order = fast.u64("order")?.first_or_default_col(0);
        let units = fast.str("unit")?;
        let mut columns = SegmentColumns {
            facets: Vec::with_capacity(docs as usize + 1),
            years: Vec::new(),
            order: Vec::with_capacity(docs as usize),
            order_follows_doc_ids: true,
            unit_ords: Vec::new(),
            units: None,
        };
        let mut year_slots: HashMap<i64, u16> = HashMap::new();
        for doc in 0..docs {
            let year = year.get_val(doc);
            let year_slot = match year_slots.get(&year) {
                Some(&slot) => slot,
                None => {
                    let slot = u16::try_from(columns.years.len()).map_err(|_| {
                        TantivyError::InvalidArgument(format!(
                            "segment {} holds more than {} distinct years",
                            segment.segment_id().short_uuid_string(),
                            u16::MAX
                        ))
                    })?;
                    columns.years.push(year);
                    year_slots.insert(year, slot);
                    slot
                }
            };
            columns.facets.push(StoredFacets {
                units_start: units_start(&columns.unit_ords, segment)?,
                // ~3,300 divisions: a slot fits 16 bits (checked by `Divisions`).
                region_slot: RegionCounts::slot(region.get_val(doc)) as u16,
                year_slot,
            });
            let entry_order = order.get_val(doc);
            if columns
                .order
                .last()
                .is_some_and(|&previous| previous >= entry_order)
            {
                columns.order_follows_doc_ids = false;
            }
            columns.order.push(entry_order);
            if let Some(units) = &units {
                columns
                    .unit_ords
                    .extend(units.term_ords(doc).map(|ord| ord as u32));
            }
        }
        columns.facets.push(StoredFacets {
            units_start: units_start(&columns.unit_ords, segment)?,
            ..StoredFacets::default()
        });
        columns.units = units;
        Ok(columns)
    }

    /// What a facet count reads of a doc.
    pub fn facets(&self, doc: DocId) -> EntryFacets {
        let doc = doc as usize;
        match (self.facets.get(doc), self.facets.get(doc + 1)) {
            (Some(this), Some(next)) => EntryFacets {
                region_slot: usize::from(this.region_slot),
                year_slot: usize::from(this.year_slot),
                units: (this.units_start, next.units_start),
            },
            _ => EntryFacets {
                region_slot: RegionCounts::unknown_slot(),
                year_slot: self.years.len(),
                units: (0, 0),
            },
        }
    }

    /// The unit ordinals of an entry.
    pub fn unit_ords(&self, entry: &EntryFacets) -> &[u32] {
        let (from, to) = entry.units;
        self.unit_ords
            .get(from as usize..to as usize)
            .unwrap_or_default()
    }

    /// The segment's distinct years as stored (0 = unknown), by slot; a slot past the
    /// end stands for a doc the segment does not have.
    pub fn years(&self) -> &[i64] {
        &self.years
    }

    /// The year of a doc as stored (0 = unknown).
    pub fn year(&self, doc: DocId) -> i64 {
        self.facets
            .get(doc as usize)
            .and_then(|entry| self.years.get(usize::from(entry.year_slot)))
            .copied()
            .unwrap_or(UNKNOWN_YEAR)
    }

    /// Whether browse order rises with doc id throughout the segment.
    pub fn order_follows_doc_ids(&self) -> bool {
        self.order_follows_doc_ids
    }

    /// The browse order of a doc.
    pub fn order(&self, doc: DocId) -> u64 {
        self.order.get(doc as usize).copied().unwrap_or(u64::MAX)
    }
}

/// Where the next entry's units start: 32 bits, so a segment holds at most ~4 billion
/// unit values.
fn units_start(unit_ords: &[u32], segment: &SegmentReader) -> tantivy::Result<u32> {
    u32::try_from(unit_ords.len()).map_err(|_| {
        TantivyError::InvalidArgument(format!(
            "segment {} holds more unit values than a 32-bit offset reaches",
            segment.segment_id().short_uuid_string()
        ))
    })
}

/// The arrays of every segment read so far.
#[derive(Default)]
pub struct ColumnCache {
    segments: Mutex<HashMap<SegmentId, Arc<SegmentColumns>>>,
}

impl ColumnCache {
    pub fn get(&self, segment: &SegmentReader) -> tantivy::Result<Arc<SegmentColumns>> {
        let id = segment.segment_id();
        if let Some(columns) = self.lock().get(&id) {
            return Ok(Arc::clone(columns));
        }
        // Read outside the lock; two searches racing on a new segment both read it once.
        let columns = Arc::new(SegmentColumns::read(segment)?);
        Ok(Arc::clone(self.lock().entry(id).or_insert(columns)))
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<SegmentId, Arc<SegmentColumns>>> {
        self.segments
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}
