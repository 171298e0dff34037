//! `ktrace node NODE`: flags → node evidence (live or bundle) → report.
//!
//! INTERIM: until the node core (`src/node`) and its renderer are wired, the report is the
//! evidence itself: `-o json` prints the captured [`NodeEvidence`] (the bundle's JSON), and
//! text/Markdown print one line per source (name, request, outcome).

use std::fs::File;
use std::io::{self, BufWriter, IsTerminal, Write};
use std::path::Path;
use std::process::ExitCode;

use super::{AppError, Env, check_name, fetch_options, progress, term};
use crate::cli::{NodeArgs, OutputFormat, TraceArgs};
use crate::evidence::{self, BundleError, NodeEvidence, Outcome};
use crate::exit;
use crate::fetch::{self, NodeFetchRequest};

/// Runs `ktrace node`.
pub fn run_node(args: NodeArgs) -> Result<ExitCode, AppError> {
    check_name("node name", &args.node, 253)?;
    let trace = &args.trace;
    let env = Env::from_process();
    let evidence = match &trace.from {
        Some(path) => load_node_bundle(path, &args.node)?,
        None => fetch_live(&args.node, trace, &env)?,
    };
    if let Some(path) = &trace.save_bundle {
        save(path, |w| evidence::write_bundle(&evidence, w))?;
    }
    let text = match trace.output {
        OutputFormat::Json => {
            let mut out = Vec::new();
            evidence::write_bundle(&evidence, &mut out).map_err(|e| write_err("JSON", e))?;
            String::from_utf8_lossy(&out).into_owned()
        }
        OutputFormat::Text | OutputFormat::Markdown => summary(&evidence),
    };
    match &trace.out {
        Some(path) => save(path, |w| {
            w.write_all(text.as_bytes()).map_err(BundleError::Io)
        })?,
        None => {
            let mut out = io::stdout().lock();
            if let Err(e) = out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
                if e.kind() == io::ErrorKind::BrokenPipe {
                    return Ok(exit::for_closed_pipe());
                }
                return Err(AppError::Write {
                    path: "standard output".into(),
                    source: e,
                });
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn write_err(what: &str, e: BundleError) -> AppError {
    AppError::Write {
        path: what.into(),
        source: io::Error::other(e.to_string()),
    }
}

fn fetch_live(node: &str, trace: &TraceArgs, env: &Env) -> Result<NodeEvidence, AppError> {
    let show = term::progress(io::stderr().is_terminal(), trace.conn.quiet, env);
    let display = show.then(progress::Display::start);
    let mut options = fetch_options(&trace.conn);
    options.progress = display.as_ref().map(progress::Display::sink);
    let req = NodeFetchRequest {
        name: node.to_string(),
        options,
    };
    let result = fetch::collect_node(&req);
    drop(display);
    Ok(result?)
}

fn load_node_bundle(path: &Path, node: &str) -> Result<NodeEvidence, AppError> {
    let bundle_err = |source| AppError::Bundle {
        path: path.to_path_buf(),
        source,
    };
    let file = File::open(path).map_err(|e| bundle_err(BundleError::Io(e)))?;
    let ev = evidence::read_node_bundle(io::BufReader::new(file)).map_err(bundle_err)?;
    if ev.target.name != node {
        return Err(AppError::Usage(format!(
            "bundle {} is for node {}, not {node}",
            path.display(),
            ev.target.name
        )));
    }
    Ok(ev)
}

fn save(
    path: &Path,
    write: impl FnOnce(&mut BufWriter<File>) -> Result<(), BundleError>,
) -> Result<(), AppError> {
    let err = |source| AppError::Write {
        path: path.display().to_string(),
        source,
    };
    let mut w = BufWriter::new(File::create(path).map_err(err)?);
    write(&mut w).map_err(|e| match e {
        BundleError::Io(io) => err(io),
        other => err(io::Error::other(other.to_string())),
    })?;
    w.flush().map_err(err)
}

/// INTERIM text report: one line per source.
fn summary(ev: &NodeEvidence) -> String {
    let mut out = format!(
        "node {} (evidence captured {}; the node report is not wired yet)\n",
        ev.target.name, ev.captured_at
    );
    for (name, src) in ev.sources.named() {
        let state = match &src.outcome {
            Outcome::Ok { http_status, .. } => format!("HTTP {http_status}"),
            _ => src.missing_reason().unwrap_or_default(),
        };
        let request = src.request.as_deref().unwrap_or("-");
        out.push_str(&format!("{name}: {state} ({request})\n"));
    }
    crate::escape::escape(&out, crate::escape::Keep::Layout)
}
