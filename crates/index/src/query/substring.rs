//! A query term of two or more characters: its covering bigrams standing at their
//! offsets, as a tantivy phrase finds them, with shortcuts through the word field.
//!
//! For a term that jieba cuts as one word (劳动教育), an entry whose word field holds
//! the word, or a longer word that begins with it (校外培训机构 for 校外培训), contains
//! the term verbatim, so it matches without its bigram positions being read; reading
//! positions was most of the time of long, frequent terms. Entries that hold the
//! characters but none of the words (劳动 … 教育 apart, or cut differently by jieba) are
//! still decided by positions, so the match set is exactly the phrase's.
//! The title has its own word field for this. Other terms, and a field without words
//! (the title of an index built before it had them), are decided by positions alone.
//!
//! A term jieba cuts into several words (义务教育优质均衡: 义务教育 优质均衡) is decided,
//! in an entry that has each word as often as a bigram inside it, by that bigram's
//! positions a word rather than every covering bigram's (see [`Piece`]): all 56 k
//! entries holding that phrase in the 1.5 M-entry benchmark, 48 k of them with each
//! word once.
//!
//! The term's other bigrams narrow the candidates too, not only the covering ones whose
//! positions are read (those that can rule candidates out, see `compile`): 课后服务 is
//! covered by 课后 and 服务, which stand together in twice as many entries as 课后服务
//! does (课后延时服务); with 后服 as well, nearly every candidate holds the word. A
//! seek costs far less than the positions of a candidate that turns out not to match.
//!
//! As a score bonus (see [`super::bonus`]) the query is only ever asked whether one
//! entry holds the term, never to find the next that does, so its scorer can start
//! without looking for a first match: a term that no title of a segment holds, while
//! many titles hold its bigrams, would otherwise have every such title's positions
//! read each time a scorer is opened. A candidate's positions are read there only if
//! the entry can reach the page with the most the term can score in it
//! ([`SubstringScorer::candidate_bound`]).

use std::ops::Range;
use std::sync::Arc;

use tantivy::fieldnorm::FieldNormReader;
use tantivy::postings::{Postings, SegmentPostings};
use tantivy::query::{Bm25Weight, EmptyScorer, EnableScoring, Explanation, Query, Scorer, Weight};
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::{
    DocId, DocSet, Score, SeekDangerResult, SegmentReader, TantivyError, Term, TERMINATED,
};

use super::fieldnorms;
use super::postings::{FieldFilesCache, TermPostings};
use crate::analysis::grams::bigrams;

#[derive(Debug, Clone)]
pub struct SubstringQuery {
    /// The covering bigrams, each with its character offset in the term: their
    /// positions decide an entry the word field does not.
    bigrams: Vec<(usize, Term)>,
    /// The term's other bigrams that can rule candidates out, each with its offset: an
    /// entry must hold them, and where a covering bigram is in most entries of a
    /// segment, their positions are checked before it is sought (see
    /// [`SubstringScorer::next_match`]).
    narrowing: Vec<(usize, Term)>,
    /// The term as a word of the word field, and the longer words that begin with it;
    /// none if the field has no words or jieba does not cut the term as one.
    words: Vec<Term>,
    /// For a term jieba cuts into several words, each word (of the word field) with the
    /// offset in the term of a covering bigram inside it (see [`Piece`]); none otherwise.
    pieces: Vec<(usize, Term)>,
    /// Where the covering bigrams' positions are read.
    files: Arc<FieldFilesCache>,
}

impl SubstringQuery {
    /// `bigrams` must hold at least two terms, all of one field indexed with positions;
    /// `narrowing`, the term's other bigrams of that field (repeats of the covering
    /// ones are dropped), each also with its offset; `words`, words of the word field
    /// of the same text any of which proves an entry holds the term (none, if none
    /// does); `files`, the index's.
    pub fn new(
        bigrams: Vec<(usize, Term)>,
        narrowing: Vec<(usize, Term)>,
        words: Vec<Term>,
        files: Arc<FieldFilesCache>,
    ) -> SubstringQuery {
        debug_assert!(bigrams.len() >= 2);
        let mut narrowing = narrowing;
        narrowing.retain(|(_, term)| bigrams.iter().all(|(_, covering)| covering != term));
        // A bigram twice in the term is sought once, at its first offset.
        narrowing.sort_by(|a, b| a.1.cmp(&b.1).then(a.0.cmp(&b.0)));
        narrowing.dedup_by(|later, first| later.1 == first.1);
        SubstringQuery {
            bigrams,
            narrowing,
            words,
            pieces: Vec::new(),
            files,
        }
    }

    /// The term as the words jieba cuts it into, in order, each of the word field with
    /// the offset of a covering bigram that lies inside it: where an entry has each
    /// word as often as that bigram, the bigrams' positions alone decide it (see
    /// [`Piece`]). Kept only if there are two or more and each offset is a covering
    /// bigram's that stands once in its word.
    pub fn with_pieces(mut self, pieces: Vec<(usize, Term)>) -> SubstringQuery {
        let once_in_word = |(at, word): &(usize, Term)| {
            let Some((_, bigram)) = self.bigrams.iter().find(|(offset, _)| offset == at) else {
                return false;
            };
            let (bigram, word) = (bigram.value(), word.value());
            let (Some(bigram), Some(word)) = (bigram.as_str(), word.as_str()) else {
                return false;
            };
            bigrams(word).iter().filter(|&g| g == bigram).count() == 1
        };
        if pieces.len() >= 2 && pieces.iter().all(once_in_word) {
            self.pieces = pieces;
        }
        self
    }

    fn field(&self) -> Field {
        self.bigrams[0].1.field()
    }

    /// Every bigram an entry holding the term must hold: the covering and narrowing ones.
    pub(super) fn needed_bigrams(&self) -> impl Iterator<Item = &Term> {
        (self.bigrams.iter())
            .chain(&self.narrowing)
            .map(|(_, term)| term)
    }

    /// The terms it is scored by, as one BM25 weight: the covering bigrams.
    pub(crate) fn scored_by(&self) -> Vec<Term> {
        self.bigrams.iter().map(|(_, term)| term.clone()).collect()
    }

    pub(super) fn substring_weight(
        &self,
        enable_scoring: EnableScoring<'_>,
    ) -> tantivy::Result<SubstringWeight> {
        let terms = self.scored_by();
        if terms.is_empty() {
            return Err(TantivyError::InvalidArgument(
                "a substring query needs bigrams".into(),
            ));
        }
        // Scored like tantivy's phrase query: the sum of the bigrams' idf, the phrase count as tf.
        let bm25 = match enable_scoring {
            EnableScoring::Enabled {
                statistics_provider,
                ..
            } => Some(Bm25Weight::for_terms(statistics_provider, &terms)?),
            EnableScoring::Disabled { .. } => None,
        };
        Ok(SubstringWeight {
            query: self.clone(),
            bm25,
        })
    }
}

impl Query for SubstringQuery {
    fn weight(&self, enable_scoring: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        Ok(Box::new(self.substring_weight(enable_scoring)?))
    }

    fn query_terms<'a>(&'a self, visitor: &mut dyn FnMut(&'a Term, bool)) {
        for (_, term) in &self.bigrams {
            visitor(term, true);
        }
        for (_, term) in &self.narrowing {
            visitor(term, false);
        }
    }
}

pub(super) struct SubstringWeight {
    query: SubstringQuery,
    bm25: Option<Bm25Weight>,
}

impl SubstringWeight {
    /// The terms it is scored by, as one BM25 weight: the covering bigrams.
    pub(super) fn scored_by(&self) -> Vec<Term> {
        self.query.scored_by()
    }

    /// A scorer on the first entry that holds the term.
    fn substring_scorer(
        &self,
        reader: &SegmentReader,
        boost: Score,
    ) -> tantivy::Result<Option<SubstringScorer>> {
        let Some(mut scorer) = self.unpositioned_scorer(reader, boost)? else {
            return Ok(None);
        };
        let first = scorer.lists[0].doc();
        scorer.doc = scorer.next_match(first);
        Ok(Some(scorer))
    }

    /// A scorer not yet on a match, to be asked only through `seek_danger` (which
    /// decides its target alone) until that finds one.
    pub(super) fn unpositioned_scorer(
        &self,
        reader: &SegmentReader,
        boost: Score,
    ) -> tantivy::Result<Option<SubstringScorer>> {
        let field = self.query.field();
        let Some(files) = self.query.files.get(reader, field)? else {
            return Ok(None);
        };
        let max_offset = (self.query.bigrams.iter())
            .chain(&self.query.narrowing)
            .map(|&(at, _)| at)
            .max()
            .unwrap_or(0);
        // Shifted so that the bigrams of one occurrence share a position.
        let shift = |at: usize| (max_offset - at) as u32;
        let common = reader.max_doc() / 2;
        let mut lists = Vec::with_capacity(self.query.bigrams.len() + self.query.narrowing.len());
        for (at, term) in &self.query.bigrams {
            let Some(postings) = TermPostings::open(reader, term, Some(&files))? else {
                return Ok(None);
            };
            lists.push((Role::Covering(shift(*at)), postings));
        }
        // Where a covering bigram is in most entries (教育 in 劳动教育), a candidate's
        // other bigrams standing in a row rule it out before that one is sought.
        let checked_first = lists
            .iter()
            .any(|(_, postings)| postings.doc_freq() > common);
        for (at, term) in &self.query.narrowing {
            let files = checked_first.then_some(&files);
            let Some(postings) = TermPostings::open(reader, term, files)? else {
                return Ok(None);
            };
            let role = match checked_first {
                true => Role::CheckedFirst(shift(*at)),
                false => Role::Sought,
            };
            lists.push((role, postings));
        }
        // The rarest bigram leads; the others are sought.
        lists.sort_by_key(|(_, postings)| postings.doc_freq());
        // Those in most entries come last.
        let sparse = lists
            .iter()
            .take_while(|(_, postings)| postings.doc_freq() <= common)
            .count()
            .max(1);
        let placed = |keep: fn(&Role) -> Option<u32>| -> Vec<(usize, u32)> {
            (lists.iter().enumerate())
                .filter_map(|(at, (role, _))| keep(role).map(|shift| (at, shift)))
                .collect()
        };
        let covering = placed(|role| match role {
            Role::Covering(shift) => Some(*shift),
            _ => None,
        });
        let in_a_row = placed(|role| match role {
            Role::Covering(shift) | Role::CheckedFirst(shift) => Some(*shift),
            Role::Sought => None,
        });
        let checked_early = in_a_row.iter().take_while(|&&(at, _)| at < sparse).count();
        let lists: Vec<TermPostings> = lists.into_iter().map(|(_, postings)| postings).collect();
        let word_record = if self.bm25.is_some() {
            IndexRecordOption::WithFreqs
        } else {
            IndexRecordOption::Basic
        };
        let mut words = Vec::with_capacity(self.query.words.len());
        for word in &self.query.words {
            let index = reader.inverted_index(word.field())?;
            words.extend(index.read_postings(word, word_record)?);
        }
        let pieces = self.pieces(reader, &covering, sparse, shift)?;
        let fieldnorms = match self.bm25 {
            Some(_) => fieldnorms(reader, field)?,
            None => FieldNormReader::constant(reader.max_doc(), 1),
        };
        Ok(Some(SubstringScorer {
            lists,
            sparse,
            covering: covering.len(),
            in_a_row,
            checked_early,
            words,
            pieces,
            doc: 0,
            phrase_count: Some(0),
            bm25: self.bm25.as_ref().map(|w| w.boost_by(boost)),
            fieldnorms,
            left: Vec::new(),
            right: Vec::new(),
        }))
    }

    /// The term's pieces in a segment: none unless each word is in some entry of it and
    /// each piece's bigram is among the `sparse` first lists (seeking one in most
    /// entries for every candidate would cost more than its positions save).
    fn pieces(
        &self,
        reader: &SegmentReader,
        covering: &[(usize, u32)],
        sparse: usize,
        shift: impl Fn(usize) -> u32,
    ) -> tantivy::Result<Vec<Piece>> {
        let mut pieces = Vec::with_capacity(self.query.pieces.len());
        for (at, word) in &self.query.pieces {
            let shift = shift(*at);
            let list = covering
                .iter()
                .find(|&&(_, s)| s == shift)
                .map(|&(list, _)| list);
            let Some(list) = list.filter(|&list| list < sparse) else {
                return Ok(Vec::new());
            };
            let index = reader.inverted_index(word.field())?;
            // With frequencies: a word standing as often as its bigram holds all of it.
            let Some(word) = index.read_postings(word, IndexRecordOption::WithFreqs)? else {
                return Ok(Vec::new());
            };
            pieces.push(Piece { word, list, shift });
        }
        Ok(pieces)
    }
}

impl Weight for SubstringWeight {
    fn scorer(&self, reader: &SegmentReader, boost: Score) -> tantivy::Result<Box<dyn Scorer>> {
        Ok(match self.substring_scorer(reader, boost)? {
            Some(scorer) => Box::new(scorer),
            None => Box::new(EmptyScorer),
        })
    }

    fn explain(&self, reader: &SegmentReader, doc: DocId) -> tantivy::Result<Explanation> {
        let not_found = || TantivyError::InvalidArgument(format!("document #{doc} does not match"));
        let mut scorer = self.substring_scorer(reader, 1.0)?.ok_or_else(not_found)?;
        if scorer.seek(doc) != doc {
            return Err(not_found());
        }
        let mut explanation = Explanation::new("Substring scorer", scorer.score());
        if let Some(bm25) = &self.bm25 {
            let fieldnorm_id = scorer.fieldnorms.fieldnorm_id(doc);
            let occurrences = scorer.occurrences();
            explanation.add_detail(bm25.explain(fieldnorm_id, occurrences));
        }
        Ok(explanation)
    }
}

/// What a bigram's postings are for in a scorer.
enum Role {
    /// Its positions decide a match: with the others, it covers every character.
    Covering(u32),
    /// Its positions are checked, with the sparse covering ones, before a covering
    /// bigram in most entries is sought.
    CheckedFirst(u32),
    /// It is sought only.
    Sought,
}

/// A word of a term cut into several (义务教育 of 义务教育优质均衡) and a covering bigram
/// that stands once inside it (义务). Each occurrence of the word holds the bigram at
/// the same place in it, and jieba's words never overlap, so in an entry where the
/// bigram stands as often as the word (once, where the word is there and the bigram
/// once), every occurrence of the bigram is the word's, and the bigram's positions are
/// the word's. Where every piece of the term stands so, the term stands wherever the
/// pieces' bigrams line up, and there only: their positions alone decide it, one
/// bigram's a piece instead of all the covering ones'.
struct Piece {
    word: SegmentPostings,
    /// The bigram's place in the scorer's lists, and the shift of its positions.
    list: usize,
    shift: u32,
}

/// What a term's pieces say of a candidate (see [`SubstringScorer::decide_by_pieces`]).
enum PieceVerdict {
    Holds,
    /// No entry before this one can hold the term.
    NoneBefore(DocId),
    /// A piece's bigram stands where its word does not: positions decide.
    Undecided,
}

pub(super) struct SubstringScorer {
    /// The postings of the covering and narrowing bigrams, rarest first.
    lists: Vec<TermPostings>,
    /// How many of `lists` are in at most half the segment's entries.
    sparse: usize,
    /// How many covering bigrams the term has (what a candidate's positions cost).
    covering: usize,
    /// The bigrams whose positions are checked, as (place in `lists`, shift), in order:
    /// the covering ones, and others checked first (see [`Role::CheckedFirst`]).
    in_a_row: Vec<(usize, u32)>,
    /// How many of `in_a_row` are among the sparse lists, checked before the others
    /// are sought.
    checked_early: usize,
    /// Those of the query's words that some entry of the segment has.
    words: Vec<SegmentPostings>,
    /// The term's pieces, if it has them and the segment every piece's word.
    pieces: Vec<Piece>,
    doc: DocId,
    /// Occurrences in the current entry (at least one), as its positions counted them;
    /// none where the words decided, which count them only when the entry is scored
    /// (see [`SubstringScorer::occurrences`]).
    phrase_count: Option<u32>,
    bm25: Option<Bm25Weight>,
    fieldnorms: FieldNormReader,
    left: Vec<u32>,
    right: Vec<u32>,
}

impl SubstringScorer {
    /// The first entry at or after `candidate` that holds the term. An entry of the
    /// rarest bigram that has the word is a match without the other bigrams being
    /// sought: those of a frequent word (教育 in 劳动教育) fill most entries, and seeking
    /// them for every candidate was much of the time of matching it.
    ///
    /// Bigrams in most entries are sought last, only for an entry that holds every
    /// other bigram and not the word: 劳动 … 动教 apart led to the next entry holding
    /// both, nearly always one with the word, and seeking 教育 there first decoded a
    /// block of its postings for each.
    fn next_match(&mut self, mut candidate: DocId) -> DocId {
        loop {
            candidate = self.lists[0].seek(candidate);
            if candidate == TERMINATED || self.holds_word(candidate) {
                return candidate;
            }
            match self.decide_by_pieces(candidate) {
                PieceVerdict::Holds => return candidate,
                PieceVerdict::NoneBefore(doc) => {
                    candidate = doc;
                    continue;
                }
                PieceVerdict::Undecided => {}
            }
            // First the bigrams in at most half the entries, and their positions; then
            // all of them.
            let mut held_from = self.seek_others(candidate, self.sparse);
            if held_from == candidate {
                if !self.in_a_row(0..self.checked_early) {
                    candidate = self.lists[0].advance();
                    continue;
                }
                held_from = self.seek_others(candidate, self.lists.len());
            }
            if held_from != candidate {
                // No entry before `held_from` holds every bigram: the rarest is sought
                // there, and the entry it stands on may have the word.
                candidate = held_from;
                continue;
            }
            if self.in_a_row(self.checked_early..self.in_a_row.len()) {
                self.phrase_count = Some(self.left.len() as u32);
                return candidate;
            }
            candidate = self.lists[0].advance();
        }
    }

    /// Seeks the lists after the rarest, up to `lists`, to `candidate`, on which the
    /// rarest stands: `candidate` if they all hold it; otherwise the first entry past it
    /// where one of them stands, where the rarest is sought again (and the word checked
    /// first) rather than every list being sought until they agree.
    fn seek_others(&mut self, candidate: DocId, lists: usize) -> DocId {
        debug_assert_eq!(self.lists[0].doc(), candidate);
        for postings in &mut self.lists[1..lists] {
            let doc = postings.seek(candidate);
            if doc > candidate {
                return doc;
            }
        }
        candidate
    }

    /// Whether `doc` has the term, or a word beginning with it, as a word of the word
    /// field (and so holds it). The first such word decides: the others are sought
    /// for their frequencies only if the entry is scored, which most are not.
    fn holds_word(&mut self, doc: DocId) -> bool {
        let holds = self
            .words
            .iter_mut()
            .any(|word| seek_forward(word, doc) == doc);
        if holds {
            self.phrase_count = None;
        }
        holds
    }

    /// Decides `candidate`, on which the rarest bigram stands, by the term's pieces if
    /// it has them and each word stands in it as often as its bigram (see [`Piece`]).
    /// Inlined, so that a term without pieces pays no call for each candidate.
    #[inline(always)]
    fn decide_by_pieces(&mut self, candidate: DocId) -> PieceVerdict {
        if self.pieces.is_empty() {
            return PieceVerdict::Undecided;
        }
        self.decide_by_each_piece(candidate)
    }

    /// As [`Self::decide_by_pieces`], for a term with pieces: their bigrams are sought
    /// first, then the words, whose frequencies are read only where a bigram stands
    /// more than once (a word there, with its bigram once, stands once).
    fn decide_by_each_piece(&mut self, candidate: DocId) -> PieceVerdict {
        let SubstringScorer {
            lists,
            pieces,
            left,
            right,
            ..
        } = self;
        let mut once = true;
        for piece in pieces.iter() {
            let postings = &mut lists[piece.list];
            let doc = postings.seek(candidate);
            if doc != candidate {
                return PieceVerdict::NoneBefore(doc);
            }
            once &= postings.term_freq() == 1;
        }
        for piece in pieces.iter_mut() {
            if seek_forward(&mut piece.word, candidate) != candidate
                || (!once && piece.word.term_freq() != lists[piece.list].term_freq())
            {
                return PieceVerdict::Undecided;
            }
        }
        if once {
            // Each piece's bigram shifted to where the term would start.
            let mut start = None;
            for piece in pieces.iter() {
                lists[piece.list].positions_with_offset(piece.shift, left);
                let [at] = left.as_slice() else {
                    // Corrupt positions: the covering bigrams decide.
                    return PieceVerdict::Undecided;
                };
                if start.is_some_and(|start| start != *at) {
                    return PieceVerdict::NoneBefore(candidate + 1);
                }
                start = Some(*at);
            }
            self.phrase_count = Some(1);
            return PieceVerdict::Holds;
        }
        // Where the term would start, by each piece's bigram: the words' places.
        for (at, piece) in pieces.iter().enumerate() {
            let into = if at == 0 { &mut *left } else { &mut *right };
            let list = &mut lists[piece.list];
            list.positions_with_offset(piece.shift, into);
            if into.len() != list.term_freq() as usize {
                // Corrupt positions: the covering bigrams decide.
                return PieceVerdict::Undecided;
            }
            if at > 0 {
                keep_common(left, right);
            }
            if left.is_empty() {
                return PieceVerdict::NoneBefore(candidate + 1);
            }
        }
        self.phrase_count = Some(left.len() as u32);
        PieceVerdict::Holds
    }

    /// How often the current entry holds the term: where the words decided, how often
    /// it has them all together.
    fn occurrences(&mut self) -> u32 {
        if let Some(count) = self.phrase_count {
            return count;
        }
        let doc = self.doc;
        self.words
            .iter_mut()
            .filter_map(|word| (seek_forward(word, doc) == doc).then(|| word.term_freq().max(1)))
            .sum()
    }

    /// Whether the entry every list stands on holds the covering bigrams in a row.
    fn holds_in_a_row(&mut self) -> bool {
        match self.decide_by_pieces(self.lists[0].doc()) {
            PieceVerdict::Holds => return true,
            PieceVerdict::NoneBefore(_) => return false,
            PieceVerdict::Undecided => {}
        }
        let holds = self.in_a_row(0..self.in_a_row.len());
        if holds {
            self.phrase_count = Some(self.left.len() as u32);
        }
        holds
    }

    /// Whether the bigrams `checks` of `in_a_row` stand in a row where their lists
    /// stand (and those before them, if the range does not start at 0: it goes on
    /// from the positions in `left`).
    #[inline(always)]
    fn in_a_row(&mut self, checks: Range<usize>) -> bool {
        let from_start = checks.start == 0;
        let SubstringScorer {
            in_a_row,
            lists,
            left,
            right,
            ..
        } = self;
        let mut checks = in_a_row[checks].iter();
        if from_start {
            let Some(&(at, shift)) = checks.next() else {
                return true;
            };
            // Never empty: the list stands on the entry.
            lists[at].positions_with_offset(shift, left);
        }
        for &(at, shift) in checks {
            lists[at].positions_with_offset(shift, right);
            keep_common(left, right);
            if left.is_empty() {
                return false;
            }
        }
        true
    }
}

/// Postings may only be sought forwards; one already past `target` stays where it is.
fn seek_forward(postings: &mut SegmentPostings, target: DocId) -> DocId {
    if postings.doc() < target {
        postings.seek(target)
    } else {
        postings.doc()
    }
}

/// Keeps in `left` the values also in `right`; both sorted.
fn keep_common(left: &mut Vec<u32>, right: &[u32]) {
    let mut kept = 0;
    let mut j = 0;
    for i in 0..left.len() {
        let value = left[i];
        while j < right.len() && right[j] < value {
            j += 1;
        }
        if j < right.len() && right[j] == value {
            left[kept] = value;
            kept += 1;
        }
    }
    left.truncate(kept);
}

impl DocSet for SubstringScorer {
    fn advance(&mut self) -> DocId {
        if self.doc == TERMINATED {
            return TERMINATED;
        }
        // A match found through the word alone leaves the rarest bigram behind it.
        let lead = &mut self.lists[0];
        let next = if lead.doc() == self.doc {
            lead.advance()
        } else {
            (self.doc + 1).max(lead.doc())
        };
        self.doc = self.next_match(next);
        self.doc
    }

    fn seek(&mut self, target: DocId) -> DocId {
        if target <= self.doc {
            return self.doc;
        }
        self.doc = self.next_match(target);
        self.doc
    }

    /// Decides `target` alone instead of scanning on to the next match: in a conjunction
    /// the other clauses usually rule the next candidates out more cheaply.
    fn seek_danger(&mut self, target: DocId) -> SeekDangerResult {
        match self.approximate(target) {
            Approximation::Holds => SeekDangerResult::Found,
            // No match before the next entry holding this bigram.
            Approximation::NoneBefore(doc) => SeekDangerResult::SeekLowerBound(doc),
            Approximation::Candidate if self.confirm(target) => SeekDangerResult::Found,
            Approximation::Candidate => SeekDangerResult::SeekLowerBound(target + 1),
        }
    }

    fn doc(&self) -> DocId {
        self.doc
    }

    fn size_hint(&self) -> u32 {
        // As tantivy's phrase scorer estimates: far fewer entries hold the phrase than its bigrams.
        self.lists[0].doc_freq() / (10 * self.covering as u32)
    }

    fn cost(&self) -> u64 {
        // Deciding a candidate may read positions: drive cheaper clauses first.
        self.lists[0].doc_freq() as u64 * 10 * self.covering as u64
    }
}

/// What a term's cheap checks say of an entry (see [`SubstringScorer::approximate`]).
pub(super) enum Approximation {
    /// The entry holds the term.
    Holds,
    /// The entry holds every bigram (or, as a bonus sees it, the rarest): its positions
    /// decide ([`SubstringScorer::confirm`]).
    Candidate,
    /// No entry before this one can hold the term.
    NoneBefore(DocId),
}

impl SubstringScorer {
    /// Checks `target` without reading positions: by the word, else by whether every
    /// bigram is there. Targets must rise from call to call, as for `seek_danger`.
    pub(super) fn approximate(&mut self, target: DocId) -> Approximation {
        let by_rarest = self.approximate_by_rarest(target);
        if !matches!(by_rarest, Approximation::Candidate) {
            return by_rarest;
        }
        for postings in &mut self.lists[1..] {
            let doc = postings.seek(target);
            if doc > target {
                return Approximation::NoneBefore(doc);
            }
        }
        Approximation::Candidate
    }

    /// As [`SubstringScorer::approximate`], with only the rarest bigram sought: for a
    /// bonus, whose candidates are confirmed only if the entry can reach the page. The
    /// titles of "义务教育 优质均衡" hold its seven bigrams together or not at all, nearly:
    /// each of the 23 k that hold its rarest had all of them sought, to find a bound
    /// the rarest gives alone.
    pub(super) fn approximate_by_rarest(&mut self, target: DocId) -> Approximation {
        if target >= TERMINATED {
            return Approximation::NoneBefore(TERMINATED);
        }
        if self.holds_word(target) {
            self.doc = target;
            return Approximation::Holds;
        }
        match self.lists[0].seek(target) {
            doc if doc > target => Approximation::NoneBefore(doc),
            _ => Approximation::Candidate,
        }
    }

    /// Whether the candidate `approximate` (or `approximate_by_rarest`) just left on
    /// `target` holds every bigram, in a row.
    pub(super) fn confirm(&mut self, target: DocId) -> bool {
        if (self.lists.iter_mut()).any(|postings| postings.seek(target) != target) {
            return false;
        }
        let holds = self.holds_in_a_row();
        if holds {
            self.doc = target;
        }
        holds
    }

    /// No more than the candidate `approximate` (or `approximate_by_rarest`) just left on
    /// `target` can score: the term's score as if it stood there as often as the least
    /// frequent of its bigrams sought there, which no count of its occurrences exceeds
    /// (each holds each bigram, at its own place).
    pub(super) fn candidate_bound(&self, target: DocId) -> Score {
        let Some(bm25) = &self.bm25 else {
            return 1.0;
        };
        let most_often = (self.lists.iter())
            .filter(|postings| postings.doc() == target)
            .map(TermPostings::term_freq)
            .min()
            .unwrap_or(1);
        bm25.score(self.fieldnorms.fieldnorm_id(target), most_often)
    }

    /// The next entry after `doc` holding the rarest bigram, which stands on `doc`, if
    /// its block holds it; `doc + 1` otherwise (nothing known of the entries after).
    pub(super) fn rarest_after(&self, doc: DocId) -> DocId {
        match self.lists[0].doc() == doc {
            true => self.lists[0].peek_next().unwrap_or(doc + 1),
            false => doc + 1,
        }
    }

    /// How an entry's occurrences are scored; none without scoring.
    pub(super) fn bm25(&self) -> Option<&Bm25Weight> {
        self.bm25.as_ref()
    }

    /// No entry scores more (1 without scoring).
    pub(super) fn max_score(&self) -> Score {
        self.bm25.as_ref().map_or(1.0, Bm25Weight::max_score)
    }
}

impl Scorer for SubstringScorer {
    fn score(&mut self) -> Score {
        if self.bm25.is_none() {
            return 1.0;
        }
        let occurrences = self.occurrences();
        let length = self.fieldnorms.fieldnorm_id(self.doc);
        self.bm25
            .as_ref()
            .map_or(1.0, |bm25| bm25.score(length, occurrences))
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use tantivy::schema::Field;
    use tantivy::Term;

    use super::{keep_common, SubstringQuery};

    #[test]
    fn a_piece_through_a_bigram_twice_in_its_word_is_not_kept() {
        // 研究研究成果, cut as 研究研究 成果: 研究 stands twice in its word, so where the
        // word stands as often as 研究 not every 研究 need be the word's.
        let term = |text: &str| Term::from_field_text(Field::from_field_id(0), text);
        let covering = vec![
            (0, term("研究")),
            (1, term("究研")),
            (2, term("研究")),
            (4, term("成果")),
        ];
        let with_pieces = |pieces: [(usize, &str); 2]| {
            let pieces = pieces.map(|(at, word)| (at, term(word))).to_vec();
            SubstringQuery::new(covering.clone(), vec![], vec![], Arc::default())
                .with_pieces(pieces)
                .pieces
        };
        assert_eq!(with_pieces([(1, "研究研究"), (4, "成果")]).len(), 2);
        assert!(with_pieces([(0, "研究研究"), (4, "成果")]).is_empty());
        assert!(with_pieces([(3, "研究研究"), (4, "成果")]).is_empty());
    }

    #[test]
    fn keep_common_intersects_sorted_lists() {
        let mut left = vec![1, 4, 7, 9, 12];
        keep_common(&mut left, &[0, 4, 5, 9, 13]);
        assert_eq!(left, [4, 9]);
        let mut left = vec![3];
        keep_common(&mut left, &[]);
        assert!(left.is_empty());
    }
}
