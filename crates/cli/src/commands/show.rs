//! `edusearch show ID`: an item in its plan, or a whole plan.

use std::process::ExitCode;

use clap::Args;
use edusearch_index::{ItemRecord, SearchError};
use edusearch_plans::{Completeness, Plan};

use super::{open_index, print_json};
use crate::output::{basis_note, bold, chinese_number, dim, region, year};
use crate::IndexDir;

#[derive(Args)]
pub struct ShowArgs {
    /// An item id (…-p1-13) or a plan id (…-p1).
    pub id: String,
    #[arg(long)]
    pub json: bool,
    #[command(flatten)]
    pub index: IndexDir,
}

pub fn run(args: ShowArgs) -> anyhow::Result<ExitCode> {
    let index = open_index(&args.index)?;
    match index.item(&args.id) {
        Ok(item) => {
            let plan = index.plan(&item.plan_id)?;
            if args.json {
                print_json(&item)?;
            } else {
                print_item_in_plan(&item, &plan);
            }
        }
        Err(SearchError::NotFound { .. }) => {
            let plan = index.plan(&args.id)?;
            if args.json {
                print_json(&plan)?;
            } else {
                print_plan(&plan, None);
            }
        }
        Err(other) => return Err(other.into()),
    }
    Ok(ExitCode::SUCCESS)
}

fn print_header(plan: &Plan) {
    println!("{}  {}", bold(&plan.title), dim(&plan.id));
    println!(
        "  {} ({}) · {} ({})",
        region(&plan.region),
        basis_note(plan.region.basis),
        year(plan.year),
        basis_note(plan.year_basis)
    );
    let extra: Vec<String> = [
        plan.issuer.clone(),
        plan.doc_number.clone(),
        plan.published.as_ref().map(|p| format!("published {p}")),
        Some(format!("source {}", plan.source)),
    ]
    .into_iter()
    .flatten()
    .collect();
    println!("  {}", dim(&extra.join(" · ")));
    for clue in &plan.clues {
        println!("  {}", dim(&format!("clue: {clue}")));
    }
}

fn print_item_in_plan(item: &ItemRecord, plan: &Plan) {
    print_header(plan);
    println!();
    if let Some(section) = &item.section {
        println!(
            "{}、{}",
            chinese_number(section.number),
            section
                .title
                .as_deref()
                .unwrap_or("(heading not in the copy)")
        );
    }
    // A preamble has no number; its title (总体要求) names it.
    let number = item.number.map(|n| format!("{n}. ")).unwrap_or_default();
    println!("{}", bold(&format!("{number}{}", item.title)));
    if !item.body.is_empty() {
        println!("{}", item.body);
    }
    if !item.units.is_empty() {
        println!("{}", dim(&format!("责任单位: {}", item.units.join("、"))));
    }
    let position = plan.items.iter().position(|i| i.id == item.id);
    if let Some(position) = position {
        println!();
        if let Some(before) = position.checked_sub(1).and_then(|p| plan.items.get(p)) {
            println!(
                "{}",
                dim(&format!(
                    "previous: {}. {}  ({})",
                    before.number, before.title, before.id
                ))
            );
        }
        if let Some(after) = plan.items.get(position + 1) {
            println!(
                "{}",
                dim(&format!(
                    "next:     {}. {}  ({})",
                    after.number, after.title, after.id
                ))
            );
        }
    }
}

pub fn print_plan(plan: &Plan, highlight: Option<&str>) {
    print_header(plan);
    if let Some(preamble) = &plan.preamble {
        println!();
        println!("{preamble}");
    }
    let mut current = None;
    for item in &plan.items {
        if item.section != current {
            current = item.section;
            if let Some(number) = item.section {
                let title = plan
                    .section(number)
                    .and_then(|s| s.title.clone())
                    .unwrap_or_else(|| "(heading not in the copy)".into());
                println!();
                println!("{}", bold(&format!("{}、{title}", chinese_number(number))));
            }
        }
        let state = match item.completeness {
            Completeness::Complete => "",
            Completeness::Outline => " [outline only]",
            Completeness::Truncated => " [cut off]",
        };
        let title = if highlight == Some(item.id.as_str()) {
            bold(&item.title)
        } else {
            item.title.clone()
        };
        println!("{}. {title}{}", item.number, dim(state));
        if !item.body.is_empty() {
            println!("   {}", item.body);
        }
        if !item.units.is_empty() {
            println!(
                "   {}",
                dim(&format!("责任单位: {}", item.units.join("、")))
            );
        }
    }
}
