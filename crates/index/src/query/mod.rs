//! Queries: the language users type ([`syntax`]) and its translation into tantivy
//! queries ([`compile`]).

pub mod compile;
pub mod syntax;

pub use compile::{compile, resolve_region, CompiledQuery, Dimension};
pub use syntax::{parse_query, ParsedQuery};
