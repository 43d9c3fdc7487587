//! Which of several title terms each entry holds, a window of entries at a time (as
//! many as an intersection's window in [`super::all_terms`]), so that the hits which
//! hold too few of them to reach the page are given up on without their titles being
//! sought one by one.
//!
//! With one title term, the entries before its next match are given up on together
//! (see [`super::bonus`]). With several, no single term's next match says where the
//! next entry that may reach the page is: for 学校 教师 课程 that is the next title
//! holding 课程, or 教师 and 学校 both. Seeking each title for every hit was most of
//! the time of ranking such a query. Here each term's postings are read straight
//! through a window into a bitset, and the entries whose titles can add enough to
//! reach the floor are the union, over the sets of terms that can, of the
//! intersection of their bitsets. 学校 教师 课程 at 1.5 M entries: 9.0–9.5 → 8.3–8.6 ms
//! on one thread, 4.6–4.9 → 4.2–4.4 ms on two.
//!
//! As every window of a segment is read, so is every posting of each title term, each
//! search: the terms' holders are kept as sets where the index keeps them (see
//! `dense_sets`), and a window's bits copied out of those (学校 教师 课程: 4.9 → 4.05 ms on
//! one thread, 2.75 → 2.4 ms on two, where reading the titles' postings was a fifth of
//! the time).
//!
//! The entries a window passes on to are only those the text can match too: every
//! match holds each term of the text, so the sets kept of them narrow the window (an
//! entry whose title could lift it, but whose text lacks a term, was the next hit
//! asked only to be given up on). 学校 教师 课程 at 1.5 M entries, one thread: hits asked
//! 20.5 k → 11.3 k, and 6.7 k with a scored hit that falls short passing on too (see
//! `bonus`); 3.13–3.16 → 2.87–2.92 ms.

use std::sync::Arc;

use tantivy::{DocId, Score, TERMINATED};

use super::all_terms::{set_bits, WINDOW, WINDOW_WORDS};
use super::dense_sets::EntrySet;
use super::postings::Cursor;

/// Most title terms handled: the sets of terms that can reach the floor are tried
/// one by one, 2^n of them.
const MOST_TITLES: usize = 6;
/// Matches a window must be expected to hold for reading its titles to pay: reading
/// costs every title in the window, seeking them costs a few per match (课程 教学 评价
/// 改革, 7.4 k matches at 1.5 M entries, five a window: 3.9 → 4.8 ms on one thread
/// with windows read).
const LEAST_MATCHES_PER_WINDOW: f64 = 16.0;

/// A title term's holders and the most it adds to an entry's score.
pub(super) struct TitleTerm {
    pub holders: Holders,
    pub most: Score,
}

/// Where a title term's holders in a window are read from.
pub(super) enum Holders {
    /// Its postings (entries only).
    Postings(Box<Cursor>),
    /// Its kept set (see `dense_sets`): every window's bits are copied out of it, where
    /// the postings would be read through in full each search.
    Set(Arc<EntrySet>),
}

pub(super) struct TitleWindows {
    titles: Vec<TitleTerm>,
    /// The window: entries from `base` up to (not including) `end`; empty at first.
    base: DocId,
    end: DocId,
    /// Each term's holders in the window, one bit per entry.
    held: Vec<[u64; WINDOW_WORDS]>,
    /// The entries of the window that may reach `reachable_floor` and can match.
    reachable: [u64; WINDOW_WORDS],
    reachable_floor: Option<Score>,
    /// Sets of terms every match holds.
    matched_by: Vec<Arc<EntrySet>>,
    /// The entries of the window holding every term of `matched_by`.
    matchable: [u64; WINDOW_WORDS],
}

impl TitleWindows {
    /// Whether there are enough terms for windows to pay (one term's next match is
    /// skipped to directly), and not too many.
    pub fn handles(terms: usize) -> bool {
        (2..=MOST_TITLES).contains(&terms)
    }

    /// Whether windows pay where about `match_share` of the entries match.
    pub fn pay_for(match_share: f64) -> bool {
        match_share * f64::from(WINDOW) >= LEAST_MATCHES_PER_WINDOW
    }

    /// None where it does not handle that many terms. `matched_by`: sets of terms
    /// every entry asked about holds (any number, none included).
    pub fn new(titles: Vec<TitleTerm>, matched_by: Vec<Arc<EntrySet>>) -> Option<TitleWindows> {
        if !Self::handles(titles.len()) {
            return None;
        }
        Some(TitleWindows {
            held: vec![[0; WINDOW_WORDS]; titles.len()],
            titles,
            base: 0,
            end: 0,
            reachable: [0; WINDOW_WORDS],
            reachable_floor: None,
            matched_by,
            matchable: [u64::MAX; WINDOW_WORDS],
        })
    }

    /// Where the titles `doc` holds cannot lift it to `floor`, with `without_titles`
    /// the most the rest of its score can be (each sum taken times `1 + slack`, to
    /// allow for rounding): the most it can score, and the next entry that can match
    /// and may reach the floor (or the window's end: no entry from `doc` up to it
    /// can). Entries are asked about in increasing order, and are matches (they hold
    /// the terms of the sets `matched_by`). Not inlined: the scorers of one title term
    /// have none, and their hot path must stay small.
    #[inline(never)]
    pub fn short_of(
        &mut self,
        doc: DocId,
        floor: Score,
        without_titles: Score,
        slack: Score,
    ) -> Option<(Score, DocId)> {
        if without_titles * (1.0 + slack) >= floor || doc < self.base {
            // Every entry may reach it: no title need be read. (An entry before the
            // window, which the order of asking rules out, is not known about: the
            // postings have moved past it.)
            return None;
        }
        if doc >= self.end {
            self.read_window(doc);
        }
        if self.reachable_floor != Some(floor) {
            self.find_reachable(floor, without_titles, slack);
        }
        let delta = doc - self.base;
        let word = (delta / 64) as usize;
        let bit = delta % 64;
        if self.reachable[word] & (1 << bit) != 0 {
            return None;
        }
        let most = self
            .titles
            .iter()
            .zip(&self.held)
            .filter(|(_, held)| held[word] & (1 << bit) != 0)
            .fold(without_titles, |sum, (title, _)| sum + title.most);
        Some((most, self.reachable_from(doc)))
    }

    /// The first entry from `from` on that can match and may reach `floor` (as
    /// [`Self::short_of`] tells), or the window's end; `from` itself where the window
    /// does not hold it, or where every entry may reach the floor.
    pub fn next_reachable(
        &mut self,
        from: DocId,
        floor: Score,
        without_titles: Score,
        slack: Score,
    ) -> DocId {
        if without_titles * (1.0 + slack) >= floor || !(self.base..self.end).contains(&from) {
            return from;
        }
        if self.reachable_floor != Some(floor) {
            self.find_reachable(floor, without_titles, slack);
        }
        self.reachable_from(from)
    }

    /// The first entry from `from` on (in the window) set in `reachable`, or the
    /// window's end.
    fn reachable_from(&self, from: DocId) -> DocId {
        let delta = from - self.base;
        let mut word = (delta / 64) as usize;
        let mut bits = self.reachable[word] & (u64::MAX << (delta % 64));
        loop {
            if bits != 0 {
                return self.base + 64 * word as u32 + bits.trailing_zeros();
            }
            word += 1;
            if word == WINDOW_WORDS {
                return self.end;
            }
            bits = self.reachable[word];
        }
    }

    /// Reads each term's holders in the window from `start`.
    fn read_window(&mut self, start: DocId) {
        self.base = start;
        self.end = start.saturating_add(WINDOW).min(TERMINATED);
        self.reachable_floor = None;
        self.matchable = [u64::MAX; WINDOW_WORDS];
        for set in &self.matched_by {
            for (word, bits) in self.matchable.iter_mut().zip(set.window(start)) {
                *word &= bits;
            }
        }
        for (title, held) in self.titles.iter_mut().zip(&mut self.held) {
            let postings = match &mut title.holders {
                Holders::Set(set) => {
                    *held = set.window(start);
                    continue;
                }
                Holders::Postings(postings) => postings,
            };
            *held = [0; WINDOW_WORDS];
            let mut doc = postings.seek(start);
            while doc < self.end {
                let docs = &postings.block.docs()[postings.at..];
                let count = docs.partition_point(|&doc| doc < self.end);
                set_bits(held, &docs[..count], start);
                postings.at += count;
                doc = postings.current();
            }
        }
    }

    /// The entries of the window that can match and hold a set of terms that can lift
    /// them to `floor`.
    fn find_reachable(&mut self, floor: Score, without_titles: Score, slack: Score) {
        self.reachable_floor = Some(floor);
        self.reachable = [0; WINDOW_WORDS];
        let terms = self.titles.len();
        for set in 0u32..(1 << terms) {
            let most = (0..terms)
                .filter(|at| set & (1 << at) != 0)
                .fold(without_titles, |sum, at| sum + self.titles[at].most);
            if most * (1.0 + slack) < floor {
                continue;
            }
            let mut holders = [u64::MAX; WINDOW_WORDS];
            for at in (0..terms).filter(|at| set & (1 << at) != 0) {
                for (word, held) in holders.iter_mut().zip(&self.held[at]) {
                    *word &= held;
                }
            }
            for (word, holders) in self.reachable.iter_mut().zip(holders) {
                *word |= holders;
            }
        }
        for (word, matchable) in self.reachable.iter_mut().zip(self.matchable) {
            *word &= matchable;
        }
    }
}

#[cfg(test)]
mod tests {
    use tantivy::schema::{IndexRecordOption, Schema, TEXT};
    use tantivy::{doc, Index, IndexWriter, Term};

    use super::*;
    use crate::query::dense_sets::DenseSets;

    const SLACK: Score = 1e-4;
    /// The most each title term adds, and the most of the rest of a score.
    const MOST: [Score; 3] = [3.0, 1.0, 1.5];
    const WITHOUT_TITLES: Score = 1.0;

    /// Whether entry `doc` holds title term `at`: patterns of different densities.
    fn holds(doc: DocId, at: usize) -> bool {
        match at {
            0 => doc.is_multiple_of(11),
            1 => doc.is_multiple_of(3),
            _ => doc % 4 == 1 || doc.is_multiple_of(5),
        }
    }

    fn most_of(doc: DocId) -> Score {
        (0..MOST.len())
            .filter(|&at| holds(doc, at))
            .fold(WITHOUT_TITLES, |sum, at| sum + MOST[at])
    }

    fn reaches(doc: DocId, floor: Score) -> bool {
        most_of(doc) * (1.0 + SLACK) >= floor
    }

    /// Whether entry `doc` holds "m", the term of a text every match holds.
    fn matchable(doc: DocId) -> bool {
        doc % 7 != 3 && doc % 5 != 2
    }

    /// Entries up to 2,500 holding the terms "t0", "t1", "t2" as [`holds`] says, and
    /// "m" as [`matchable`] does, in one segment.
    fn title_index() -> (Index, DocId) {
        let mut schema = Schema::builder();
        let title = schema.add_text_field("title", TEXT);
        let index = Index::create_in_ram(schema.build());
        let mut writer: IndexWriter = index.writer_with_num_threads(1, 15_000_000).unwrap();
        let entries = 2_500;
        for doc in 0..entries {
            let words: Vec<String> = (0..MOST.len())
                .filter(|&at| holds(doc, at))
                .map(|at| format!("t{at}"))
                .chain(["x".to_string()])
                .chain(matchable(doc).then(|| "m".to_string()))
                .collect();
            writer.add_document(doc!(title => words.join(" "))).unwrap();
        }
        writer.commit().unwrap();
        (index, entries)
    }

    fn windows_of(index: &Index) -> TitleWindows {
        windows_with_sets(index, [false; MOST.len()])
    }

    /// The windows of the terms, those marked in `from_sets` read from kept sets.
    fn windows_with_sets(index: &Index, from_sets: [bool; MOST.len()]) -> TitleWindows {
        windows_matched_by(index, from_sets, &[])
    }

    /// The windows of the terms, those marked in `from_sets` read from kept sets, for
    /// matches holding every term of `matched_by`.
    fn windows_matched_by(
        index: &Index,
        from_sets: [bool; MOST.len()],
        matched_by: &[&str],
    ) -> TitleWindows {
        let searcher = index.reader().unwrap().searcher();
        let segment = &searcher.segment_readers()[0];
        let field = index.schema().get_field("title").unwrap();
        let inverted = segment.inverted_index(field).unwrap();
        let sets = DenseSets::default();
        let titles = (0..MOST.len())
            .map(|at| {
                let term = Term::from_field_text(field, &format!("t{at}"));
                let holders = match from_sets[at] {
                    true => {
                        Holders::Set(sets.entries_read_through(segment, &term).unwrap().unwrap())
                    }
                    false => {
                        let info = inverted.get_term_info(&term).unwrap().unwrap();
                        let block = inverted
                            .read_block_postings_from_terminfo(&info, IndexRecordOption::Basic)
                            .unwrap();
                        Holders::Postings(Box::new(Cursor::new(block)))
                    }
                };
                TitleTerm {
                    holders,
                    most: MOST[at],
                }
            })
            .collect();
        let matched_by = (matched_by.iter())
            .map(|text| {
                let term = Term::from_field_text(field, text);
                sets.entries_read_through(segment, &term).unwrap().unwrap()
            })
            .collect();
        TitleWindows::new(titles, matched_by).unwrap()
    }

    /// Asks `windows` about the entries `asked`, in increasing order, each at the floor
    /// `floor_of` gives it: an entry said to fall short does, no entry up to the one it
    /// names may pass (`may_pass`), and that one may, or is the window's end. The
    /// entries passed over, each with the floor they were passed over at.
    fn passed_over_asking(
        windows: &mut TitleWindows,
        asked: impl Iterator<Item = DocId>,
        entries: DocId,
        floor_of: impl Fn(DocId) -> Score,
        may_pass: impl Fn(DocId, Score) -> bool,
    ) -> Vec<(DocId, Score)> {
        let mut passed_over = Vec::new();
        // A window is read from the first entry asked about past the last.
        let mut window_end = 0;
        for doc in asked {
            if doc >= window_end {
                window_end = doc + WINDOW;
            }
            let floor = floor_of(doc);
            match windows.short_of(doc, floor, WITHOUT_TITLES, SLACK) {
                None => assert!(reaches(doc, floor), "entry {doc}, floor {floor}"),
                Some((most, next)) => {
                    assert_eq!(most, most_of(doc), "entry {doc}");
                    assert!(next > doc, "entry {doc}");
                    for short in doc..next.min(entries) {
                        assert!(
                            !may_pass(short, floor),
                            "{short}, from {doc}, floor {floor}"
                        );
                    }
                    assert!(
                        next == window_end || may_pass(next, floor),
                        "entry {doc} passes over no more than it may: {next}"
                    );
                    passed_over.extend((doc + 1..next.min(entries)).map(|short| (short, floor)));
                }
            }
        }
        passed_over
    }

    /// Asked about entries in increasing order (every one, or every third, as the hits
    /// of a query come), under a floor that rises as it goes: an entry said to fall
    /// short does, with every entry up to the one it names, which is the next that may
    /// reach the floor or the window's end; an entry not said to fall short may reach it.
    /// The same whether the terms' holders are read from postings or kept sets.
    #[test]
    fn entries_are_given_up_on_exactly_where_their_titles_cannot_reach_the_floor() {
        let (index, entries) = title_index();
        assert_eq!(index.searchable_segments().unwrap().len(), 1);
        let mut passed_over = 0;
        let holders = [[false; 3], [true; 3], [true, false, true]];
        let cases = holders.into_iter().flat_map(|from_sets| {
            [(1, 0.0), (1, 0.002), (3, 0.0), (3, 0.002)].map(|(step, rise)| (from_sets, step, rise))
        });
        for (from_sets, step, rise) in cases {
            let mut windows = windows_with_sets(&index, from_sets);
            let asked = (0..entries).step_by(step);
            let floor_of = |doc: DocId| 2.4 + rise * doc as Score;
            passed_over +=
                passed_over_asking(&mut windows, asked, entries, floor_of, reaches).len();
        }
        assert!(passed_over > 1_000, "{passed_over} entries passed over");
    }

    /// Asked about matches only, under a rising floor: an entry said to fall short
    /// does, and no entry up to the one it names both matches and may reach the floor;
    /// that one does both, or is the window's end. Among those passed over are entries
    /// whose titles may reach the floor but which cannot match.
    #[test]
    fn entries_that_cannot_match_are_passed_over_with_those_whose_titles_fall_short() {
        let (index, entries) = title_index();
        let may_pass = |doc: DocId, floor: Score| matchable(doc) && reaches(doc, floor);
        let mut windows = windows_matched_by(&index, [true; MOST.len()], &["m"]);
        let asked = (0..entries).filter(|&doc| matchable(doc));
        let floor_of = |doc: DocId| 2.4 + 0.001 * doc as Score;
        let passed_over = passed_over_asking(&mut windows, asked, entries, floor_of, may_pass);
        let passed_over_unmatchable = (passed_over.iter())
            .filter(|&&(doc, floor)| reaches(doc, floor))
            .count();
        assert!(
            passed_over_unmatchable > 100,
            "{passed_over_unmatchable} entries that cannot match passed over"
        );
    }

    /// After a match that falls short, the next entry of the window that can match
    /// and may reach the floor; the entry itself where nothing is known of it.
    #[test]
    fn the_next_reachable_entry_is_the_first_that_can_match_and_may_reach_the_floor() {
        let (index, _) = title_index();
        let mut windows = windows_matched_by(&index, [false; MOST.len()], &["m"]);
        let floor = 4.1;
        // The window is read from the first entry asked about.
        windows.short_of(0, floor, WITHOUT_TITLES, SLACK);
        let mut reachable = 0;
        for from in 0..WINDOW {
            let expected = (from..WINDOW)
                .find(|&doc| matchable(doc) && reaches(doc, floor))
                .unwrap_or(WINDOW);
            let next = windows.next_reachable(from, floor, WITHOUT_TITLES, SLACK);
            assert_eq!(next, expected, "from {from}");
            reachable += usize::from(next == from);
        }
        assert!(reachable > 10 && reachable < 100, "{reachable} reachable");
        // Past the window, and where the rest of a score reaches the floor alone.
        assert_eq!(
            windows.next_reachable(WINDOW, floor, WITHOUT_TITLES, SLACK),
            WINDOW
        );
        assert_eq!(
            windows.next_reachable(7, WITHOUT_TITLES, WITHOUT_TITLES, SLACK),
            7
        );
    }

    /// An entry before the window, which the order of asking rules out, is never
    /// given up on: the postings have moved past it.
    #[test]
    fn an_entry_asked_about_out_of_order_is_not_given_up_on() {
        let (index, _) = title_index();
        let mut windows = windows_of(&index);
        let floor = 100.0;
        assert!(windows
            .short_of(2_000, floor, WITHOUT_TITLES, SLACK)
            .is_some());
        assert_eq!(windows.short_of(5, floor, WITHOUT_TITLES, SLACK), None);
    }

    /// Where the rest of a score reaches the floor alone, every entry may reach it.
    #[test]
    fn no_entry_is_given_up_on_where_the_rest_of_its_score_reaches_the_floor() {
        let (index, entries) = title_index();
        let mut windows = windows_of(&index);
        for doc in 0..entries {
            assert_eq!(
                windows.short_of(doc, WITHOUT_TITLES, WITHOUT_TITLES, SLACK),
                None
            );
        }
    }
}
