//! What a caller asks for: the query string and the filters, sort and page.
//! The CLI and the HTTP server both fill a [`SearchRequest`] and get the same answer.

use serde::{Deserialize, Serialize};

use crate::error::SearchError;

/// The largest page a caller can ask for.
pub const MAX_LIMIT: usize = 200;
/// The longest query accepted, in characters.
pub const MAX_QUERY_CHARS: usize = 500;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SortOrder {
    /// Best match first; for an empty query, plan and item order.
    #[default]
    Relevance,
    /// Newest plan first, then best match (or item order).
    Year,
}

impl std::str::FromStr for SortOrder {
    type Err = SearchError;
    fn from_str(s: &str) -> Result<Self, SearchError> {
        match s.trim() {
            "" | "relevance" => Ok(SortOrder::Relevance),
            "year" => Ok(SortOrder::Year),
            other => Err(SearchError::parameter(
                "sort",
                format!("{other:?} is not a sort order; use relevance or year"),
            )),
        }
    }
}

/// One year filter value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum YearFilter {
    Year(i32),
    /// Inclusive; plans of unknown year are outside every range.
    Range(i32, i32),
    /// Plans whose year is unknown.
    Unknown,
}

impl YearFilter {
    pub const EARLIEST: i32 = 1949;
    pub const LATEST: i32 = 2100;

    pub fn contains(&self, year: Option<i32>) -> bool {
        match (self, year) {
            (YearFilter::Year(y), Some(v)) => *y == v,
            (YearFilter::Range(a, b), Some(v)) => (*a..=*b).contains(&v),
            (YearFilter::Unknown, None) => true,
            _ => false,
        }
    }
}

impl std::str::FromStr for YearFilter {
    type Err = SearchError;
    /// `2021`, `2019..2023`, `2019..` / `..2023` (open ends), or `unknown`.
    fn from_str(text: &str) -> Result<Self, SearchError> {
        let text = text.trim();
        if text == "unknown" {
            return Ok(YearFilter::Unknown);
        }
        let year = |s: &str, default: i32| -> Result<i32, SearchError> {
            if s.is_empty() {
                return Ok(default);
            }
            match s.parse::<i32>() {
                Ok(y) if (YearFilter::EARLIEST..=YearFilter::LATEST).contains(&y) => Ok(y),
                _ => Err(SearchError::parameter(
                    "year",
                    format!("{text:?} is not a year: use e.g. 2021, 2019..2023 or unknown"),
                )),
            }
        };
        match text.split_once("..") {
            Some((from, to)) => {
                if from.is_empty() && to.is_empty() {
                    return Err(SearchError::parameter(
                        "year",
                        "a range needs at least one end, e.g. 2019..2023",
                    ));
                }
                let (from, to) = (
                    year(from, YearFilter::EARLIEST)?,
                    year(to, YearFilter::LATEST)?,
                );
                if from > to {
                    return Err(SearchError::parameter(
                        "year",
                        format!("{text:?}: the range ends before it starts"),
                    ));
                }
                Ok(YearFilter::Range(from, to))
            }
            None if text.is_empty() => Err(SearchError::parameter("year", "empty year")),
            None => Ok(YearFilter::Year(year(text, 0)?)),
        }
    }
}

impl std::fmt::Display for YearFilter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            YearFilter::Year(y) => write!(f, "{y}"),
            YearFilter::Range(a, b) => write!(f, "{a}..{b}"),
            YearFilter::Unknown => f.write_str("unknown"),
        }
    }
}

/// A listing of plans: region and year filters as a search's (any value within one
/// facet; both facets must hold), and a page of the matching plans in browse order.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PlansRequest {
    /// Division codes or names at any level, or `unknown`.
    pub regions: Vec<String>,
    pub years: Vec<YearFilter>,
    pub offset: usize,
    /// None lists every matching plan from `offset` on.
    pub limit: Option<usize>,
}

/// A search: the query string plus filters. Values repeated within one facet mean
/// any of them; different facets must all hold.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct SearchRequest {
    pub query: String,
    /// Division codes (`440000`) or names (`广东`, `河源市`), or `unknown`.
    pub regions: Vec<String>,
    pub years: Vec<YearFilter>,
    /// Responsible units as written (`基教科`).
    pub units: Vec<String>,
    pub sort: SortOrder,
    pub offset: usize,
    pub limit: usize,
    /// Count facets over the whole result set (costs a little; off for plain lookups).
    pub facets: bool,
}

impl Default for SearchRequest {
    fn default() -> Self {
        SearchRequest {
            query: String::new(),
            regions: Vec::new(),
            years: Vec::new(),
            units: Vec::new(),
            sort: SortOrder::Relevance,
            offset: 0,
            limit: 10,
            facets: true,
        }
    }
}

impl SearchRequest {
    pub fn new(query: impl Into<String>) -> Self {
        SearchRequest {
            query: query.into(),
            ..Default::default()
        }
    }

    /// Checks the limits every interface shares.
    pub fn validate(&self) -> Result<(), SearchError> {
        if self.query.chars().count() > MAX_QUERY_CHARS {
            return Err(SearchError::parameter(
                "q",
                format!("the query is longer than {MAX_QUERY_CHARS} characters"),
            ));
        }
        if self.limit > MAX_LIMIT {
            return Err(SearchError::parameter(
                "limit",
                format!(
                    "{} is more than the maximum page size {MAX_LIMIT}",
                    self.limit
                ),
            ));
        }
        if self.offset > 100_000 {
            return Err(SearchError::parameter(
                "offset",
                "offset is larger than 100000; narrow the search instead",
            ));
        }
        Ok(())
    }
}
