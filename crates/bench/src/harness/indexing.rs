//! Indexing: builds an index from the item records (`add_record`) and from the plan
//! files (`read_corpus` + `add_plan`), each in a child process so that its peak memory
//! is measured alone; and checks that the plan files read back as the records say.

use std::collections::HashMap;
use std::fs::File;
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::Command;
use std::time::Instant;

use anyhow::{anyhow, bail, Context, Result};
use edusearch_index::{
    sort_plans, BuildOptions, EntryKind, IndexBuilder, ItemRecord, RecordsInLayoutOrder,
};
use edusearch_plans::corpus::read_corpus;
use serde::{Deserialize, Serialize};

use crate::synth::CorpusInfo;
use crate::{BuildArgs, BuildSource};

/// What the child process reports.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ChildReport {
    /// Reading the input before any indexing: the plan files, or the pass over the
    /// JSON lines that finds each line's place (they are decoded as they are added).
    pub read_seconds: f64,
    /// Everything: reading, adding, committing, merging.
    pub seconds: f64,
    pub commit_seconds: f64,
    pub plans: u64,
    pub items: u64,
    pub entries: u64,
    pub warnings: usize,
    /// Peak resident memory (VmHWM), in kB.
    pub peak_rss_kb: u64,
    pub threads: usize,
}

#[derive(Debug, Clone, Serialize)]
pub struct BuildResult {
    pub source: String,
    #[serde(flatten)]
    pub child: ChildReport,
    pub input_bytes: u64,
    pub items_per_second: f64,
    pub mb_per_second: f64,
    /// In MiB (sizes and rates are in MB, 10⁶ bytes).
    pub peak_rss_mib: f64,
    pub index_bytes: u64,
    /// Index size ÷ the plan files' size.
    pub index_to_plan_text: f64,
    /// Index size ÷ the bytes of searchable text (titles, bodies, units).
    pub index_to_item_text: f64,
}

/// `edusearch-bench build`: one index, its measurements as one JSON line on stdout.
pub fn build_child(args: &BuildArgs) -> Result<()> {
    let started = Instant::now();
    let options = BuildOptions::default();
    let threads = options.threads;
    let mut report = ChildReport {
        read_seconds: 0.0,
        seconds: 0.0,
        commit_seconds: 0.0,
        plans: 0,
        items: 0,
        entries: 0,
        warnings: 0,
        peak_rss_kb: 0,
        threads,
    };
    let mut builder = IndexBuilder::create(&args.index, &options).map_err(|e| anyhow!("{e}"))?;
    match args.source {
        BuildSource::Jsonl => {
            // In layout order, as `edusearch index --items` adds them.
            let records = RecordsInLayoutOrder::open(&args.input).map_err(|e| anyhow!("{e}"))?;
            report.read_seconds = started.elapsed().as_secs_f64();
            for entry in records {
                let (_, _, record) = entry.map_err(|e| anyhow!("{e}"))?;
                builder.add_record(&record).map_err(|e| anyhow!("{e}"))?;
                report.entries += 1;
                if record.kind == EntryKind::Item {
                    report.items += 1;
                }
            }
        }
        BuildSource::Plans => {
            let mut output = read_corpus(&args.input).map_err(|e| anyhow!("{e}"))?;
            sort_plans(&mut output.plans);
            report.read_seconds = started.elapsed().as_secs_f64();
            report.warnings = output.warnings.len();
            for plan in &output.plans {
                builder.add_plan(plan).map_err(|e| anyhow!("{e}"))?;
                report.items += plan.items.len() as u64;
                report.entries += plan.items.len() as u64 + u64::from(plan.preamble.is_some());
            }
        }
    }
    let commit_started = Instant::now();
    let info = builder.commit().map_err(|e| anyhow!("{e}"))?;
    report.commit_seconds = commit_started.elapsed().as_secs_f64();
    report.plans = info.plans;
    report.seconds = started.elapsed().as_secs_f64();
    report.peak_rss_kb = proc_status_kb("self", "VmHWM").unwrap_or(0);
    println!("{}", serde_json::to_string(&report)?);
    Ok(())
}

/// Runs a build in a child process and adds sizes and rates.
pub fn measure(
    source: BuildSource,
    input: &Path,
    index: &Path,
    corpus: &CorpusInfo,
) -> Result<BuildResult> {
    let label = match source {
        BuildSource::Jsonl => "JSON lines (add_record)",
        BuildSource::Plans => "plan files (read_corpus + add_plan)",
    };
    println!("indexing from {label}: building {} …", index.display());
    if index.exists() {
        std::fs::remove_dir_all(index)
            .with_context(|| format!("removing the old {}", index.display()))?;
    }
    let exe = std::env::current_exe().context("finding this program's path")?;
    let source_name = match source {
        BuildSource::Jsonl => "jsonl",
        BuildSource::Plans => "plans",
    };
    let output = Command::new(exe)
        .args(["build", "--source", source_name, "--input"])
        .arg(input)
        .arg("--index")
        .arg(index)
        .output()
        .context("starting the build process")?;
    if !output.status.success() {
        bail!(
            "building from {label} failed ({}): {}",
            output.status,
            String::from_utf8_lossy(&output.stderr).trim()
        );
    }
    let stdout = String::from_utf8_lossy(&output.stdout);
    let last = stdout.lines().last().unwrap_or_default();
    let child: ChildReport =
        serde_json::from_str(last).with_context(|| format!("reading the build report {last:?}"))?;
    let input_bytes = match source {
        BuildSource::Jsonl => corpus.jsonl_bytes,
        BuildSource::Plans => corpus.plan_bytes,
    };
    let index_bytes = dir_size(index);
    let result = BuildResult {
        source: label.to_owned(),
        items_per_second: child.items as f64 / child.seconds,
        mb_per_second: input_bytes as f64 / 1e6 / child.seconds,
        peak_rss_mib: child.peak_rss_kb as f64 / 1024.0,
        index_to_plan_text: index_bytes as f64 / corpus.plan_bytes.max(1) as f64,
        index_to_item_text: index_bytes as f64 / corpus.text_bytes.max(1) as f64,
        index_bytes,
        input_bytes,
        child,
    };
    println!(
        "  {:.1} s ({:.1} s reading, {:.1} s commit), {:.0} items/s, {:.1} MB/s, peak RSS {:.0} MiB, index {:.1} MB ({:.2}× plan text)",
        result.child.seconds,
        result.child.read_seconds,
        result.child.commit_seconds,
        result.items_per_second,
        result.mb_per_second,
        result.peak_rss_mib,
        index_bytes as f64 / 1e6,
        result.index_to_plan_text
    );
    Ok(result)
}

/// How the first plan files read back through the product's reader, compared with the
/// records written beside them.
#[derive(Debug, Clone, Serialize, Default)]
pub struct Fidelity {
    pub plans_checked: usize,
    pub items_written: usize,
    pub items_read: usize,
    /// Read with the same title, body and units.
    pub items_identical: usize,
    pub regions_matching: usize,
    pub years_matching: usize,
    pub warnings: usize,
    pub examples: Vec<String>,
}

pub fn check_sample(corpus: &CorpusInfo) -> Result<Fidelity> {
    const PLANS: usize = 40;
    let mut expected: HashMap<String, ItemRecord> = HashMap::new();
    let mut plan_order: Vec<String> = Vec::new();
    let file =
        File::open(&corpus.jsonl).with_context(|| format!("opening {}", corpus.jsonl.display()))?;
    for line in BufReader::new(file).lines() {
        let record: ItemRecord = serde_json::from_str(&line?)?;
        if plan_order.last() != Some(&record.plan_id) {
            if plan_order.len() == PLANS {
                break;
            }
            plan_order.push(record.plan_id.clone());
        }
        if record.kind == EntryKind::Item {
            expected.insert(record.id.clone(), record);
        }
    }
    let mut fidelity = Fidelity {
        plans_checked: plan_order.len(),
        items_written: expected.len(),
        ..Default::default()
    };
    for n in 0..plan_order.len() {
        let path = corpus.plans_dir.join(format!("plan_{n:06}.txt"));
        let output = read_corpus(&path).map_err(|e| anyhow!("{e}"))?;
        fidelity.warnings += output.warnings.len();
        for w in output.warnings.iter().take(2) {
            if fidelity.examples.len() < 6 {
                fidelity
                    .examples
                    .push(format!("{}: {}", w.source, w.message));
            }
        }
        for plan in &output.plans {
            for item in &plan.items {
                fidelity.items_read += 1;
                let Some(want) = expected.get(&item.id) else {
                    continue;
                };
                if item.title == want.title && item.body == want.body && item.units == want.units {
                    fidelity.items_identical += 1;
                } else if fidelity.examples.len() < 6 {
                    fidelity.examples.push(format!(
                        "{}: read {:?} / {:?} / {:?}",
                        item.id,
                        item.title,
                        item.body.chars().take(30).collect::<String>(),
                        item.units
                    ));
                }
                fidelity.regions_matching += usize::from(plan.region.code == want.region.code);
                fidelity.years_matching += usize::from(plan.year == want.year);
            }
        }
    }
    println!(
        "reader check: {} plan files read back: {}/{} items identical, {} regions and {} years as written, {} warnings",
        fidelity.plans_checked,
        fidelity.items_identical,
        fidelity.items_written,
        fidelity.regions_matching,
        fidelity.years_matching,
        fidelity.warnings
    );
    for example in &fidelity.examples {
        println!("  e.g. {example}");
    }
    Ok(fidelity)
}

/// A value (in kB) from /proc/PID/status, e.g. VmHWM or VmRSS.
pub fn proc_status_kb(pid: &str, key: &str) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status
        .lines()
        .find_map(|l| l.strip_prefix(key)?.strip_prefix(':'))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
}

pub fn dir_size(path: &Path) -> u64 {
    let Ok(entries) = std::fs::read_dir(path) else {
        return 0;
    };
    entries
        .filter_map(|e| e.ok())
        .map(|e| match e.metadata() {
            Ok(m) if m.is_dir() => dir_size(&e.path()),
            Ok(m) => m.len(),
            Err(_) => 0,
        })
        .sum()
}
