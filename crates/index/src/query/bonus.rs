//! A match with score bonuses: the entries of the required query, each scored with
//! every bonus query's (boosted) score added where that query matches too, as tantivy
//! scores a required clause with optional ones. Unlike tantivy's optional clauses:
//!
//! - a bonus is asked about each scored entry alone and never searched ahead for its
//!   next match: a title phrase looked for ahead of the entries being scored had
//!   positions read for titles of entries that were never scored, and a rare one for
//!   whole segments;
//! - an entry that cannot reach the page is given up on as soon as its score so far
//!   plus the most the rest could add falls short of the page's lowest
//!   ([`ScoreReaching`]): the sparse title bonuses are checked first, and an entry
//!   they leave far behind never has its match scored nor its whole-word bonuses
//!   checked. Those are as dense as the matches themselves, and scoring them for every
//!   hit was most of the ranking time of queries with 100 k hits;
//! - a title that holds a substring term's bigrams, but not the term as a word, counts
//!   at first for the most it can earn (its score if the term stood there as often as
//!   its least frequent bigram), and its positions are read only if the entry can
//!   still reach the page with that. A search for "义务教育 优质均衡" at 1.5 M entries
//!   read the positions of 14.6 k titles; it now reads those of 128 (on one thread);
//! - a term bonus counts, in that bound, for the best score it earns in the segment
//!   rather than BM25's bound for it: nearly twice as high in titles (see
//!   [`BestScores`]), and for whole words high enough that 双减 at 1.5 M entries had
//!   the word checked for 3.6 k of its 22.9 k hits, where the best scores leave 228
//!   (1.25–1.29 → 1.07–1.14 ms on one thread);
//! - where the match's score is a known sum of terms' scores, each window of entries
//!   is bounded by its terms' most there ([`super::window_bounds`]), and the hits of a
//!   window that falls short of the page are given up on together, unscored: 双减 at
//!   1.5 M entries had 14.5 k hits scored as far as their title bonus, and now has a
//!   few hundred (0.94 → 0.56 ms on one thread; over HTTP without the answer cache,
//!   ~1,775 → ~2,640 req/s);
//! - with several title terms, the hits whose titles hold no set of them that could
//!   lift them to the page are given up on a window of entries at a time
//!   ([`super::title_windows`]), and with one, a title holder that falls short gives
//!   up on the entries before the title's next possible match (see
//!   [`ScoreReaching`]).

use std::sync::Arc;

use tantivy::fieldnorm::FieldNormReader;
use tantivy::query::{Bm25Weight, EnableScoring, Explanation, Query, Scorer, Weight};
use tantivy::schema::IndexRecordOption;
use tantivy::{DocId, DocSet, Score, SeekDangerResult, SegmentReader, Term, TERMINATED};

use super::best_scores::BestScores;
use super::dense_sets::DenseSets;
use super::postings::Cursor;
use super::set_freqs::SetFreqs;
use super::substring::{Approximation, SubstringQuery, SubstringScorer, SubstringWeight};
use super::title_windows::{Holders, TitleTerm, TitleWindows};
use super::window_bounds::{WindowBounds, WindowedPart};
use super::{fieldnorms, scorer_on};

/// What earns a bonus.
#[derive(Debug, Clone)]
pub enum Bonus {
    /// A term query (a bigram of the title, a whole word), scored with frequencies.
    Term(tantivy::query::TermQuery),
    /// A longer term standing together in the title.
    Substring(SubstringQuery),
}

/// The required query, and what its score is a sum of where that is known: for each
/// part, the terms it is scored by as one BM25 weight (as a term or a phrase is).
#[derive(Debug)]
pub struct Required {
    pub query: Box<dyn Query>,
    pub parts: Option<Vec<Vec<Term>>>,
}

#[derive(Debug)]
pub struct BonusQuery {
    required: Required,
    /// Each with its boost; the first `checked_before_required` are checked before the
    /// required score is computed.
    bonuses: Vec<(Bonus, Score)>,
    checked_before_required: usize,
    /// Where the bonuses checked first find the best score they earn in a segment.
    best_scores: Option<Arc<BestScores>>,
    /// Where title terms read a window at a time keep their holders, which term
    /// bonuses then read too.
    dense_sets: Option<Arc<DenseSets>>,
}

impl BonusQuery {
    /// Matches `required`; adds each bonus's score times its boost where it matches.
    /// The bonuses `before` (sparse ones, cheap to check) are checked before the
    /// required score is computed, then those `after`, each group from the bonus that
    /// can earn the most: an entry that cannot reach the page is given up on as soon as
    /// that shows.
    pub fn new(
        required: Required,
        before: Vec<(Bonus, Score)>,
        after: Vec<(Bonus, Score)>,
    ) -> BonusQuery {
        let checked_before_required = before.len();
        BonusQuery {
            required,
            bonuses: before.into_iter().chain(after).collect(),
            checked_before_required,
            best_scores: None,
            dense_sets: None,
        }
    }

    /// Bounds each term bonus checked before the required score (a title's: sparse,
    /// so its postings are read once at little cost) by the best score it earns in
    /// the segment rather than by BM25's bound (see [`BestScores`]).
    pub fn with_best_scores(mut self, best_scores: Arc<BestScores>) -> BonusQuery {
        self.best_scores = Some(best_scores);
        self
    }

    /// Keeps the holders of title terms read a window at a time (see
    /// [`TitleWindows`]) as sets in `sets`, rather than reading their postings through
    /// each search; a term bonus whose set is kept there reads it too.
    pub fn with_dense_sets(mut self, sets: Arc<DenseSets>) -> BonusQuery {
        self.dense_sets = Some(sets);
        self
    }
}

impl Clone for BonusQuery {
    fn clone(&self) -> BonusQuery {
        BonusQuery {
            required: Required {
                query: self.required.query.box_clone(),
                parts: self.required.parts.clone(),
            },
            bonuses: self.bonuses.clone(),
            checked_before_required: self.checked_before_required,
            best_scores: self.best_scores.clone(),
            dense_sets: self.dense_sets.clone(),
        }
    }
}

impl Query for BonusQuery {
    fn weight(&self, enable_scoring: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        let required = self.required.query.weight(enable_scoring)?;
        let EnableScoring::Enabled {
            statistics_provider,
            ..
        } = enable_scoring
        else {
            // The bonuses never change which entries match.
            return Ok(required);
        };
        if self.bonuses.is_empty() {
            return Ok(required);
        }
        let required_parts = match &self.required.parts {
            Some(parts) => Some(
                parts
                    .iter()
                    .map(|terms| {
                        Ok((
                            terms.clone(),
                            Bm25Weight::for_terms(statistics_provider, terms)?,
                        ))
                    })
                    .collect::<tantivy::Result<Vec<_>>>()?,
            ),
            None => None,
        };
        let required_max = match &required_parts {
            Some(parts) => parts.iter().map(|(_, bm25)| bm25.max_score()).sum(),
            None => Score::INFINITY,
        };
        let bonuses = self
            .bonuses
            .iter()
            .map(|(bonus, boost)| {
                let weight = match bonus {
                    Bonus::Term(query) => BonusWeight::Term {
                        term: query.term().clone(),
                        bm25: Bm25Weight::for_terms(
                            statistics_provider,
                            std::slice::from_ref(query.term()),
                        )?,
                    },
                    Bonus::Substring(query) => {
                        BonusWeight::Substring(Box::new(query.substring_weight(enable_scoring)?))
                    }
                };
                Ok((weight, *boost))
            })
            .collect::<tantivy::Result<_>>()?;
        Ok(Box::new(WithBonusWeight {
            required,
            required_parts,
            required_max,
            bonuses,
            checked_before_required: self.checked_before_required,
            best_scores: self.best_scores.clone(),
            dense_sets: self.dense_sets.clone(),
        }))
    }

    fn query_terms<'a>(&'a self, visitor: &mut dyn FnMut(&'a Term, bool)) {
        self.required.query.query_terms(visitor);
        for (bonus, _) in &self.bonuses {
            match bonus {
                Bonus::Term(query) => query.query_terms(visitor),
                Bonus::Substring(query) => query.query_terms(visitor),
            }
        }
    }
}

enum BonusWeight {
    /// Weighed as its term query weighs it.
    Term {
        term: Term,
        bm25: Bm25Weight,
    },
    Substring(Box<SubstringWeight>),
}

struct WithBonusWeight {
    required: Box<dyn Weight>,
    /// What the required score is a sum of, where known: each part's terms and weight.
    required_parts: Option<Vec<(Vec<Term>, Bm25Weight)>>,
    /// No entry's required score is higher (unboosted; infinite where unknown).
    required_max: Score,
    bonuses: Vec<(BonusWeight, Score)>,
    checked_before_required: usize,
    best_scores: Option<Arc<BestScores>>,
    dense_sets: Option<Arc<DenseSets>>,
}

impl WithBonusWeight {
    /// A bonus's check for a segment, or none where nothing there can earn it.
    /// `best_scores`: where a term bonus's best score in the segment is found, for a
    /// bound tighter than its BM25 bound.
    fn bonus_check(
        &self,
        weight: &BonusWeight,
        reader: &SegmentReader,
        boost: Score,
    ) -> tantivy::Result<Option<BonusCheck>> {
        let best_scores = self.best_scores.as_deref();
        Ok(match weight {
            BonusWeight::Term { term, bm25 } => {
                let bm25 = bm25.boost_by(boost);
                let sets = self.dense_sets.as_deref();
                let Some(check) = TermCheck::open(reader, term, bm25, sets)? else {
                    return Ok(None);
                };
                let max = match best_scores {
                    Some(best) => best.best(reader, term, &check.bm25)?,
                    None => check.bm25.max_score(),
                };
                Some(BonusCheck::new(BonusScorer::Term(Box::new(check)), max))
            }
            BonusWeight::Substring(weight) => {
                weight.unpositioned_scorer(reader, boost)?.map(|scorer| {
                    let max = scorer.max_score();
                    BonusCheck::new(BonusScorer::Substring(Box::new(scorer)), max)
                })
            }
        })
    }
}

impl Weight for WithBonusWeight {
    fn scorer(&self, reader: &SegmentReader, boost: Score) -> tantivy::Result<Box<dyn Scorer>> {
        // First, so that the sets of dense terms it keeps are there for the title
        // windows to narrow their entries to those it can match.
        let required = self.required.scorer(reader, boost)?;
        let mut bonuses = Vec::with_capacity(self.bonuses.len());
        // Where the required score's parts are known, every summand is bounded window
        // by window where it can be (terms), by its bound in the segment otherwise.
        let windows = (self.best_scores.as_deref()).filter(|_| self.required_parts.is_some());
        let (mut windowed, mut unwindowed) = (Vec::new(), 0.0);
        if let (Some(best), Some(parts)) = (windows, &self.required_parts) {
            for (terms, bm25) in parts {
                let bm25 = bm25.boost_by(boost);
                let max = bm25.max_score();
                match WindowedPart::new(best, reader, terms, bm25, max)? {
                    Some(part) => windowed.push(part),
                    None => unwindowed += max,
                }
            }
        }
        // Of those checked before the required score, the ones this segment has.
        let mut checked_before_required = 0;
        let mut titles = Vec::new();
        for (at, (weight, bonus_boost)) in self.bonuses.iter().enumerate() {
            // Boosted as tantivy's boost query boosts its inner query.
            let before_required = at < self.checked_before_required;
            let check = self.bonus_check(weight, reader, boost * bonus_boost)?;
            if let Some(mut check) = check {
                if let Some(best) = windows {
                    let part = match check.scored_by(weight) {
                        Some((bm25, terms)) => {
                            WindowedPart::new(best, reader, &terms, bm25.clone(), check.max)?
                        }
                        None => None,
                    };
                    match part {
                        Some(part) => windowed.push(part),
                        None => unwindowed += check.max,
                    }
                }
                if before_required {
                    checked_before_required += 1;
                    titles.push((weight, check.max));
                }
                check.slot = bonuses.len();
                bonuses.push(check);
            }
        }
        // The bonus that can earn the most (the rarest term's) first, within each
        // group: missing it lowers an entry's bound the most, so entries are given up
        // on after fewer checks (学校 教师 课程: the title 课程, in 1 % of titles,
        // before 学校, in 8 %).
        let by_most_first = |a: &BonusCheck, b: &BonusCheck| b.max.total_cmp(&a.max);
        bonuses[..checked_before_required].sort_by(by_most_first);
        bonuses[checked_before_required..].sort_by(by_most_first);
        let mut at_most_after = vec![0.0; bonuses.len() + 1];
        for at in (0..bonuses.len()).rev() {
            at_most_after[at] = at_most_after[at + 1] + bonuses[at].max;
        }
        let required_max = self.required_max * boost;
        let most_without_titles = required_max + at_most_after[checked_before_required];
        let title_windows = match &self.required_parts {
            Some(parts) if most_without_titles.is_finite() => {
                title_windows(&titles, parts, reader, self.dense_sets.as_deref())?
            }
            _ => None,
        };
        let window_bounds = windows.map(|best| {
            WindowBounds::new(windowed, unwindowed, best.window_log2(), reader.max_doc())
        });
        Ok(Box::new(WithBonusScorer {
            window_bounds,
            title_windows,
            required,
            required_max,
            most_without_titles,
            earned: vec![0.0; bonuses.len()],
            bonuses,
            at_most_after,
            checked_before_required,
            partial: None,
        }))
    }

    fn explain(&self, reader: &SegmentReader, doc: DocId) -> tantivy::Result<Explanation> {
        let mut explanation = Explanation::new("With bonus", scorer_on(self, reader, doc)?.score());
        explanation.add_detail(self.required.explain(reader, doc)?);
        Ok(explanation)
    }
}

/// Which of the title bonuses (each with the most it earns) an entry holds, window by
/// window, where there are several and all are terms (a substring's title holders
/// are not known without positions), and where the required parts `parts` are
/// expected to match enough entries for windows to pay.
fn title_windows(
    titles: &[(&BonusWeight, Score)],
    parts: &[(Vec<Term>, Bm25Weight)],
    reader: &SegmentReader,
    dense_sets: Option<&DenseSets>,
) -> tantivy::Result<Option<Box<TitleWindows>>> {
    if !TitleWindows::handles(titles.len()) {
        return Ok(None);
    }
    // A part matches no more entries than its rarest term; the parts are taken to
    // match independently of one another.
    let max_doc = f64::from(reader.max_doc().max(1));
    let mut match_share = 1.0;
    for (terms, _) in parts {
        let mut rarest = max_doc;
        for term in terms {
            let doc_freq = reader.inverted_index(term.field())?.doc_freq(term)?;
            rarest = rarest.min(f64::from(doc_freq));
        }
        match_share *= rarest / max_doc;
    }
    if !TitleWindows::pay_for(match_share) {
        return Ok(None);
    }
    let mut terms = Vec::with_capacity(titles.len());
    for &(weight, most) in titles {
        let BonusWeight::Term { term, .. } = weight else {
            return Ok(None);
        };
        // Every window of the segment reads the term's holders: kept as a set, they are
        // copied out rather than decoded again each search.
        let set = match dense_sets {
            Some(sets) => sets.entries_read_through(reader, term)?,
            None => None,
        };
        let holders = match set {
            Some(set) => Holders::Set(set),
            None => {
                let inverted = reader.inverted_index(term.field())?;
                let Some(info) = inverted.get_term_info(term)? else {
                    return Ok(None);
                };
                let block =
                    inverted.read_block_postings_from_terminfo(&info, IndexRecordOption::Basic)?;
                Holders::Postings(Box::new(Cursor::new(block)))
            }
        };
        terms.push(TitleTerm { holders, most });
    }
    // Every match holds every part's terms: those kept as sets narrow the entries a
    // window may pass on to, without a set read for that alone.
    let matched_by = (parts.iter())
        .flat_map(|(terms, _)| terms)
        .filter_map(|term| dense_sets.and_then(|sets| sets.kept(reader, term)))
        .collect();
    Ok(TitleWindows::new(terms, matched_by).map(Box::new))
}

/// What checks a bonus.
enum BonusScorer {
    Term(Box<TermCheck>),
    /// A substring term: a candidate that holds its bigrams but not its word can be
    /// left unconfirmed (see [`Earned::AtMost`]).
    Substring(Box<SubstringScorer>),
}

/// What an entry earns from a bonus.
#[derive(Clone, Copy)]
enum Earned {
    Score(Score),
    /// At most this much, if a substring candidate's positions confirm it: read only
    /// if the entry can still reach the page with it.
    AtMost(Score),
}

/// One bonus in one segment.
struct BonusCheck {
    scorer: BonusScorer,
    /// No entry earns more.
    max: Score,
    /// The bonus matches no entry before this one (what its last check showed).
    from: DocId,
    /// Its place in the query's order of bonuses, in which scores are summed.
    slot: usize,
}

impl BonusCheck {
    fn new(scorer: BonusScorer, max: Score) -> BonusCheck {
        BonusCheck {
            scorer,
            max,
            from: 0,
            slot: 0,
        }
    }

    /// What `doc` earns, short of reading positions. Entries are checked in increasing
    /// order, so the targets increase strictly, as `seek_danger` requires.
    fn earned(&mut self, doc: DocId) -> Earned {
        if doc < self.from {
            return Earned::Score(0.0);
        }
        match &mut self.scorer {
            BonusScorer::Term(check) => match check.seek(doc) {
                next if next == doc => {
                    self.from = doc + 1;
                    Earned::Score(check.score(doc))
                }
                next => {
                    self.from = next;
                    Earned::Score(0.0)
                }
            },
            BonusScorer::Substring(scorer) => match scorer.approximate_by_rarest(doc) {
                Approximation::Holds => {
                    self.from = doc + 1;
                    Earned::Score(scorer.score())
                }
                Approximation::NoneBefore(next) => {
                    self.from = next;
                    Earned::Score(0.0)
                }
                Approximation::Candidate => {
                    self.from = doc + 1;
                    Earned::AtMost(scorer.candidate_bound(doc))
                }
            },
        }
    }

    /// The first entry from `target` on that may earn the bonus, short of reading
    /// positions; the next check must be of it or a later entry.
    fn next_possible(&mut self, target: DocId) -> DocId {
        if target < self.from {
            return self.from;
        }
        self.from = match &mut self.scorer {
            BonusScorer::Term(check) => check.seek(target),
            BonusScorer::Substring(scorer) => match scorer.approximate_by_rarest(target) {
                Approximation::NoneBefore(next) => next,
                Approximation::Holds | Approximation::Candidate => target,
            },
        };
        self.from
    }

    /// The first entry after `doc` that may earn the bonus, as far as is known without
    /// moving off `doc`, a candidate left unconfirmed (whose positions may still be
    /// read): a substring's next entry holding its rarest bigram, where that is at hand.
    fn next_candidate_after(&self, doc: DocId) -> DocId {
        match &self.scorer {
            BonusScorer::Substring(scorer) => scorer.rarest_after(doc),
            BonusScorer::Term(_) => doc + 1,
        }
    }

    /// The weight of the bonus's score and the terms of `weight` (its weight) it is
    /// scored by: each held by any entry that earns it. None without scoring.
    fn scored_by<'a>(&'a self, weight: &BonusWeight) -> Option<(&'a Bm25Weight, Vec<Term>)> {
        match (&self.scorer, weight) {
            (BonusScorer::Term(check), BonusWeight::Term { term, .. }) => {
                Some((&check.bm25, vec![term.clone()]))
            }
            (BonusScorer::Substring(scorer), BonusWeight::Substring(weight)) => {
                Some((scorer.bm25()?, weight.scored_by()))
            }
            _ => None,
        }
    }

    /// What the candidate `doc`, left unconfirmed by [`BonusCheck::earned`], earns.
    fn confirmed(&mut self, doc: DocId) -> Score {
        match &mut self.scorer {
            BonusScorer::Substring(scorer) => match scorer.confirm(doc) {
                true => scorer.score(),
                false => 0.0,
            },
            BonusScorer::Term(_) => 0.0,
        }
    }
}

/// A term's postings (or kept set) in a segment, sought one scored entry at a time and
/// scored as its term query's scorer scores them, to the bit. Sought through a cursor
/// that tries the next posting before searching the block, and called without a boxed
/// scorer's dynamic calls: 双减 at 1.5 M entries, one thread, facets off, 0.86 → 0.77 ms.
struct TermCheck {
    holders: TermHolders,
    bm25: Bm25Weight,
    fieldnorms: FieldNormReader,
}

impl TermCheck {
    /// None where no entry of the segment holds the term. Where `sets` keeps the term's
    /// entries already, for another reader (a title term's, for the title windows), they
    /// are read from the set, and their frequencies by their rank in it. No set is read
    /// for the check alone: a whole word's gained 学校 教师 课程 1.5 % and filled the
    /// table, which the server's memory counts, to its bound sooner.
    fn open(
        reader: &SegmentReader,
        term: &Term,
        bm25: Bm25Weight,
        sets: Option<&DenseSets>,
    ) -> tantivy::Result<Option<TermCheck>> {
        let inverted = reader.inverted_index(term.field())?;
        let Some(info) = inverted.get_term_info(term)? else {
            return Ok(None);
        };
        let set = sets.and_then(|sets| sets.kept(reader, term));
        let holders = match set.and_then(SetFreqs::new) {
            Some(freqs) => TermHolders::Set(freqs),
            None => {
                // A field indexed without frequencies reads each as 1.
                let block = inverted
                    .read_block_postings_from_terminfo(&info, IndexRecordOption::WithFreqs)?;
                TermHolders::Postings(Cursor::new(block))
            }
        };
        Ok(Some(TermCheck {
            holders,
            bm25,
            fieldnorms: fieldnorms(reader, term.field())?,
        }))
    }

    /// The first entry at or after `target` that holds the term; never moves back.
    fn seek(&mut self, target: DocId) -> DocId {
        match &mut self.holders {
            TermHolders::Postings(postings) => postings.seek(target),
            TermHolders::Set(freqs) => freqs.set().first_from(target),
        }
    }

    /// The score of `doc`, the entry just sought, which holds the term.
    fn score(&mut self, doc: DocId) -> Score {
        let freq = match &mut self.holders {
            TermHolders::Postings(postings) => postings.block.freq(postings.at),
            TermHolders::Set(freqs) => freqs.freq(doc),
        };
        self.bm25.score(self.fieldnorms.fieldnorm_id(doc), freq)
    }
}

/// Where a bonus term's entries and frequencies are read.
// Unboxed: the check holding it is boxed already, and the cursor is read for each entry.
#[allow(clippy::large_enum_variant)]
enum TermHolders {
    Postings(Cursor),
    /// The term's set, kept for another reader.
    Set(SetFreqs),
}

/// An entry's score as far as it was added up: a bonus can be checked only once per
/// entry, so a later call for the same entry goes on from here.
#[derive(Clone, Copy)]
struct Partial {
    doc: DocId,
    /// The required score, once computed.
    required: Option<Score>,
    /// What the bonuses checked so far (the first ones) earned, summed in order.
    bonus: Score,
    checked: usize,
    /// The checked bonuses left unconfirmed (bits by place in the check order), and
    /// the most they can earn.
    unconfirmed: u64,
    unconfirmed_most: Score,
}

pub(crate) struct WithBonusScorer {
    /// Which title terms an entry holds, window by window, where there are several.
    title_windows: Option<Box<TitleWindows>>,
    /// The most an entry can score, window by window, where known.
    window_bounds: Option<WindowBounds>,
    required: Box<dyn Scorer>,
    required_max: Score,
    /// The most an entry can score that earns no title bonus (those checked before the
    /// required score): the required score's bound and every later bonus's best.
    most_without_titles: Score,
    bonuses: Vec<BonusCheck>,
    /// at_most_after[i]: the most the bonuses from i on can add.
    at_most_after: Vec<Score>,
    /// What each bonus earned the current entry, by slot: summed in the query's order
    /// whatever the order of the checks, so scores are the same to the bit.
    earned: Vec<Score>,
    checked_before_required: usize,
    partial: Option<Partial>,
}

/// Bonuses, in the order they are checked, that can be left unconfirmed (the bits of
/// [`Partial::unconfirmed`]); later ones are confirmed at once.
const MAX_UNCONFIRMED: usize = u64::BITS as usize;

/// Scores and bonuses are sums of non-negative terms in f32; an entry is given up on
/// only when its bound, raised by this much, still falls short, so that rounding in
/// the sums can never give up on an entry whose exact score reaches the floor.
const ROUNDING_SLACK: Score = 1e-5;

impl WithBonusScorer {
    /// The score of `doc`, the current entry, if it is at least `floor`; otherwise some
    /// score below `floor`, leaving unchecked what could not lift it there. The score
    /// is always summed the same way (the required score plus the bonuses summed in
    /// order), so that it does not depend on the floors it was asked with.
    fn score_if_reaching(&mut self, doc: DocId, floor: Score) -> Score {
        let mut partial = match self.partial {
            Some(partial) if partial.doc == doc => partial,
            _ => Partial {
                doc,
                required: None,
                bonus: 0.0,
                checked: 0,
                unconfirmed: 0,
                unconfirmed_most: 0.0,
            },
        };
        loop {
            let required = partial.required.unwrap_or(self.required_max);
            let bound = required
                + partial.bonus
                + partial.unconfirmed_most
                + self.at_most_after[partial.checked];
            if bound * (1.0 + ROUNDING_SLACK) < floor {
                self.partial = Some(partial);
                return required + partial.bonus;
            }
            if partial.required.is_none() && partial.checked == self.checked_before_required {
                partial.required = Some(self.required.score());
                continue;
            }
            if partial.checked == self.bonuses.len() {
                if partial.unconfirmed != 0 {
                    // The entry may reach the page: its candidates' positions decide.
                    self.confirm(&mut partial);
                    continue;
                }
                self.partial = Some(partial);
                // Every slot was earned by this entry.
                return required + self.earned.iter().fold(0.0, |sum, earned| sum + earned);
            }
            let check = &mut self.bonuses[partial.checked];
            match check.earned(doc) {
                Earned::Score(earned) => {
                    self.earned[check.slot] = earned;
                    partial.bonus += earned;
                }
                Earned::AtMost(most) if partial.checked < MAX_UNCONFIRMED => {
                    self.earned[check.slot] = 0.0;
                    partial.unconfirmed |= 1 << partial.checked;
                    partial.unconfirmed_most += most;
                }
                Earned::AtMost(_) => {
                    let earned = check.confirmed(doc);
                    self.earned[check.slot] = earned;
                    partial.bonus += earned;
                }
            }
            partial.checked += 1;
        }
    }

    /// Confirms the bonuses `partial` left unconfirmed, adding what they earn.
    fn confirm(&mut self, partial: &mut Partial) {
        let mut unconfirmed = partial.unconfirmed;
        while unconfirmed != 0 {
            let at = unconfirmed.trailing_zeros() as usize;
            unconfirmed &= unconfirmed - 1;
            let check = &mut self.bonuses[at];
            let earned = check.confirmed(partial.doc);
            self.earned[check.slot] = earned;
            partial.bonus += earned;
        }
        partial.unconfirmed = 0;
        partial.unconfirmed_most = 0.0;
    }
}

/// An entry's score as far as a floor asked for it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Reached {
    /// The score if it is at least the floor, otherwise some score below the floor.
    pub score: Score,
    /// Where the score is below the floor: no entry from this one up to (not
    /// including) `none_before` can reach the floor either. 0 where nothing is known.
    pub none_before: DocId,
}

impl Reached {
    /// A score, with nothing known of the entries after it.
    pub fn score(score: Score) -> Reached {
        Reached {
            score,
            none_before: 0,
        }
    }
}

/// A scorer that can leave out what cannot lift an entry to the page.
pub(crate) trait ScoreReaching: Scorer {
    /// The current entry's score if it is at least `floor`, otherwise some score below
    /// `floor`, perhaps with the entries after it that cannot reach it either.
    fn score_reaching(&mut self, floor: Score) -> Reached;
}

impl ScoreReaching for WithBonusScorer {
    /// Where no entry without a title bonus can reach `floor`, the entries before the
    /// next one the title bonus may match (all the rest, without one) are given up on
    /// together, unscored: most hits of a frequent term (1.5 M entries, one thread:
    /// 校外培训 -双减 3.17 → 2.95 ms, 减负 1.48 → 1.27 ms, 劳动教育 3.98 → 3.84 ms, 学校
    /// 21.9 → 17.0 ms). Only with one title term: the checks of several stop at the
    /// first that rules an entry out, so the later ones have not looked ahead, and 学校
    /// 教师 课程 paid 3 % for the asking. Otherwise, where the entry's window of entries
    /// falls short of `floor`, its hits are given up on (see [`WindowBounds`]); and
    /// with several title terms, those whose titles cannot lift them to it (see
    /// [`TitleWindows`]), as are, with a hit scored short of it, the hits before the
    /// next entry whose title can and whose text can match (学校 教师 课程 at 1.5 M
    /// entries, one thread: hits asked 11.3 k → 6.7 k, −4 %). With one title term, an
    /// entry scored short of `floor` whose title was checked also gives up on the
    /// entries before the title's next possible match, where the next hit was scored
    /// as far as its title to show that (劳动教育, 减负 and 校外培训 -双减 −6 % on one
    /// thread at 1.5 M entries, 课后服务 +0–3 %); with a title left unconfirmed, before
    /// the next entry holding its rarest bigram (the titles of "义务教育 优质均衡": hits
    /// asked for a score 23.2 k → 13.7 k, 5.18 → 4.92 ms on one thread, 3.03 → 2.85 ms
    /// on two).
    /// Always inlined: when the last check made it too large to be,
    /// every scored entry paid for the call (劳动教育 +4–5 %).
    #[inline(always)]
    fn score_reaching(&mut self, floor: Score) -> Reached {
        let doc = self.doc();
        if self.checked_before_required <= 1
            && self.most_without_titles * (1.0 + ROUNDING_SLACK) < floor
        {
            // The title check looked as far as the next entry it may match.
            let next_title = self.bonuses[..self.checked_before_required]
                .first()
                .map_or(TERMINATED, |title| title.from);
            if doc < next_title {
                return Reached {
                    score: self.most_without_titles,
                    none_before: next_title,
                };
            }
        }
        if let Some(bounds) = &mut self.window_bounds {
            if let Some((most, none_before)) = bounds.short_of(doc, floor, ROUNDING_SLACK) {
                return Reached {
                    score: most,
                    none_before,
                };
            }
        }
        if let Some(titles) = &mut self.title_windows {
            let without_titles = self.most_without_titles;
            if let Some((most, none_before)) =
                titles.short_of(doc, floor, without_titles, ROUNDING_SLACK)
            {
                return Reached {
                    score: most,
                    none_before,
                };
            }
        }
        let score = self.score_if_reaching(doc, floor);
        if let Some(titles) = self.title_windows.as_mut().filter(|_| score < floor) {
            // Rather than the next hit being asked only to be given up on there, the
            // hits before the next the title windows pass on to go with this one.
            let next =
                titles.next_reachable(doc + 1, floor, self.most_without_titles, ROUNDING_SLACK);
            if next > doc + 1 {
                return Reached {
                    score,
                    none_before: next,
                };
            }
        }
        let title_checked = self.partial.filter(|partial| partial.checked >= 1);
        if self.checked_before_required == 1
            && score < floor
            && self.most_without_titles * (1.0 + ROUNDING_SLACK) < floor
        {
            if let Some(partial) = title_checked {
                // No entry without the title can reach the floor: those before the title's
                // next possible match are given up on now, rather than the next hit being
                // scored as far as its title to show it. A title checked in full is never
                // asked about this entry again, so its check may look ahead; one left
                // unconfirmed may still read this entry's positions (a later call goes on
                // from where this one stopped), so it stays, and tells what it knows.
                let title = &mut self.bonuses[0];
                let none_before = if partial.unconfirmed & 1 == 0 {
                    title.next_possible(doc + 1)
                } else {
                    title.next_candidate_after(doc)
                };
                return Reached { score, none_before };
            }
        }
        Reached::score(score)
    }
}

/// Any other scorer scores in full.
impl ScoreReaching for dyn Scorer {
    fn score_reaching(&mut self, _floor: Score) -> Reached {
        Reached::score(self.score())
    }
}

impl DocSet for WithBonusScorer {
    fn advance(&mut self) -> DocId {
        self.required.advance()
    }

    fn seek(&mut self, target: DocId) -> DocId {
        self.required.seek(target)
    }

    fn seek_danger(&mut self, target: DocId) -> SeekDangerResult {
        self.required.seek_danger(target)
    }

    fn doc(&self) -> DocId {
        self.required.doc()
    }

    fn size_hint(&self) -> u32 {
        self.required.size_hint()
    }

    fn cost(&self) -> u64 {
        self.required.cost()
    }
}

impl Scorer for WithBonusScorer {
    fn score(&mut self) -> Score {
        self.score_if_reaching(self.doc(), Score::NEG_INFINITY)
    }
}
