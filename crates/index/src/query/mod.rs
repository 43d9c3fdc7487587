//! Queries: the language users type ([`syntax`]) and its translation into tantivy
//! queries ([`compile`]), with the queries of our own ([`substring`], and the score bonus of titles and whole
//! words).

pub(crate) mod all_terms;
mod bonus;
pub mod compile;
pub(crate) mod conjunction;
pub mod substring;
pub mod syntax;

pub(crate) use bonus::score_reaching;
pub use compile::{compile, resolve_region, CompiledQuery, Dimension};
pub use syntax::{parse_query, ParsedQuery};
