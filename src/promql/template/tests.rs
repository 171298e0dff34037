use super::*;
use crate::promql::tests::support::render_node_query;

fn rule(query: &str) -> ResourceRule {
    ResourceRule {
        container_query: query.into(),
        container_label: "container".into(),
        overrides: vec![
            ("namespace".into(), "namespace".into()),
            ("pod".into(), "pods".into()),
        ],
        ..ResourceRule::default()
    }
}

fn render(query: &str, pods: &[&str]) -> Result<String, TemplateError> {
    render_container_query(
        &rule(query),
        &QueryTarget {
            namespace: "csi",
            pods,
        },
    )
    .map(|r| r.query)
}

#[test]
fn renders_every_field() {
    let q =
        "<<.Series>>|<<.LabelMatchers>>|<<.GroupBy>>|<<.GroupBySlice>>|<< .LabelValuesByName >>";
    assert_eq!(
        render(q, &["a", "b"]).unwrap(),
        r#"|namespace="csi",pod=~"a|b"|pod,container|[pod container]|map[namespace:csi pod:a|b]"#
    );
}

#[test]
fn trim_markers_and_comments() {
    let q = "x (  \n<<- .GroupBy ->>  \n) y<</* c */>> <<- .Series>>\u{a0}";
    assert_eq!(render(q, &["a"]).unwrap(), "x (pod,container) y\u{a0}");
}

#[test]
fn go_quoting() {
    assert_eq!(
        go_quote("a\"b\\c\n\t\u{1}\u{7f}é\u{a0}\u{200b}\u{f0000}"),
        r#""a\"b\\c\n\t\x01\x7fé\u00a0\u200b\U000f0000""#
    );
    assert_eq!(
        render("<<.LabelMatchers>>", &[r#"x"y"#]).unwrap(),
        r#"namespace="csi",pod="x\"y""#
    );
}

#[test]
fn hostile_templates_are_errors() {
    assert_eq!(
        render("sum(x{<<.LabelMatchers}", &["a"]),
        Err(TemplateError::Unclosed { at: 6 })
    );
    assert_eq!(
        render("<<.Foo>>", &["a"]),
        Err(TemplateError::UnknownField {
            name: "Foo".into(),
            at: 0
        })
    );
    for bad in [
        "<<if .Series>>x<<end>>",
        "<<.GroupBy | printf>>",
        "<<range .GroupBySlice>>",
        "<<$x := 1>>",
        "<<.>>",
        "<<.A.B>>",
        "<<- >>",
        "<<\"a>>b\">>",
    ] {
        let err = render(bad, &["a"]).unwrap_err();
        assert!(
            matches!(
                err,
                TemplateError::Unsupported { .. } | TemplateError::EmptyAction { .. }
            ),
            "{bad}: {err}"
        );
    }
    assert_eq!(
        render("<<.Series>>", &["a"]),
        Err(TemplateError::EmptyOutput)
    );
    assert_eq!(render("x", &[]), Err(TemplateError::NoTargets));
    let msg = render("a<<if .X>>", &["a"]).unwrap_err().to_string();
    assert!(msg.contains("<<if .X>>"), "{msg}");
}

#[test]
fn labels_from_overrides_and_template() {
    let mut r = rule("x");
    r.overrides = vec![
        ("kube_namespace".into(), "Namespaces".into()),
        ("d".into(), "deployments.apps".into()),
    ];
    r.resource_template = Some("kube_<<.Group>><<.Resource>>".into());
    assert_eq!(r.label_for("namespace").as_deref(), Some("kube_namespace"));
    assert_eq!(r.label_for("pods").as_deref(), Some("kube_pod"));
    assert_eq!(r.label_for("deployment.apps").as_deref(), Some("d"));
    assert_eq!(
        r.label_for("replicasets.apps").as_deref(),
        Some("kube_appsreplicaset")
    );
    r.resource_template = Some("<<.Kind>>".into());
    assert_eq!(r.label_for("pods"), None);
    r.resource_template = None;
    assert_eq!(
        resource_label(&r, "pods"),
        Err(TemplateError::NoLabelFor("pods".into()))
    );
    let err = render_container_query(
        &r,
        &QueryTarget {
            namespace: "n",
            pods: &["p"],
        },
    )
    .unwrap_err();
    assert_eq!(err, TemplateError::NoLabelFor("pods".into()));
}

#[test]
fn node_query_is_not_namespaced() {
    let mut r = rule("x");
    r.overrides.push(("instance".into(), "node".into()));
    r.node_query = Some("sum(m{<<.LabelMatchers>>}) by (<<.GroupBy>>)".into());
    let got = render_node_query(
        &r,
        &QueryTarget {
            namespace: "",
            pods: &["n1"],
        },
    )
    .unwrap();
    assert_eq!(got.query, r#"sum(m{instance="n1"}) by (instance)"#);
    assert_eq!(got.namespace_label, None);
}
