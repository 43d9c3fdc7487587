//! `edusearch index`: corpus folders/files or a JSON-lines export → a new index
//! generation that replaces the old one only when complete.

use std::fs::File;
use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use anyhow::{bail, Context};
use clap::Args;
use edusearch_index::{BuildOptions, IndexBuilder, ItemRecord};
use indicatif::{ProgressBar, ProgressStyle};

use crate::IndexDir;

#[derive(Args)]
pub struct IndexArgs {
    /// Corpus folders or files (default: corpus/).
    #[arg(value_name = "CORPUS_DIR_OR_FILE")]
    pub paths: Vec<PathBuf>,
    #[command(flatten)]
    pub index: IndexDir,
    /// Index the entries of a JSON-lines file (as written by `export --jsonl`) instead of documents.
    #[arg(long, value_name = "FILE.jsonl", conflicts_with = "paths")]
    pub items: Option<PathBuf>,
    /// Extra dictionary words for jieba, one per line: `word [frequency [tag]]`.
    #[arg(long, value_name = "FILE")]
    pub dict: Option<PathBuf>,
    /// Indexing threads (default: all cores).
    #[arg(long)]
    pub threads: Option<usize>,
    /// Print nothing but errors.
    #[arg(long, short)]
    pub quiet: bool,
}

pub fn run(args: IndexArgs) -> anyhow::Result<ExitCode> {
    let started = Instant::now();
    let mut options = BuildOptions::default();
    if let Some(path) = &args.dict {
        let extra = std::fs::read_to_string(path)
            .with_context(|| format!("cannot read the dictionary {}", path.display()))?;
        options.dictionary.push('\n');
        options.dictionary.push_str(&extra);
    }
    if let Some(threads) = args.threads {
        options.threads = threads.max(1);
    }
    let mut builder = IndexBuilder::create(&args.index.path, &options)
        .with_context(|| format!("cannot create an index in {}", args.index.path.display()))?;

    let (files, warnings) = match &args.items {
        Some(path) => (1, index_jsonl(&mut builder, path, args.quiet)?),
        None => index_documents(&mut builder, &args.paths, args.quiet)?,
    };
    let (plans, _) = builder.counts();
    if plans == 0 {
        bail!("nothing to index: no plans were read; the existing index (if any) is unchanged");
    }
    let info = builder.commit().context("the index was not replaced")?;
    if !args.quiet {
        println!(
            "indexed {files} file(s): {} plans, {} items (+{} preambles), {warnings} warning(s) → {} in {:.1} s",
            info.plans,
            info.items,
            info.preambles,
            args.index.path.display(),
            started.elapsed().as_secs_f64()
        );
    }
    Ok(ExitCode::SUCCESS)
}

fn index_documents(
    builder: &mut IndexBuilder,
    paths: &[PathBuf],
    quiet: bool,
) -> anyhow::Result<(usize, usize)> {
    let paths = if paths.is_empty() {
        vec![PathBuf::from("corpus")]
    } else {
        paths.to_vec()
    };
    let spinner = progress(quiet, None, "reading documents");
    let output = edusearch_plans::corpus::read_paths(&paths)?;
    spinner.finish_and_clear();
    for warning in &output.warnings {
        eprintln!("warning: {}: {}", warning.source, warning.message);
    }
    let bar = progress(quiet, Some(output.plans.len() as u64), "indexing plans");
    for plan in &output.plans {
        builder
            .add_plan(plan)
            .with_context(|| format!("{}: plan {}", plan.source, plan.id))?;
        bar.inc(1);
    }
    bar.finish_and_clear();
    Ok((output.files, output.warnings.len()))
}

fn index_jsonl(builder: &mut IndexBuilder, path: &PathBuf, quiet: bool) -> anyhow::Result<usize> {
    let file = File::open(path).with_context(|| format!("cannot open {}", path.display()))?;
    let size = file.metadata().map(|m| m.len()).unwrap_or(0);
    let bar = progress(quiet, Some(size), "indexing entries");
    let mut reader = BufReader::new(file);
    let mut line = String::new();
    let mut line_number = 0;
    loop {
        line.clear();
        let read = reader
            .read_line(&mut line)
            .with_context(|| format!("{}:{}", path.display(), line_number + 1))?;
        if read == 0 {
            break;
        }
        line_number += 1;
        bar.inc(read as u64);
        if line.trim().is_empty() {
            continue;
        }
        let record: ItemRecord = serde_json::from_str(&line)
            .with_context(|| format!("{}:{line_number}: not an item record", path.display()))?;
        builder
            .add_record(&record)
            .with_context(|| format!("{}:{line_number}", path.display()))?;
    }
    bar.finish_and_clear();
    Ok(0)
}

fn progress(quiet: bool, length: Option<u64>, message: &'static str) -> ProgressBar {
    if quiet {
        return ProgressBar::hidden();
    }
    let bar = match length {
        Some(length) => ProgressBar::new(length).with_style(
            ProgressStyle::with_template("{msg} [{bar:30}] {percent}% {elapsed}")
                .unwrap_or_else(|_| ProgressStyle::default_bar()),
        ),
        None => ProgressBar::new_spinner(),
    };
    bar.set_message(message);
    bar
}
