//! A match with a score bonus: the entries of the required query, each scored with the
//! bonus query's (boosted) score added where that query matches too, as tantivy scores
//! a required clause with an optional one. Unlike tantivy's optional clause, the bonus
//! is asked about each scored entry alone and never searched ahead for its next match:
//! a title phrase looked for ahead of the entries being scored had positions read for
//! titles of entries that were never scored, and a rare one for whole segments.

use tantivy::query::{EnableScoring, Explanation, Query, Scorer, Weight};
use tantivy::{DocId, DocSet, Score, SeekDangerResult, SegmentReader, TantivyError, Term};

use super::substring::{SubstringQuery, SubstringWeight};

/// What earns the bonus.
#[derive(Debug, Clone)]
pub enum Bonus {
    /// A term query (a bigram of the title, a whole word), scored with frequencies.
    Term(tantivy::query::TermQuery),
    /// A longer term standing together in the title.
    Substring(SubstringQuery),
}

#[derive(Debug)]
pub struct BonusQuery {
    required: Box<dyn Query>,
    bonus: Bonus,
    boost: Score,
}

impl BonusQuery {
    /// Matches `required`; adds `bonus`'s score times `boost` where it matches.
    pub fn new(required: Box<dyn Query>, bonus: Bonus, boost: Score) -> BonusQuery {
        BonusQuery {
            required,
            bonus,
            boost,
        }
    }
}

impl Clone for BonusQuery {
    fn clone(&self) -> BonusQuery {
        BonusQuery {
            required: self.required.box_clone(),
            bonus: self.bonus.clone(),
            boost: self.boost,
        }
    }
}

impl Query for BonusQuery {
    fn weight(&self, enable_scoring: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        let required = self.required.weight(enable_scoring)?;
        if !enable_scoring.is_scoring_enabled() {
            // The bonus never changes which entries match.
            return Ok(required);
        }
        let bonus = match &self.bonus {
            Bonus::Term(query) => BonusWeight::Term(query.weight(enable_scoring)?),
            Bonus::Substring(query) => {
                BonusWeight::Substring(query.substring_weight(enable_scoring)?)
            }
        };
        Ok(Box::new(WithBonusWeight {
            required,
            bonus,
            boost: self.boost,
        }))
    }

    fn query_terms<'a>(&'a self, visitor: &mut dyn FnMut(&'a Term, bool)) {
        self.required.query_terms(visitor);
        match &self.bonus {
            Bonus::Term(query) => query.query_terms(visitor),
            Bonus::Substring(query) => query.query_terms(visitor),
        }
    }
}

enum BonusWeight {
    Term(Box<dyn Weight>),
    Substring(SubstringWeight),
}

struct WithBonusWeight {
    required: Box<dyn Weight>,
    bonus: BonusWeight,
    boost: Score,
}

impl WithBonusWeight {
    /// The bonus's scorer for a segment, or none where nothing there can earn it.
    fn bonus_scorer(
        &self,
        reader: &SegmentReader,
        boost: Score,
    ) -> tantivy::Result<Option<Box<dyn Scorer>>> {
        // Boosted as tantivy's boost query boosts its inner query.
        let boost = boost * self.boost;
        Ok(match &self.bonus {
            BonusWeight::Term(weight) => Some(weight.scorer(reader, boost)?),
            BonusWeight::Substring(weight) => weight
                .unpositioned_scorer(reader, boost)?
                .map(|scorer| Box::new(scorer) as Box<dyn Scorer>),
        })
    }
}

impl Weight for WithBonusWeight {
    fn scorer(&self, reader: &SegmentReader, boost: Score) -> tantivy::Result<Box<dyn Scorer>> {
        Ok(Box::new(WithBonusScorer {
            required: self.required.scorer(reader, boost)?,
            bonus: self.bonus_scorer(reader, boost)?,
            bonus_from: 0,
            score_cache: None,
        }))
    }

    fn explain(&self, reader: &SegmentReader, doc: DocId) -> tantivy::Result<Explanation> {
        let mut scorer = self.scorer(reader, 1.0)?;
        if scorer.seek(doc) != doc {
            return Err(TantivyError::InvalidArgument(format!(
                "document #{doc} does not match"
            )));
        }
        let mut explanation = Explanation::new("With bonus", scorer.score());
        explanation.add_detail(self.required.explain(reader, doc)?);
        Ok(explanation)
    }
}

struct WithBonusScorer {
    required: Box<dyn Scorer>,
    bonus: Option<Box<dyn Scorer>>,
    /// The bonus matches no entry before this one (what its last check showed).
    bonus_from: DocId,
    /// The score of the current entry: the bonus can be checked only once per entry.
    score_cache: Option<Score>,
}

impl DocSet for WithBonusScorer {
    fn advance(&mut self) -> DocId {
        self.score_cache = None;
        self.required.advance()
    }

    fn seek(&mut self, target: DocId) -> DocId {
        self.score_cache = None;
        self.required.seek(target)
    }

    fn seek_danger(&mut self, target: DocId) -> SeekDangerResult {
        self.score_cache = None;
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
        if let Some(score) = self.score_cache {
            return score;
        }
        let doc = self.doc();
        let mut score = self.required.score();
        if let Some(bonus) = &mut self.bonus {
            // Entries are scored in increasing order, so the bonus's targets increase
            // strictly, as `seek_danger` requires.
            if doc >= self.bonus_from {
                match bonus.seek_danger(doc) {
                    SeekDangerResult::Found => {
                        score += bonus.score();
                        self.bonus_from = doc + 1;
                    }
                    SeekDangerResult::SeekLowerBound(next) => self.bonus_from = next,
                }
            }
        }
        self.score_cache = Some(score);
        score
    }
}
