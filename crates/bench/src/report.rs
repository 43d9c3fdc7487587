//! The report: one markdown table set on stdout (also saved as results.md) and the same
//! numbers as JSON in results.json.

use std::fmt::Write as _;
use std::path::Path;

use anyhow::{Context, Result};
use serde::Serialize;

use crate::harness::http::HttpOutcome;
use crate::harness::indexing::{BuildResult, Fidelity};
use crate::harness::queries::QueryResult;
use crate::harness::sqlite::SqliteResult;
use crate::harness::{FILTER_PROVINCE_NAME, FILTER_YEARS};
use crate::synth::CorpusInfo;
use crate::targets::TargetCheck;
use crate::RunArgs;

#[derive(Debug, Clone, Serialize)]
pub struct Machine {
    pub cores: usize,
    pub memory_gb: f64,
    pub cpu: String,
    pub os: String,
}

impl Machine {
    pub fn detect() -> Machine {
        let cores = std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(1);
        let meminfo = std::fs::read_to_string("/proc/meminfo").unwrap_or_default();
        let memory_kb: f64 = meminfo
            .lines()
            .find_map(|l| l.strip_prefix("MemTotal:"))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
            .unwrap_or(0.0);
        let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
        let cpu = cpuinfo
            .lines()
            .find_map(|l| {
                l.strip_prefix("model name")
                    .and_then(|v| v.split_once(':'))
                    .map(|(_, v)| v.trim().to_owned())
            })
            .unwrap_or_else(|| "unknown CPU".to_owned());
        Machine {
            cores,
            memory_gb: memory_kb / 1024.0 / 1024.0,
            cpu,
            os: format!("{} {}", std::env::consts::OS, std::env::consts::ARCH),
        }
    }

    pub fn describe(&self) -> String {
        format!(
            "machine: {} cores, {:.1} GiB memory, {} ({})",
            self.cores, self.memory_gb, self.cpu, self.os
        )
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Results {
    pub machine: Machine,
    pub corpus: CorpusInfo,
    pub rounds: usize,
    pub budget_seconds: f64,
    pub fidelity: Option<Fidelity>,
    pub indexing: Vec<BuildResult>,
    pub queries: Vec<QueryResult>,
    pub sqlite: Option<SqliteResult>,
    pub http: HttpOutcome,
    pub total_seconds: f64,
    /// The national-scale targets against this run.
    pub targets: Vec<TargetCheck>,
}

impl Results {
    pub fn new(machine: Machine, corpus: CorpusInfo, args: &RunArgs) -> Results {
        Results {
            machine,
            corpus,
            rounds: args.rounds,
            budget_seconds: args.budget,
            fidelity: None,
            indexing: Vec::new(),
            queries: Vec::new(),
            sqlite: None,
            http: HttpOutcome::default(),
            total_seconds: 0.0,
            targets: Vec::new(),
        }
    }
}

pub fn write(results: &Results, out: &Path) -> Result<()> {
    let markdown = markdown(results);
    println!("\n{markdown}");
    let json = serde_json::to_string_pretty(results)?;
    // results.* is the latest run; results-<items>.* keeps one run of each size.
    let sized = format!("results-{}", results.corpus.items_requested);
    for stem in ["results", sized.as_str()] {
        let (md, js) = (
            out.join(format!("{stem}.md")),
            out.join(format!("{stem}.json")),
        );
        std::fs::write(&md, &markdown).with_context(|| format!("writing {}", md.display()))?;
        std::fs::write(&js, &json).with_context(|| format!("writing {}", js.display()))?;
    }
    println!(
        "results: {} and {}",
        out.join("results.md").display(),
        out.join("results.json").display()
    );
    Ok(())
}

fn markdown(r: &Results) -> String {
    let mut s = String::new();
    let c = &r.corpus;
    let _ = writeln!(s, "# edusearch benchmark\n");
    let _ = writeln!(
        s,
        "{} cores, {:.1} GiB memory, {} · corpus: {} plans, {} items ({} entries with preambles), {:.1} MB of plan files, {:.1} MB of item text, seed {} · total run {:.0} s\n",
        r.machine.cores,
        r.machine.memory_gb,
        r.machine.cpu,
        c.plans,
        c.items,
        c.entries,
        c.plan_bytes as f64 / 1e6,
        c.text_bytes as f64 / 1e6,
        c.seed,
        r.total_seconds
    );
    if let Some(f) = &r.fidelity {
        let _ = writeln!(
            s,
            "Plan files read back ({} plans): {}/{} items identical to the records, {} regions and {} years as written, {} warnings.\n",
            f.plans_checked, f.items_identical, f.items_written, f.regions_matching, f.years_matching, f.warnings
        );
    }

    let _ = writeln!(
        s,
        "## Targets (stated for 1.5 M items on 2 cores)\n\n| target | wanted | measured | met |\n|---|---|---|---|"
    );
    for t in &r.targets {
        let met = match t.met {
            Some(true) => "yes",
            Some(false) => "**no**",
            None => "—",
        };
        let _ = writeln!(
            s,
            "| {} | {} | {} | {met} |",
            t.target, t.wanted, t.measured
        );
    }
    let _ = writeln!(s);

    let _ = writeln!(s, "## Indexing\n");
    let _ = writeln!(s, "| from | wall | of which reading | items/s | MB/s | peak RSS | index size | index ÷ plan text | index ÷ item text |");
    let _ = writeln!(s, "|---|---:|---:|---:|---:|---:|---:|---:|---:|");
    for b in &r.indexing {
        let _ = writeln!(
            s,
            "| {} | {:.1} s | {:.1} s | {:.0} | {:.1} | {:.0} MiB | {:.1} MB | {:.2}× | {:.2}× |",
            b.source,
            b.child.seconds,
            b.child.read_seconds,
            b.items_per_second,
            b.mb_per_second,
            b.peak_rss_mib,
            b.index_bytes as f64 / 1e6,
            b.index_to_plan_text,
            b.index_to_item_text
        );
    }

    let threads = r.queries.first().map_or(1, |q| q.search_threads);
    let _ = writeln!(
        s,
        "\n## Queries (in process, one at a time, each searched by {threads} threads, then by 1; facets on, top 10; filters = region {FILTER_PROVINCE_NAME} + year {}..{})\n",
        FILTER_YEARS.0, FILTER_YEARS.1
    );
    let sqlite = r.sqlite.as_ref();
    if sqlite.is_some() {
        let _ = writeln!(s, "| query | kind | hits | edusearch p50 | p95 | p99 | 1 thread p50 | 1 thread p95 | 1 thread p99 | FTS5 p50 | p95 | p99 | FTS5 ÷ edusearch on 1 thread (p50) | FTS5 text method | same results |");
        let _ = writeln!(
            s,
            "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---|"
        );
    } else {
        let _ = writeln!(
            s,
            "| query | kind | hits | p50 | p95 | p99 | 1 thread p50 | 1 thread p95 | 1 thread p99 |"
        );
        let _ = writeln!(s, "|---|---|---:|---:|---:|---:|---:|---:|---:|");
    }
    for (i, q) in r.queries.iter().enumerate() {
        let e = &q.latency;
        let _ = write!(
            s,
            "| {} | {} | {} | {:.2} ms | {:.2} ms | {:.2} ms | {:.2} ms | {:.2} ms | {:.2} ms |",
            q.label.replace('|', "\\|"),
            q.case.kind,
            q.total,
            e.p50_ms,
            e.p95_ms,
            e.p99_ms,
            q.one_thread.p50_ms,
            q.one_thread.p95_ms,
            q.one_thread.p99_ms
        );
        if let Some(f) = sqlite.and_then(|x| x.cases.get(i)) {
            let same = match (f.check.ok(), f.check.ids_equal) {
                (true, Some(true)) => "yes (ids, counts, facets)".to_owned(),
                (true, None) => "counts and facets (ids not compared: > 20k)".to_owned(),
                _ => format!(
                    "**NO**: total {}/{}, {} only edusearch, {} only FTS5",
                    q.total, f.total, f.check.only_edusearch, f.check.only_sqlite
                ),
            };
            let _ = write!(
                s,
                " {:.2} ms | {:.2} ms | {:.2} ms | {:.1}× | {} | {} |",
                f.latency.p50_ms,
                f.latency.p95_ms,
                f.latency.p99_ms,
                f.times_slower_than(q),
                f.method,
                same
            );
        }
        let _ = writeln!(s);
    }
    let _ = writeln!(
        s,
        "\nedusearch: up to {} timed runs or {:.0} s per query after 3 warm-up runs; percentiles by nearest rank.",
        r.rounds, r.budget_seconds
    );
    let _ = writeln!(
        s,
        "\n### Where the time goes (p50 on {threads} threads)\n\n\
         The same queries with an empty page (`limit=0`): the exact total and facet counts \
         without ranking, then the total alone.\n\n\
         | query | hits | top 10, total, facets | total and facets | total alone |\n\
         |---|---:|---:|---:|---:|"
    );
    for q in &r.queries {
        let _ = writeln!(
            s,
            "| {} | {} | {:.2} ms | {:.2} ms | {:.2} ms |",
            q.label.replace('|', "\\|"),
            q.total,
            q.latency.p50_ms,
            q.counts_only.p50_ms,
            q.total_only.p50_ms
        );
    }
    if let Some(f) = sqlite {
        let _ = writeln!(
            s,
            "FTS5: SQLite {}, trigram tokenizer over the folded item text (title + body + units), loaded in {:.1} s, {:.1} MB; \
             terms of < 3 characters cannot use trigrams and are matched with LIKE '%…%' (a scan of every row); \
             facets are GROUP BY over the matched rows (province/city/county, year, unit), each facet without its own filter.",
            f.sqlite_version,
            f.build_seconds,
            f.db_bytes as f64 / 1e6
        );
    }

    let _ = writeln!(
        s,
        "\n## HTTP (`edusearch serve`, wrk 2 threads on the same machine, facets on)\n"
    );
    match &r.http.skipped {
        Some(reason) => {
            let _ = writeln!(s, "Not measured: {reason}");
        }
        None => {
            let _ = writeln!(
                s,
                "| queries | answer cache | connections | req/s | p50 | p99 | max | errors | server RSS | of which allocated | of which mapped index |"
            );
            let _ = writeln!(s, "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
            for run in &r.http.runs {
                let _ = writeln!(
                    s,
                    "| {} | {} | {} | {:.0} | {:.2} ms | {:.2} ms | {:.1} ms | {} | {:.0} MiB | {:.0} MiB | {:.0} MiB |",
                    run.queries,
                    if run.cache { "on" } else { "off" },
                    run.connections,
                    run.requests_per_second,
                    run.p50_ms,
                    run.p99_ms,
                    run.max_ms,
                    run.errors,
                    run.server_memory.rss_mib,
                    run.server_memory.anonymous_mib,
                    run.server_memory.mapped_files_mib
                );
            }
            let _ = writeln!(
                s,
                "\nServer memory after the runs (the larger of the two servers): RSS {:.0} MiB ({:.0} MiB allocated by the server, {:.0} MiB resident pages of the index files it maps, which the page cache shares and can drop), peak {:.0} MiB. The answer cache (`serve --cache-mb`, 64 MB by default) answers a repeated request from the JSON it sent before; with it off, every request is searched.{}",
                r.http.server_memory.rss_mib,
                r.http.server_memory.anonymous_mib,
                r.http.server_memory.mapped_files_mib,
                r.http.server_peak_rss_mib,
                if r.http.wrk_installed_now {
                    " (wrk was installed for this run with apt-get.)"
                } else {
                    ""
                }
            );
        }
    }
    s
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use super::{markdown, Machine, Results};
    use crate::harness::fixtures::{latency, query};
    use crate::harness::http::HttpOutcome;
    use crate::harness::sqlite::{Check, SqliteCase, SqliteResult};
    use crate::synth::CorpusInfo;

    fn results(with_sqlite: bool) -> Results {
        let queries = vec![query("双减", 0.5, 0.6), query("学校 教师 课程", 4.2, 7.7)];
        let sqlite = with_sqlite.then(|| SqliteResult {
            build_seconds: 1.0,
            db_bytes: 1,
            sqlite_version: "3".to_owned(),
            cases: queries
                .iter()
                .map(|q| SqliteCase {
                    label: q.label.clone(),
                    method: "MATCH".to_owned(),
                    total: q.total,
                    latency: latency(100.0, 120.0),
                    check: Check::default(),
                })
                .collect(),
        });
        Results {
            machine: Machine {
                cores: 2,
                memory_gb: 23.5,
                cpu: "cpu".to_owned(),
                os: "linux".to_owned(),
            },
            corpus: CorpusInfo {
                generator_version: 1,
                seed: 1,
                items_requested: 2,
                plans: 1,
                items: 2,
                entries: 3,
                plan_bytes: 1,
                jsonl_bytes: 1,
                text_bytes: 1,
                plans_dir: PathBuf::new(),
                jsonl: PathBuf::new(),
                seed_reader: String::new(),
                seed_items: 1,
                seed_sentences: 1,
            },
            rounds: 10,
            budget_seconds: 1.0,
            fidelity: None,
            indexing: Vec::new(),
            queries,
            sqlite,
            http: HttpOutcome::default(),
            total_seconds: 1.0,
            targets: Vec::new(),
        }
    }

    /// Every row of every table has as many cells as its header, with the peer's
    /// columns and without them, so no figure lands under another's heading.
    #[test]
    fn every_table_row_has_its_headers_cells() {
        for with_sqlite in [true, false] {
            let report = markdown(&results(with_sqlite));
            let mut header: Option<usize> = None;
            let mut rows = 0;
            for line in report.lines() {
                if !line.starts_with('|') {
                    header = None;
                    continue;
                }
                // Cells: the bars between them, less the one that closes the row.
                let cells = line.matches(" | ").count() + 1;
                match header {
                    None => header = Some(cells),
                    Some(expected) if !line.starts_with("|---") => {
                        assert_eq!(cells, expected, "{line}");
                        rows += 1;
                    }
                    Some(_) => {}
                }
            }
            assert!(rows >= 4, "{report}");
            assert!(report.contains("| 1 thread p50 | 1 thread p95 | 1 thread p99 |"));
        }
    }
}
