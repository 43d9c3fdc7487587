//! Size limits on requests, answered as JSON errors before any handler runs: a long
//! URL is 414, large headers 431, a large body 413.

use axum::extract::Request;
use axum::http::header::CONTENT_LENGTH;
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::errors::ApiError;

/// Longest path and query string. A query at the library's length limit, fully
/// percent-encoded, still fits with room for filters.
pub const MAX_URI_BYTES: usize = 16 * 1024;
/// Total size of the request headers.
pub const MAX_HEADER_BYTES: usize = 16 * 1024;
/// Every route is a GET; a body has no use beyond this.
pub const MAX_BODY_BYTES: usize = 16 * 1024;

pub async fn check_sizes(request: Request, next: Next) -> Response {
    let uri_len = request
        .uri()
        .path_and_query()
        .map_or(0, |pq| pq.as_str().len());
    if uri_len > MAX_URI_BYTES {
        return ApiError::new(
            StatusCode::URI_TOO_LONG,
            format!("the URL is longer than {MAX_URI_BYTES} bytes"),
        )
        .into_response();
    }
    let header_len: usize = request
        .headers()
        .iter()
        .map(|(name, value)| name.as_str().len() + value.len() + 4)
        .sum();
    if header_len > MAX_HEADER_BYTES {
        return ApiError::new(
            StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE,
            format!("the request headers are larger than {MAX_HEADER_BYTES} bytes"),
        )
        .into_response();
    }
    let body_len = request
        .headers()
        .get(CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if body_len.is_some_and(|len| len > MAX_BODY_BYTES as u64) {
        return ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            format!("the request body is larger than {MAX_BODY_BYTES} bytes"),
        )
        .into_response();
    }
    next.run(request).await
}
