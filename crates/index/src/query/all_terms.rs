//! Entries that hold every one of several terms (学校 教师 课程).
//!
//! Where the rarest term is in at least one entry in [`DENSE_RATIO`] of a segment, the
//! entries are found a window of [`WINDOW`] at a time, as tantivy counts such an
//! intersection: each term's postings are read straight through into a bitset of the
//! window, and the bitsets are intersected. tantivy's intersection, which must score,
//! seeks every other term to each entry of the rarest; where most entries hold every
//! term, that cost twice as much as reading them all. When scoring, each term's
//! frequencies are kept with the window (seeking scorers of their own to the entries
//! asked for a score cost more than the window saved). Sparser terms are left to
//! tantivy's intersection, which skips through them. Within a window, a term far
//! denser than the candidates left is sought for each instead of read through. A term
//! whose entries are kept as a set (see `dense_sets`) is not read at all: the window's
//! bits are copied from the set, and with no window read to keep its frequencies, those
//! of the few entries scored are read by their rank in the set (see `set_freqs`). The
//! same windows, of the bigrams substring terms need, filter the candidates of a
//! conjunction (see `conjunction`).
//!
//! Scores are those of tantivy's intersection to the bit: the same scorers, summed in
//! the same order.

use std::sync::Arc;

use tantivy::fieldnorm::FieldNormReader;
use tantivy::query::{
    intersect_scorers, Bm25Weight, EmptyScorer, EnableScoring, Explanation, Query, Scorer,
    TermQuery, Weight,
};
use tantivy::schema::IndexRecordOption;

use super::dense_sets::{DenseSets, EntrySet};
use super::postings::Cursor;
use super::set_freqs::SetFreqs;
use super::{explain_sum, fieldnorms};
use tantivy::{DocId, DocSet, Score, SeekDangerResult, SegmentReader, Term, TERMINATED};

/// Words of 64 entries in a window.
pub(super) const WINDOW_WORDS: usize = 16;
/// Entries in a window.
pub(super) const WINDOW: u32 = 64 * WINDOW_WORDS as u32;
/// The rarest term must be in one entry in this many for windows to pay (tantivy's
/// own threshold for counting an intersection by windows): reading a window costs
/// every entry of it that holds a term, skipping costs the candidates of the rarest.
const DENSE_RATIO: u32 = 32;
/// A list holding this many times more entries of a window than there are candidates
/// left in it is asked about each candidate instead of read through (a seek costs
/// about as much as reading several entries; 8 did better than 32 for 劳动教育 心理健康,
/// and the same for 学校 教师 课程).
const PROBE_RATIO: u32 = 8;

/// Matches where every term is; scores the sum of the terms' scores, each as a term
/// query with frequencies scores it (a field indexed without them counts each once).
#[derive(Debug, Clone)]
pub struct AllTermsQuery {
    terms: Vec<TermQuery>,
    /// Where the entries of dense terms are kept, if anywhere.
    dense_sets: Option<Arc<DenseSets>>,
}

impl AllTermsQuery {
    /// At least two terms.
    pub fn new(terms: Vec<Term>) -> AllTermsQuery {
        debug_assert!(terms.len() >= 2);
        AllTermsQuery {
            terms: terms
                .into_iter()
                .map(|term| TermQuery::new(term, IndexRecordOption::WithFreqs))
                .collect(),
            dense_sets: None,
        }
    }

    /// Reads the entries of its dense terms from `sets` (see `dense_sets`).
    pub fn with_dense_sets(mut self, sets: Arc<DenseSets>) -> AllTermsQuery {
        self.dense_sets = Some(sets);
        self
    }
}

impl Query for AllTermsQuery {
    fn weight(&self, enable_scoring: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        let weights = self
            .terms
            .iter()
            .map(|query| query.weight(enable_scoring))
            .collect::<tantivy::Result<_>>()?;
        let terms: Vec<Term> = self
            .terms
            .iter()
            .map(|query| query.term().clone())
            .collect();
        // Each term weighed as its term query weighs it.
        let bm25 = match enable_scoring {
            EnableScoring::Enabled {
                statistics_provider,
                ..
            } => Some(
                terms
                    .iter()
                    .map(|term| {
                        Bm25Weight::for_terms(statistics_provider, std::slice::from_ref(term))
                    })
                    .collect::<tantivy::Result<_>>()?,
            ),
            EnableScoring::Disabled { .. } => None,
        };
        Ok(Box::new(AllTermsWeight {
            terms,
            bm25,
            weights,
            dense_sets: self.dense_sets.clone(),
        }))
    }

    fn query_terms<'a>(&'a self, visitor: &mut dyn FnMut(&'a Term, bool)) {
        for query in &self.terms {
            query.query_terms(visitor);
        }
    }
}

struct AllTermsWeight {
    terms: Vec<Term>,
    /// Each term's weight, when scoring.
    bm25: Option<Vec<Bm25Weight>>,
    /// The terms' own query weights: tantivy's intersection of their scorers matches
    /// where the terms are sparse.
    weights: Vec<Box<dyn Weight>>,
    dense_sets: Option<Arc<DenseSets>>,
}

impl Weight for AllTermsWeight {
    fn scorer(&self, reader: &SegmentReader, boost: Score) -> tantivy::Result<Box<dyn Scorer>> {
        let mut infos = Vec::with_capacity(self.terms.len());
        for term in &self.terms {
            match reader.inverted_index(term.field())?.get_term_info(term)? {
                Some(info) => infos.push((term, info)),
                None => return Ok(Box::new(EmptyScorer)),
            }
        }
        let rarest = infos.iter().map(|(_, info)| info.doc_freq).min();
        if rarest.unwrap_or(0).saturating_mul(DENSE_RATIO) < reader.max_doc() {
            let scorers = self
                .weights
                .iter()
                .map(|weight| weight.scorer(reader, boost))
                .collect::<tantivy::Result<Vec<_>>>()?;
            return Ok(intersect_scorers(scorers, reader.num_docs()));
        }
        let record = match self.bm25 {
            Some(_) => IndexRecordOption::WithFreqs,
            None => IndexRecordOption::Basic,
        };
        let mut lists = Vec::with_capacity(infos.len());
        for (at, (term, info)) in infos.into_iter().enumerate() {
            // A field indexed without frequencies gives each entry a frequency of 1.
            let has_freqs = reader
                .schema()
                .get_field_entry(term.field())
                .field_type()
                .get_index_record_option()
                .is_some_and(|indexed| record.downgrade(indexed).has_freq());
            let postings = Cursor::new(
                reader
                    .inverted_index(term.field())?
                    .read_block_postings_from_terminfo(&info, record)?,
            );
            let scoring = match &self.bm25 {
                Some(bm25) => Some(TermScoring {
                    bm25: bm25[at].boost_by(boost),
                    fieldnorms: fieldnorms(reader, term.field())?,
                    window: has_freqs.then(WindowFreqs::default),
                }),
                None => None,
            };
            let set = match &self.dense_sets {
                Some(sets) => sets.entries(reader, term, info.doc_freq)?,
                None => None,
            };
            let freqs = match (&scoring, &set) {
                (
                    Some(TermScoring {
                        window: Some(_), ..
                    }),
                    Some(set),
                ) => SetFreqs::new(Arc::clone(set)),
                _ => None,
            };
            lists.push(List {
                postings,
                scoring,
                per_window: 0,
                set,
                freqs,
            });
        }
        Ok(Box::new(WindowedIntersection::new(lists, reader.max_doc())))
    }

    fn explain(&self, reader: &SegmentReader, doc: DocId) -> tantivy::Result<Explanation> {
        explain_sum("All terms", self, &self.weights, reader, doc)
    }
}

/// A term's postings in a segment, and what scores it there.
struct List {
    postings: Cursor,
    scoring: Option<TermScoring>,
    /// Entries of a window that hold the term, on average.
    per_window: u32,
    /// The entries holding the term, where it is dense enough for them to be kept
    /// (see `dense_sets`): a window's bits are copied from them.
    set: Option<Arc<EntrySet>>,
    /// Where the frequencies of a term kept as a set are read, by the rank of the
    /// entries scored in it.
    freqs: Option<SetFreqs>,
}

struct TermScoring {
    bm25: Bm25Weight,
    fieldnorms: FieldNormReader,
    /// The term's entries read with the window and their frequencies, if the field has
    /// frequencies.
    window: Option<WindowFreqs>,
}

/// A term's entries of the window, rising, each with its frequency. Copied a block's
/// run at a time, and searched only for the few entries asked for a score (most
/// matches of a large result are given up on unscored): scattering each frequency
/// into a table by entry was a third of the time of reading the window.
#[derive(Default)]
struct WindowFreqs {
    docs: Vec<DocId>,
    freqs: Vec<u32>,
}

impl WindowFreqs {
    fn clear(&mut self) {
        self.docs.clear();
        self.freqs.clear();
    }

    /// The frequency of `doc`, which the window holds.
    fn freq(&self, doc: DocId) -> u32 {
        self.freqs[self.docs.partition_point(|&held| held < doc)]
    }
}

/// Sets the bits of `docs` (rising, within the window from `start`). A word's bits are
/// gathered in a register while the entries stay in it: or-ing each into memory made
/// every entry wait on the store of the one before.
pub(super) fn set_bits(window: &mut [u64; WINDOW_WORDS], docs: &[DocId], start: DocId) {
    let Some(&first) = docs.first() else {
        return;
    };
    let mut word = ((first - start) / 64) as usize;
    let mut bits = 0u64;
    for &doc in docs {
        let delta = doc - start;
        let at = (delta / 64) as usize;
        if at != word {
            window[word] |= bits;
            word = at;
            bits = 0;
        }
        bits |= 1 << (delta % 64);
    }
    window[word] |= bits;
}

/// Keeps of the window's candidates (`words`, from `start`) those the list holds, each
/// sought in turn, with their frequencies when scoring.
fn probe(
    words: &mut [u64; WINDOW_WORDS],
    postings: &mut Cursor,
    scoring: &mut Option<TermScoring>,
    start: DocId,
) {
    for (at, word) in words.iter_mut().enumerate() {
        let mut bits = *word;
        while bits != 0 {
            let bit = bits.trailing_zeros();
            bits &= bits - 1;
            let doc = start + 64 * at as u32 + bit;
            if postings.seek(doc) != doc {
                *word &= !(1u64 << bit);
            } else if let Some(kept) = scoring.as_mut().and_then(|s| s.window.as_mut()) {
                kept.docs.push(doc);
                kept.freqs.push(postings.block.freq(postings.at));
            }
        }
    }
}

/// The entries of a segment that every list of postings holds, a window at a time.
pub(super) struct WindowedIntersection {
    /// Rarest first (a window none of whose entries it holds is left at once), the
    /// order in which tantivy's intersection sums their scores.
    lists: Vec<List>,
    /// First entry of the current window.
    base: DocId,
    /// The window's matches from the current entry on, one bit per entry.
    words: [u64; WINDOW_WORDS],
    /// The word of the current entry.
    word: usize,
    /// Where the next window starts: no entry between the current window's end and it
    /// is in every list (one read to the window's end has none there).
    next_base: DocId,
    /// Whether the window holds the matches from the current entry on. Asked about
    /// entries one at a time (as a rarer required query asks), the lists skip to each
    /// instead: a window read for each would cost far more.
    in_window: bool,
    doc: DocId,
}

impl WindowedIntersection {
    fn new(mut lists: Vec<List>, max_doc: DocId) -> WindowedIntersection {
        // Stable, as tantivy sorts the scorers by cost (their document frequency).
        lists.sort_by_key(|list| list.postings.block.doc_freq());
        for list in &mut lists {
            let per_window = u64::from(list.postings.block.doc_freq()) * u64::from(WINDOW)
                / u64::from(max_doc.max(1));
            list.per_window = per_window as u32;
        }
        let mut intersection = WindowedIntersection {
            lists,
            base: 0,
            words: [0; WINDOW_WORDS],
            word: 0,
            next_base: 0,
            in_window: false,
            doc: 0,
        };
        intersection.doc = intersection.first_in_windows_from(0);
        intersection
    }

    /// A filter of the candidates of queries that need every one of `terms`: the
    /// entries that hold them all, leaving out terms in more than half the segment's
    /// entries, which would rule out too few to repay reading them. None where the
    /// rarest is too sparse for windows to pay, no term is left, or a term is in no
    /// entry (then nothing matches, as the queries find at once).
    pub(super) fn filter(
        reader: &SegmentReader,
        terms: &[Term],
    ) -> tantivy::Result<Option<WindowedIntersection>> {
        let max_doc = reader.max_doc();
        let mut lists = Vec::with_capacity(terms.len());
        for term in terms {
            let inverted = reader.inverted_index(term.field())?;
            let Some(info) = inverted.get_term_info(term)? else {
                return Ok(None);
            };
            if u64::from(info.doc_freq) * 2 > u64::from(max_doc) {
                continue;
            }
            let block =
                inverted.read_block_postings_from_terminfo(&info, IndexRecordOption::Basic)?;
            lists.push(List {
                postings: Cursor::new(block),
                scoring: None,
                per_window: 0,
                set: None,
                freqs: None,
            });
        }
        let rarest = lists
            .iter()
            .map(|list| list.postings.block.doc_freq())
            .min();
        Ok(match rarest {
            Some(rarest) if rarest.saturating_mul(DENSE_RATIO) >= max_doc => {
                Some(WindowedIntersection::new(lists, max_doc))
            }
            _ => None,
        })
    }

    /// The first match at or after `start` (past the current window, if any), read a
    /// window at a time from there.
    fn first_in_windows_from(&mut self, mut start: DocId) -> DocId {
        while start < TERMINATED {
            let horizon = start.saturating_add(WINDOW);
            // No entry before the last list's next one, beyond the window, holds them all.
            let mut next = horizon;
            self.base = start;
            self.words = [u64::MAX; WINDOW_WORDS];
            for (at, list) in self.lists.iter_mut().enumerate() {
                let List {
                    postings,
                    scoring,
                    set,
                    ..
                } = list;
                if let Some(set) = set {
                    for (word, entries) in self.words.iter_mut().zip(set.window(start)) {
                        *word &= entries;
                    }
                    next = next.max(set.first_from(horizon));
                    if self.words.iter().all(|&word| word == 0) {
                        break;
                    }
                    continue;
                }
                if let Some(kept) = scoring.as_mut().and_then(|s| s.window.as_mut()) {
                    kept.clear();
                }
                let candidates =
                    || -> u32 { self.words.iter().map(|word| word.count_ones()).sum() };
                if at > 0 && candidates().saturating_mul(PROBE_RATIO) < list.per_window {
                    // Few candidates left: each is sought rather than the window read.
                    probe(&mut self.words, postings, scoring, start);
                } else {
                    let mut window = [0u64; WINDOW_WORDS];
                    let mut doc = postings.seek(start);
                    // Block by block, straight through the decoded entries.
                    while doc < horizon {
                        let docs = &postings.block.docs()[postings.at..];
                        let count = docs.partition_point(|&doc| doc < horizon);
                        set_bits(&mut window, &docs[..count], start);
                        if let Some(kept) = scoring.as_mut().and_then(|s| s.window.as_mut()) {
                            kept.docs.extend_from_slice(&docs[..count]);
                            kept.freqs
                                .extend_from_slice(&postings.block.freqs()[postings.at..][..count]);
                        }
                        postings.at += count;
                        doc = postings.current();
                    }
                    // Read to the window's end: no match before this list's next entry.
                    next = next.max(doc);
                    for (word, entries) in self.words.iter_mut().zip(window) {
                        *word &= entries;
                    }
                }
                if self.words.iter().all(|&word| word == 0) {
                    break;
                }
            }
            self.next_base = next;
            if let Some(doc) = self.first_from_word(0) {
                self.in_window = true;
                return doc;
            }
            start = next;
        }
        self.next_base = TERMINATED;
        self.in_window = false;
        TERMINATED
    }

    /// The first match at or after `target`, in the current window if it can be there.
    fn first_from(&mut self, target: DocId) -> DocId {
        if !self.in_window {
            return self.first_in_windows_from(target);
        }
        if target - self.base >= WINDOW {
            return self.first_in_windows_from(target.max(self.next_base));
        }
        match self.first_in_window_from(target) {
            Some(doc) => doc,
            None => self.first_in_windows_from(self.next_base),
        }
    }

    /// The window's first match at or after `target`, which is in the window, after the
    /// current entry; the matches before it are dropped.
    fn first_in_window_from(&mut self, target: DocId) -> Option<DocId> {
        let delta = target - self.base;
        let word = (delta / 64) as usize;
        for skipped in &mut self.words[self.word..word] {
            *skipped = 0;
        }
        self.words[word] &= u64::MAX << (delta % 64);
        self.first_from_word(word)
    }

    /// The first match of the window in word `from` or later.
    fn first_from_word(&mut self, from: usize) -> Option<DocId> {
        let word = (from..WINDOW_WORDS).find(|&word| self.words[word] != 0)?;
        self.word = word;
        Some(self.base + 64 * word as u32 + self.words[word].trailing_zeros())
    }
}

impl DocSet for WindowedIntersection {
    fn advance(&mut self) -> DocId {
        if self.doc == TERMINATED {
            return TERMINATED;
        }
        self.doc = if self.in_window {
            // The current entry is its word's lowest bit.
            self.words[self.word] &= self.words[self.word] - 1;
            match self.first_from_word(self.word) {
                Some(doc) => doc,
                None => self.first_in_windows_from(self.next_base),
            }
        } else {
            self.first_in_windows_from(self.doc + 1)
        };
        self.doc
    }

    fn seek(&mut self, target: DocId) -> DocId {
        if target > self.doc {
            self.doc = self.first_from(target);
        }
        self.doc
    }

    /// Decides `target` from the window when it is there, by skipping each list to it
    /// when it is not (and leaves the window).
    fn seek_danger(&mut self, target: DocId) -> SeekDangerResult {
        if target >= TERMINATED {
            self.in_window = false;
            self.doc = TERMINATED;
            return SeekDangerResult::SeekLowerBound(TERMINATED);
        }
        if self.in_window && target <= self.doc {
            return if target == self.doc {
                SeekDangerResult::Found
            } else {
                SeekDangerResult::SeekLowerBound(self.doc)
            };
        }
        if self.in_window && target - self.base < WINDOW {
            return match self.first_in_window_from(target) {
                Some(doc) => {
                    self.doc = doc;
                    if doc == target {
                        SeekDangerResult::Found
                    } else {
                        SeekDangerResult::SeekLowerBound(doc)
                    }
                }
                None => {
                    self.in_window = false;
                    self.doc = target;
                    SeekDangerResult::SeekLowerBound(self.next_base)
                }
            };
        }
        self.in_window = false;
        self.doc = target;
        for List { postings, .. } in &mut self.lists {
            let doc = postings.seek(target);
            if doc > target {
                return SeekDangerResult::SeekLowerBound(doc);
            }
        }
        SeekDangerResult::Found
    }

    fn doc(&self) -> DocId {
        self.doc
    }

    fn size_hint(&self) -> u32 {
        self.lists[0].postings.block.doc_freq()
    }

    fn cost(&self) -> u64 {
        u64::from(self.lists[0].postings.block.doc_freq())
    }
}

impl Scorer for WindowedIntersection {
    /// Each term's score as its term query's scorer gives it (0 without scoring),
    /// summed as tantivy's intersection sums them: the first two, then the rest.
    fn score(&mut self) -> Score {
        let doc = self.doc;
        // In the window, the frequencies read with it, or of a list kept as a set, by the
        // entry's rank in it; decided alone, every list stands on the entry.
        let in_window = self.in_window;
        let mut scores = self.lists.iter_mut().map(|list| match &list.scoring {
            Some(scoring) => {
                let freq = match (&scoring.window, &mut list.freqs) {
                    (None, _) => 1,
                    (Some(_), Some(freqs)) => freqs.freq(doc),
                    (Some(window), None) if in_window && list.set.is_none() => window.freq(doc),
                    (Some(_), None) => {
                        list.postings.seek(doc);
                        list.postings.block.freq(list.postings.at)
                    }
                };
                scoring
                    .bm25
                    .score(scoring.fieldnorms.fieldnorm_id(doc), freq)
            }
            None => 0.0,
        });
        let left = scores.next().unwrap_or(0.0);
        let right = scores.next().unwrap_or(0.0);
        left + right + scores.sum::<Score>()
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use tantivy::query::{BooleanQuery, EnableScoring, Occur, Query, TermQuery};
    use tantivy::schema::{Field, IndexRecordOption, Schema, TextFieldIndexing, TextOptions, TEXT};
    use tantivy::{doc, DocId, DocSet, Index, SeekDangerResult, Term, TERMINATED};

    use super::{AllTermsQuery, DenseSets, WindowedIntersection, WINDOW};

    /// An index of two segments whose entries hold words a, b, c (in most entries, a
    /// few times each), p (in one in 16: dense enough for windows, sparse enough that
    /// the others are sought for its entries), s (in one in 50) and r (in one in
    /// 3,000), in a field with frequencies and one without.
    fn index() -> (Index, Field, Field) {
        let mut schema = Schema::builder();
        let text = schema.add_text_field("text", TEXT);
        let basic = schema.add_text_field(
            "basic",
            TextOptions::default().set_indexing_options(
                TextFieldIndexing::default().set_index_option(IndexRecordOption::Basic),
            ),
        );
        let index = Index::create_in_ram(schema.build());
        let mut writer: tantivy::IndexWriter =
            index.writer_with_num_threads(1, 30_000_000).unwrap();
        writer.set_merge_policy(Box::new(tantivy::indexer::NoMergePolicy));
        for segment in 0..2u64 {
            for i in 0..(5 * u64::from(WINDOW) + 300 * segment) {
                let mut words = Vec::new();
                let mixed = i.wrapping_mul(2_654_435_761) >> 7;
                if mixed % 3 != 0 {
                    words.extend(std::iter::repeat_n("a", 1 + (i % 3) as usize));
                }
                if mixed % 5 != 1 {
                    words.push("b");
                }
                if i % 7 != 3 && i / u64::from(WINDOW) != 2 {
                    words.extend(std::iter::repeat_n("c", 1 + (i % 4) as usize));
                }
                if mixed % 50 == 7 {
                    words.push("s");
                }
                if i % 16 == 5 {
                    words.push("p");
                }
                if i % 3000 == 11 {
                    words.push("r");
                }
                words.push("filler");
                let words = words.join(" ");
                writer
                    .add_document(doc!(text => words.clone(), basic => words))
                    .unwrap();
            }
            writer.commit().unwrap();
        }
        (index, text, basic)
    }

    /// Every term's matches in order, with their scores, and the bits of tantivy's
    /// intersection; and entries sought one after another from fresh scorers agree.
    /// With the entries of dense terms kept as sets too (a, b, c and filler are; p, s
    /// and r are too sparse), and without.
    #[test]
    fn all_terms_match_and_score_as_tantivys_intersection() {
        let without = all_terms_as_tantivys_intersection(None);
        let sets = Arc::new(DenseSets::default());
        let with = all_terms_as_tantivys_intersection(Some(Arc::clone(&sets)));
        assert_eq!(with, without, "the same windows and matches either way");
        // The four dense terms, in both fields they are queried in, in two segments.
        assert_eq!(sets.len(), 2 * (4 + 3));
    }

    /// [`all_terms_match_and_score_as_tantivys_intersection`] with `dense_sets` or
    /// without: the segments that were windowed and the matches led by a rarer term.
    fn all_terms_as_tantivys_intersection(dense_sets: Option<Arc<DenseSets>>) -> (usize, usize) {
        let (index, text, basic) = index();
        let searcher = index.reader().unwrap().searcher();
        // `basic:a` is a in the field without frequencies.
        let term = |word: &str| {
            let term = match word.strip_prefix("basic:") {
                Some(word) => Term::from_field_text(basic, word),
                None => Term::from_field_text(text, word),
            };
            TermQuery::new(term, IndexRecordOption::WithFreqs)
        };
        let mut windowed_segments = 0;
        let mut led_matches = 0;
        for words in [
            &["a", "b"][..],
            &["b", "a", "c"],
            &["c", "b"],
            &["a", "s"],
            &["a", "r"],
            &["a", "b", "c", "filler"],
            &["basic:a", "c"],
            &["a", "p", "c"],
            &["basic:p", "b"],
            &["basic:b", "basic:c", "basic:a"],
        ] {
            let terms: Vec<TermQuery> = words.iter().map(|word| term(word)).collect();
            let intersection = BooleanQuery::new(
                terms
                    .iter()
                    .map(|query| (Occur::Must, Box::new(query.clone()) as Box<dyn Query>))
                    .collect(),
            );
            let mut all =
                AllTermsQuery::new(terms.iter().map(|query| query.term().clone()).collect());
            if let Some(sets) = &dense_sets {
                all = all.with_dense_sets(Arc::clone(sets));
            }
            let scoring = EnableScoring::enabled_from_searcher(&searcher);
            let expected = intersection.weight(scoring).unwrap();
            let found = all.weight(scoring).unwrap();
            for segment in searcher.segment_readers() {
                let mut expected_scorer = expected.scorer(segment, 1.0).unwrap();
                let mut scorer = found.scorer(segment, 1.0).unwrap();
                if scorer.is::<WindowedIntersection>() {
                    windowed_segments += 1;
                }
                let mut matches = Vec::new();
                let mut expected_scores = Vec::new();
                while expected_scorer.doc() != TERMINATED {
                    assert_eq!(scorer.doc(), expected_scorer.doc(), "{words:?}");
                    let expected_score = expected_scorer.score();
                    assert_eq!(
                        scorer.score().to_bits(),
                        expected_score.to_bits(),
                        "{words:?} at {}",
                        scorer.doc()
                    );
                    expected_scores.push(expected_score);
                    matches.push(scorer.doc());
                    expected_scorer.advance();
                    scorer.advance();
                }
                assert_eq!(scorer.doc(), TERMINATED);
                assert!(!matches.is_empty(), "{words:?}");
                // Seeks within a window, across windows, and onto and past matches.
                let steps = [1, 7, 63, 64, 200, WINDOW - 1, WINDOW + 5, 3 * WINDOW];
                for step in steps {
                    let mut scorer = found.scorer(segment, 1.0).unwrap();
                    let mut target: DocId = matches[0];
                    while target < segment.max_doc() + 2 {
                        let next = matches
                            .iter()
                            .copied()
                            .find(|&m| m >= target)
                            .unwrap_or(TERMINATED);
                        assert_eq!(scorer.seek(target), next, "{words:?} seek {target}");
                        if next == TERMINATED {
                            break;
                        }
                        target = next + step;
                    }
                }
                // Entries decided one at a time, as a rarer query asks them, with a
                // step to the next match after some that match.
                for step in steps {
                    let mut scorer = found.scorer(segment, 1.0).unwrap();
                    let mut target: DocId = matches[0];
                    let mut asked = 0;
                    while target < segment.max_doc() {
                        let next = matches
                            .iter()
                            .copied()
                            .find(|&m| m >= target)
                            .unwrap_or(TERMINATED);
                        asked += 1;
                        target = match scorer.seek_danger(target) {
                            SeekDangerResult::Found => {
                                assert_eq!(next, target, "{words:?} at {target}");
                                let at = matches.binary_search(&target).unwrap();
                                assert_eq!(
                                    scorer.score().to_bits(),
                                    expected_scores[at].to_bits(),
                                    "{words:?} scored alone at {target}"
                                );
                                if asked % 2 == 0 {
                                    let after = matches
                                        .iter()
                                        .copied()
                                        .find(|&m| m > target)
                                        .unwrap_or(TERMINATED);
                                    assert_eq!(scorer.advance(), after, "{words:?}");
                                    if after == TERMINATED {
                                        break;
                                    }
                                    after + step
                                } else {
                                    target + step
                                }
                            }
                            SeekDangerResult::SeekLowerBound(bound) => {
                                assert!(
                                    next != target && bound > target && bound <= next,
                                    "{words:?} at {target}: bound {bound}, next {next}"
                                );
                                if asked % 2 == 0 {
                                    bound
                                } else {
                                    target + step
                                }
                            }
                        };
                    }
                }
            }
            // Led by a rarer term, as a filter leads: the same entries.
            let rare = term("s");
            let led = |required: Box<dyn Query>| {
                BooleanQuery::new(vec![
                    (Occur::Must, required),
                    (Occur::Must, Box::new(rare.clone()) as Box<dyn Query>),
                ])
            };
            let matches = |query: &dyn Query| {
                searcher
                    .search(query, &tantivy::collector::DocSetCollector)
                    .unwrap()
            };
            let expected = matches(&led(Box::new(intersection.clone())));
            led_matches += expected.len();
            assert_eq!(matches(&led(Box::new(all.clone()))), expected, "{words:?}");
        }
        assert!(
            windowed_segments >= 16,
            "{windowed_segments} windowed segments"
        );
        assert!(
            led_matches >= 50,
            "{led_matches} matches led by a rarer term"
        );
        (windowed_segments, led_matches)
    }

    /// A term no entry of a segment has leaves nothing to match there.
    #[test]
    fn a_missing_term_matches_nothing() {
        let (index, text, _) = index();
        let searcher = index.reader().unwrap().searcher();
        let all = AllTermsQuery::new(
            ["a", "nowhere"]
                .iter()
                .map(|word| Term::from_field_text(text, word))
                .collect(),
        );
        let weight = all
            .weight(EnableScoring::enabled_from_searcher(&searcher))
            .unwrap();
        for segment in searcher.segment_readers() {
            assert_eq!(weight.scorer(segment, 1.0).unwrap().doc(), TERMINATED);
        }
    }
}
