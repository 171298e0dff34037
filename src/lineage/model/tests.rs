use super::*;

const ALL: [Verdict; 5] = [
    Verdict::Consistent,
    Verdict::Partial,
    Verdict::Disagree,
    Verdict::Drift,
    Verdict::Misleading,
];

#[test]
fn verdict_sentences_are_written_once_here() {
    let words: Vec<_> = ALL
        .iter()
        .map(|v| (v.label(), v.summary(), v.details()))
        .collect();
    assert_eq!(
        words,
        [
            (
                "consistent",
                "every layer present and every value agrees",
                None
            ),
            ("partial", "some sources are missing", Some("above")),
            (
                "disagree",
                "the backend's value is not the Metrics API value",
                Some("findings")
            ),
            (
                "consistent, with drift",
                "the backend reproduces the Metrics API exactly; newer kubelet samples differ",
                Some("findings")
            ),
            (
                "misleading",
                "the layers agree, but the `top` number counts memory twice",
                Some("findings")
            ),
        ]
    );
}

#[test]
fn a_finding_keeps_what_it_is_given() {
    let f = Finding::new(
        "rounding",
        Severity::Warn,
        "84Mi".into(),
        vec!["Σ 88965120 B".into()],
    );
    assert_eq!(
        (f.code.as_str(), f.severity, f.message.as_str()),
        ("rounding", Severity::Warn, "84Mi")
    );
    assert_eq!(f.evidence, ["Σ 88965120 B"]);
    let json = serde_json::to_value(&f).unwrap();
    assert_eq!(json["severity"], "warn");
}

fn mem(name: &str, bytes: i128) -> MemSample {
    MemSample {
        name: name.into(),
        metric: format!("container_memory_{name}"),
        value_text: bytes.to_string(),
        bytes,
        timestamp_ms: Some(7),
    }
}

#[test]
fn a_cgroup_row_finds_its_samples_by_short_name() {
    let row = CgroupRow {
        role: CgroupRole::App,
        container: "c".into(),
        id: "/x".into(),
        image: "i".into(),
        labels: vec![],
        memory: vec![mem("working_set", 5), mem("usage", 9)],
        ws_check: String::new(),
        ws_check_ok: None,
    };
    assert_eq!(row.bytes("usage"), Some(9));
    assert_eq!(
        row.sample("working_set").map(|m| m.timestamp_ms),
        Some(Some(7))
    );
    assert_eq!(row.bytes("rss"), None);
}

#[test]
fn severities_rank_worst_first() {
    let all = [
        Severity::Info,
        Severity::Warn,
        Severity::Missing,
        Severity::DoubleCount,
        Severity::Disagree,
    ];
    let mut sorted = all;
    sorted.sort_by_key(|s| s.rank());
    assert_eq!(
        sorted,
        [
            Severity::Disagree,
            Severity::DoubleCount,
            Severity::Missing,
            Severity::Warn,
            Severity::Info
        ]
    );
    let names: Vec<_> = sorted
        .iter()
        .map(|s| serde_json::to_value(s).unwrap())
        .collect();
    assert_eq!(
        names,
        ["disagree", "double_count", "missing", "warn", "info"]
    );
}
