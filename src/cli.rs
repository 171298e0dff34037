//! Command-line interface (clap derive). Flag names follow kubectl's.

use std::path::PathBuf;
use std::time::Duration;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// Explains where the `kubectl top pod` / `oc adm top pod` number comes from, with evidence.
#[derive(Debug, Parser)]
#[command(name = "ktrace", version, about, long_about = None)]
pub struct Cli {
    /// What to trace.
    #[command(subcommand)]
    pub command: Command,
}

/// Subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Trace the memory (and cpu) lineage of one pod.
    Pod(PodArgs),
    /// Explain one node's `kubectl top node` and `kubectl describe node` numbers.
    Node(NodeArgs),
}

/// `ktrace pod`.
#[derive(Debug, Args)]
pub struct PodArgs {
    /// The pod, as NAMESPACE/NAME or NAME (with -n).
    #[arg(value_name = "POD")]
    pub target: String,

    /// Namespace of the pod (default: from the kubeconfig context, or the bundle).
    #[arg(short = 'n', long, value_name = "NAMESPACE")]
    pub namespace: Option<String>,

    /// Compare with other tools' queries for the pod: TOOL or TOOL@VERSION, comma-separated
    /// (e.g. console,lens@5,mixin@1.3; see docs/compare.md); without a value, the tool of the
    /// cluster's kind (the OpenShift console, else the kubernetes-mixin dashboard).
    #[arg(
        long,
        value_name = "TOOL,…",
        num_args = 0..=1,
        value_delimiter = ',',
        value_parser = parse_tool
    )]
    pub compare: Option<Vec<String>>,

    /// Compare with your own dashboard's query (repeatable); `$namespace` and `$pod` are
    /// filled in for the pod.
    #[arg(long, value_name = "PROMQL")]
    pub compare_query: Vec<String>,

    /// Live or replay, report and connection flags.
    #[command(flatten)]
    pub trace: TraceArgs,
}

/// A `--compare` TOOL or TOOL@VERSION, resolved to the tag of its built-in query set.
pub fn parse_tool(s: &str) -> Result<String, String> {
    if let Some(q) = crate::compare::queries::find(s.trim()) {
        return Ok(q.tag.to_string());
    }
    let mut tools: Vec<&str> = Vec::new();
    for q in crate::compare::queries::sets() {
        if !tools.contains(&q.tool) {
            tools.push(q.tool);
        }
    }
    let tags: Vec<&str> = crate::compare::queries::sets()
        .iter()
        .map(|q| q.tag)
        .collect();
    Err(format!(
        "unknown tool {s:?}: known tools are {} (the newest version), or a version such as {}",
        tools.join(", "),
        tags.join(", ")
    ))
}

/// `ktrace node`.
#[derive(Debug, Args)]
pub struct NodeArgs {
    /// The node's name.
    #[arg(value_name = "NODE")]
    pub node: String,

    /// Also show `kubectl top node --show-capacity`'s percentages (of capacity, not
    /// allocatable).
    #[arg(long)]
    pub show_capacity: bool,

    /// Live or replay, report and connection flags.
    #[command(flatten)]
    pub trace: TraceArgs,
}

/// The flags `ktrace pod` and `ktrace node` share: where the evidence comes from, where the
/// report goes, and how to connect.
#[derive(Debug, Args)]
pub struct TraceArgs {
    /// Replay a saved evidence bundle instead of contacting a cluster.
    #[arg(long, value_name = "BUNDLE")]
    pub from: Option<PathBuf>,

    /// Output format.
    #[arg(short = 'o', long, value_enum, default_value_t = OutputFormat::Text)]
    pub output: OutputFormat,

    /// Write the report to FILE instead of standard output.
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,

    /// When to use colours in text output (`auto`: on a terminal, not with TERM=dumb or
    /// NO_COLOR).
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,

    /// Show verbatim evidence lines and reproduce-by-hand commands in text output (Markdown
    /// always has them).
    #[arg(long)]
    pub details: bool,

    /// Save the gathered evidence to FILE (live mode).
    #[arg(long, value_name = "FILE", conflicts_with = "from")]
    pub save_bundle: Option<PathBuf>,

    /// Connection flags (live mode).
    #[command(flatten)]
    pub conn: ConnArgs,
}

/// kubectl-style connection flags.
#[derive(Debug, Args, Clone, Default)]
pub struct ConnArgs {
    /// Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config, then in-cluster).
    #[arg(long, value_name = "PATH", conflicts_with = "from")]
    pub kubeconfig: Option<PathBuf>,

    /// The kubeconfig context to use.
    #[arg(long, value_name = "NAME", conflicts_with = "from")]
    pub context: Option<String>,

    /// The kubeconfig cluster to use.
    #[arg(long, value_name = "NAME", conflicts_with = "from")]
    pub cluster: Option<String>,

    /// The kubeconfig user to use.
    #[arg(long, value_name = "NAME", conflicts_with = "from")]
    pub user: Option<String>,

    /// Username to impersonate for the operation (as kubectl --as).
    #[arg(long = "as", value_name = "USER", conflicts_with = "from")]
    pub as_user: Option<String>,

    /// Group to impersonate (repeatable, as kubectl --as-group).
    #[arg(long = "as-group", value_name = "GROUP", conflicts_with = "from")]
    pub as_group: Vec<String>,

    /// Timeout for each request, e.g. 10s, 1m30s (0 = no timeout, at most 24h); a kubelet body
    /// may stream for up to 10 times as long while data keeps arriving.
    #[arg(
        long,
        value_name = "DURATION",
        default_value = "30s",
        value_parser = RequestTimeout::parse,
        conflicts_with = "from"
    )]
    pub request_timeout: RequestTimeout,

    /// Do not verify the API server's certificate (insecure).
    #[arg(long, conflicts_with = "from")]
    pub insecure_skip_tls_verify: bool,

    /// Query this Prometheus directly instead of the adapter's through the API server proxy.
    #[arg(long, value_name = "URL", conflicts_with = "from")]
    pub prometheus_url: Option<String>,

    /// Bearer token file for --prometheus-url, sent only there and only over https
    /// (e.g. `<(oc whoami -t)`); the kubeconfig's credentials are never sent to Prometheus.
    #[arg(long, value_name = "PATH", conflicts_with = "from")]
    pub prometheus_token_file: Option<PathBuf>,

    /// CA bundle (PEM) that signs --prometheus-url's certificate (default: the system roots).
    #[arg(long, value_name = "PATH", conflicts_with = "from")]
    pub prometheus_ca_file: Option<PathBuf>,

    /// Take a second kubelet /metrics/resource reading DURATION after the first (e.g. 15s,
    /// 500ms; 1ms to 10m) for ktrace's own two-point CPU rate; runs beside the rest of the
    /// trace, which then ends when that reading arrives. Off by default.
    #[arg(
        long,
        value_name = "DURATION",
        value_parser = CpuSample::parse,
        conflicts_with = "from"
    )]
    pub cpu_sample: Option<CpuSample>,

    /// Log each request to stderr (credentials are never printed).
    #[arg(short = 'v', long)]
    pub verbose: bool,

    /// Show no progress on stderr (live runs show it only when stderr is a terminal).
    #[arg(short = 'q', long)]
    pub quiet: bool,
}

/// A parsed `--request-timeout`: `None` means no timeout.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RequestTimeout(pub Option<Duration>);

impl Default for RequestTimeout {
    /// kubectl-like default of 30 seconds.
    fn default() -> Self {
        RequestTimeout(Some(Duration::from_secs(30)))
    }
}

impl RequestTimeout {
    /// The longest accepted timeout. Larger values are refused rather than risk overflowing a
    /// deadline (`Instant + 10 × timeout` for a streamed kubelet body).
    pub const MAX: Duration = Duration::from_secs(24 * 3600);

    /// Parses kubectl's `--request-timeout`: a bare number of seconds, or a Go duration such
    /// as `30s`, `1m30s`, `1.5s`, `500ms`, `2h45m`. Zero means no timeout; more than
    /// [`RequestTimeout::MAX`] is an error.
    pub fn parse(s: &str) -> Result<RequestTimeout, String> {
        let err = || {
            format!(
                "invalid --request-timeout {s:?}: use a number with a unit, e.g. 10s, 1m, 500ms (0 = none, at most 24h)"
            )
        };
        let secs = match s.parse::<u64>() {
            Ok(n) => n as f64,
            Err(_) => go_duration_secs(s).ok_or_else(err)?,
        };
        if !secs.is_finite() || secs > Self::MAX.as_secs_f64() {
            return Err(err());
        }
        Ok(RequestTimeout(
            (secs > 0.0).then(|| Duration::from_secs_f64(secs)),
        ))
    }
}

/// A parsed `--cpu-sample`: how long to wait between the two `/metrics/resource` readings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CpuSample(pub Duration);

impl CpuSample {
    /// The shortest accepted wait.
    pub const MIN: Duration = Duration::from_millis(1);
    /// The longest accepted wait: a trace should not hang for longer than this on purpose.
    pub const MAX: Duration = Duration::from_secs(600);

    /// Parses a Go duration (`15s`, `500ms`, `1m30s`) or a bare number of seconds, between
    /// [`CpuSample::MIN`] and [`CpuSample::MAX`].
    pub fn parse(s: &str) -> Result<CpuSample, String> {
        let err = || {
            format!("invalid --cpu-sample {s:?}: use a duration from 1ms to 10m, e.g. 15s, 500ms")
        };
        let secs = match s.parse::<u64>() {
            Ok(n) => n as f64,
            Err(_) => go_duration_secs(s).ok_or_else(err)?,
        };
        if !secs.is_finite() || secs > Self::MAX.as_secs_f64() {
            return Err(err());
        }
        let wait = Duration::from_secs_f64(secs);
        if wait < Self::MIN {
            return Err(err());
        }
        Ok(CpuSample(wait))
    }
}

/// Seconds in a Go duration (`1h2m3.5s`, `500ms`); `None` when it is not one.
fn go_duration_secs(s: &str) -> Option<f64> {
    if s.is_empty() {
        return None;
    }
    let mut rest = s;
    let mut total = 0f64;
    while !rest.is_empty() {
        let num_end = rest.find(|c: char| !(c.is_ascii_digit() || c == '.'))?;
        let (num, tail) = rest.split_at(num_end);
        let value: f64 = num.parse().ok()?;
        let unit_end = tail
            .find(|c: char| c.is_ascii_digit() || c == '.')
            .unwrap_or(tail.len());
        let (unit, next) = tail.split_at(unit_end);
        let scale = match unit {
            "ns" => 1e-9,
            "us" | "µs" => 1e-6,
            "ms" => 1e-3,
            "s" => 1.0,
            "m" => 60.0,
            "h" => 3600.0,
            _ => return None,
        };
        total += value * scale;
        rest = next;
    }
    Some(total)
}

/// Report formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum OutputFormat {
    /// Aligned terminal text.
    Text,
    /// Versioned JSON.
    Json,
    /// Markdown for tickets.
    Markdown,
}

/// `--color`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    /// Colour when writing to a terminal, unless TERM=dumb or NO_COLOR is set.
    Auto,
    /// Always.
    Always,
    /// Never.
    Never,
}

#[cfg(test)]
mod tests;
