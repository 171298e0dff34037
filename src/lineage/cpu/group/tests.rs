use super::*;

fn labels(pairs: &[(&str, &str)]) -> Labels {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

fn sum_by(by: &[&str]) -> Aggregation {
    Aggregation {
        op: "sum".into(),
        by: by.iter().map(|s| s.to_string()).collect(),
        without: false,
    }
}

#[test]
fn sum_by_groups_in_the_order_series_appear() {
    let series = [
        labels(&[("container", "b"), ("cpu", "cpu01"), ("pod", "p")]),
        labels(&[("container", "a"), ("cpu", "cpu00"), ("pod", "p")]),
        labels(&[("container", "b"), ("cpu", "cpu00"), ("pod", "p")]),
    ];
    let got = group(&series, Some(&sum_by(&["pod", "container"]))).unwrap();
    assert_eq!(
        got,
        [
            Group {
                key: labels(&[("container", "b"), ("pod", "p")]),
                members: vec![0, 2]
            },
            Group {
                key: labels(&[("container", "a"), ("pod", "p")]),
                members: vec![1]
            },
        ]
    );
    assert!(matches(
        &got[0].key,
        &labels(&[("pod", "p"), ("container", "b")])
    ));
    assert!(!matches(&got[0].key, &labels(&[("pod", "p")])));
}

#[test]
fn without_an_aggregation_each_series_is_one_element_without_its_name() {
    let series = [labels(&[("__name__", "c"), ("pod", "p")])];
    let got = group(&series, None).unwrap();
    assert_eq!(got[0].key, labels(&[("pod", "p")]));
    let without = Aggregation {
        op: "sum".into(),
        by: vec!["cpu".into()],
        without: true,
    };
    let series = [
        labels(&[("cpu", "cpu00"), ("pod", "p")]),
        labels(&[("cpu", "cpu01"), ("pod", "p")]),
    ];
    assert_eq!(group(&series, Some(&without)).unwrap()[0].members, [0, 1]);
}

#[test]
fn other_aggregations_are_not_recomputed() {
    let max = Aggregation {
        op: "max".into(),
        by: vec![],
        without: false,
    };
    assert_eq!(
        group(&[], Some(&max)).unwrap_err(),
        "the rule aggregates with max, which ktrace does not recompute"
    );
}
