//! End-to-end tests of the `edusearch` binary on a real index on disk.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn edusearch(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_edusearch"))
        .args(args)
        .env("NO_COLOR", "1")
        .env_remove("EDUSEARCH_INDEX")
        .output()
        .expect("run edusearch")
}

fn ok(args: &[&str]) -> String {
    let out = edusearch(args);
    assert!(
        out.status.success(),
        "{args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("utf-8 output")
}

fn corpus() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../corpus")
}

fn build_index(dir: &Path) {
    ok(&[
        "index",
        corpus().to_str().unwrap(),
        "--index",
        dir.to_str().unwrap(),
        "--quiet",
    ]);
}

fn search_ids(index: &Path, query: &str) -> Vec<String> {
    let json: serde_json::Value = serde_json::from_str(&ok(&[
        "search",
        query,
        "--json",
        "--limit",
        "200",
        "--index",
        index.to_str().unwrap(),
    ]))
    .unwrap();
    json["hits"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["id"].as_str().unwrap().to_owned())
        .collect()
}

#[test]
fn index_then_search_show_plans_stats() {
    let dir = tempfile::tempdir().unwrap();
    let index = dir.path().join("index");
    let summary = ok(&[
        "index",
        corpus().to_str().unwrap(),
        "--index",
        index.to_str().unwrap(),
    ]);
    assert!(
        summary.contains("5 file(s): 6 plans, 206 items"),
        "{summary}"
    );
    let ix = index.to_str().unwrap();

    let mut ids = search_ids(&index, "双减");
    ids.sort();
    assert_eq!(
        ids,
        [
            "000_7df3fdc0b0d15778-p1-13",
            "003_48301fe1551795f4-p1-23",
            "004_2a59dc35d15015e3-p1-9"
        ]
    );

    let text = ok(&["search", "双减", "--index", ix]);
    assert!(text.starts_with("3 entries match 双减"), "{text}");
    assert!(text.contains("深入推进“【双减】”工作"), "{text}");
    assert!(
        text.contains("region: ") && text.contains("东莞市 1"),
        "{text}"
    );

    let json: serde_json::Value = serde_json::from_str(&ok(&[
        "search", "双减", "--region", "山东", "--json", "--index", ix,
    ]))
    .unwrap();
    assert_eq!(json["total"], 1);
    assert_eq!(
        json["facets"]["region"].as_array().unwrap().len(),
        3,
        "region counts stay disjunctive"
    );

    let item = ok(&["show", "002_450f203c91f27f3e-p1-43", "--index", ix]);
    assert!(
        item.contains("规范校外培训机构发展") && item.contains("河源市教育局2021年工作要点"),
        "{item}"
    );
    let plan = ok(&["show", "004_2a59dc35d15015e3-p1", "--index", ix]);
    assert!(plan.contains("厦海教工委〔2023〕16号"), "{plan}");
    assert!(plan.contains("9. 加强培训机构常态化监管"), "{plan}");
    let plan: serde_json::Value = serde_json::from_str(&ok(&[
        "show",
        "004_2a59dc35d15015e3-p1",
        "--json",
        "--index",
        ix,
    ]))
    .unwrap();
    assert_eq!(plan["items"].as_array().unwrap().len(), 25);

    let plans = ok(&["plans", "--index", ix]);
    assert!(plans.contains("6 plans, 206 items"), "{plans}");
    let plans = ok(&["plans", "--region", "广东", "--limit", "1", "--index", ix]);
    assert!(plans.contains("2 plans, 105 items; listed 1–1"), "{plans}");
    assert!(plans.contains("市教育局2024年工作要点"), "{plans}");
    let plans: serde_json::Value = serde_json::from_str(&ok(&[
        "plans", "--year", "2021", "--offset", "2", "--json", "--index", ix,
    ]))
    .unwrap();
    assert_eq!(
        (plans["total"].as_u64(), plans["offset"].as_u64()),
        (Some(3), Some(2))
    );
    assert_eq!(plans["plans"][0]["title"], "河源市教育局2021年工作要点");
    let stats: serde_json::Value =
        serde_json::from_str(&ok(&["stats", "双减", "--json", "--index", ix])).unwrap();
    assert_eq!(stats["total_items"], 3);
    assert_eq!(stats["by_region"].as_array().unwrap().len(), 3);
    let stats: serde_json::Value = serde_json::from_str(&ok(&[
        "stats",
        "双减",
        "--by-region",
        "1",
        "--json",
        "--index",
        ix,
    ]))
    .unwrap();
    assert_eq!(stats["by_region"].as_array().unwrap().len(), 1);
}

#[test]
fn export_and_reindex_from_json_lines_gives_the_same_answers() {
    let dir = tempfile::tempdir().unwrap();
    let first = dir.path().join("first");
    build_index(&first);
    let export = dir.path().join("items.jsonl");
    ok(&[
        "export",
        "--jsonl",
        "--output",
        export.to_str().unwrap(),
        "--index",
        first.to_str().unwrap(),
    ]);
    let lines = std::fs::read_to_string(&export).unwrap();
    assert_eq!(lines.lines().count(), 206 + 5);
    let second = dir.path().join("second");
    ok(&[
        "index",
        "--items",
        export.to_str().unwrap(),
        "--index",
        second.to_str().unwrap(),
        "--quiet",
    ]);
    for query in ["双减", "课后服务", "减负", "year:2021 教师", "region:广东"] {
        assert_eq!(
            search_ids(&first, query),
            search_ids(&second, query),
            "{query}"
        );
    }
    let again = dir.path().join("again.jsonl");
    ok(&[
        "export",
        "--jsonl",
        "--output",
        again.to_str().unwrap(),
        "--index",
        second.to_str().unwrap(),
    ]);
    assert_eq!(std::fs::read_to_string(&again).unwrap(), lines);
}

#[test]
fn a_failed_rebuild_leaves_the_old_index_answering() {
    let dir = tempfile::tempdir().unwrap();
    let index = dir.path().join("index");
    build_index(&index);
    let bad = dir.path().join("bad.jsonl");
    std::fs::write(&bad, "{\"id\": \"x\"}\n").unwrap();
    let out = edusearch(&[
        "index",
        "--items",
        bad.to_str().unwrap(),
        "--index",
        index.to_str().unwrap(),
    ]);
    assert!(!out.status.success());
    let message = String::from_utf8_lossy(&out.stderr);
    assert!(message.contains("bad.jsonl:1"), "{message}");
    assert_eq!(search_ids(&index, "双减").len(), 3);
    // No staging folder is left behind.
    let leftovers: Vec<_> = std::fs::read_dir(&index)
        .unwrap()
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().starts_with(".staging"))
        .collect();
    assert!(leftovers.is_empty());

    let empty = dir.path().join("empty");
    std::fs::create_dir(&empty).unwrap();
    let out = edusearch(&[
        "index",
        empty.to_str().unwrap(),
        "--index",
        index.to_str().unwrap(),
    ]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("nothing to index"));
    assert_eq!(search_ids(&index, "双减").len(), 3);

    // A first build that fails leaves no index folder behind, not even an empty one.
    let never_built = dir.path().join("never-built");
    let out = edusearch(&[
        "index",
        "--items",
        bad.to_str().unwrap(),
        "--index",
        never_built.to_str().unwrap(),
    ]);
    assert!(!out.status.success());
    assert!(!never_built.exists());
}

#[test]
fn bad_files_are_named_and_the_rest_goes_on() {
    let dir = tempfile::tempdir().unwrap();
    let corpus_dir = dir.path().join("mixed");
    std::fs::create_dir(&corpus_dir).unwrap();
    std::fs::copy(
        corpus().join("002_450f203c91f27f3e.txt"),
        corpus_dir.join("heyuan.txt"),
    )
    .unwrap();
    std::fs::write(corpus_dir.join("empty.txt"), "").unwrap();
    std::fs::write(corpus_dir.join("scan.html"), b"%PDF-1.7\n\x00\x01binary").unwrap();
    std::fs::write(
        corpus_dir.join("notes.md"),
        "# 会议纪要\n\n今天天气很好。\n",
    )
    .unwrap();
    let index = dir.path().join("index");
    let out = edusearch(&[
        "index",
        corpus_dir.to_str().unwrap(),
        "--index",
        index.to_str().unwrap(),
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let warnings = String::from_utf8_lossy(&out.stderr);
    for name in ["empty.txt", "scan.html", "notes.md"] {
        assert!(warnings.contains(name), "no warning for {name}: {warnings}");
    }
    assert!(String::from_utf8_lossy(&out.stdout).contains("1 plans, 55 items"));

    let parsed: serde_json::Value = serde_json::from_str(&ok(&[
        "parse",
        "--json",
        corpus_dir.join("heyuan.txt").to_str().unwrap(),
    ]))
    .unwrap();
    assert_eq!(parsed["plans"][0]["region"]["city"], "河源市");
    assert_eq!(parsed["plans"][0]["items"].as_array().unwrap().len(), 55);
    let outline = ok(&[
        "parse",
        corpus().join("004_2a59dc35d15015e3.txt").to_str().unwrap(),
    ]);
    assert!(
        outline.contains("海沧区") && outline.contains("25 items"),
        "{outline}"
    );
}

/// A query may begin with an exclusion (`-双减 校外培训`): it is the query, not an
/// unknown option. A plan's preamble, which has no number, is named once by its title.
#[test]
fn a_query_may_begin_with_an_exclusion_and_a_preamble_is_named_once() {
    let dir = tempfile::tempdir().unwrap();
    let index = dir.path().join("index");
    build_index(&index);
    let ix = index.to_str().unwrap();
    let excluded_first = search_ids(&index, "-双减 校外培训");
    assert!(!excluded_first.is_empty());
    assert_eq!(excluded_first, search_ids(&index, "校外培训 -双减"));
    assert!(!search_ids(&index, "校外培训").is_empty());
    let total = |query: &str| -> u64 {
        let json: serde_json::Value =
            serde_json::from_str(&ok(&["search", query, "--json", "--index", ix])).unwrap();
        json["total"].as_u64().unwrap()
    };
    assert_eq!(total("-双减") + total("双减"), total(""));
    let stats: serde_json::Value =
        serde_json::from_str(&ok(&["stats", "-双减 校外培训", "--json", "--index", ix])).unwrap();
    assert_eq!(stats["total_items"], excluded_first.len());
    // Help is still help.
    assert!(ok(&["search", "-h"]).contains("Usage"));

    let text = ok(&["search", "成立75周年", "--index", ix]);
    assert!(text.starts_with("1 entry matches 成立75周年"), "{text}");
    let hit = text.lines().nth(2).unwrap();
    assert_eq!(hit.trim_start(), "1  总体要求  [广东省 东莞市 2024]");
    let preamble = ok(&["show", "000_7df3fdc0b0d15778-p1-pre", "--index", ix]);
    assert!(
        preamble.lines().any(|line| line == "总体要求") && !preamble.contains("总体要求 总体要求"),
        "{preamble}"
    );
}

#[test]
fn user_errors_are_clear_and_never_panic() {
    let dir = tempfile::tempdir().unwrap();
    let index = dir.path().join("index");
    let out = edusearch(&["search", "双减", "--index", index.to_str().unwrap()]);
    assert!(!out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("edusearch index"),
        "missing index says how to build one"
    );
    build_index(&index);
    let ix = index.to_str().unwrap();
    for (args, needle) in [
        (vec!["search", "\"双减", "--index", ix], "never closed"),
        (
            vec!["search", "双减", "--year", "20x1", "--index", ix],
            "year",
        ),
        (
            vec!["search", "双减", "--region", "朝阳区", "--index", ix],
            "110105",
        ),
        (
            vec!["search", "双减", "--limit", "100000", "--index", ix],
            "limit",
        ),
        (vec!["plans", "--region", "朝阳区", "--index", ix], "110105"),
        (
            vec!["plans", "--year", "2019..", "--year", "x", "--index", ix],
            "year",
        ),
        (vec!["show", "no-such-id", "--index", ix], "no item or plan"),
        (
            vec!["serve", "--search-threads", "0", "--index", ix],
            "--search-threads",
        ),
        (
            vec!["serve", "--concurrent-calls", "0", "--index", ix],
            "--concurrent-calls",
        ),
    ] {
        let out = edusearch(&args);
        assert!(!out.status.success(), "{args:?}");
        let message = String::from_utf8_lossy(&out.stderr);
        assert!(
            message.contains(needle) && !message.contains("panicked"),
            "{args:?}: {message}"
        );
    }
    // A missing input is named once, its cause once.
    let missing = dir.path().join("missing.jsonl");
    let out = edusearch(&["index", "--items", missing.to_str().unwrap(), "--index", ix]);
    assert!(!out.status.success());
    let message = String::from_utf8_lossy(&out.stderr);
    assert!(message.contains("missing.jsonl"), "{message}");
    assert_eq!(message.matches("os error").count(), 1, "{message}");
    // An index of another format version is refused with advice, not misread.
    let current = std::fs::read_to_string(index.join("CURRENT")).unwrap();
    let meta = index.join(current.trim()).join("edusearch.json");
    let mut json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&meta).unwrap()).unwrap();
    json["format_version"] = 999.into();
    std::fs::write(&meta, json.to_string()).unwrap();
    let out = edusearch(&["search", "双减", "--index", ix]);
    assert!(String::from_utf8_lossy(&out.stderr).contains("rebuild"));
}

/// `--queries` answers every line of a file (or of standard input) with one JSON line,
/// as the same query alone would be answered; a bad query gets its error on its line,
/// the others are still answered, and the exit status says one failed.
#[test]
fn many_queries_are_answered_one_json_line_each() {
    let dir = tempfile::tempdir().unwrap();
    let index = dir.path().join("index");
    build_index(&index);
    let ix = index.to_str().unwrap();
    let queries = dir.path().join("queries.txt");
    // As Windows' Notepad saves it (a byte-order mark, CRLF), with a line in GBK.
    let mut text = "\u{feff}双减\r\n\r\n\"open\r\n课后服务 year:2023\r\n"
        .as_bytes()
        .to_vec();
    text.extend_from_slice(b"\xcb\xab\xbc\xf5\r\n");
    std::fs::write(&queries, text).unwrap();

    let out = edusearch(&[
        "search",
        "--queries",
        queries.to_str().unwrap(),
        "--index",
        ix,
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("line 3"));
    let lines: Vec<serde_json::Value> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect();
    assert_eq!(lines.len(), 4, "{lines:?}");
    assert_eq!(lines[1]["query"], "\"open");
    assert_eq!(lines[1]["error"]["parameter"], "q");
    assert!(lines[3]["error"]["message"]
        .as_str()
        .unwrap()
        .contains("UTF-8"));
    for (line, query) in [(&lines[0], "双减"), (&lines[2], "课后服务 year:2023")] {
        let alone: serde_json::Value =
            serde_json::from_str(&ok(&["search", query, "--json", "--index", ix])).unwrap();
        assert_eq!(line["query"], query);
        assert_eq!(line["total"], alone["total"], "{query}");
        assert_eq!(line["hits"], alone["hits"], "{query}");
        assert_eq!(line["facets"], alone["facets"], "{query}");
    }

    let mut stats = Command::new(env!("CARGO_BIN_EXE_edusearch"))
        .args(["stats", "--queries", "-", "--by-region", "1", "--index", ix])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write as _;
    let mut stdin = stats.stdin.take().unwrap();
    stdin.write_all("双减\n课后服务\n".as_bytes()).unwrap();
    drop(stdin);
    let out = stats.wait_with_output().unwrap();
    assert!(out.status.success());
    let lines: Vec<serde_json::Value> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect();
    let totals: Vec<_> = lines
        .iter()
        .map(|l| (&l["query"], &l["total_items"]))
        .collect();
    assert_eq!(
        totals,
        [(&"双减".into(), &3.into()), (&"课后服务".into(), &3.into())]
    );
    assert!(lines
        .iter()
        .all(|l| l["by_region"].as_array().unwrap().len() == 1));
}
