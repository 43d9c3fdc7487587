//! The entries of a segment holding a dense term, as a bitset kept for the searches of
//! an open index.
//!
//! Intersecting frequent terms (学校 教师 课程: in 70 %, 46 % and 17 % of the entries at
//! 1.5 M) read each term's postings through a window at a time, decoding about a
//! million entries per search; the bits of a window are copied out of a kept set
//! instead. A term's frequencies are still read from its postings, for the few entries
//! scored. Only terms in at least one entry in [`DENSE_SHARE`] are kept for that: a set
//! costs a bit for every entry of the segment, whether the term is there or not, and
//! a rarer term is mostly skipped over rather than read. A reader that reads all of a
//! term's postings each search (the title terms of `title_windows`) has it kept
//! whatever its share.
//!
//! A set also counts its entries every [`RANK_WORDS`] words, so that an entry's place
//! among the term's postings is found with a few population counts: its frequency is
//! then read from the one block of postings that holds it (see `set_freqs`).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use tantivy::index::SegmentId;
use tantivy::schema::IndexRecordOption;
use tantivy::{DocId, SegmentReader, Term, TERMINATED};

use super::all_terms::{set_bits, WINDOW, WINDOW_WORDS};
use super::set_freqs::TermBlocks;

/// A term in fewer than one entry in this many of a segment is read from its postings.
const DENSE_SHARE: u32 = 8;

/// The sets are kept while they hold fewer bytes than this (at 1.5 M entries, about 40
/// terms); past it, the table is cleared and starts again. With 16 MB, a server at
/// 1.5 M entries held 15 MiB of sets after 1,998 distinct queries, and 941 MiB in all,
/// close to the 10⁹ bytes it must stay under.
const MAX_BYTES: usize = 8 << 20;

/// Words of the set between two counts of the entries before them.
const RANK_WORDS: usize = 8;

/// One bit for each entry of a segment: set where the entry holds the term.
pub(crate) struct EntrySet {
    words: Box<[u64]>,
    /// How many entries hold the term before each run of [`RANK_WORDS`] words, where
    /// its field records frequencies (none otherwise).
    ranks: Box<[u32]>,
    /// How many entries hold the term (0 without ranks).
    count: u32,
    /// The term's postings, where its field records frequencies.
    postings: Option<TermBlocks>,
}

impl EntrySet {
    /// The bits of the entries from `start` up to `start + WINDOW`, as a window of
    /// `all_terms` holds them (none past the segment's end).
    pub fn window(&self, start: DocId) -> [u64; WINDOW_WORDS] {
        let first = (start / 64) as usize;
        let shift = start % 64;
        let word = |at: usize| self.words.get(at).copied().unwrap_or(0);
        let mut window = [0u64; WINDOW_WORDS];
        for (at, bits) in window.iter_mut().enumerate() {
            let low = word(first + at) >> shift;
            let high = match shift {
                0 => 0,
                _ => word(first + at + 1) << (64 - shift),
            };
            *bits = low | high;
        }
        window
    }

    /// The first entry at or after `doc` that holds the term; `TERMINATED` if none.
    pub fn first_from(&self, doc: DocId) -> DocId {
        let mut at = (doc / 64) as usize;
        let Some(&word) = self.words.get(at) else {
            return TERMINATED;
        };
        let mut bits = word & (u64::MAX << (doc % 64));
        loop {
            if bits != 0 {
                return 64 * at as DocId + bits.trailing_zeros();
            }
            at += 1;
            match self.words.get(at) {
                Some(&word) => bits = word,
                None => return TERMINATED,
            }
        }
    }

    /// How many entries before `doc` hold the term: `doc`'s place among the term's
    /// postings, if it holds it.
    pub fn rank(&self, doc: DocId) -> u32 {
        let word = (doc / 64) as usize;
        let run = word / RANK_WORDS;
        let (Some(&before), Some(&bits)) = (self.ranks.get(run), self.words.get(word)) else {
            return self.count;
        };
        let whole: u32 = (self.words[run * RANK_WORDS..word])
            .iter()
            .map(|w| w.count_ones())
            .sum();
        before + whole + (bits & ((1u64 << (doc % 64)) - 1)).count_ones()
    }

    /// The term's postings, to read its frequencies from; none where its field has none.
    pub fn postings(&self) -> Option<&TermBlocks> {
        self.postings.as_ref()
    }

    fn bytes(&self) -> usize {
        std::mem::size_of_val(&*self.words) + std::mem::size_of_val(&*self.ranks)
    }
}

/// The sets of an open index, by segment and term.
pub struct DenseSets {
    table: Mutex<Table>,
    max_bytes: usize,
}

impl Default for DenseSets {
    fn default() -> DenseSets {
        DenseSets {
            table: Mutex::default(),
            max_bytes: MAX_BYTES,
        }
    }
}

#[derive(Default)]
struct Table {
    sets: HashMap<(SegmentId, Term), Arc<EntrySet>>,
    bytes: usize,
}

impl std::fmt::Debug for DenseSets {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("DenseSets")
    }
}

impl DenseSets {
    /// Sets kept while they hold fewer bytes than `max_bytes`.
    #[cfg(test)]
    fn with_max_bytes(max_bytes: usize) -> DenseSets {
        DenseSets {
            max_bytes,
            ..DenseSets::default()
        }
    }

    /// How many sets are kept.
    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.table.lock().unwrap().sets.len()
    }

    /// The entries of `segment` holding `term`, which `doc_freq` of them do; none where
    /// that is too few for a set to pay.
    pub(crate) fn entries(
        &self,
        segment: &SegmentReader,
        term: &Term,
        doc_freq: u32,
    ) -> tantivy::Result<Option<Arc<EntrySet>>> {
        if doc_freq.saturating_mul(DENSE_SHARE) < segment.max_doc() {
            return Ok(None);
        }
        self.entries_read_through(segment, term)
    }

    /// The entries of `segment` holding `term` if a set of them is kept already, for
    /// another reader (title terms are, for `title_windows`): reading it costs nothing.
    pub(crate) fn kept(&self, segment: &SegmentReader, term: &Term) -> Option<Arc<EntrySet>> {
        let key = (segment.segment_id(), term.clone());
        let table = self.table.lock().unwrap_or_else(|e| e.into_inner());
        table.sets.get(&key).cloned()
    }

    /// The entries of `segment` holding `term`, whatever their share, for a reader that
    /// would otherwise go through all of its postings each search; none where no entry
    /// holds it, or a set would not fit the table.
    pub(crate) fn entries_read_through(
        &self,
        segment: &SegmentReader,
        term: &Term,
    ) -> tantivy::Result<Option<Arc<EntrySet>>> {
        let set_bytes = (segment.max_doc() as usize).div_ceil(64) * 8;
        if set_bytes > self.max_bytes {
            return Ok(None);
        }
        if let Some(set) = self.kept(segment, term) {
            return Ok(Some(set));
        }
        // Read without the lock: other searches go on meanwhile.
        let Some(set) = read_set(segment, term)? else {
            return Ok(None);
        };
        let set = Arc::new(set);
        let key = (segment.segment_id(), term.clone());
        let mut table = self.table.lock().unwrap_or_else(|e| e.into_inner());
        if table.bytes + set.bytes() > self.max_bytes {
            table.sets.clear();
            table.bytes = 0;
        }
        if let Some(replaced) = table.sets.insert(key, Arc::clone(&set)) {
            table.bytes -= replaced.bytes();
        }
        table.bytes += set.bytes();
        Ok(Some(set))
    }
}

/// The set of `term` in `segment`, read from its postings; none if no entry holds it.
fn read_set(segment: &SegmentReader, term: &Term) -> tantivy::Result<Option<EntrySet>> {
    let inverted = segment.inverted_index(term.field())?;
    let Some(info) = inverted.get_term_info(term)? else {
        return Ok(None);
    };
    let mut block = inverted.read_block_postings_from_terminfo(&info, IndexRecordOption::Basic)?;
    let postings = TermBlocks::open(segment, term.field(), &info)?;
    let mut words = vec![0u64; (segment.max_doc() as usize).div_ceil(64)].into_boxed_slice();
    while block.block_len() > 0 {
        // A window's worth of words at a time, as `set_bits` fills them.
        for docs in block.docs().chunk_by(|a, b| a / WINDOW == b / WINDOW) {
            let start = docs[0] / WINDOW * WINDOW;
            let first = (start / 64) as usize;
            let end = (first + WINDOW_WORDS).min(words.len());
            let mut window = [0u64; WINDOW_WORDS];
            set_bits(&mut window, docs, start);
            for (word, bits) in words[first..end].iter_mut().zip(window) {
                *word |= bits;
            }
        }
        block.advance();
    }
    // Ranks are only asked for to read frequencies.
    let mut count = 0u32;
    let ranks = match postings {
        Some(_) => words
            .chunks(RANK_WORDS)
            .map(|run| {
                let before = count;
                count += run.iter().map(|w| w.count_ones()).sum::<u32>();
                before
            })
            .collect(),
        None => Box::default(),
    };
    Ok(Some(EntrySet {
        words,
        ranks,
        count,
        postings,
    }))
}

#[cfg(test)]
mod tests {
    use tantivy::schema::{IndexRecordOption, Schema, TEXT};
    use tantivy::{doc, DocId, DocSet, Index, IndexWriter, Term, TERMINATED};

    use super::{DenseSets, WINDOW};

    /// One segment of 3,000 entries (not a multiple of 64): "half" in every other one,
    /// "runs" in runs of 400 with gaps of 1,100 (a whole window without it), "rare" in
    /// one in 20.
    fn index() -> (Index, tantivy::schema::Field) {
        let mut schema = Schema::builder();
        let text = schema.add_text_field("text", TEXT);
        let index = Index::create_in_ram(schema.build());
        let mut writer: IndexWriter = index.writer_with_num_threads(1, 15_000_000).unwrap();
        for i in 0..3_000u32 {
            let mut words = vec!["all"];
            if i % 2 == 0 {
                words.push("half");
            }
            if i % 1_500 < 400 {
                words.push("runs");
            }
            if i % 20 == 3 {
                words.push("rare");
            }
            writer.add_document(doc!(text => words.join(" "))).unwrap();
        }
        writer.commit().unwrap();
        (index, text)
    }

    /// A kept set holds exactly the entries of the term's postings: read a window from
    /// any entry, or searched for the next entry from any. A rare term is kept only for
    /// a reader that goes through all its postings; a term no entry holds, never.
    #[test]
    fn a_set_holds_the_entries_of_the_terms_postings() {
        let (index, text) = index();
        let searcher = index.reader().unwrap().searcher();
        let segment = searcher.segment_reader(0);
        let sets = DenseSets::default();
        for word in ["all", "half", "runs", "rare"] {
            let term = Term::from_field_text(text, word);
            let inverted = segment.inverted_index(text).unwrap();
            let doc_freq = inverted.doc_freq(&term).unwrap();
            let mut postings = inverted
                .read_postings(&term, IndexRecordOption::Basic)
                .unwrap()
                .unwrap();
            let mut entries = Vec::new();
            while postings.doc() != TERMINATED {
                entries.push(postings.doc());
                postings.advance();
            }
            let set = match sets.entries(segment, &term, doc_freq).unwrap() {
                Some(set) => set,
                None => {
                    assert_eq!(word, "rare", "one entry in 20 is too few for a set");
                    let read_through = sets.entries_read_through(segment, &term).unwrap();
                    read_through.expect("kept for a reader going through its postings")
                }
            };
            for start in [0, 1, 63, 64, 65, 700, 1_999, 2_950, 3_000, 5_000] {
                let window = set.window(start);
                let held: Vec<DocId> = (0..WINDOW)
                    .filter(|at| window[(at / 64) as usize] & (1 << (at % 64)) != 0)
                    .map(|at| start + at)
                    .collect();
                let expected: Vec<DocId> = entries
                    .iter()
                    .copied()
                    .filter(|&doc| doc >= start && doc < start + WINDOW)
                    .collect();
                assert_eq!(held, expected, "{word} from {start}");
                let next = entries.iter().copied().find(|&doc| doc >= start);
                assert_eq!(set.first_from(start), next.unwrap_or(TERMINATED), "{word}");
            }
        }
        assert_eq!(sets.len(), 4);
        // Asked again, the kept set is given.
        let term = Term::from_field_text(text, "half");
        let again = sets.entries(segment, &term, 1_500).unwrap();
        assert!(again.is_some());
        let absent = Term::from_field_text(text, "absent");
        assert!(sets
            .entries_read_through(segment, &absent)
            .unwrap()
            .is_none());
        assert_eq!(sets.len(), 4);
    }

    /// Past its bytes, the table is cleared and starts again with the set just read; a
    /// set that would not fit alone is not kept.
    #[test]
    fn a_full_table_starts_again() {
        let (index, text) = index();
        let searcher = index.reader().unwrap().searcher();
        let segment = searcher.segment_reader(0);
        // 3,000 entries: 47 words, 376 bytes a set; room for two.
        let sets = DenseSets::with_max_bytes(800);
        for (word, kept) in [("all", 1), ("half", 2), ("runs", 1), ("all", 2)] {
            let term = Term::from_field_text(text, word);
            let doc_freq = segment
                .inverted_index(text)
                .unwrap()
                .doc_freq(&term)
                .unwrap();
            assert!(sets.entries(segment, &term, doc_freq).unwrap().is_some());
            assert_eq!(sets.len(), kept, "after {word}");
        }
        // A set larger than the table's room is never read.
        let small = DenseSets::with_max_bytes(300);
        let all = Term::from_field_text(text, "all");
        assert!(small.entries(segment, &all, 3_000).unwrap().is_none());
        assert_eq!(small.len(), 0);
    }
}
