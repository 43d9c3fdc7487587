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
//!
//! The same pass notes the term's highest frequency and shortest entry in each window
//! of entries, which bound what each window's entries can score (see
//! [`super::window_bounds`]).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use tantivy::index::SegmentId;
use tantivy::query::Bm25Weight;
use tantivy::schema::IndexRecordOption;
use tantivy::{DocId, Score, SegmentReader, Term};

use super::fieldnorms;

/// Terms whose summaries are kept before the table is cleared and starts again:
/// reading one again costs one pass over the term's postings.
const MAX_TERMS: usize = 65_536;

/// The summaries with windows are kept only while their windows hold fewer bytes than
/// this; past it, they are dropped and the table starts again with the others.
const MAX_WINDOW_BYTES: usize = 4 << 20;

/// A term in more than this share of a segment's entries bounds no window usefully:
/// nearly every window has an entry holding it often in a short text. Its windows
/// are not kept, nor read where nothing else is (reading them cost a pass over its
/// postings: 学校 教师 课程 at 1.5 M entries took 23 ms instead of 13 to search the
/// first time).
const MOST_ENTRIES_WINDOWED: u32 = 16;

/// log2 of the entries of a window: a term's most in each window of this many entries
/// bounds what the entries there can score. At 1.5 M entries, one thread, 双减 took
/// 0.56 ms with windows of 512 entries, 0.55–0.61 with 256, 0.61–0.74 with 128 (more
/// windows to bound than hits saved) and 0.94 without; the queries whose windows
/// rarely fall short paid up to 7 % for bounding them (减负 4–7 %, 学校 教师 课程 2–4 %).
const DEFAULT_WINDOW_LOG2: u32 = 9;

/// What a term can earn in one window of a segment's entries: its highest frequency
/// and its shortest entry there, taken apart (so a bound, not the window's best score).
#[derive(Clone, Copy, Default)]
pub(crate) struct WindowMost {
    /// 0 where no entry of the window holds the term; `u8::MAX` for that many or more.
    pub freq: u8,
    /// The shortest entry's length (fieldnorm id).
    pub shortest: u8,
}

impl WindowMost {
    /// The frequency to score the window's bound with.
    pub fn bound_freq(self) -> u32 {
        match self.freq {
            u8::MAX => u32::MAX,
            freq => u32::from(freq),
        }
    }
}

/// What one pass over a term's postings in a segment learns.
struct TermSummary {
    /// Each frequency with the shortest entry length (fieldnorm id) among the entries
    /// where the term has that frequency.
    pairs: Box<[(u32, u8)]>,
    /// By window of entries (see [`BestScores::with_windows_of`]); none where the term
    /// is in too many entries to bound windows.
    windows: Option<Box<[WindowMost]>>,
}

/// A term's most in each window of a segment's entries (of a summary that has them).
pub(crate) struct TermWindows(Arc<TermSummary>);

impl TermWindows {
    /// The term's most in window `window` (none past the segment's end).
    pub fn at(&self, window: usize) -> WindowMost {
        let windows = self.0.windows.as_deref().unwrap_or_default();
        windows.get(window).copied().unwrap_or_default()
    }
}

/// Each term's summary in each segment. BM25 rises with the frequency and falls with
/// the length, so the best of a term's pairs' scores is the best score of any entry
/// holding it, whatever the weight's statistics (deleted entries included, which can
/// only raise it); a window's highest frequency in its shortest entry bounds the
/// scores of the window's entries the same way.
pub struct BestScores {
    table: Mutex<SummaryTable>,
    /// log2 of the entries of a window.
    window_log2: u32,
}

impl Default for BestScores {
    fn default() -> BestScores {
        BestScores::with_windows_of(DEFAULT_WINDOW_LOG2)
    }
}

#[derive(Default)]
struct SummaryTable {
    summaries: HashMap<(SegmentId, Term), Arc<TermSummary>>,
    window_bytes: usize,
}

impl std::fmt::Debug for BestScores {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("BestScores")
    }
}

impl BestScores {
    /// Summaries with windows of 2^`window_log2` entries.
    pub(crate) fn with_windows_of(window_log2: u32) -> BestScores {
        BestScores {
            table: Mutex::default(),
            window_log2: window_log2.min(DocId::BITS - 1),
        }
    }

    /// log2 of the entries of a window of [`BestScores::windows`].
    pub(crate) fn window_log2(&self) -> u32 {
        self.window_log2
    }

    /// The best score `bm25` gives `term` in any entry of `segment` (0 where none
    /// holds it).
    pub(crate) fn best(
        &self,
        segment: &SegmentReader,
        term: &Term,
        bm25: &Bm25Weight,
    ) -> tantivy::Result<Score> {
        let summary = self.summary(segment, term)?;
        Ok(summary
            .pairs
            .iter()
            .map(|&(freq, length)| bm25.score(length, freq))
            .fold(0.0, Score::max))
    }

    /// `term`'s most in each window of `segment`'s entries; none where it is in too
    /// many entries to bound windows (found without reading its postings).
    pub(crate) fn windows(
        &self,
        segment: &SegmentReader,
        term: &Term,
    ) -> tantivy::Result<Option<TermWindows>> {
        let summary = match self.cached(segment, term) {
            Some(summary) => summary,
            None => {
                let doc_freq = segment.inverted_index(term.field())?.doc_freq(term)?;
                if !is_windowed(doc_freq, segment.max_doc()) {
                    return Ok(None);
                }
                self.summary(segment, term)?
            }
        };
        Ok(summary.windows.is_some().then_some(TermWindows(summary)))
    }

    fn cached(&self, segment: &SegmentReader, term: &Term) -> Option<Arc<TermSummary>> {
        let key = (segment.segment_id(), term.clone());
        let table = self.table.lock().unwrap_or_else(|e| e.into_inner());
        table.summaries.get(&key).map(Arc::clone)
    }

    fn summary(&self, segment: &SegmentReader, term: &Term) -> tantivy::Result<Arc<TermSummary>> {
        if let Some(summary) = self.cached(segment, term) {
            return Ok(summary);
        }
        let key = (segment.segment_id(), term.clone());
        let lock = || self.table.lock().unwrap_or_else(|e| e.into_inner());
        let summary = Arc::new(read_summary(segment, term, self.window_log2)?);
        let mut table = lock();
        let bytes = summary.window_bytes();
        if table.summaries.len() >= MAX_TERMS {
            table.summaries.clear();
            table.window_bytes = 0;
        } else if table.window_bytes + bytes > MAX_WINDOW_BYTES {
            // The others' pairs are a few bytes each, and a frequent term's cost a pass
            // over many postings to read again.
            table
                .summaries
                .retain(|_, summary| summary.windows.is_none());
            table.window_bytes = 0;
        }
        if let Some(replaced) = table.summaries.insert(key, Arc::clone(&summary)) {
            table.window_bytes -= replaced.window_bytes();
        }
        table.window_bytes += bytes;
        Ok(summary)
    }
}

impl TermSummary {
    fn window_bytes(&self) -> usize {
        self.windows
            .as_ref()
            .map_or(0, |windows| std::mem::size_of_val(&**windows))
    }
}

/// Whether a term in `doc_freq` of a segment's `max_doc` entries has its windows kept.
fn is_windowed(doc_freq: u32, max_doc: u32) -> bool {
    doc_freq <= max_doc / MOST_ENTRIES_WINDOWED
}

/// Each frequency of `term` in `segment` with the shortest entry length it has there,
/// and its most in each window.
fn read_summary(
    segment: &SegmentReader,
    term: &Term,
    window_log2: u32,
) -> tantivy::Result<TermSummary> {
    let inverted = segment.inverted_index(term.field())?;
    let Some(info) = inverted.get_term_info(term)? else {
        return Ok(TermSummary {
            pairs: Box::new([]),
            windows: None,
        });
    };
    let lengths = fieldnorms(segment, term.field())?;
    // A field indexed without frequencies reads each as 1.
    let mut block =
        inverted.read_block_postings_from_terminfo(&info, IndexRecordOption::WithFreqs)?;
    // By frequency (nearly all are small), the shortest length plus one; 0 for none.
    let mut shortest: Vec<u16> = Vec::new();
    let mut windows = is_windowed(info.doc_freq, segment.max_doc()).then(|| {
        let windows = (segment.max_doc() as usize).div_ceil(1 << window_log2);
        vec![WindowMost::default(); windows]
    });
    while block.block_len() > 0 {
        // By place in the block: without frequencies, the block holds none to zip with.
        for (at, &doc) in block.docs().iter().enumerate() {
            let (freq, length) = (block.freq(at), lengths.fieldnorm_id(doc));
            if let Some(windows) = &mut windows {
                let window = &mut windows[(doc >> window_log2) as usize];
                if window.freq == 0 || length < window.shortest {
                    window.shortest = length;
                }
                window.freq = window.freq.max(u8::try_from(freq).unwrap_or(u8::MAX));
            }
            let freq = freq as usize;
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
    Ok(TermSummary {
        pairs: shortest
            .into_iter()
            .enumerate()
            .filter(|&(_, length)| length > 0)
            .map(|(freq, length)| (freq as u32, (length - 1) as u8))
            .collect(),
        windows: windows.map(Vec::into_boxed_slice),
    })
}
