//! Answers to repeated searches, kept as the JSON the client receives. The index never
//! changes under a running server, so an answer stays right for as long as it runs;
//! the cache is bounded by the bytes it holds and drops the least recently used first.

use std::sync::Mutex;

use axum::body::Bytes;
use edusearch_index::SearchRequest;
use lru::LruCache;

/// Default bound of [`SearchCache`]: about a thousand national-size answers.
pub const DEFAULT_CACHE_BYTES: usize = 64 << 20;

/// Serialized search answers by request.
pub struct SearchCache {
    capacity_bytes: usize,
    inner: Mutex<Inner>,
}

struct Inner {
    answers: LruCache<SearchRequest, Bytes>,
    bytes: usize,
}

impl SearchCache {
    /// A cache holding at most `capacity_bytes` of answers; 0 turns it off.
    pub fn new(capacity_bytes: usize) -> SearchCache {
        SearchCache {
            capacity_bytes,
            inner: Mutex::new(Inner {
                answers: LruCache::unbounded(),
                bytes: 0,
            }),
        }
    }

    pub fn is_enabled(&self) -> bool {
        self.capacity_bytes > 0
    }

    pub fn get(&self, request: &SearchRequest) -> Option<Bytes> {
        if !self.is_enabled() {
            return None;
        }
        self.lock().answers.get(request).cloned()
    }

    /// Keeps an answer, dropping the least recently used ones to make room; an answer
    /// larger than a quarter of the cache is not kept.
    pub fn put(&self, request: SearchRequest, answer: Bytes) {
        let size = entry_bytes(&request, &answer);
        if !self.is_enabled() || size > self.capacity_bytes / 4 {
            return;
        }
        let mut inner = self.lock();
        if let Some(old) = inner.answers.put(request.clone(), answer) {
            inner.bytes -= entry_bytes(&request, &old);
        }
        inner.bytes += size;
        while inner.bytes > self.capacity_bytes {
            match inner.answers.pop_lru() {
                Some((key, dropped)) => inner.bytes -= entry_bytes(&key, &dropped),
                None => break,
            }
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        // A panic while holding the lock leaves the map consistent (no await, no partial
        // update that matters), so a poisoned lock is still usable.
        self.inner
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

/// What an entry counts against the bound: the answer and the query text (the rest of
/// a request is a few short filter values).
fn entry_bytes(request: &SearchRequest, answer: &Bytes) -> usize {
    answer.len() + request.query.len()
}

impl Default for SearchCache {
    fn default() -> Self {
        SearchCache::new(DEFAULT_CACHE_BYTES)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answer(n: usize) -> Bytes {
        Bytes::from(vec![b'x'; n])
    }

    #[test]
    fn keeps_answers_within_its_bound_dropping_the_least_recent() {
        let cache = SearchCache::new(1000);
        let a = SearchRequest::new("a");
        let b = SearchRequest::new("b");
        let c = SearchRequest::new("c");
        cache.put(a.clone(), answer(240));
        cache.put(b.clone(), answer(240));
        assert!(cache.get(&a).is_some(), "a is now the most recent");
        cache.put(c.clone(), answer(240));
        cache.put(SearchRequest::new("d"), answer(240));
        cache.put(SearchRequest::new("e"), answer(240));
        assert!(cache.get(&b).is_none(), "b was the least recent");
        assert!(cache.get(&a).is_some() || cache.get(&c).is_some());
        assert!(cache.lock().bytes <= 1000);
        cache.put(SearchRequest::new("huge"), answer(600));
        assert!(cache.get(&SearchRequest::new("huge")).is_none());
    }

    #[test]
    fn zero_capacity_is_off() {
        let cache = SearchCache::new(0);
        cache.put(SearchRequest::new("a"), answer(1));
        assert!(cache.get(&SearchRequest::new("a")).is_none());
    }

    #[test]
    fn requests_differing_in_any_field_are_different_answers() {
        let cache = SearchCache::new(1000);
        let plain = SearchRequest::new("双减");
        cache.put(plain.clone(), answer(10));
        let mut paged = plain.clone();
        paged.offset = 10;
        let mut filtered = plain.clone();
        filtered.regions = vec!["广东".into()];
        assert!(cache.get(&paged).is_none());
        assert!(cache.get(&filtered).is_none());
        assert!(cache.get(&plain).is_some());
    }
}
