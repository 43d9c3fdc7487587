//! `edusearch`: build an index of education work plans and search it from a terminal,
//! or serve it over HTTP. Every subcommand only translates between the command line
//! and the libraries, so the CLI and the server give the same answers.

mod commands;
mod output;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};

#[derive(Parser)]
#[command(
    name = "edusearch",
    version,
    about = "Full-text search over Chinese education bureaus' annual work plans (工作要点)"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Build the index from corpus folders or files (default: corpus/), or from a JSON-lines export.
    Index(commands::index::IndexArgs),
    /// Show what a document reads as: plans, sections, items, region and year with their basis.
    Parse(commands::parse::ParseArgs),
    /// Search items: terms (all required), "phrases", OR, -exclusions, region:/year:/unit: filters.
    Search(commands::search::SearchArgs),
    /// Show an item in its plan, or a whole plan.
    Show(commands::show::ShowArgs),
    /// List the indexed plans.
    Plans(commands::plans::PlansArgs),
    /// Count a query's items and regions per year, and items per region.
    Stats(commands::stats::StatsArgs),
    /// Write every entry as JSON lines (the shape `index --items` reads).
    Export(commands::export::ExportArgs),
    /// Serve the search API and the web page.
    Serve(commands::serve::ServeArgs),
}

/// The index folder, shared by every subcommand that reads or writes one.
#[derive(Args, Clone)]
pub struct IndexDir {
    /// Index folder.
    #[arg(
        long = "index",
        value_name = "DIR",
        default_value = "index",
        env = "EDUSEARCH_INDEX"
    )]
    pub path: PathBuf,
}

fn main() -> ExitCode {
    restore_default_sigpipe();
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("EDUSEARCH_LOG")
                .unwrap_or_else(|_| "warn".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Index(args) => commands::index::run(args),
        Command::Parse(args) => commands::parse::run(args),
        Command::Search(args) => commands::search::run(args),
        Command::Show(args) => commands::show::run(args),
        Command::Plans(args) => commands::plans::run(args),
        Command::Stats(args) => commands::stats::run(args),
        Command::Export(args) => commands::export::run(args),
        Command::Serve(args) => commands::serve::run(args),
    };
    match result {
        Ok(code) => code,
        Err(error) => {
            eprintln!("edusearch: {}", error_message(&error));
            ExitCode::FAILURE
        }
    }
}

/// An error and its causes, each cause left out where the message so far already says
/// it (the library's errors name their cause in their own message, as `path: cause`).
fn error_message(error: &anyhow::Error) -> String {
    let mut message = error.to_string();
    for cause in error.chain().skip(1) {
        let cause = cause.to_string();
        if !message.contains(&cause) {
            message.push_str(": ");
            message.push_str(&cause);
        }
    }
    message
}

/// Rust ignores SIGPIPE, so `edusearch search … | head` would fail on a closed pipe;
/// a command-line tool should simply stop, as other Unix tools do.
fn restore_default_sigpipe() {
    #[cfg(unix)]
    // SAFETY: called first thing in main, before any other thread exists.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
}
