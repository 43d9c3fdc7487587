//! The HTTP API over a real index of the bundled corpus, served on a real TCP port.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

use edusearch_index::{BuildOptions, IndexBuilder, SearchIndex, MAX_LIMIT, MAX_QUERY_CHARS};
use reqwest::header::{ACCEPT_ENCODING, CONTENT_ENCODING, CONTENT_SECURITY_POLICY, CONTENT_TYPE};
use reqwest::StatusCode;
use serde_json::Value;

/// Builds the corpus index once and serves it from its own runtime for every test.
fn base_url() -> &'static str {
    static BASE: OnceLock<String> = OnceLock::new();
    BASE.get_or_init(|| {
        let index = Arc::new(build_index());
        let (sender, receiver) = std::sync::mpsc::channel::<SocketAddr>();
        std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_multi_thread()
                .worker_threads(2)
                .enable_all()
                .build()
                .expect("runtime");
            runtime.block_on(async move {
                let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
                    .await
                    .expect("bind");
                sender
                    .send(listener.local_addr().expect("address"))
                    .expect("send");
                axum::serve(
                    listener,
                    edusearch_server::router(index, &edusearch_server::ServeOptions::default()),
                )
                .await
                .expect("serve");
            });
        });
        let addr = receiver.recv().expect("server address");
        format!("http://{addr}")
    })
}

fn build_index() -> SearchIndex {
    let corpus = Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../../corpus"));
    let parsed = edusearch_plans::corpus::read_corpus(corpus).expect("reading the corpus");
    assert!(!parsed.plans.is_empty(), "the corpus has plans");
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("server-api-index");
    let mut builder = IndexBuilder::create(&dir, &BuildOptions::default()).expect("builder");
    for plan in &parsed.plans {
        builder.add_plan(plan).expect("adding a plan");
    }
    builder.commit().expect("commit");
    SearchIndex::open(&dir).expect("opening the index")
}

async fn get(path_and_query: &str) -> (StatusCode, Value) {
    let response = reqwest::get(format!("{}{path_and_query}", base_url()))
        .await
        .expect("request");
    let status = response.status();
    let body = response.text().await.expect("body");
    let json = serde_json::from_str(&body)
        .unwrap_or_else(|e| panic!("{path_and_query}: not JSON ({e}): {body}"));
    (status, json)
}

async fn ok(path_and_query: &str) -> Value {
    let (status, json) = get(path_and_query).await;
    assert_eq!(status, StatusCode::OK, "{path_and_query}: {json}");
    json
}

/// Asserts a 400 whose error names `parameter`, and returns the error object.
async fn bad(path_and_query: &str, parameter: &str) -> Value {
    let (status, json) = get(path_and_query).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{path_and_query}: {json}");
    let error = &json["error"];
    assert_eq!(error["parameter"], parameter, "{path_and_query}: {json}");
    assert!(
        !error["message"].as_str().unwrap_or("").is_empty(),
        "{path_and_query}: no message"
    );
    error.clone()
}

fn encode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

fn ids(answer: &Value) -> Vec<String> {
    answer["hits"]
        .as_array()
        .expect("hits")
        .iter()
        .map(|h| h["id"].as_str().expect("id").to_owned())
        .collect()
}

fn facet_sum(facet: &Value) -> u64 {
    facet
        .as_array()
        .expect("facet values")
        .iter()
        .map(|v| v["count"].as_u64().expect("count"))
        .sum()
}

fn shuangjian() -> String {
    format!("/api/search?q={}", encode("双减"))
}

#[tokio::test]
async fn shuangjian_finds_three_items_with_consistent_facets() {
    let answer = ok(&shuangjian()).await;
    assert_eq!(answer["total"], 3, "{answer}");
    let mut found = ids(&answer);
    found.sort();
    assert_eq!(found.len(), 3);
    let mut expected = Vec::new();
    for (file, number) in [("000_", 13), ("003_", 23), ("004_", 9)] {
        let id = found
            .iter()
            .find(|id| id.starts_with(file))
            .unwrap_or_else(|| panic!("no hit from {file}: {found:?}"));
        assert!(id.ends_with(&format!("-{number}")), "{id}");
        expected.push(id.clone());
    }
    for hit in answer["hits"].as_array().unwrap() {
        let marked = format!("{}{}", hit["snippet"], hit["title_marked"]);
        assert!(marked.contains("<mark>"), "{hit}");
    }
    let facets = &answer["facets"];
    assert_eq!(facet_sum(&facets["region"]), 3, "{facets}");
    assert_eq!(facet_sum(&facets["year"]), 3, "{facets}");
    // An item may list several units, or none: each value counts at most every hit.
    for unit in facets["unit"].as_array().unwrap() {
        assert!(unit["count"].as_u64().unwrap() <= 3);
    }
}

#[tokio::test]
async fn region_filter_narrows_hits_but_keeps_region_counts() {
    let all = ok(&shuangjian()).await;
    let provinces = all["facets"]["region"].as_array().unwrap().clone();
    let first = &provinces[0];
    let code = first["code"].as_str().unwrap();
    let narrowed = ok(&format!("{}&region={code}", shuangjian())).await;
    assert_eq!(narrowed["total"], first["count"], "{narrowed}");
    assert!(narrowed["total"].as_u64().unwrap() < 3);
    // Disjunctive: the region facet still counts every region as if unfiltered.
    let counts = |facet: &Value| -> Vec<(String, u64)> {
        facet
            .as_array()
            .unwrap()
            .iter()
            .map(|v| {
                (
                    v["code"].as_str().unwrap().to_owned(),
                    v["count"].as_u64().unwrap(),
                )
            })
            .collect()
    };
    assert_eq!(
        counts(&narrowed["facets"]["region"]),
        counts(&all["facets"]["region"])
    );
    let selected: Vec<_> = narrowed["facets"]["region"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|v| v["selected"] == true)
        .collect();
    assert_eq!(selected.len(), 1);
    assert_eq!(selected[0]["code"], code);
    // Other dimensions follow the filter.
    assert_eq!(
        facet_sum(&narrowed["facets"]["year"]),
        narrowed["total"].as_u64().unwrap()
    );

    // Two values of one facet mean either.
    let second = provinces[1]["code"].as_str().unwrap();
    let either = ok(&format!("{}&region={code}&region={second}", shuangjian())).await;
    assert_eq!(
        either["total"].as_u64().unwrap(),
        first["count"].as_u64().unwrap() + provinces[1]["count"].as_u64().unwrap()
    );
}

#[tokio::test]
async fn year_filters_and_ranges() {
    let all = ok(&shuangjian()).await;
    let years: Vec<i64> = all["facets"]["year"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|y| y["value"].as_i64())
        .collect();
    assert!(!years.is_empty());
    let year = years[0];
    let one = ok(&format!("{}&year={year}", shuangjian())).await;
    assert!(one["total"].as_u64().unwrap() >= 1);
    for hit in one["hits"].as_array().unwrap() {
        assert_eq!(hit["year"], year);
    }
    let (low, high) = (years.iter().min().unwrap(), years.iter().max().unwrap());
    let range = ok(&format!("{}&year={low}..{high}", shuangjian())).await;
    let with_year = all["hits"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|h| h["year"].is_i64())
        .count();
    assert_eq!(range["total"].as_u64().unwrap() as usize, with_year);
    let none = ok(&format!("{}&year=1950..1960", shuangjian())).await;
    assert_eq!(none["total"], 0);
}

#[tokio::test]
async fn empty_query_browses_and_pages() {
    let first = ok("/api/search?limit=5").await;
    let total = first["total"].as_u64().unwrap();
    assert!(total > 5);
    assert_eq!(first["hits"].as_array().unwrap().len(), 5);
    let second = ok("/api/search?limit=5&offset=5&facets=false").await;
    assert_eq!(second["total"], total);
    assert!(second.get("facets").is_none());
    let (a, b) = (ids(&first), ids(&second));
    assert!(a.iter().all(|id| !b.contains(id)));
    let by_year = ok("/api/search?sort=year&limit=3").await;
    assert_eq!(by_year["total"], total);
}

#[tokio::test]
async fn search_rejects_bad_parameters_by_name() {
    bad("/api/search?limit=abc", "limit").await;
    bad(&format!("/api/search?limit={}", MAX_LIMIT + 1), "limit").await;
    bad("/api/search?limit=100000", "limit").await;
    bad("/api/search?offset=-3", "offset").await;
    bad("/api/search?year=20x1", "year").await;
    bad("/api/search?year=2023..2019", "year").await;
    bad("/api/search?sort=foo", "sort").await;
    bad("/api/search?facets=perhaps", "facets").await;
    bad("/api/search?colour=red", "colour").await;
    bad("/api/search?q=a&q=b", "q").await;
    let long = "教".repeat(MAX_QUERY_CHARS + 1);
    bad(&format!("/api/search?q={}", encode(&long)), "q").await;
    bad(&format!("/api/search?q={}", encode("\"双减")), "q").await;
    let error = bad(
        &format!("/api/search?region={}", encode("朝阳区")),
        "region",
    )
    .await;
    let candidates = error["candidates"].as_array().expect("candidates");
    assert!(candidates.len() >= 2, "{error}");
    for candidate in candidates {
        assert!(candidate["code"].as_str().unwrap().len() == 6);
        assert!(candidate["name"].as_str().unwrap().contains("朝阳区"));
    }
}

#[tokio::test]
async fn stats_counts_items_per_year() {
    let stats = ok(&format!("/api/stats?q={}", encode("双减"))).await;
    assert_eq!(stats["total_items"], 3, "{stats}");
    let per_year: u64 = stats["by_year"]
        .as_array()
        .unwrap()
        .iter()
        .map(|y| y["items"].as_u64().unwrap())
        .sum();
    assert_eq!(per_year, 3);
    let per_region: u64 = stats["by_region"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["items"].as_u64().unwrap())
        .sum();
    assert_eq!(per_region, 3);

    // The regions of most items, as many as asked for; none for a chart by year.
    let one = ok(&format!("/api/stats?q={}&by_region=1", encode("双减"))).await;
    assert_eq!(one["by_region"].as_array().unwrap().len(), 1);
    assert_eq!(one["by_region"][0], stats["by_region"][0]);
    assert_eq!(one["by_year"], stats["by_year"]);
    let none = ok(&format!("/api/stats?q={}&by_region=0", encode("双减"))).await;
    assert_eq!(none["by_region"].as_array().unwrap().len(), 0);
    assert_eq!(none["total_items"], 3);

    bad("/api/stats?by_region=all", "by_region").await;
    bad("/api/stats?year=20x1", "year").await;
    bad("/api/stats?limit=5", "limit").await;
    bad(&format!("/api/stats?q={}", encode("\"open")), "q").await;
    bad(&format!("/api/stats?region={}", encode("朝阳区")), "region").await;
}

#[tokio::test]
async fn items_and_plans() {
    let list = ok("/api/plans").await;
    let plans = list["plans"].as_array().expect("a list of plans");
    assert_eq!(list["total"].as_u64(), Some(plans.len() as u64));
    assert!(plans.len() >= 5);
    let plan_id = plans[0]["id"].as_str().unwrap();
    let plan = ok(&format!("/api/plans/{plan_id}")).await;
    assert_eq!(plan["id"], plan_id);
    let items = plan["items"].as_array().unwrap();
    assert_eq!(items.len() as u64, plans[0]["items"].as_u64().unwrap());
    assert!(plan["sections"].is_array());

    let item_id = items[0]["id"].as_str().unwrap();
    let item = ok(&format!("/api/items/{item_id}")).await;
    assert_eq!(item["id"], item_id);
    assert_eq!(item["plan_id"], plan_id);
    assert_eq!(item["kind"], "item");

    for path in [
        "/api/items/no-such-item",
        "/api/plans/no-such-plan",
        &format!("/api/items/{}", encode("不存在")),
    ] {
        let (status, json) = get(path).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{path}: {json}");
        assert_eq!(json["error"]["parameter"], "id");
    }
    bad(&format!("/api/plans/{plan_id}?x=1"), "x").await;
    bad("/api/plans?page=2", "page").await;
}

#[tokio::test]
async fn plans_are_listed_by_region_and_year_a_page_at_a_time() {
    let all = ok("/api/plans").await;
    let total = all["total"].as_u64().unwrap();
    let ids = |list: &Value| -> Vec<String> {
        let plans = list["plans"].as_array().unwrap();
        plans
            .iter()
            .map(|p| p["id"].as_str().unwrap().to_owned())
            .collect()
    };

    let guangdong = ok(&format!(
        "/api/plans?region={}&year=2019..2023",
        encode("广东")
    ))
    .await;
    let plans = guangdong["plans"].as_array().unwrap();
    assert_eq!(guangdong["total"], 1, "{guangdong}");
    assert_eq!(plans[0]["region"]["city"], "河源市");
    assert_eq!(guangdong["items"], plans[0]["items"]);

    // Two provinces, then the same list a plan at a time.
    let both = format!("/api/plans?region=440000&region={}", encode("福建"));
    let whole = ok(&both).await;
    assert_eq!(whole["total"], 3, "{whole}");
    let mut paged = Vec::new();
    for offset in 0..4 {
        let page = ok(&format!("{both}&limit=1&offset={offset}")).await;
        assert_eq!(page["total"], 3);
        assert_eq!(page["offset"], offset);
        paged.extend(ids(&page));
    }
    assert_eq!(paged, ids(&whole));
    assert!(ids(&all).starts_with(&ids(&ok("/api/plans?limit=2").await)));
    assert_eq!(ok("/api/plans?limit=0").await["total"], total);

    bad("/api/plans?limit=1001", "limit").await;
    bad("/api/plans?offset=-1", "offset").await;
    bad("/api/plans?year=20x1", "year").await;
    bad(&format!("/api/plans?region={}", encode("朝阳区")), "region").await;
    bad("/api/plans?q=1", "q").await;
}

#[tokio::test]
async fn health_reports_the_index() {
    let health = ok("/healthz").await;
    assert_eq!(health["status"], "ok");
    assert!(health["plans"].as_u64().unwrap() >= 5);
    assert!(health["items"].as_u64().unwrap() > 50);
    assert!(health["built_at"].is_string());
}

#[tokio::test]
async fn unknown_routes_and_methods_are_json_errors() {
    let (status, json) = get("/api/nothing").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(json["error"]["message"].is_string());

    let response = reqwest::Client::new()
        .post(format!("{}/api/search", base_url()))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::METHOD_NOT_ALLOWED);
    let json: Value = response.json().await.unwrap();
    assert!(json["error"]["message"].is_string());
}

#[tokio::test]
async fn oversized_requests_are_refused() {
    let client = reqwest::Client::new();
    let long = format!(
        "{}/api/search?q={}",
        base_url(),
        "a".repeat(edusearch_server::MAX_URI_BYTES)
    );
    let response = client.get(long).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::URI_TOO_LONG);

    let response = client
        .get(format!("{}/api/search", base_url()))
        .header(
            "x-padding",
            "p".repeat(edusearch_server::MAX_HEADER_BYTES + 1),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(
        response.status(),
        StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE
    );

    let response = client
        .post(format!("{}/api/search", base_url()))
        .body(vec![b'x'; edusearch_server::MAX_BODY_BYTES + 1])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::PAYLOAD_TOO_LARGE);
}

#[tokio::test]
async fn openapi_lists_every_route() {
    let doc = ok("/api/openapi.json").await;
    assert!(doc["openapi"].as_str().unwrap().starts_with("3.1"));
    for path in edusearch_server::route_paths() {
        let operation = &doc["paths"][path]["get"];
        assert!(operation.is_object(), "{path} is not described");
        assert!(
            operation["responses"]["200"].is_object(),
            "{path} has no 200"
        );
    }
}

#[tokio::test]
async fn answers_are_gzipped_when_asked() {
    let response = reqwest::Client::new()
        .get(format!("{}/api/plans", base_url()))
        .header(ACCEPT_ENCODING, "gzip")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()[CONTENT_ENCODING], "gzip");
    let bytes = response.bytes().await.unwrap();
    assert_eq!(&bytes[..2], &[0x1f, 0x8b], "gzip magic");
}

#[tokio::test]
async fn the_page_is_served_with_a_strict_policy() {
    let client = reqwest::Client::new();
    let response = client.get(format!("{}/", base_url())).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert!(response.headers()[CONTENT_TYPE]
        .to_str()
        .unwrap()
        .starts_with("text/html"));
    let policy = response.headers()[CONTENT_SECURITY_POLICY]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(policy.contains("default-src 'self'"), "{policy}");
    let html = response.text().await.unwrap();
    assert!(html.contains("app.js") && html.contains("style.css"));
    // The page loads nothing from another host.
    assert!(!html.contains("http://") && !html.contains("https://") && !html.contains("//cdn"));

    for (path, kind) in [("/app.js", "text/javascript"), ("/style.css", "text/css")] {
        let response = client
            .get(format!("{}{path}", base_url()))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::OK);
        assert!(response.headers()[CONTENT_TYPE]
            .to_str()
            .unwrap()
            .starts_with(kind));
    }
}

#[tokio::test]
async fn a_repeated_search_is_answered_from_the_cache_with_the_same_body() {
    // A query no other test asks, so the first answer is computed here.
    let path = format!("/api/search?q={}&year=2021&limit=3", encode("学校"));
    let fetch = |path: String| async move {
        let response = reqwest::get(format!("{}{path}", base_url()))
            .await
            .expect("request");
        assert_eq!(response.status(), StatusCode::OK);
        let cache = response.headers()["x-edusearch-cache"]
            .to_str()
            .unwrap()
            .to_owned();
        assert_eq!(response.headers()[CONTENT_TYPE], "application/json");
        (cache, response.text().await.expect("body"))
    };
    let (first_cache, first) = fetch(path.clone()).await;
    let (second_cache, second) = fetch(path.clone()).await;
    assert_eq!(
        (first_cache.as_str(), second_cache.as_str()),
        ("miss", "hit")
    );
    assert_eq!(first, second);
    // Another page is another answer.
    let (other_cache, other) = fetch(format!("{path}&offset=3")).await;
    assert_eq!(other_cache, "miss");
    assert_ne!(first, other);
}
