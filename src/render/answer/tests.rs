use super::*;

#[test]
fn the_verdict_says_its_exit_code_and_what_it_means() {
    let lines: Vec<String> = [
        Verdict::Consistent,
        Verdict::Partial,
        Verdict::Disagree,
        Verdict::Drift,
        Verdict::Misleading,
    ]
    .into_iter()
    .map(verdict_sentence)
    .collect();
    assert_eq!(
        lines,
        [
            "consistent · exit 0: every layer present and every value agrees",
            "partial · exit 3: some sources are missing (see the sources below)",
            "disagree · exit 4: the backend's value is not the Metrics API value (see the findings below)",
            "consistent, with drift · exit 0: the backend reproduces the Metrics API exactly; newer kubelet samples differ (see the findings below)",
            "misleading · exit 5: the layers agree, but the `top` number counts memory twice (see the findings below)",
        ]
    );
}

#[test]
fn every_severity_has_its_own_marker_and_word() {
    let all = [
        Severity::Disagree,
        Severity::DoubleCount,
        Severity::Missing,
        Severity::Warn,
        Severity::Info,
    ];
    let markers: Vec<&str> = all.iter().map(|s| severity_marker(*s)).collect();
    assert_eq!(markers, ["✗ ", "2×", "? ", "! ", "• "]);
    assert!(markers.iter().all(|m| m.chars().count() == 2));
    let words: Vec<&str> = all.iter().map(|s| severity_word(*s)).collect();
    assert_eq!(
        words,
        ["disagree", "double count", "missing", "warning", "info"]
    );
}

#[test]
fn verbatim_sample_lines_and_commands_are_told_from_notes() {
    let cases = [
        (
            r#"container_memory_working_set_bytes{id="/kubepods/burstable/pod37b0"} 1.4086144e+07"#,
            EvidenceKind::Verbatim,
        ),
        (
            r#"container_memory_working_set_bytes{container="POD",pod="p"} 180224 1636128356871"#,
            EvidenceKind::Verbatim,
        ),
        (
            "by hand: kubectl get --raw /api/v1/nodes/worker-4/proxy/metrics/cadvisor",
            EvidenceKind::Command,
        ),
        (
            "Σ containers: 176Ki + 86704Ki = 180224 + 88784896 = 88965120 B",
            EvidenceKind::Note,
        ),
        ("id=/kubepods/burstable/pod37b0/26d8", EvidenceKind::Note),
        ("image=k8s.gcr.io/pause:3.1", EvidenceKind::Note),
        (
            "rules with `container!=\"\"` {only} keep it",
            EvidenceKind::Note,
        ),
    ];
    for (e, want) in cases {
        assert_eq!(evidence_kind(e), want, "{e}");
    }
}
