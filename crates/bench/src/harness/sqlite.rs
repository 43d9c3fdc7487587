//! The baseline: SQLite FTS5 with the trigram tokenizer over the same entries (title,
//! body and units, folded as edusearch folds them, so that both engines mean the same
//! by "contains"), the same mix translated to SQL, facet counts as GROUP BY over the
//! matched rows; then a check that both engines find the same entries.
//!
//! Trigrams cannot look up a term of one or two characters: such terms are matched with
//! `LIKE '%…%'`, which FTS5 answers by scanning every row.

use std::collections::{BTreeMap, BTreeSet};
use std::fs::File;
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::time::Instant;

use anyhow::{anyhow, Context, Result};
use edusearch_divisions::Divisions;
use edusearch_index::analysis::normalize;
use edusearch_index::{ItemRecord, SearchIndex};
use rusqlite::{params, Connection};
use serde::Serialize;

use super::queries::{all_ids, QueryResult};
use super::{time_runs, Case, Latency, FILTER_PROVINCE, FILTER_YEARS};
use crate::synth::CorpusInfo;

/// Id sets are compared for results up to this size (paging edusearch past it is slow).
const SET_CAP: u64 = 20_000;

#[derive(Debug, Clone, Serialize)]
pub struct SqliteResult {
    pub build_seconds: f64,
    pub db_bytes: u64,
    pub sqlite_version: String,
    pub cases: Vec<SqliteCase>,
}

#[derive(Debug, Clone, Serialize)]
pub struct SqliteCase {
    pub label: String,
    /// How the text part was asked: MATCH, LIKE or both.
    pub method: String,
    pub total: u64,
    pub latency: Latency,
    pub check: Check,
}

/// Whether edusearch and SQLite agree on one case.
#[derive(Debug, Clone, Serialize, Default)]
pub struct Check {
    pub totals_equal: bool,
    /// None when the result is larger than the cap and ids were not compared.
    pub ids_equal: Option<bool>,
    pub only_edusearch: usize,
    pub only_sqlite: usize,
    pub year_facets_equal: bool,
    pub province_facets_equal: bool,
    pub unit_facets_equal: bool,
    pub examples: Vec<String>,
}

impl SqliteCase {
    /// How many times slower than edusearch on one thread FTS5 answered, at p50.
    pub fn times_slower_than(&self, edusearch: &QueryResult) -> f64 {
        self.latency.p50_ms / edusearch.one_thread.p50_ms.max(1e-9)
    }
}

impl Check {
    pub fn ok(&self) -> bool {
        self.totals_equal
            && self.ids_equal != Some(false)
            && self.year_facets_equal
            && self.province_facets_equal
            && self.unit_facets_equal
    }
}

pub fn measure(
    corpus: &CorpusInfo,
    db_path: &Path,
    index_dir: &Path,
    cases: &[Case],
    rounds: usize,
    budget: f64,
) -> Result<SqliteResult> {
    println!("SQLite FTS5 (trigram): loading {} …", db_path.display());
    let started = Instant::now();
    let conn = build(corpus, db_path)?;
    let build_seconds = started.elapsed().as_secs_f64();
    let db_bytes = std::fs::metadata(db_path).map(|m| m.len()).unwrap_or(0);
    let sqlite_version: String = conn.query_row("select sqlite_version()", [], |r| r.get(0))?;
    println!(
        "  loaded in {build_seconds:.1} s, {:.1} MB (SQLite {sqlite_version})",
        db_bytes as f64 / 1e6
    );
    let index = SearchIndex::open(index_dir)
        .map_err(|e| anyhow!("opening {}: {e}", index_dir.display()))?;

    let mut out = Vec::with_capacity(cases.len());
    for case in cases {
        let sql = Translated::new(case);
        let answer = sql.run(&conn, true)?;
        let latency = time_runs(rounds, budget, || sql.run(&conn, false).map(|_| ()))?;
        let check = compare(&index, case, &answer)?;
        println!(
            "  {:<28} {:>8} hits  p50 {:>8.2} ms  p95 {:>8.2} ms  p99 {:>8.2} ms  [{}] {}",
            case.label(),
            answer.total,
            latency.p50_ms,
            latency.p95_ms,
            latency.p99_ms,
            sql.method(),
            if check.ok() {
                "same results"
            } else {
                "MISMATCH"
            }
        );
        for example in &check.examples {
            println!("      {example}");
        }
        out.push(SqliteCase {
            label: case.label(),
            method: sql.method(),
            total: answer.total,
            latency,
            check,
        });
    }
    Ok(SqliteResult {
        build_seconds,
        db_bytes,
        sqlite_version,
        cases: out,
    })
}

fn build(corpus: &CorpusInfo, db_path: &Path) -> Result<Connection> {
    for suffix in ["", "-journal", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", db_path.display()));
    }
    let conn =
        Connection::open(db_path).with_context(|| format!("opening {}", db_path.display()))?;
    conn.execute_batch(
        "PRAGMA journal_mode = OFF;
         PRAGMA synchronous = OFF;
         PRAGMA cache_size = -1048576;
         PRAGMA temp_store = MEMORY;
         CREATE TABLE entries(rowid INTEGER PRIMARY KEY, id TEXT NOT NULL, province TEXT, city TEXT,
                              county TEXT, year INTEGER, ord INTEGER NOT NULL);
         CREATE TABLE units(entry INTEGER NOT NULL, unit TEXT NOT NULL);
         CREATE VIRTUAL TABLE fts USING fts5(text, tokenize = 'trigram');",
    )?;
    let divisions = Divisions::global();
    let tx = conn.unchecked_transaction()?;
    {
        let mut entry = tx.prepare("INSERT INTO entries VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?1)")?;
        let mut unit = tx.prepare("INSERT INTO units VALUES (?1, ?2)")?;
        let mut text = tx.prepare("INSERT INTO fts(rowid, text) VALUES (?1, ?2)")?;
        let file = File::open(&corpus.jsonl)
            .with_context(|| format!("opening {}", corpus.jsonl.display()))?;
        for (n, line) in BufReader::with_capacity(1 << 20, file).lines().enumerate() {
            let record: ItemRecord = serde_json::from_str(&line?)?;
            let rowid = n as i64 + 1;
            let chain = record
                .region
                .code
                .as_deref()
                .and_then(|c| divisions.chain(c))
                .unwrap_or_default();
            let code = |d: Option<&edusearch_divisions::Division>| d.map(|d| d.code.clone());
            entry.execute(params![
                rowid,
                record.id,
                code(chain.province),
                code(chain.city),
                code(chain.county),
                record.year
            ])?;
            for u in &record.units {
                unit.execute(params![rowid, u])?;
            }
            let mut searchable = record.title.clone();
            searchable.push('\n');
            searchable.push_str(&record.body);
            for u in &record.units {
                searchable.push('\n');
                searchable.push_str(u);
            }
            text.execute(params![rowid, normalize(&searchable)])?;
        }
    }
    tx.commit()?;
    conn.execute_batch(
        "CREATE INDEX entries_province_year ON entries(province, year);
         CREATE INDEX units_entry ON units(entry);
         INSERT INTO fts(fts) VALUES ('optimize');
         CREATE TEMP TABLE m(rowid INTEGER PRIMARY KEY, score REAL);
         ANALYZE;",
    )?;
    Ok(conn)
}

/// One case in SQL.
struct Translated {
    /// An FTS5 MATCH expression over the terms of 3+ characters, if any.
    matching: Option<String>,
    /// LIKE / NOT LIKE conditions on `fts.text` for the shorter terms.
    likes: Vec<String>,
    has_text: bool,
    region: bool,
    years: bool,
}

fn quote_fts(term: &str) -> String {
    format!("\"{}\"", term.replace('"', "\"\""))
}

fn like(term: &str, negated: bool) -> String {
    let escaped = term
        .replace('\'', "''")
        .replace('%', "\\%")
        .replace('_', "\\_");
    format!(
        "fts.text {}LIKE '%{escaped}%' ESCAPE '\\'",
        if negated { "NOT " } else { "" }
    )
}

impl Translated {
    fn new(case: &Case) -> Translated {
        let long = |t: &&String| t.chars().count() >= 3;
        let positive: Vec<String> = case
            .required
            .iter()
            .filter(long)
            .map(|t| quote_fts(t))
            .collect();
        let mut likes: Vec<String> = case
            .required
            .iter()
            .filter(|t| !long(t))
            .map(|t| like(t, false))
            .collect();
        let mut matching = (!positive.is_empty()).then(|| positive.join(" AND "));
        for term in &case.excluded {
            match &mut matching {
                Some(m) if long(&term) => *m = format!("({m}) NOT {}", quote_fts(term)),
                _ => likes.push(like(term, true)),
            }
        }
        Translated {
            matching,
            likes,
            has_text: !case.required.is_empty() || !case.excluded.is_empty(),
            region: case.filtered,
            years: case.year_filtered(),
        }
    }

    fn method(&self) -> String {
        match (
            self.matching.is_some(),
            self.likes.is_empty(),
            self.has_text,
        ) {
            (_, _, false) => "filter only".to_owned(),
            (true, true, _) => "MATCH".to_owned(),
            (true, false, _) => "MATCH + LIKE (term < 3 chars)".to_owned(),
            (false, _, _) => "LIKE scan (term < 3 chars)".to_owned(),
        }
    }

    /// Conditions on `e` for the filters, leaving one dimension out (disjunctive facets).
    fn filters(&self, skip_region: bool, skip_years: bool) -> String {
        let mut c = vec!["1".to_owned()];
        if self.region && !skip_region {
            c.push(format!("e.province = '{FILTER_PROVINCE}'"));
        }
        if self.years && !skip_years {
            c.push(format!(
                "e.year BETWEEN {} AND {}",
                FILTER_YEARS.0, FILTER_YEARS.1
            ));
        }
        c.join(" AND ")
    }

    /// The rows the facets and the page are taken from.
    fn source(&self) -> &'static str {
        if self.has_text {
            "m JOIN entries e ON e.rowid = m.rowid"
        } else {
            "entries e"
        }
    }

    /// Runs the whole search: matches (materialised once), total, the top ten with
    /// their text, and the region, year and unit counts.
    fn run(&self, conn: &Connection, with_ids: bool) -> Result<Answer> {
        let mut answer = Answer::default();
        if self.has_text {
            conn.execute("DELETE FROM m", [])?;
            let mut conditions: Vec<String> = self.likes.clone();
            let score = if let Some(m) = &self.matching {
                conditions.push(format!("fts MATCH '{}'", m.replace('\'', "''")));
                "fts.rank"
            } else {
                "0.0"
            };
            conn.execute(
                &format!(
                    "INSERT INTO m SELECT fts.rowid, {score} FROM fts WHERE {}",
                    conditions.join(" AND ")
                ),
                [],
            )?;
        }
        let src = self.source();
        let all = self.filters(false, false);
        answer.total = conn.query_row(
            &format!("SELECT count(*) FROM {src} WHERE {all}"),
            [],
            |r| r.get::<_, i64>(0),
        )? as u64;
        let order = if self.has_text {
            "m.score, e.ord"
        } else {
            "e.ord"
        };
        let mut top = conn.prepare_cached(&format!(
            "SELECT e.id, f.text FROM {src} JOIN fts f ON f.rowid = e.rowid WHERE {all} ORDER BY {order} LIMIT 10"
        ))?;
        // The page's ids and texts are read, as a search page would show them.
        for row in top.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))? {
            row?;
        }

        let mut regions = conn.prepare_cached(&format!(
            "SELECT e.province, e.city, e.county, count(*) FROM {src} WHERE {} GROUP BY 1, 2, 3",
            self.filters(true, false)
        ))?;
        let rows = regions.query_map([], |r| {
            Ok((r.get::<_, Option<String>>(0)?, r.get::<_, i64>(3)? as u64))
        })?;
        for row in rows {
            let (province, count) = row?;
            *answer
                .provinces
                .entry(province.unwrap_or_else(|| "unknown".into()))
                .or_default() += count;
        }
        let mut years = conn.prepare_cached(&format!(
            "SELECT e.year, count(*) FROM {src} WHERE {} GROUP BY 1",
            self.filters(false, true)
        ))?;
        for row in years.query_map([], |r| {
            Ok((r.get::<_, Option<i64>>(0)?, r.get::<_, i64>(1)? as u64))
        })? {
            let (year, count) = row?;
            answer.years.insert(year, count);
        }
        let mut units = conn.prepare_cached(&format!(
            "SELECT u.unit, count(*) FROM {src} JOIN units u ON u.entry = e.rowid WHERE {all} GROUP BY 1 ORDER BY 2 DESC"
        ))?;
        for row in units.query_map([], |r| {
            Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)? as u64))
        })? {
            let (unit, count) = row?;
            answer.units.insert(unit, count);
        }
        if with_ids {
            let mut ids = conn.prepare(&format!("SELECT e.id FROM {src} WHERE {all}"))?;
            answer.ids = ids
                .query_map([], |r| r.get(0))?
                .collect::<rusqlite::Result<_>>()?;
        }
        Ok(answer)
    }
}

#[derive(Debug, Default)]
struct Answer {
    total: u64,
    ids: BTreeSet<String>,
    provinces: BTreeMap<String, u64>,
    years: BTreeMap<Option<i64>, u64>,
    units: BTreeMap<String, u64>,
}

fn compare(index: &SearchIndex, case: &Case, sqlite: &Answer) -> Result<Check> {
    let mut request = case.request();
    request.limit = 1;
    let answer = index.search(&request).map_err(|e| anyhow!("{e}"))?;
    let facets = answer.facets.unwrap_or_default();
    let years: BTreeMap<Option<i64>, u64> = facets
        .year
        .iter()
        .filter(|y| y.count > 0)
        .map(|y| (y.value.map(i64::from), y.count))
        .collect();
    let provinces: BTreeMap<String, u64> = facets
        .region
        .iter()
        .filter(|r| r.count > 0)
        .map(|r| (r.code.to_string(), r.count))
        .collect();
    let units: BTreeMap<String, u64> = facets
        .unit
        .iter()
        .filter(|u| u.count > 0)
        .map(|u| (u.value.clone(), u.count))
        .collect();
    let mut check = Check {
        totals_equal: answer.total == sqlite.total,
        year_facets_equal: years == sqlite.years,
        province_facets_equal: provinces == sqlite.provinces,
        unit_facets_equal: units == sqlite.units,
        ..Default::default()
    };
    if !check.totals_equal {
        check.examples.push(format!(
            "totals: edusearch {} vs SQLite {}",
            answer.total, sqlite.total
        ));
    }
    if !check.year_facets_equal {
        check.examples.push(format!(
            "year counts: edusearch {years:?} vs SQLite {:?}",
            sqlite.years
        ));
    }
    if !check.province_facets_equal {
        check.examples.push(format!(
            "province counts differ: edusearch {} values, SQLite {}",
            provinces.len(),
            sqlite.provinces.len()
        ));
    }
    if !check.unit_facets_equal {
        check.examples.push(format!(
            "unit counts differ: edusearch {} values, SQLite {}",
            units.len(),
            sqlite.units.len()
        ));
    }
    if let Some(ids) = all_ids(index, case, SET_CAP)? {
        let only_e: Vec<&String> = ids.difference(&sqlite.ids).collect();
        let only_s: Vec<&String> = sqlite.ids.difference(&ids).collect();
        check.ids_equal = Some(only_e.is_empty() && only_s.is_empty());
        check.only_edusearch = only_e.len();
        check.only_sqlite = only_s.len();
        for id in only_e.iter().take(3) {
            check.examples.push(format!("only edusearch finds {id}"));
        }
        for id in only_s.iter().take(3) {
            check.examples.push(format!("only SQLite finds {id}"));
        }
    }
    Ok(check)
}
