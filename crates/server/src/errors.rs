//! Every error the server answers, mapped to an HTTP status and one JSON shape:
//! `{"error": {"status": 400, "parameter": "year", "message": "…", "candidates": […]}}`.

use std::any::Any;

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use edusearch_index::{RegionCandidate, SearchError};
use serde::Serialize;

/// An answer other than success. Client mistakes are 4xx and name the parameter
/// at fault; only trouble with the index itself is a 5xx.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ApiError {
    #[serde(serialize_with = "serialize_status")]
    pub status: StatusCode,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub parameter: Option<String>,
    pub message: String,
    /// The divisions an ambiguous region name could mean.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub candidates: Vec<RegionCandidate>,
}

fn serialize_status<S: serde::Serializer>(status: &StatusCode, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_u16(status.as_u16())
}

impl ApiError {
    pub fn new(status: StatusCode, message: impl Into<String>) -> Self {
        ApiError {
            status,
            parameter: None,
            message: message.into(),
            candidates: Vec::new(),
        }
    }

    /// A 400 that names the parameter at fault.
    pub fn bad_parameter(parameter: impl Into<String>, message: impl Into<String>) -> Self {
        ApiError {
            parameter: Some(parameter.into()),
            ..ApiError::new(StatusCode::BAD_REQUEST, message)
        }
    }

    pub fn internal() -> Self {
        ApiError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "the server could not answer this request; see its log",
        )
    }
}

impl From<SearchError> for ApiError {
    fn from(error: SearchError) -> Self {
        let parameter = error.parameter_name().map(str::to_owned);
        match error {
            SearchError::NotFound { .. } => ApiError {
                parameter,
                ..ApiError::new(StatusCode::NOT_FOUND, error.to_string())
            },
            SearchError::AmbiguousRegion { name, candidates } => {
                let message = format!(
                    "{name:?} fits {} divisions; filter by one of their codes",
                    candidates.len()
                );
                ApiError {
                    parameter,
                    candidates,
                    ..ApiError::new(StatusCode::BAD_REQUEST, message)
                }
            }
            // The library's Display prefixes the parameter; the `parameter` field says it.
            SearchError::Query { message } | SearchError::Parameter { message, .. } => ApiError {
                parameter,
                ..ApiError::new(StatusCode::BAD_REQUEST, message)
            },
            SearchError::Index(source) => {
                tracing::error!(error = %source, "index error");
                ApiError::internal()
            }
        }
    }
}

#[derive(Serialize)]
struct Envelope<'a> {
    error: &'a ApiError,
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        (self.status, Json(Envelope { error: &self })).into_response()
    }
}

/// The answer for a path no route serves.
pub async fn not_found() -> ApiError {
    ApiError::new(StatusCode::NOT_FOUND, "no such page or API route")
}

/// The answer for a known path asked with a method it does not serve.
pub async fn method_not_allowed() -> ApiError {
    ApiError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        "this route answers only GET and HEAD",
    )
}

/// Turns a panic in a handler into a JSON 500 so that the connection still gets an answer.
pub fn panic_response(panic: Box<dyn Any + Send + 'static>) -> Response {
    let detail = panic
        .downcast_ref::<String>()
        .map(String::as_str)
        .or_else(|| panic.downcast_ref::<&str>().copied())
        .unwrap_or("unknown panic");
    tracing::error!(panic = detail, "handler panicked");
    ApiError::internal().into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parameter_errors_name_the_parameter() {
        let error = ApiError::from(SearchError::parameter("year", "bad year"));
        assert_eq!(error.status, StatusCode::BAD_REQUEST);
        assert_eq!(error.parameter.as_deref(), Some("year"));
        let json = serde_json::to_value(&error).unwrap();
        assert_eq!(json["status"], 400);
        assert!(json.get("candidates").is_none());
    }

    #[test]
    fn not_found_is_404() {
        let error = ApiError::from(SearchError::NotFound { id: "x".into() });
        assert_eq!(error.status, StatusCode::NOT_FOUND);
    }
}
