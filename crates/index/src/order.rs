//! The order entries are best added to an index in: newest year first (unknown last),
//! then by division (in code order, unknown last), plans of one year and division in
//! the order they were read, and a plan's entries in its own order. Browse order is the
//! order entries are added in, so it is this order too.
//!
//! In a segment written in this order, the entries of a run of years are one run of doc
//! ids, and those of a division one run a year. A search with a region and a year
//! filter and facet counts needs only the entries passing at least one of the two (see
//! [`crate::filters::SegmentFilters::ranges_that_count`]), and visits those runs alone.
//! An index built in any other order answers the same, visiting every entry.

use std::cmp::Reverse;
use std::collections::HashMap;
use std::fs::File;
use std::io::{BufRead, BufReader, Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};

use edusearch_plans::Plan;
use serde::Deserialize;

use crate::build::region_codes;
use crate::error::{IndexError, Result};
use crate::facets::RegionCounts;
use crate::record::ItemRecord;
use crate::schema::{UNKNOWN, UNKNOWN_YEAR};

/// Where entries of a year and region go: lower keys first.
pub type LayoutKey = (Reverse<i64>, usize);

/// The layout key of entries of `year` and the division of `region_code`: the year as
/// stored and the region's slot in facet counts, as a segment's columns see them.
pub fn layout_key(year: Option<i32>, region_code: Option<&str>) -> LayoutKey {
    let code = region_codes(region_code).last().copied().unwrap_or(UNKNOWN);
    stored_layout_key(year.map_or(UNKNOWN_YEAR, i64::from), code)
}

/// The layout key of entries of a year and a most specific division code as the index
/// stores them.
pub(crate) fn stored_layout_key(year: i64, region_code: u64) -> LayoutKey {
    (Reverse(year), RegionCounts::slot(region_code))
}

/// Puts plans in layout order; plans of one year and division keep their order.
pub fn sort_plans(plans: &mut [Plan]) {
    plans.sort_by_cached_key(|plan| layout_key(plan.year, plan.region.code.as_deref()));
}

/// The item records of a JSON-lines file in layout order, without holding them all in
/// memory: a first pass reads each line's plan, year and region, and the second reads
/// the lines again, plan by plan. A plan's lines keep their order, and plans of one
/// year and division the order they first appear in; a plan goes where its first line
/// puts it. Blank lines are skipped.
pub struct RecordsInLayoutOrder {
    path: PathBuf,
    reader: BufReader<File>,
    /// Where `reader` stands.
    at: u64,
    lines: std::vec::IntoIter<Line>,
    buffer: Vec<u8>,
    bytes: u64,
}

/// A line of the file.
#[derive(Debug, Clone, Copy)]
struct Line {
    offset: u64,
    len: usize,
    /// Counted from 1.
    number: usize,
}

/// What the first pass reads of a line.
#[derive(Deserialize)]
struct LineKey {
    plan_id: String,
    year: Option<i32>,
    #[serde(default)]
    region: RegionCode,
}

#[derive(Deserialize, Default)]
struct RegionCode {
    code: Option<String>,
}

impl RecordsInLayoutOrder {
    pub fn open(path: &Path) -> Result<RecordsInLayoutOrder> {
        let file = File::open(path).map_err(IndexError::io(path))?;
        let mut reader = BufReader::with_capacity(1 << 20, file);
        let mut plans: Vec<(LayoutKey, Vec<Line>)> = Vec::new();
        let mut plan_at: HashMap<String, usize> = HashMap::new();
        let mut buffer = Vec::new();
        let mut offset = 0u64;
        let mut number = 0;
        loop {
            buffer.clear();
            let len = reader
                .read_until(b'\n', &mut buffer)
                .map_err(IndexError::io(path))?;
            if len == 0 {
                break;
            }
            number += 1;
            let line = Line {
                offset,
                len,
                number,
            };
            offset += len as u64;
            if buffer.trim_ascii().is_empty() {
                continue;
            }
            let key: LineKey =
                serde_json::from_slice(&buffer).map_err(|e| not_a_record(path, number, &e))?;
            let at = *plan_at.entry(key.plan_id).or_insert_with(|| {
                plans.push((layout_key(key.year, key.region.code.as_deref()), Vec::new()));
                plans.len() - 1
            });
            plans[at].1.push(line);
        }
        // Stable: plans of one key keep the order they first appear in.
        plans.sort_by_key(|(key, _)| *key);
        let lines: Vec<Line> = plans.into_iter().flat_map(|(_, lines)| lines).collect();
        reader
            .seek(SeekFrom::Start(0))
            .map_err(IndexError::io(path))?;
        Ok(RecordsInLayoutOrder {
            path: path.to_path_buf(),
            reader,
            at: 0,
            lines: lines.into_iter(),
            buffer,
            bytes: offset,
        })
    }

    /// The size of the file in bytes.
    pub fn bytes(&self) -> u64 {
        self.bytes
    }

    fn read(&mut self, line: Line) -> Result<ItemRecord> {
        if self.at != line.offset {
            // Within the buffer when plans lie close; a plan's lines usually follow
            // one another, so most lines are read straight on.
            let jump = line.offset as i64 - self.at as i64;
            self.reader
                .seek_relative(jump)
                .map_err(IndexError::io(&self.path))?;
        }
        self.buffer.resize(line.len, 0);
        self.reader
            .read_exact(&mut self.buffer)
            .map_err(IndexError::io(&self.path))?;
        self.at = line.offset + line.len as u64;
        serde_json::from_slice(&self.buffer).map_err(|e| not_a_record(&self.path, line.number, &e))
    }
}

impl Iterator for RecordsInLayoutOrder {
    /// A record with its line's number and length in bytes.
    type Item = Result<(usize, usize, ItemRecord)>;

    fn next(&mut self) -> Option<Self::Item> {
        let line = self.lines.next()?;
        Some(
            self.read(line)
                .map(|record| (line.number, line.len, record)),
        )
    }
}

fn not_a_record(path: &Path, line: usize, error: &serde_json::Error) -> IndexError {
    IndexError::Input(format!(
        "{}:{line}: not an item record: {error}",
        path.display()
    ))
}

#[cfg(test)]
mod tests {
    use std::io::Write;
    use std::path::Path;

    use super::{layout_key, sort_plans, RecordsInLayoutOrder};
    use crate::record::ItemRecord;

    fn seed_plans() -> Vec<edusearch_plans::Plan> {
        let corpus = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../corpus");
        edusearch_plans::corpus::read_corpus(&corpus).unwrap().plans
    }

    #[test]
    fn plans_sort_newest_first_then_by_division_keeping_ties_in_order() {
        let mut plans = seed_plans();
        plans.reverse();
        let before: Vec<String> = plans.iter().map(|p| p.id.clone()).collect();
        sort_plans(&mut plans);
        let keys: Vec<_> = plans
            .iter()
            .map(|p| layout_key(p.year, p.region.code.as_deref()))
            .collect();
        assert!(keys.windows(2).all(|w| w[0] <= w[1]), "{keys:?}");
        assert!(
            keys.first().unwrap().0 .0 >= keys.last().unwrap().0 .0,
            "newest first"
        );
        for pair in plans.windows(2) {
            let key = |p: &edusearch_plans::Plan| layout_key(p.year, p.region.code.as_deref());
            if key(&pair[0]) == key(&pair[1]) {
                let at = |p: &edusearch_plans::Plan| before.iter().position(|id| *id == p.id);
                assert!(at(&pair[0]) < at(&pair[1]), "ties keep their order");
            }
        }
    }

    /// Lines of plans out of order, a plan's lines apart, blank lines: read back plan
    /// by plan in layout order, each plan's lines in their order, with their numbers.
    #[test]
    fn json_lines_read_back_in_layout_order() {
        let plans = seed_plans();
        let records: Vec<ItemRecord> = plans.iter().flat_map(ItemRecord::from_plan).collect();
        // Every other record first, then the rest: each plan's lines lie apart.
        let mut lines: Vec<(usize, &ItemRecord)> = Vec::new();
        lines.extend(records.iter().enumerate().filter(|(n, _)| n % 2 == 1));
        lines.extend(records.iter().enumerate().filter(|(n, _)| n % 2 == 0));
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("items.jsonl");
        let mut file = std::fs::File::create(&path).unwrap();
        for (at, (_, record)) in lines.iter().enumerate() {
            if at == 3 {
                writeln!(file, "   ").unwrap();
            }
            writeln!(file, "{}", serde_json::to_string(record).unwrap()).unwrap();
        }
        drop(file);

        let read: Vec<(usize, ItemRecord)> = RecordsInLayoutOrder::open(&path)
            .unwrap()
            .map(|entry| entry.map(|(number, _, record)| (number, record)))
            .collect::<Result<_, _>>()
            .unwrap();
        assert_eq!(read.len(), records.len());
        // Plans in the order their first lines put them, stably sorted.
        let mut first_seen: Vec<&str> = Vec::new();
        for (_, record) in &lines {
            if !first_seen.contains(&record.plan_id.as_str()) {
                first_seen.push(&record.plan_id);
            }
        }
        let key_of = |id: &str| {
            let plan = plans.iter().find(|p| p.id == id).unwrap();
            layout_key(plan.year, plan.region.code.as_deref())
        };
        first_seen.sort_by_key(|id| key_of(id));
        let expected: Vec<&str> = first_seen
            .iter()
            .flat_map(|id| {
                lines
                    .iter()
                    .filter(move |(_, r)| r.plan_id == *id)
                    .map(|(_, r)| r.id.as_str())
            })
            .collect();
        let got: Vec<&str> = read.iter().map(|(_, r)| r.id.as_str()).collect();
        assert_eq!(got, expected);
        // Each record comes with its own line's number (the blank line is line 4).
        for (number, record) in &read {
            let at = lines.iter().position(|(_, r)| r.id == record.id).unwrap();
            let expected = if at >= 3 { at + 2 } else { at + 1 };
            assert_eq!(*number, expected, "{}", record.id);
        }
    }

    #[test]
    fn a_line_that_is_not_a_record_is_named_before_anything_is_read() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("items.jsonl");
        std::fs::write(&path, "{\"plan_id\": \"a\", \"year\": 2020}\n{not json\n").unwrap();
        let error = RecordsInLayoutOrder::open(&path).err().unwrap().to_string();
        assert!(
            error.contains("items.jsonl:2: not an item record"),
            "{error}"
        );
    }
}
