//! Queries in process, one at a time: each case of the mix with facet counts, after a
//! warm-up, as percentiles; searched by every core (as `serve` does by default), then
//! by one thread. Then, to show where the time goes, the same query with an empty page
//! (its total and facets, no ranking) and its total alone.

use std::collections::BTreeSet;
use std::path::Path;

use anyhow::{anyhow, Result};
use edusearch_index::{SearchIndex, SearchRequest, SearchResponse, MAX_LIMIT};
use serde::Serialize;

use super::{time_runs, Case, Latency};

#[derive(Debug, Clone, Serialize)]
pub struct QueryResult {
    pub case: Case,
    pub label: String,
    pub total: u64,
    /// Each query searched by `search_threads` threads sharing its segments' pieces.
    pub latency: Latency,
    pub search_threads: usize,
    /// The same query searched by one thread.
    pub one_thread: Latency,
    /// The same query with an empty page: the exact total and facet counts, no ranking.
    pub counts_only: Latency,
    /// The same query with an empty page and no facets: the exact total alone.
    pub total_only: Latency,
}

pub fn measure(
    index_dir: &Path,
    cases: &[Case],
    rounds: usize,
    budget: f64,
) -> Result<Vec<QueryResult>> {
    let search_threads = edusearch_index::default_search_threads();
    let open = |threads| {
        SearchIndex::open_with_threads(index_dir, threads)
            .map_err(|e| anyhow!("opening {}: {e}", index_dir.display()))
    };
    let (index, single) = (open(search_threads)?, open(1)?);
    println!(
        "queries: {} cases, facets on, one at a time, up to {rounds} runs or {budget} s each; \
         searched by {search_threads} threads, then by 1",
        cases.len()
    );
    let mut results = Vec::with_capacity(cases.len());
    for case in cases {
        let request = case.request();
        let first = search(&index, &request)?;
        let latency = time_runs(rounds, budget, || search(&index, &request).map(|_| ()))?;
        let one_thread = time_runs(rounds, budget, || search(&single, &request).map(|_| ()))?;
        let counting = SearchRequest {
            limit: 0,
            ..request.clone()
        };
        let counts_only = time_runs(rounds, budget, || search(&index, &counting).map(|_| ()))?;
        let bare = SearchRequest {
            facets: false,
            ..counting
        };
        let total_only = time_runs(rounds, budget, || search(&index, &bare).map(|_| ()))?;
        println!(
            "  {:<28} {:>8} hits  p50 {:>8.2} ms  p95 {:>8.2} ms  p99 {:>8.2} ms  \
             (1 thread: p50 {:>8.2} ms  p99 {:>8.2} ms; no page: p50 {:>8.2} ms, \
             and no facets: p50 {:>8.2} ms)",
            case.label(),
            first.total,
            latency.p50_ms,
            latency.p95_ms,
            latency.p99_ms,
            one_thread.p50_ms,
            one_thread.p99_ms,
            counts_only.p50_ms,
            total_only.p50_ms,
        );
        results.push(QueryResult {
            case: case.clone(),
            label: case.label(),
            total: first.total,
            latency,
            search_threads,
            one_thread,
            counts_only,
            total_only,
        });
    }
    Ok(results)
}

fn search(index: &SearchIndex, request: &SearchRequest) -> Result<SearchResponse> {
    index
        .search(request)
        .map_err(|e| anyhow!("{:?}: {e}", request.query))
}

/// Every matching entry id, page by page (`None` when there are more than `cap`).
pub fn all_ids(index: &SearchIndex, case: &Case, cap: u64) -> Result<Option<BTreeSet<String>>> {
    let mut request = case.request();
    request.facets = false;
    request.limit = MAX_LIMIT;
    let mut ids = BTreeSet::new();
    loop {
        let page = search(index, &request)?;
        if page.total > cap {
            return Ok(None);
        }
        let n = page.hits.len();
        ids.extend(page.hits.into_iter().map(|h| h.id));
        request.offset += n;
        if n == 0 || request.offset as u64 >= page.total {
            return Ok(Some(ids));
        }
    }
}
