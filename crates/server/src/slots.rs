//! Index calls on tokio's blocking pool, a bounded number at a time.
//!
//! A search is CPU work. Unbounded, 64 connections meant 64 searches on 64 threads
//! sharing two cores: each took 64 times as long, a request that timed out kept its
//! search running, and the server's memory grew with its threads. With a few
//! slots per core, the other calls wait their turn in arrival order (tokio's semaphore
//! is fair) holding neither a thread nor memory, and a call whose request gives up
//! while it waits never runs.

use std::sync::Arc;

use tokio::sync::Semaphore;

use crate::errors::ApiError;

/// How many index calls run at once; clones share the same slots.
#[derive(Clone)]
pub struct BlockingSlots {
    slots: Arc<Semaphore>,
}

impl BlockingSlots {
    /// `limit` calls at once (at least one).
    pub fn new(limit: usize) -> Self {
        BlockingSlots {
            slots: Arc::new(Semaphore::new(limit.max(1))),
        }
    }

    /// Runs `work` on the blocking pool once a slot is free; the slot is held until
    /// `work` returns, even if the caller stops waiting for it.
    pub async fn run<T, F>(&self, work: F) -> Result<T, ApiError>
    where
        T: Send + 'static,
        F: FnOnce() -> T + Send + 'static,
    {
        let slot = Arc::clone(&self.slots).acquire_owned().await.map_err(|_| {
            // Only a closed semaphore refuses, and these are never closed.
            tracing::error!("the index call slots are closed");
            ApiError::internal()
        })?;
        let call = tokio::task::spawn_blocking(move || {
            let answer = work();
            drop(slot);
            answer
        });
        call.await.map_err(|join_error| {
            tracing::error!(error = %join_error, "index call failed");
            ApiError::internal()
        })
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
    use std::sync::Arc;
    use std::time::Duration;

    use super::BlockingSlots;

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn no_more_calls_run_at_once_than_there_are_slots() {
        let slots = BlockingSlots::new(2);
        let running = Arc::new(AtomicUsize::new(0));
        let most = Arc::new(AtomicUsize::new(0));
        let calls: Vec<_> = (0..12)
            .map(|n| {
                let (slots, running, most) = (slots.clone(), running.clone(), most.clone());
                tokio::spawn(async move {
                    slots
                        .run(move || {
                            let now = running.fetch_add(1, Ordering::SeqCst) + 1;
                            most.fetch_max(now, Ordering::SeqCst);
                            std::thread::sleep(Duration::from_millis(50));
                            running.fetch_sub(1, Ordering::SeqCst);
                            n
                        })
                        .await
                })
            })
            .collect();
        let mut answers = Vec::new();
        for call in calls {
            answers.push(call.await.unwrap().unwrap());
        }
        assert_eq!(answers, (0..12).collect::<Vec<_>>());
        assert_eq!(most.load(Ordering::SeqCst), 2, "two slots, both used");
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_call_given_up_while_waiting_never_runs() {
        let slots = BlockingSlots::new(1);
        let (started, has_started) = tokio::sync::oneshot::channel();
        let long = {
            let slots = slots.clone();
            tokio::spawn(async move {
                slots
                    .run(move || {
                        let _ = started.send(());
                        std::thread::sleep(Duration::from_millis(200));
                    })
                    .await
            })
        };
        has_started.await.unwrap();
        let ran = Arc::new(AtomicBool::new(false));
        let waiting = {
            let ran = ran.clone();
            slots.run(move || ran.store(true, Ordering::SeqCst))
        };
        let gave_up = tokio::time::timeout(Duration::from_millis(20), waiting).await;
        assert!(gave_up.is_err(), "the slot was taken, so the call waited");
        long.await.unwrap().unwrap();
        slots.run(|| ()).await.unwrap();
        assert!(!ran.load(Ordering::SeqCst), "the call given up never ran");
    }
}
