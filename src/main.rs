//! The `ktrace` binary: parse flags, run, map the outcome to an exit code.

use std::io::Write;
use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    // One process-wide rustls provider (ring) before any client exists; see docs/architecture.md.
    let _ = rustls::crypto::ring::default_provider().install_default();
    let cli = ktrace::cli::Cli::parse();
    match ktrace::app::run(cli) {
        Ok(code) => code,
        Err(err) => {
            // An error can quote a hostile value (a 17 MiB pod name from a bundle): at most 4 KiB.
            let message = ktrace::escape::bounded(&err.to_string(), 4096);
            let text = ktrace::escape::escape(&message, ktrace::escape::Keep::Layout);
            // A closed stderr leaves only the exit code to tell; that is no reason to panic.
            let _ = writeln!(std::io::stderr(), "error: {text}");
            ExitCode::from(err.exit_code())
        }
    }
}
