//! Issue 12's pure core on the fixture bundles: each built-in tool query filled for the pod,
//! evaluated over the kubelet's cAdvisor lines, and explained against `top` to the byte.
//! Numbers are the fixtures' own (fixtures/README.md: seed cgroup table, kic "Verify").

use ktrace::compare::{self, Explanation, Role, TermKind};
use ktrace::evidence::{Evidence, read_bundle};
use ktrace::lineage::CgroupRole;

use crate::support::fixtures::{self, SEED};

const KIC: &str = "kic-duplicate-cgroups.json";

fn evidence(name: &str) -> Evidence {
    read_bundle(fixtures::bundle_text(name).as_bytes()).expect("a pod bundle")
}

/// The tool's query filled for the bundle's pod and explained.
fn explain_tool(bundle: &str, spec: &str) -> (String, Explanation) {
    let ev = evidence(bundle);
    let q = compare::find(spec).unwrap_or_else(|| panic!("no query set {spec}"));
    let filled = compare::fill(q, &ev.target.namespace, &ev.target.name);
    let ex = compare::explain(&filled, &ev).unwrap_or_else(|e| panic!("{spec}: {e}"));
    (q.display.show(ex.tool.bytes), ex)
}

/// (kind, Σ extra bytes, Σ missing bytes) per term, in order.
fn terms(ex: &Explanation) -> Vec<(TermKind, i128, i128)> {
    ex.terms
        .iter()
        .map(|t| {
            let sum = |v: &[compare::Listed]| v.iter().map(|s| s.bytes).sum::<i128>();
            (t.kind, sum(&t.extra), sum(&t.missing))
        })
        .collect()
}

/// tool − top = Σ extra − Σ missing, and Σ of the terms, to the byte.
fn assert_identity(ex: &Explanation) {
    let diff = ex.tool.bytes - ex.top.bytes;
    assert_eq!(ex.extra_bytes() - ex.missing_bytes(), diff);
    assert_eq!(ex.terms.iter().map(|t| t.bytes).sum::<i128>(), diff);
}

fn ratio(ex: &Explanation) -> String {
    format!("{:.6}", ex.ratio().expect("top is not 0"))
}

/// The selected series as (role, bytes, counted), in kubelet order.
fn listed(ex: &Explanation) -> Vec<(Role, i128, bool)> {
    ex.tool
        .series
        .iter()
        .map(|s| (s.role, s.bytes, s.counted))
        .collect()
}

const POD_CG: Role = Role::Cgroup(CgroupRole::PodCgroup);
const PAUSE: Role = Role::Cgroup(CgroupRole::Pause);
const APP: Role = Role::Cgroup(CgroupRole::App);

#[test]
fn seed_top_is_the_adapter_rule_over_the_kubelet_lines() {
    let (_, ex) = explain_tool(SEED, "mixin");
    // POD 180224 + centos-tools 88784896, = the Metrics API pod sum.
    assert_eq!(ex.top.bytes, 88_965_120);
    assert_eq!(ex.metrics_api_bytes, Some(88_965_120));
    assert!(
        ex.top.query.contains(r#"container!="",pod!="""#),
        "{}",
        ex.top.query
    );
}

#[test]
fn seed_console_reads_the_pod_cgroup() {
    let (shown, ex) = explain_tool(SEED, "console@4.8");
    assert_eq!((ex.tool.bytes, shown.as_str()), (89_133_056, "85 MiB"));
    assert_eq!(listed(&ex), [(POD_CG, 89_133_056, true)]);
    assert_eq!(
        terms(&ex),
        [
            (TermKind::PodCgroup, 89_133_056, 0),
            (TermKind::NotSelected, 0, 180_224),
            (TermKind::NotSelected, 0, 88_784_896)
        ]
    );
    // 89133056 − 88965120 = 167936 B: the pod cgroup's own 41 pages.
    assert_eq!(ex.tool.bytes - ex.top.bytes, 167_936);
    assert_eq!(ratio(&ex), "1.001888");
    assert_identity(&ex);
}

#[test]
fn seed_lens_6_counts_pod_cgroup_and_containers() {
    let (shown, ex) = explain_tool(SEED, "lens@6");
    assert_eq!((ex.tool.bytes, shown.as_str()), (178_098_176, "169.8MiB"));
    assert_eq!(terms(&ex), [(TermKind::PodCgroup, 89_133_056, 0)]);
    assert_eq!(ratio(&ex), "2.001888");
    assert_identity(&ex);
}

#[test]
fn seed_mixin_equals_top() {
    let (shown, ex) = explain_tool(SEED, "mixin");
    assert_eq!((ex.tool.bytes, shown.as_str()), (88_965_120, "88965120 B"));
    assert!(ex.terms.is_empty(), "{:?}", ex.terms);
    let rows: Vec<_> = ex
        .tool
        .rows
        .iter()
        .map(|(l, b)| (l[0].1.as_str(), *b))
        .collect();
    assert_eq!(rows, [("POD", 180_224), ("centos-tools", 88_784_896)]);
    // job and metrics_path are scrape-time labels: assumed, and said so.
    assert_eq!(ex.notes.len(), 2, "{:?}", ex.notes);
    assert!(ex.notes[0].contains(r#"job="kubelet""#), "{:?}", ex.notes);
    assert_identity(&ex);
}

#[test]
fn seed_issue_user_query_is_pod_cgroup_plus_containers() {
    let ev = evidence(SEED);
    let q = r#"sum(container_memory_working_set_bytes{namespace="csi",pod="blockvol-fs-1"})"#;
    let ex = compare::explain(q, &ev).unwrap();
    assert_eq!(
        listed(&ex),
        [
            (POD_CG, 89_133_056, true),
            (PAUSE, 180_224, true),
            (APP, 88_784_896, true)
        ]
    );
    assert_eq!(ex.tool.bytes, 178_098_176);
    assert_eq!(terms(&ex), [(TermKind::PodCgroup, 89_133_056, 0)]);
    assert_eq!(ratio(&ex), "2.001888");
    assert_eq!(ex.notes.len(), 1, "{:?}", ex.notes);
    assert!(ex.notes[0].contains("/metrics/resource"), "{:?}", ex.notes);
    assert_identity(&ex);
}

#[test]
fn kic_console_pod_cgroup_against_two_cgroup_views() {
    let (shown, ex) = explain_tool(KIC, "console@4.8");
    assert_eq!(ex.top.bytes, 28_139_520);
    assert_eq!(ex.metrics_api_bytes, Some(28_139_520));
    assert_eq!((ex.tool.bytes, shown.as_str()), (14_086_144, "13.43 MiB"));
    assert_eq!(
        terms(&ex),
        [
            (TermKind::PodCgroup, 14_086_144, 0),
            (TermKind::NotSelected, 0, 14_454_784),
            (TermKind::NotSelected, 0, 13_684_736)
        ]
    );
    assert_eq!(ratio(&ex), "0.500582");
    assert_identity(&ex);
}

#[test]
fn kic_lens_6_adds_pod_cgroup_and_both_pause_rows() {
    let (shown, ex) = explain_tool(KIC, "lens@6");
    assert_eq!((ex.tool.bytes, shown.as_str()), (43_003_904, "41.0MiB"));
    assert_eq!(
        terms(&ex),
        [
            (TermKind::PodCgroup, 14_086_144, 0),
            (TermKind::Pause, 389_120, 0),
            (TermKind::Pause, 389_120, 0)
        ]
    );
    assert_eq!(ratio(&ex), "1.528239");
    assert_identity(&ex);
}

#[test]
fn kic_lens_5_adds_the_pause_rows_only() {
    let (shown, ex) = explain_tool(KIC, "lens@5");
    assert_eq!((ex.tool.bytes, shown.as_str()), (28_917_760, "27.6MiB"));
    let kinds: Vec<_> = terms(&ex);
    assert_eq!(
        kinds,
        [(TermKind::Pause, 389_120, 0), (TermKind::Pause, 389_120, 0)]
    );
    assert_identity(&ex);
}

#[test]
fn kic_mixin_max_by_keeps_one_series_per_container() {
    let (shown, ex) = explain_tool(KIC, "mixin@1.4");
    // max(14454784, 13684736) + max(389120, 389120).
    assert_eq!((ex.tool.bytes, shown.as_str()), (14_843_904, "14843904 B"));
    let mut rows: Vec<_> = ex
        .tool
        .rows
        .iter()
        .map(|(l, b)| (l[0].1.clone(), *b))
        .collect();
    rows.sort();
    assert_eq!(
        rows,
        [
            ("POD".to_string(), 389_120),
            ("coredns".to_string(), 14_454_784)
        ]
    );
    assert_eq!(
        terms(&ex),
        [
            (TermKind::Pause, 389_120, 0),
            (TermKind::DroppedByMax, 0, 13_684_736)
        ]
    );
    // Four series selected, two dropped by max (one POD, the smaller coredns).
    let dropped: Vec<_> = ex
        .tool
        .series
        .iter()
        .filter(|s| !s.counted)
        .map(|s| s.bytes)
        .collect();
    assert_eq!(dropped, [389_120, 13_684_736]);
    assert_identity(&ex);
}

#[test]
fn kic_mixin_before_max_by_sums_both_views() {
    let (_, ex) = explain_tool(KIC, "mixin@0.12");
    assert_eq!(ex.tool.bytes, 28_917_760);
    assert_eq!(
        terms(&ex),
        [(TermKind::Pause, 389_120, 0), (TermKind::Pause, 389_120, 0)]
    );
    assert_identity(&ex);
}
