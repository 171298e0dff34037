//! Orchestration: flags → evidence (live or bundle) → lineage → report → exit code.

use std::fs::File;
use std::io::{self, BufWriter, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

mod node;
mod progress;
mod term;

pub use term::{DEFAULT_WIDTH, Env};

use crate::cli::{Cli, Command, ConnArgs, OutputFormat, PodArgs, TraceArgs};
use crate::evidence::{self, BundleError, Evidence, PodRef};
use crate::fetch::{self, FetchError, FetchRequest};
use crate::render::{self, Format, TextOptions};
use crate::{exit, lineage};
use node::run_node;

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
        Command::Node(args) => run_node(args),
    }
}

fn run_pod(pod: PodArgs) -> Result<ExitCode, AppError> {
    let (ns, name) = parse_target(&pod.target, pod.namespace.as_deref())?;
    let args = pod.trace;
    let env = Env::from_process();
    let ask = compare_ask(pod.compare, pod.compare_query);
    let evidence = match &args.from {
        Some(path) => {
            let mut ev = load_bundle(path, ns.as_deref(), &name)?;
            replace_compare(&mut ev, &ask);
            ev
        }
        None => fetch_live(ns, name, &args.conn, ask, &env)?,
    };
    if let Some(path) = &args.save_bundle {
        save_bundle(&evidence, path)?;
    }
    let lineage = lineage::analyze(&evidence);
    match write_report(&lineage, &args, &env)? {
        Delivered::Whole => Ok(exit::for_verdict(lineage.verdict)),
        Delivered::ReaderGone => Ok(exit::for_closed_pipe()),
    }
}

/// Fetches live, with progress on stderr when it is a terminal; the progress lines are
/// cleared before this returns, so the report and any error start on a clean screen.
fn fetch_live(
    namespace: Option<String>,
    name: String,
    conn: &ConnArgs,
    compare: fetch::Compare,
    env: &Env,
) -> Result<Evidence, AppError> {
    let show = term::progress(io::stderr().is_terminal(), conn.quiet, env);
    let display = show.then(progress::Display::start);
    let mut options = fetch_options(conn);
    options.compare = compare;
    options.progress = display.as_ref().map(progress::Display::sink);
    let req = FetchRequest {
        namespace,
        name,
        options,
    };
    let result = fetch::collect(&req);
    drop(display);
    Ok(result?)
}

/// `--compare` (tags already resolved by `cli::parse_tool`; given without a value, the default
/// set) and `--compare-query` as the fetch takes them.
pub fn compare_ask(tools: Option<Vec<String>>, queries: Vec<String>) -> fetch::Compare {
    fetch::Compare {
        default_tools: tools.as_ref().is_some_and(Vec::is_empty),
        tools: tools.unwrap_or_default(),
        queries,
    }
}

/// A replay with `--compare`/`--compare-query` asks for those instead of what the bundle
/// recorded: the entries are resolved for the bundle's pod, the default set for the kind the
/// bundle shows (`compare::queries::kind_of`). Without either flag the bundle's stay.
pub fn replace_compare(ev: &mut Evidence, ask: &fetch::Compare) {
    if ask.is_empty() {
        return;
    }
    let kind = crate::compare::queries::kind_of(ev);
    ev.compare = ask.entries(kind, &ev.target.namespace, &ev.target.name);
}

/// The live fetch's options from the connection flags (fetch knows nothing of clap); no
/// progress sink, which only a terminal gets.
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
        progress: None,
        cpu_sample: c.cpu_sample.map(|s| s.0),
        compare: fetch::Compare::default(),
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
    if !crate::objects::is_k8s_name(s, max) {
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

/// How far the report got.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Delivered {
    /// Written and flushed.
    Whole,
    /// Standard output's reader closed the pipe (`| head`): stop quietly, as kubectl does.
    ReaderGone,
}

/// The text renderer's options for this run: colour, width and details decided from the
/// flags, whether stdout is a terminal, and the environment.
pub fn text_options(args: &TraceArgs, stdout_is_tty: bool, env: &Env) -> TextOptions {
    let to_terminal = args.out.is_none() && stdout_is_tty;
    let terminal_columns = to_terminal.then(terminal_columns).flatten();
    TextOptions {
        color: term::color(args.color, to_terminal, env),
        width: term::width(env, terminal_columns),
        details: args.details,
    }
}

/// The width of the terminal on stdout, when it reports one.
fn terminal_columns() -> Option<usize> {
    console::Term::stdout()
        .size_checked()
        .map(|(_rows, cols)| usize::from(cols))
}

fn write_report(l: &lineage::Lineage, args: &TraceArgs, env: &Env) -> Result<Delivered, AppError> {
    write_with(args, env, |format, opts, w| {
        render::render(l, format, opts, w)
    })
}

/// Writes a report drawn by `draw` in the chosen format to `--out` or standard output.
pub(crate) fn write_with(
    args: &TraceArgs,
    env: &Env,
    draw: impl Fn(Format, TextOptions, &mut dyn Write) -> io::Result<()>,
) -> Result<Delivered, AppError> {
    let format = match args.output {
        OutputFormat::Text => Format::Text,
        OutputFormat::Json => Format::Json,
        OutputFormat::Markdown => Format::Markdown,
    };
    let opts = text_options(args, io::stdout().is_terminal(), env);
    match &args.out {
        Some(path) => {
            let file = File::create(path).map_err(|source| AppError::Write {
                path: path.display().to_string(),
                source,
            })?;
            let mut w = BufWriter::new(file);
            draw(format, opts, &mut w)
                .and_then(|()| w.flush())
                .map(|()| Delivered::Whole)
                .map_err(|source| AppError::Write {
                    path: path.display().to_string(),
                    source,
                })
        }
        None => {
            let mut w = PipeWatch::new(io::stdout().lock());
            let result = draw(format, opts, &mut w).and_then(|()| w.flush());
            match result {
                Ok(()) => Ok(Delivered::Whole),
                Err(_) if w.reader_gone => Ok(Delivered::ReaderGone),
                Err(source) => Err(AppError::Write {
                    path: "standard output".into(),
                    source,
                }),
            }
        }
    }
}

/// A writer that remembers a broken pipe, however a renderer wraps the error it returns
/// (the JSON renderer's serde error hides the `BrokenPipe` kind).
struct PipeWatch<W> {
    inner: W,
    reader_gone: bool,
}

impl<W: Write> PipeWatch<W> {
    fn new(inner: W) -> Self {
        PipeWatch {
            inner,
            reader_gone: false,
        }
    }

    fn note<T>(&mut self, r: io::Result<T>) -> io::Result<T> {
        if let Err(e) = &r {
            self.reader_gone |= e.kind() == io::ErrorKind::BrokenPipe;
        }
        r
    }
}

impl<W: Write> Write for PipeWatch<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let r = self.inner.write(buf);
        self.note(r)
    }

    fn flush(&mut self) -> io::Result<()> {
        let r = self.inner.flush();
        self.note(r)
    }
}

#[cfg(test)]
mod tests;
