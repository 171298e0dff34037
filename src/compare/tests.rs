use super::*;

const SEED: &str = include_str!("../../fixtures/bundles/seed-ocp48-crio-cgv1.json");

fn seed() -> Evidence {
    crate::evidence::read_bundle(SEED.as_bytes()).unwrap()
}

#[test]
fn usage_instead_of_working_set_is_one_term_per_cgroup() {
    // usage 130928640 − working set 88784896 = 42143744 B (fixtures/README.md seed table).
    let q = r#"sum(container_memory_usage_bytes{namespace="csi",pod="blockvol-fs-1",container="centos-tools"})"#;
    let ex = explain(q, &seed()).unwrap();
    assert_eq!(ex.tool.bytes, 130_928_640);
    assert_eq!(ex.top.bytes, 88_965_120);
    let kinds: Vec<_> = ex.terms.iter().map(|t| (t.kind, t.bytes)).collect();
    assert_eq!(
        kinds,
        [
            (TermKind::Metric, 42_143_744),
            (TermKind::NotSelected, -180_224)
        ]
    );
    assert!(
        ex.terms[0].why.contains("page cache"),
        "{}",
        ex.terms[0].why
    );
    assert_eq!(ex.extra_bytes() - ex.missing_bytes(), ex.difference());
}

#[test]
fn unsupported_queries_say_why() {
    let ev = seed();
    let err = |q| explain(q, &ev).unwrap_err().0;
    assert!(err("sum(rate(container_cpu_usage_seconds_total[5m]))").contains("range or function"));
    assert!(
        err(r#"sum(container_cpu_usage_seconds_total{pod="x"})"#).contains("container_memory_*")
    );
}

#[test]
fn an_old_instance_is_told_apart_by_its_restart_attempt() {
    let line = |n: u32, v: u32| {
        format!(
            "container_memory_working_set_bytes{{container=\"app\",id=\"/p/c{n}\",image=\"i\",name=\"k8s_app_p_ns_uid_{n}\",namespace=\"ns\",pod=\"p\"}} {v}\n"
        )
    };
    let text = line(0, 5) + &line(1, 7);
    let cad = parse::parse(&text);
    let ev = evaluate(
        r#"sum(container_memory_working_set_bytes{pod="p"})"#,
        &cad,
        &mut Vec::new(),
    )
    .unwrap();
    let roles: Vec<_> = ev.series.iter().map(|s| (s.role, s.bytes)).collect();
    assert_eq!(
        roles,
        [(Role::OldInstance, 5), (Role::Cgroup(CgroupRole::App), 7)]
    );
    assert_eq!(ev.bytes, 12);
}
