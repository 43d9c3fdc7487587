//! Building an index: entries go into a staging folder, which replaces the live index
//! only once it is complete (see `layout`).

use std::collections::{HashMap, HashSet};
use std::fs;
use std::path::{Path, PathBuf};

use edusearch_divisions::Divisions;
use edusearch_plans::Plan;
use tantivy::indexer::NoMergePolicy;
use tantivy::store::{Compressor, ZstdCompressor};
use tantivy::{Index, IndexSettings, IndexWriter, TantivyDocument};

use crate::analysis::shared_jieba;
use crate::error::{IndexError, Result};
use crate::layout::{self, DICTIONARY_FILE, FORMAT_VERSION, META_FILE, PLANS_FILE};
use crate::record::{EntryKind, ItemRecord};
use crate::response::IndexInfo;
use crate::schema::{build_schema, Fields, UNKNOWN, UNKNOWN_YEAR};
use crate::store::{StoredEntry, StoredPlan};
use crate::tokenizers::register_tokenizers;

/// Entries per plan are numbered below this; plans above it.
pub(crate) const ENTRY_BITS: u32 = 20;

#[derive(Debug, Clone)]
pub struct BuildOptions {
    /// The whole domain dictionary: the built-in one plus any user additions.
    pub dictionary: String,
    /// Indexing threads; defaults to the number of cores.
    pub threads: usize,
    /// Total indexing memory budget in bytes.
    pub memory_budget: usize,
}

impl Default for BuildOptions {
    fn default() -> Self {
        let threads = std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(1)
            .min(8);
        BuildOptions {
            dictionary: crate::analysis::BUILTIN_DICTIONARY.to_owned(),
            threads,
            // Large in-memory segments mean few merges: at 1.5 M items, 512 MB a thread
            // leaves four segments and takes about a tenth off the build on 2 cores, for
            // ~120 MB more peak memory. Beyond four threads they share 2 GB. The arena
            // grows only as far as the corpus needs.
            memory_budget: (512 << 20) * threads.clamp(1, 4),
        }
    }
}

/// Writes a new index generation under `root`. Dropping the builder without
/// [`IndexBuilder::commit`] removes the staging folder and leaves the live index as it was
/// (and no `root` where there was none).
pub struct IndexBuilder {
    root: PathBuf,
    /// Whether `root` was made for this build, to be removed with the staging folder.
    created_root: bool,
    staging: PathBuf,
    /// Taken by `commit`.
    writer: Option<IndexWriter>,
    fields: Fields,
    plans: Vec<StoredPlan>,
    plan_index: HashMap<String, usize>,
    ids: HashSet<String>,
    entries_in_plan: Vec<u64>,
    items: u64,
    preambles: u64,
    committed: bool,
}

impl IndexBuilder {
    pub fn create(root: &Path, options: &BuildOptions) -> Result<IndexBuilder> {
        let jieba = shared_jieba(&options.dictionary)?;
        let created_root = !root.exists();
        let staging = layout::new_staging(root)?;
        let cleanup = |e| {
            abandon(root, created_root, &staging);
            e
        };
        let (schema, fields) = build_schema();
        // zstd keeps the stored text (a quarter of the index) about a third smaller than
        // lz4; level 6 a further 5.5 % smaller than level 3 (100 k items: 21.3 → 20.2 MB),
        // compressing at 140 rather than 400 MB/s (on a thread beside each writer) and
        // decompressing as fast.
        let settings = IndexSettings {
            docstore_compression: Compressor::Zstd(ZstdCompressor {
                compression_level: Some(6),
            }),
            // Each hit shown decompresses one block (~50 µs at 64 KB); 64 KB blocks
            // compress a seventh better than 32 KB ones.
            docstore_blocksize: 64 * 1024,
            ..IndexSettings::default()
        };
        let index = Index::builder()
            .schema(schema)
            .settings(settings)
            .create_in_dir(&staging)
            .map_err(IndexError::tantivy("creating the index"))
            .map_err(cleanup)?;
        register_tokenizers(&index, &jieba);
        fs::write(staging.join(DICTIONARY_FILE), &options.dictionary)
            .map_err(IndexError::io(staging.join(DICTIONARY_FILE)))
            .map_err(cleanup)?;
        let threads = options.threads.max(1);
        // tantivy wants at least ~15 MB per thread.
        let budget = options.memory_budget.max(threads * 32 * 1024 * 1024);
        let writer: IndexWriter = index
            .writer_with_num_threads(threads, budget)
            .map_err(IndexError::tantivy("starting the index writer"))
            .map_err(cleanup)?;
        // Entries come in layout order and each thread's segments keep their share of
        // it; a merge concatenates segments, interleaving those shares, and would cost
        // the merged segment the runs its region and year filters are visited by. (With
        // eight threads the default policy merged all eight segments into one.) A build
        // makes few segments anyway: one or two a thread.
        writer.set_merge_policy(Box::new(NoMergePolicy));
        Ok(IndexBuilder {
            root: root.to_path_buf(),
            created_root,
            staging,
            writer: Some(writer),
            fields,
            plans: Vec::new(),
            plan_index: HashMap::new(),
            ids: HashSet::new(),
            entries_in_plan: Vec::new(),
            items: 0,
            preambles: 0,
            committed: false,
        })
    }

    /// Adds a plan's preamble and items.
    pub fn add_plan(&mut self, plan: &Plan) -> Result<()> {
        for record in ItemRecord::from_plan(plan) {
            self.add_record(&record)?;
        }
        Ok(())
    }

    /// Adds one entry; its plan is registered on first sight. Entries of one plan
    /// are browsed in the order they are added.
    pub fn add_record(&mut self, record: &ItemRecord) -> Result<()> {
        if record.id.is_empty() || record.plan_id.is_empty() {
            return Err(IndexError::Input(
                "an entry needs a non-empty id and plan_id".into(),
            ));
        }
        if record.kind == EntryKind::Item && record.number.is_none() {
            return Err(IndexError::Input(format!(
                "item {:?} has no number",
                record.id
            )));
        }
        if !self.ids.insert(record.id.clone()) {
            return Err(IndexError::Input(format!(
                "the id {:?} occurs twice",
                record.id
            )));
        }
        let plan_slot = match self.plan_index.get(&record.plan_id) {
            Some(&slot) => slot,
            None => {
                let slot = self.plans.len();
                self.plans
                    .push(StoredPlan::from_record(slot as u64, record));
                self.plan_index.insert(record.plan_id.clone(), slot);
                self.entries_in_plan.push(0);
                slot
            }
        };
        self.plans[plan_slot].absorb(record);
        let entry_ordinal = self.entries_in_plan[plan_slot];
        self.entries_in_plan[plan_slot] += 1;
        if entry_ordinal >= 1 << ENTRY_BITS {
            return Err(IndexError::Input(format!(
                "plan {:?} has more than a million entries",
                record.plan_id
            )));
        }
        let order = ((plan_slot as u64) << ENTRY_BITS) | entry_ordinal;
        let document = self.document(record, order)?;
        self.writer_mut()?
            .add_document(document)
            .map_err(IndexError::tantivy("adding a document"))?;
        match record.kind {
            EntryKind::Item => self.items += 1,
            EntryKind::Preamble => self.preambles += 1,
        }
        Ok(())
    }

    fn document(&self, record: &ItemRecord, order: u64) -> Result<TantivyDocument> {
        let f = &self.fields;
        let entry = StoredEntry::from_record(record);
        let text = entry.search_text();
        let mut doc = TantivyDocument::default();
        doc.add_text(f.id, &record.id);
        doc.add_text(f.plan_id, &record.plan_id);
        doc.add_text(f.text_bigrams, &text);
        doc.add_text(f.text_chars, &text);
        doc.add_text(f.title_bigrams, &record.title);
        doc.add_text(f.text_words, &text);
        if let Some(title_words) = f.title_words {
            doc.add_text(title_words, &record.title);
        }
        let codes = region_codes(record.region.code.as_deref());
        for code in &codes {
            doc.add_u64(f.region, *code);
        }
        doc.add_u64(f.region_code, codes.last().copied().unwrap_or(UNKNOWN));
        doc.add_i64(f.year, record.year.map_or(UNKNOWN_YEAR, i64::from));
        for unit in &record.units {
            doc.add_text(f.unit, unit);
        }
        doc.add_u64(f.order, order);
        doc.add_u64(f.is_item, u64::from(record.kind == EntryKind::Item));
        let stored = serde_json::to_vec(&entry).map_err(|e| IndexError::Input(e.to_string()))?;
        doc.add_bytes(f.stored, &stored);
        Ok(doc)
    }

    pub fn counts(&self) -> (u64, u64) {
        (self.plans.len() as u64, self.items)
    }

    /// Finishes the index and makes it the live one.
    pub fn commit(mut self) -> Result<IndexInfo> {
        self.writer_mut()?
            .commit()
            .map_err(IndexError::tantivy("committing the index"))?;
        let info = IndexInfo {
            format_version: FORMAT_VERSION,
            built_at: layout::now_rfc3339(),
            plans: self.plans.len() as u64,
            items: self.items,
            preambles: self.preambles,
        };
        let plans_path = self.staging.join(PLANS_FILE);
        let plans =
            serde_json::to_vec(&self.plans).map_err(|e| IndexError::Input(e.to_string()))?;
        fs::write(&plans_path, plans).map_err(IndexError::io(&plans_path))?;
        let meta_path = self.staging.join(META_FILE);
        let meta =
            serde_json::to_vec_pretty(&info).map_err(|e| IndexError::Input(e.to_string()))?;
        fs::write(&meta_path, meta).map_err(IndexError::io(&meta_path))?;
        // Wait for the writer's threads so the published folder is final.
        let writer = self.writer.take();
        writer
            .map_or(Ok(()), IndexWriter::wait_merging_threads)
            .map_err(IndexError::tantivy("merging segments"))?;
        layout::publish(&self.root, &self.staging)?;
        self.committed = true;
        Ok(info)
    }
}

impl IndexBuilder {
    fn writer_mut(&mut self) -> Result<&mut IndexWriter> {
        self.writer
            .as_mut()
            .ok_or_else(|| IndexError::Input("the index is already committed".into()))
    }
}

impl Drop for IndexBuilder {
    fn drop(&mut self) {
        if !self.committed {
            if let Some(writer) = self.writer.as_mut() {
                let _ = writer.rollback();
            }
            abandon(&self.root, self.created_root, &self.staging);
        }
    }
}

/// Removes an uncommitted build's staging folder, and `root` too if the build made it
/// and it is empty (a build never removes what it did not make).
fn abandon(root: &Path, created_root: bool, staging: &Path) {
    let _ = fs::remove_dir_all(staging);
    if created_root {
        let _ = fs::remove_dir(root);
    }
}

/// Every division code a region sits in, province first; empty when unknown.
pub(crate) fn region_codes(code: Option<&str>) -> Vec<u64> {
    let Some(chain) = code.and_then(|c| Divisions::global().chain(c)) else {
        return Vec::new();
    };
    [chain.province, chain.city, chain.county]
        .into_iter()
        .flatten()
        .filter_map(|d| d.code.parse::<u64>().ok())
        .collect()
}
