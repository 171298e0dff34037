use super::*;

fn shape(q: &str) -> Shape {
    parse(q).unwrap().1
}

fn agg(op: Op, labels: &[&str], inner: Shape) -> Shape {
    Shape::Agg {
        op,
        labels: labels.iter().map(|s| s.to_string()).collect(),
        without: false,
        inner: Box::new(inner),
    }
}

#[test]
fn parses_the_supported_shapes() {
    assert_eq!(shape(r#"m{a="}"}"#), Shape::Selector);
    assert_eq!(shape("sum(m)"), agg(Op::Sum, &[], Shape::Selector));
    assert_eq!(
        shape("sum(m{a='1',}) BY (pod, namespace)"),
        agg(Op::Sum, &["pod", "namespace"], Shape::Selector)
    );
    assert_eq!(
        shape("sum by (pod) (m)"),
        agg(Op::Sum, &["pod"], Shape::Selector)
    );
    assert_eq!(
        shape("sum(max by (c, p)(m{x!=\"\"})) by (c)"),
        agg(Op::Sum, &["c"], agg(Op::Max, &["c", "p"], Shape::Selector))
    );
}

#[test]
fn refuses_other_shapes_with_a_reason() {
    let err = |q| parse(q).unwrap_err();
    assert!(err("sum(rate(m[5m]))").contains("range or function"));
    assert!(err("sum(a) / sum(b)").contains("2 vector selectors"));
    assert!(err("avg(m)").contains("`avg(…)` is not sum or max"));
    assert!(err("sum(m) * 2").contains("text after"));
    assert!(err("sum(m").starts_with("not PromQL"));
}

#[test]
fn sum_of_max_keeps_one_series_per_group() {
    let l = |c: &str| vec![("container".to_string(), c.to_string())];
    let series = [(l("a"), 10), (l("a"), 7), (l("b"), 3)];
    let rows = eval(&shape("sum(max by (container)(m)) by (container)"), &series);
    assert_eq!(rows.len(), 2);
    assert_eq!((rows[0].bytes, rows[0].members.clone()), (10, vec![0]));
    assert_eq!((rows[1].bytes, rows[1].members.clone()), (3, vec![2]));
    let total = eval(&shape("sum(m)"), &series);
    assert_eq!(
        (total[0].bytes, total[0].members.clone()),
        (20, vec![0, 1, 2])
    );
    let without = eval(&shape("sum without (container) (m)"), &series);
    assert_eq!((without.len(), without[0].bytes), (1, 20));
}
