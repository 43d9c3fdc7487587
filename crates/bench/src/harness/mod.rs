//! The benchmark run: corpus, then indexing, queries, SQLite FTS5 and HTTP, each in
//! its own module, then one report. Also the query mix and the latency statistics that
//! the engines share.

#[cfg(test)]
pub mod fixtures;
pub mod http;
pub mod indexing;
pub mod queries;
pub mod sqlite;

use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use edusearch_index::{SearchRequest, YearFilter};
use serde::Serialize;

use crate::report::{self, Machine, Results};
use crate::synth;
use crate::RunArgs;

/// The filter every "filtered" case adds: one province and a five-year range.
pub const FILTER_PROVINCE: &str = "440000";
pub const FILTER_PROVINCE_NAME: &str = "广东省";
pub const FILTER_YEARS: (i32, i32) = (2019, 2023);

/// One query of the fixed mix, in both engines' terms.
#[derive(Debug, Clone, Serialize)]
pub struct Case {
    /// What the case exercises ("single word", "exclusion", …).
    pub kind: &'static str,
    /// The query string as a user types it (without the filters).
    pub query: String,
    /// Region and year filters on.
    pub filtered: bool,
    /// Normalised terms that must all occur.
    pub required: Vec<String>,
    /// Normalised terms that must not occur.
    pub excluded: Vec<String>,
}

impl Case {
    pub fn label(&self) -> String {
        let query = if self.query.is_empty() {
            "(browse)"
        } else {
            &self.query
        };
        if self.filtered {
            format!("{query} +filters")
        } else {
            query.to_owned()
        }
    }

    pub fn request(&self) -> SearchRequest {
        let mut request = SearchRequest::new(self.query.clone());
        request.facets = true;
        request.limit = 10;
        if self.filtered {
            request.regions = vec![FILTER_PROVINCE.to_owned()];
            if !self.required.is_empty() || !self.excluded.is_empty() {
                request.years = vec![YearFilter::Range(FILTER_YEARS.0, FILTER_YEARS.1)];
            }
        }
        request
    }

    /// Whether the year filter applies (the browse case filters by province only).
    pub fn year_filtered(&self) -> bool {
        self.filtered && (!self.required.is_empty() || !self.excluded.is_empty())
    }
}

/// The fixed mix: each text query with and without filters, all with facet counts, and
/// a browse with no query, of everything and by province.
pub fn mix() -> Vec<Case> {
    let text: [(&str, &str, &[&str], &[&str]); 8] = [
        ("single word", "双减", &["双减"], &[]),
        ("single word", "课后服务", &["课后服务"], &[]),
        ("single word", "劳动教育", &["劳动教育"], &[]),
        ("inside a word", "减负", &["减负"], &[]),
        (
            "phrase",
            "\"义务教育 优质均衡\"",
            &["义务教育优质均衡"],
            &[],
        ),
        (
            "two terms",
            "劳动教育 心理健康",
            &["劳动教育", "心理健康"],
            &[],
        ),
        (
            "three terms",
            "学校 教师 课程",
            &["学校", "教师", "课程"],
            &[],
        ),
        ("exclusion", "校外培训 -双减", &["校外培训"], &["双减"]),
    ];
    let mut cases = Vec::new();
    for (kind, query, required, excluded) in text {
        for filtered in [false, true] {
            cases.push(Case {
                kind,
                query: query.to_owned(),
                filtered,
                required: required.iter().map(|s| s.to_string()).collect(),
                excluded: excluded.iter().map(|s| s.to_string()).collect(),
            });
        }
    }
    // The first page a visitor sees, and a browse by province.
    for filtered in [false, true] {
        cases.push(Case {
            kind: "browse",
            query: String::new(),
            filtered,
            required: Vec::new(),
            excluded: Vec::new(),
        });
    }
    cases
}

/// Latency percentiles of one query, in milliseconds.
#[derive(Debug, Clone, Serialize, Default)]
pub struct Latency {
    pub samples: usize,
    pub p50_ms: f64,
    pub p95_ms: f64,
    pub p99_ms: f64,
    pub mean_ms: f64,
}

impl Latency {
    pub fn from_samples(mut samples: Vec<Duration>) -> Latency {
        if samples.is_empty() {
            return Latency::default();
        }
        samples.sort();
        let ms = |d: Duration| d.as_secs_f64() * 1e3;
        // Nearest rank: the smallest sample with at least p% of the samples at or below it.
        let at = |p: f64| {
            ms(samples[((p * samples.len() as f64).ceil() as usize).clamp(1, samples.len()) - 1])
        };
        Latency {
            samples: samples.len(),
            p50_ms: at(0.50),
            p95_ms: at(0.95),
            p99_ms: at(0.99),
            mean_ms: samples.iter().map(|d| ms(*d)).sum::<f64>() / samples.len() as f64,
        }
    }
}

/// Runs `f` a few times to warm caches, then `rounds` times or until `budget` seconds
/// have passed (at least 5 timed runs), and returns the timings.
pub fn time_runs<F: FnMut() -> Result<()>>(
    rounds: usize,
    budget: f64,
    mut f: F,
) -> Result<Latency> {
    for _ in 0..3 {
        f()?;
    }
    let started = Instant::now();
    let mut samples = Vec::with_capacity(rounds);
    while samples.len() < rounds.max(5)
        && (samples.len() < 5 || started.elapsed().as_secs_f64() < budget)
    {
        let t = Instant::now();
        f()?;
        samples.push(t.elapsed());
    }
    Ok(Latency::from_samples(samples))
}

pub fn run(args: &RunArgs) -> Result<()> {
    let out = &args.corpus.out;
    std::fs::create_dir_all(out).with_context(|| format!("creating {}", out.display()))?;
    let machine = Machine::detect();
    println!("{}", machine.describe());

    let started = Instant::now();
    let corpus = synth::synthesise(
        &args.corpus.seeds,
        &out.join("corpus"),
        args.corpus.items,
        args.corpus.seed,
    )?;
    println!(
        "corpus: {} plans, {} items ({} entries with preambles), {:.1} MB of plan files, {:.1} MB of item records [{:.1} s]",
        corpus.plans,
        corpus.items,
        corpus.entries,
        corpus.plan_bytes as f64 / 1e6,
        corpus.jsonl_bytes as f64 / 1e6,
        started.elapsed().as_secs_f64()
    );

    let mut results = Results::new(machine, corpus.clone(), args);
    results.fidelity = Some(indexing::check_sample(&corpus)?);
    let index_dir = out.join("index-jsonl");
    results.indexing.push(indexing::measure(
        crate::BuildSource::Jsonl,
        &corpus.jsonl,
        &index_dir,
        &corpus,
    )?);
    if args.skip_plan_build {
        println!("indexing from plan files: skipped (--skip-plan-build)");
    } else {
        let plans_index = out.join("index-plans");
        results.indexing.push(indexing::measure(
            crate::BuildSource::Plans,
            &corpus.plans_dir,
            &plans_index,
            &corpus,
        )?);
        // Only one copy is needed from here on.
        let _ = std::fs::remove_dir_all(&plans_index);
    }

    let cases = mix();
    results.queries = queries::measure(&index_dir, &cases, args.rounds, args.budget)?;
    if args.skip_sqlite {
        println!("SQLite FTS5: skipped (--skip-sqlite)");
    } else {
        results.sqlite = Some(sqlite::measure(
            &corpus,
            &out.join("fts5.sqlite"),
            &index_dir,
            &cases,
            args.rounds,
            args.budget,
        )?);
    }
    results.http = if args.skip_http {
        http::HttpOutcome::skipped("--skip-http")
    } else {
        http::measure(
            &index_dir,
            &out.join("http"),
            args.edusearch.as_deref(),
            args.http_seconds,
            &args.corpus.seeds,
        )
    };
    results.total_seconds = started.elapsed().as_secs_f64();
    results.targets = crate::targets::check(
        &results.indexing,
        &results.queries,
        results.sqlite.as_ref(),
        &results.http,
    );
    report::write(&results, out)
}
