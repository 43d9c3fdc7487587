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
    #[command(flatten)]
    pub index: IndexDir,
}

pub fn run(args: ServeArgs) -> anyhow::Result<ExitCode> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    runtime.block_on(edusearch_server::serve(&args.index.path, args.addr))?;
    Ok(ExitCode::SUCCESS)
}
