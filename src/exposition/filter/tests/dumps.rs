//! The filter against a full parse of every real kubelet dump of the corpus.

use std::collections::BTreeSet;

use super::*;
use crate::exposition::parse::{Exposition, Sample, parse};

const DUMPS: [&str; 6] = [
    "datadog-integrations-core-gke-cos-docker17-cgv1.prom",
    "google-cadvisor-testdata-prometheus_metrics-SYNTHETIC.prom",
    "nri-k8s-1.15-minikube-kic-docker-cgv1.prom",
    "nri-k8s-1.16-minikube-docker-cgv1.prom",
    "nri-k8s-1.24-minikube-containerd-cgv2.prom",
    "nri-k8s-1.35-minikube-containerd2-cgv2.prom",
];

use crate::exposition::tests::cadvisor_dump as fixture;

/// The predicate, written against the owned [`Sample`] of a full parse.
fn keeps(s: &Sample, sel: &PodSelector) -> bool {
    let pod = Some(sel.pod.as_str());
    let by_labels = s.label("namespace") == Some(&sel.namespace)
        && (s.label("pod") == pod || s.label("pod_name") == pod);
    let uid = sel.uid.as_deref().unwrap_or("");
    by_labels || s.label("id").is_some_and(|id| cgroup_path_has_pod(id, uid))
}

/// Expected output from a full parse: kept samples, each family's HELP and TYPE line
/// (as written in `text`) before its first kept sample. Valid for kubelet dumps, whose
/// families are contiguous and whose sample names equal their family names.
fn oracle(text: &str, e: &Exposition, sel: &PodSelector) -> (Vec<u8>, usize) {
    let lines: Vec<&str> = text.split('\n').collect();
    let meta_line = |kind: &str, name: &str| {
        let prefix = format!("# {kind} {name} ");
        lines
            .iter()
            .find(|l| l.starts_with(&prefix))
            .map(|l| format!("{l}\n"))
            .unwrap_or_default()
    };
    let (mut out, mut kept, mut seen) = (String::new(), 0, BTreeSet::new());
    for s in e.samples.iter().filter(|s| keeps(s, sel)) {
        if seen.insert(s.name.clone()) {
            out += &meta_line("HELP", &s.name);
            out += &meta_line("TYPE", &s.name);
        }
        out += lines[s.line - 1];
        out += "\n";
        kept += 1;
    }
    (out.into_bytes(), kept)
}

fn pods_in(e: &Exposition) -> BTreeSet<(String, String)> {
    let pod_of = |s: &Sample| {
        s.label("pod")
            .or(s.label("pod_name"))
            .unwrap_or("")
            .to_owned()
    };
    e.samples
        .iter()
        .map(|s| (s.label_or_empty("namespace").to_owned(), pod_of(s)))
        .filter(|(ns, pod)| !ns.is_empty() && !pod.is_empty())
        .collect()
}

#[test]
fn every_pod_of_every_dump_matches_a_full_parse() {
    let mut pods_checked = 0;
    for name in DUMPS {
        let text = fixture(name);
        let e = parse(&text);
        for (namespace, pod) in pods_in(&e) {
            let sel = PodSelector::new(namespace, pod);
            let (expected, kept) = oracle(&text, &e, &sel);
            let mut filter = PodLineFilter::new(sel.clone());
            let mut out = Vec::new();
            filter.push(text.as_bytes(), &mut out);
            filter.finish(&mut out);
            assert_eq!(
                String::from_utf8(out).unwrap(),
                String::from_utf8(expected).unwrap(),
                "{name} {sel:?}"
            );
            let stats = filter.stats();
            assert!(kept > 0, "{name} {sel:?}");
            assert_eq!(stats.lines_kept, kept as u64);
            assert_eq!(stats.lines_in, text.matches('\n').count() as u64);
            assert_eq!(stats.bytes_in, text.len() as u64);
            pods_checked += 1;
        }
    }
    assert_eq!(pods_checked, 5 + 15 + 16 + 21 + 18);
}

#[test]
fn chunk_boundaries_do_not_change_the_output() {
    for name in DUMPS {
        let text = fixture(name);
        let pods = pods_in(&parse(&text));
        let picks = [pods.first(), pods.last()];
        for (i, (namespace, pod)) in picks.into_iter().flatten().enumerate() {
            let sel = PodSelector::new(namespace.as_str(), pod.as_str());
            assert_chunking_invariant(text.as_bytes(), &sel, i == 0);
        }
        let none = PodSelector::new("kube-system", "no-such-pod");
        assert_eq!(filter_all(text.as_bytes(), &none), b"");
    }
}

fn uid_of(e: &Exposition, pod: &str) -> String {
    let s = e.samples.iter().find(|s| {
        s.label("pod_name") == Some(pod) && !s.label_or_empty("container_name").is_empty()
    });
    let id = s.unwrap().label("id").unwrap();
    id.split('/')
        .find_map(|part| part.strip_prefix("pod"))
        .unwrap()
        .to_owned()
}

#[test]
fn uid_brings_in_unlabelled_pod_cgroup_rows_datadog() {
    let text = fixture("datadog-integrations-core-gke-cos-docker17-cgv1.prom");
    let e = parse(&text);
    let uid = uid_of(&e, "dd-agent-q6hpw");
    assert_eq!(uid, "d2e71e36-10d0-11e8-bd5a-42010af00137");
    let by_name = PodSelector::new("default", "dd-agent-q6hpw");
    let by_uid = by_name.clone().with_uid(uid.as_str());
    assert_eq!(
        filter_all(text.as_bytes(), &by_name),
        oracle(&text, &e, &by_name).0
    );
    let out = filter_all(text.as_bytes(), &by_uid);
    assert_eq!(out, oracle(&text, &e, &by_uid).0);
    let kept = parse(std::str::from_utf8(&out).unwrap());
    assert_eq!(kept.samples.len(), 166);
    let pod_rows: Vec<&Sample> = kept
        .samples
        .iter()
        .filter(|s| s.label("pod_name") == Some(""))
        .collect();
    assert_eq!(pod_rows.len(), 45);
    let ws = pod_rows
        .iter()
        .find(|s| s.name == "container_memory_working_set_bytes")
        .unwrap();
    assert_eq!(ws.value, 214_343_680.0);
    assert_chunking_invariant(text.as_bytes(), &by_uid, true);
}

#[test]
fn uid_matches_systemd_slices_nri_1_16() {
    let text = fixture("nri-k8s-1.16-minikube-docker-cgv1.prom");
    let e = parse(&text);
    let cases = [
        (
            "scraper",
            "e2e-container-creating",
            "5bac24b4-b0fd-47ca-881c-3578da4768be",
            37,
        ),
        (
            "kube-system",
            "metrics-server-6b79b4d69b-x2ps9",
            "33e6ecb0-7ad0-4b91-99a7-1851068cfd35",
            145,
        ),
    ];
    for (namespace, pod, uid, count) in cases {
        let only_uid = PodSelector::new("nope", "nope").with_uid(uid);
        let out = filter_all(text.as_bytes(), &only_uid);
        let by_name = filter_all(text.as_bytes(), &PodSelector::new(namespace, pod));
        assert_eq!(
            out, by_name,
            "{pod}: the uid finds exactly the labelled rows"
        );
        assert_eq!(out, oracle(&text, &e, &only_uid).0);
        assert_eq!(
            parse(std::str::from_utf8(&out).unwrap()).samples.len(),
            count
        );
        assert_chunking_invariant(text.as_bytes(), &only_uid, false);
    }
}
