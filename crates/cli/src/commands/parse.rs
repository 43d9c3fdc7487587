//! `edusearch parse FILE…`: what the reader makes of documents, before indexing them.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;
use edusearch_plans::{Completeness, Plan};

use super::print_json;
use crate::output::{basis_note, bold, chinese_number, dim, region, year};

#[derive(Args)]
pub struct ParseArgs {
    /// Documents or folders to read (a folder's manifest.toml is applied).
    #[arg(required = true, value_name = "FILE")]
    pub paths: Vec<PathBuf>,
    /// Print the plans as JSON.
    #[arg(long)]
    pub json: bool,
}

pub fn run(args: ParseArgs) -> anyhow::Result<ExitCode> {
    let output = edusearch_plans::corpus::read_paths(&args.paths)?;
    if args.json {
        print_json(&output)?;
    } else {
        for plan in &output.plans {
            print_plan(plan);
        }
        for warning in &output.warnings {
            println!("warning: {}: {}", warning.source, warning.message);
        }
        let items: usize = output.plans.iter().map(|p| p.items.len()).sum();
        println!(
            "{} file(s), {} plan(s), {items} item(s), {} warning(s)",
            output.files,
            output.plans.len(),
            output.warnings.len()
        );
    }
    Ok(ExitCode::SUCCESS)
}

fn print_plan(plan: &Plan) {
    println!("{} {}", bold(&plan.title), dim(&format!("[{}]", plan.id)));
    println!("  source:  {}", plan.source);
    println!(
        "  region:  {} ({}{})",
        region(&plan.region),
        basis_note(plan.region.basis),
        plan.region
            .code
            .as_deref()
            .map(|c| format!(", {c}"))
            .unwrap_or_default()
    );
    println!(
        "  year:    {} ({})",
        year(plan.year),
        basis_note(plan.year_basis)
    );
    if let Some(issuer) = &plan.issuer {
        println!("  issuer:  {issuer}");
    }
    if let Some(number) = &plan.doc_number {
        println!("  文号:    {number}");
    }
    if let Some(published) = &plan.published {
        println!("  published: {published}");
    }
    for clue in &plan.clues {
        println!("  clue:    {clue}");
    }
    if let Some(preamble) = &plan.preamble {
        println!("  preamble: {}", truncate(preamble, 60));
    }
    println!(
        "  {} sections, {} items",
        plan.sections.len(),
        plan.items.len()
    );
    let mut current_section = None;
    for item in &plan.items {
        if item.section != current_section {
            current_section = item.section;
            if let Some(number) = item.section {
                let title = plan
                    .section(number)
                    .and_then(|s| s.title.clone())
                    .unwrap_or_else(|| dim("(heading not in the copy)"));
                println!("  {}、{}", chinese_number(number), title);
            }
        }
        let state = match item.completeness {
            Completeness::Complete => String::new(),
            Completeness::Outline => dim(" [outline only]"),
            Completeness::Truncated => dim(" [cut off]"),
        };
        println!("    {:>2}. {}{state}", item.number, bold(&item.title));
        if !item.body.is_empty() {
            println!("        {}", truncate(&item.body, 70));
        }
        if !item.units.is_empty() {
            println!(
                "        {}",
                dim(&format!("责任单位: {}", item.units.join("、")))
            );
        }
    }
    println!();
}

fn truncate(text: &str, chars: usize) -> String {
    let mut out: String = text.chars().take(chars).collect();
    if text.chars().count() > chars {
        out.push('…');
    }
    out.replace('\n', " ")
}
