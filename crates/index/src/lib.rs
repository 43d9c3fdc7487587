//! The edusearch index: schema, Chinese analysis, building, querying, facets and
//! snippets. The CLI and the HTTP server call this library and nothing else, so both
//! give the same answers.
//!
//! Build with [`IndexBuilder`], open with [`SearchIndex::open`], ask with a
//! [`SearchRequest`].

pub mod analysis;
mod build;
mod columns;
pub mod error;
mod facets;
mod filters;
pub mod layout;
pub mod order;
mod passes;
mod plan_table;
pub mod query;
mod ranking;
pub mod record;
pub mod request;
pub mod response;
mod schema;
mod search;
pub mod snippet;
mod store;
mod tokenizers;
mod trends;

pub use build::{BuildOptions, IndexBuilder};
pub use error::{IndexError, RegionCandidate, SearchError};
pub use order::{layout_key, sort_plans, RecordsInLayoutOrder};
pub use record::{EntryKind, ItemRecord};
pub use request::{PlansRequest, SearchRequest, SortOrder, YearFilter, MAX_LIMIT, MAX_QUERY_CHARS};
pub use response::*;
pub use search::{default_search_threads, SearchIndex};
