//! Issue 12 wired: `ev.compare` on the seed and kic bundles (edited in memory) becomes
//! `report.compare`, one headline line per compared entry and the "Compared with other
//! tools" section. Bytes are the fixtures' own (fixtures/README.md: the seed's cgroup table,
//! kic's "Verify"): seed pod cgroup 89133056, POD 180224, centos-tools 88784896; kic pod
//! cgroup 14086144, coredns 14454784 + 13684736 (one cgroup, two series), pause 389120 ×2.

use serde_json::{Value, json};

use super::*;

const KIC: &str = "kic-duplicate-cgroups.json";
const KIC_POD: &str = "kube-system/coredns-5c98db65d4-m76hk";
const TOOLS: [&str; 3] = ["console@4.8", "lens@6", "mixin"];
const POD_SUM: &str =
    r#"query:sum(container_memory_working_set_bytes{namespace="csi",pod="blockvol-fs-1"})"#;

/// Sets the bundle's `compare` list.
fn asking(v: &mut Value, entries: &[&str]) {
    v["compare"] = entries.iter().map(|e| json!(e)).collect();
}

/// Stores Prometheus's answer to compared entry `asked`: one sample per value.
fn store_answer(v: &mut Value, asked: &str, values: &[&str]) {
    let result: Vec<Value> = values
        .iter()
        .map(|x| json!({"metric": {"pod": "blockvol-fs-1"}, "value": [1636128362, x]}))
        .collect();
    let body = json!({"status": "success", "data": {"resultType": "vector", "result": result}});
    let q = json!({
        "purpose": format!("compare:{asked}"),
        "query": "as filled",
        "time": "1636128362",
        "source": {
            "request": "/api/v1/query?query=as%20filled&time=1636128362",
            "fetched_at": "2021-11-05T16:06:03Z",
            "outcome": {"status": "ok", "http_status": 200, "body": body.to_string()}
        }
    });
    v["sources"]["prometheus"].as_array_mut().unwrap().push(q);
}

fn seed_with(entries: &[&str]) -> (i32, String, Value) {
    run_modified(|v| asking(v, entries))
}

fn kic_with(entries: &[&str]) -> (i32, String, Value) {
    run_edited(KIC, KIC_POD, |v| asking(v, entries))
}

/// The `compare` headline lines.
fn headlines(v: &Value) -> Vec<String> {
    v["summary"]["lines"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|l| l["kind"] == "compare")
        .map(|l| {
            format!(
                "{} {}",
                l["tone"].as_str().unwrap(),
                l["text"].as_str().unwrap()
            )
        })
        .collect()
}

/// (asked, resolved tag, shown, tool bytes, top bytes) per compared entry.
fn values(v: &Value) -> Vec<(String, Value, Value, i64, i64)> {
    v["compare"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            let e = &c["explanation"];
            (
                c["asked"].as_str().unwrap().to_string(),
                c["tool"].clone(),
                c["shown"].clone(),
                e["tool"]["bytes"].as_i64().unwrap(),
                e["top"]["bytes"].as_i64().unwrap(),
            )
        })
        .collect()
}

#[test]
fn seed_headline_has_one_line_per_tool() {
    let (code, _, v) = seed_with(&TOOLS);
    assert_eq!(code, 0, "comparing changes no verdict");
    assert_eq!(
        headlines(&v),
        [
            "neutral console@4.8 shows 85 MiB = 1.002× top: it counts the pod cgroup (89133056 B), which already holds every container, instead of top's 2 series (88965120 B)",
            "neutral lens@6 shows 169.8MiB = 2.002× top: it also counts the pod cgroup (89133056 B), which already holds every container; top sums 2 series (88965120 B)",
            "neutral mixin shows 88965120 B (84.8Mi) = 1.000× top: the same series as top, to the byte: 2 series (88965120 B)",
        ]
    );
}

#[test]
fn seed_json_holds_each_tools_number_and_terms() {
    let (_, _, v) = seed_with(&TOOLS);
    let s = |x: &str| json!(x);
    assert_eq!(
        values(&v),
        [
            (
                "console@4.8".into(),
                s("console@4.3"),
                s("85 MiB"),
                89133056,
                88965120
            ),
            (
                "lens@6".into(),
                s("lens@6"),
                s("169.8MiB"),
                178098176,
                88965120
            ),
            (
                "mixin".into(),
                s("mixin@1.4"),
                s("88965120 B"),
                88965120,
                88965120
            ),
        ]
    );
    let c = &v["compare"][1];
    assert_eq!(
        c["query"],
        r#"sum(container_memory_working_set_bytes{pod=~"blockvol-fs-1", namespace="csi"}) by (pod, namespace)"#
    );
    let terms = c["explanation"]["terms"].as_array().unwrap();
    assert_eq!(terms.len(), 1);
    assert_eq!(terms[0]["kind"], "pod_cgroup");
    assert_eq!(terms[0]["bytes"], 89133056);
    assert_eq!(terms[0]["extra"][0]["role"], "pod cgroup");
    assert_eq!(c["ratio"].as_f64().unwrap(), 178098176.0 / 88965120.0);
    for c in v["compare"].as_array().unwrap() {
        assert!(c["unsupported"].is_null() && c["prometheus_value"].is_null());
        assert!(c["prometheus_agrees"].is_null());
    }
}

#[test]
fn kic_tools_see_the_double_count_differently() {
    let (code, _, v) = kic_with(&TOOLS);
    assert_eq!(code, 5);
    let got: Vec<(String, i64)> = values(&v).into_iter().map(|r| (r.0, r.3)).collect();
    assert_eq!(
        got,
        [
            ("console@4.8".into(), 14086144),
            ("lens@6".into(), 43003904),
            // mixin@1.4's max by keeps one coredns series (14454784) and counts pause 389120.
            ("mixin".into(), 14843904),
        ]
    );
    assert_eq!(v["compare"][0]["shown"], "13.43 MiB");
    assert_eq!(v["compare"][1]["shown"], "41.0MiB");
    let h = headlines(&v);
    assert!(
        h[1].contains("the pause container, 2 series (778240 B)"),
        "{h:?}"
    );
    assert!(
        h[2].contains("it leaves out container `coredns` (13684736 B, dropped by its max by)"),
        "{h:?}"
    );
}

#[test]
fn text_shows_each_difference_adding_up_to_the_byte() {
    let (_, text, _) = seed_with(&TOOLS);
    for line in [
        "  console@4.8 → console@4.3 (Pod → Metrics \"Memory usage\")",
        "    shows 85 MiB = 89133056 B, 1.002× top (88965120 B)",
        "    +89133056 B  pod cgroup (container=\"\") counted: 89133056 B, which already holds every container of the pod (pause included) plus pod-level charges",
        "    -180224 B  pause (POD) `POD` (180224 B) is counted by top but not selected by the tool",
        "    tool − top: 89133056 − 88965120 = 167936 B = Σ extra 89133056 − Σ missing 88965120",
        "    tool − top: 178098176 − 88965120 = 89133056 B = Σ extra 89133056 − Σ missing 0",
        "    tool − top: 88965120 − 88965120 = 0 B = Σ extra 0 − Σ missing 0",
    ] {
        assert!(
            text.lines().any(|l| l == line),
            "no line {line:?} in\n{text}"
        );
    }
    let (_, text, _) = kic_with(&TOOLS);
    for line in [
        "    tool − top: 14086144 − 28139520 = -14053376 B = Σ extra 14086144 − Σ missing 28139520",
        "    tool − top: 43003904 − 28139520 = 14864384 B = Σ extra 14864384 − Σ missing 0",
        "    tool − top: 14843904 − 28139520 = -13295616 B = Σ extra 389120 − Σ missing 13684736",
    ] {
        assert!(
            text.lines().any(|l| l == line),
            "no line {line:?} in\n{text}"
        );
    }
    // The section follows the lineage and comes before the findings.
    let at = |s: &str| text.find(s).unwrap();
    assert!(at("Lineage (CPU") < at("Compared with other tools"));
    assert!(at("Compared with other tools") < at("Findings (worst first)"));
}

#[test]
fn a_users_pod_sum_is_explained_as_2x() {
    let (_, _, v) = seed_with(&[POD_SUM]);
    let c = &v["compare"][0];
    assert!(c["tool"].is_null());
    assert_eq!(
        c["query"],
        r#"sum(container_memory_working_set_bytes{namespace="csi",pod="blockvol-fs-1"})"#
    );
    // Pod cgroup + containers: 89133056 + 180224 + 88784896.
    assert_eq!(c["explanation"]["tool"]["bytes"], 178098176);
    assert_eq!(c["explanation"]["terms"][0]["kind"], "pod_cgroup");
    assert_eq!(c["explanation"]["terms"].as_array().unwrap().len(), 1);
    assert_eq!(format!("{:.3}", c["ratio"].as_f64().unwrap()), "2.002");
    assert_eq!(
        headlines(&v),
        [
            "neutral your query shows 178098176 B (169.8Mi) = 2.002× top: it also counts the pod cgroup (89133056 B), which already holds every container; top sums 2 series (88965120 B)"
        ]
    );
}

#[test]
fn a_stored_prometheus_answer_is_checked_against_the_explanation() {
    let (code, text, v) = run_modified(|v| {
        asking(v, &["console@4.8", "lens@6", "mixin"]);
        store_answer(v, "console@4.8", &["89133056"]);
        store_answer(v, "lens@6", &["178102272"]);
        // mixin's by (container): one sample per container, summed.
        store_answer(v, "mixin", &["180224", "88784896"]);
    });
    assert_eq!(code, 0);
    let c = &v["compare"];
    assert_eq!(c[0]["prometheus_value"], "89133056");
    assert_eq!(c[0]["prometheus_agrees"], true);
    assert_eq!(c[1]["prometheus_value"], "178102272");
    assert_eq!(c[1]["prometheus_agrees"], false);
    assert_eq!(c[2]["prometheus_value"], "88965120");
    assert_eq!(c[2]["prometheus_agrees"], true);
    assert_eq!(c[2]["prometheus_note"], "Σ of 2 series: 180224 + 88784896");
    let h = headlines(&v);
    assert!(h[0].ends_with("(= Prometheus's answer)"), "{h:?}");
    assert!(
        h[1].starts_with("warn ")
            && h[1].ends_with("— but Prometheus answered 178102272, not 178098176 B"),
        "{h:?}"
    );
    assert!(
        text.contains("    Prometheus: 178102272 (≠ the tool value 178098176 B)"),
        "{text}"
    );
}

#[test]
fn an_unknown_tool_or_an_unexplained_query_says_why() {
    let cpu = "query:sum(rate(container_cpu_usage_seconds_total[5m]))";
    let (code, _, v) = seed_with(&["grafana@1", cpu]);
    assert_eq!(code, 0);
    assert_eq!(
        v["compare"][0]["unsupported"],
        "no built-in query set `grafana@1` (see docs/compare.md)"
    );
    assert!(v["compare"][0]["explanation"].is_null());
    let h = headlines(&v);
    assert_eq!(
        h[0],
        "warn grafana@1: not explained: no built-in query set `grafana@1` (see docs/compare.md)"
    );
    assert!(
        h[1].starts_with("warn your query: not explained: "),
        "{h:?}"
    );
    assert!(h[1].contains("range or function"), "{h:?}");
}

#[test]
fn without_compare_the_report_is_unchanged() {
    let (_, text, v) = run_modified(|_| {});
    assert_eq!(v["compare"], json!([]));
    assert!(headlines(&v).is_empty());
    assert!(!text.contains("Compared with other tools"));
}

#[test]
fn markdown_has_the_table_and_the_check() {
    let mut b = fixtures::bundle(SEED);
    asking(&mut b, &TOOLS);
    let ev = read_bundle(b.to_string().as_bytes()).unwrap();
    let l = lineage::analyze(&ev);
    let mut md = Vec::new();
    render::render(&l, Format::Markdown, TextOptions::default(), &mut md).unwrap();
    let md = String::from_utf8(md).unwrap();
    assert!(md.contains("## Compared with other tools (memory)"), "{md}");
    assert!(
        md.contains("| `lens@6` | `lens@6` | 169.8MiB | 178098176 | 2.002× |"),
        "{md}"
    );
    assert!(
        md.contains("- check: `tool − top: 89133056 − 88965120 = 167936 B = Σ extra 89133056 − Σ missing 88965120`"),
        "{md}"
    );
    assert!(
        md.contains("- **compare**: console@4.8 shows 85 MiB"),
        "{md}"
    );
}

/// The README's "Comparing with dashboards" excerpt: every line it shows (`…` stands for
/// lines left out) is a line of what the README's command prints, in order, at the default
/// width of 100 columns.
#[test]
fn the_readme_comparison_excerpt_is_the_real_output() {
    let readme =
        std::fs::read_to_string(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md"))
            .unwrap();
    let marker = "$ ktrace pod csi/blockvol-fs-1 --from fixtures/bundles/seed-ocp48-crio-cgv1.json --compare console@4.8,lens@6,mixin\n";
    let start = readme.find(marker).expect("README comparison example") + marker.len();
    let shown = &readme[start..start + readme[start..].find("```").unwrap()];
    // The command itself, as a reader would run it (not piped to a terminal: 100 columns).
    let seed = fixtures::bundle_path(SEED);
    let (code, out, err) = crate::support::ktrace(
        &[
            "pod",
            "csi/blockvol-fs-1",
            "--from",
            seed.to_str().unwrap(),
            "--compare",
            "console@4.8,lens@6,mixin",
            "--color",
            "never",
        ],
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")),
    );
    assert_eq!(code, 0, "{err}");
    let mut lines = out.lines();
    let mut count = 0;
    for want in shown.lines().filter(|l| l.trim() != "…") {
        assert!(
            lines.any(|l| l == want),
            "README line {want:?} is not (in order) in the output:\n{out}"
        );
        count += 1;
    }
    assert!(count >= 10, "the excerpt shows {count} lines");
}
