//! `edusearch export --jsonl`: every entry as one JSON line, plan by plan, in browse order.

use std::io::{BufWriter, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{bail, Context};
use clap::Args;
use edusearch_index::PlansRequest;

use super::open_index;
use crate::IndexDir;

#[derive(Args)]
pub struct ExportArgs {
    /// JSON lines: one item record per line (the only format).
    #[arg(long)]
    pub jsonl: bool,
    /// Write to a file instead of stdout.
    #[arg(long, short, value_name = "FILE")]
    pub output: Option<PathBuf>,
    #[command(flatten)]
    pub index: IndexDir,
}

pub fn run(args: ExportArgs) -> anyhow::Result<ExitCode> {
    if !args.jsonl {
        bail!("say the format: `edusearch export --jsonl`");
    }
    let index = open_index(&args.index)?;
    let out: Box<dyn Write> = match &args.output {
        Some(path) => Box::new(
            std::fs::File::create(path)
                .with_context(|| format!("cannot create {}", path.display()))?,
        ),
        None => Box::new(std::io::stdout().lock()),
    };
    let mut out = BufWriter::new(out);
    for plan in index.plans(&PlansRequest::default())?.plans {
        for record in index.plan_records(&plan.id)? {
            serde_json::to_writer(&mut out, &record)?;
            out.write_all(b"\n")?;
        }
    }
    match out.flush() {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => {}
        other => other?,
    }
    Ok(ExitCode::SUCCESS)
}
