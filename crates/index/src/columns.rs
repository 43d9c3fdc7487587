//! Per-segment arrays of the values every search reads for every hit: the region as a
//! division position, the year, the browse order and the units. tantivy's columns are
//! compressed (blockwise-linear, bitpacked, optional) and decoding them per hit was
//! most of a search's time; plain arrays cost one load each. They are built once per
//! segment on first use (an open index never changes) and take ~18 bytes per entry.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use tantivy::columnar::StrColumn;
use tantivy::index::SegmentId;
use tantivy::{DocId, SegmentReader};

use crate::facets::RegionCounts;
use crate::schema::{UNKNOWN, UNKNOWN_YEAR};

/// One segment's arrays, indexed by doc id.
pub struct SegmentColumns {
    /// Slot of the region in [`RegionCounts`] (the last slot for unknown).
    region_slot: Vec<u16>,
    /// The plan year, 0 when unknown.
    year: Vec<i32>,
    /// Plan order << 20 | entry order.
    order: Vec<u64>,
    /// Units of doc `d` are `unit_ords[unit_starts[d]..unit_starts[d + 1]]`.
    unit_starts: Vec<u32>,
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
            region_slot: Vec::with_capacity(docs as usize),
            year: Vec::with_capacity(docs as usize),
            order: Vec::with_capacity(docs as usize),
            unit_starts: Vec::with_capacity(docs as usize + 1),
            unit_ords: Vec::new(),
            units: None,
        };
        for doc in 0..docs {
            // ~3,300 divisions: a slot fits 16 bits (checked by `Divisions`).
            columns
                .region_slot
                .push(RegionCounts::slot(region.get_val(doc)) as u16);
            // Records carry years as i32, so the stored i64 always fits.
            columns
                .year
                .push(i32::try_from(year.get_val(doc)).unwrap_or(0));
            columns.order.push(order.get_val(doc));
            columns.unit_starts.push(columns.unit_ords.len() as u32);
            if let Some(units) = &units {
                columns
                    .unit_ords
                    .extend(units.term_ords(doc).map(|ord| ord as u32));
            }
        }
        columns.unit_starts.push(columns.unit_ords.len() as u32);
        columns.units = units;
        Ok(columns)
    }

    /// The unit ordinals of a doc.
    pub fn unit_ords(&self, doc: DocId) -> &[u32] {
        let doc = doc as usize;
        match (self.unit_starts.get(doc), self.unit_starts.get(doc + 1)) {
            (Some(&from), Some(&to)) => &self.unit_ords[from as usize..to as usize],
            _ => &[],
        }
    }

    /// The year of a doc as stored (0 = unknown).
    pub fn year(&self, doc: DocId) -> i64 {
        i64::from(self.year.get(doc as usize).copied().unwrap_or(0))
    }

    /// The region slot of a doc.
    pub fn region_slot(&self, doc: DocId) -> usize {
        self.region_slot
            .get(doc as usize)
            .map_or_else(RegionCounts::unknown_slot, |&slot| usize::from(slot))
    }

    /// The browse order of a doc.
    pub fn order(&self, doc: DocId) -> u64 {
        self.order.get(doc as usize).copied().unwrap_or(u64::MAX)
    }
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
