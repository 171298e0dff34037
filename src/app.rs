//! Orchestration: flags → evidence (live or bundle) → lineage → report → exit code.

use std::fs::File;
use std::io::{self, BufWriter, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use crate::cli::{Cli, ColorChoice, Command, ConnArgs, OutputFormat, PodArgs};
use crate::evidence::{self, BundleError, Evidence, PodRef};
use crate::fetch::{self, FetchError, FetchRequest};
use crate::render::{self, Format, TextOptions};
use crate::{exit, lineage};

/// Everything that stops ktrace from producing a report.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// Bad command-line input.
    #[error("{0}")]
    Usage(String),
    /// The bundle could not be read.
    #[error("cannot read bundle {path}: {source}")]
    Bundle {
        /// Bundle path.
        path: PathBuf,
        /// Cause.
        source: BundleError,
    },
    /// The bundle is about another pod.
    #[error("bundle {path} is for pod {found}, not {wanted}")]
    WrongPod {
        /// Bundle path.
        path: PathBuf,
        /// Pod in the bundle.
        found: PodRef,
        /// Pod asked for.
        wanted: String,
    },
    /// Writing the report or bundle failed.
    #[error("cannot write {path}: {source}")]
    Write {
        /// Destination.
        path: String,
        /// Cause.
        source: io::Error,
    },
    /// Live gathering failed before any evidence existed.
    #[error(transparent)]
    Fetch(#[from] FetchError),
}

impl AppError {
    /// The process exit code for this error.
    pub fn exit_code(&self) -> u8 {
        match self {
            AppError::Usage(_) => exit::USAGE,
            _ => exit::ERROR,
        }
    }
}

/// Runs the command line.
pub fn run(cli: Cli) -> Result<ExitCode, AppError> {
    match cli.command {
        Command::Pod(args) => run_pod(args),
    }
}

fn run_pod(args: PodArgs) -> Result<ExitCode, AppError> {
    let (ns, name) = parse_target(&args.target, args.namespace.as_deref())?;
    let evidence = match &args.from {
        Some(path) => load_bundle(path, ns.as_deref(), &name)?,
        None => {
            let req = FetchRequest {
                namespace: ns,
                name,
                options: fetch_options(&args.conn),
            };
            fetch::collect(&req)?
        }
    };
    if let Some(path) = &args.save_bundle {
        save_bundle(&evidence, path)?;
    }
    let lineage = lineage::analyze(&evidence);
    write_report(&lineage, &args)?;
    Ok(exit::for_verdict(lineage.verdict))
}

/// The live fetch's options from the connection flags (fetch knows nothing of clap).
pub fn fetch_options(c: &ConnArgs) -> fetch::Options {
    let connection = fetch::Connection {
        kubeconfig: c.kubeconfig.clone(),
        context: c.context.clone(),
        cluster: c.cluster.clone(),
        user: c.user.clone(),
        impersonate_user: c.as_user.clone(),
        impersonate_groups: c.as_group.clone(),
        insecure_skip_tls_verify: c.insecure_skip_tls_verify,
    };
    let prometheus = c
        .prometheus_url
        .as_ref()
        .map(|url| fetch::DirectPrometheus {
            url: url.clone(),
            token_file: c.prometheus_token_file.clone(),
            ca_file: c.prometheus_ca_file.clone(),
        });
    fetch::Options {
        connection,
        prometheus,
        timeout: c.request_timeout.0,
        verbose: c.verbose,
    }
}

/// Splits `NS/NAME` or `NAME`, validating both as Kubernetes names.
pub fn parse_target(
    target: &str,
    ns_flag: Option<&str>,
) -> Result<(Option<String>, String), AppError> {
    let (ns, name) = match target.split_once('/') {
        Some((ns, name)) => (Some(ns.to_string()), name.to_string()),
        None => (ns_flag.map(str::to_string), target.to_string()),
    };
    if let (Some(a), Some(b)) = (&ns, ns_flag)
        && a != b
    {
        return Err(AppError::Usage(format!(
            "POD says namespace {a:?} but -n says {b:?}"
        )));
    }
    if let Some(ns) = &ns {
        check_name("namespace", ns, 63)?;
    }
    check_name("pod name", &name, 253)?;
    Ok((ns, name))
}

fn check_name(what: &str, s: &str, max: usize) -> Result<(), AppError> {
    let ok_chars = s
        .chars()
        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '.');
    let ok_ends = s.starts_with(|c: char| c.is_ascii_alphanumeric())
        && s.ends_with(|c: char| c.is_ascii_alphanumeric());
    if s.is_empty() || s.len() > max || !ok_chars || !ok_ends {
        return Err(AppError::Usage(format!(
            "malformed {what} {s:?}: expected NAMESPACE/NAME or NAME of lower-case letters, digits, '-' and '.'"
        )));
    }
    Ok(())
}

fn load_bundle(path: &Path, ns: Option<&str>, name: &str) -> Result<Evidence, AppError> {
    let bundle_err = |source| AppError::Bundle {
        path: path.to_path_buf(),
        source,
    };
    let file = File::open(path).map_err(|e| bundle_err(BundleError::Io(e)))?;
    let ev = evidence::read_bundle(io::BufReader::new(file)).map_err(bundle_err)?;
    let ns_ok = ns.is_none_or(|n| n == ev.target.namespace);
    if ev.target.name != name || !ns_ok {
        let wanted = ns.map_or(name.to_string(), |n| format!("{n}/{name}"));
        return Err(AppError::WrongPod {
            path: path.to_path_buf(),
            found: ev.target.clone(),
            wanted,
        });
    }
    Ok(ev)
}

fn save_bundle(ev: &Evidence, path: &Path) -> Result<(), AppError> {
    let write_err = |source| AppError::Write {
        path: path.display().to_string(),
        source,
    };
    let file = File::create(path).map_err(write_err)?;
    let mut w = BufWriter::new(file);
    evidence::write_bundle(ev, &mut w).map_err(|e| match e {
        BundleError::Io(io) => write_err(io),
        other => write_err(io::Error::other(other.to_string())),
    })?;
    w.flush().map_err(write_err)
}

fn write_report(l: &lineage::Lineage, args: &PodArgs) -> Result<(), AppError> {
    let format = match args.output {
        OutputFormat::Text => Format::Text,
        OutputFormat::Json => Format::Json,
        OutputFormat::Markdown => Format::Markdown,
    };
    let to_terminal = args.out.is_none() && io::stdout().is_terminal();
    let color = match args.color {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            to_terminal && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
        }
    };
    let opts = TextOptions {
        color,
        ..TextOptions::default()
    };
    match &args.out {
        Some(path) => {
            let file = File::create(path).map_err(|source| AppError::Write {
                path: path.display().to_string(),
                source,
            })?;
            let mut w = BufWriter::new(file);
            render::render(l, format, opts, &mut w)
                .and_then(|()| w.flush())
                .map_err(|source| AppError::Write {
                    path: path.display().to_string(),
                    source,
                })
        }
        None => {
            let mut w = io::stdout().lock();
            match render::render(l, format, opts, &mut w).and_then(|()| w.flush()) {
                Err(e) if e.kind() == io::ErrorKind::BrokenPipe => Ok(()),
                other => other.map_err(|source| AppError::Write {
                    path: "standard output".into(),
                    source,
                }),
            }
        }
    }
}

#[cfg(test)]
mod tests;
