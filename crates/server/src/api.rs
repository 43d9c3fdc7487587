//! The JSON routes: each reads its parameters, asks the index, and answers its shape.
//! Index calls are CPU work, so they run on the blocking pool, not on the async workers,
//! a few per core at a time ([`crate::slots`]).

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::rejection::{PathRejection, QueryRejection};
use axum::extract::{FromRef, Path, Query, State};
use axum::http::header::{HeaderName, HeaderValue, CONTENT_TYPE};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, MethodRouter};
use axum::Json;
use edusearch_index::{ItemRecord, PlanList, SearchError, SearchIndex, SearchResponse, Stats};
use edusearch_plans::Plan;
use serde::Serialize;

use crate::cache::SearchCache;
use crate::errors::ApiError;
use crate::params::{self, Pairs};
use crate::slots::BlockingSlots;
use crate::AppState;

type Index = State<Arc<SearchIndex>>;
type Answer<T> = Result<Json<T>, ApiError>;

/// The open index, with the slots its calls take turns in.
#[derive(Clone)]
struct IndexCalls {
    index: Arc<SearchIndex>,
    slots: BlockingSlots,
}

impl FromRef<AppState> for IndexCalls {
    fn from_ref(state: &AppState) -> Self {
        IndexCalls {
            index: Arc::clone(&state.index),
            slots: state.index_slots.clone(),
        }
    }
}

impl IndexCalls {
    /// Runs an index call on the blocking pool once a slot is free.
    async fn run<T, F>(self, call: F) -> Answer<T>
    where
        T: Send + 'static,
        F: FnOnce(&SearchIndex) -> Result<T, SearchError> + Send + 'static,
    {
        let index = self.index;
        let answer = self.slots.run(move || call(&index)).await?;
        Ok(Json(answer?))
    }
}

/// The JSON routes, as the router registers them and the OpenAPI document lists them.
pub fn routes() -> Vec<(&'static str, MethodRouter<AppState>)> {
    vec![
        ("/api/search", get(search)),
        ("/api/items/{id}", get(item)),
        ("/api/plans", get(plans)),
        ("/api/plans/{id}", get(plan)),
        ("/api/stats", get(stats)),
        ("/healthz", get(health)),
    ]
}

/// Whether an answer came from the cache of repeated searches (`hit`) or was computed.
const CACHE_HEADER: HeaderName = HeaderName::from_static("x-edusearch-cache");

async fn search(
    State(calls): State<IndexCalls>,
    State(cache): State<Arc<SearchCache>>,
    query: Result<Query<Pairs>, QueryRejection>,
) -> Result<Response, ApiError> {
    let request = params::search_request(&pairs(query)?)?;
    if let Some(answer) = cache.get(&request) {
        return Ok(json_bytes(answer, "hit"));
    }
    let key = cache.is_enabled().then(|| request.clone());
    // Serialized on the blocking pool too: a national answer is tens of kilobytes.
    let answer = calls
        .run(move |index| {
            let response: SearchResponse = index.search(&request)?;
            Ok(serde_json::to_vec(&response).map(Bytes::from))
        })
        .await?
        .0
        .map_err(|error| {
            tracing::error!(%error, "serializing a search answer");
            ApiError::internal()
        })?;
    if let Some(key) = key {
        cache.put(key, answer.clone());
    }
    Ok(json_bytes(answer, "miss"))
}

fn json_bytes(body: Bytes, cache: &'static str) -> Response {
    (
        [
            (CONTENT_TYPE, HeaderValue::from_static("application/json")),
            (CACHE_HEADER, HeaderValue::from_static(cache)),
        ],
        body,
    )
        .into_response()
}

async fn stats(
    State(calls): State<IndexCalls>,
    query: Result<Query<Pairs>, QueryRejection>,
) -> Answer<Stats> {
    let (request, by_region) = params::stats_request(&pairs(query)?)?;
    calls
        .run(move |index| index.stats(&request, by_region))
        .await
}

async fn item(
    State(calls): State<IndexCalls>,
    id: Result<Path<String>, PathRejection>,
    query: Result<Query<Pairs>, QueryRejection>,
) -> Answer<ItemRecord> {
    params::no_parameters(&pairs(query)?)?;
    let id = path_id(id)?;
    calls.run(move |index| index.item(&id)).await
}

async fn plan(
    State(calls): State<IndexCalls>,
    id: Result<Path<String>, PathRejection>,
    query: Result<Query<Pairs>, QueryRejection>,
) -> Answer<Plan> {
    params::no_parameters(&pairs(query)?)?;
    let id = path_id(id)?;
    calls.run(move |index| index.plan(&id)).await
}

async fn plans(
    State(calls): State<IndexCalls>,
    query: Result<Query<Pairs>, QueryRejection>,
) -> Answer<PlanList> {
    let request = params::plans_request(&pairs(query)?)?;
    calls.run(move |index| index.plans(&request)).await
}

#[derive(Debug, Serialize)]
struct Health {
    status: &'static str,
    plans: u64,
    items: u64,
    built_at: String,
    format_version: u32,
}

async fn health(State(index): Index) -> Json<Health> {
    let info = index.info();
    Json(Health {
        status: "ok",
        plans: info.plans,
        items: info.items,
        built_at: info.built_at.clone(),
        format_version: info.format_version,
    })
}

fn pairs(query: Result<Query<Pairs>, QueryRejection>) -> Result<Pairs, ApiError> {
    query
        .map(|Query(pairs)| pairs)
        .map_err(|rejection| ApiError::bad_parameter("query string", rejection.body_text()))
}

fn path_id(id: Result<Path<String>, PathRejection>) -> Result<String, ApiError> {
    id.map(|Path(id)| id)
        .map_err(|rejection| ApiError::bad_parameter("id", rejection.body_text()))
}
