use super::*;
use crate::exposition::parse::parse;
use crate::lineage::model::{Layer, PromSample};

/// The CMO 4.8 memory query rendered for pod `csi/p`.
pub(in crate::lineage) const QUERY: &str = "sum(container_memory_working_set_bytes{namespace=\"csi\",pod=\"p\",container!=\"\",pod!=\"\"}) by (pod,container)";

/// A memory rule whose query ran and returned `result` (container label `container`).
pub(in crate::lineage) fn rule(rendered: &str, result: Vec<PromSample>) -> RuleView {
    RuleView {
        template: String::new(),
        container_label: "container".into(),
        rendered: rendered.into(),
        ran: Some(rendered.into()),
        result: Layer::Present { value: result },
    }
}

/// Inputs with no PodMetrics: what selection reads.
fn inputs<'a>(
    kind: BackendKind,
    rule: Option<&'a RuleView>,
    cadvisor: &'a Exposition<'a>,
    resource: &'a Exposition<'a>,
) -> Inputs<'a> {
    Inputs {
        kind,
        metrics: None,
        rule,
        cadvisor,
        resource,
    }
}

const POD_CGROUP: &str = "container_memory_working_set_bytes{container=\"\",id=\"/kubepods/podu\",namespace=\"csi\",pod=\"p\"} 300 1000";
const PAUSE: &str =
    "container_memory_working_set_bytes{container=\"POD\",namespace=\"csi\",pod=\"p\"} 100 1001";
const APP: &str =
    "container_memory_working_set_bytes{container=\"app\",namespace=\"csi\",pod=\"p\"} 2e+02 1002";
const APP_OLD: &str = "container_memory_working_set_bytes{container=\"app\",id=\"/old\",namespace=\"csi\",pod=\"p\"} 5 1003";
const OTHER_POD: &str =
    "container_memory_working_set_bytes{container=\"app\",namespace=\"csi\",pod=\"q\"} 7 1004";
const RSS: &str = "container_memory_rss{container=\"app\",namespace=\"csi\",pod=\"p\"} 9 1005";

fn body(lines: &[&str]) -> String {
    lines.join("\r\n") + "\n"
}

#[test]
fn the_query_picks_the_series_its_selector_matches_with_their_verbatim_lines() {
    let text = body(&[
        "# TYPE container_memory_working_set_bytes gauge",
        POD_CGROUP,
        PAUSE,
        APP,
        APP_OLD,
        OTHER_POD,
        RSS,
    ]);
    let (cad, res) = (parse(&text), parse(""));
    let r = rule(QUERY, vec![]);
    let sel = select(&inputs(
        BackendKind::PrometheusAdapter,
        Some(&r),
        &cad,
        &res,
    ));
    assert_eq!(sel.by_container.keys().collect::<Vec<_>>(), ["POD", "app"]);
    let app = &sel.by_container["app"];
    assert_eq!(app.series, [APP, APP_OLD]);
    assert_eq!(
        (app.sum, app.first, app.newest_ms),
        (205, Some(200), Some(1003))
    );
    assert!(!app.skipped);
    assert_eq!(sel.by_container["POD"].series, [PAUSE]);
    assert_eq!(sel.notes, Vec::<String>::new());
}

#[test]
fn by_name_only_app_containers_are_picked() {
    let text = body(&[POD_CGROUP, PAUSE, APP, RSS]);
    let (cad, res) = (parse(&text), parse(""));
    let sel = select(&inputs(BackendKind::MetricsServer, None, &cad, &res));
    assert_eq!(sel.by_container.keys().collect::<Vec<_>>(), ["app"]);
    assert_eq!(sel.by_container["app"].series, [APP]);
    let sel = select(&inputs(BackendKind::PrometheusAdapter, None, &cad, &res));
    assert_eq!(sel.by_container["app"].series, [APP]);
    assert_eq!(
        sel.notes,
        ["adapter rule unavailable: series chosen by container name only"]
    );
}

#[test]
fn a_series_that_is_no_byte_count_is_listed_but_leaves_no_sum() {
    let half =
        "container_memory_working_set_bytes{container=\"app\",namespace=\"csi\",pod=\"p\"} 0.5";
    let text = body(&[APP, half]);
    let (cad, res) = (parse(&text), parse(""));
    let r = rule(QUERY, vec![]);
    let sel = select(&inputs(
        BackendKind::PrometheusAdapter,
        Some(&r),
        &cad,
        &res,
    ));
    let app = &sel.by_container["app"];
    assert_eq!(
        app.series,
        [
            APP.to_string(),
            format!("{half}   (not a whole byte count: not summed)")
        ]
    );
    assert_eq!((app.sum, app.first, app.skipped), (200, Some(200), true));
}

#[test]
fn scrape_time_labels_are_assumed_and_said() {
    let text = body(&[APP]);
    let (cad, res) = (parse(&text), parse(""));
    let query = QUERY.replace("namespace=", "job=\"kubelet\",namespace=");
    let r = rule(&query, vec![]);
    let sel = select(&inputs(
        BackendKind::PrometheusAdapter,
        Some(&r),
        &cad,
        &res,
    ));
    assert_eq!(sel.by_container["app"].series, [APP]);
    assert_eq!(
        sel.notes,
        [
            "matcher on `job` is a label Prometheus adds at scrape time; assumed to hold for the kubelet target"
        ]
    );
}

#[test]
fn a_pa_prefixed_metric_is_read_from_metrics_resource() {
    let resource_line =
        "container_memory_working_set_bytes{container=\"app\",namespace=\"csi\",pod=\"p\"} 42 1";
    let (cad_text, res_text) = (body(&[APP]), body(&[resource_line]));
    let (cad, res) = (parse(&cad_text), parse(&res_text));
    let r = rule(&QUERY.replace("sum(container", "sum(pa_container"), vec![]);
    let sel = select(&inputs(
        BackendKind::PrometheusAdapter,
        Some(&r),
        &cad,
        &res,
    ));
    assert_eq!(sel.by_container["app"].series, [resource_line]);
    assert_eq!(sel.by_container["app"].sum, 42);
}

#[test]
fn an_unreadable_query_selects_nothing_and_says_why() {
    let text = body(&[APP]);
    let (cad, res) = (parse(&text), parse(""));
    let r = rule("sum(", vec![]);
    let sel = select(&inputs(
        BackendKind::PrometheusAdapter,
        Some(&r),
        &cad,
        &res,
    ));
    assert!(sel.by_container.is_empty());
    assert_eq!(sel.notes.len(), 1);
    assert!(
        sel.notes[0].starts_with("cannot analyse the rendered query: "),
        "{:?}",
        sel.notes
    );
}
