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
    #[command(flatten)]
    pub index: IndexDir,
}

pub fn run(args: ServeArgs) -> anyhow::Result<ExitCode> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    let cache_bytes = args.cache_mb.saturating_mul(1 << 20);
    runtime.block_on(edusearch_server::serve(
        &args.index.path,
        args.addr,
        cache_bytes,
    ))?;
    Ok(ExitCode::SUCCESS)
}
