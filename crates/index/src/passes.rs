//! Which threads search a query's entries. A search alone on the machine cuts its
//! segments into pieces of entries that the calling thread and a pool of helpers take
//! in turn, and takes about half the time on two cores; while other searches run, the
//! cores are busy anyway, so each searches its segments on its own thread, which keeps
//! the throughput of concurrent searches.

use std::ops::Range;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

use tantivy::collector::{Collector, SegmentCollector};
use tantivy::query::{EnableScoring, Query, Weight};
use tantivy::{DocId, Score, Searcher, SegmentOrdinal, SegmentReader, TERMINATED};

use crate::query::{Reached, ScoreReaching, WithBonusScorer};

/// Pieces per thread a search alone is cut into. A thread that finishes early takes
/// the next piece, so the threads finish within about a piece of each other, whatever
/// the sizes of the segments and wherever the matches lie, and a thread the machine
/// holds up for a while leaves its share to the others. Each piece opens its own
/// scorers (their postings, title windows and window bounds), seeking every term from
/// the start of its postings, and counts its own facets: at 1.5 M entries on two
/// threads, four a thread answered the queries of the benchmark 3–10% faster than
/// eight, and two 3–12% faster than four (the phrase 2.79 → 2.68 ms, 学校 教师 课程
/// 1.89 → 1.79 ms, 双减 0.37 → 0.33 ms).
const PIECES_PER_THREAD: u32 = 2;

/// Entries below which a segment is not cut further: each piece costs its own scorer
/// and collector, which a small piece would not repay.
const MIN_PIECE_ENTRIES: u32 = 32 * 1024;

/// A segment collector that asks for an entry's score only when it needs it, so that
/// entries failing a filter, or ranking below a full page, are never scored.
pub(crate) trait ScoreOnDemand: SegmentCollector {
    /// `score(floor)` gives the entry's score if it is at least `floor` (the lowest that
    /// could still reach the page), and otherwise some score below `floor` (see
    /// [`Reached`]).
    fn collect_lazily(&mut self, doc: DocId, score: impl FnMut(Score) -> Reached);

    /// Whether no later entry of the piece can change what the collector gives: the
    /// piece's search stops there.
    fn is_settled(&self) -> bool {
        false
    }
}

/// The helper threads and a count of the searches running.
pub(crate) struct SegmentThreads {
    /// `threads - 1` helpers: the calling thread searches pieces too.
    helpers: Option<rayon::ThreadPool>,
    threads: u32,
    min_piece_entries: u32,
    running: AtomicUsize,
}

impl SegmentThreads {
    /// Searches alone on `threads` threads (the calling one and `threads - 1` helpers).
    pub fn new(threads: usize) -> tantivy::Result<SegmentThreads> {
        let threads = threads.clamp(1, 256) as u32;
        let helpers = if threads > 1 {
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(threads as usize - 1)
                .thread_name(|n| format!("edusearch-search-{n}"))
                .build()
                .map_err(|e| {
                    tantivy::TantivyError::SystemError(format!("starting search threads: {e}"))
                })?;
            Some(pool)
        } else {
            None
        };
        Ok(SegmentThreads {
            helpers,
            threads,
            min_piece_entries: MIN_PIECE_ENTRIES,
            running: AtomicUsize::new(0),
        })
    }

    /// Cuts segments into pieces as small as `entries`, so that small test indexes
    /// are cut too.
    #[cfg(test)]
    pub(crate) fn with_min_piece_entries(mut self, entries: u32) -> SegmentThreads {
        self.min_piece_entries = entries;
        self
    }

    /// The passes of one search over `searcher`: spread over the threads if no other
    /// search is running as it starts, on the calling thread otherwise.
    pub fn passes(&self, searcher: Searcher) -> Passes<'_> {
        let others = self.running.fetch_add(1, Ordering::SeqCst);
        let helpers = self.helpers.as_ref().filter(|_| others == 0);
        Passes {
            searcher,
            helpers,
            threads: self,
        }
    }
}

/// One search's view of the index; counts as running until dropped.
pub(crate) struct Passes<'a> {
    pub searcher: Searcher,
    helpers: Option<&'a rayon::ThreadPool>,
    threads: &'a SegmentThreads,
}

impl Passes<'_> {
    /// One pass of `collector` over the matches of `query`.
    pub fn search<C: Collector>(
        &self,
        query: &dyn Query,
        collector: &C,
    ) -> tantivy::Result<C::Fruit> {
        let scoring = collector.requires_scoring();
        let weight = self.weight(query, scoring)?;
        let segments = self.searcher.segment_readers();
        let fruits = match self.helpers {
            None => segments
                .iter()
                .enumerate()
                .map(|(ord, segment)| collector.collect_segment(&*weight, ord as u32, segment))
                .collect::<tantivy::Result<Vec<_>>>()?,
            Some(helpers) => {
                let pieces = self.pieces();
                let take = TakeScored { scoring };
                search_pieces(helpers, &pieces, segments, collector, &*weight, &take)?
            }
        };
        collector.merge_fruits(fruits)
    }

    /// One pass of `collector` over the matches of `query`, computing an entry's score
    /// only when the collector asks for it.
    pub fn search_scoring_on_demand<C>(
        &self,
        query: &dyn Query,
        collector: &C,
    ) -> tantivy::Result<C::Fruit>
    where
        C: Collector,
        C::Child: ScoreOnDemand,
    {
        self.search_scoring_on_demand_within(query, collector, None)
    }

    /// As [`Passes::search_scoring_on_demand`], visiting in each segment only the
    /// entries of `within` (by segment ordinal: rising, disjoint ranges), if given.
    pub fn search_scoring_on_demand_within<C>(
        &self,
        query: &dyn Query,
        collector: &C,
        within: Option<&[Vec<Range<DocId>>]>,
    ) -> tantivy::Result<C::Fruit>
    where
        C: Collector,
        C::Child: ScoreOnDemand,
    {
        let weight = self.weight(query, collector.requires_scoring())?;
        let segments = self.searcher.segment_readers();
        let ranges = match within {
            Some(within) => within.to_vec(),
            None => whole_segments(segments),
        };
        let fruits = match self.helpers {
            None => ranges
                .into_iter()
                .enumerate()
                .map(|(ord, entries)| {
                    let piece = Piece {
                        segment: ord as SegmentOrdinal,
                        entries,
                    };
                    let segment = &segments[ord];
                    search_piece(collector, &*weight, segment, &piece, &TakeOnDemand)
                })
                .collect::<tantivy::Result<Vec<_>>>()?,
            Some(helpers) => {
                let pieces = self.cut(&ranges);
                search_pieces(
                    helpers,
                    &pieces,
                    segments,
                    collector,
                    &*weight,
                    &TakeOnDemand,
                )?
            }
        };
        collector.merge_fruits(fruits)
    }

    fn weight(&self, query: &dyn Query, scoring: bool) -> tantivy::Result<Box<dyn Weight>> {
        if scoring {
            query.weight(EnableScoring::enabled_from_searcher(&self.searcher))
        } else {
            query.weight(EnableScoring::disabled_from_searcher(&self.searcher))
        }
    }

    /// The pieces a search alone is cut into.
    fn pieces(&self) -> Vec<Piece> {
        self.cut(&whole_segments(self.searcher.segment_readers()))
    }

    /// The pieces a search alone over these entries of each segment is cut into.
    fn cut(&self, ranges: &[Vec<Range<DocId>>]) -> Vec<Piece> {
        cut_into_pieces(
            ranges,
            self.threads.threads * PIECES_PER_THREAD,
            self.threads.min_piece_entries,
        )
    }

    /// Whether the passes spread over the helper threads.
    #[cfg(test)]
    pub fn parallel(&self) -> bool {
        self.helpers.is_some()
    }
}

impl Drop for Passes<'_> {
    fn drop(&mut self) {
        self.threads.running.fetch_sub(1, Ordering::SeqCst);
    }
}

/// Entries of one segment, as rising, disjoint ranges.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Piece {
    segment: SegmentOrdinal,
    entries: Vec<Range<DocId>>,
}

/// Cuts the entries of each segment (by ordinal) into about `wanted` pieces of about
/// equal numbers of entries, in segment order: a range longer than a piece is cut
/// into as many equal parts as it holds pieces, rounded (a range a little longer than a
/// piece stays whole: each piece costs its own scorers and facet counts; at 1.5 M
/// entries on two threads, four segments of 347 k to 420 k entries cut into six
/// pieces rather than four, 双减 took 0.33 ms rather than 0.29), and shorter
/// ones of one segment are grouped up to a piece's size. A piece is never cut below
/// `min_entries`, so a small segment stays whole.
fn cut_into_pieces(ranges: &[Vec<Range<DocId>>], wanted: u32, min_entries: u32) -> Vec<Piece> {
    let total: u64 = ranges
        .iter()
        .flatten()
        .map(|r| u64::from(r.end - r.start))
        .sum();
    let piece_entries = (total / u64::from(wanted.max(1))).max(u64::from(min_entries.max(1)));
    let mut pieces = Vec::new();
    for (ord, ranges) in ranges.iter().enumerate() {
        let segment = ord as SegmentOrdinal;
        let mut group: Vec<Range<DocId>> = Vec::new();
        let mut grouped = 0;
        let mut flush = |group: &mut Vec<Range<DocId>>, grouped: &mut u64| {
            if !group.is_empty() {
                pieces.push(Piece {
                    segment,
                    entries: std::mem::take(group),
                });
            }
            *grouped = 0;
        };
        for range in ranges.iter().filter(|r| !r.is_empty()) {
            let len = u64::from(range.end - range.start);
            if len > piece_entries {
                flush(&mut group, &mut grouped);
                // Rounded to the nearest; at least one, as the range is longer than a piece.
                let count = (len + piece_entries / 2) / piece_entries;
                for at in 0..count {
                    let start = range.start + (len * at / count) as DocId;
                    let end = range.start + (len * (at + 1) / count) as DocId;
                    group.push(start..end);
                    flush(&mut group, &mut grouped);
                }
                continue;
            }
            if grouped + len > piece_entries {
                flush(&mut group, &mut grouped);
            }
            group.push(range.clone());
            grouped += len;
        }
        flush(&mut group, &mut grouped);
    }
    pieces
}

/// The entries of a segment of `max_doc` entries, as ranges: all of them.
pub(crate) fn every_entry(max_doc: DocId) -> Vec<Range<DocId>> {
    std::iter::once(0..max_doc).collect()
}

/// Every entry of each segment.
fn whole_segments(segments: &[SegmentReader]) -> Vec<Vec<Range<DocId>>> {
    segments
        .iter()
        .map(|segment| every_entry(segment.max_doc()))
        .collect()
}

/// How a piece's collector takes one matching entry.
trait Take<Child>: Sync {
    /// Gives `child` the entry `scorer` stands on; false when it wants no more.
    fn take<S: ScoreReaching + ?Sized>(
        &self,
        child: &mut Child,
        doc: DocId,
        scorer: &mut S,
    ) -> bool;
}

/// Every entry with its score (0 when the collector asks for none).
struct TakeScored {
    scoring: bool,
}

impl<Child: SegmentCollector> Take<Child> for TakeScored {
    fn take<S: ScoreReaching + ?Sized>(
        &self,
        child: &mut Child,
        doc: DocId,
        scorer: &mut S,
    ) -> bool {
        child.collect(doc, if self.scoring { scorer.score() } else { 0.0 });
        true
    }
}

/// Every entry, scored only as far as the collector asks.
struct TakeOnDemand;

impl<Child: ScoreOnDemand> Take<Child> for TakeOnDemand {
    fn take<S: ScoreReaching + ?Sized>(
        &self,
        child: &mut Child,
        doc: DocId,
        scorer: &mut S,
    ) -> bool {
        child.collect_lazily(doc, |floor| scorer.score_reaching(floor));
        !child.is_settled()
    }
}

/// Searches the pieces on the calling thread and the helpers, each taking the next
/// piece not yet taken; the fruits come back in piece order.
fn search_pieces<C: Collector>(
    helpers: &rayon::ThreadPool,
    pieces: &[Piece],
    segments: &[SegmentReader],
    collector: &C,
    weight: &dyn Weight,
    take: &impl Take<C::Child>,
) -> tantivy::Result<Vec<<C::Child as SegmentCollector>::Fruit>> {
    let next = AtomicUsize::new(0);
    let fruits: Mutex<Vec<Option<tantivy::Result<_>>>> =
        Mutex::new((0..pieces.len()).map(|_| None).collect());
    let take_pieces = || loop {
        let at = next.fetch_add(1, Ordering::Relaxed);
        let Some(piece) = pieces.get(at) else {
            return;
        };
        let segment = &segments[piece.segment as usize];
        let fruit = search_piece(collector, weight, segment, piece, take);
        fruits.lock().unwrap_or_else(|e| e.into_inner())[at] = Some(fruit);
    };
    helpers.in_place_scope(|scope| {
        for _ in 0..helpers
            .current_num_threads()
            .min(pieces.len().saturating_sub(1))
        {
            scope.spawn(|_| take_pieces());
        }
        take_pieces();
    });
    fruits
        .into_inner()
        .unwrap_or_else(|e| e.into_inner())
        .into_iter()
        .map(|fruit| fruit.expect("every piece is taken before the scope ends"))
        .collect()
}

/// The fruit of `collector` over the matches of `weight` in one piece.
fn search_piece<C: Collector>(
    collector: &C,
    weight: &dyn Weight,
    segment: &SegmentReader,
    piece: &Piece,
    take: &impl Take<C::Child>,
) -> tantivy::Result<<C::Child as SegmentCollector>::Fruit> {
    let mut child = collector.for_segment(piece.segment, segment)?;
    let mut scorer = weight.scorer(segment, 1.0)?;
    // Called by its own type, a bonus query's scorer is advanced and asked for scores
    // without a dynamic call or a downcast for every entry.
    match scorer.downcast_mut::<WithBonusScorer>() {
        Some(with_bonus) => take_piece(&mut child, with_bonus, segment, piece, take),
        None => take_piece(&mut child, &mut *scorer, segment, piece, take),
    }
    Ok(child.harvest())
}

/// Gives `child` the matches of `scorer` in `piece`, until it wants no more.
fn take_piece<Child, S: ScoreReaching + ?Sized>(
    child: &mut Child,
    scorer: &mut S,
    segment: &SegmentReader,
    piece: &Piece,
    take: &impl Take<Child>,
) {
    let alive = segment.alive_bitset();
    let mut doc = scorer.doc();
    for entries in &piece.entries {
        if doc < entries.start {
            doc = scorer.seek(entries.start);
        }
        while doc < entries.end && doc != TERMINATED {
            if alive.is_none_or(|alive| alive.is_alive(doc)) && !take.take(child, doc, scorer) {
                return;
            }
            doc = scorer.advance();
        }
    }
}

#[cfg(test)]
mod tests {
    use std::ops::Range;

    use tantivy::collector::{Count, TopDocs};
    use tantivy::query::QueryParser;
    use tantivy::schema::{Schema, INDEXED, TEXT};
    use tantivy::{doc, DocId, Index, SegmentOrdinal, Term};

    use super::{cut_into_pieces, every_entry, Piece, SegmentThreads, MIN_PIECE_ENTRIES};

    #[test]
    fn a_search_spreads_over_the_threads_only_while_alone() {
        let index = Index::create_in_ram(Schema::builder().build());
        let reader = index.reader().unwrap();
        let threads = SegmentThreads::new(2).unwrap();
        let first = threads.passes(reader.searcher());
        assert!(first.parallel());
        let second = threads.passes(reader.searcher());
        assert!(!second.parallel(), "another search is running");
        drop(first);
        drop(second);
        assert!(threads.passes(reader.searcher()).parallel());

        let one = SegmentThreads::new(1).unwrap();
        assert!(!one.passes(reader.searcher()).parallel());
    }

    /// The entries of each segment in the pieces, in order.
    fn entries_by_segment(pieces: &[Piece], segments: usize) -> Vec<Vec<DocId>> {
        let mut entries = vec![Vec::new(); segments];
        for piece in pieces {
            entries[piece.segment as usize].extend(piece.entries.iter().cloned().flatten());
        }
        entries
    }

    #[test]
    fn pieces_cover_every_entry_once_and_small_segments_stay_whole() {
        let sizes = [3 * MIN_PIECE_ENTRIES + 5, 7, MIN_PIECE_ENTRIES];
        let whole: Vec<Vec<Range<DocId>>> = sizes.iter().map(|&size| every_entry(size)).collect();
        let pieces = cut_into_pieces(&whole, 8, MIN_PIECE_ENTRIES);
        let covered = entries_by_segment(&pieces, sizes.len());
        for (ord, &size) in sizes.iter().enumerate() {
            assert_eq!(covered[ord], (0..size).collect::<Vec<_>>(), "segment {ord}");
            let mine = pieces.iter().filter(|p| p.segment as usize == ord).count();
            if size <= MIN_PIECE_ENTRIES {
                assert_eq!(mine, 1, "segment {ord} is too small to cut");
            } else {
                assert!(mine > 1, "segment {ord} is cut");
            }
        }
        assert!(pieces
            .iter()
            .all(|p| p.entries.iter().all(|r| !r.is_empty())));
    }

    #[test]
    fn pieces_of_scattered_ranges_group_the_short_and_cut_the_long() {
        // A year's run, then short runs of a region in other years, in two segments.
        let ranges = vec![
            vec![0..5_000, 9_000..9_300, 12_000..12_250, 20_000..20_400],
            vec![100..350, 1_000..1_200, 4_000..4_100],
        ];
        let pieces = cut_into_pieces(&ranges, 4, 1_000);
        let covered = entries_by_segment(&pieces, 2);
        for (ord, ranges) in ranges.iter().enumerate() {
            let expected: Vec<DocId> = ranges.iter().cloned().flatten().collect();
            assert_eq!(covered[ord], expected, "segment {ord}");
        }
        let sizes: Vec<u32> = pieces
            .iter()
            .map(|p| p.entries.iter().map(|r| r.end - r.start).sum())
            .collect();
        // 6,500 entries in 4 pieces: pieces of about 1,625; the long run, three
        // pieces' worth, cut in three.
        assert_eq!(sizes, [1_666, 1_667, 1_667, 950, 550]);
    }

    #[test]
    fn a_segment_a_little_longer_than_a_piece_stays_whole() {
        // Four segments as a build on two threads writes them, cut for four pieces of
        // 384 entries: the two of 420 are not cut into two small pieces each.
        let sizes = [420, 419, 350, 347];
        let whole: Vec<Vec<Range<DocId>>> = sizes.iter().map(|&size| every_entry(size)).collect();
        let pieces = cut_into_pieces(&whole, 4, 1);
        let expected: Vec<Piece> = (0..4)
            .map(|ord| Piece {
                segment: ord,
                entries: every_entry(sizes[ord as usize]),
            })
            .collect();
        assert_eq!(pieces, expected);
        // Half again as long as a piece, a segment is cut in two.
        let pieces = cut_into_pieces(&[every_entry(600), every_entry(200)], 2, 1);
        let sizes: Vec<(SegmentOrdinal, u32)> = (pieces.iter())
            .map(|p| (p.segment, p.entries.iter().map(|r| r.end - r.start).sum()))
            .collect();
        assert_eq!(sizes, [(0, 300), (0, 300), (1, 200)]);
    }

    #[test]
    fn pieces_searched_side_by_side_answer_as_whole_segments_do() {
        let mut schema = Schema::builder();
        let text = schema.add_text_field("text", TEXT);
        let id = schema.add_u64_field("id", INDEXED);
        let index = Index::create_in_ram(schema.build());
        let mut writer: tantivy::IndexWriter =
            index.writer_with_num_threads(1, 15_000_000).unwrap();
        writer.set_merge_policy(Box::new(tantivy::indexer::NoMergePolicy));
        for segment in 0..3u64 {
            for i in 0..(700 + 300 * segment) {
                let words = format!("w{} w{} w{} w{}", i % 3, i % 7, i % 11, (i * segment) % 5);
                writer.add_document(doc!(text => words, id => i)).unwrap();
            }
            writer.commit().unwrap();
        }
        // Deleted entries must stay out of every piece.
        writer.delete_term(Term::from_field_u64(id, 5));
        writer.commit().unwrap();
        let reader = index.reader().unwrap();

        let alone = SegmentThreads::new(3).unwrap().with_min_piece_entries(50);
        let one = SegmentThreads::new(1).unwrap();
        let parser = QueryParser::for_index(&index, vec![text]);
        for query in [
            "w1",
            "w2 AND w6",
            "w0 -w3",
            "w1 OR w4 OR w10",
            "\"w2 w5\"",
            "w99",
        ] {
            let query = parser.parse_query(query).unwrap();
            let collector = (TopDocs::with_limit(40).order_by_score(), Count);
            let pieces = alone.passes(reader.searcher());
            assert!(pieces.parallel());
            let (top_pieces, count_pieces) = pieces.search(&*query, &collector).unwrap();
            drop(pieces);
            let (top_one, count_one) = one
                .passes(reader.searcher())
                .search(&*query, &collector)
                .unwrap();
            let (top_tantivy, count_tantivy) =
                reader.searcher().search(&*query, &collector).unwrap();
            assert_eq!(count_pieces, count_one, "{query:?}");
            assert_eq!(count_one, count_tantivy, "{query:?}");
            assert_eq!(top_pieces, top_one, "{query:?}");
            assert_eq!(top_one, top_tantivy, "{query:?}");
        }
    }
}
