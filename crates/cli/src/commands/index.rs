//! `edusearch index`: corpus folders/files or a JSON-lines export → a new index
//! generation that replaces the old one only when complete.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use anyhow::{bail, Context};
use clap::Args;
use edusearch_index::{sort_plans, BuildOptions, IndexBuilder, RecordsInLayoutOrder};
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
    let mut output = edusearch_plans::corpus::read_paths(&paths)?;
    spinner.finish_and_clear();
    sort_plans(&mut output.plans);
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

fn index_jsonl(builder: &mut IndexBuilder, path: &Path, quiet: bool) -> anyhow::Result<usize> {
    let spinner = progress(quiet, None, "reading entries");
    let records = RecordsInLayoutOrder::open(path)?;
    spinner.finish_and_clear();
    let bar = progress(quiet, Some(records.bytes()), "indexing entries");
    for entry in records {
        let (line_number, len, record) = entry?;
        builder
            .add_record(&record)
            .with_context(|| format!("{}:{line_number}", path.display()))?;
        bar.inc(len as u64);
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
