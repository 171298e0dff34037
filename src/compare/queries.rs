//! The built-in query sets: what other tools run for one pod, as data.
//!
//! One [`ToolQuery`] per tool version whose query changed, quoted exactly as the tool writes
//! it (template variables included), with its unit, rounding and source. The facts are from
//! `../shared/reference/dashboards.md` (its §1 console, §3 kubernetes-mixin, §4 Lens/Freelens);
//! adding a tool is one entry in [`SETS`].

use serde_json::Value;

use super::display::Display;
use crate::evidence::{Evidence, Source};

/// The resource a query reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Resource {
    /// Memory, in bytes.
    Memory,
    /// CPU, in cores.
    Cpu,
}

/// How a tool fills its template variables.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Vars {
    /// OpenShift console 4.8+: `${obj.metadata.name}`, `${obj.metadata.namespace}`.
    ConsoleObj,
    /// OpenShift console 4.2–4.7: `${pod.metadata.name}`, `${pod.metadata.namespace}`.
    ConsolePod,
    /// Grafana: `$namespace`, `$pod`, and `$cluster` (hidden, empty on a single cluster).
    Grafana,
    /// Lens/Freelens: `${opts.pods}`, `${opts.namespace}`, `${opts.selector}` (`pod, namespace`).
    Lens,
}

/// One built-in query of one tool version.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ToolQuery {
    /// Tool id, e.g. `console`.
    pub tool: &'static str,
    /// Version tag, e.g. `console@4.3`: the first version with this query.
    pub tag: &'static str,
    /// First version with this query, as numbers (`[4, 3]`).
    pub from: &'static [u32],
    /// Last version with it, or `None` for the current one.
    pub until: Option<&'static [u32]>,
    /// The versions in words, as the source gives them.
    pub versions: &'static str,
    /// The view that shows the number.
    pub view: &'static str,
    /// The resource.
    pub resource: Resource,
    /// The query exactly as the tool writes it.
    pub template: &'static str,
    /// How the variables are filled.
    pub vars: Vars,
    /// How the tool shows the value.
    pub display: Display,
    /// Where the query is written (repository, path, ref).
    pub source: &'static str,
}

/// Every built-in query, oldest first per tool.
pub const SETS: &[ToolQuery] = &[
    ToolQuery {
        tool: "console",
        tag: "console@4.2",
        from: &[4, 2],
        until: Some(&[4, 2]),
        versions: "OpenShift console 4.2",
        view: "Pod → Metrics \"Memory Usage\"",
        resource: Resource::Memory,
        template: "sum(container_memory_working_set_bytes{pod='${pod.metadata.name}',namespace='${pod.metadata.namespace}',container='',}) BY (pod, namespace)",
        vars: Vars::ConsolePod,
        display: Display::ConsoleDecimal,
        source: "openshift/console release-4.2 frontend/public/components/pod.tsx (a8db925a)",
    },
    ToolQuery {
        tool: "console",
        tag: "console@4.3",
        from: &[4, 3],
        until: None,
        versions: "OpenShift console 4.3 → 5.0/main (4.8+ spells the variables obj.metadata.*)",
        view: "Pod → Metrics \"Memory usage\"",
        resource: Resource::Memory,
        template: "sum(container_memory_working_set_bytes{pod='${obj.metadata.name}',namespace='${obj.metadata.namespace}',container='',}) BY (pod, namespace)",
        vars: Vars::ConsoleObj,
        display: Display::ConsoleBinary,
        source: "openshift/console frontend/public/components/pod.tsx PodGraphs, branches release-4.3 … main da1f1324",
    },
    ToolQuery {
        tool: "console-list",
        tag: "console-list@4.4",
        from: &[4, 4],
        until: None,
        versions: "OpenShift console 4.4 → main",
        view: "Pods list \"Memory\" column",
        resource: Resource::Memory,
        template: "sum(container_memory_working_set_bytes{namespace='${namespace}',container=''}) BY (pod, namespace)",
        vars: Vars::ConsolePod,
        display: Display::MiB1,
        source: "openshift/console pod.tsx 4.4–4.20 (cfa0534c), pod-list.tsx 4.21+ (9df96fea); utils/units formatBytesAsMiB",
    },
    ToolQuery {
        tool: "mixin",
        tag: "mixin@0.12",
        from: &[0, 12],
        until: Some(&[1, 3]),
        versions: "kubernetes-mixin from ece5e1d (2021-11; kube-prometheus v0.10.0–v0.16.0) until version-1.4.0",
        view: "Kubernetes / Compute Resources / Pod \"Memory Usage (WSS)\"",
        resource: Resource::Memory,
        template: "sum(container_memory_working_set_bytes{job=\"kubelet\", metrics_path=\"/metrics/cadvisor\", cluster=\"$cluster\", namespace=\"$namespace\", pod=\"$pod\", container!=\"\", image!=\"\"}) by (container)",
        vars: Vars::Grafana,
        display: Display::Bytes,
        source: "kube-prometheus v0.10.0…v0.16.0 manifests/grafana-dashboardDefinitions.yaml (k8s-resources-pod)",
    },
    ToolQuery {
        tool: "mixin",
        tag: "mixin@1.4",
        from: &[1, 4],
        until: None,
        versions: "kubernetes-mixin version-1.4.0 → master aa38e2bf (kube-prometheus v0.17.0+, kube-prometheus-stack 88.5.3)",
        view: "Kubernetes / Compute Resources / Pod \"Memory Usage (WSS)\"",
        resource: Resource::Memory,
        template: "sum(max by (cluster, namespace, pod, container)(container_memory_working_set_bytes{job=\"kubelet\", metrics_path=\"/metrics/cadvisor\", cluster=\"$cluster\", namespace=\"$namespace\", pod=\"$pod\", container!=\"\", image!=\"\"})) by (container)",
        vars: Vars::Grafana,
        display: Display::Bytes,
        source: "kubernetes-mixin dashboards/resources/queries/pod.libsonnet memoryUsageWSS @ aa38e2bf (max by since 0c7e6e0 / #1130)",
    },
    ToolQuery {
        tool: "lens",
        tag: "lens@5",
        from: &[5],
        until: Some(&[5]),
        versions: "Lens 5.x – early 6.x (before PR #6679), Prometheus Operator provider",
        view: "Pod → Memory chart",
        resource: Resource::Memory,
        template: "sum(container_memory_working_set_bytes{container!=\"\", image!=\"\", pod=~\"${opts.pods}\", namespace=\"${opts.namespace}\"}) by (${opts.selector})",
        vars: Vars::Lens,
        display: Display::Lens,
        source: "lensapp/lens src/main/prometheus/operator.ts @1747cbf6",
    },
    ToolQuery {
        tool: "lens",
        tag: "lens@6",
        from: &[6],
        until: None,
        versions: "Lens 6.x after PR #6679 (2022-11-30; first release unconfirmed) and Freelens 1.0–1.4, Prometheus Operator provider",
        view: "Pod → Memory chart",
        resource: Resource::Memory,
        template: "sum(container_memory_working_set_bytes{pod=~\"${opts.pods}\", namespace=\"${opts.namespace}\"}) by (${opts.selector})",
        vars: Vars::Lens,
        display: Display::Lens,
        source: "lensapp/lens packages/technical-features/prometheus/src/operator-provider.injectable.ts.ts @c57c2361",
    },
];

/// Every built-in query.
pub fn sets() -> &'static [ToolQuery] {
    SETS
}

/// The query for `spec`: `tool` (its newest entry) or `tool@version` (the entry whose
/// version range holds it, e.g. `console@4.8` → `console@4.3`).
pub fn find(spec: &str) -> Option<&'static ToolQuery> {
    let (tool, version) = match spec.split_once('@') {
        Some((t, v)) => (t, Some(parse_version(v)?)),
        None => (spec, None),
    };
    let mut of_tool = SETS.iter().filter(|q| q.tool == tool);
    match version {
        None => of_tool.next_back(),
        Some(v) => of_tool.find(|q| q.covers(&v)),
    }
}

/// `4.8` → `[4, 8]`; `None` if a part is not a number.
fn parse_version(v: &str) -> Option<Vec<u32>> {
    v.split('.').map(|p| p.parse().ok()).collect()
}

impl ToolQuery {
    /// Whether version `v` is within this entry's range (compared on the parts given).
    fn covers(&self, v: &[u32]) -> bool {
        let cut = |r: &[u32]| r.iter().copied().take(v.len()).collect::<Vec<_>>();
        let above_from = v.to_vec() >= cut(self.from);
        let below_until = self.until.is_none_or(|u| v.to_vec() <= cut(u));
        above_from && below_until
    }
}

/// The kind of cluster, for the default set.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClusterKind {
    /// OpenShift: the console's pod page.
    OpenShift,
    /// Any other Kubernetes: Grafana's kubernetes-mixin pod dashboard.
    Kubernetes,
}

/// The kind of cluster the evidence is from, for [`default_for`]: OpenShift when the Metrics
/// API backend lives in `openshift-monitoring` (the APIService's `spec.service.namespace` or
/// the backend Deployment's `metadata.namespace`), or when the server's `gitVersion` carries
/// OpenShift's build suffix, a `+` and hexadecimal digits only (`v1.21.1+6438632`; k3s'
/// `+k3s1` and RKE2's `+rke2r1` are not hex). Anything else is plain Kubernetes.
pub fn kind_of(ev: &Evidence) -> ClusterKind {
    let namespace_of = |s: &Source, pointer: &str| {
        let v: Value = serde_json::from_str(s.body()?).ok()?;
        v.pointer(pointer)?.as_str().map(str::to_string)
    };
    let in_monitoring = [
        namespace_of(&ev.sources.apiservice, "/spec/service/namespace"),
        namespace_of(&ev.sources.backend_deployment, "/metadata/namespace"),
    ]
    .iter()
    .any(|ns| ns.as_deref() == Some("openshift-monitoring"));
    let openshift_build = ev
        .cluster
        .version
        .as_deref()
        .and_then(|v| v.split_once('+'))
        .is_some_and(|(_, b)| !b.is_empty() && b.bytes().all(|c| c.is_ascii_hexdigit()));
    if in_monitoring || openshift_build {
        ClusterKind::OpenShift
    } else {
        ClusterKind::Kubernetes
    }
}

/// The tools compared when none is named: the one a user of that cluster looks at.
pub fn default_for(kind: ClusterKind) -> Vec<&'static ToolQuery> {
    let specs: &[&str] = match kind {
        ClusterKind::OpenShift => &["console"],
        ClusterKind::Kubernetes => &["mixin"],
    };
    specs.iter().filter_map(|s| find(s)).collect()
}

/// The template with the tool's variables filled for one pod, as the tool fills them: the
/// values are pasted unescaped (the console and Lens build strings; Grafana interpolates a
/// single-value variable as is), so a regex matcher (`=~`) stays a regex.
pub fn fill(q: &ToolQuery, namespace: &str, pod: &str) -> String {
    fill_template(q.template, q.vars, namespace, pod)
}

/// [`fill`] for any template written with `vars`' variables.
pub fn fill_template(template: &str, vars: Vars, namespace: &str, pod: &str) -> String {
    let pairs: &[(&str, &str)] = match vars {
        Vars::ConsoleObj => &[
            ("${obj.metadata.name}", pod),
            ("${obj.metadata.namespace}", namespace),
        ],
        Vars::ConsolePod => &[
            ("${pod.metadata.name}", pod),
            ("${pod.metadata.namespace}", namespace),
            ("${namespace}", namespace),
        ],
        // `$cluster` is hidden on a single cluster: empty, which matches a missing label.
        Vars::Grafana => &[("$namespace", namespace), ("$pod", pod), ("$cluster", "")],
        Vars::Lens => &[
            ("${opts.pods}", pod),
            ("${opts.namespace}", namespace),
            ("${opts.selector}", "pod, namespace"),
        ],
    };
    pairs
        .iter()
        .fold(template.to_string(), |acc, (var, value)| {
            acc.replace(var, value)
        })
}

/// The generated part of `docs/compare.md`: one row per built-in query.
pub fn markdown_table() -> String {
    let mut out = String::from(
        "| tag | tool versions | view | query (as the tool writes it) | shown as | source |\n|---|---|---|---|---|---|\n",
    );
    for q in SETS {
        let cell = |s: &str| s.replace('|', "\\|");
        out.push_str(&format!(
            "| `{}` | {} | {} | `{}` | {} | {} |\n",
            q.tag,
            cell(q.versions),
            cell(q.view),
            cell(q.template),
            cell(q.display.describe()),
            cell(q.source)
        ));
    }
    out
}

#[cfg(test)]
mod tests;
