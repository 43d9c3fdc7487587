//! The JSON routes: each reads its parameters, asks the index, and answers its shape.
//! Index calls are CPU work, so they run on the blocking pool, not on the async workers.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::rejection::{PathRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::header::{HeaderName, HeaderValue, CONTENT_TYPE};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, MethodRouter};
use axum::Json;
use edusearch_index::{ItemRecord, PlanSummary, SearchError, SearchIndex, SearchResponse, Stats};
use edusearch_plans::Plan;
use serde::Serialize;

use crate::cache::SearchCache;
use crate::errors::ApiError;
use crate::params::{self, Pairs};
use crate::AppState;

type Index = State<Arc<SearchIndex>>;
type Answer<T> = Result<Json<T>, ApiError>;

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
    State(index): Index,
    State(cache): State<Arc<SearchCache>>,
    query: Result<Query<Pairs>, QueryRejection>,
) -> Result<Response, ApiError> {
    let request = params::search_request(&pairs(query)?)?;
    if let Some(answer) = cache.get(&request) {
        return Ok(json_bytes(answer, "hit"));
    }
    let key = cache.is_enabled().then(|| request.clone());
    // Serialized on the blocking pool too: a national answer is tens of kilobytes.
    let answer = blocking(index, move |index| {
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

async fn stats(State(index): Index, query: Result<Query<Pairs>, QueryRejection>) -> Answer<Stats> {
    let request = params::stats_request(&pairs(query)?)?;
    blocking(index, move |index| index.stats(&request)).await
}

async fn item(
    State(index): Index,
    id: Result<Path<String>, PathRejection>,
    query: Result<Query<Pairs>, QueryRejection>,
) -> Answer<ItemRecord> {
    params::no_parameters(&pairs(query)?)?;
    let id = path_id(id)?;
    blocking(index, move |index| index.item(&id)).await
}

async fn plan(
    State(index): Index,
    id: Result<Path<String>, PathRejection>,
    query: Result<Query<Pairs>, QueryRejection>,
) -> Answer<Plan> {
    params::no_parameters(&pairs(query)?)?;
    let id = path_id(id)?;
    blocking(index, move |index| index.plan(&id)).await
}

async fn plans(
    State(index): Index,
    query: Result<Query<Pairs>, QueryRejection>,
) -> Answer<Vec<PlanSummary>> {
    params::no_parameters(&pairs(query)?)?;
    blocking(index, |index| Ok(index.plans())).await
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

/// Runs an index call on the blocking pool.
async fn blocking<T, F>(index: Arc<SearchIndex>, call: F) -> Answer<T>
where
    T: Send + 'static,
    F: FnOnce(&SearchIndex) -> Result<T, SearchError> + Send + 'static,
{
    match tokio::task::spawn_blocking(move || call(&index)).await {
        Ok(answer) => Ok(Json(answer?)),
        Err(join_error) => {
            tracing::error!(error = %join_error, "index call failed");
            Err(ApiError::internal())
        }
    }
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
