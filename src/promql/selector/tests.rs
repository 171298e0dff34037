use super::*;

fn labels(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

fn one(q: &str) -> VectorSelector {
    let shape = analyze_query(q).unwrap();
    assert_eq!(shape.selectors.len(), 1, "{q}");
    shape.selectors[0].clone()
}

#[test]
fn container_filter_semantics() {
    let sel = one(r#"sum(container_memory_working_set_bytes{container!="",pod!=""}) by (pod)"#);
    let m = "container_memory_working_set_bytes";
    assert!(!sel.matches(m, &labels(&[("pod", "p")])));
    assert!(!sel.matches(m, &labels(&[("pod", "p"), ("container", "")])));
    assert!(sel.matches(m, &labels(&[("pod", "p"), ("container", "POD")])));
    assert!(!sel.matches("other", &labels(&[("pod", "p"), ("container", "c")])));
}

#[test]
fn regexes_are_anchored() {
    let sel = one(r#"m{pod=~"a|b"}"#);
    for (pod, want) in [
        ("a", true),
        ("b", true),
        ("ab", false),
        ("a-1", false),
        ("", false),
    ] {
        assert_eq!(sel.matches("m", &labels(&[("pod", pod)])), want, "{pod}");
    }
    let neg = one(r#"m{pod!~"a.*"}"#);
    assert!(neg.matches("m", &[]));
    assert!(!neg.matches("m", &labels(&[("pod", "a\nb")])));
}

#[test]
fn name_matchers_and_quoted_names() {
    let sel = one(r#"{__name__="up", job='x'}"#);
    assert_eq!(sel.metric.as_deref(), Some("up"));
    assert!(sel.matches("up", &labels(&[("job", "x")])));
    let sel = one(r#"{__name__=~"node_.*"}"#);
    assert_eq!(sel.metric, None);
    assert!(sel.matches("node_x", &[]) && !sel.matches("x", &[]));
    assert_eq!(one(r#"{"a.b", c="d",}"#).metric.as_deref(), Some("a.b"));
    let escaped = one(r#"m{a="\x41\u00e9\101\"\\",b=`\n`}[5m:1m]"#);
    assert_eq!(escaped.to_string(), r#"m{a="AéA\"\\",b="\\n"}[5m:1m]"#);
}

#[test]
fn binary_and_join_forms() {
    let q = "sum by (node) (\n 1 - irate(node_cpu_seconds_total{mode=\"idle\"}[4m])\n * on(namespace, pod) group_left(node) (\n node_namespace_pod:kube_pod_info:{namespace=\"x\"}\n )\n) or sum by (node) (max without (cpu) (w{a=\"b\"} offset 5m))";
    let shape = analyze_query(q).unwrap();
    let names: Vec<_> = shape
        .selectors
        .iter()
        .map(|s| s.metric.clone().unwrap_or_default())
        .collect();
    assert_eq!(
        names,
        [
            "node_cpu_seconds_total",
            "node_namespace_pod:kube_pod_info:",
            "w"
        ]
    );
    assert_eq!(shape.selectors[0].range.as_deref(), Some("4m"));
    assert_eq!(shape.selectors[0].function.as_deref(), Some("irate"));
    assert_eq!(shape.selectors[1].function, None);
    let sum_node = Aggregation {
        op: "sum".into(),
        by: vec!["node".into()],
        without: false,
    };
    assert_eq!(shape.aggregation, Some(sum_node));
    let post = analyze_query("SUM(rate(x[1m])) WITHOUT (a, \"b\",)")
        .unwrap()
        .aggregation;
    let want = Aggregation {
        op: "sum".into(),
        by: vec!["a".into(), "b".into()],
        without: true,
    };
    assert_eq!(post, Some(want));
    let q = "topk(3, up) + label_replace(bar, \"x{y}\", \"$1\", \"z\", \"(.*)\") # c{d}";
    let bare = analyze_query(q).unwrap();
    assert_eq!(bare.selectors.len(), 2);
    assert_eq!(bare.selectors[1].function.as_deref(), Some("label_replace"));
    assert_eq!(
        analyze_query("1 + -2.5e+3 * Inf / 0x1F").unwrap().selectors,
        vec![]
    );
}

/// One hostile query per line.
const HOSTILE: &str = r#"
  # only a comment
m{a=~"("}
m{a="x
m{a="x"
sum(m
m)
m}
{}
{a=""}
{a=~".*"}
m{__name__="x"}
sum by (a) (m) by (b)
sum m
by (a) m
m{a}
m{a=b}
m{a=="b"}
m{"x","y"}
m[5m
m[[5m]]
<<.LabelMatchers>>
m $ n
m{a="\q"}
m{a="\xff"}
m{a="\u12"}
m{a="\x+1"}
on(a b)
é"#;

#[test]
fn hostile_queries_are_errors() {
    let deep = format!("{}x{}", "(".repeat(10_000), ")".repeat(10_000));
    let newline = "m{a=\"x\ny\"}";
    for q in HOSTILE.lines().chain([deep.as_str(), newline]) {
        assert!(analyze_query(q).is_err(), "{q:?}");
    }
    let err = analyze_query(r#"m{a=~"("}"#).unwrap_err();
    assert!(
        matches!(err.kind, Kind::InvalidRegex(ref label, _) if label == "a"),
        "{err}"
    );
    assert_eq!(analyze_query(&deep).unwrap_err().kind, Kind::TooDeep);
    let matcher = Matcher {
        name: "a".into(),
        op: MatchOp::Re,
        value: "(".into(),
    };
    let bad = VectorSelector {
        metric: None,
        matchers: vec![matcher],
        range: None,
        function: None,
    };
    assert!(!bad.matches("m", &[]) && bad.compile().is_err());
}

#[test]
fn random_input_never_panics() {
    let alphabet: Vec<char> = "sum by(){}[]\"'`\\=~!,<>.-+ ax_:5m#\nér|*@^$0xe"
        .chars()
        .collect();
    let mut seed: u64 = 0x2545_f491_4f6c_dd1d;
    let mut random = move || {
        seed = seed.wrapping_mul(6_364_136_223_846_793_005);
        seed = seed.wrapping_add(1_442_695_040_888_963_407);
        (seed >> 33) as usize
    };
    let mut parsed = 0;
    for _ in 0..20_000 {
        let len = random() % 24;
        let q: String = (0..len)
            .map(|_| alphabet[random() % alphabet.len()])
            .collect();
        let shape = analyze_query(&q);
        parsed += usize::from(shape.is_ok());
        for sel in shape.map(|s| s.selectors).unwrap_or_default() {
            let _ = sel.matches("m", &labels(&[("a", "b")]));
        }
        let _ = super::super::template::render_template(
            &q.replace('{', "<<").replace('}', ">>"),
            &|_| None,
        );
    }
    assert!(parsed > 100, "{parsed}");
}
