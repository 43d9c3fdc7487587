//! Errors of building, opening and querying an index.

use std::path::PathBuf;

use serde::Serialize;

/// Something went wrong with the index itself: building, opening or reading it.
#[derive(Debug, thiserror::Error)]
pub enum IndexError {
    #[error("no index at {path}: build one with `edusearch index`")]
    Missing { path: PathBuf },
    #[error(
        "the index at {path} has format version {found}, this edusearch reads version {expected}: rebuild it with `edusearch index`"
    )]
    FormatVersion {
        path: PathBuf,
        found: u32,
        expected: u32,
    },
    #[error("dictionary line {line}: {message}")]
    Dictionary { line: usize, message: String },
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path}: {message}")]
    Corrupt { path: PathBuf, message: String },
    #[error("{context}: {source}")]
    Tantivy {
        context: String,
        source: tantivy::TantivyError,
    },
    #[error("{0}")]
    Input(String),
}

impl IndexError {
    pub(crate) fn io(path: impl Into<PathBuf>) -> impl FnOnce(std::io::Error) -> IndexError {
        let path = path.into();
        move |source| IndexError::Io { path, source }
    }
    pub(crate) fn tantivy(
        context: impl Into<String>,
    ) -> impl FnOnce(tantivy::TantivyError) -> IndexError {
        let context = context.into();
        move |source| IndexError::Tantivy { context, source }
    }
}

pub type Result<T, E = IndexError> = std::result::Result<T, E>;

/// A division a region filter could mean, offered when a name is ambiguous.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RegionCandidate {
    pub code: String,
    /// The full path, e.g. "福建省 厦门市 鼓楼区".
    pub name: String,
}

/// A request that cannot be answered as asked. Every variant is the caller's to fix
/// (a 4xx in HTTP terms) except `Index`.
#[derive(Debug, thiserror::Error)]
pub enum SearchError {
    /// The query string is malformed.
    #[error("query: {message}")]
    Query { message: String },
    /// A parameter (region, year, unit, sort, limit, offset) is malformed.
    #[error("{parameter}: {message}")]
    Parameter {
        parameter: &'static str,
        message: String,
    },
    /// A region name fits several divisions.
    #[error("region: {name:?} is ambiguous; use one of the codes: {}", candidates.iter().map(|c| format!("{} ({})", c.code, c.name)).collect::<Vec<_>>().join(", "))]
    AmbiguousRegion {
        name: String,
        candidates: Vec<RegionCandidate>,
    },
    #[error("no item or plan with id {id:?}")]
    NotFound { id: String },
    #[error(transparent)]
    Index(#[from] IndexError),
}

impl SearchError {
    pub fn parameter(parameter: &'static str, message: impl Into<String>) -> Self {
        SearchError::Parameter {
            parameter,
            message: message.into(),
        }
    }
    /// The name of the request parameter at fault, if the caller is at fault.
    pub fn parameter_name(&self) -> Option<&'static str> {
        match self {
            SearchError::Query { .. } => Some("q"),
            SearchError::Parameter { parameter, .. } => Some(parameter),
            SearchError::AmbiguousRegion { .. } => Some("region"),
            SearchError::NotFound { .. } => Some("id"),
            SearchError::Index(_) => None,
        }
    }
}

impl From<tantivy::TantivyError> for SearchError {
    fn from(source: tantivy::TantivyError) -> Self {
        SearchError::Index(IndexError::Tantivy {
            context: "searching".into(),
            source,
        })
    }
}
