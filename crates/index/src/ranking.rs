//! The page: the best entries by rank key, kept per piece of a segment and merged.
//!
//! Each part of an entry's key is found only when the parts before it leave the entry a
//! chance of reaching the page: with the page full, an entry of an older year is never
//! scored (when sorting by year), and one whose score is below the page's lowest never
//! has its browse order read: reading the order of every hit was 6–9% of the time of
//! queries with many hits. Entries failing a filter are never offered, so never scored.

use std::cmp::{Ordering, Reverse};
use std::sync::atomic::{AtomicU32, Ordering as Atomic};
use std::sync::Arc;

use tantivy::collector::{Collector, SegmentCollector};
use tantivy::{DocAddress, DocId, Score, SegmentOrdinal, SegmentReader};

use crate::columns::{ColumnCache, SegmentColumns};
use crate::passes::ScoreOnDemand;
use crate::query::Reached;
use crate::request::SortOrder;

/// Where the page reads an entry's year and browse order.
pub trait RankColumns {
    fn year(&self, doc: DocId) -> i64;
    fn order(&self, doc: DocId) -> u64;
    /// Whether browse order rises with doc id throughout the segment.
    fn order_follows_doc_ids(&self) -> bool;
    /// Whether no entry of the segment has a later year than one before it.
    fn years_fall_with_doc_ids(&self) -> bool;

    /// What breaks ties between the segment's entries as their browse order does: the
    /// doc id where the order rises with it, so that no order is read until the page
    /// is harvested (a browse by year reads the key of every entry of the newest year).
    fn tie_break(&self, doc: DocId) -> u64 {
        match self.order_follows_doc_ids() {
            true => u64::from(doc),
            false => self.order(doc),
        }
    }
}

impl RankColumns for SegmentColumns {
    fn year(&self, doc: DocId) -> i64 {
        SegmentColumns::year(self, doc)
    }
    fn order(&self, doc: DocId) -> u64 {
        SegmentColumns::order(self, doc)
    }
    fn order_follows_doc_ids(&self) -> bool {
        SegmentColumns::order_follows_doc_ids(self)
    }
    fn years_fall_with_doc_ids(&self) -> bool {
        // Layout order: newest year first, unknown (0) last.
        self.year_blocks().is_some()
    }
}

/// The sort key of a hit, higher first: the year (when sorting by year, else 0), the
/// score (0 when there is no text), then browse order. Browse orders are unique, so no
/// two entries tie and the page does not depend on how segments were cut. (Within a
/// piece, the last part is the entry's tie-break, see [`RankColumns::tie_break`].)
pub type RankKey = (i64, f32, Reverse<u64>);

/// What a page ranks by and how many entries it keeps, and the floor its pieces share.
#[derive(Debug, Clone)]
pub struct Ranking {
    pub sort: SortOrder,
    /// Whether the score counts (a query with text); a browse ranks by order alone.
    pub by_score: bool,
    /// Entries kept: the page's offset plus its limit (at least one).
    pub size: usize,
    shared_floor: SharedFloor,
}

/// The highest score below which a piece's page was full, shared by the pieces of one
/// search when they rank by score alone: that piece keeps `size` entries scoring at
/// least that, so an entry scoring less, in any piece, cannot reach the page. Without
/// it each piece started from nothing and scored entries another had already ruled
/// out: 学校 教师 课程 at 1.5 M entries scored 6.3 k entries on one thread (four
/// segments) and 12 k on two (sixteen pieces); with it, 5.0 k and 5.2 k.
#[derive(Debug, Clone, Default)]
struct SharedFloor(Arc<AtomicU32>);

impl SharedFloor {
    /// The floor, if a piece has set one above zero. Scores are never negative, so
    /// their bits rise with them, and zero stands for none.
    fn get(&self) -> Option<Score> {
        match self.0.load(Atomic::Relaxed) {
            0 => None,
            bits => Some(Score::from_bits(bits)),
        }
    }

    fn raise_to(&self, score: Score) {
        if score > 0.0 && score.is_finite() {
            self.0.fetch_max(score.to_bits(), Atomic::Relaxed);
        }
    }
}

impl Ranking {
    /// A ranking whose pieces start with no floor.
    pub fn new(sort: SortOrder, by_score: bool, size: usize) -> Ranking {
        Ranking {
            sort,
            by_score,
            size,
            shared_floor: SharedFloor::default(),
        }
    }

    /// Whether the pieces share their floor: when ranking by score alone.
    fn shares_floor(&self) -> bool {
        self.by_score && self.sort == SortOrder::Relevance
    }

    /// The best `size` entries of all pieces' pages, best first.
    pub fn merge(&self, pages: Vec<Vec<(RankKey, DocAddress)>>) -> Vec<(RankKey, DocAddress)> {
        let mut all: Vec<(RankKey, DocAddress)> = pages.into_iter().flatten().collect();
        all.sort_unstable_by(best_first);
        all.truncate(self.size);
        all
    }
}

/// One piece's page in the making.
pub struct PieceTop {
    ranking: Ranking,
    segment: SegmentOrdinal,
    /// Up to twice `size` entries, cut back to the best `size` when full.
    kept: Vec<(RankKey, DocId)>,
    /// The lowest key kept at the last cut: an entry below it cannot reach the page.
    floor: Option<RankKey>,
    /// No entry before `given_up_before` can score `given_up_below` (see
    /// [`Reached::none_before`]): while the page asks for at least that, they are given
    /// up on without being asked.
    given_up_before: DocId,
    given_up_below: Score,
}

impl PieceTop {
    pub fn new(ranking: Ranking, segment: SegmentOrdinal) -> PieceTop {
        PieceTop {
            kept: Vec::with_capacity(2 * ranking.size.max(1)),
            ranking,
            segment,
            floor: None,
            given_up_before: 0,
            given_up_below: Score::INFINITY,
        }
    }

    /// Offers a hit; `score` is called only if the hit may still reach the page, with
    /// the lowest score that can (see [`crate::passes::ScoreOnDemand`]).
    ///
    /// Ranked by score alone, the score the page asks for only rises (see
    /// `offer_reaching`), so an entry given up on stays so: most hits of a large result
    /// end here, checked where the hit is taken rather than in a call (1.5 M entries,
    /// one thread, alternating runs: 课后服务 0.93 → 0.87 ms, 减负 1.15 → 1.10, 校外培训
    /// -双减 2.63 → 2.53; the phrase "义务教育 优质均衡" on two threads 2.96 → 2.90).
    #[inline(always)]
    pub fn offer(
        &mut self,
        doc: DocId,
        columns: &impl RankColumns,
        score: impl FnMut(Score) -> Reached,
    ) {
        if doc < self.given_up_before && self.ranking.shares_floor() {
            return;
        }
        self.offer_reaching(doc, columns, score);
    }

    /// Offers a hit not given up on already.
    #[inline(never)]
    fn offer_reaching(
        &mut self,
        doc: DocId,
        columns: &impl RankColumns,
        mut score: impl FnMut(Score) -> Reached,
    ) {
        if self.is_settled(columns) {
            return;
        }
        let year = match self.ranking.sort {
            SortOrder::Year => columns.year(doc),
            SortOrder::Relevance => 0,
        };
        if self.floor.is_some_and(|floor| year < floor.0) {
            return;
        }
        // Of the floor's year, a score below the floor's cannot reach the page (equal
        // scores go by order); of a later year, any score can.
        let own = match self.floor {
            Some((floor_year, floor_score, _)) if floor_year == year => floor_score,
            _ => Score::NEG_INFINITY,
        };
        let shared = match self.ranking.shares_floor() {
            true => self.ranking.shared_floor.get(),
            false => None,
        };
        let reaching = shared.map_or(own, |shared| shared.max(own));
        if doc < self.given_up_before && reaching >= self.given_up_below {
            return;
        }
        let score = if self.ranking.by_score {
            let reached = score(reaching);
            if reached.score < reaching && reached.none_before > doc {
                self.given_up_before = reached.none_before;
                self.given_up_below = reaching;
            }
            reached.score
        } else {
            0.0
        };
        if score < reaching {
            return;
        }
        let key = (year, score, Reverse(columns.tie_break(doc)));
        if self
            .floor
            .is_some_and(|floor| key.partial_cmp(&floor) == Some(Ordering::Less))
        {
            return;
        }
        self.kept.push((key, doc));
        if self.kept.len() >= 2 * self.ranking.size.max(1) {
            self.cut();
        }
    }

    /// Whether no later entry of the piece can reach the page. A piece offers its
    /// entries in doc order, so in a browse of a segment whose order follows doc ids,
    /// an entry after a full page ranks below all of it: by order alone, or by year
    /// then order where years fall with doc ids (a browse by year of the whole index
    /// at 1.5 M entries read every entry of the newest year: 8.7 ms on one thread).
    pub fn is_settled(&self, columns: &impl RankColumns) -> bool {
        !self.ranking.by_score
            && self.kept.len() >= self.ranking.size.max(1)
            && columns.order_follows_doc_ids()
            && match self.ranking.sort {
                SortOrder::Relevance => true,
                SortOrder::Year => columns.years_fall_with_doc_ids(),
            }
    }

    /// Keeps the best `size` entries; the lowest of them becomes the floor.
    fn cut(&mut self) {
        let size = self.ranking.size.max(1);
        if self.kept.len() <= size {
            return;
        }
        self.kept.select_nth_unstable_by(size - 1, best_first);
        self.kept.truncate(size);
        let floor = self.kept[size - 1].0;
        self.floor = Some(floor);
        if self.ranking.shares_floor() {
            self.ranking.shared_floor.raise_to(floor.1);
        }
    }

    /// The piece's best entries, best first, each keyed by its browse order.
    pub fn harvest(mut self, columns: &impl RankColumns) -> Vec<(RankKey, DocAddress)> {
        self.cut();
        let segment = self.segment;
        let mut page: Vec<(RankKey, DocAddress)> = self
            .kept
            .into_iter()
            .map(|((year, score, _), doc)| {
                let key = (year, score, Reverse(columns.order(doc)));
                (key, DocAddress::new(segment, doc))
            })
            .collect();
        page.sort_unstable_by(best_first);
        page
    }
}

/// Ranks a page alone, without a total or facets (for a browse of the whole index,
/// whose total and counts are known beforehand). A piece stops as soon as its page is
/// settled, so the first pages of a browse read a few entries a piece, not all.
pub struct PageCollector<'a> {
    pub ranking: Ranking,
    pub columns: &'a ColumnCache,
}

pub struct PageSegmentCollector {
    top: PieceTop,
    columns: Arc<SegmentColumns>,
}

impl Collector for PageCollector<'_> {
    type Fruit = Vec<(RankKey, DocAddress)>;
    type Child = PageSegmentCollector;

    fn for_segment(
        &self,
        ordinal: SegmentOrdinal,
        segment: &SegmentReader,
    ) -> tantivy::Result<PageSegmentCollector> {
        Ok(PageSegmentCollector {
            top: PieceTop::new(self.ranking.clone(), ordinal),
            columns: self.columns.get(segment)?,
        })
    }

    fn requires_scoring(&self) -> bool {
        self.ranking.by_score
    }

    fn merge_fruits(&self, pages: Vec<Self::Fruit>) -> tantivy::Result<Self::Fruit> {
        Ok(self.ranking.merge(pages))
    }
}

impl SegmentCollector for PageSegmentCollector {
    type Fruit = Vec<(RankKey, DocAddress)>;

    fn collect(&mut self, doc: DocId, score: Score) {
        self.top
            .offer(doc, &*self.columns, |_| Reached::score(score));
    }

    fn harvest(self) -> Self::Fruit {
        self.top.harvest(&*self.columns)
    }
}

impl ScoreOnDemand for PageSegmentCollector {
    fn collect_lazily(&mut self, doc: DocId, score: impl FnMut(Score) -> Reached) {
        self.top.offer(doc, &*self.columns, score);
    }

    fn is_settled(&self) -> bool {
        self.top.is_settled(&*self.columns)
    }
}

/// Higher keys first; equal keys (only possible for unreadable columns) by address.
fn best_first<D: Ord>(a: &(RankKey, D), b: &(RankKey, D)) -> Ordering {
    b.0.partial_cmp(&a.0)
        .unwrap_or(Ordering::Equal)
        .then_with(|| a.1.cmp(&b.1))
}

#[cfg(test)]
mod tests {
    use std::cell::Cell;
    use std::cmp::Reverse;

    use proptest::prelude::*;
    use tantivy::{DocAddress, DocId};

    use super::{best_first, PieceTop, RankColumns, RankKey, Ranking};
    use crate::query::Reached;
    use crate::request::SortOrder;

    /// Entries of one segment: (year, score, order) by doc id.
    #[derive(Debug)]
    struct Entries(Vec<(i64, f32, u64)>);

    impl RankColumns for Entries {
        fn year(&self, doc: DocId) -> i64 {
            self.0[doc as usize].0
        }
        fn order(&self, doc: DocId) -> u64 {
            self.0[doc as usize].2
        }
        fn order_follows_doc_ids(&self) -> bool {
            self.0.windows(2).all(|pair| pair[0].2 < pair[1].2)
        }
        fn years_fall_with_doc_ids(&self) -> bool {
            self.0.windows(2).all(|pair| pair[0].0 >= pair[1].0)
        }
    }

    /// The page by sorting every entry's whole key.
    fn sorted_page(entries: &Entries, ranking: Ranking) -> Vec<(RankKey, DocAddress)> {
        let mut all: Vec<(RankKey, DocAddress)> = entries
            .0
            .iter()
            .enumerate()
            .map(|(doc, &(year, score, order))| {
                let year = match ranking.sort {
                    SortOrder::Year => year,
                    SortOrder::Relevance => 0,
                };
                let score = if ranking.by_score { score } else { 0.0 };
                (
                    (year, score, Reverse(order)),
                    DocAddress::new(0, doc as DocId),
                )
            })
            .collect();
        all.sort_by(best_first);
        all.truncate(ranking.size);
        all
    }

    fn entries() -> impl Strategy<Value = Entries> {
        // Few years and scores, so that keys often tie up to the order; orders either
        // rising with doc id (as an index usually writes them) or not; years falling
        // with doc id (as in layout order) or in any order.
        (
            prop::collection::vec((2015i64..2019, 0u8..6), 0..300),
            any::<bool>(),
            any::<bool>(),
        )
            .prop_map(|(mut parts, rising, years_falling)| {
                if years_falling {
                    parts.sort_by_key(|&(year, _)| Reverse(year));
                }
                let mut orders: Vec<u64> = (0..parts.len() as u64).map(|n| n * 7 % 1009).collect();
                if rising {
                    orders.sort_unstable();
                } else {
                    orders.reverse();
                }
                Entries(
                    parts
                        .into_iter()
                        .zip(orders)
                        .map(|((year, score), order)| (year, f32::from(score) / 2.0, order))
                        .collect(),
                )
            })
    }

    proptest! {
        /// Pieces offered their entries in doc order, each until it is settled, and
        /// merged give the page a full sort gives, whatever the sort, the page size,
        /// where the pieces are cut, and whether scores that cannot reach the page are
        /// given exactly.
        #[test]
        fn pieces_give_the_page_a_full_sort_gives(
            entries in entries(),
            size in 1usize..40,
            by_year in any::<bool>(),
            by_score in any::<bool>(),
            cuts in prop::collection::vec(0usize..300, 0..4),
            short_by in prop::option::of(prop_oneof![Just(0.25f32), Just(f32::INFINITY)]),
        ) {
            let ranking = Ranking::new(
                if by_year { SortOrder::Year } else { SortOrder::Relevance },
                by_score,
                size,
            );
            let mut bounds: Vec<usize> = cuts.into_iter().map(|c| c.min(entries.0.len())).collect();
            bounds.push(0);
            bounds.push(entries.0.len());
            bounds.sort_unstable();
            let pages = bounds
                .windows(2)
                .map(|piece| {
                    let mut top = PieceTop::new(ranking.clone(), 0);
                    for doc in piece[0]..piece[1] {
                        if top.is_settled(&entries) {
                            break;
                        }
                        let score = entries.0[doc].1;
                        // A scorer may give any score below the floor for an entry
                        // whose score is below it (`short_by`), or the score itself.
                        // Short of the floor, it may also say (truly) that the entries
                        // after it up to the next that reaches the floor fall short too.
                        top.offer(doc as DocId, &entries, &mut |floor| match short_by {
                            Some(short) if score < floor => Reached {
                                score: floor - short,
                                none_before: (doc..piece[1])
                                    .find(|&later| entries.0[later].1 >= floor)
                                    .unwrap_or(piece[1]) as DocId,
                            },
                            _ => Reached::score(score),
                        });
                    }
                    top.harvest(&entries)
                })
                .collect();
            prop_assert_eq!(ranking.merge(pages), sorted_page(&entries, ranking));
        }
    }

    /// With the page full of this year's entries, older entries are not scored.
    #[test]
    fn older_entries_are_not_scored_once_the_page_is_full() {
        let mut entries: Vec<(i64, f32, u64)> = (0..4).map(|n| (2024, 1.0, n)).collect();
        entries.extend((4..100).map(|n| (2020, 5.0, n)));
        let entries = Entries(entries);
        let ranking = Ranking::new(SortOrder::Year, true, 2);
        let scored = Cell::new(0);
        let mut top = PieceTop::new(ranking, 0);
        for doc in 0..100 {
            let score = entries.0[doc as usize].1;
            top.offer(doc, &entries, &mut |_| {
                scored.set(scored.get() + 1);
                Reached::score(score)
            });
        }
        assert_eq!(scored.get(), 4, "only the entries of 2024 are scored");
        let page: Vec<DocId> = top
            .harvest(&entries)
            .iter()
            .map(|(_, a)| a.doc_id)
            .collect();
        assert_eq!(page, [0, 1]);
    }
}
