//! `edusearch stats QUERY`: items and regions per year, items per region.

use std::process::ExitCode;

use clap::Args;

use super::plans::pad;
use super::search::SearchArgs;
use super::{batch, open_index, print_json};
use crate::output::{bold, region, year};

#[derive(Args)]
pub struct StatsArgs {
    /// Regions listed, most items first; every region when not given.
    #[arg(long)]
    pub by_region: Option<usize>,
    #[command(flatten)]
    pub search: SearchArgs,
}

pub fn run(args: StatsArgs) -> anyhow::Result<ExitCode> {
    let mut request = args.search.request()?;
    let index = open_index(&args.search.index)?;
    if let Some(queries) = &args.search.queries {
        return batch::answer_each_line(queries, |query| {
            request.query = query.to_owned();
            index.stats(&request, args.by_region)
        });
    }
    let stats = index.stats(&request, args.by_region)?;
    if args.search.json {
        print_json(&stats)?;
        return Ok(ExitCode::SUCCESS);
    }
    println!(
        "{} items match {:?}",
        bold(&stats.total_items.to_string()),
        stats.query
    );
    println!();
    println!(
        "{:<8}  {:>6}  {:>7}  {:>5}",
        "year", "items", "regions", "plans"
    );
    for row in &stats.by_year {
        let bar = "█".repeat(row.items.min(40) as usize);
        println!(
            "{:<8}  {:>6}  {:>7}  {:>5}  {bar}",
            year(row.year),
            row.items,
            row.regions,
            row.plans
        );
    }
    println!();
    println!("{}  {:>6}", pad("region", 30), "items");
    for row in &stats.by_region {
        println!("{}  {:>6}", pad(&region(&row.region), 30), row.items);
    }
    Ok(ExitCode::SUCCESS)
}
