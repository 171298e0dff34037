//! Command-line interface (clap derive). Flag names follow kubectl's.

use std::path::PathBuf;

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

    /// Replay a saved evidence bundle instead of contacting a cluster.
    #[arg(long, value_name = "BUNDLE")]
    pub from: Option<PathBuf>,

    /// Output format.
    #[arg(short = 'o', long, value_enum, default_value_t = OutputFormat::Text)]
    pub output: OutputFormat,

    /// Write the report to FILE instead of standard output.
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,

    /// When to use colours in text output (NO_COLOR is honoured by `auto`).
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,

    /// Save the gathered evidence to FILE (live mode).
    #[arg(long, value_name = "FILE")]
    pub save_bundle: Option<PathBuf>,

    /// Connection flags (live mode).
    #[command(flatten)]
    pub conn: ConnArgs,
}

/// kubectl-style connection flags.
#[derive(Debug, Args, Clone, Default)]
pub struct ConnArgs {
    /// Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config, then in-cluster).
    #[arg(long, value_name = "PATH")]
    pub kubeconfig: Option<PathBuf>,

    /// The kubeconfig context to use.
    #[arg(long, value_name = "NAME")]
    pub context: Option<String>,

    /// The kubeconfig cluster to use.
    #[arg(long, value_name = "NAME")]
    pub cluster: Option<String>,

    /// The kubeconfig user to use.
    #[arg(long, value_name = "NAME")]
    pub user: Option<String>,

    /// Username to impersonate for the operation (as kubectl --as).
    #[arg(long = "as", value_name = "USER")]
    pub as_user: Option<String>,

    /// Group to impersonate (repeatable, as kubectl --as-group).
    #[arg(long = "as-group", value_name = "GROUP")]
    pub as_group: Vec<String>,

    /// Timeout for each request, e.g. 10s, 1m30s (0 = no timeout); a kubelet body may stream
    /// for up to 10 times as long while data keeps arriving.
    #[arg(long, value_name = "DURATION", default_value = "30s")]
    pub request_timeout: String,

    /// Do not verify the API server's certificate (insecure).
    #[arg(long)]
    pub insecure_skip_tls_verify: bool,

    /// Query this Prometheus directly instead of the adapter's through the API server proxy.
    #[arg(long, value_name = "URL")]
    pub prometheus_url: Option<String>,

    /// Bearer token file for --prometheus-url, sent only there and only over https
    /// (e.g. `<(oc whoami -t)`); the kubeconfig's credentials are never sent to Prometheus.
    #[arg(long, value_name = "PATH")]
    pub prometheus_token_file: Option<PathBuf>,

    /// CA bundle (PEM) that signs --prometheus-url's certificate (default: the system roots).
    #[arg(long, value_name = "PATH")]
    pub prometheus_ca_file: Option<PathBuf>,

    /// Log each request to stderr (credentials are never printed).
    #[arg(short = 'v', long)]
    pub verbose: bool,
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
    /// Colour when writing to a terminal and NO_COLOR is unset.
    Auto,
    /// Always.
    Always,
    /// Never.
    Never,
}

#[cfg(test)]
mod tests {
    use clap::{CommandFactory, Parser};

    use super::*;

    #[test]
    fn flags_are_consistent_and_kubectl_named() {
        Cli::command().debug_assert();
        let cli = Cli::try_parse_from([
            "ktrace",
            "pod",
            "blockvol-fs-1",
            "-n",
            "csi",
            "-o",
            "markdown",
            "--context",
            "admin",
            "--request-timeout",
            "5s",
            "--insecure-skip-tls-verify",
        ])
        .unwrap();
        let Command::Pod(p) = cli.command;
        assert_eq!(p.target, "blockvol-fs-1");
        assert_eq!(p.namespace.as_deref(), Some("csi"));
        assert_eq!(p.output, OutputFormat::Markdown);
        assert_eq!(p.conn.context.as_deref(), Some("admin"));
        assert_eq!(p.conn.request_timeout, "5s");
        assert!(p.conn.insecure_skip_tls_verify);
        assert_eq!(p.color, ColorChoice::Auto);
    }
}
