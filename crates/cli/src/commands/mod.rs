pub mod batch;
pub mod export;
pub mod index;
pub mod parse;
pub mod plans;
pub mod search;
pub mod serve;
pub mod show;
pub mod stats;

use anyhow::Context;
use edusearch_index::SearchIndex;

use crate::IndexDir;

pub fn open_index(dir: &IndexDir) -> anyhow::Result<SearchIndex> {
    SearchIndex::open(&dir.path)
        .with_context(|| format!("cannot open the index at {}", dir.path.display()))
}

/// Prints a value as pretty JSON on stdout.
pub fn print_json(value: &impl serde::Serialize) -> anyhow::Result<()> {
    let text = serde_json::to_string_pretty(value)?;
    println!("{text}");
    Ok(())
}
