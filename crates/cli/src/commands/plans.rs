//! `edusearch plans`: the indexed plans, by region and year, a page at a time.

use std::process::ExitCode;

use clap::Args;
use edusearch_index::PlansRequest;

use super::search::PlaceAndTime;
use super::{open_index, print_json};
use crate::output::{dim, region, year};
use crate::IndexDir;

#[derive(Args)]
pub struct PlansArgs {
    #[command(flatten)]
    pub place_and_time: PlaceAndTime,
    /// Plans to list; every matching plan when not given.
    #[arg(long)]
    pub limit: Option<usize>,
    #[arg(long, default_value_t = 0)]
    pub offset: usize,
    /// Print the list as JSON (the HTTP API's shape).
    #[arg(long)]
    pub json: bool,
    #[command(flatten)]
    pub index: IndexDir,
}

impl PlansArgs {
    fn request(&self) -> anyhow::Result<PlansRequest> {
        Ok(PlansRequest {
            regions: self.place_and_time.region.clone(),
            years: self.place_and_time.years()?,
            offset: self.offset,
            limit: self.limit,
        })
    }
}

pub fn run(args: PlansArgs) -> anyhow::Result<ExitCode> {
    let request = args.request()?;
    let index = open_index(&args.index)?;
    let list = index.plans(&request)?;
    if args.json {
        print_json(&list)?;
        return Ok(ExitCode::SUCCESS);
    }
    let plans = &list.plans;
    let id_width = plans.iter().map(|p| p.id.len()).max().unwrap_or(2).max(2);
    println!(
        "{:<id_width$}  {:<24}  {:<8}  {:>5}  title",
        "id", "region", "year", "items"
    );
    for plan in plans {
        let region = pad(&region(&plan.region), 24);
        println!(
            "{:<id_width$}  {region}  {:<8}  {:>5}  {}",
            plan.id,
            year(plan.year),
            plan.items,
            plan.title
        );
    }
    let listed = match plans.len() {
        shown if shown as u64 == list.total => String::new(),
        0 => "; none listed".to_owned(),
        shown => format!("; listed {}–{}", list.offset + 1, list.offset + shown),
    };
    let summary = format!("{} plans, {} items{listed}", list.total, list.items);
    println!("{}", dim(&summary));
    Ok(ExitCode::SUCCESS)
}

/// Pads to a display width, counting CJK characters as two columns.
pub fn pad(text: &str, width: usize) -> String {
    let shown: usize = text.chars().map(|c| if c.is_ascii() { 1 } else { 2 }).sum();
    format!("{text}{}", " ".repeat(width.saturating_sub(shown)))
}
