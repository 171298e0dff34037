use super::*;

#[test]
fn find_resolves_a_version_inside_an_entrys_range() {
    assert_eq!(find("console@4.8").unwrap().tag, "console@4.3");
    assert_eq!(find("console@4.2").unwrap().tag, "console@4.2");
    assert_eq!(find("console@5.0").unwrap().tag, "console@4.3");
    assert_eq!(find("console").unwrap().tag, "console@4.3");
    assert_eq!(find("mixin").unwrap().tag, "mixin@1.4");
    assert_eq!(find("mixin@1.3").unwrap().tag, "mixin@0.12");
    assert_eq!(find("lens@6.5").unwrap().tag, "lens@6");
    assert_eq!(find("lens@5").unwrap().tag, "lens@5");
    assert!(find("console@4.1").is_none());
    assert!(find("console@x").is_none());
    assert!(find("grafana").is_none());
}

#[test]
fn tags_are_unique_and_name_their_tool() {
    for (i, q) in sets().iter().enumerate() {
        assert!(q.tag.starts_with(&format!("{}@", q.tool)), "{}", q.tag);
        assert!(sets()[..i].iter().all(|o| o.tag != q.tag), "{}", q.tag);
        assert_eq!(find(q.tag).map(|f| f.tag), Some(q.tag));
    }
}

#[test]
fn default_set_follows_the_cluster() {
    let tags = |k| default_for(k).iter().map(|q| q.tag).collect::<Vec<_>>();
    assert_eq!(tags(ClusterKind::OpenShift), ["console@4.3"]);
    assert_eq!(tags(ClusterKind::Kubernetes), ["mixin@1.4"]);
}

#[test]
fn fill_pastes_values_as_each_tool_does() {
    let q = |s| find(s).unwrap();
    assert_eq!(
        fill(q("console@4.8"), "csi", "blockvol-fs-1"),
        "sum(container_memory_working_set_bytes{pod='blockvol-fs-1',namespace='csi',container='',}) BY (pod, namespace)"
    );
    assert_eq!(
        fill(q("lens@6"), "csi", "blockvol-fs-1"),
        r#"sum(container_memory_working_set_bytes{pod=~"blockvol-fs-1", namespace="csi"}) by (pod, namespace)"#
    );
    assert_eq!(
        fill(q("mixin"), "csi", "blockvol-fs-1"),
        r#"sum(max by (cluster, namespace, pod, container)(container_memory_working_set_bytes{job="kubelet", metrics_path="/metrics/cadvisor", cluster="", namespace="csi", pod="blockvol-fs-1", container!="", image!=""})) by (container)"#
    );
    assert_eq!(
        fill(q("console-list"), "csi", "x"),
        "sum(container_memory_working_set_bytes{namespace='csi',container=''}) BY (pod, namespace)"
    );
    // A user's own Grafana query.
    assert_eq!(
        fill_template(
            r#"m{namespace="$namespace",pod=~"$pod.*"}"#,
            Vars::Grafana,
            "a",
            "b"
        ),
        r#"m{namespace="a",pod=~"b.*"}"#
    );
}

#[test]
fn every_template_is_filled_completely() {
    for q in sets() {
        let filled = fill(q, "ns", "pod");
        assert!(!filled.contains('$'), "{}: {filled}", q.tag);
        assert!(
            crate::promql::selector::analyze_query(&filled).is_ok(),
            "{}",
            q.tag
        );
    }
}

#[test]
fn the_docs_list_every_built_in_query() {
    let doc = include_str!("../../../docs/compare.md");
    let table = markdown_table();
    assert!(
        doc.contains(&table),
        "docs/compare.md is out of date; its table must read:\n{table}"
    );
    assert_eq!(table.lines().count(), SETS.len() + 2);
}

const SEED: &str = include_str!("../../../fixtures/bundles/seed-ocp48-crio-cgv1.json");

/// The seed bundle with its OpenShift traits removed (a `kind: Kubernetes` baseline).
fn plain_kubernetes() -> Evidence {
    let mut ev = crate::evidence::read_bundle(SEED.as_bytes()).unwrap();
    ev.cluster.version = Some("v1.21.1".into());
    let rename = |s: &mut Source| {
        if let crate::evidence::Outcome::Ok { body, .. } = &mut s.outcome {
            *body = body.replace("openshift-monitoring", "monitoring");
        }
    };
    rename(&mut ev.sources.apiservice);
    rename(&mut ev.sources.backend_deployment);
    ev
}

#[test]
fn kind_of_reads_the_backend_namespace_and_the_server_build_suffix() {
    let seed = crate::evidence::read_bundle(SEED.as_bytes()).unwrap();
    assert_eq!(kind_of(&seed), ClusterKind::OpenShift);
    assert_eq!(kind_of(&plain_kubernetes()), ClusterKind::Kubernetes);

    let version = |v: &str| {
        let mut ev = plain_kubernetes();
        ev.cluster.version = Some(v.into());
        kind_of(&ev)
    };
    assert_eq!(version("v1.21.1+6438632"), ClusterKind::OpenShift);
    assert_eq!(version("v1.27.4+k3s1"), ClusterKind::Kubernetes);
    assert_eq!(version("v1.28.3+rke2r1"), ClusterKind::Kubernetes);
    assert_eq!(version("v1.27.3-gke.100"), ClusterKind::Kubernetes);
    assert_eq!(version("v1.21.1+"), ClusterKind::Kubernetes);

    // The backend namespace alone is enough (a Deployment found, an APIService not).
    let mut ev = plain_kubernetes();
    ev.sources.apiservice = Source::default();
    if let crate::evidence::Outcome::Ok { body, .. } = &mut ev.sources.backend_deployment.outcome {
        *body = body.replacen(
            "\"namespace\":\"monitoring\"",
            "\"namespace\":\"openshift-monitoring\"",
            1,
        );
    }
    assert_eq!(kind_of(&ev), ClusterKind::OpenShift);
    assert_eq!(default_for(kind_of(&ev))[0].tag, "console@4.3");
}
