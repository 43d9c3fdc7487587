//! The best score a term earns in a segment, read from its postings once for all the
//! searches of an open index.
//!
//! tantivy's BM25 bound for a term is its score at an unbounded frequency in the
//! shortest entry: 2.2 times the score of a term standing once in an entry of average
//! length. A title holds a term once, rarely twice, so for title terms that bound was
//! about 1.8 times the best any title earns (学校: 5.18 against 2.88 at 1.5 M entries).
//! A search gives up on an entry once its score so far plus the most its unchecked
//! bonuses could add falls short of the page; with the loose bound, every hit of 学校
//! 教师 课程 had all three title bonuses checked. With the best scores, that query at
//! 1.5 M entries went from 11.1 to 10.2 ms on one thread (5.2–5.5 to 4.6–5.0 ms on
//! two); reading the three title terms' postings added about 0.5 ms to its first
//! search. Whole-word bonuses are bounded the same way; the first search of 学校 教师
//! 课程, whose words are each in ~0.9 M entries, took 126–138 ms before and 131–137 ms
//! after (frequencies are gathered in an array by frequency, not a hash map).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use tantivy::index::SegmentId;
use tantivy::query::Bm25Weight;
use tantivy::schema::IndexRecordOption;
use tantivy::{Score, SegmentReader, Term};

use super::fieldnorms;

/// Terms whose pairs are kept before the table is cleared and starts again: a
/// term's pairs are a few bytes, and reading them again costs one pass over its
/// postings.
const MAX_TERMS: usize = 65_536;

/// A term's frequencies in a segment, each with the shortest entry length (fieldnorm
/// id) among the entries where it has that frequency.
type Pairs = Arc<[(u32, u8)]>;

/// Each term's pairs (frequency, shortest length) in each segment. BM25 rises with the frequency and falls with
/// the length, so the best of a term's pairs' scores is the best score of any entry
/// holding it, whatever the weight's statistics (deleted entries included, which can
/// only raise it).
#[derive(Default)]
pub struct BestScores {
    pairs: Mutex<HashMap<(SegmentId, Term), Pairs>>,
}

impl std::fmt::Debug for BestScores {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("BestScores")
    }
}

impl BestScores {
    /// The best score `bm25` gives `term` in any entry of `segment` (0 where none
    /// holds it).
    pub(crate) fn best(
        &self,
        segment: &SegmentReader,
        term: &Term,
        bm25: &Bm25Weight,
    ) -> tantivy::Result<Score> {
        let pairs = self.pairs(segment, term)?;
        Ok(pairs
            .iter()
            .map(|&(freq, length)| bm25.score(length, freq))
            .fold(0.0, Score::max))
    }

    fn pairs(&self, segment: &SegmentReader, term: &Term) -> tantivy::Result<Pairs> {
        let key = (segment.segment_id(), term.clone());
        let lock = || self.pairs.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(pairs) = lock().get(&key) {
            return Ok(Arc::clone(pairs));
        }
        let pairs = read_pairs(segment, term)?;
        let mut table = lock();
        if table.len() >= MAX_TERMS {
            table.clear();
        }
        table.insert(key, Arc::clone(&pairs));
        Ok(pairs)
    }
}

/// Each frequency of `term` in `segment` with the shortest entry length it has there.
fn read_pairs(segment: &SegmentReader, term: &Term) -> tantivy::Result<Pairs> {
    let inverted = segment.inverted_index(term.field())?;
    let Some(info) = inverted.get_term_info(term)? else {
        return Ok(Arc::new([]));
    };
    let lengths = fieldnorms(segment, term.field())?;
    // A field indexed without frequencies reads each as 1.
    let mut block =
        inverted.read_block_postings_from_terminfo(&info, IndexRecordOption::WithFreqs)?;
    // By frequency (nearly all are small), the shortest length plus one; 0 for none.
    let mut shortest: Vec<u16> = Vec::new();
    while block.block_len() > 0 {
        // By place in the block: without frequencies, the block holds none to zip with.
        for (at, &doc) in block.docs().iter().enumerate() {
            let (freq, length) = (block.freq(at) as usize, lengths.fieldnorm_id(doc));
            if freq >= shortest.len() {
                shortest.resize(freq + 1, 0);
            }
            let known = &mut shortest[freq];
            let length = u16::from(length) + 1;
            if *known == 0 || length < *known {
                *known = length;
            }
        }
        block.advance();
    }
    Ok(shortest
        .into_iter()
        .enumerate()
        .filter(|&(_, length)| length > 0)
        .map(|(freq, length)| (freq as u32, (length - 1) as u8))
        .collect())
}
