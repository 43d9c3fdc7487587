//! The most an entry can score in each window of a segment's entries, from its terms'
//! most there ([`TermWindows`]): where a window's most falls short of the page, its
//! hits are given up on together, unscored.

use tantivy::query::Bm25Weight;
use tantivy::{DocId, Score, SegmentReader, Term, TERMINATED};

use super::best_scores::{BestScores, TermWindows};

/// One summand of an entry's score, bounded window by window: one BM25 weight over
/// terms that an entry it scores holds all of (a term, or a substring's bigrams), by
/// the windows of some of them (any subset bounds it).
pub(crate) struct WindowedPart {
    bm25: Bm25Weight,
    terms: Vec<TermWindows>,
    /// No entry of the segment earns more.
    max: Score,
}

impl WindowedPart {
    /// `bm25` over `terms` (of one field, all held by any entry it scores), which no
    /// entry of `segment` earns more than `max` of, bounded by the windows of those of
    /// its terms that have them (see [`BestScores::windows`]); none if none does.
    pub fn new(
        best: &BestScores,
        segment: &SegmentReader,
        terms: &[Term],
        bm25: Bm25Weight,
        max: Score,
    ) -> tantivy::Result<Option<WindowedPart>> {
        debug_assert!(terms
            .windows(2)
            .all(|pair| pair[0].field() == pair[1].field()));
        let mut windowed = Vec::with_capacity(terms.len());
        for term in terms {
            windowed.extend(best.windows(segment, term)?);
        }
        Ok((!windowed.is_empty()).then_some(WindowedPart {
            bm25,
            terms: windowed,
            max,
        }))
    }

    /// The most an entry of `window` earns: scored at the lowest of the terms' highest
    /// frequencies (an entry holds a substring no more often than any of its bigrams)
    /// in the longest of their shortest entries (it holds all of them).
    fn most_in(&self, window: usize) -> Score {
        let (mut freq, mut shortest) = (u32::MAX, 0);
        for term in &self.terms {
            let most = term.at(window);
            if most.freq == 0 {
                return 0.0;
            }
            freq = freq.min(most.bound_freq());
            shortest = shortest.max(most.shortest);
        }
        self.bm25.score(shortest, freq).min(self.max)
    }
}

/// The bound of each window, computed as entries reach it, and only as far as it takes
/// to show that a window may reach the page.
pub(crate) struct WindowBounds {
    /// Those that can earn the most first.
    parts: Vec<WindowedPart>,
    /// What the summands not bounded by window can add (their bounds in the segment).
    unwindowed: Score,
    /// log2 of the entries of a window, and how many windows the segment has.
    window_log2: u32,
    windows: usize,
    /// The window last bounded: its first entry and the first after it.
    last: (DocId, DocId),
    /// What its entries may score, as far as it was added up: the bound where whole.
    last_most: Score,
    last_whole: bool,
}

/// Whether a window's entries may reach a floor, as far as its bound was added up.
enum Verdict {
    MayReach,
    /// Its bound, whole.
    FallsShort(Score),
}

impl WindowBounds {
    /// Bounds of windows of 2^`window_log2` entries, of a segment of `max_doc` entries.
    pub fn new(
        mut parts: Vec<WindowedPart>,
        unwindowed: Score,
        window_log2: u32,
        max_doc: DocId,
    ) -> WindowBounds {
        parts.sort_by(|a, b| b.max.total_cmp(&a.max));
        WindowBounds {
            parts,
            unwindowed,
            window_log2,
            windows: (max_doc as usize).div_ceil(1 << window_log2),
            last: (0, 0),
            last_most: 0.0,
            last_whole: false,
        }
    }

    /// Adds up `window`'s bound until it reaches `floor` (raised by `slack`) or is whole.
    fn verdict(&mut self, window: usize, floor: Score, slack: Score) -> Verdict {
        let start = (window << self.window_log2) as DocId;
        let reaches = |most: Score| most * (1.0 + slack) >= floor;
        if self.last.0 == start && self.last.1 > start {
            if reaches(self.last_most) {
                return Verdict::MayReach;
            }
            if self.last_whole {
                return Verdict::FallsShort(self.last_most);
            }
        }
        self.last = (start, start.saturating_add(1 << self.window_log2));
        let mut most = self.unwindowed;
        for (at, part) in self.parts.iter().enumerate() {
            most += part.most_in(window);
            if reaches(most) {
                (self.last_most, self.last_whole) = (most, at + 1 == self.parts.len());
                return Verdict::MayReach;
            }
        }
        (self.last_most, self.last_whole) = (most, true);
        if reaches(most) {
            return Verdict::MayReach;
        }
        Verdict::FallsShort(most)
    }

    /// Where no entry from `doc` on can reach `floor` (with `slack` for rounding): the
    /// bound of `doc`'s window, and the first entry after the windows that fall short
    /// (`TERMINATED` past the last); none where `doc`'s own window may reach it.
    #[inline]
    pub fn short_of(&mut self, doc: DocId, floor: Score, slack: Score) -> Option<(Score, DocId)> {
        // Most hits are in the window of the hit before, and can still reach the page.
        if (self.last.0..self.last.1).contains(&doc) && self.last_most * (1.0 + slack) >= floor {
            return None;
        }
        self.short_of_from(doc, floor, slack)
    }

    #[inline(never)]
    fn short_of_from(&mut self, doc: DocId, floor: Score, slack: Score) -> Option<(Score, DocId)> {
        let first = (doc >> self.window_log2) as usize;
        if first >= self.windows {
            return None;
        }
        let Verdict::FallsShort(most) = self.verdict(first, floor, slack) else {
            return None;
        };
        let mut window = first + 1;
        while window < self.windows
            && matches!(self.verdict(window, floor, slack), Verdict::FallsShort(_))
        {
            window += 1;
        }
        let none_before = match window == self.windows {
            true => TERMINATED,
            false => (window << self.window_log2) as DocId,
        };
        Some((most, none_before))
    }
}
