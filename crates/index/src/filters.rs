//! A request's filters (region, year, unit), checked per entry from the columns, as
//! facet counting does: it needs to know which filters an entry fails, not only
//! whether it passes them all.

use std::ops::Range;
use std::sync::Arc;

use edusearch_divisions::Divisions;

use tantivy::DocId;

use crate::columns::{EntryFacets, SegmentColumns};
use crate::request::YearFilter;
use crate::schema::{UNKNOWN, UNKNOWN_YEAR};

/// The request's filters, by the values the columns hold.
#[derive(Debug, Default)]
pub struct ColumnFilters {
    /// Accepted region slots (see [`crate::facets::RegionCounts`]): the selected
    /// divisions and all under them.
    regions: Option<Vec<bool>>,
    years: Option<Vec<YearFilter>>,
    units: Option<Vec<String>>,
}

impl ColumnFilters {
    /// Filters on the selected region codes (0 = unknown), years and units; an empty
    /// list is no filter.
    pub fn new(regions: &[u64], years: &[YearFilter], units: &[String]) -> ColumnFilters {
        let regions = (!regions.is_empty()).then(|| {
            let divisions = Divisions::global();
            let selected: Vec<usize> = regions
                .iter()
                .filter_map(|&code| divisions.position(code))
                .collect();
            let mut accept: Vec<bool> = (0..divisions.len())
                .map(|at| {
                    selected
                        .iter()
                        .any(|&s| divisions.is_ancestor_or_self(s, at))
                })
                .collect();
            accept.push(regions.contains(&UNKNOWN));
            accept
        });
        ColumnFilters {
            regions,
            years: (!years.is_empty()).then(|| years.to_vec()),
            units: (!units.is_empty()).then(|| units.to_vec()),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.regions.is_none() && self.years.is_none() && self.units.is_none()
    }
}

/// Which filters an entry passes.
#[derive(Clone, Copy)]
pub struct Verdict {
    pub region: bool,
    pub year: bool,
    pub unit: bool,
}

impl Verdict {
    pub const ALL: Verdict = Verdict {
        region: true,
        year: true,
        unit: true,
    };

    pub fn all(&self) -> bool {
        self.region && self.year && self.unit
    }

    /// How many filters the entry fails.
    pub fn failed(&self) -> usize {
        usize::from(!self.region) + usize::from(!self.year) + usize::from(!self.unit)
    }
}

/// The filters as one segment's values: whether each of its years and sets of units
/// passes.
pub struct SegmentFilters {
    filters: Arc<ColumnFilters>,
    /// By the segment's year slots, with one more slot for a doc it does not have.
    year_accepted: Option<Vec<bool>>,
    /// By the segment's sets of units.
    unit_set_accepted: Option<Vec<bool>>,
}

impl SegmentFilters {
    pub fn new(filters: &Arc<ColumnFilters>, columns: &SegmentColumns) -> SegmentFilters {
        let unit_set_accepted = match &filters.units {
            None => None,
            Some(units) => {
                let selected: Vec<u32> = units
                    .iter()
                    .filter_map(|name| columns.unit_ord(name))
                    .collect();
                let accepted = (0..columns.unit_sets())
                    .map(|set| {
                        columns
                            .unit_ords(set)
                            .iter()
                            .any(|ord| selected.contains(ord))
                    })
                    .collect();
                Some(accepted)
            }
        };
        let year_accepted = filters.years.as_ref().map(|years| {
            let mut accepted: Vec<bool> = columns
                .years()
                .iter()
                .map(|&year| years.iter().any(|f| f.contains(year_value(year))))
                .collect();
            accepted.push(false);
            accepted
        });
        SegmentFilters {
            filters: Arc::clone(filters),
            year_accepted,
            unit_set_accepted,
        }
    }

    /// Which filters an entry passes.
    pub fn sift(&self, entry: &EntryFacets) -> Verdict {
        Verdict {
            region: self
                .filters
                .regions
                .as_ref()
                .is_none_or(|accept| accept[entry.region_slot]),
            year: self
                .year_accepted
                .as_ref()
                .is_none_or(|accepted| accepted[entry.year_slot]),
            unit: self
                .unit_set_accepted
                .as_ref()
                .is_none_or(|accepted| accepted[entry.unit_set]),
        }
    }

    /// The entries that can count anywhere (a hit, or an entry failing one filter,
    /// counted in that filter's facet), as rising, disjoint ranges of doc ids; None
    /// where that takes visiting every entry. With a region and a year filter, such an
    /// entry passes at least one of the two; in a segment in layout order, newest year
    /// first and each year's entries by division, those of the chosen years form one
    /// run and those of a chosen division one run a year. A province and five years of
    /// eleven are under half of the entries. (With a unit filter too, an entry failing
    /// at most one of three still passes the region or the year.)
    pub fn ranges_that_count(&self, columns: &SegmentColumns) -> Option<Vec<Range<DocId>>> {
        let (Some(regions), Some(years)) = (&self.filters.regions, &self.year_accepted) else {
            return None;
        };
        let blocks = columns.year_blocks()?;
        let region_slots = runs_of_true(regions);
        let mut ranges = Vec::new();
        for block in blocks {
            if years[block.year_slot] {
                push_run(&mut ranges, block.entries.clone());
                continue;
            }
            for slots in &region_slots {
                push_run(&mut ranges, columns.region_run(block, slots));
            }
        }
        Some(ranges)
    }

    /// The entries passing the region and year filters, as rising, disjoint ranges of
    /// doc ids, if either is set and the segment is in layout order; None otherwise.
    pub fn ranges_passing(&self, columns: &SegmentColumns) -> Option<Vec<Range<DocId>>> {
        let regions = self.filters.regions.as_deref().map(runs_of_true);
        let years = self.year_accepted.as_deref();
        if regions.is_none() && years.is_none() {
            return None;
        }
        let mut ranges = Vec::new();
        for block in columns.year_blocks()? {
            if years.is_some_and(|accepted| !accepted[block.year_slot]) {
                continue;
            }
            match &regions {
                None => push_run(&mut ranges, block.entries.clone()),
                Some(region_slots) => {
                    for slots in region_slots {
                        push_run(&mut ranges, columns.region_run(block, slots));
                    }
                }
            }
        }
        Some(ranges)
    }
}

/// Adds a run after the others, joined to the last if they meet.
fn push_run(ranges: &mut Vec<Range<DocId>>, run: Range<DocId>) {
    match ranges.last_mut() {
        _ if run.is_empty() => {}
        Some(last) if last.end == run.start => last.end = run.end,
        _ => ranges.push(run),
    }
}

/// The runs of `true` in `flags`, in order.
fn runs_of_true(flags: &[bool]) -> Vec<Range<usize>> {
    let mut runs: Vec<Range<usize>> = Vec::new();
    for (at, &flag) in flags.iter().enumerate() {
        if !flag {
            continue;
        }
        match runs.last_mut() {
            Some(run) if run.end == at => run.end = at + 1,
            _ => runs.push(at..at + 1),
        }
    }
    runs
}

/// A year as stored, as a filter and a facet see it (none when unknown).
pub fn year_value(stored: i64) -> Option<i32> {
    (stored != UNKNOWN_YEAR)
        .then(|| i32::try_from(stored).ok())
        .flatten()
}
