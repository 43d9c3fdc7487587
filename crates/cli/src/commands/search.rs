//! `edusearch search`: hits with the matches marked, and a facet summary.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::Args;
use edusearch_index::{Facets, RegionCount, SearchRequest, SearchResponse, SortOrder, YearFilter};
use serde::Serialize;

use super::{batch, open_index, print_json};
use crate::output::{bold, dim, marked, region, year};
use crate::IndexDir;

#[derive(Args)]
pub struct SearchArgs {
    /// Terms (all required), "quoted phrases", OR, -excluded, region:/year:/unit: filters. Empty browses.
    #[arg(default_value = "", allow_hyphen_values = true)]
    pub query: String,
    #[command(flatten)]
    pub place_and_time: PlaceAndTime,
    /// Responsible unit (基教科); repeat for any of several.
    #[arg(long)]
    pub unit: Vec<String>,
    #[arg(long, value_enum, default_value = "relevance")]
    pub sort: SortArg,
    #[arg(long, default_value_t = 10)]
    pub limit: usize,
    #[arg(long, default_value_t = 0)]
    pub offset: usize,
    /// Print the answer as JSON (the HTTP API's shape).
    #[arg(long)]
    pub json: bool,
    /// Answer each line of FILE (`-`: standard input) as a query, with these filters,
    /// one JSON answer per line: the index is opened once for them all.
    #[arg(long, value_name = "FILE", conflicts_with = "query")]
    pub queries: Option<PathBuf>,
    #[command(flatten)]
    pub index: IndexDir,
}

/// The region and year filters, as `search`, `stats` and `plans` take them.
#[derive(Args)]
pub struct PlaceAndTime {
    /// Region: a name at any level (广东, 河源市) or a division code; repeat for any of several.
    #[arg(long)]
    pub region: Vec<String>,
    /// Year (2021), range (2019..2023) or `unknown`; repeat for any of several.
    #[arg(long)]
    pub year: Vec<String>,
}

impl PlaceAndTime {
    pub fn years(&self) -> anyhow::Result<Vec<YearFilter>> {
        let years = self.year.iter().map(|y| y.parse::<YearFilter>());
        Ok(years.collect::<Result<Vec<_>, _>>()?)
    }
}

#[derive(Clone, Copy, clap::ValueEnum)]
pub enum SortArg {
    Relevance,
    Year,
}

impl SearchArgs {
    pub fn request(&self) -> anyhow::Result<SearchRequest> {
        Ok(SearchRequest {
            query: self.query.clone(),
            regions: self.place_and_time.region.clone(),
            years: self.place_and_time.years()?,
            units: self.unit.clone(),
            sort: match self.sort {
                SortArg::Relevance => SortOrder::Relevance,
                SortArg::Year => SortOrder::Year,
            },
            offset: self.offset,
            limit: self.limit,
            facets: true,
        })
    }
}

/// A search answer with the query it answers, as `--queries` writes it.
#[derive(Serialize)]
struct Answered {
    query: String,
    #[serde(flatten)]
    response: SearchResponse,
}

pub fn run(args: SearchArgs) -> anyhow::Result<ExitCode> {
    let mut request = args.request()?;
    let index = open_index(&args.index)?;
    if let Some(queries) = &args.queries {
        return batch::answer_each_line(queries, |query| {
            request.query = query.to_owned();
            let response = index.search(&request)?;
            Ok(Answered {
                query: request.query.clone(),
                response,
            })
        });
    }
    let response = index.search(&request).context("search failed")?;
    if args.json {
        print_json(&response)?;
        return Ok(ExitCode::SUCCESS);
    }
    let one = response.total == 1;
    let entries = if one { "entry" } else { "entries" };
    let what = if request.query.trim().is_empty() {
        entries.to_owned()
    } else {
        let verb = if one { "matches" } else { "match" };
        format!("{entries} {verb} {}", request.query)
    };
    println!("{} {what}", bold(&response.total.to_string()));
    for (rank, hit) in response.hits.iter().enumerate() {
        // A preamble has no number; its title (总体要求) names it.
        let number = hit.number.map(|n| format!("{n}. ")).unwrap_or_default();
        println!();
        println!(
            "{:>3}  {number}{}  {}",
            request.offset + rank + 1,
            marked(&hit.title_marked),
            dim(&format!("[{} {}]", region(&hit.region), year(hit.year)))
        );
        let section = hit
            .section
            .as_ref()
            .and_then(|s| s.title.clone())
            .map(|t| format!(" · {t}"))
            .unwrap_or_default();
        println!("     {}", dim(&format!("{}{section}", hit.plan_title)));
        println!("     {}", marked(&hit.snippet));
        if !hit.units.is_empty() {
            println!(
                "     {}",
                dim(&format!("责任单位: {}", hit.units.join("、")))
            );
        }
        println!(
            "     {}",
            dim(&format!("{}  score {:.2}", hit.id, hit.score))
        );
    }
    if let Some(facets) = &response.facets {
        println!();
        print_facets(facets);
    }
    Ok(ExitCode::SUCCESS)
}

fn print_facets(facets: &Facets) {
    let selected = |s: bool| if s { "*" } else { "" };
    let regions: Vec<String> = facets.region.iter().map(region_summary).collect();
    println!("{} {}", bold("region:"), regions.join(" · "));
    let years: Vec<String> = facets
        .year
        .iter()
        .map(|y| format!("{}{} {}", selected(y.selected), year(y.value), y.count))
        .collect();
    println!("{} {}", bold("year:  "), years.join(" · "));
    if !facets.unit.is_empty() {
        let units: Vec<String> = facets
            .unit
            .iter()
            .take(12)
            .map(|u| format!("{}{} {}", selected(u.selected), u.value, u.count))
            .collect();
        let more = facets.unit.len().saturating_sub(12);
        let more = if more > 0 {
            format!(" · …{more} more")
        } else {
            String::new()
        };
        println!("{} {}{more}", bold("unit:  "), units.join(" · "));
    }
}

/// "广东省 2 (东莞市 1, 河源市 1)".
fn region_summary(node: &RegionCount) -> String {
    let mark = if node.selected { "*" } else { "" };
    if node.children.is_empty() {
        format!("{mark}{} {}", node.value, node.count)
    } else {
        let children: Vec<String> = node.children.iter().map(region_summary).collect();
        format!(
            "{mark}{} {} ({})",
            node.value,
            node.count,
            children.join(", ")
        )
    }
}
