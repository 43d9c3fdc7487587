//! Made-up results for the tests of the targets and the report.

use super::queries::QueryResult;
use super::{Case, Latency};

pub fn latency(p50_ms: f64, p99_ms: f64) -> Latency {
    Latency {
        p50_ms,
        p99_ms,
        ..Latency::default()
    }
}

/// A query searched in `shared` ms by two threads and in `alone` ms by one (p50;
/// p99 twice that).
pub fn query(label: &str, shared: f64, alone: f64) -> QueryResult {
    QueryResult {
        case: Case {
            kind: "single word",
            query: label.to_owned(),
            filtered: false,
            required: vec![label.to_owned()],
            excluded: Vec::new(),
        },
        label: label.to_owned(),
        total: 1,
        latency: latency(shared, 2.0 * shared),
        search_threads: 2,
        one_thread: latency(alone, 2.0 * alone),
        counts_only: Latency::default(),
        total_only: Latency::default(),
    }
}
