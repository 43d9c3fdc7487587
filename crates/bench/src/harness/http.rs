//! HTTP under load: `edusearch serve` on the benchmark index, driven by `wrk` at 8 and
//! 64 connections with facet counts on — once with 双减 alone and once rotating over
//! many distinct queries drawn from the seed vocabulary, so that no cache can stand in
//! for the engine — and the server's memory afterwards.

use std::collections::BTreeMap;
use std::fs;
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use jieba_rs::Jieba;
use serde::{Deserialize, Serialize};

use super::indexing::proc_status_kb;
use crate::seeds::SeedPool;
use crate::synth::Rng;

/// Distinct query strings in the rotating load.
const ROTATING_QUERIES: usize = 2_000;

#[derive(Debug, Clone, Serialize, Default)]
pub struct HttpOutcome {
    /// Why HTTP was not measured, if it was not.
    pub skipped: Option<String>,
    pub wrk_installed_now: bool,
    pub runs: Vec<LoadRun>,
    pub distinct_queries: usize,
    /// The server's memory when its resident set was largest after a run.
    pub server_memory: ServerMemory,
    pub server_peak_rss_mib: f64,
}

/// A server's resident memory, split into what it allocated and the index files it
/// maps: mapped pages are the page cache's, shared and dropped under memory pressure,
/// and they grow toward the index's size as more of it is read.
#[derive(Debug, Clone, Copy, Serialize, Default)]
pub struct ServerMemory {
    /// VmRSS, in MiB (as are the others).
    pub rss_mib: f64,
    /// RssAnon: heap and other private memory.
    pub anonymous_mib: f64,
    /// RssFile: resident pages of mapped files (the index).
    pub mapped_files_mib: f64,
}

impl HttpOutcome {
    pub fn skipped(reason: &str) -> HttpOutcome {
        println!("HTTP: skipped ({reason})");
        HttpOutcome {
            skipped: Some(reason.to_owned()),
            ..Default::default()
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct LoadRun {
    pub queries: String,
    /// Whether the server kept answers to repeated searches (`serve --cache-mb`).
    pub cache: bool,
    pub connections: u32,
    pub requests_per_second: f64,
    pub p50_ms: f64,
    pub p99_ms: f64,
    pub max_ms: f64,
    pub requests: u64,
    /// Connect/read/write/timeout errors and non-2xx answers.
    pub errors: u64,
    pub server_memory: ServerMemory,
}

/// What the wrk script's `done` prints.
#[derive(Debug, Deserialize)]
struct WrkSummary {
    requests: u64,
    duration_us: u64,
    errors: u64,
    p50_us: u64,
    p99_us: u64,
    max_us: u64,
}

pub fn measure(
    index: &Path,
    work: &Path,
    edusearch: Option<&Path>,
    seconds: u32,
    seeds: &Path,
) -> HttpOutcome {
    match try_measure(index, work, edusearch, seconds, seeds) {
        Ok(outcome) => outcome,
        Err(e) => HttpOutcome::skipped(&format!("{e:#}")),
    }
}

fn try_measure(
    index: &Path,
    work: &Path,
    edusearch: Option<&Path>,
    seconds: u32,
    seeds: &Path,
) -> Result<HttpOutcome> {
    fs::create_dir_all(work).with_context(|| format!("creating {}", work.display()))?;
    let binary = match edusearch {
        Some(path) => path.to_path_buf(),
        None => build_edusearch()?,
    };
    let wrk_installed_now = ensure_wrk()?;

    let queries = query_paths(seeds)?;
    let rotating = work.join("rotating.lua");
    fs::write(&rotating, lua_script(&queries))?;
    let fixed = work.join("shuangjian.lua");
    let fixed_path = search_path("双减");
    fs::write(&fixed, lua_script(std::slice::from_ref(&fixed_path)))?;

    let mut outcome = HttpOutcome {
        wrk_installed_now,
        distinct_queries: queries.len(),
        ..Default::default()
    };
    let label_rotating = format!("{} distinct queries", queries.len());
    // With the answer cache (as `serve` runs by default), then without it, so that the
    // figures show the search itself; rotating queries are measured without it.
    let plan: [(bool, &[(&str, &Path)]); 2] = [
        (true, &[("双减", &fixed)]),
        (
            false,
            &[("双减", &fixed), (label_rotating.as_str(), &rotating)],
        ),
    ];
    for (cache, loads) in plan {
        let mut server = Server::start(&binary, index, work, cache)?;
        println!(
            "HTTP: {} serving on {} with the answer cache {}; wrk, 2 threads, {seconds} s a run",
            binary.display(),
            server.base,
            if cache { "on" } else { "off" }
        );
        for &(label, script) in loads {
            for connections in [8, 64] {
                let summary = run_wrk(&server.base, script, connections, seconds)?;
                let memory = server.memory();
                let run = LoadRun {
                    queries: label.to_owned(),
                    cache,
                    connections,
                    requests_per_second: summary.requests as f64
                        / (summary.duration_us as f64 / 1e6),
                    p50_ms: summary.p50_us as f64 / 1e3,
                    p99_ms: summary.p99_us as f64 / 1e3,
                    max_ms: summary.max_us as f64 / 1e3,
                    requests: summary.requests,
                    errors: summary.errors,
                    server_memory: memory,
                };
                println!(
                    "  {:<24} {:>3} connections: {:>8.0} req/s  p50 {:>7.2} ms  p99 {:>7.2} ms  errors {}  server RSS {:.0} MiB ({:.0} MiB allocated, {:.0} MiB mapped index)",
                    run.queries, run.connections, run.requests_per_second, run.p50_ms, run.p99_ms, run.errors,
                    memory.rss_mib, memory.anonymous_mib, memory.mapped_files_mib
                );
                outcome.runs.push(run);
            }
        }
        let memory = server.memory();
        if memory.rss_mib > outcome.server_memory.rss_mib {
            outcome.server_memory = memory;
        }
        outcome.server_peak_rss_mib = outcome
            .server_peak_rss_mib
            .max(server.status_kb("VmHWM") as f64 / 1024.0);
        server.stop();
    }
    Ok(outcome)
}

/// Builds the `edusearch` binary in release mode beside this one.
fn build_edusearch() -> Result<PathBuf> {
    let exe = std::env::current_exe().context("finding this program's path")?;
    let dir = exe.parent().context("this program's folder")?;
    let binary = dir.join("edusearch");
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    println!("HTTP: building the edusearch binary (cargo build --release -p edusearch-cli) …");
    let output = Command::new(&cargo)
        .args([
            "build",
            "--release",
            "-p",
            "edusearch-cli",
            "--bin",
            "edusearch",
        ])
        .stdout(Stdio::null())
        .output();
    match output {
        Ok(o) if o.status.success() && binary.exists() => Ok(binary),
        Ok(o) => {
            let stderr = String::from_utf8_lossy(&o.stderr);
            let tail: Vec<&str> = stderr
                .lines()
                .rev()
                .take(6)
                .collect::<Vec<_>>()
                .into_iter()
                .rev()
                .collect();
            bail!(
                "the edusearch binary could not be built, so there is no server to load:\n{}",
                tail.join("\n")
            )
        }
        Err(e) => {
            bail!("cannot run {cargo} to build the edusearch binary ({e}); pass --edusearch PATH")
        }
    }
}

/// Makes sure `wrk` is there, installing Debian's package if it is not. Returns whether
/// it was installed now.
fn ensure_wrk() -> Result<bool> {
    let present = || {
        Command::new("wrk")
            .arg("--version")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok()
    };
    if present() {
        return Ok(false);
    }
    println!("HTTP: wrk is not installed; installing it with `apt-get install -y wrk` …");
    let install = |args: &[&str]| {
        Command::new("apt-get")
            .args(args)
            .env("DEBIAN_FRONTEND", "noninteractive")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .map(|s| s.success())
            .unwrap_or(false)
    };
    if !install(&["install", "-y", "wrk"]) {
        install(&["update"]);
        install(&["install", "-y", "wrk"]);
    }
    if present() {
        println!("HTTP: wrk installed");
        Ok(true)
    } else {
        bail!("wrk is not installed and `apt-get install -y wrk` did not install it (it needs root and Debian's package lists)")
    }
}

/// Query strings from the seed vocabulary: jieba words of two to four characters, most
/// frequent first, then pairs of them, as URL paths.
fn query_paths(seeds: &Path) -> Result<Vec<String>> {
    let pool = SeedPool::read(seeds)?;
    let jieba = Jieba::new();
    let mut counts: BTreeMap<String, usize> = BTreeMap::new();
    for sentence in pool.body_sentences.iter().chain(&pool.item_titles) {
        for token in jieba.cut_for_search(sentence, true) {
            let word = token.word;
            let n = word.chars().count();
            if (2..=4).contains(&n) && word.chars().all(|c| ('\u{4e00}'..='\u{9fff}').contains(&c))
            {
                *counts.entry(word.to_owned()).or_default() += 1;
            }
        }
    }
    let mut words: Vec<(String, usize)> = counts.into_iter().collect();
    words.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    let words: Vec<String> = words.into_iter().map(|(w, _)| w).collect();
    let singles = words.len().min(ROTATING_QUERIES * 3 / 4);
    let mut queries: Vec<String> = words[..singles].to_vec();
    let mut rng = Rng::new(7);
    let common = &words[..words.len().min(300)];
    while queries.len() < ROTATING_QUERIES && common.len() >= 2 {
        let (a, b) = (rng.pick(common), rng.pick(common));
        if a != b {
            queries.push(format!("{a} {b}"));
        }
    }
    queries.sort();
    queries.dedup();
    let mut paths: Vec<String> = queries.iter().map(|q| search_path(q)).collect();
    rng.shuffle(&mut paths);
    Ok(paths)
}

fn search_path(query: &str) -> String {
    format!("/api/search?q={}&facets=true", url_encode(query))
}

fn url_encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len() * 3);
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

fn lua_script(paths: &[String]) -> String {
    let list: Vec<String> = paths.iter().map(|p| format!("  \"{p}\",")).collect();
    format!(
        r#"-- Rotates over distinct search requests; each wrk thread starts elsewhere in the list.
local paths = {{
{}
}}
local counter = 0
function setup(thread)
  thread:set("offset", counter * 7919)
  counter = counter + 1
end
function init(args)
  i = offset or 0
end
function request()
  i = i + 1
  return wrk.format("GET", paths[(i % #paths) + 1])
end
function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    "BENCH_JSON {{\"requests\":%d,\"duration_us\":%d,\"errors\":%d,\"p50_us\":%d,\"p99_us\":%d,\"max_us\":%d}}\n",
    summary.requests, summary.duration, e.connect + e.read + e.write + e.status + e.timeout,
    latency:percentile(50), latency:percentile(99), latency.max))
end
"#,
        list.join("\n")
    )
}

fn run_wrk(base: &str, script: &Path, connections: u32, seconds: u32) -> Result<WrkSummary> {
    let output = Command::new("wrk")
        .args([
            "-t2",
            &format!("-c{connections}"),
            &format!("-d{seconds}s"),
            "--timeout",
            "10s",
            "-s",
        ])
        .arg(script)
        .arg(base)
        .output()
        .context("running wrk")?;
    let stdout = String::from_utf8_lossy(&output.stdout);
    let line = stdout
        .lines()
        .find_map(|l| l.strip_prefix("BENCH_JSON "))
        .with_context(|| {
            format!(
                "wrk printed no summary: {}{}",
                stdout,
                String::from_utf8_lossy(&output.stderr)
            )
        })?;
    serde_json::from_str(line).with_context(|| format!("reading wrk's summary {line:?}"))
}

/// `edusearch serve` as a child process, stopped when dropped.
struct Server {
    child: Child,
    base: String,
}

impl Server {
    fn start(binary: &Path, index: &Path, work: &Path, cache: bool) -> Result<Server> {
        let port = TcpListener::bind("127.0.0.1:0")?.local_addr()?.port();
        let addr = format!("127.0.0.1:{port}");
        let log = fs::File::create(work.join("server.log"))?;
        let child = Command::new(binary)
            .arg("serve")
            .arg("--index")
            .arg(index)
            .args(["--addr", &addr])
            .args(["--cache-mb", if cache { "64" } else { "0" }])
            .stdout(log.try_clone()?)
            .stderr(log)
            .spawn()
            .with_context(|| format!("starting {} serve", binary.display()))?;
        let mut server = Server {
            child,
            base: format!("http://{addr}"),
        };
        let started = Instant::now();
        loop {
            if let Some(status) = server.child.try_wait()? {
                bail!(
                    "`edusearch serve` exited ({status}) before answering; see {}",
                    work.join("server.log").display()
                );
            }
            if let Ok(200) = http_status(&addr, &search_path("双减")) {
                return Ok(server);
            }
            if started.elapsed() > Duration::from_secs(180) {
                server.stop();
                bail!("`edusearch serve` did not answer /api/search within 180 s");
            }
            std::thread::sleep(Duration::from_millis(200));
        }
    }

    fn status_kb(&self, key: &str) -> u64 {
        proc_status_kb(&self.child.id().to_string(), key).unwrap_or(0)
    }

    fn memory(&self) -> ServerMemory {
        let mib = |key| self.status_kb(key) as f64 / 1024.0;
        ServerMemory {
            rss_mib: mib("VmRSS"),
            anonymous_mib: mib("RssAnon"),
            mapped_files_mib: mib("RssFile"),
        }
    }

    fn stop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.stop();
    }
}

/// The status code of one GET, over a plain socket.
fn http_status(addr: &str, path: &str) -> Result<u16> {
    let mut stream = TcpStream::connect(addr)?;
    stream.set_read_timeout(Some(Duration::from_secs(30)))?;
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
    )?;
    let mut head = [0u8; 16];
    let n = stream.read(&mut head)?;
    let text = String::from_utf8_lossy(&head[..n]);
    text.split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .context("no status line")
}
