//! `edusearch-bench`: makes a synthetic corpus of realistic size from the seed plans and
//! measures edusearch on it — indexing, in-process queries, the HTTP server under load —
//! beside SQLite FTS5 (trigram) on the same items.
//!
//! ```text
//! edusearch-bench run   --items 100000 --out bench-out     # everything, one report
//! edusearch-bench synth --items 100000 --out bench-out     # only the corpus
//! edusearch-bench queries --index bench-out/index-jsonl    # only the query mix
//! ```

mod harness;
mod layout;
mod report;
mod seeds;
mod synth;
mod targets;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};

#[derive(Parser)]
#[command(
    name = "edusearch-bench",
    version,
    about = "Benchmark of edusearch on a synthetic corpus"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Synthesise the corpus, then measure indexing, queries, HTTP and SQLite FTS5.
    Run(RunArgs),
    /// Only synthesise the corpus (plan files and item records).
    Synth(CorpusArgs),
    /// Time only the query mix on an index already built (e.g. `bench-out/index-jsonl`).
    Queries(QueriesArgs),
    /// Build one index and print its measurements as JSON (run by `run` in a child
    /// process, so that its peak memory is its own).
    #[command(hide = true)]
    Build(BuildArgs),
}

#[derive(clap::Args, Clone)]
pub struct CorpusArgs {
    /// Numbered items to synthesise (~50 per plan).
    #[arg(long, default_value_t = 100_000)]
    pub items: u64,
    /// Seed of the synthesiser: the same seed gives the same files.
    #[arg(long, default_value_t = 20_240_601)]
    pub seed: u64,
    /// Output folder (corpus, indexes, results.json).
    #[arg(long, default_value = "bench-out")]
    pub out: PathBuf,
    /// The seed plans the corpus is recombined from.
    #[arg(long, default_value = "corpus")]
    pub seeds: PathBuf,
}

#[derive(clap::Args, Clone)]
pub struct RunArgs {
    #[command(flatten)]
    pub corpus: CorpusArgs,
    /// Timed runs per query (fewer if the time budget runs out first).
    #[arg(long, default_value_t = 200)]
    pub rounds: usize,
    /// Seconds at most spent timing one query on one engine.
    #[arg(long, default_value_t = 6.0)]
    pub budget: f64,
    /// Seconds of each HTTP load run.
    #[arg(long, default_value_t = 10)]
    pub http_seconds: u32,
    /// Skip building from the plan files (the JSON-lines build is always measured).
    #[arg(long)]
    pub skip_plan_build: bool,
    #[arg(long)]
    pub skip_sqlite: bool,
    #[arg(long)]
    pub skip_http: bool,
    /// The `edusearch` binary to serve with; by default it is built in release mode.
    #[arg(long)]
    pub edusearch: Option<PathBuf>,
}

#[derive(clap::Args)]
pub struct QueriesArgs {
    /// The index folder (as written by `run`).
    #[arg(long, default_value = "bench-out/index-jsonl")]
    pub index: PathBuf,
    #[arg(long, default_value_t = 200)]
    pub rounds: usize,
    #[arg(long, default_value_t = 6.0)]
    pub budget: f64,
    /// Only the case with this label (e.g. `双减 +filters`), or those containing it.
    #[arg(long)]
    pub only: Option<String>,
}

#[derive(Clone, Copy, ValueEnum, PartialEq, Eq, Debug)]
pub enum BuildSource {
    /// Item records, one JSON object a line (`add_record`).
    Jsonl,
    /// A folder of plan files (`read_corpus` + `add_plan`).
    Plans,
}

#[derive(clap::Args)]
pub struct BuildArgs {
    #[arg(long, value_enum)]
    pub source: BuildSource,
    #[arg(long)]
    pub input: PathBuf,
    #[arg(long)]
    pub index: PathBuf,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Run(args) => harness::run(&args),
        Command::Synth(args) => {
            synth::synthesise(&args.seeds, &args.out.join("corpus"), args.items, args.seed).map(
                |info| {
                    println!(
                    "{} plans, {} items, {:.1} MB of plan files, {:.1} MB of item records in {}",
                    info.plans,
                    info.items,
                    info.plan_bytes as f64 / 1e6,
                    info.jsonl_bytes as f64 / 1e6,
                    args.out.join("corpus").display()
                );
                },
            )
        }
        Command::Queries(args) => {
            let mut cases = harness::mix();
            if let Some(only) = &args.only {
                let exact = cases.iter().any(|case| &case.label() == only);
                cases.retain(|case| {
                    let label = case.label();
                    if exact {
                        &label == only
                    } else {
                        label.contains(only.as_str())
                    }
                });
            }
            harness::queries::measure(&args.index, &cases, args.rounds, args.budget).map(|_| ())
        }
        Command::Build(args) => harness::indexing::build_child(&args),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}
