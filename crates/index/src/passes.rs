//! Which threads search a query's segments. A search alone on the machine spreads its
//! segments over a pool and takes about half the time on two cores; while other
//! searches run, the cores are busy anyway, so each searches its segments on its own
//! thread, which keeps the throughput of concurrent searches.

use std::sync::atomic::{AtomicUsize, Ordering};

use tantivy::collector::Collector;
use tantivy::query::{EnableScoring, Query};
use tantivy::{Executor, Searcher};

static ONE_THREAD: Executor = Executor::SingleThread;

/// The segment pool and a count of the searches running.
pub(crate) struct SegmentThreads {
    pool: Option<Executor>,
    running: AtomicUsize,
}

impl SegmentThreads {
    /// A pool of `threads` (none for one thread).
    pub fn new(threads: usize) -> tantivy::Result<SegmentThreads> {
        let pool = if threads > 1 {
            Some(Executor::multi_thread(threads, "edusearch-search-")?)
        } else {
            None
        };
        Ok(SegmentThreads {
            pool,
            running: AtomicUsize::new(0),
        })
    }

    /// The passes of one search over `searcher`: on the pool if no other search is
    /// running as it starts, on the calling thread otherwise.
    pub fn passes(&self, searcher: Searcher) -> Passes<'_> {
        let others = self.running.fetch_add(1, Ordering::SeqCst);
        let executor = match &self.pool {
            Some(pool) if others == 0 => pool,
            _ => &ONE_THREAD,
        };
        Passes {
            searcher,
            executor,
            threads: self,
        }
    }
}

/// One search's view of the index; counts as running until dropped.
pub(crate) struct Passes<'a> {
    pub searcher: Searcher,
    executor: &'a Executor,
    threads: &'a SegmentThreads,
}

impl Passes<'_> {
    /// One pass of `collector` over the matches of `query`.
    pub fn search<C: Collector>(
        &self,
        query: &dyn Query,
        collector: &C,
    ) -> tantivy::Result<C::Fruit> {
        let scoring = if collector.requires_scoring() {
            EnableScoring::enabled_from_searcher(&self.searcher)
        } else {
            EnableScoring::disabled_from_searcher(&self.searcher)
        };
        self.searcher
            .search_with_executor(query, collector, self.executor, scoring)
    }

    /// Whether the passes spread over the pool.
    #[cfg(test)]
    pub fn parallel(&self) -> bool {
        !matches!(self.executor, Executor::SingleThread)
    }
}

impl Drop for Passes<'_> {
    fn drop(&mut self) {
        self.threads.running.fetch_sub(1, Ordering::SeqCst);
    }
}

#[cfg(test)]
mod tests {
    use tantivy::schema::Schema;
    use tantivy::Index;

    use super::SegmentThreads;

    #[test]
    fn a_search_spreads_over_the_pool_only_while_alone() {
        let index = Index::create_in_ram(Schema::builder().build());
        let reader = index.reader().unwrap();
        let threads = SegmentThreads::new(2).unwrap();
        let first = threads.passes(reader.searcher());
        assert!(first.parallel());
        let second = threads.passes(reader.searcher());
        assert!(!second.parallel(), "another search is running");
        drop(first);
        drop(second);
        assert!(threads.passes(reader.searcher()).parallel());

        let one = SegmentThreads::new(1).unwrap();
        assert!(!one.passes(reader.searcher()).parallel());
    }
}
