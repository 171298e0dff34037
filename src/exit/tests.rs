use super::*;

#[test]
fn every_verdict_has_its_documented_code() {
    let codes: Vec<(Verdict, u8)> = [
        Verdict::Consistent,
        Verdict::Drift,
        Verdict::Partial,
        Verdict::Disagree,
        Verdict::Misleading,
    ]
    .into_iter()
    .map(|v| (v, code_for(v)))
    .collect();
    assert_eq!(
        codes,
        [
            (Verdict::Consistent, 0),
            (Verdict::Drift, 0),
            (Verdict::Partial, 3),
            (Verdict::Disagree, 4),
            (Verdict::Misleading, 5)
        ]
    );
    assert_eq!(
        [CONSISTENT, ERROR, USAGE, PARTIAL, DISAGREE, MISLEADING],
        [0, 1, 2, 3, 4, 5]
    );
}
