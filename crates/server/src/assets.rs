//! The web page: files from `web/` embedded in the binary, served with their content
//! types and a Content-Security-Policy that lets the page talk to this server only.

use axum::http::header::{
    CACHE_CONTROL, CONTENT_SECURITY_POLICY, CONTENT_TYPE, REFERRER_POLICY, X_CONTENT_TYPE_OPTIONS,
    X_FRAME_OPTIONS,
};
use axum::response::IntoResponse;
use axum::routing::{get, MethodRouter};

macro_rules! web_file {
    ($name:literal) => {
        include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/../../web/", $name))
    };
}

/// Everything from this origin, nothing from anywhere else; no inline script or style,
/// so an injected snippet could not run even if escaping failed.
pub const CONTENT_SECURITY_POLICY_VALUE: &str = "default-src 'self'; script-src 'self'; \
     style-src 'self'; img-src 'self'; connect-src 'self'; font-src 'self'; object-src 'none'; \
     base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

struct Asset {
    path: &'static str,
    content_type: &'static str,
    body: &'static str,
}

const ASSETS: &[Asset] = &[
    Asset {
        path: "/",
        content_type: "text/html; charset=utf-8",
        body: web_file!("index.html"),
    },
    Asset {
        path: "/app.js",
        content_type: "text/javascript; charset=utf-8",
        body: web_file!("app.js"),
    },
    Asset {
        path: "/style.css",
        content_type: "text/css; charset=utf-8",
        body: web_file!("style.css"),
    },
    Asset {
        path: "/favicon.svg",
        content_type: "image/svg+xml",
        body: web_file!("favicon.svg"),
    },
];

/// The page's routes.
pub fn routes() -> Vec<(&'static str, MethodRouter<crate::AppState>)> {
    ASSETS
        .iter()
        .map(|asset| {
            let handler = move || async move {
                (
                    [
                        (CONTENT_TYPE, asset.content_type),
                        (CONTENT_SECURITY_POLICY, CONTENT_SECURITY_POLICY_VALUE),
                        (X_CONTENT_TYPE_OPTIONS, "nosniff"),
                        (X_FRAME_OPTIONS, "DENY"),
                        (REFERRER_POLICY, "no-referrer"),
                        // Embedded files change only with the binary; revalidate cheaply.
                        (CACHE_CONTROL, "no-cache"),
                    ],
                    asset.body,
                )
                    .into_response()
            };
            (asset.path, get(handler))
        })
        .collect()
}
