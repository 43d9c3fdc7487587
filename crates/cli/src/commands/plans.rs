//! `edusearch plans`: the indexed plans.

use std::process::ExitCode;

use clap::Args;

use super::{open_index, print_json};
use crate::output::{dim, region, year};
use crate::IndexDir;

#[derive(Args)]
pub struct PlansArgs {
    #[arg(long)]
    pub json: bool,
    #[command(flatten)]
    pub index: IndexDir,
}

pub fn run(args: PlansArgs) -> anyhow::Result<ExitCode> {
    let index = open_index(&args.index)?;
    let plans = index.plans();
    if args.json {
        print_json(&plans)?;
        return Ok(ExitCode::SUCCESS);
    }
    let id_width = plans.iter().map(|p| p.id.len()).max().unwrap_or(2).max(2);
    println!(
        "{:<id_width$}  {:<24}  {:<8}  {:>5}  title",
        "id", "region", "year", "items"
    );
    for plan in &plans {
        let region = pad(&region(&plan.region), 24);
        println!(
            "{:<id_width$}  {region}  {:<8}  {:>5}  {}",
            plan.id,
            year(plan.year),
            plan.items,
            plan.title
        );
    }
    let items: u64 = plans.iter().map(|p| p.items).sum();
    println!("{}", dim(&format!("{} plans, {items} items", plans.len())));
    Ok(ExitCode::SUCCESS)
}

/// Pads to a display width, counting CJK characters as two columns.
pub fn pad(text: &str, width: usize) -> String {
    let shown: usize = text.chars().map(|c| if c.is_ascii() { 1 } else { 2 }).sum();
    format!("{text}{}", " ".repeat(width.saturating_sub(shown)))
}
