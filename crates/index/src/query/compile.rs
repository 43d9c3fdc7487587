//! Turning a parsed query and the request's filters into tantivy queries.
//!
//! A term matches where its characters stand together: one character is a term of the
//! unigram field, two or more a phrase of consecutive bigrams. Title and whole-word
//! (jieba) matches are optional clauses: they raise the score, never the match set.

use std::ops::Bound;

use edusearch_divisions::Divisions;
use jieba_rs::Jieba;
use tantivy::query::{
    AllQuery, BooleanQuery, BoostQuery, ConstScoreQuery, EmptyQuery, Occur, PhraseQuery, Query,
    RangeQuery, TermQuery,
};
use tantivy::schema::IndexRecordOption;
use tantivy::Term;

use super::substring::SubstringQuery;
use super::syntax::ParsedQuery;
use crate::analysis::grams::bigrams;
use crate::analysis::words::whole_words;
use crate::error::{RegionCandidate, SearchError};
use crate::request::{SearchRequest, YearFilter};
use crate::schema::{Fields, UNKNOWN, UNKNOWN_YEAR};

const TITLE_BOOST: f32 = 2.0;
const WORD_BOOST: f32 = 0.5;

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

    /// The whole query.
    pub fn full(&self) -> Box<dyn Query> {
        self.combine(&[])
    }

    /// The query without one dimension's filter.
    pub fn without(&self, dimension: Dimension) -> Box<dyn Query> {
        self.combine(&[dimension])
    }

    /// The text query alone (everything when there is none).
    pub fn without_filters(&self) -> Box<dyn Query> {
        self.combine(&[Dimension::Region, Dimension::Year, Dimension::Unit])
    }

    /// How many dimensions have a filter.
    pub fn filter_count(&self) -> usize {
        [Dimension::Region, Dimension::Year, Dimension::Unit]
            .into_iter()
            .filter(|&d| self.has_filter(d))
            .count()
    }

    fn combine(&self, skip: &[Dimension]) -> Box<dyn Query> {
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

pub fn compile(
    parsed: &ParsedQuery,
    request: &SearchRequest,
    fields: &Fields,
    jieba: &Jieba,
) -> Result<CompiledQuery, SearchError> {
    let text = compile_text(parsed, fields, jieba);

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

fn compile_text(parsed: &ParsedQuery, fields: &Fields, jieba: &Jieba) -> Option<Box<dyn Query>> {
    if !parsed.has_text() {
        return None;
    }
    let mut clauses: Vec<(Occur, Box<dyn Query>)> = Vec::new();
    for group in &parsed.required {
        let alternatives: Vec<Box<dyn Query>> = group
            .iter()
            .map(|term| scored_term(term, fields, jieba))
            .collect();
        let query = if alternatives.len() == 1 {
            alternatives
                .into_iter()
                .next()
                .unwrap_or_else(|| Box::new(EmptyQuery))
        } else {
            Box::new(BooleanQuery::new(
                alternatives
                    .into_iter()
                    .map(|q| (Occur::Should, q))
                    .collect(),
            ))
        };
        clauses.push((Occur::Must, query));
    }
    if parsed.required.is_empty() {
        clauses.push((Occur::Must, Box::new(AllQuery)));
    }
    for term in &parsed.excluded {
        let words = whole_words(jieba, term);
        clauses.push((Occur::MustNot, exact_in_text(term, &words, fields)));
    }
    Some(Box::new(BooleanQuery::new(clauses)))
}

/// A term: must match exactly in the item text; scores more in the title and as whole words.
fn scored_term(term: &str, fields: &Fields, jieba: &Jieba) -> Box<dyn Query> {
    let words = whole_words(jieba, term);
    let mut bonuses: Vec<Box<dyn Query>> = Vec::new();
    if term.chars().count() >= 2 {
        let title = exact(term, fields.text_chars, fields.title_bigrams, None);
        bonuses.push(Box::new(BoostQuery::new(title, TITLE_BOOST)));
    }
    for word in &words {
        let word = TermQuery::new(
            Term::from_field_text(fields.text_words, word),
            IndexRecordOption::WithFreqs,
        );
        bonuses.push(Box::new(BoostQuery::new(Box::new(word), WORD_BOOST)));
    }
    // Each bonus is its own required/optional pair around the match: the score is the
    // same sum as with one optional union of all bonuses, without the union's buffered
    // seeks over long posting lists (a third of the time of 学校 教师 课程).
    let mut query = exact_in_text(term, &words, fields);
    for bonus in bonuses {
        query = Box::new(BooleanQuery::new(vec![
            (Occur::Must, query),
            (Occur::Should, bonus),
        ]));
    }
    query
}

/// Matches exactly where the term's characters stand together in the search text
/// (`words`: how jieba cuts the term).
fn exact_in_text(term: &str, words: &[String], fields: &Fields) -> Box<dyn Query> {
    // A term jieba cuts as one word is found without positions where the text has that word.
    let as_word = match words {
        [word] if word == term => Some(Term::from_field_text(fields.text_words, word)),
        _ => None,
    };
    exact(term, fields.text_chars, fields.text_bigrams, as_word)
}

/// Matches exactly where the term's characters stand together in `bigram_field`
/// (`as_word`: the term as a word of the same text's word field, if it is one).
fn exact(
    term: &str,
    chars_field: tantivy::schema::Field,
    bigram_field: tantivy::schema::Field,
    as_word: Option<Term>,
) -> Box<dyn Query> {
    let grams = bigrams(term);
    match grams.len() {
        0 => Box::new(TermQuery::new(
            Term::from_field_text(chars_field, term),
            IndexRecordOption::Basic,
        )),
        1 => Box::new(TermQuery::new(
            Term::from_field_text(bigram_field, &grams[0]),
            IndexRecordOption::WithFreqs,
        )),
        _ => {
            let covering: Vec<(usize, Term)> = covering_bigrams(grams.len())
                .map(|at| (at, Term::from_field_text(bigram_field, &grams[at])))
                .collect();
            match as_word {
                Some(word) => Box::new(SubstringQuery::new(covering, word)),
                None => Box::new(PhraseQuery::new_with_offset(covering)),
            }
        }
    }
}

/// Positions of the bigrams that cover a term of `count + 1` characters without
/// overlapping (the last one overlaps when the length is odd): "课后服务" is 课后 at 0
/// and 服务 at 2. Bigram positions are consecutive, so these standing at their offsets
/// means every character stands in place, with half the posting lists of all bigrams.
fn covering_bigrams(count: usize) -> impl Iterator<Item = usize> {
    (0..count)
        .step_by(2)
        .chain(count.is_multiple_of(2).then(|| count - 1))
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
    use super::covering_bigrams;

    #[test]
    fn covering_bigrams_reach_every_character_once_or_with_one_overlap() {
        let cases: [(usize, &[usize]); 5] = [
            (2, &[0, 1]),
            (3, &[0, 2]),
            (4, &[0, 2, 3]),
            (7, &[0, 2, 4, 6]),
            (8, &[0, 2, 4, 6, 7]),
        ];
        for (count, expected) in cases {
            assert_eq!(
                covering_bigrams(count).collect::<Vec<_>>(),
                expected,
                "{count} bigrams"
            );
        }
        // Every character of every length is covered.
        for count in 2..40 {
            let mut covered = vec![false; count + 1];
            for at in covering_bigrams(count) {
                covered[at] = true;
                covered[at + 1] = true;
            }
            assert!(covered.iter().all(|&c| c), "{count} bigrams");
        }
    }
}
