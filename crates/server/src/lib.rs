//! The edusearch HTTP server: the JSON API, its OpenAPI description and the web page.
//! It only translates between HTTP and [`edusearch_index`], so the page, the API and the
//! command line give the same answers.
//!
//! ```no_run
//! # async fn run() -> anyhow::Result<()> {
//! edusearch_server::serve(
//!     "index".as_ref(),
//!     "127.0.0.1:8080".parse()?,
//!     edusearch_server::ServeOptions::default(),
//! )
//! .await
//! # }
//! ```

mod api;
mod assets;
mod cache;
mod errors;
mod limits;
mod openapi;
mod params;
mod slots;

use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use axum::extract::FromRef;
use axum::http::StatusCode;
use axum::routing::{get, MethodRouter};
use axum::Router;
use edusearch_index::SearchIndex;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::compression::CompressionLayer;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;

pub use assets::CONTENT_SECURITY_POLICY_VALUE;
pub use cache::{SearchCache, DEFAULT_CACHE_BYTES};
pub use errors::ApiError;
pub use limits::{MAX_BODY_BYTES, MAX_HEADER_BYTES, MAX_URI_BYTES};

/// How long one request may take before the server gives up on it.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(10);

/// What every handler shares: the open index, the slots its calls take turns in,
/// and the cache of its search answers.
#[derive(Clone)]
pub struct AppState {
    pub index: Arc<SearchIndex>,
    index_slots: slots::BlockingSlots,
    pub searches: Arc<SearchCache>,
}

impl FromRef<AppState> for Arc<SearchIndex> {
    fn from_ref(state: &AppState) -> Self {
        Arc::clone(&state.index)
    }
}

impl FromRef<AppState> for Arc<SearchCache> {
    fn from_ref(state: &AppState) -> Self {
        Arc::clone(&state.searches)
    }
}

fn routes() -> Vec<(&'static str, MethodRouter<AppState>)> {
    let mut routes = api::routes();
    routes.push(("/api/openapi.json", get(openapi::document)));
    routes.extend(assets::routes());
    routes
}

/// Every path the router serves (as axum writes them, `{id}` for a path parameter).
pub fn route_paths() -> Vec<&'static str> {
    routes().into_iter().map(|(path, _)| path).collect()
}

/// The whole application over one shared, open index, answering as `options` say
/// (`search_threads` is for opening the index, [`SearchIndex::open_with_threads`]).
pub fn router(index: Arc<SearchIndex>, options: &ServeOptions) -> Router {
    let state = AppState {
        index,
        index_slots: slots::BlockingSlots::new(options.concurrent_calls),
        searches: Arc::new(SearchCache::new(options.cache_bytes)),
    };
    let router = routes()
        .into_iter()
        .fold(Router::new(), |router, (path, method_router)| {
            router.route(path, method_router)
        });
    router
        .fallback(errors::not_found)
        .method_not_allowed_fallback(errors::method_not_allowed)
        .with_state(state)
        // Innermost first: a panic becomes a JSON 500 before anything else sees it.
        .layer(CatchPanicLayer::custom(errors::panic_response))
        .layer(CompressionLayer::new().gzip(true))
        .layer(TimeoutLayer::with_status_code(
            StatusCode::SERVICE_UNAVAILABLE,
            REQUEST_TIMEOUT,
        ))
        .layer(RequestBodyLimitLayer::new(MAX_BODY_BYTES))
        .layer(axum::middleware::from_fn(limits::check_sizes))
        .layer(TraceLayer::new_for_http())
}

/// How [`serve`] answers.
#[derive(Debug, Clone, Copy)]
pub struct ServeOptions {
    /// Bytes of search answers kept for repeated searches (0 turns the cache off).
    pub cache_bytes: usize,
    /// Threads that share the work of a search running alone.
    pub search_threads: usize,
    /// Index calls (searches, items, plans, stats) that run at once; the others wait
    /// their turn, in order.
    pub concurrent_calls: usize,
}

/// Index calls at once per core, by default. On 2 cores at 1.5 M items, with `wrk` on
/// the same cores, uncached `q=双减` at 64 connections gave ~570 req/s with 1 call per
/// core, ~840 with 2 and ~890 with 4 (p99 ~100 ms); unbounded, ~820 req/s with a p99 of
/// 0.35–0.5 s, and 43–64 requests for distinct queries timed out (2 s) in 8 s. A few
/// calls per core keep the cores busy while one call waits for index pages.
const CALLS_PER_CORE: usize = 4;

impl Default for ServeOptions {
    fn default() -> Self {
        let cores = edusearch_index::default_search_threads();
        ServeOptions {
            cache_bytes: DEFAULT_CACHE_BYTES,
            search_threads: cores,
            concurrent_calls: cores * CALLS_PER_CORE,
        }
    }
}

/// Opens the index at `index_dir` once, serves it at `addr` until Ctrl-C or SIGTERM,
/// then lets requests in flight finish.
pub async fn serve(
    index_dir: &Path,
    addr: SocketAddr,
    options: ServeOptions,
) -> anyhow::Result<()> {
    let dir = index_dir.to_owned();
    let threads = options.search_threads;
    let index = tokio::task::spawn_blocking(move || SearchIndex::open_with_threads(&dir, threads))
        .await
        .context("opening the index")?
        .with_context(|| format!("opening the index at {}", index_dir.display()))?;
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .with_context(|| format!("binding {addr}"))?;
    let local = listener.local_addr().context("reading the bound address")?;
    let info = index.info();
    // Printed, not only logged: scripts read the address from here when binding port 0.
    println!(
        "edusearch serving {} plans, {} items at http://{local}/",
        info.plans, info.items
    );
    tracing::info!(%local, plans = info.plans, items = info.items, "serving");
    axum::serve(listener, router(Arc::new(index), &options))
        .with_graceful_shutdown(shutdown_signal())
        .await
        .context("serving HTTP")?;
    tracing::info!("stopped");
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = async {
        if let Err(error) = tokio::signal::ctrl_c().await {
            tracing::warn!(%error, "cannot listen for Ctrl-C");
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        use tokio::signal::unix::{signal, SignalKind};
        match signal(SignalKind::terminate()) {
            Ok(mut stream) => {
                stream.recv().await;
            }
            Err(error) => {
                tracing::warn!(%error, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutting down");
}
