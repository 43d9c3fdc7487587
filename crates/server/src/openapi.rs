//! The OpenAPI 3.1 description of every route, written by hand next to the routes and
//! checked against them by the tests below.

use axum::http::header::CONTENT_TYPE;
use axum::response::IntoResponse;

/// The document as served at `/api/openapi.json`.
pub const DOCUMENT: &str = include_str!("openapi.json");

pub async fn document() -> impl IntoResponse {
    ([(CONTENT_TYPE, "application/json")], DOCUMENT)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::Value;

    fn document() -> Value {
        serde_json::from_str(DOCUMENT).expect("openapi.json is JSON")
    }

    #[test]
    fn lists_every_route_and_nothing_else() {
        let doc = document();
        assert!(doc["openapi"].as_str().unwrap().starts_with("3.1"));
        let paths = doc["paths"].as_object().expect("paths");
        let mut routes = crate::route_paths();
        routes.sort_unstable();
        let mut listed: Vec<&str> = paths.keys().map(String::as_str).collect();
        listed.sort_unstable();
        assert_eq!(listed, routes);
    }

    #[test]
    fn every_query_parameter_is_described() {
        let doc = document();
        let described = |path: &str| -> Vec<String> {
            doc["paths"][path]["get"]["parameters"]
                .as_array()
                .into_iter()
                .flatten()
                .filter(|p| p["in"] == "query" || p.get("$ref").is_some())
                .map(|p| {
                    let p = resolve(&doc, p);
                    p["name"].as_str().unwrap().to_owned()
                })
                .collect()
        };
        for (path, accepted) in [
            ("/api/search", crate::params::SEARCH_PARAMETERS),
            ("/api/stats", crate::params::STATS_PARAMETERS),
            ("/api/plans", crate::params::PLANS_PARAMETERS),
        ] {
            let mut names = described(path);
            names.sort();
            let mut expected: Vec<_> = accepted.iter().map(|s| s.to_string()).collect();
            expected.sort();
            assert_eq!(names, expected, "{path}");
        }
    }

    #[test]
    fn every_reference_resolves() {
        let doc = document();
        let mut refs = Vec::new();
        collect_refs(&doc, &mut refs);
        assert!(!refs.is_empty());
        for r in refs {
            let pointer = r.strip_prefix('#').expect("local reference");
            assert!(doc.pointer(pointer).is_some(), "{r} does not resolve");
        }
    }

    fn resolve<'a>(doc: &'a Value, value: &'a Value) -> &'a Value {
        match value.get("$ref").and_then(Value::as_str) {
            Some(r) => doc
                .pointer(r.trim_start_matches('#'))
                .expect("reference resolves"),
            None => value,
        }
    }

    fn collect_refs(value: &Value, refs: &mut Vec<String>) {
        match value {
            Value::Object(map) => {
                for (key, v) in map {
                    match (key.as_str(), v) {
                        ("$ref", Value::String(r)) => refs.push(r.clone()),
                        _ => collect_refs(v, refs),
                    }
                }
            }
            Value::Array(list) => list.iter().for_each(|v| collect_refs(v, refs)),
            _ => {}
        }
    }
}
