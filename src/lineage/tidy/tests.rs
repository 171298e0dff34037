use super::*;
use crate::lineage::model::Severity;

fn f(code: &str, severity: Severity, message: &str, evidence: &[&str]) -> Finding {
    Finding::new(
        code,
        severity,
        message.into(),
        evidence.iter().map(|e| e.to_string()).collect(),
    )
}

#[test]
fn one_finding_per_code_worst_first_stable_within_a_rank() {
    let found = vec![
        f("rounding", Severity::Info, "84Mi", &[]),
        f(
            "pause-not-counted",
            Severity::Info,
            "same words",
            &["id=/a"],
        ),
        f(
            "missing-source",
            Severity::Missing,
            "A is missing",
            &["by hand: a"],
        ),
        f(
            "pause-not-counted",
            Severity::Info,
            "same words",
            &["id=/b"],
        ),
        f(
            "duplicate-series",
            Severity::DoubleCount,
            "2 series",
            &["x", "y"],
        ),
        f(
            "missing-source",
            Severity::Missing,
            "B is missing",
            &["by hand: b"],
        ),
        f("values-differ", Severity::Warn, "drift", &[]),
        f("query-differs", Severity::Disagree, "ran another", &[]),
        f("values-differ", Severity::Disagree, "differs", &[]),
    ];
    let got: Vec<(String, Severity, String, Vec<String>)> = tidy(found)
        .into_iter()
        .map(|f| (f.code, f.severity, f.message, f.evidence))
        .collect();
    let s = |v: &[&str]| v.iter().map(|x| x.to_string()).collect::<Vec<_>>();
    assert_eq!(
        got,
        [
            (
                "values-differ".into(),
                Severity::Disagree,
                "drift differs".into(),
                vec![]
            ),
            (
                "query-differs".into(),
                Severity::Disagree,
                "ran another".into(),
                vec![]
            ),
            (
                "duplicate-series".into(),
                Severity::DoubleCount,
                "2 series".into(),
                s(&["x", "y"])
            ),
            (
                "missing-source".into(),
                Severity::Missing,
                "A is missing B is missing".into(),
                s(&["by hand: a", "by hand: b"])
            ),
            ("rounding".into(), Severity::Info, "84Mi".into(), vec![]),
            (
                "pause-not-counted".into(),
                Severity::Info,
                "same words".into(),
                s(&["id=/a", "id=/b"])
            ),
        ]
    );
}
