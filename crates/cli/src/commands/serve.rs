//! `edusearch serve`: the HTTP API and the web page.

use std::net::SocketAddr;
use std::process::ExitCode;

use anyhow::Context;
use clap::Args;

use crate::IndexDir;

#[derive(Args)]
pub struct ServeArgs {
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1:8080", env = "EDUSEARCH_ADDR")]
    pub addr: SocketAddr,
    /// Megabytes of search answers kept for repeated queries (0 turns the cache off).
    #[arg(long, default_value_t = 64, value_name = "MB")]
    pub cache_mb: usize,
    /// Threads that share the work of a search running alone (default: every core).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..=256))]
    pub search_threads: Option<u16>,
    /// Index calls (searches, items, plans, stats) that run at once; more wait their turn
    /// in order (default: four per core).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..=1024))]
    pub concurrent_calls: Option<u16>,
    #[command(flatten)]
    pub index: IndexDir,
}

pub fn run(args: ServeArgs) -> anyhow::Result<ExitCode> {
    keep_allocator_thresholds_fixed();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    let defaults = edusearch_server::ServeOptions::default();
    let options = edusearch_server::ServeOptions {
        cache_bytes: args.cache_mb.saturating_mul(1 << 20),
        search_threads: args
            .search_threads
            .map_or(defaults.search_threads, usize::from),
        concurrent_calls: args
            .concurrent_calls
            .map_or(defaults.concurrent_calls, usize::from),
    };
    runtime.block_on(edusearch_server::serve(
        &args.index.path,
        args.addr,
        options,
    ))?;
    Ok(ExitCode::SUCCESS)
}

/// glibc raises its mmap threshold to the size of the largest mapped block freed (2.4
/// MiB, freed while the index opens) and its trim threshold to twice that, so that each
/// arena, one per thread that has run searches (up to 16 on two cores), kept up to 4.8
/// MiB that searches had freed. Kept at glibc's defaults (128 KiB each), a server at
/// 1.5 M entries held about 23 MiB less after 2 k distinct queries (150 → 127 MiB
/// allocated, alternating runs), answering as fast. Malloc settings given in the
/// environment (glibc's tunables) are left as they are.
fn keep_allocator_thresholds_fixed() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    {
        let tuned = std::env::vars_os().any(|(name, _)| {
            name == "GLIBC_TUNABLES" || name.to_string_lossy().starts_with("MALLOC_")
        });
        if !tuned {
            // SAFETY: mallopt only sets the allocator's parameters; called before the
            // runtime's threads start. Setting the trim threshold also stops glibc
            // adjusting either.
            unsafe {
                libc::mallopt(libc::M_TRIM_THRESHOLD, 128 * 1024);
            }
        }
    }
}
