//! An open index and everything asked of it: search with facets, one item, one plan,
//! the list of plans, trend counts, export.

use std::fs;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

use edusearch_divisions::Divisions;
use edusearch_plans::{Plan, Region};
use jieba_rs::Jieba;
use tantivy::collector::{Collector, Count, SegmentCollector};
use tantivy::query::{AllQuery, Query, TermQuery};
use tantivy::schema::{IndexRecordOption, Value};
use tantivy::{
    DocAddress, DocId, Index, IndexReader, ReloadPolicy, SegmentOrdinal, TantivyDocument, Term,
};

use crate::analysis::shared_jieba;
use crate::columns::{ColumnCache, SegmentColumns};
use crate::error::{IndexError, Result, SearchError};
use crate::facets::{region_tree, unit_counts, year_counts, FacetCollector, RawCounts, Wanted};
use crate::filters::{ColumnFilters, SegmentFilters};
use crate::layout::{self, DICTIONARY_FILE, PLANS_FILE};
use crate::passes::{every_entry, Passes, SegmentThreads};
use crate::plan_table::{OpenPlan, PlanTable};
use crate::query::{
    compile, parse_query, resolve_region, BestScores, CompiledQuery, DenseSets, Dimension,
    FieldFilesCache, IndexCaches,
};
use crate::ranking::{PageCollector, Ranking};
use crate::record::ItemRecord;
use crate::request::{PlansRequest, SearchRequest, SortOrder};
use crate::response::{Facets, Hit, IndexInfo, PlanList, SearchResponse, Stats};
use crate::schema::Fields;
use crate::snippet;
use crate::store::StoredEntry;
use crate::trends::{self, StatsCollector, TrendCounts};

/// Entries of each segment, by ordinal, as rising, disjoint ranges of doc ids.
type SegmentRuns = Vec<Vec<Range<DocId>>>;

/// Characters of text shown around the first match.
const SNIPPET_CHARS: usize = 120;

/// Decompressed 64 KB blocks of stored entries kept per segment: enough for a page of
/// ten hits asked for again. tantivy keeps 100, which held 35 MB more of the server's
/// memory after 1,998 distinct searches at 1.5 M entries, for hits that rarely share a
/// block, at the same throughput.
const STORE_BLOCKS_CACHED: usize = 16;

/// A read-only, shareable handle on the live index generation.
pub struct SearchIndex {
    generation: PathBuf,
    reader: IndexReader,
    fields: Fields,
    jieba: Arc<Jieba>,
    plans: PlanTable,
    info: IndexInfo,
    whole_index: OnceLock<WholeIndex>,
    /// The trend counts of the whole index, once asked for.
    whole_index_trends: OnceLock<TrendCounts>,
    columns: ColumnCache,
    /// Where queries read the positions of their terms.
    field_files: Arc<FieldFilesCache>,
    best_scores: Arc<BestScores>,
    /// Where queries of several frequent terms read those terms' entries.
    dense_sets: Arc<DenseSets>,
    segment_threads: SegmentThreads,
}

/// Every entry of the index: how many, and their facet counts.
struct WholeIndex {
    total: u64,
    counts: RawCounts,
}

/// Threads that share the work of a search running alone: every core.
pub fn default_search_threads() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

impl SearchIndex {
    /// Opens the live generation under `root`, searching with every core.
    pub fn open(root: &Path) -> Result<SearchIndex> {
        Self::open_with_threads(root, default_search_threads())
    }

    /// Opens the live generation under `root`; a search that runs alone is shared by
    /// `search_threads` threads, which take pieces of its segments in turn; while
    /// others run, each searches on its own thread, so concurrent searches keep their
    /// throughput.
    pub fn open_with_threads(root: &Path, search_threads: usize) -> Result<SearchIndex> {
        let generation = layout::current_generation(root)?;
        let info = layout::read_meta(&generation)?;
        let index = Index::open_in_dir(&generation).map_err(IndexError::tantivy(format!(
            "opening {}",
            generation.display()
        )))?;
        let dictionary_path = generation.join(DICTIONARY_FILE);
        let dictionary =
            fs::read_to_string(&dictionary_path).map_err(IndexError::io(&dictionary_path))?;
        // Building jieba's dictionary and reading the plans take about as long each
        // (0.1 s and 0.15 s at 1.5 M entries), most of a command's time: side by side.
        let (jieba, plans) = std::thread::scope(|scope| {
            let jieba = scope.spawn(|| shared_jieba(&dictionary));
            let plans = PlanTable::read(&generation.join(PLANS_FILE));
            let jieba = jieba
                .join()
                .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
            (jieba, plans)
        });
        let (jieba, plans) = (jieba?, plans?);
        // No tokenizers are registered: queries are built from folded terms directly
        // (see `query::compile`), so the word analyzer's copy of jieba is not needed here.
        let fields =
            Fields::resolve(&index.schema()).map_err(IndexError::tantivy("reading the schema"))?;
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .doc_store_cache_num_blocks(STORE_BLOCKS_CACHED)
            .try_into()
            .map_err(IndexError::tantivy("opening a reader"))?;
        Ok(SearchIndex {
            generation,
            reader,
            fields,
            jieba,
            plans,
            info,
            whole_index: OnceLock::new(),
            whole_index_trends: OnceLock::new(),
            columns: ColumnCache::default(),
            field_files: Arc::default(),
            best_scores: Arc::default(),
            dense_sets: Arc::default(),
            segment_threads: SegmentThreads::new(search_threads)
                .map_err(IndexError::tantivy("starting the search threads"))?,
        })
    }

    /// What the searches of this index keep for one another.
    fn caches(&self) -> IndexCaches<'_> {
        IndexCaches {
            files: &self.field_files,
            best_scores: &self.best_scores,
            dense_sets: &self.dense_sets,
        }
    }

    pub fn info(&self) -> &IndexInfo {
        &self.info
    }

    pub fn generation(&self) -> &Path {
        &self.generation
    }

    /// A request checked and its query compiled for the passes of one search.
    fn begin(&self, request: &SearchRequest) -> Result<(Passes<'_>, CompiledQuery), SearchError> {
        request.validate()?;
        let parsed = parse_query(&request.query)?;
        let passes = self.segment_threads.passes(self.reader.searcher());
        let compiled = compile(
            &parsed,
            request,
            &self.fields,
            &self.jieba,
            &passes.searcher,
            self.caches(),
        )?;
        Ok((passes, compiled))
    }

    /// One page of hits with the exact total and (if asked) facet counts.
    pub fn search(&self, request: &SearchRequest) -> Result<SearchResponse, SearchError> {
        let (passes, compiled) = self.begin(request)?;
        let searcher = &passes.searcher;
        // An empty page (limit 0: the total and facets alone, as scripts that count ask)
        // needs no ranking: nothing asks for scores, so none are computed.
        let ranking = (request.limit > 0).then(|| {
            Ranking::new(
                request.sort,
                compiled.has_text(),
                request.offset + request.limit,
            )
        });

        let (page, total, facets) = if !compiled.has_text() && compiled.filter_count() == 0 {
            // The whole index in browse order (the first page a visitor sees): its total
            // and counts are known once, and its page is its first entries, which each
            // piece finds without visiting the rest.
            let whole = self.whole_index(&passes)?;
            let page = match ranking {
                Some(ranking) => passes.search_scoring_on_demand(
                    &AllQuery,
                    &PageCollector {
                        ranking,
                        columns: &self.columns,
                    },
                )?,
                None => Vec::new(),
            };
            let facets = request
                .facets
                .then(|| self.facets(whole.counts.clone(), &compiled));
            (page, whole.total, facets)
        } else if !request.facets {
            // In an index in layout order, the entries passing the region and year
            // filters are runs, visited alone; matched as queries, a range of years read
            // the year column through the runs of the other years (3.5 ms a search at
            // 1.5 M entries).
            let (query, passing) = self.narrowed(searcher, &compiled)?;
            match (&ranking, &passing) {
                (None, None) => {
                    let total = passes.search(&*query, &Count)?;
                    (Vec::new(), total as u64, None)
                }
                _ => {
                    let collector = FacetCollector {
                        top: ranking,
                        filters: Arc::default(),
                        wanted: Wanted::NONE,
                        columns: &self.columns,
                    };
                    let (page, total, _) = passes.search_scoring_on_demand_within(
                        &*query,
                        &collector,
                        passing.as_deref(),
                    )?;
                    (page, total, None)
                }
            }
        } else if compiled.has_text() {
            // The text matches are visited once for the total, every facet and the page;
            // filters are checked per entry from columns, so each facet can be counted
            // without its own filter, and only the entries that pass them all are scored.
            // (Ranking a filtered page in a pass of its own, so that the count could read
            // entries in batches, cost more than it saved where the text is costly to
            // match: the text was matched twice.) With a region and a year filter, an
            // index in layout order is visited only where an entry can count at all.
            let filters = Arc::new(column_filters(&compiled));
            let within = self.entries_that_count(searcher, &filters)?;
            let collector = FacetCollector {
                top: ranking,
                filters,
                wanted: Wanted::ALL,
                columns: &self.columns,
            };
            let (page, total, counts) = passes.search_scoring_on_demand_within(
                &*compiled.without_filters(),
                &collector,
                within.as_deref(),
            )?;
            (page, total, Some(self.facets(counts, &compiled)))
        } else if compiled.filter_count() == 1 {
            // A browse with one filter: a pass over the entries passing it ranks the
            // page and counts the other facets; the filtered facet, without its own
            // filter, is the whole index's. (A province's 66 k entries at 1.5 M: 1.1 ms,
            // where sifting the segments' value counts below took 3 ms.)
            let (query, passing) = self.narrowed(searcher, &compiled)?;
            let collector = FacetCollector {
                top: ranking,
                filters: Arc::default(),
                wanted: Wanted {
                    region: !compiled.has_filter(Dimension::Region),
                    year: !compiled.has_filter(Dimension::Year),
                    unit: !compiled.has_filter(Dimension::Unit),
                },
                columns: &self.columns,
            };
            let (page, total, mut counts) =
                passes.search_scoring_on_demand_within(&*query, &collector, passing.as_deref())?;
            let whole = &self.whole_index(&passes)?.counts;
            if compiled.has_filter(Dimension::Region) {
                counts.region = whole.region.clone();
            } else if compiled.has_filter(Dimension::Year) {
                counts.year = whole.year.clone();
            } else {
                counts.unit = whole.unit.clone();
            }
            (page, total, Some(self.facets(counts, &compiled)))
        } else {
            // A browse with filters on two or more dimensions: each facet without its
            // own filter would take a pass over the entries of the others (a province
            // and five years: the ~700 k entries of those years, 10 ms on one thread at
            // 1.5 M). The total and every facet come instead from each segment's counts
            // of its distinct facet values (2.7 ms); the page from the entries passing
            // the filters, where each piece stops once its page is settled.
            let (total, counts) = self.browse_counts(searcher, column_filters(&compiled))?;
            let page = match ranking {
                Some(ranking) => {
                    let (query, passing) = self.narrowed(searcher, &compiled)?;
                    let collector = PageCollector {
                        ranking,
                        columns: &self.columns,
                    };
                    passes.search_scoring_on_demand_within(
                        &*query,
                        &collector,
                        passing.as_deref(),
                    )?
                }
                None => Vec::new(),
            };
            (page, total, Some(self.facets(counts, &compiled)))
        };

        let mut hits = Vec::with_capacity(request.limit);
        for ((_, score, _), address) in page.into_iter().skip(request.offset).take(request.limit) {
            let entry = self.entry_at(searcher, address)?;
            hits.push(self.hit(
                entry,
                if compiled.has_text() { score } else { 0.0 },
                &compiled.marked_terms,
            )?);
        }
        Ok(SearchResponse {
            total,
            hits,
            facets,
        })
    }

    /// The entries of each segment, by ordinal, that can count anywhere under
    /// `filters` (see [`SegmentFilters::ranges_that_count`]); None if every segment
    /// must be visited whole.
    fn entries_that_count(
        &self,
        searcher: &tantivy::Searcher,
        filters: &Arc<ColumnFilters>,
    ) -> Result<Option<SegmentRuns>, SearchError> {
        let runs = self.runs(searcher, filters, SegmentFilters::ranges_that_count)?;
        if runs.iter().all(Option::is_none) {
            return Ok(None);
        }
        Ok(Some(
            runs.into_iter()
                .zip(searcher.segment_readers())
                .map(|(runs, segment)| runs.unwrap_or_else(|| every_entry(segment.max_doc())))
                .collect(),
        ))
    }

    /// The query, and the entries it may visit in each segment. In an index in layout
    /// order the entries passing the region and year filters are runs (see
    /// [`SegmentFilters::ranges_passing`]), visited alone with those filters left out
    /// of the query: as queries, a range of years read the year column through the
    /// runs of the other years (3.5 ms a search at 1.5 M entries).
    fn narrowed(
        &self,
        searcher: &tantivy::Searcher,
        compiled: &CompiledQuery,
    ) -> Result<(Box<dyn Query>, Option<SegmentRuns>), SearchError> {
        let filters = Arc::new(ColumnFilters::new(
            &compiled.selected_regions,
            &compiled.selected_years,
            &[],
        ));
        let runs = self.runs(searcher, &filters, SegmentFilters::ranges_passing)?;
        let passing: Option<SegmentRuns> = runs.into_iter().collect();
        let left_out: &[Dimension] = match passing {
            Some(_) => &[Dimension::Region, Dimension::Year],
            None => &[],
        };
        Ok((compiled.without_all(left_out), passing))
    }

    /// The total and facet counts of a browse (no text) under `filters`, each
    /// facet without its own filter: from each segment's counts of its distinct facet
    /// values, rather than entry by entry (except in a segment with deleted entries,
    /// which those counts include). The whole index's counts are a browse's too.
    fn browse_counts(
        &self,
        searcher: &tantivy::Searcher,
        filters: ColumnFilters,
    ) -> Result<(u64, RawCounts), SearchError> {
        let collector = FacetCollector::counting(filters, Wanted::ALL, &self.columns);
        let mut fruits = Vec::new();
        for (ordinal, segment) in searcher.segment_readers().iter().enumerate() {
            let mut counting = collector.for_segment(ordinal as SegmentOrdinal, segment)?;
            match segment.alive_bitset() {
                None => counting.count_values(),
                Some(alive) => alive
                    .iter_alive()
                    .for_each(|doc| counting.collect(doc, 0.0)),
            }
            fruits.push(counting.harvest());
        }
        let (_, total, counts) = collector.merge_fruits(fruits)?;
        Ok((total, counts))
    }

    /// `runs` of each segment under `filters`.
    fn runs(
        &self,
        searcher: &tantivy::Searcher,
        filters: &Arc<ColumnFilters>,
        runs: impl Fn(&SegmentFilters, &SegmentColumns) -> Option<Vec<Range<DocId>>>,
    ) -> Result<Vec<Option<Vec<Range<DocId>>>>, SearchError> {
        if filters.is_empty() {
            return Ok(vec![None; searcher.segment_readers().len()]);
        }
        let mut all = Vec::new();
        for segment in searcher.segment_readers() {
            let columns = self.columns.get(segment)?;
            all.push(runs(&SegmentFilters::new(filters, &columns), &columns));
        }
        Ok(all)
    }

    /// The number and facet counts of every entry, computed on first need (the index
    /// never changes under an open reader).
    fn whole_index(&self, passes: &Passes<'_>) -> Result<&WholeIndex, SearchError> {
        if let Some(whole) = self.whole_index.get() {
            return Ok(whole);
        }
        let (total, counts) = self.browse_counts(&passes.searcher, ColumnFilters::default())?;
        Ok(self
            .whole_index
            .get_or_init(|| WholeIndex { total, counts }))
    }

    fn facets(&self, counts: RawCounts, compiled: &CompiledQuery) -> Facets {
        Facets {
            region: region_tree(&counts.region, &compiled.selected_regions),
            year: year_counts(&counts.year, &compiled.selected_years),
            unit: unit_counts(&counts.unit, &compiled.selected_units),
        }
    }

    fn hit(&self, entry: StoredEntry, score: f32, terms: &[String]) -> Result<Hit, SearchError> {
        let plan = self.plan_of(&entry)?;
        // The title is shown (marked) on its own; the passage comes from the rest.
        let text = entry.passage_text();
        Ok(Hit {
            snippet: snippet::snippet(&text, terms, SNIPPET_CHARS),
            title_marked: snippet::mark_all(&entry.title, terms),
            id: entry.id,
            plan_id: entry.plan_id,
            kind: entry.kind,
            number: entry.number,
            title: entry.title,
            plan_title: plan.title.to_string(),
            region: Region::clone(&plan.region),
            year: plan.year,
            section: entry.section.map(|n| plan.section(n)),
            units: entry.units,
            completeness: entry.completeness,
            score,
        })
    }

    fn plan_of(&self, entry: &StoredEntry) -> Result<&OpenPlan, SearchError> {
        self.plans.get(&entry.plan_id).ok_or_else(|| {
            SearchError::Index(IndexError::Corrupt {
                path: self.generation.join(PLANS_FILE),
                message: format!(
                    "plan {:?} of entry {:?} is missing",
                    entry.plan_id, entry.id
                ),
            })
        })
    }

    fn entry_at(
        &self,
        searcher: &tantivy::Searcher,
        address: DocAddress,
    ) -> Result<StoredEntry, SearchError> {
        let doc: TantivyDocument = searcher.doc(address)?;
        let bytes = doc
            .get_first(self.fields.stored)
            .and_then(|v| v.as_bytes())
            .unwrap_or_default();
        serde_json::from_slice(bytes).map_err(|e| {
            SearchError::Index(IndexError::Corrupt {
                path: self.generation.clone(),
                message: format!("stored entry: {e}"),
            })
        })
    }

    /// The entries matching an exact-id term, in browse order.
    fn entries_where(&self, term: Term, limit: usize) -> Result<Vec<StoredEntry>, SearchError> {
        let searcher = self.reader.searcher();
        let query = TermQuery::new(term, IndexRecordOption::Basic);
        let in_browse_order = PageCollector {
            ranking: Ranking::new(SortOrder::Relevance, false, limit.max(1)),
            columns: &self.columns,
        };
        let found = searcher.search(&query, &in_browse_order)?;
        found
            .into_iter()
            .map(|(_, address)| self.entry_at(&searcher, address))
            .collect()
    }

    /// One entry with its plan's fields: the bulk record shape.
    pub fn item(&self, id: &str) -> Result<ItemRecord, SearchError> {
        let entry = self
            .entries_where(Term::from_field_text(self.fields.id, id), 1)?
            .into_iter()
            .next()
            .ok_or_else(|| SearchError::NotFound { id: id.to_owned() })?;
        let plan = self.plan_of(&entry)?;
        Ok(plan.record(entry))
    }

    /// A whole plan: metadata, preamble, sections and every item in order.
    pub fn plan(&self, id: &str) -> Result<Plan, SearchError> {
        let (plan, entries) = self.plan_entries(id)?;
        Ok(plan.to_plan(entries))
    }

    /// Every record of a plan, in order (for export).
    pub fn plan_records(&self, id: &str) -> Result<Vec<ItemRecord>, SearchError> {
        let (plan, entries) = self.plan_entries(id)?;
        Ok(entries.into_iter().map(|e| plan.record(e)).collect())
    }

    /// A plan's stored metadata and its entries in browse order.
    fn plan_entries(&self, id: &str) -> Result<(&OpenPlan, Vec<StoredEntry>), SearchError> {
        let plan = self
            .plans
            .get(id)
            .ok_or_else(|| SearchError::NotFound { id: id.to_owned() })?;
        let entries = self.entries_where(
            Term::from_field_text(self.fields.plan_id, id),
            plan.item_count as usize + 1,
        )?;
        Ok((plan, entries))
    }

    /// A page of the plans that pass `request`'s filters, in browse order, with how
    /// many pass and their items.
    pub fn plans(&self, request: &PlansRequest) -> Result<PlanList, SearchError> {
        let regions = (request.regions.iter())
            // `unknown` resolves to a code at no position, as unknown plans have none.
            .map(|region| Ok(Divisions::global().position(resolve_region(region)?)))
            .collect::<Result<Vec<_>, SearchError>>()?;
        let page = request.offset
            ..request
                .offset
                .saturating_add(request.limit.unwrap_or(usize::MAX));
        let mut list = PlanList {
            total: 0,
            items: 0,
            offset: request.offset,
            plans: Vec::new(),
        };
        for plan in self
            .plans
            .iter()
            .filter(|p| p.passes(&regions, &request.years))
        {
            if page.contains(&(list.total as usize)) {
                list.plans.push(plan.summary());
            }
            list.total += 1;
            list.items += plan.item_count;
        }
        Ok(list)
    }

    /// Items and regions per year, and items per region (the `by_region` regions of
    /// most items; all if `None`), of a query's numbered items.
    pub fn stats(
        &self,
        request: &SearchRequest,
        by_region: Option<usize>,
    ) -> Result<Stats, SearchError> {
        let (passes, compiled) = self.begin(request)?;
        let query = request.query.clone();
        // The whole index's are counted once per open index: the page asks for them
        // beside the first page a visitor sees (30 ms on one thread at 1.5 M entries).
        let whole_index = !compiled.has_text() && compiled.filter_count() == 0;
        if whole_index {
            if let Some(whole) = self.whole_index_trends.get() {
                return Ok(trends::stats(query, whole, by_region));
            }
        }
        let (narrowed, passing) = self.narrowed(&passes.searcher, &compiled)?;
        let collector = StatsCollector {
            columns: &self.columns,
        };
        let counts =
            passes.search_scoring_on_demand_within(&*narrowed, &collector, passing.as_deref())?;
        let stats = trends::stats(query, &counts, by_region);
        if whole_index {
            let _ = self.whole_index_trends.set(counts);
        }
        Ok(stats)
    }
}

/// The query's region, year and unit filters, checked per entry from the columns.
fn column_filters(compiled: &CompiledQuery) -> ColumnFilters {
    ColumnFilters::new(
        &compiled.selected_regions,
        &compiled.selected_years,
        &compiled.selected_units,
    )
}

impl std::fmt::Debug for SearchIndex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SearchIndex")
            .field("generation", &self.generation)
            .field("info", &self.info)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;
    use std::sync::Arc;

    use tantivy::postings::Postings;
    use tantivy::query::Weight;
    use tantivy::query::{
        Bm25Weight, BooleanQuery, BoostQuery, EnableScoring, Occur, PhraseQuery, Query, Scorer,
        TermQuery,
    };
    use tantivy::schema::{Field, IndexRecordOption};
    use tantivy::{
        DocAddress, DocId, DocSet, Score, SeekDangerResult, SegmentReader, Term, TERMINATED,
    };

    use super::{SearchError, SearchIndex};
    use crate::filters::{ColumnFilters, SegmentFilters};
    use crate::passes::SegmentThreads;
    use crate::query::bonus::{Bonus, BonusQuery, Required};
    use crate::query::conjunction::{filters_by_windows, ConjunctionQuery};
    use crate::query::substring::SubstringQuery;
    use crate::query::{compile, parse_query, BestScores, ScoreReaching, WithBonusScorer};
    use crate::{BuildOptions, IndexBuilder, PlansRequest, SearchRequest, SortOrder, YearFilter};

    /// The bundled plans, indexed in a temporary folder in layout order.
    fn seed_index() -> tempfile::TempDir {
        seed_index_with_threads(2)
    }

    fn seed_index_with_threads(threads: usize) -> tempfile::TempDir {
        let options = BuildOptions {
            threads,
            ..BuildOptions::default()
        };
        index_of(seed_plans(), &options)
    }

    /// The bundled plans.
    fn seed_plans() -> Vec<edusearch_plans::Plan> {
        let corpus = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../corpus");
        edusearch_plans::corpus::read_corpus(&corpus).unwrap().plans
    }

    /// The bundled plans with `items` (title and body) added to the first, indexed by
    /// one thread: one segment in layout order, each added item right after the one
    /// before it, on any machine.
    fn seed_index_with_items(items: &[(String, String)]) -> tempfile::TempDir {
        let mut plans = seed_plans();
        let plan = &mut plans[0];
        let template = plan.items[0].clone();
        for (at, (title, body)) in items.iter().enumerate() {
            let number = 900 + at as u32;
            plan.items.push(edusearch_plans::Item {
                id: format!("{}-{number}", plan.id),
                number,
                title: title.clone(),
                body: body.clone(),
                ..template.clone()
            });
        }
        let one_thread = BuildOptions {
            threads: 1,
            ..BuildOptions::default()
        };
        index_of(plans, &one_thread)
    }

    /// `plans` indexed in a temporary folder in layout order.
    fn index_of(
        mut plans: Vec<edusearch_plans::Plan>,
        options: &BuildOptions,
    ) -> tempfile::TempDir {
        crate::sort_plans(&mut plans);
        let dir = tempfile::tempdir().unwrap();
        let mut builder = IndexBuilder::create(dir.path(), options).unwrap();
        for plan in &plans {
            builder.add_plan(plan).unwrap();
        }
        builder.commit().unwrap();
        dir
    }

    /// A term of the text, matched through its `covering` and `narrowing` bigrams (with
    /// their offsets in the term) and, if given, its word.
    fn substring_query(
        index: &SearchIndex,
        covering: [(usize, &str); 2],
        narrowing: &[(usize, &str)],
        word: Option<&str>,
    ) -> SubstringQuery {
        let fields = &index.fields;
        let in_text = (fields.text_bigrams, fields.text_words);
        substring_query_in(index, in_text, covering, narrowing, word)
    }

    /// As [`substring_query`], in the given bigram and word fields.
    fn substring_query_in(
        index: &SearchIndex,
        (bigrams, words): (Field, Field),
        covering: [(usize, &str); 2],
        narrowing: &[(usize, &str)],
        word: Option<&str>,
    ) -> SubstringQuery {
        let bigram = |text: &str| Term::from_field_text(bigrams, text);
        SubstringQuery::new(
            covering
                .iter()
                .map(|&(at, gram)| (at, bigram(gram)))
                .collect(),
            narrowing
                .iter()
                .map(|&(at, gram)| (at, bigram(gram)))
                .collect(),
            word.map(|word| Term::from_field_text(words, word))
                .into_iter()
                .collect(),
            std::sync::Arc::clone(&index.field_files),
        )
    }

    /// Walks `found` beside `expected` to the end of the segment, asserting that they
    /// match the same entries with the same scores, to the bit; the entries matched.
    fn same_matches_and_scores(
        expected: &mut dyn Scorer,
        found: &mut dyn Scorer,
        label: &str,
    ) -> Vec<DocId> {
        let mut matches = Vec::new();
        while expected.doc() != TERMINATED {
            assert_eq!(found.doc(), expected.doc(), "{label}");
            assert_eq!(found.score().to_bits(), expected.score().to_bits());
            matches.push(found.doc());
            expected.advance();
            found.advance();
        }
        assert_eq!(found.doc(), TERMINATED, "{label}");
        matches
    }

    /// Asks a scorer of `found` and one of `expected` about each entry of `segment`
    /// alone, as a conjunction asks (`seek_danger`): `found` must find exactly the
    /// `matches`, each scored as `expected` scores it, to the bit, and send the search
    /// on no further than the next match from any other entry.
    fn same_answers_entry_by_entry(
        expected: &dyn Weight,
        found: &dyn Weight,
        segment: &SegmentReader,
        matches: &[DocId],
        label: &str,
    ) {
        let mut expected = expected.scorer(segment, 1.0).unwrap();
        let mut found = found.scorer(segment, 1.0).unwrap();
        for target in 1..segment.max_doc() {
            let next = matches.iter().copied().find(|&m| m >= target);
            match found.seek_danger(target) {
                SeekDangerResult::Found => {
                    assert_eq!(next, Some(target), "{label}");
                    assert_eq!(expected.seek_danger(target), SeekDangerResult::Found);
                    assert_eq!(found.score().to_bits(), expected.score().to_bits());
                }
                SeekDangerResult::SeekLowerBound(bound) => {
                    let next = next.unwrap_or(TERMINATED);
                    assert!(next != target && bound > target && bound <= next, "{label}");
                }
            }
        }
    }

    /// A floor to ask an entry's score to reach, from its own score and the segment's best.
    type FloorOf = fn(Score, Score) -> Score;

    /// What asking a scorer for scores reaching floors gave.
    struct Asked {
        /// The entries given a score other than their own, once per floor.
        cut_short: Vec<DocId>,
        /// How often an entry said that those after it fall short too.
        passed_on: usize,
    }

    /// Walks a scorer of `weight` through the `exact` entries of `segment` once per
    /// floor, asking each for a score reaching the floor: asserts the exact score where
    /// it does and one below the floor where not, and that the entries it says fall
    /// short too do, then the exact score asked in full.
    fn cut_short_at_floors(
        weight: &dyn Weight,
        segment: &SegmentReader,
        exact: &[(DocId, Score)],
        floors: &[FloorOf],
        label: &str,
    ) -> Asked {
        let best = exact.iter().map(|&(_, score)| score).fold(0.0, f32::max);
        let mut cut_short = Vec::new();
        let mut passed_on = 0;
        for floor_of in floors {
            let mut scorer = weight.scorer(segment, 1.0).unwrap();
            for &(doc, score) in exact {
                assert_eq!(scorer.doc(), doc, "{label}");
                let floor = floor_of(score, best);
                // As a search's pieces ask: by its own type if a bonus query's.
                let reached = match scorer.downcast_mut::<WithBonusScorer>() {
                    Some(with_bonus) => with_bonus.score_reaching(floor),
                    None => scorer.score_reaching(floor),
                };
                if score >= floor {
                    assert_eq!(reached.score.to_bits(), score.to_bits(), "{label} #{doc}");
                } else {
                    assert!(
                        reached.score < floor,
                        "{label} #{doc}: {reached:?} ≥ {floor}"
                    );
                }
                passed_on += usize::from(reached.none_before > doc + 1);
                // What it says of the entries after it holds of each of them.
                for &(later, later_score) in exact {
                    if (doc..reached.none_before).contains(&later) {
                        assert!(later_score < floor, "{label} #{later} by #{doc}");
                    }
                }
                if reached.score != score {
                    cut_short.push(doc);
                }
                assert_eq!(scorer.score().to_bits(), score.to_bits(), "{label} #{doc}");
                scorer.advance();
            }
            assert_eq!(scorer.doc(), TERMINATED, "{label}");
        }
        Asked {
            cut_short,
            passed_on,
        }
    }

    /// A plan of unknown region counts its items in its year and under "unknown", but
    /// adds no issuing region to its year (the seed plans all have a known region).
    #[test]
    fn stats_count_a_plan_of_unknown_region_but_not_as_a_region() {
        let mut plans = seed_plans();
        let mut unplaced = plans[0].clone();
        unplaced.id = format!("{}-unplaced", unplaced.id);
        unplaced.region = edusearch_plans::Region::unknown();
        for item in &mut unplaced.items {
            item.id = format!("{}-unplaced", item.id);
        }
        plans.push(unplaced.clone());
        let dir = index_of(plans.clone(), &BuildOptions::default());
        let index = SearchIndex::open(dir.path()).unwrap();

        let stats = index.stats(&SearchRequest::default(), None).unwrap();
        let unknown = stats
            .by_region
            .iter()
            .find(|r| r.code == "unknown")
            .unwrap();
        assert_eq!(unknown.items, unplaced.items.len() as u64);
        let year = stats
            .by_year
            .iter()
            .find(|y| y.year == unplaced.year)
            .unwrap();
        let plans_of_year = plans.iter().filter(|p| p.year == unplaced.year);
        let known_regions: std::collections::BTreeSet<_> = plans_of_year
            .clone()
            .filter_map(|p| p.region.code.clone())
            .collect();
        assert_eq!(year.regions, known_regions.len() as u64);
        assert_eq!(year.plans, plans_of_year.count() as u64);
    }

    /// Segments cut into pieces of a few entries, searched side by side, give the
    /// answers of whole segments searched by one thread: hits, totals, facets, stats.
    #[test]
    fn pieces_of_segments_answer_as_whole_segments_do() {
        let dir = seed_index();
        let whole = SearchIndex::open_with_threads(dir.path(), 1).unwrap();
        let mut cut = SearchIndex::open_with_threads(dir.path(), 1).unwrap();
        cut.segment_threads = SegmentThreads::new(3).unwrap().with_min_piece_entries(7);

        for query in [
            "双减",
            "教育",
            "学校 教师 课程",
            "\"义务教育 优质均衡\"",
            "工作 -教师",
            "课后服务 OR 劳动教育",
            "",
        ] {
            for (regions, years, sort, offset) in [
                (vec![], vec![], SortOrder::Relevance, 0),
                (vec!["440000".to_owned()], vec![], SortOrder::Relevance, 0),
                (
                    vec![],
                    vec![YearFilter::Range(2019, 2023)],
                    SortOrder::Year,
                    0,
                ),
                (vec![], vec![], SortOrder::Relevance, 10),
                (
                    vec!["440000".to_owned()],
                    vec![YearFilter::Range(2022, 2024)],
                    SortOrder::Relevance,
                    0,
                ),
            ] {
                let request = SearchRequest {
                    query: query.to_owned(),
                    regions,
                    years,
                    sort,
                    offset,
                    ..SearchRequest::default()
                };
                assert_eq!(
                    whole.search(&request).unwrap(),
                    cut.search(&request).unwrap(),
                    "{request:?}"
                );
                assert_eq!(
                    whole.stats(&request, None).unwrap(),
                    cut.stats(&request, None).unwrap(),
                    "{request:?}"
                );
            }
        }
    }

    /// A page holds the entries of best score, ties going by browse order, with the
    /// scores the query's scorer gives them asked in full: neither the bounds that
    /// leave most entries unscored nor the loop that asks for scores changes it, on one
    /// thread or with segments cut into pieces.
    #[test]
    fn a_page_holds_the_best_entries_as_scored_in_full() {
        let dir = seed_index();
        let mut full_pages = 0;
        // Windows of 8 entries as well: the seed segments are one window of the default.
        for (threads, windows) in [(1, None), (3, None), (1, Some(3)), (3, Some(3))] {
            let mut index = SearchIndex::open_with_threads(dir.path(), 1).unwrap();
            if let Some(window_log2) = windows {
                index.best_scores = Arc::new(BestScores::with_windows_of(window_log2));
            }
            if threads > 1 {
                index.segment_threads = SegmentThreads::new(threads)
                    .unwrap()
                    .with_min_piece_entries(7);
            }
            for query in [
                "双减",
                "教育",
                "学校 教师 课程",
                "\"义务教育 优质均衡\"",
                "劳动教育 心理健康",
                "工作 -教师",
                "课后服务 OR 劳动教育",
            ] {
                for offset in [0, 10] {
                    let request = SearchRequest {
                        query: query.to_owned(),
                        offset,
                        limit: 10,
                        ..SearchRequest::default()
                    };
                    let expected = {
                        let (passes, compiled) = index.begin(&request).unwrap();
                        let searcher = &passes.searcher;
                        let weight = compiled
                            .without_filters()
                            .weight(EnableScoring::enabled_from_searcher(searcher))
                            .unwrap();
                        let mut all = Vec::new();
                        for (ord, segment) in searcher.segment_readers().iter().enumerate() {
                            let columns = index.columns.get(segment).unwrap();
                            let mut scorer = weight.scorer(segment, 1.0).unwrap();
                            while scorer.doc() != TERMINATED {
                                let doc = scorer.doc();
                                let address = DocAddress::new(ord as u32, doc);
                                all.push((scorer.score(), columns.order(doc), address));
                                scorer.advance();
                            }
                        }
                        all.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
                        all.iter()
                            .skip(offset)
                            .take(10)
                            .map(|&(score, _, address)| {
                                let entry = index.entry_at(searcher, address).unwrap();
                                (entry.id, score.to_bits())
                            })
                            .collect::<Vec<_>>()
                    };
                    let hits = index.search(&request).unwrap().hits;
                    let got: Vec<_> = hits
                        .iter()
                        .map(|h| (h.id.clone(), h.score.to_bits()))
                        .collect();
                    assert_eq!(
                        got, expected,
                        "{query} from {offset}, {threads} threads, windows {windows:?}"
                    );
                    full_pages += usize::from(got.len() == 10);
                }
            }
        }
        // Pages that a bound could cut short: some queries fill two.
        assert!(full_pages >= 4, "{full_pages} full pages");
    }

    /// An index built in layout order lets a search with a region and a year filter
    /// visit only the runs of entries passing one of them: fewer than all, and among
    /// them every entry that passes either.
    #[test]
    fn region_and_year_filters_narrow_a_layout_ordered_index_to_runs() {
        let dir = seed_index();
        let index = SearchIndex::open(dir.path()).unwrap();
        let searcher = index.reader.searcher();
        let filters = Arc::new(ColumnFilters::new(
            &[440000],
            &[YearFilter::Range(2022, 2024)],
            &[],
        ));
        let within = index
            .entries_that_count(&searcher, &filters)
            .unwrap()
            .expect("the segments are in layout order");
        let mut visited = 0;
        let mut passing = 0;
        for (segment, ranges) in searcher.segment_readers().iter().zip(&within) {
            let columns = index.columns.get(segment).unwrap();
            let sifting = SegmentFilters::new(&filters, &columns);
            for doc in 0..segment.max_doc() {
                let verdict = sifting.sift(&columns.facets(doc));
                let inside = ranges.iter().any(|range| range.contains(&doc));
                if verdict.region || verdict.year {
                    passing += 1;
                    assert!(inside, "entry {doc} passes a filter but is not visited");
                }
                visited += u32::from(inside);
            }
        }
        let entries = searcher.num_docs() as u32;
        assert!(
            passing > 0 && visited < entries,
            "{passing} / {visited} / {entries}"
        );
        // Without both filters, every entry may count.
        let one = Arc::new(ColumnFilters::new(&[440000], &[], &[]));
        assert!(index.entries_that_count(&searcher, &one).unwrap().is_none());
    }

    /// Built on many threads, each thread's segment holds a share of the entries in
    /// layout order; merging such segments would interleave them, and a machine with
    /// eight cores would lose the runs of region and year filters altogether.
    #[test]
    fn every_segment_of_a_build_on_many_threads_stays_in_layout_order() {
        let dir = seed_index_with_threads(8);
        let index = SearchIndex::open(dir.path()).unwrap();
        let searcher = index.reader.searcher();
        let segments = searcher.segment_readers();
        assert!(segments.len() > 1, "{} segment(s)", segments.len());
        for segment in segments {
            let columns = index.columns.get(segment).unwrap();
            assert!(
                columns.year_blocks().is_some(),
                "a segment of {} entries is out of layout order",
                segment.max_doc()
            );
        }
    }

    /// Plans are listed by the same region and year filters as entries: a province
    /// takes in its cities' and counties' plans, values of one filter add up, and a page
    /// is cut from the matching plans in browse order with their total.
    #[test]
    fn plans_are_listed_by_region_and_year_a_page_at_a_time() {
        let dir = seed_index();
        let index = SearchIndex::open_with_threads(dir.path(), 1).unwrap();
        let list = |regions: &[&str], years: &[&str], offset, limit| {
            let request = PlansRequest {
                regions: regions.iter().map(|r| r.to_string()).collect(),
                years: years.iter().map(|y| y.parse().unwrap()).collect(),
                offset,
                limit,
            };
            index.plans(&request)
        };
        let titles = |regions: &[&str], years: &[&str]| -> Vec<String> {
            let list = list(regions, years, 0, None).unwrap();
            assert_eq!(list.total as usize, list.plans.len());
            let items: u64 = list.plans.iter().map(|p| p.items).sum();
            assert_eq!(list.items, items);
            list.plans.into_iter().map(|p| p.title).collect()
        };

        let all = titles(&[], &[]);
        assert_eq!(all.len(), 6);
        assert_eq!(
            titles(&["广东"], &[]),
            ["市教育局2024年工作要点", "河源市教育局2021年工作要点"]
        );
        // A city code takes in its counties' plans; 荣成市 is a county of 威海市.
        assert_eq!(titles(&["371000"], &[]), ["荣成市教育工作要点（节选）"]);
        assert_eq!(titles(&["山东省"], &["2021"]), ["2021年全市教育工作要点"]);
        assert_eq!(
            titles(&["广东", "福建"], &["2022..2024"]),
            ["市教育局2024年工作要点", "2023年海沧区教育工作要点"]
        );
        assert_eq!(titles(&[], &["2021"]).len(), 3);
        assert!(titles(&["unknown"], &[]).is_empty());
        assert!(titles(&[], &["unknown"]).is_empty());

        // Pages of two, in browse order, add up to the whole list.
        let mut paged = Vec::new();
        for offset in (0..8).step_by(2) {
            let page = list(&[], &[], offset, Some(2)).unwrap();
            assert_eq!((page.total, page.offset), (6, offset));
            paged.extend(page.plans.into_iter().map(|p| p.title));
        }
        assert_eq!(paged, all);

        let error = list(&["朝阳区"], &[], 0, None).unwrap_err();
        assert!(
            matches!(error, SearchError::AmbiguousRegion { .. }),
            "{error}"
        );
        let error = list(&["火星"], &[], 0, None).unwrap_err();
        assert_eq!(error.parameter_name(), Some("region"), "{error}");
    }

    /// A browse of the whole index, whose pieces stop once their page is settled, gives
    /// every entry in browse order (plan by plan), page after page, and the full total.
    #[test]
    fn a_browse_of_the_whole_index_pages_through_every_entry_in_order() {
        let dir = seed_index();
        let mut index = SearchIndex::open_with_threads(dir.path(), 1).unwrap();
        index.segment_threads = SegmentThreads::new(3).unwrap().with_min_piece_entries(7);
        let in_order: Vec<String> = (index.plans(&PlansRequest::default()).unwrap().plans)
            .iter()
            .flat_map(|plan| index.plan_records(&plan.id).unwrap())
            .map(|record| record.id)
            .collect();
        let entries = in_order.len();
        assert!(entries > 200, "{entries} entries");

        let mut paged = Vec::new();
        for offset in (0..entries + 10).step_by(9) {
            let request = SearchRequest {
                offset,
                limit: 9,
                ..SearchRequest::default()
            };
            let response = index.search(&request).unwrap();
            assert_eq!(response.total, entries as u64);
            paged.extend(response.hits.into_iter().map(|hit| hit.id));
        }
        assert_eq!(paged, in_order);

        let counted = SearchRequest {
            limit: 0,
            facets: false,
            ..SearchRequest::default()
        };
        assert_eq!(index.search(&counted).unwrap().total, entries as u64);
    }

    /// A term found by `seek_danger` through its word alone (its other bigrams not
    /// sought) leaves a scorer that advances to the next match: a fresh scorer sent to
    /// each match in turn, or to the entry after it, answers as the matches found by
    /// advancing say.
    #[test]
    fn a_substring_found_through_its_word_advances_to_the_next_match() {
        let dir = seed_index();
        let index = SearchIndex::open_with_threads(dir.path(), 1).unwrap();
        let searcher = index.reader.searcher();
        let mut checked = 0;
        for (term, covering, narrowing) in [
            ("劳动教育", [(0, "劳动"), (2, "教育")], "动教"),
            ("课后服务", [(0, "课后"), (2, "服务")], "后服"),
            ("心理健康", [(0, "心理"), (2, "健康")], "理健"),
            ("校外培训", [(0, "校外"), (2, "培训")], "外培"),
        ] {
            let query = substring_query(&index, covering, &[(1, narrowing)], Some(term));
            let weight = query
                .weight(EnableScoring::disabled_from_searcher(&searcher))
                .unwrap();
            for segment in searcher.segment_readers() {
                let mut matches = Vec::new();
                let mut scorer = weight.scorer(segment, 1.0).unwrap();
                while scorer.doc() != TERMINATED {
                    matches.push(scorer.doc());
                    scorer.advance();
                }
                let next_match = |doc: DocId| {
                    matches
                        .iter()
                        .copied()
                        .find(|&m| m > doc)
                        .unwrap_or(TERMINATED)
                };
                for &target in matches.iter().skip(1) {
                    let mut scorer = weight.scorer(segment, 1.0).unwrap();
                    assert_eq!(scorer.seek_danger(target), SeekDangerResult::Found);
                    assert_eq!(scorer.advance(), next_match(target), "{term} #{target}");
                    checked += 1;

                    let mut scorer = weight.scorer(segment, 1.0).unwrap();
                    let after = target + 1;
                    if after < segment.max_doc() && !matches.contains(&after) {
                        match scorer.seek_danger(after) {
                            SeekDangerResult::Found => panic!("{term} #{after} is no match"),
                            SeekDangerResult::SeekLowerBound(bound) => {
                                assert!(bound > after && bound <= next_match(after));
                            }
                        }
                    }
                }
            }
        }
        assert!(checked >= 10, "{checked}");
    }

    /// A term jieba cuts into several words, decided where each word stands once by one
    /// bigram of each, matches the entries, and scores them to the bit, as its covering
    /// bigrams' positions do, and the entries tantivy's phrase of all its bigrams
    /// matches; asked about each entry alone (as a conjunction asks) it answers the
    /// same. Each word is covered by its own bigrams: none across two words, so that
    /// entries with the words apart are candidates the pieces must rule out. Besides
    /// the bundled plans, items with the words once each but apart (one holding every
    /// bigram of the term, before one with the term), a piece's bigram in place
    /// without its word, the term twice, and one without a piece's bigram before one
    /// with the term; and with the words twice: both times together, once, or never
    /// (before one with the term), and a piece's bigram in place outside its word
    /// while the word stands elsewhere.
    #[test]
    fn a_term_of_several_words_matches_and_scores_as_by_positions() {
        let bodies = [
            "推进义务教育工作，促进优质均衡发展。",
            "义务劳动优质均衡，教育先行。",
            "义务教育优质均衡，义务教育优质均衡。",
            "促进优质均衡发展。",
            "义务教育优先，促进优质均衡。",
            "实现义务教育优质均衡发展。",
            "教学与教育并重。",
            "深化教育教学改革，教育质量稳步提升。",
            "推进义务教育优质均衡，办好义务教育，追求优质均衡。",
            "义务教育优先发展，义务教育和优质均衡，追求优质均衡。",
            "优质均衡的义务教育，义务教育优质均衡。",
            "义务劳动优质均衡，义务教育。",
        ];
        let numbered = bodies.iter().enumerate();
        let items: Vec<(String, String)> = numbered
            .map(|(at, body)| (format!("第{}项", 900 + at), body.to_string()))
            .collect();
        let dir = seed_index_with_items(&items);
        let index = SearchIndex::open_with_threads(dir.path(), 1).unwrap();
        let searcher = index.reader.searcher();
        let fields = &index.fields;
        let scoring = EnableScoring::enabled_from_searcher(&searcher);
        let mut matched = 0;
        for words in [
            &["义务教育", "优质均衡"][..],
            &["教育", "教学"],
            &["教育", "工作"],
            &["教师", "队伍", "建设"],
            &["立德树人", "根本", "任务"],
            &["心理健康", "教育"],
            &["中小学", "生"],
            &["教育", "质量"],
            &["教育", "改革"],
        ] {
            let term = words.concat();
            let chars: Vec<char> = term.chars().collect();
            let bigram = |at: usize| {
                let gram = String::from_iter(&chars[at..at + 2]);
                Term::from_field_text(fields.text_bigrams, &gram)
            };
            // Each word's bigrams at even offsets in it, and its last (a word of one
            // character: the bigram ending in it, and no pieces, as it holds none).
            let (mut covering, mut pieces, mut start) = (Vec::new(), Vec::new(), 0);
            for word in words {
                let end = start + word.chars().count();
                for at in (start..end - 1).step_by(2).chain([end - 2]) {
                    if !covering.iter().any(|(c, _)| *c == at) {
                        covering.push((at, bigram(at)));
                    }
                }
                pieces.push((start, Term::from_field_text(fields.text_words, word)));
                start = end;
            }
            let files = || Arc::clone(&index.field_files);
            let by_positions = SubstringQuery::new(covering.clone(), vec![], vec![], files());
            let by_pieces =
                SubstringQuery::new(covering, vec![], vec![], files()).with_pieces(pieces);
            let phrase = PhraseQuery::new((0..chars.len() - 1).map(bigram).collect());
            let by_positions = by_positions.weight(scoring).unwrap();
            let by_pieces = by_pieces.weight(scoring).unwrap();
            let phrase = phrase
                .weight(EnableScoring::disabled_from_searcher(&searcher))
                .unwrap();
            for segment in searcher.segment_readers() {
                let matches = same_matches_and_scores(
                    &mut *by_positions.scorer(segment, 1.0).unwrap(),
                    &mut *by_pieces.scorer(segment, 1.0).unwrap(),
                    &term,
                );
                let mut phrase = phrase.scorer(segment, 1.0).unwrap();
                let mut phrase_matches = Vec::new();
                while phrase.doc() != TERMINATED {
                    phrase_matches.push(phrase.doc());
                    phrase.advance();
                }
                assert_eq!(matches, phrase_matches, "{term}");
                matched += matches.len();
                same_answers_entry_by_entry(&*by_positions, &*by_pieces, segment, &matches, &term);
            }
        }
        assert!(matched >= 60, "{matched} entries matched");
    }

    /// A term found in the title through the title's words matches the titles, and
    /// scores them to the bit, as the title bigrams' positions alone do; asked about
    /// each entry alone, as a bonus is asked, it answers the same too.
    #[test]
    fn a_title_term_found_through_its_word_matches_and_scores_as_by_positions() {
        let dir = seed_index();
        let index = SearchIndex::open_with_threads(dir.path(), 1).unwrap();
        let searcher = index.reader.searcher();
        let fields = &index.fields;
        let in_title = (fields.title_bigrams, fields.title_words.unwrap());
        let scoring = EnableScoring::enabled_from_searcher(&searcher);
        let (mut matched, mut as_words) = (0, 0);
        for term in [
            "职业教育",
            "学前教育",
            "义务教育",
            "教育评价",
            "教育督导",
            "教师队伍",
            "队伍建设",
            "人才培养",
            "校园安全",
            "思想政治",
            "劳动教育",
            "心理健康",
        ] {
            let chars: Vec<char> = term.chars().collect();
            let gram = |at: usize| String::from_iter(&chars[at..at + 2]);
            let (first, middle, last) = (gram(0), gram(1), gram(2));
            let covering = [(0, first.as_str()), (2, last.as_str())];
            let query =
                |word| substring_query_in(&index, in_title, covering, &[(1, &middle)], word);
            as_words += searcher
                .doc_freq(&Term::from_field_text(in_title.1, term))
                .unwrap() as usize;
            let by_positions = query(None).weight(scoring).unwrap();
            let by_word = query(Some(term)).weight(scoring).unwrap();
            for segment in searcher.segment_readers() {
                let matches = same_matches_and_scores(
                    &mut *by_positions.scorer(segment, 1.0).unwrap(),
                    &mut *by_word.scorer(segment, 1.0).unwrap(),
                    term,
                );
                matched += matches.len();
                same_answers_entry_by_entry(&*by_positions, &*by_word, segment, &matches, term);
            }
        }
        // Both ways of deciding a title: by its word and by positions.
        assert!(as_words >= 10, "{as_words} titles have the terms as words");
        assert!(matched > as_words, "{matched} titles matched");
    }

    /// Required terms matched in two phases (positions last) give the entries and the
    /// scores, to the bit, of tantivy's intersection of the same queries; and a scorer
    /// asked about one entry alone (as a filtered search asks) agrees with them.
    #[test]
    fn a_conjunction_matches_and_scores_as_tantivys_intersection() {
        let dir = seed_index();
        let index = SearchIndex::open_with_threads(dir.path(), 1).unwrap();
        let searcher = index.reader.searcher();
        let substring = |term: &str, covering: [(usize, &str); 2], narrowing: &str| {
            Box::new(substring_query(
                &index,
                covering,
                &[(1, narrowing)],
                Some(term),
            )) as Box<dyn Query>
        };
        // Decided by positions alone: no word, no other bigram to rule entries out.
        let by_positions = |covering: [(usize, &str); 2]| {
            Box::new(substring_query(&index, covering, &[], None)) as Box<dyn Query>
        };
        let term = |gram: &str| {
            let bigram = Term::from_field_text(index.fields.text_bigrams, gram);
            Box::new(TermQuery::new(bigram, IndexRecordOption::WithFreqs)) as Box<dyn Query>
        };
        let legs = || -> Vec<Vec<Box<dyn Query>>> {
            vec![
                vec![
                    substring("劳动教育", [(0, "劳动"), (2, "教育")], "动教"),
                    substring("心理健康", [(0, "心理"), (2, "健康")], "理健"),
                ],
                vec![
                    substring("课后服务", [(0, "课后"), (2, "服务")], "后服"),
                    term("学校"),
                ],
                vec![
                    substring("校外培训", [(0, "校外"), (2, "培训")], "外培"),
                    term("双减"),
                    term("学生"),
                ],
                vec![
                    substring("劳动教育", [(0, "劳动"), (2, "教育")], "动教"),
                    term("学校"),
                ],
                vec![
                    substring("义务教育", [(0, "义务"), (2, "教育")], "务教"),
                    term("学校"),
                ],
                vec![by_positions([(0, "教育"), (2, "工作")]), term("学校")],
                vec![
                    by_positions([(0, "教育"), (2, "工作")]),
                    by_positions([(0, "教师"), (2, "队伍")]),
                ],
            ]
        };
        let mut matched = 0;
        let (mut filtered, mut unfiltered) = (0, 0);
        for legs in legs() {
            let intersection = BooleanQuery::new(
                legs.iter()
                    .map(|leg| (Occur::Must, leg.box_clone()))
                    .collect(),
            );
            let conjunction = ConjunctionQuery::new(legs);
            let scoring = EnableScoring::enabled_from_searcher(&searcher);
            let expected = intersection.weight(scoring).unwrap();
            let found = conjunction.weight(scoring).unwrap();
            for segment in searcher.segment_readers() {
                let mut expected_scorer = expected.scorer(segment, 1.0).unwrap();
                let mut scorer = found.scorer(segment, 1.0).unwrap();
                if filters_by_windows(&*scorer) {
                    filtered += 1;
                } else {
                    unfiltered += 1;
                }
                let matches = same_matches_and_scores(
                    &mut *expected_scorer,
                    &mut *scorer,
                    &format!("{conjunction:?}"),
                );
                matched += matches.len();
                // Each entry asked alone, by a fresh scorer.
                for target in 1..segment.max_doc() {
                    let mut scorer = found.scorer(segment, 1.0).unwrap();
                    let next = matches
                        .iter()
                        .copied()
                        .find(|&m| m >= target)
                        .unwrap_or(TERMINATED);
                    match scorer.seek_danger(target) {
                        SeekDangerResult::Found => assert_eq!(next, target),
                        SeekDangerResult::SeekLowerBound(bound) => {
                            assert!(next != target && bound > target && bound <= next);
                        }
                    }
                }
            }
        }
        assert!(matched >= 10, "{matched} matches");
        // Both ways of finding candidates: by a window filter and by the leading leg.
        assert!(
            filtered > 0 && unfiltered > 0,
            "{filtered} filtered, {unfiltered} not"
        );
    }

    /// Asked for a score that reaches a floor, a search's scorer gives the exact score
    /// when it does and a score below the floor when it does not; asked again in full,
    /// the exact score. Floors around each entry's own score and the segment's best
    /// test both sides; some entries must be cut short, or the test proves nothing.
    /// With windows of 8 entries, whose bounds give up on the hits of windows that fall
    /// short, more entries must be said to fall short than with one window a segment.
    /// Built by one thread, the index is the same every run: built by two, its segments
    /// held different entries from run to run, and so did those counts (the margin
    /// between them went from 4 to 178 entries, and once the wrong way).
    #[test]
    fn a_score_short_of_the_floor_is_below_it_and_one_reaching_it_is_exact() {
        let dir = seed_index_with_threads(1);
        let whole_segments = asked_at_floors(dir.path(), BestScores::with_windows_of(31));
        let windows_of_8 = asked_at_floors(dir.path(), BestScores::with_windows_of(3));
        for (cut_short, passed_on) in [whole_segments, windows_of_8] {
            assert!(cut_short > 0, "no entry was cut short");
            assert!(passed_on > 0, "no entry said those after it fall short");
        }
        assert!(
            windows_of_8.1 > whole_segments.1,
            "windows: {windows_of_8:?}, whole segments: {whole_segments:?}"
        );
    }

    /// Runs [`cut_short_at_floors`] over a set of queries, with `best_scores`: how
    /// many entries were cut short, and how many said those after them fall short too.
    fn asked_at_floors(dir: &Path, best_scores: BestScores) -> (usize, usize) {
        let mut index = SearchIndex::open_with_threads(dir, 1).unwrap();
        index.best_scores = Arc::new(best_scores);
        asked_at_floors_of(
            &index,
            &[
                "双减",
                "学校 教师 课程",
                "教育 质量",
                "课后服务",
                "\"义务教育 优质均衡\"",
                "工作 -教师",
                "课后服务 OR 劳动教育 学生",
                "校",
                "工作 教育",
                "推进 工作 教育",
                "学生 发展",
            ],
        )
    }

    /// A title bonus's candidate (a title holding the term's rarest bigram) counts at
    /// first for the term standing there as often as the bigrams sought on it: a title
    /// with the term twice, right after titles holding its bigrams once, whose bigrams
    /// were sought there, is not bounded by those, whatever floor it is asked at.
    #[test]
    fn a_title_candidate_is_bounded_by_the_bigrams_sought_on_it() {
        let titles = [
            "义务教育优质均衡发展",
            "推进义务教育优质均衡，巩固义务教育优质均衡",
            "义务教育优质均衡",
            "义务教育优质均衡，义务教育优质均衡",
        ];
        let dir =
            seed_index_with_items(&titles.map(|title| (title.to_owned(), format!("{title}。"))));
        let index = SearchIndex::open_with_threads(dir.path(), 1).unwrap();
        let (cut_short, _) = asked_at_floors_of(&index, &["\"义务教育 优质均衡\""]);
        assert!(cut_short > 0, "no entry was cut short");
    }

    /// [`cut_short_at_floors`] for each of `queries` in each segment of `index`, at
    /// floors around each entry's own score and the segment's best.
    fn asked_at_floors_of(index: &SearchIndex, queries: &[&str]) -> (usize, usize) {
        let searcher = index.reader.searcher();
        let (mut cut_short, mut passed_on) = (0, 0);
        for &query in queries {
            let parsed = parse_query(query).unwrap();
            let request = SearchRequest::new(query);
            let compiled = compile(
                &parsed,
                &request,
                &index.fields,
                &index.jieba,
                &searcher,
                index.caches(),
            )
            .unwrap();
            let weight = compiled
                .without_filters()
                .weight(EnableScoring::enabled_from_searcher(&searcher))
                .unwrap();
            for segment in searcher.segment_readers() {
                let mut exact = Vec::new();
                let mut scorer = weight.scorer(segment, 1.0).unwrap();
                while scorer.doc() != TERMINATED {
                    exact.push((scorer.doc(), scorer.score()));
                    scorer.advance();
                }
                let floors: [FloorOf; 6] = [
                    |own, _best| own,
                    |own, _best| own * 1.01,
                    |own, _best| own * 0.99,
                    |_own, best| best,
                    |_own, best| best * 0.8,
                    |_own, best| best * 0.5,
                ];
                let asked = cut_short_at_floors(&*weight, segment, &exact, &floors, query);
                cut_short += asked.cut_short.len();
                passed_on += asked.passed_on;
            }
        }
        (cut_short, passed_on)
    }

    /// A title bonus reads a candidate title's positions only where the entry can
    /// reach the floor with it. Entries still score, to the bit, the required score
    /// plus the title's score where its positions hold the term: asked for a score
    /// reaching a floor, the exact one when it does and one below it when not. Some
    /// entries whose title holds the term must be cut short, or the test proves
    /// nothing of the bound given to a candidate left unconfirmed.
    #[test]
    fn a_title_bonus_read_only_where_it_can_lift_an_entry_to_the_floor_scores_in_full() {
        const BOOST: f32 = 2.0;
        let dir = seed_index();
        let index = SearchIndex::open_with_threads(dir.path(), 1).unwrap();
        let searcher = index.reader.searcher();
        let fields = &index.fields;
        let in_text = (fields.text_bigrams, fields.text_words);
        let in_title = (fields.title_bigrams, fields.title_words.unwrap());
        let scoring = EnableScoring::enabled_from_searcher(&searcher);
        let (mut title_holders, mut title_holders_cut_short) = (0, 0);
        for term in [
            "义务教育",
            "教育教学",
            "人才培养",
            "队伍建设",
            "校园安全",
            "课后服务",
        ] {
            let chars: Vec<char> = term.chars().collect();
            let gram = |at: usize| String::from_iter(&chars[at..at + 2]);
            let (first, middle, last) = (gram(0), gram(1), gram(2));
            let covering = [(0, first.as_str()), (2, last.as_str())];
            // Without words, every title holding the bigrams is a candidate.
            let text = substring_query_in(&index, in_text, covering, &[(1, &middle)], None);
            let title = substring_query_in(&index, in_title, covering, &[(1, &middle)], None);
            let with_bonus = BonusQuery::new(
                Required {
                    query: Box::new(text.clone()),
                    parts: Some(vec![text.scored_by()]),
                },
                vec![(Bonus::Substring(title.clone()), BOOST)],
                Vec::new(),
            )
            .weight(scoring)
            .unwrap();
            let (text, title) = (
                text.weight(scoring).unwrap(),
                title.weight(scoring).unwrap(),
            );
            for segment in searcher.segment_readers() {
                // The required score, plus the title's where it holds the term.
                let (mut exact, mut holders) = (Vec::new(), std::collections::HashSet::new());
                let mut required = text.scorer(segment, 1.0).unwrap();
                let mut in_title = title.scorer(segment, BOOST).unwrap();
                while required.doc() != TERMINATED {
                    let doc = required.doc();
                    let holds = in_title.doc() <= doc && in_title.seek(doc) == doc;
                    let bonus = if holds { in_title.score() } else { 0.0 };
                    exact.push((doc, required.score() + bonus));
                    if holds {
                        holders.insert(doc);
                    }
                    required.advance();
                }
                let floors: [FloorOf; 4] = [
                    |own, _best| own,
                    |own, _best| own * 1.01,
                    |_own, best| best * 0.9,
                    |_own, best| best * 0.6,
                ];
                let cut_short =
                    cut_short_at_floors(&*with_bonus, segment, &exact, &floors, term).cut_short;
                title_holders += holders.len() * floors.len();
                title_holders_cut_short +=
                    cut_short.iter().filter(|doc| holders.contains(doc)).count();
            }
        }
        assert!(
            title_holders_cut_short > 0 && title_holders_cut_short < title_holders,
            "{title_holders_cut_short} of {title_holders} entries holding a title term cut short"
        );
    }

    /// An entry that holds a term as words of the word field scores as if the term
    /// stood there as often as all those words together do: the term itself and the
    /// longer words beginning with it (校外培训 and 校外培训机构), each counted once per
    /// occurrence, though only the first found decides the match.
    #[test]
    fn a_term_decided_by_its_words_counts_every_occurrence_of_them() {
        let dir = seed_index();
        let index = SearchIndex::open_with_threads(dir.path(), 1).unwrap();
        let searcher = index.reader.searcher();
        let fields = &index.fields;
        let scoring = EnableScoring::enabled_from_searcher(&searcher);
        let (mut by_words, mut by_several_words) = (0, 0);
        for term in ["校外培训", "心理健康", "人工智能", "集团化", "高质量"] {
            let chars: Vec<char> = term.chars().collect();
            let gram = |at: usize| String::from_iter(&chars[at..at + 2]);
            let bigram = |at: usize| Term::from_field_text(fields.text_bigrams, &gram(at));
            let last = chars.len() - 2;
            let covering = vec![(0, bigram(0)), (last, bigram(last))];
            // The term and every word of the index beginning with it.
            let mut words = std::collections::BTreeSet::new();
            for segment in searcher.segment_readers() {
                let index = segment.inverted_index(fields.text_words).unwrap();
                let mut stream = index.terms().range().ge(term).into_stream().unwrap();
                while stream.advance() && stream.key().starts_with(term.as_bytes()) {
                    words.insert(String::from_utf8(stream.key().to_vec()).unwrap());
                }
            }
            assert!(words.len() >= 2, "{term}: {words:?}");
            let words: Vec<Term> = words
                .iter()
                .map(|word| Term::from_field_text(fields.text_words, word))
                .collect();
            let query = SubstringQuery::new(
                covering,
                Vec::new(),
                words.clone(),
                Arc::clone(&index.field_files),
            );
            let bm25 = Bm25Weight::for_terms(&searcher, &query.scored_by()).unwrap();
            let weight = query.weight(scoring).unwrap();
            for segment in searcher.segment_readers() {
                let lengths = segment.get_fieldnorms_reader(fields.text_bigrams).unwrap();
                let inverted = segment.inverted_index(fields.text_words).unwrap();
                let mut postings: Vec<_> = words
                    .iter()
                    .filter_map(|word| {
                        inverted
                            .read_postings(word, IndexRecordOption::WithFreqs)
                            .unwrap()
                    })
                    .collect();
                let mut scorer = weight.scorer(segment, 1.0).unwrap();
                while scorer.doc() != TERMINATED {
                    let doc = scorer.doc();
                    let counts: Vec<u32> = postings
                        .iter_mut()
                        .filter_map(|word| {
                            let holds = word.doc() <= doc && word.seek(doc) == doc;
                            holds.then(|| word.term_freq())
                        })
                        .collect();
                    if !counts.is_empty() {
                        let expected = bm25.score(lengths.fieldnorm_id(doc), counts.iter().sum());
                        assert_eq!(
                            scorer.score().to_bits(),
                            expected.to_bits(),
                            "{term} #{doc}"
                        );
                        by_words += 1;
                        by_several_words += usize::from(counts.len() >= 2);
                    }
                    scorer.advance();
                }
            }
        }
        assert!(
            by_words >= 20 && by_several_words > 0,
            "{by_words} by words, {by_several_words} by several"
        );
    }

    /// A term's bonus adds, to the bit, what tantivy adds for the term as an optional
    /// clause beside the required one, boosted alike: in the title (where a term stands
    /// once or twice) and as a whole word of the text (often many times). Entries
    /// holding a term more than once must be among them, or frequencies go untested.
    #[test]
    fn a_term_bonus_scores_as_tantivys_optional_clause() {
        let dir = seed_index();
        let index = SearchIndex::open_with_threads(dir.path(), 1).unwrap();
        let searcher = index.reader.searcher();
        let fields = &index.fields;
        let scoring = EnableScoring::enabled_from_searcher(&searcher);
        let (mut with_bonus, mut repeated) = (0, 0);
        for (word, in_field, boost) in [
            ("学校", fields.title_bigrams, 2.0),
            ("教师", fields.title_bigrams, 2.0),
            ("学校", fields.text_words, 0.5),
            ("课后服务", fields.text_words, 0.5),
        ] {
            let required = TermQuery::new(
                Term::from_field_text(fields.text_bigrams, &word[..6]),
                IndexRecordOption::WithFreqs,
            );
            let bonus = TermQuery::new(
                Term::from_field_text(in_field, word),
                IndexRecordOption::WithFreqs,
            );
            let found = BonusQuery::new(
                Required {
                    query: Box::new(required.clone()),
                    parts: Some(vec![vec![required.term().clone()]]),
                },
                Vec::new(),
                vec![(Bonus::Term(bonus.clone()), boost)],
            )
            .weight(scoring)
            .unwrap();
            let expected = BooleanQuery::new(vec![
                (Occur::Must, Box::new(required) as Box<dyn Query>),
                (
                    Occur::Should,
                    Box::new(BoostQuery::new(Box::new(bonus.clone()), boost)),
                ),
            ])
            .weight(scoring)
            .unwrap();
            for segment in searcher.segment_readers() {
                let label = format!("{word} in {in_field:?}");
                let mut found = found.scorer(segment, 1.0).unwrap();
                let mut expected = expected.scorer(segment, 1.0).unwrap();
                same_matches_and_scores(&mut *expected, &mut *found, &label);
                let inverted = segment.inverted_index(in_field).unwrap();
                let holders = inverted.read_postings(bonus.term(), IndexRecordOption::WithFreqs);
                if let Some(mut holders) = holders.unwrap() {
                    while holders.doc() != TERMINATED {
                        with_bonus += 1;
                        repeated += usize::from(holders.term_freq() > 1);
                        holders.advance();
                    }
                }
            }
        }
        assert!(
            with_bonus >= 20 && repeated > 0,
            "{with_bonus} with a bonus, {repeated} repeated"
        );
    }

    /// A term's best score in a segment is, to the bit, the best its term scorer gives
    /// any entry there, for title and text terms, and below tantivy's BM25 bound.
    #[test]
    fn a_terms_best_score_in_a_segment_is_the_best_any_entry_earns() {
        let dir = seed_index();
        let index = SearchIndex::open_with_threads(dir.path(), 1).unwrap();
        let searcher = index.reader.searcher();
        let fields = &index.fields;
        let scoring = EnableScoring::enabled_from_searcher(&searcher);
        let mut tighter = 0;
        for (word, in_field) in [
            ("学校", fields.title_bigrams),
            ("课程", fields.title_bigrams),
            ("双减", fields.title_bigrams),
            ("教育", fields.text_bigrams),
            ("学校", fields.text_words),
            ("没有", fields.title_bigrams),
        ] {
            let term = Term::from_field_text(in_field, word);
            let bm25 = Bm25Weight::for_terms(&searcher, std::slice::from_ref(&term))
                .unwrap()
                .boost_by(2.0);
            let query = TermQuery::new(term.clone(), IndexRecordOption::WithFreqs);
            let weight = BoostQuery::new(Box::new(query), 2.0)
                .weight(scoring)
                .unwrap();
            for segment in searcher.segment_readers() {
                let mut scorer = weight.scorer(segment, 1.0).unwrap();
                let mut expected: Score = 0.0;
                while scorer.doc() != TERMINATED {
                    expected = expected.max(scorer.score());
                    scorer.advance();
                }
                let best = index.best_scores.best(segment, &term, &bm25).unwrap();
                assert_eq!(best.to_bits(), expected.to_bits(), "{word} in {in_field:?}");
                assert!(best <= bm25.max_score());
                tighter += usize::from(best > 0.0 && best < 0.7 * bm25.max_score());
            }
        }
        assert!(tighter > 0, "no best score well below the BM25 bound");
    }

    /// A term's windows hold, for each window of entries, its highest frequency and the
    /// shortest entry holding it there (none where no entry does); a term in more than
    /// a sixteenth of a segment's entries has none.
    #[test]
    fn a_terms_windows_hold_its_highest_frequency_and_shortest_entry_in_each() {
        const WINDOW_LOG2: u32 = 3;
        let dir = seed_index();
        let index = SearchIndex::open_with_threads(dir.path(), 1).unwrap();
        let best_scores = BestScores::with_windows_of(WINDOW_LOG2);
        let searcher = index.reader.searcher();
        let fields = &index.fields;
        let (mut windowed, mut held, mut unwindowed) = (0, 0, 0);
        for (word, in_field) in [
            ("双减", fields.title_bigrams),
            ("课程", fields.title_bigrams),
            ("学校", fields.title_bigrams),
            ("双减", fields.text_bigrams),
            ("减负", fields.text_bigrams),
            ("教育", fields.text_bigrams),
            ("心理健康", fields.text_words),
        ] {
            let term = Term::from_field_text(in_field, word);
            for segment in searcher.segment_readers() {
                let windows = best_scores.windows(segment, &term).unwrap();
                let inverted = segment.inverted_index(in_field).unwrap();
                let Some(windows) = windows else {
                    let doc_freq = inverted.doc_freq(&term).unwrap();
                    assert!(doc_freq == 0 || doc_freq > segment.max_doc() / 16, "{word}");
                    unwindowed += 1;
                    continue;
                };
                windowed += 1;
                let lengths = segment.fieldnorms_readers().get_field(in_field).unwrap();
                let mut expected = vec![(0u32, u8::MAX); segment.max_doc().div_ceil(8) as usize];
                let mut postings = inverted
                    .read_postings(&term, IndexRecordOption::WithFreqs)
                    .unwrap()
                    .unwrap();
                while postings.doc() != TERMINATED {
                    let doc = postings.doc();
                    let length = lengths.as_ref().map_or(1, |l| l.fieldnorm_id(doc));
                    let most = &mut expected[(doc >> WINDOW_LOG2) as usize];
                    *most = (most.0.max(postings.term_freq()), most.1.min(length));
                    postings.advance();
                }
                for (at, &(freq, shortest)) in expected.iter().enumerate() {
                    let most = windows.at(at);
                    assert_eq!(u32::from(most.freq), freq.min(255), "{word} window {at}");
                    if freq > 0 {
                        assert_eq!(most.shortest, shortest, "{word} window {at}");
                        held += 1;
                    }
                }
            }
        }
        assert!(
            windowed > 0 && held > 0 && unwindowed > 0,
            "{windowed} {held} {unwindowed}"
        );
    }
}
