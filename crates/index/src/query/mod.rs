//! Queries: the language users type ([`syntax`]) and its translation into tantivy
//! queries ([`compile`]), with the one query of our own ([`substring`]).

pub mod compile;
pub mod substring;
pub mod syntax;

pub use compile::{compile, resolve_region, CompiledQuery, Dimension};
pub use syntax::{parse_query, ParsedQuery};
