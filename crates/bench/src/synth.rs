//! The corpus synthesiser: plans by real divisions for 2015–2025 whose items are
//! recombined, sentence by sentence, from the seed items, so that item lengths,
//! vocabulary and term frequencies stay those of real plans. The same seed and size
//! always give the same files, byte for byte.

use std::collections::BTreeSet;
use std::fs::{self, File};
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use edusearch_divisions::{Division, Divisions, Level};
use edusearch_index::ItemRecord;
use edusearch_plans::{item_id, plan_id, Basis, Completeness, Item, Plan, Region, Section};
use serde::{Deserialize, Serialize};

use crate::layout;
use crate::seeds::SeedPool;

pub const FIRST_YEAR: i32 = 2015;
pub const LAST_YEAR: i32 = 2025;
/// Bump when the generated text changes, so that a cached corpus is rebuilt.
const GENERATOR_VERSION: u32 = 1;

/// splitmix64: small, fast and good enough to pick sentences; no dependency.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    /// Uniform in `0..n` (n > 0).
    pub fn below(&mut self, n: usize) -> usize {
        (((self.next_u64() >> 11) as u128 * n as u128) >> 53) as usize
    }
    /// Uniform in `lo..=hi`.
    pub fn between(&mut self, lo: usize, hi: usize) -> usize {
        lo + self.below(hi - lo + 1)
    }
    pub fn chance(&mut self, numerator: usize, denominator: usize) -> bool {
        self.below(denominator) < numerator
    }
    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
    pub fn shuffle<T>(&mut self, items: &mut [T]) {
        for i in (1..items.len()).rev() {
            items.swap(i, self.below(i + 1));
        }
    }
}

/// What a synthetic corpus holds and where.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct CorpusInfo {
    pub generator_version: u32,
    pub seed: u64,
    pub items_requested: u64,
    pub plans: u64,
    /// Numbered items (preambles are entries too, but not items).
    pub items: u64,
    pub entries: u64,
    /// Bytes of the plan files.
    pub plan_bytes: u64,
    /// Bytes of the JSON-lines file.
    pub jsonl_bytes: u64,
    /// Bytes of the searchable text of all entries (title, body, units).
    pub text_bytes: u64,
    pub plans_dir: PathBuf,
    pub jsonl: PathBuf,
    /// Which reader gave the seed sentences.
    pub seed_reader: String,
    pub seed_items: usize,
    pub seed_sentences: usize,
}

/// Writes `items` items as plan files under `out/plans/` and as item records in
/// `out/items.jsonl`, unless a corpus of the same seed and size is already there.
pub fn synthesise(seeds_dir: &Path, out: &Path, items: u64, seed: u64) -> Result<CorpusInfo> {
    let stamp = out.join("corpus.json");
    if let Ok(text) = fs::read_to_string(&stamp) {
        if let Ok(info) = serde_json::from_str::<CorpusInfo>(&text) {
            if info.generator_version == GENERATOR_VERSION
                && info.seed == seed
                && info.items_requested == items
                && info.jsonl.exists()
            {
                println!(
                    "corpus: reusing {} ({} items, seed {seed})",
                    out.display(),
                    info.items
                );
                return Ok(info);
            }
        }
    }
    let pool = SeedPool::read(seeds_dir)?;
    let plans_dir = out.join("plans");
    if plans_dir.exists() {
        fs::remove_dir_all(&plans_dir)
            .with_context(|| format!("clearing {}", plans_dir.display()))?;
    }
    fs::create_dir_all(&plans_dir).with_context(|| format!("creating {}", plans_dir.display()))?;
    let jsonl = out.join("items.jsonl");
    let mut lines = BufWriter::with_capacity(
        1 << 20,
        File::create(&jsonl).with_context(|| format!("creating {}", jsonl.display()))?,
    );

    let mut rng = Rng::new(seed);
    let issuers = issuers(&mut rng);
    let mut info = CorpusInfo {
        generator_version: GENERATOR_VERSION,
        seed,
        items_requested: items,
        plans: 0,
        items: 0,
        entries: 0,
        plan_bytes: 0,
        jsonl_bytes: 0,
        text_bytes: 0,
        plans_dir: plans_dir.clone(),
        jsonl: jsonl.clone(),
        seed_reader: pool.reader.to_owned(),
        seed_items: pool.items_with_body,
        seed_sentences: pool.body_sentences.len(),
    };
    let mut line = Vec::with_capacity(4096);
    while info.items < items {
        let ordinal = info.plans as usize;
        let (division, year) = &issuers[ordinal % issuers.len()];
        let round = ordinal / issuers.len();
        let wanted = (items - info.items) as usize;
        let file_name = format!("plan_{ordinal:06}.txt");
        let plan = plan(&mut rng, &pool, division, *year, round, &file_name, wanted);
        let text = layout::render(&plan);
        fs::write(plans_dir.join(&file_name), &text)
            .with_context(|| format!("writing {}", plans_dir.join(&file_name).display()))?;
        info.plan_bytes += text.len() as u64;
        for record in ItemRecord::from_plan(&plan) {
            line.clear();
            serde_json::to_writer(&mut line, &record)?;
            line.push(b'\n');
            lines.write_all(&line)?;
            info.jsonl_bytes += line.len() as u64;
            info.text_bytes += (record.title.len()
                + record.body.len()
                + record.units.iter().map(String::len).sum::<usize>())
                as u64;
            info.entries += 1;
        }
        info.items += plan.items.len() as u64;
        info.plans += 1;
    }
    lines.flush()?;
    fs::write(&stamp, serde_json::to_string_pretty(&info)?)?;
    Ok(info)
}

/// Every (division, year) pair once, in a seeded order: a bureau issues one plan a year.
fn issuers(rng: &mut Rng) -> Vec<(Division, i32)> {
    let mut pairs: Vec<(Division, i32)> = Divisions::global()
        .all()
        .flat_map(|d| (FIRST_YEAR..=LAST_YEAR).map(move |y| (d.clone(), y)))
        .collect();
    rng.shuffle(&mut pairs);
    pairs
}

/// The name a bureau gives itself: 河源市教育局, 广东省教育厅, 北京市教育委员会; a county
/// whose name repeats elsewhere (鼓楼区) is prefixed with its city, as such bureaus do.
fn issuer_name(division: &Division) -> (String, Region) {
    let divisions = Divisions::global();
    let chain = divisions.chain(&division.code).unwrap_or_default();
    let name = |d: Option<&Division>| d.map(|d| d.name.clone());
    let region = Region {
        province: name(chain.province),
        city: name(chain.city),
        county: name(chain.county),
        code: Some(division.code.clone()),
        basis: Basis::Title,
    };
    let issuer = match division.level {
        Level::Province if division.name.ends_with('市') => format!("{}教育委员会", division.name),
        Level::Province => format!("{}教育厅", division.name),
        Level::City => format!("{}教育局", division.name),
        Level::County => {
            let parent = chain.city.or(chain.province);
            let repeated = divisions.lookup(&division.name).len() > 1;
            match parent {
                Some(p) if repeated => format!("{}{}教育局", p.name, division.name),
                _ => format!("{}教育局", division.name),
            }
        }
    };
    (issuer, region)
}

fn plan(
    rng: &mut Rng,
    pool: &SeedPool,
    division: &Division,
    year: i32,
    round: usize,
    file_name: &str,
    max_items: usize,
) -> Plan {
    let (issuer, region) = issuer_name(division);
    // Past one plan per bureau and year, a second round are revised editions.
    let title = match round {
        0 => format!("{issuer}{year}年工作要点"),
        n => format!("{issuer}{year}年工作要点（修订{n}）"),
    };
    let id = plan_id(file_name, 1);
    let preamble_len = rng.between(2, 4);
    let preamble: String = (0..preamble_len)
        .map(|_| rng.pick(&pool.preamble_sentences).as_str())
        .collect();

    let section_count = rng.between(5, 10);
    let mut sections = Vec::with_capacity(section_count);
    let mut items = Vec::new();
    let mut used_titles = BTreeSet::new();
    'sections: for s in 1..=section_count as u32 {
        sections.push(Section {
            number: s,
            title: Some(rng.pick(&pool.section_titles).clone()),
        });
        for _ in 0..rng.between(3, 8) {
            if items.len() == max_items {
                break 'sections;
            }
            let number = items.len() as u32 + 1;
            items.push(item(rng, pool, &id, number, s, &mut used_titles));
        }
    }
    // A plan cut short by the item budget keeps only the sections it has items in.
    let last_section = items.last().and_then(|i: &Item| i.section).unwrap_or(1);
    sections.truncate(last_section as usize);
    Plan {
        id,
        title,
        title_basis: Basis::Title,
        issuer: Some(issuer),
        issuer_basis: Basis::Title,
        region,
        year: Some(year),
        year_basis: Basis::Title,
        published: None,
        doc_number: None,
        source: format!("plans/{file_name}"),
        provenance: None,
        clues: Vec::new(),
        preamble: Some(preamble).filter(|p| !p.is_empty()),
        sections,
        items,
    }
}

fn item(
    rng: &mut Rng,
    pool: &SeedPool,
    plan_id: &str,
    number: u32,
    section: u32,
    used_titles: &mut BTreeSet<String>,
) -> Item {
    // Titles repeat across plans, as they do in real ones, but not within one.
    let mut title = rng.pick(&pool.item_titles).clone();
    for _ in 0..8 {
        if used_titles.insert(title.clone()) {
            break;
        }
        title = rng.pick(&pool.item_titles).clone();
    }
    let sentence_count = *rng.pick(&pool.sentences_per_item);
    let mut body: String = (0..sentence_count)
        .map(|_| rng.pick(&pool.body_sentences).as_str())
        .collect();
    // An item ends with a full stop even when its last sentence was a clause.
    if let Some(stripped) = body.strip_suffix(['；', ';']) {
        body = format!("{stripped}。");
    }
    let units = if !pool.unit_lists.is_empty()
        && rng.chance(pool.items_with_units.max(1), pool.items_with_body.max(1))
    {
        rng.pick(&pool.unit_lists).clone()
    } else {
        Vec::new()
    };
    Item {
        id: item_id(plan_id, number),
        number,
        section: Some(section),
        title,
        body,
        units,
        completeness: Completeness::Complete,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rng_is_deterministic_and_in_range() {
        let (mut a, mut b) = (Rng::new(7), Rng::new(7));
        for _ in 0..1000 {
            let x = a.below(13);
            assert_eq!(x, b.below(13));
            assert!(x < 13);
        }
    }
}
