//! `ktrace node NODE`: flags → node evidence (live or bundle) → `node::model::analyze` →
//! the node report (text, JSON or Markdown). Live and replay share everything after the
//! evidence, as for pods.

use std::fs::File;
use std::io::{self, BufWriter, IsTerminal, Write};
use std::path::Path;
use std::process::ExitCode;

use super::{AppError, Delivered, Env, check_name, fetch_options, progress, term, write_with};
use crate::cli::{NodeArgs, TraceArgs};
use crate::evidence::{self, BundleError, NodeEvidence};
use crate::fetch::{self, NodeFetchRequest};
use crate::{exit, node, render};

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
    let parsed = node::inputs::Parsed::from_evidence(&evidence);
    let rules = node::inputs::rules_for(evidence.cluster.version.as_deref());
    let mut report = node::model::analyze(&parsed.inputs(
        &evidence.target.name,
        rules,
        node::inputs::now_ns(&evidence),
    ));
    report.sources = node::inputs::source_views(&evidence);
    let delivered = write_with(trace, &env, |format, opts, w| {
        render::node::render(&report, format, opts, w)
    })?;
    Ok(match delivered {
        Delivered::Whole => exit::for_verdict(report.summary.verdict),
        Delivered::ReaderGone => exit::for_closed_pipe(),
    })
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
