use super::*;
use crate::evidence::read_bundle;

const SEED: &str = include_str!("../../../fixtures/bundles/seed-ocp48-crio-cgv1.json");

fn seed_asking(entries: &[&str]) -> Lineage {
    let mut ev = read_bundle(SEED.as_bytes()).unwrap();
    ev.compare = entries.iter().map(|e| e.to_string()).collect();
    crate::lineage::analyze(&ev)
}

#[test]
fn a_query_entry_is_taken_as_given_and_named_your_query() {
    let l = seed_asking(&[
        r#"query:sum(container_memory_working_set_bytes{pod="blockvol-fs-1",container=""})"#,
    ]);
    let v = &l.compare[0];
    assert_eq!(v.tool, None);
    assert_eq!(
        v.query,
        r#"sum(container_memory_working_set_bytes{pod="blockvol-fs-1",container=""})"#
    );
    assert_eq!(v.shown.as_deref(), Some("89133056 B"));
    assert_eq!(name(v), "your query");
    assert_eq!(
        v.identity().unwrap(),
        "tool − top: 89133056 − 88965120 = 167936 B = Σ extra 89133056 − Σ missing 88965120"
    );
}

#[test]
fn no_answer_in_the_evidence_is_said_so() {
    let l = seed_asking(&["console@4.8"]);
    let v = &l.compare[0];
    assert_eq!(v.prometheus_value, None);
    assert_eq!(v.prometheus_agrees, None);
    assert_eq!(
        v.prometheus_text(),
        "not asked of Prometheus (no Prometheus answer in the evidence)"
    );
    assert_eq!(v.ratio_text().as_deref(), Some("1.002×"));
}
