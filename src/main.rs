//! The `ktrace` binary: parse flags, run, map the outcome to an exit code.

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    // One process-wide rustls provider (ring) before any client exists; see docs/architecture.md.
    let _ = rustls::crypto::ring::default_provider().install_default();
    let cli = ktrace::cli::Cli::parse();
    match ktrace::app::run(cli) {
        Ok(code) => code,
        Err(err) => {
            eprintln!(
                "error: {}",
                ktrace::escape::escape(&err.to_string(), ktrace::escape::Keep::Layout)
            );
            ExitCode::from(err.exit_code())
        }
    }
}
