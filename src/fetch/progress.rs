//! Progress of a live fetch as events, and the `-v` request log: what each request reports
//! when it starts and ends. fetch draws nothing itself; whoever shows progress (the `app`
//! layer, on a terminal) passes a [`Progress`] sink in [`Options`](super::Options).

use std::fmt;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use super::log;
use super::secrets::Secrets;
use super::url::redact_url;
use crate::escape::{Keep, escape};
use crate::evidence::Outcome;

/// One step of a live fetch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    /// A request was sent.
    Started {
        /// Distinguishes requests of one fetch (two requests may share a label).
        id: u64,
        /// What is fetched, in words (`Pod csi/x`, `kubelet cAdvisor on worker-4`).
        label: String,
        /// The request path or URL, credentials taken out.
        target: String,
    },
    /// A request ended, with or without an answer.
    Finished {
        /// The `id` of its [`Event::Started`].
        id: u64,
        /// The same label as when it started.
        label: String,
        /// Whether the source was read (HTTP 2xx).
        ok: bool,
        /// A few words on the outcome (`HTTP 200`, `HTTP 403`, `timed out`).
        summary: String,
        /// How long it took.
        elapsed: Duration,
        /// The `-v` log line for this request, when `-v` was given: a sink owns stderr while
        /// it is active, so it prints this line itself (fetch prints it only without a sink).
        log: Option<String>,
    },
}

/// A receiver of [`Event`]s, called from the fetch's worker threads.
#[derive(Clone)]
pub struct Progress(Arc<dyn Fn(&Event) + Send + Sync>);

impl Progress {
    /// A sink that calls `f` for every event.
    pub fn new(f: impl Fn(&Event) + Send + Sync + 'static) -> Progress {
        Progress(Arc::new(f))
    }

    /// Hands `event` to the sink.
    pub fn send(&self, event: &Event) {
        (self.0)(event)
    }
}

impl fmt::Debug for Progress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Progress(..)")
    }
}

/// What every request path reports to: the `-v` log and the progress sink, if any.
#[derive(Clone, Debug, Default)]
pub struct Watch {
    verbose: bool,
    sink: Option<Progress>,
    next_id: Arc<AtomicU64>,
    secrets: Secrets,
}

/// A request being watched, from [`Watch::start`] to [`Watch::finish`].
pub struct Ticket {
    id: u64,
    label: String,
    target: String,
    started: Instant,
}

impl Watch {
    /// Logs when `verbose`; sends events to `sink` when there is one.
    pub fn new(verbose: bool, sink: Option<Progress>) -> Watch {
        Watch {
            verbose,
            sink,
            next_id: Arc::new(AtomicU64::new(0)),
            secrets: Secrets::default(),
        }
    }

    /// The credentials this watch scrubs.
    pub fn secrets(&self) -> Secrets {
        self.secrets.clone()
    }

    /// The same watch, scrubbing `secrets` from every log line and event it emits.
    pub fn scrubbing(mut self, secrets: Secrets) -> Watch {
        self.secrets = secrets;
        self
    }

    /// Whether each request is logged (`-v`).
    #[cfg(test)]
    pub fn verbose(&self) -> bool {
        self.verbose
    }

    /// Notes that a request for `target` (a path or URL) is being sent.
    pub fn start(&self, label: String, target: &str) -> Ticket {
        let ticket = Ticket {
            id: self.next_id.fetch_add(1, Ordering::Relaxed),
            label: escape(&label, Keep::Nothing),
            target: self
                .secrets
                .scrub(&escape(&redact_url(target), Keep::Nothing)),
            started: Instant::now(),
        };
        if let Some(sink) = &self.sink {
            sink.send(&Event::Started {
                id: ticket.id,
                label: ticket.label.clone(),
                target: ticket.target.clone(),
            });
        }
        ticket
    }

    /// Notes how the request ended; prints the `-v` line when there is no sink to do it.
    pub fn finish(&self, t: Ticket, outcome: &Outcome) {
        let elapsed = t.started.elapsed();
        let log = self.verbose.then(|| {
            self.secrets
                .scrub(&log::line("GET", &t.target, outcome, elapsed))
        });
        match (&self.sink, log) {
            (Some(sink), log) => sink.send(&Event::Finished {
                id: t.id,
                label: t.label,
                ok: matches!(outcome, Outcome::Ok { .. }),
                summary: self.secrets.scrub(&summary(outcome)),
                elapsed,
                log,
            }),
            (None, Some(line)) => log::print(&line),
            (None, None) => {}
        }
    }
}

/// A few words on an outcome, for a progress line.
pub fn summary(outcome: &Outcome) -> String {
    match outcome {
        Outcome::Ok { http_status, .. } => format!("HTTP {http_status}"),
        Outcome::Failed {
            http_status: Some(code),
            ..
        } => format!("HTTP {code}"),
        Outcome::Failed { error, .. } if error.starts_with("no data for") => "stalled".into(),
        Outcome::Failed { error, .. } if error.starts_with("gave up") => "too slow".into(),
        // Ours, or the client's own connect timeout (`deadline has elapsed`).
        Outcome::Failed { error, .. }
            if error.contains("timed out") || error.contains("deadline has elapsed") =>
        {
            "timed out".into()
        }
        Outcome::Failed { .. } => "no answer".into(),
        Outcome::NotCollected { .. } => "not collected".into(),
    }
}

/// What an API path fetches, in words; the path itself when it is not one ktrace asks for.
pub fn label(path: &str) -> String {
    let path = path.split('?').next().unwrap_or(path);
    let parts: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    match parts.as_slice() {
        ["version"] => "API server version".into(),
        ["apis", "metrics.k8s.io"] => "Metrics API discovery".into(),
        ["apis", "metrics.k8s.io", _, "namespaces", ns, "pods", pod] => {
            format!("PodMetrics {ns}/{pod}")
        }
        ["apis", "apiregistration.k8s.io", _, "apiservices", name] => format!("APIService {name}"),
        ["apis", "apps", _, "namespaces", ns, "deployments"] => format!("Deployments in {ns}"),
        ["apis", "apps", _, "namespaces", ns, "deployments", d] => format!("Deployment {ns}/{d}"),
        ["api", "v1", "nodes", node, "proxy", "metrics", "cadvisor"] => {
            format!("kubelet cAdvisor on {node}")
        }
        ["api", "v1", "nodes", node, "proxy", "metrics", "resource"] => {
            format!("kubelet resource metrics on {node}")
        }
        ["api", "v1", "namespaces", _, "services", svc, "proxy", ..] => {
            format!("Prometheus query via {svc}")
        }
        ["api", "v1", "namespaces", ns, kind, name] => {
            let kind = match *kind {
                "pods" => "Pod",
                "services" => "Service",
                "configmaps" => "ConfigMap",
                other => other,
            };
            format!("{kind} {ns}/{name}")
        }
        _ => path.to_string(),
    }
}

#[cfg(test)]
mod tests;
