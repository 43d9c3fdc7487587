//! Turning a parsed query and the request's filters into tantivy queries.
//!
//! A term matches where its characters stand together: one character is a term of the
//! unigram field, two or more a phrase of consecutive bigrams. Title and whole-word
//! (jieba) matches are score bonuses (see `bonus`): they raise the score, never the match set.

use std::collections::BTreeMap;
use std::ops::Bound;
use std::sync::Arc;

use edusearch_divisions::Divisions;
use jieba_rs::Jieba;
use tantivy::query::{
    AllQuery, BooleanQuery, ConstScoreQuery, Occur, Query, RangeQuery, TermQuery,
};
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::{Searcher, TantivyError, Term};

use super::all_terms::AllTermsQuery;
use super::best_scores::BestScores;
use super::bonus::{Bonus, BonusQuery, Required};
use super::conjunction::ConjunctionQuery;
use super::dense_sets::DenseSets;
use super::postings::FieldFilesCache;
use super::substring::SubstringQuery;
use super::syntax::ParsedQuery;
use crate::analysis::grams::bigrams;
use crate::analysis::words::whole_words;
use crate::error::{RegionCandidate, SearchError};
use crate::request::{SearchRequest, YearFilter};
use crate::schema::{Fields, UNKNOWN, UNKNOWN_YEAR};

const TITLE_BOOST: f32 = 2.0;
const WORD_BOOST: f32 = 0.5;

/// Longer words beginning with a term through which entries are found to hold it, at
/// most: each is sought for every candidate of the term.
const MAX_LONGER_WORDS: usize = 8;

/// Which filter a facet count leaves out (disjunctive facets).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dimension {
    Region,
    Year,
    Unit,
}

/// The query of a request, in parts, so that facet counts can drop one filter.
pub struct CompiledQuery {
    text: Option<Box<dyn Query>>,
    region: Option<Box<dyn Query>>,
    year: Option<Box<dyn Query>>,
    unit: Option<Box<dyn Query>>,
    /// Selected region codes (0 = unknown), years and units, for marking facet values.
    pub selected_regions: Vec<u64>,
    pub selected_years: Vec<YearFilter>,
    pub selected_units: Vec<String>,
    /// Normalized terms to mark in snippets.
    pub marked_terms: Vec<String>,
}

impl CompiledQuery {
    pub fn has_text(&self) -> bool {
        self.text.is_some()
    }
    pub fn has_filter(&self, dimension: Dimension) -> bool {
        match dimension {
            Dimension::Region => self.region.is_some(),
            Dimension::Year => self.year.is_some(),
            Dimension::Unit => self.unit.is_some(),
        }
    }

    /// The text query alone (everything when there is none).
    pub fn without_filters(&self) -> Box<dyn Query> {
        self.without_all(&[Dimension::Region, Dimension::Year, Dimension::Unit])
    }

    /// How many dimensions have a filter.
    pub fn filter_count(&self) -> usize {
        [Dimension::Region, Dimension::Year, Dimension::Unit]
            .into_iter()
            .filter(|&d| self.has_filter(d))
            .count()
    }

    /// The query without the filters of `skip`.
    pub fn without_all(&self, skip: &[Dimension]) -> Box<dyn Query> {
        let mut clauses: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        if let Some(text) = &self.text {
            clauses.push((Occur::Must, text.box_clone()));
        }
        for (dimension, filter) in [
            (Dimension::Region, &self.region),
            (Dimension::Year, &self.year),
            (Dimension::Unit, &self.unit),
        ] {
            if skip.contains(&dimension) {
                continue;
            }
            if let Some(filter) = filter {
                clauses.push((
                    Occur::Must,
                    Box::new(ConstScoreQuery::new(filter.box_clone(), 0.0)),
                ));
            }
        }
        match clauses.len() {
            0 => Box::new(AllQuery),
            1 if self.text.is_some() && clauses[0].0 == Occur::Must => clauses
                .pop()
                .map(|c| c.1)
                .unwrap_or_else(|| Box::new(AllQuery)),
            _ => Box::new(BooleanQuery::new(clauses)),
        }
    }
}

/// What the searches of an open index read once and keep for one another.
#[derive(Clone, Copy)]
pub struct IndexCaches<'a> {
    /// Where positions are read.
    pub files: &'a Arc<FieldFilesCache>,
    /// Where terms' best scores are.
    pub best_scores: &'a Arc<BestScores>,
    /// Where dense terms' entries are.
    pub dense_sets: &'a Arc<DenseSets>,
}

/// `searcher`: the index the query will run on, whose term statistics choose the
/// cheapest bigrams to check.
pub fn compile(
    parsed: &ParsedQuery,
    request: &SearchRequest,
    fields: &Fields,
    jieba: &Jieba,
    searcher: &Searcher,
    caches: IndexCaches<'_>,
) -> Result<CompiledQuery, SearchError> {
    let text = TextCompiler {
        fields,
        jieba,
        searcher,
        caches,
    }
    .compile(parsed)?;

    let region_values: Vec<&str> = parsed
        .regions
        .iter()
        .chain(&request.regions)
        .map(String::as_str)
        .collect();
    let mut selected_regions = Vec::new();
    for value in region_values {
        let code = resolve_region(value)?;
        if !selected_regions.contains(&code) {
            selected_regions.push(code);
        }
    }
    let region = any_of(
        selected_regions
            .iter()
            .map(|&code| term_query(Term::from_field_u64(fields.region, code)))
            .collect(),
    );

    let mut selected_years = Vec::new();
    for value in &parsed.years {
        let filter: YearFilter = value.parse()?;
        selected_years.push(filter);
    }
    selected_years.extend(request.years.iter().copied());
    let year = any_of(
        selected_years
            .iter()
            .map(|filter| year_query(fields, *filter))
            .collect(),
    );

    let mut selected_units: Vec<String> = parsed
        .units
        .iter()
        .chain(&request.units)
        .map(|u| u.trim().to_owned())
        .collect();
    selected_units.retain(|u| !u.is_empty());
    selected_units.dedup();
    let unit = any_of(
        selected_units
            .iter()
            .map(|u| term_query(Term::from_field_text(fields.unit, u)))
            .collect(),
    );

    Ok(CompiledQuery {
        text,
        region,
        year,
        unit,
        selected_regions,
        selected_years,
        selected_units,
        marked_terms: parsed.positive_terms().map(str::to_owned).collect(),
    })
}

/// Builds the text part of a query.
struct TextCompiler<'a> {
    fields: &'a Fields,
    jieba: &'a Jieba,
    searcher: &'a Searcher,
    caches: IndexCaches<'a>,
}

impl TextCompiler<'_> {
    fn compile(&self, parsed: &ParsedQuery) -> Result<Option<Box<dyn Query>>, SearchError> {
        if !parsed.has_text() {
            return Ok(None);
        }
        let mut clauses: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        // The bonuses of required terms are the whole query's: scoring then knows an
        // entry's whole score so far when it decides whether the rest can matter.
        let mut titles = Vec::new();
        let mut words = Vec::new();
        // What the match scores is a sum of, while every group is one term.
        let mut parts = Some(Vec::new());
        for group in &parsed.required {
            let query: Box<dyn Query> = match group.as_slice() {
                [term] => {
                    let scored = self.scored_term(term)?;
                    titles.extend(scored.title);
                    words.extend(scored.words);
                    if let Some(parts) = &mut parts {
                        parts.push(scored.exact.scored_by);
                    }
                    scored.exact.query
                }
                // An alternative's bonuses count only where that alternative matches.
                alternatives => {
                    parts = None;
                    Box::new(BooleanQuery::new(
                        alternatives
                            .iter()
                            .map(|term| Ok((Occur::Should, self.scored_term(term)?.on_its_own())))
                            .collect::<Result<_, SearchError>>()?,
                    ))
                }
            };
            clauses.push((Occur::Must, query));
        }
        if parsed.required.is_empty() {
            clauses.push((Occur::Must, Box::new(AllQuery)));
        }
        // Several required groups of which a substring term confirms its candidates
        // by positions: matched in two phases, positions last (see `conjunction`);
        // several terms of one bigram or character: a window at a time where they
        // are dense (see `all_terms`).
        if clauses.len() >= 2
            && clauses
                .iter()
                .any(|(_, query)| query.is::<SubstringQuery>())
        {
            let required = clauses.drain(..).map(|(_, query)| query).collect();
            clauses.push((Occur::Must, Box::new(ConjunctionQuery::new(required))));
        } else if clauses.len() >= 2 && clauses.iter().all(|(_, query)| query.is::<TermQuery>()) {
            // Scored with frequencies where the field has them, as these term queries are.
            let terms = clauses
                .drain(..)
                .filter_map(|(_, query)| query.downcast::<TermQuery>().ok())
                .map(|query| query.term().clone())
                .collect();
            let all = AllTermsQuery::new(terms).with_dense_sets(Arc::clone(self.caches.dense_sets));
            clauses.push((Occur::Must, Box::new(all)));
        }
        for term in &parsed.excluded {
            let words = whole_words(self.jieba, term);
            clauses.push((Occur::MustNot, self.exact_in_text(term, &words)?.query));
        }
        let text: Box<dyn Query> = Box::new(BooleanQuery::new(clauses));
        if titles.is_empty() && words.is_empty() {
            return Ok(Some(text));
        }
        // Titles first, even before the match's own score: they are sparse, so cheap
        // to check, and earn the most, so that after them the match and the whole-word
        // bonuses left can rarely lift an entry to the page.
        Ok(Some(Box::new(
            BonusQuery::new(
                Required { query: text, parts },
                titles
                    .into_iter()
                    .map(|title| (title, TITLE_BOOST))
                    .collect(),
                words.into_iter().map(|word| (word, WORD_BOOST)).collect(),
            )
            .with_best_scores(Arc::clone(self.caches.best_scores))
            .with_dense_sets(Arc::clone(self.caches.dense_sets)),
        )))
    }

    /// A term: must match exactly in the item text; scores more in the title and as whole words.
    fn scored_term(&self, term: &str) -> Result<ScoredTerm, SearchError> {
        let fields = self.fields;
        let words = whole_words(self.jieba, term);
        let title = if term.chars().count() >= 2 {
            Some(self.in_title(term, &words)?)
        } else {
            None
        };
        let word_bonuses = words
            .iter()
            .map(|word| {
                Bonus::Term(TermQuery::new(
                    Term::from_field_text(fields.text_words, word),
                    IndexRecordOption::WithFreqs,
                ))
            })
            .collect();
        Ok(ScoredTerm {
            exact: self.exact_in_text(term, &words)?,
            title,
            words: word_bonuses,
        })
    }

    /// The title bonus of a term of two or more characters: where they stand together
    /// in the title (`words`: how jieba cuts the term).
    fn in_title(&self, term: &str, words: &[String]) -> Result<Bonus, SearchError> {
        let field = self.fields.title_bigrams;
        let grams = bigrams(term);
        Ok(match grams.as_slice() {
            [gram] => Bonus::Term(TermQuery::new(
                Term::from_field_text(field, gram),
                IndexRecordOption::WithFreqs,
            )),
            _ => {
                let (covering, narrowing, _) = self.covering(&grams, field)?;
                // A title with the term as a word (or a longer one beginning with it)
                // holds it: none of its bigrams need be sought, nor their positions read.
                // 劳动教育, held by 15 k titles at 1.5 M entries: 3.0 → 2.35 ms on two
                // threads.
                let as_words = match self.fields.title_words {
                    Some(title_words) => self.as_words(term, words, title_words)?,
                    None => Vec::new(),
                };
                Bonus::Substring(SubstringQuery::new(
                    covering,
                    narrowing,
                    as_words,
                    Arc::clone(self.caches.files),
                ))
            }
        })
    }

    /// Matches exactly where the term's characters stand together in the search text
    /// (`words`: how jieba cuts the term).
    fn exact_in_text(&self, term: &str, words: &[String]) -> Result<Exact, SearchError> {
        let fields = self.fields;
        let grams = bigrams(term);
        let single = |term: Term, record: IndexRecordOption| Exact {
            query: Box::new(TermQuery::new(term.clone(), record)),
            scored_by: vec![term],
        };
        Ok(match grams.as_slice() {
            [] => single(
                Term::from_field_text(fields.text_chars, term),
                IndexRecordOption::Basic,
            ),
            [gram] => single(
                Term::from_field_text(fields.text_bigrams, gram),
                IndexRecordOption::WithFreqs,
            ),
            _ => {
                // A term jieba cuts as one word is found without positions where the
                // text has that word, or a longer one beginning with it.
                let as_words = self.as_words(term, words, fields.text_words)?;
                let (covering, narrowing, doc_freqs) =
                    self.covering(&grams, fields.text_bigrams)?;
                // A term jieba cuts into several words is decided, where each word
                // stands as often as a bigram inside it, by that bigram's positions a
                // word: "义务教育 优质均衡" at 1.5 M entries, 8.2 → 6.7 ms on one thread
                // with each word once, 7.3 → 5.7 ms with each as often as its bigram
                // (4.0 → 3.2 ms on two threads).
                let chosen: Vec<usize> = covering.iter().map(|&(at, _)| at).collect();
                let pieces = word_pieces(term, words, &chosen, &doc_freqs)
                    .into_iter()
                    .map(|(at, word)| (at, Term::from_field_text(fields.text_words, word)))
                    .collect();
                let query = SubstringQuery::new(
                    covering,
                    narrowing,
                    as_words,
                    Arc::clone(self.caches.files),
                )
                .with_pieces(pieces);
                Exact {
                    scored_by: query.scored_by(),
                    query: Box::new(query),
                }
            }
        })
    }

    /// If jieba cuts `term` as one word (`words`), the words of `field` that prove an
    /// entry holds the term: the term itself, and the index's words that begin with it
    /// (校外培训机构 for 校外培训, which three in four entries holding 校外培训 have; an
    /// entry with only the longer word had its positions read). Of the longer words, at
    /// most [`MAX_LONGER_WORDS`], the most frequent: an entry with one left out is still
    /// decided by positions. 校外培训 -双减 at 1.5 M entries: 3.7 → 2.1 ms on two threads.
    fn as_words(
        &self,
        term: &str,
        words: &[String],
        field: Field,
    ) -> Result<Vec<Term>, SearchError> {
        if !matches!(words, [word] if word == term) {
            return Ok(Vec::new());
        }
        // Every word beginning with the term sorts in [term, term + 0xFF): no UTF-8
        // string holds the byte 0xFF.
        let mut end = term.as_bytes().to_vec();
        end.push(0xFF);
        // Chosen over the whole index, so that an entry scores the same in any segment.
        let mut longer: BTreeMap<String, u64> = BTreeMap::new();
        for segment in self.searcher.segment_readers() {
            let index = segment.inverted_index(field)?;
            let mut stream = index
                .terms()
                .range()
                .gt(term)
                .lt(&end)
                .into_stream()
                .map_err(TantivyError::from)?;
            while stream.advance() {
                if let Ok(word) = std::str::from_utf8(stream.key()) {
                    *longer.entry(word.to_owned()).or_default() +=
                        u64::from(stream.value().doc_freq);
                }
            }
        }
        let mut longer: Vec<(String, u64)> = longer.into_iter().collect();
        longer.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        longer.truncate(MAX_LONGER_WORDS);
        Ok(std::iter::once(term)
            .chain(longer.iter().map(|(word, _)| word.as_str()))
            .map(|word| Term::from_field_text(field, word))
            .collect())
    }

    /// The bigrams of a term in `field` whose positions are checked (with their offsets
    /// in the term), the cheapest to read that cover every character; and the others
    /// that can rule candidates out (see [`narrowing_bigrams`]); and every bigram's
    /// document frequency, by its offset.
    fn covering(
        &self,
        grams: &[String],
        field: Field,
    ) -> Result<(PlacedBigrams, PlacedBigrams, Vec<u64>), SearchError> {
        let terms: Vec<Term> = grams
            .iter()
            .map(|gram| Term::from_field_text(field, gram))
            .collect();
        let doc_freqs = terms
            .iter()
            .map(|term| self.searcher.doc_freq(term))
            .collect::<tantivy::Result<Vec<u64>>>()?;
        let chosen = cheapest_covering(&doc_freqs);
        let covering = chosen.iter().map(|&at| (at, terms[at].clone())).collect();
        let narrowing = narrowing_bigrams(&doc_freqs, &chosen, self.searcher.num_docs() / 2)
            .map(|at| (at, terms[at].clone()))
            .collect();
        Ok((covering, narrowing, doc_freqs))
    }
}

/// Where a term's characters stand together in the item text.
struct Exact {
    query: Box<dyn Query>,
    /// The terms it is scored by, as one BM25 weight.
    scored_by: Vec<Term>,
}

/// A term's match and the bonuses that raise its score.
struct ScoredTerm {
    exact: Exact,
    /// Where they stand together in the title (terms of two or more characters).
    title: Option<Bonus>,
    /// Where the text has the term's words as jieba cuts them.
    words: Vec<Bonus>,
}

impl ScoredTerm {
    /// The match with its own bonuses: what it scores where it alone decides the match.
    fn on_its_own(self) -> Box<dyn Query> {
        if self.title.is_none() && self.words.is_empty() {
            return self.exact.query;
        }
        // Inside an alternative it is always scored in full (only the whole query is
        // asked about the page's floor), so its bound would never be used.
        let required = Required {
            query: self.exact.query,
            parts: None,
        };
        Box::new(BonusQuery::new(
            required,
            self.title
                .map(|title| (title, TITLE_BOOST))
                .into_iter()
                .collect(),
            self.words
                .into_iter()
                .map(|word| (word, WORD_BOOST))
                .collect(),
        ))
    }
}

/// Bigrams of a term, each with its character offset in the term.
type PlacedBigrams = Vec<(usize, Term)>;

/// The bigrams (by position in the term) to check for a term of `costs.len() + 1`
/// characters: every character covered by at least one, at the least total cost.
/// Bigram positions are consecutive, so the chosen ones standing at their offsets
/// means every character stands in place. With each bigram's document frequency as
/// its cost, a phrase is checked through its rare bigrams: 义务教育优质均衡 through
/// 义务 务教 育优 质均 均衡, never through 教育, whose positions fill most entries.
fn cheapest_covering(costs: &[u64]) -> Vec<usize> {
    let count = costs.len();
    if count == 0 {
        return Vec::new();
    }
    // best[i]: the least cost of covering characters 0..=i+1 with bigram i chosen;
    // the chosen bigram before i is i-1 or i-2 (a gap of two would skip a character).
    let mut best = vec![0u64; count];
    let mut previous = vec![None; count];
    for at in 0..count {
        let before = [at.checked_sub(1), at.checked_sub(2)]
            .into_iter()
            .flatten()
            .min_by_key(|&b| (best[b], b));
        best[at] = costs[at].saturating_add(before.map_or(0, |b| best[b]));
        // Bigram 0 must be chosen: before it there is nothing.
        previous[at] = if at == 0 { None } else { before };
    }
    let mut chosen = Vec::new();
    let mut at = Some(count - 1);
    while let Some(i) = at {
        chosen.push(i);
        at = previous[i];
    }
    chosen.reverse();
    chosen
}

/// A term jieba cuts into several `words`, each with the offset of the rarest of the
/// `chosen` (covering) bigrams that lies inside it, and only once, by the bigrams'
/// `doc_freqs`; none unless the words make up the term and each holds such a bigram.
/// (义务教育优质均衡, covered by 义务 务教 育优 质均 均衡: 义务教育 through 义务 or 务教,
/// 优质均衡 through 质均.)
fn word_pieces<'a>(
    term: &str,
    words: &'a [String],
    chosen: &[usize],
    doc_freqs: &[u64],
) -> Vec<(usize, &'a str)> {
    if words.len() < 2 || words.concat() != term {
        return Vec::new();
    }
    let grams = bigrams(term);
    let mut pieces = Vec::with_capacity(words.len());
    let mut start = 0;
    for word in words {
        // The bigrams inside the word are those from its first character to its last but one.
        let end = start + word.chars().count();
        let word_grams = bigrams(word);
        let once_in_word = |at: usize| word_grams.iter().filter(|&g| *g == grams[at]).count() == 1;
        let inside =
            (chosen.iter().copied()).filter(|&at| at >= start && at + 2 <= end && once_in_word(at));
        let Some(at) = inside.min_by_key(|&at| (doc_freqs.get(at).copied(), at)) else {
            return Vec::new();
        };
        pieces.push((at, word.as_str()));
        start = end;
    }
    pieces
}

/// Of a term's bigrams (by their document frequencies) those not `chosen` to cover it
/// that are worth seeking for each candidate:
/// - none in more than `common` entries (教育): it stands in nearly every candidate;
/// - where a covering bigram is in more than `common` entries, every other one: their
///   positions rule a candidate out before that bigram is sought (动教 for 劳动教育);
/// - otherwise only those rarer than the rarest covering bigram (后服 for 课后服务): it
///   then bounds the candidates by itself. A more frequent one, passed over by the
///   covering as dearer, nearly always stands in a candidate too (优质 where 义务 务教
///   育优 质均 均衡 stand), and seeking it for each cost 8–14 % of matching a phrase of
///   six to nine characters (1.5 M entries, 1 thread), for no candidate ruled out.
fn narrowing_bigrams<'a>(
    doc_freqs: &'a [u64],
    chosen: &'a [usize],
    common: u64,
) -> impl Iterator<Item = usize> + 'a {
    let rarest_covering = chosen.iter().map(|&at| doc_freqs[at]).min().unwrap_or(0);
    let common_covering = chosen.iter().any(|&at| doc_freqs[at] > common);
    (0..doc_freqs.len()).filter(move |at| {
        let doc_freq = doc_freqs[*at];
        !chosen.contains(at)
            && doc_freq <= common
            && (common_covering || doc_freq < rarest_covering)
    })
}

fn term_query(term: Term) -> Box<dyn Query> {
    Box::new(TermQuery::new(term, IndexRecordOption::Basic))
}

fn any_of(queries: Vec<Box<dyn Query>>) -> Option<Box<dyn Query>> {
    match queries.len() {
        0 => None,
        1 => queries.into_iter().next(),
        _ => Some(Box::new(BooleanQuery::new(
            queries.into_iter().map(|q| (Occur::Should, q)).collect(),
        ))),
    }
}

fn year_query(fields: &Fields, filter: YearFilter) -> Box<dyn Query> {
    match filter {
        YearFilter::Year(y) => term_query(Term::from_field_i64(fields.year, i64::from(y))),
        YearFilter::Unknown => term_query(Term::from_field_i64(fields.year, UNKNOWN_YEAR)),
        YearFilter::Range(from, to) => Box::new(RangeQuery::new(
            Bound::Included(Term::from_field_i64(fields.year, i64::from(from))),
            Bound::Included(Term::from_field_i64(fields.year, i64::from(to))),
        )),
    }
}

/// A region filter value: a six-digit code, `unknown`, or a name at any level.
pub fn resolve_region(value: &str) -> Result<u64, SearchError> {
    let value = value.trim();
    let divisions = Divisions::global();
    if value == "unknown" || value == "未知" {
        return Ok(UNKNOWN);
    }
    if value.len() == 6 && value.bytes().all(|b| b.is_ascii_digit()) {
        return match divisions.get(value) {
            Some(d) => d
                .code
                .parse()
                .map_err(|_| SearchError::parameter("region", format!("bad code {value}"))),
            None => Err(SearchError::parameter(
                "region",
                format!("{value} is not a division code"),
            )),
        };
    }
    let candidates = divisions.lookup(value);
    match candidates.as_slice() {
        [] => Err(SearchError::parameter(
            "region",
            format!("{value:?} is not the name or code of a province, city or county"),
        )),
        [one] => one
            .code
            .parse()
            .map_err(|_| SearchError::parameter("region", format!("bad code {}", one.code))),
        many => Err(SearchError::AmbiguousRegion {
            name: value.to_owned(),
            candidates: many
                .iter()
                .map(|d| RegionCandidate {
                    code: d.code.clone(),
                    name: region_path(&d.code),
                })
                .collect(),
        }),
    }
}

/// "福建省 厦门市 海沧区" for a code.
pub fn region_path(code: &str) -> String {
    Divisions::global()
        .chain(code)
        .map(|chain| {
            [chain.province, chain.city, chain.county]
                .into_iter()
                .flatten()
                .map(|d| d.name.as_str())
                .collect::<Vec<_>>()
                .join(" ")
        })
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::{cheapest_covering, narrowing_bigrams, word_pieces};

    /// Whether `chosen` bigrams cover all `count + 1` characters.
    fn covers(chosen: &[usize], count: usize) -> bool {
        let mut covered = vec![false; count + 1];
        for &at in chosen {
            covered[at] = true;
            covered[at + 1] = true;
        }
        covered.iter().all(|&c| c)
    }

    #[test]
    fn a_phrase_is_checked_through_its_rare_bigrams() {
        // 义务 务教 教育 育优 优质 质均 均衡, with document frequencies of their order.
        let costs = [
            150_000, 140_000, 1_400_000, 60_000, 300_000, 60_000, 200_000,
        ];
        assert_eq!(cheapest_covering(&costs), [0, 1, 3, 5, 6]);
        // Alike costs: as few bigrams as cover the term.
        assert_eq!(cheapest_covering(&[5; 7]), [0, 2, 4, 6]);
        assert_eq!(cheapest_covering(&[5; 1]), [0]);
        assert_eq!(cheapest_covering(&[5; 2]), [0, 1]);
        assert!(cheapest_covering(&[]).is_empty());
    }

    /// Document frequencies of the 1.5 M-entry benchmark index.
    #[test]
    fn only_bigrams_that_rule_out_candidates_narrow_them() {
        let common = 1_536_285 / 2;
        let narrowing = |doc_freqs: &[u64]| -> Vec<usize> {
            let chosen = cheapest_covering(doc_freqs);
            narrowing_bigrams(doc_freqs, &chosen, common).collect()
        };
        // 义务 务教 教育 育优 优质 质均 均衡: 优质 is commoner than 质均, 教育 is everywhere.
        let phrase = [
            238_778, 239_667, 1_343_535, 97_140, 236_737, 76_615, 100_780,
        ];
        assert_eq!(cheapest_covering(&phrase), [0, 1, 3, 5, 6]);
        assert!(narrowing(&phrase).is_empty());
        // 课后 后服 服务: 后服 is the rarest.
        assert_eq!(narrowing(&[57_357, 25_472, 323_623]), [1]);
        // 劳动 动教 教育: 教育 must be read, so 动教 is checked first though commoner than 劳动.
        assert_eq!(narrowing(&[104_835, 114_469, 1_343_535]), [1]);
        // 校外 外培 培训.
        assert_eq!(narrowing(&[96_242, 65_290, 347_752]), [1]);
        // A bigram as frequent as the rarest covering one narrows nothing.
        assert!(narrowing(&[50_000, 50_000, 90_000]).is_empty());
    }

    #[test]
    fn each_word_of_a_term_is_checked_through_its_rarest_covering_bigram() {
        let words = |text: &str| -> Vec<String> { text.split(' ').map(str::to_owned).collect() };
        // 义务 务教 教育 育优 优质 质均 均衡, as in the 1.5 M-entry index: 育优 straddles the
        // words and is no word's.
        let phrase = [
            238_778, 239_667, 1_343_535, 97_140, 236_737, 76_615, 100_780,
        ];
        let chosen = cheapest_covering(&phrase);
        assert_eq!(
            word_pieces(
                "义务教育优质均衡",
                &words("义务教育 优质均衡"),
                &chosen,
                &phrase
            ),
            [(0, "义务教育"), (5, "优质均衡")]
        );
        // Three words; a two-character word's one bigram.
        assert_eq!(
            word_pieces(
                "教师队伍建设",
                &words("教师 队伍 建设"),
                &[0, 2, 4],
                &[9, 5, 8, 7, 3]
            ),
            [(0, "教师"), (2, "队伍"), (4, "建设")]
        );
        // A word holding no covering bigram (师队 and 伍建 cover 队伍), a cut that drops
        // characters, and one word: none.
        assert!(word_pieces(
            "教师队伍建设",
            &words("教师 队伍 建设"),
            &[0, 1, 3, 4],
            &[1; 5]
        )
        .is_empty());
        assert!(word_pieces("教师队伍建设", &words("教师 建设"), &[0, 2, 4], &[1; 5]).is_empty());
        assert!(word_pieces("劳动教育", &words("劳动教育"), &[0, 1, 2], &[1; 3]).is_empty());
        // A bigram twice in its word (研究 in 研究研究) is passed over, rarest or not;
        // a word holding no other covering bigram: none.
        let research = [5, 9, 5, 8, 3];
        assert_eq!(
            word_pieces(
                "研究研究成果",
                &words("研究研究 成果"),
                &[0, 1, 2, 4],
                &research
            ),
            [(1, "研究研究"), (4, "成果")]
        );
        assert!(word_pieces(
            "研究研究成果",
            &words("研究研究 成果"),
            &[0, 2, 4],
            &research
        )
        .is_empty());
    }

    proptest! {
        #[test]
        fn the_covering_covers_every_character_at_the_least_cost(
            costs in prop::collection::vec(0u64..1_000, 1..12)
        ) {
            let count = costs.len();
            let chosen = cheapest_covering(&costs);
            prop_assert!(covers(&chosen, count), "{chosen:?}");
            prop_assert!(chosen.windows(2).all(|w| w[0] < w[1]));
            let cost: u64 = chosen.iter().map(|&at| costs[at]).sum();
            let least = (1u32..1 << count)
                .map(|mask| (0..count).filter(|at| mask & (1 << at) != 0).collect::<Vec<_>>())
                .filter(|subset| covers(subset, count))
                .map(|subset| subset.iter().map(|&at| costs[at]).sum::<u64>())
                .min();
            prop_assert_eq!(Some(cost), least);
        }
    }
}
