//! Headlines and breakdowns filled in by hand, for testing the layout before the analysis
//! fills them: the values are the ones the bundles give, worked out by hand.
//!
//! Seed (cgroup v1, no inactive_file exported, so inactive = usage − working set):
//! centos-tools: usage 130928640 − ws 88784896 = 42143744 inactive; cache 127672320 − 42143744
//! = 85528576 active; rss 3256320 + 85528576 = 88784896, kernel/other 0.
//! POD: rss 40960 + active 139264 = 180224. Pod row: 3297280 + 85667840 = 88965120.
//! kic: coredns's kubepods cgroup: usage 18915328 − ws 13684736 = 5230592 inactive; cache
//! 10006528 − 5230592 = 4775936 active; 13684736 − 7467008 − 4775936 = 1441792 other.

use ktrace::lineage::{
    Amount, Breakdown, CgroupVersion, Lineage, Part, Severity, Summary, SummaryKind, SummaryLine,
    Tone, Verdict,
};

fn line(kind: SummaryKind, text: &str, tone: Tone) -> SummaryLine {
    SummaryLine {
        kind,
        text: text.into(),
        tone,
    }
}

fn part(name: &str, label: &str, bytes: i128, implied: bool) -> Part {
    Part {
        name: name.into(),
        label: label.into(),
        bytes,
        implied,
    }
}

/// (container, ws, usage, rss, cache, inactive (implied), kernel/other).
type Counters = (Option<&'static str>, i128, i128, i128, i128, i128, i128);

fn breakdown(c: Counters, evidence: &str) -> Breakdown {
    let (container, ws, usage, rss, cache, inactive, other) = c;
    let active = cache - inactive;
    Breakdown {
        container: container.map(String::from),
        cgroup: CgroupVersion::V1 {
            evidence: evidence.into(),
        },
        working_set: ws,
        usage: Some(usage),
        rss: Some(rss),
        cache: Some(cache),
        active_file: Some(Amount {
            bytes: active,
            implied: true,
        }),
        inactive_file: Some(Amount {
            bytes: inactive,
            implied: true,
        }),
        mapped_file: None,
        swap: Some(0),
        parts: vec![
            part("rss", "process memory (rss)", rss, false),
            part("active_file", "active page cache", active, true),
            part("kernel_other", "kernel/other", other, true),
        ],
        check: format!(
            "working_set {ws} = rss {rss} + active_file {active} + kernel/other {other}"
        ),
        adds_up: rss + active + other == ws,
        problem: None,
    }
}

/// The seed's answer: consistent, 84Mi of which 3.1Mi is process memory.
pub fn seed(l: &mut Lineage) {
    let v1 = "cgroup paths /kubepods.slice/…/crio-*.scope, memory_rss and memory_cache exported";
    l.summary = Summary {
        question: "Why does `kubectl top pod` say 84Mi for csi/blockvol-fs-1?".into(),
        number: Some("84Mi".into()),
        lines: vec![
            line(
                SummaryKind::What,
                "84Mi = working set of 2 containers (POD, centos-tools), summed, then floored to MiB: 84.8Mi → 84Mi",
                Tone::Neutral,
            ),
            line(
                SummaryKind::MadeOf,
                "centos-tools 84.7Mi = 3.1Mi process memory (rss) + 81.6Mi active page cache + 0 B kernel/other: file pages the kernel keeps while they are in use and can reclaim",
                Tone::Neutral,
            ),
            line(
                SummaryKind::Source,
                "container_memory_working_set_bytes from the kubelet's cAdvisor on worker-4, via prometheus-adapter's rule",
                Tone::Neutral,
            ),
            line(
                SummaryKind::Agreement,
                "every layer agrees to the byte: PodMetrics = adapter query = cAdvisor Σ",
                Tone::Good,
            ),
        ],
        verdict: Verdict::Consistent,
    };
    l.breakdown = vec![
        breakdown(
            (None, 88965120, 131108864, 3297280, 127811584, 42143744, 0),
            v1,
        ),
        breakdown((Some("POD"), 180224, 180224, 40960, 139264, 0, 0), v1),
        breakdown(
            (
                Some("centos-tools"),
                88784896,
                130928640,
                3256320,
                127672320,
                42143744,
                0,
            ),
            v1,
        ),
    ];
}

/// The kic bundle's answer: the layers agree, but one cgroup is summed twice.
pub fn kic(l: &mut Lineage) {
    let v1 = "cgroup paths /kubepods/burstable/… and /docker/…/kubepods/…";
    l.summary = Summary {
        question: "Why does `kubectl top pod` say 26Mi for kube-system/coredns-5c98db65d4-m76hk?"
            .into(),
        number: Some("26Mi".into()),
        lines: vec![
            line(
                SummaryKind::What,
                "26Mi = working set of 1 container (coredns) summed over 2 series of one cgroup, then floored to MiB: 26.8Mi → 26Mi",
                Tone::Bad,
            ),
            line(
                SummaryKind::MadeOf,
                "coredns 13.1Mi = 7.1Mi process memory (rss) + 4.6Mi active page cache + 1.4Mi kernel/other",
                Tone::Neutral,
            ),
            line(
                SummaryKind::Source,
                "container_memory_working_set_bytes from the kubelet's cAdvisor on minikube, via prometheus-adapter's rule",
                Tone::Neutral,
            ),
            line(
                SummaryKind::Agreement,
                "the layers agree to the byte, and all of them count coredns twice",
                Tone::Warn,
            ),
            line(
                SummaryKind::Worst,
                "coredns is counted twice (one cgroup under two paths): the pod's real working set is 13.4Mi, not 26Mi",
                Tone::Bad,
            ),
        ],
        verdict: Verdict::Misleading,
    };
    l.verdict = Verdict::Misleading;
    let mut pod = breakdown(
        (None, 28139520, 39096320, 14934016, 21274624, 10956800, 0),
        v1,
    );
    pod.adds_up = false;
    pod.parts.clear();
    pod.problem = Some("the sum holds one cgroup twice (14454784 B + 13684736 B); the pod cgroup holds 14086144 B = 13.4Mi".into());
    l.breakdown = vec![
        pod,
        breakdown(
            (
                Some("coredns"),
                13684736,
                18915328,
                7467008,
                10006528,
                5230592,
                1441792,
            ),
            v1,
        ),
    ];
    for f in &mut l.findings {
        if f.code == "duplicate-series" {
            f.severity = Severity::DoubleCount;
        }
    }
    l.findings.sort_by_key(|f| f.severity.rank());
}
