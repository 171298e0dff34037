//! The report's layout, drawn in process from every fixture bundle: the answer on the first
//! screen, the order of the sections, the width the text fits, the details part, the
//! Markdown ticket with its Mermaid diagram, and the producer in every format.

use ktrace::evidence::read_bundle;
use ktrace::lineage::{self, Lineage, Severity};
use ktrace::render::{self, Format, TextOptions};

use crate::support::fixtures::{self, SEED};

/// Every bundle with a pod report, and its pod.
pub use crate::support::fixtures::REPORT_BUNDLES as BUNDLES;

/// Bundle `name` analysed, as `ktrace pod --from` does.
pub fn lineage_of(name: &str) -> Lineage {
    let ev = read_bundle(fixtures::bundle_text(name).as_bytes()).expect("a readable bundle");
    lineage::analyze(&ev)
}

fn seed() -> Lineage {
    lineage_of(SEED)
}

fn kic() -> Lineage {
    lineage_of("kic-duplicate-cgroups.json")
}

fn draw(l: &Lineage, format: Format, opts: TextOptions) -> String {
    let mut out = Vec::new();
    render::render(l, format, opts, &mut out).unwrap();
    String::from_utf8(out).unwrap()
}

/// The text report, no colour.
pub fn text(l: &Lineage, width: usize, details: bool) -> String {
    let opts = TextOptions {
        color: false,
        width,
        details,
    };
    draw(l, Format::Text, opts)
}

fn markdown(l: &Lineage) -> String {
    draw(l, Format::Markdown, TextOptions::default())
}

/// Where `needle` first is in `hay`; fails the test if it is not there.
fn at(hay: &str, needle: &str) -> usize {
    hay.find(needle)
        .unwrap_or_else(|| panic!("{needle:?} missing from:\n{hay}"))
}

fn long_lines(s: &str, over: usize) -> Vec<&str> {
    s.lines().filter(|l| l.chars().count() > over).collect()
}

#[test]
fn every_bundle_renders_in_every_format_and_fits_80_columns() {
    for (name, _) in BUNDLES {
        {
            let l = lineage_of(name);
            let narrow = text(&l, 80, false);
            let over_100 = long_lines(&narrow, 100);
            assert!(over_100.len() <= 3, "{name}: {over_100:#?}");
            let over_80 = long_lines(&narrow, 80);
            assert!(over_80.is_empty(), "{name}: {over_80:#?}");
            let wide = text(&l, 200, false);
            assert!(long_lines(&wide, 200).is_empty(), "{name} at 200");
            assert!(wide.lines().count() <= narrow.lines().count(), "{name}");
            let details = text(&l, 80, true);
            let answer = &narrow[..at(&narrow, "\nFindings")];
            assert!(
                details.starts_with(answer),
                "{name}: the details part only adds"
            );
            let md = markdown(&l);
            assert!(md.starts_with("# ktrace: `"), "{name}");
            let json: serde_json::Value =
                serde_json::from_str(&draw(&l, Format::Json, TextOptions::default())).unwrap();
            assert_eq!(json["report_version"], 2, "{name}");
        }
    }
}

#[test]
fn no_scientific_notation_or_epoch_milliseconds_outside_the_details() {
    let sci = regex::Regex::new(r"\d\.\d+e[+-]\d+").unwrap();
    let epoch_ms = regex::Regex::new(r"\b1[0-9]{12}\b").unwrap();
    for (name, _) in BUNDLES {
        let l = lineage_of(name);
        let main = text(&l, 80, false);
        assert!(!sci.is_match(&main), "{name}: {main}");
        assert!(!epoch_ms.is_match(&main), "{name}: {main}");
    }
    let details = text(&lineage_of(SEED), 80, true);
    assert!(sci.is_match(&details) && epoch_ms.is_match(&details));
}

#[test]
fn the_first_screen_holds_the_number_what_it_is_made_of_and_the_verdict() {
    let seed = text(&seed(), 80, false);
    let first: Vec<&str> = seed.lines().take(15).collect();
    let screen = first.join("\n");
    for want in [
        "Why does `kubectl top pod` say 84Mi for csi/blockvol-fs-1?",
        "  what     `84Mi` = the working set of 2 containers (POD, centos-tools), summed,",
        "  made of  centos-tools 84.7Mi = 3.1Mi process memory (rss) + 81.6Mi active page",
        "Verdict: consistent · exit 0: every layer present and every value agrees",
    ] {
        assert!(first.contains(&want), "{want:?} not a line of:\n{screen}");
    }
    assert!(
        first.contains(&"           cache (implied) + 0 B kernel/other (cgroup v1)"),
        "{screen}"
    );
    let kic = text(&kic(), 80, false);
    let screen = squash(&kic.lines().take(15).collect::<Vec<_>>().join("\n"));
    for want in [
        "coredns is counted twice",
        "the pod's real memory (its pod cgroup) is 13.4Mi = 14086144 B",
        "but that is not all-clear: the number counts memory twice",
    ] {
        assert!(screen.contains(want), "{want:?} not in:\n{screen}");
    }
    assert!(
        squash(&kic).contains(
            "Verdict: misleading · exit 5: the layers agree, but the `top` number counts memory twice"
        ),
        "{kic}"
    );
}

#[test]
fn text_sections_come_answer_first() {
    let l = seed();
    let main = text(&l, 80, false);
    let order = [
        "Why does",
        "  what ",
        "  made of ",
        "Verdict: ",
        "\nLineage (memory",
        "\nFindings (worst first)",
        "\nkubectl top pod blockvol-fs-1 -n csi\n",
        "\nLayers\n",
        "\n← kubelet /metrics/cadvisor",
        "\nSources\n",
        "\nVerbatim evidence and the commands to reproduce it by hand: add --details",
    ];
    let at_each: Vec<usize> = order.iter().map(|s| at(&main, s)).collect();
    assert!(at_each.is_sorted(), "{order:?} at {at_each:?}:\n{main}");
    let full = text(&l, 80, true);
    let order = [
        "\nSources\n",
        "\nDetails: the evidence verbatim, and how to reproduce it by hand\n",
        "\nAdapter memory rule (containerLabel: container)\n",
        "\nSource series (matched by the backend's selector, as the kubelet sent them)\n",
        "\nkubelet /metrics/cadvisor cgroups\n",
        "\nWhat each working set is made of: the arithmetic, exact bytes\n",
        "\nReproduce by hand\n",
    ];
    let at_each: Vec<usize> = order.iter().map(|s| at(&full, s)).collect();
    assert!(at_each.is_sorted(), "{order:?} at {at_each:?}");
    assert!(!full.contains("add --details"));
}

/// The rows of the lineage table, cells split on runs of two spaces.
fn lineage_rows(report: &str) -> Vec<Vec<&str>> {
    let start = at(report, "\nLineage (memory") + 1;
    report[start..]
        .lines()
        .skip(1)
        .take_while(|l| {
            l.starts_with("   ")
                || l.starts_with("  ← ")
                || l.starts_with("  kubectl top")
                || l.starts_with("  verdict")
        })
        .map(|l| {
            l.split("  ")
                .map(str::trim)
                .filter(|c| !c.is_empty())
                .collect()
        })
        .collect()
}

#[test]
fn the_lineage_table_reads_top_to_bottom_in_human_units() {
    let main = text(&seed(), 80, false);
    let want: Vec<Vec<&str>> = vec![
        vec!["Σ pod", "POD", "centos-tools"],
        vec!["kubectl top", "84Mi", "0Mi", "84Mi"],
        vec!["← Metrics API", "84.8Mi", "176.0Ki", "84.7Mi"],
        vec!["← adapter query", "84.8Mi", "176.0Ki", "84.7Mi"],
        vec!["← cAdvisor series Σ", "84.8Mi", "176.0Ki", "84.7Mi"],
        vec!["= process memory (rss)", "3.1Mi", "40.0Ki", "3.1Mi"],
        vec!["+ active page cache", "81.7Mi*", "136.0Ki*", "81.6Mi*"],
        vec!["+ kernel/other", "0 B", "0 B", "0 B"],
        vec!["verdict", "exact", "exact"],
    ];
    assert_eq!(lineage_rows(&main), want, "{main}");
    assert!(main.contains(
        "\n  check: working_set 88965120 = rss 3297280 + active_file 85667840 +\n  kernel/other 0\n"
    ), "{main}");
    let kic = text(&kic(), 80, false);
    let want: Vec<Vec<&str>> = vec![
        vec!["Σ pod", "coredns"],
        vec!["kubectl top", "26Mi", "26Mi"],
        vec!["← Metrics API", "26.8Mi", "26.8Mi"],
        vec!["← adapter query", "26.8Mi", "26.8Mi"],
        vec![
            "← cAdvisor series Σ",
            "26.8Mi (2 series)",
            "26.8Mi (2 series)",
        ],
        vec!["= process memory (rss)", "14.2Mi", "14.2Mi"],
        vec!["+ active page cache", "9.8Mi*", "9.8Mi*"],
        vec!["+ kernel/other", "2.8Mi", "2.8Mi"],
        vec!["verdict", "exact"],
    ];
    assert_eq!(lineage_rows(&kic), want, "{kic}");
    // The sum of both series adds up arithmetically; the headline says it counts one cgroup
    // twice and gives the pod cgroup's real 13.4Mi.
    assert!(
        squash(&kic).contains(
            "check: working_set 28139520 = rss 14934016 + active_file 10317824 + kernel/other 2887680"
        ),
        "{kic}"
    );
}

/// `s` with every run of whitespace (line breaks and hanging indents too) as one space.
fn squash(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[test]
fn the_details_part_holds_the_evidence_verbatim_and_the_commands() {
    let l = lineage_of(SEED);
    let main = text(&l, 80, false);
    let full = text(&l, 80, true);
    let bundle = fixtures::bundle(SEED);
    let kubelet = bundle["sources"]["kubelet_cadvisor"]["outcome"]["body"]
        .as_str()
        .unwrap();
    let ws: Vec<&str> = kubelet
        .lines()
        .filter(|l| l.starts_with("container_memory_working_set_bytes{container=\""))
        .filter(|l| l.contains("container=\"POD\"") || l.contains("container=\"centos-tools\""))
        .collect();
    assert_eq!(ws.len(), 2);
    for line in &ws {
        assert!(
            !main.contains(line),
            "verbatim lines stay out of the main part"
        );
        assert!(full.lines().any(|l| l.ends_with(line)), "{line}");
    }
    for s in &l.sources {
        let cmd = s.command.as_deref().unwrap();
        assert!(!main.contains(cmd), "{cmd}");
        assert!(full.contains(&format!("      $ {cmd}\n")), "{cmd}");
    }
    assert!(!main.contains("8.8784896e+07"));
    assert!(full.contains(&format!("\n    memory rendered  {}\n", super::SEED_QUERY)));
    assert!(!main.contains(super::SEED_QUERY));
    let series: Vec<&str> = full
        .lines()
        .filter(|l| l.contains("container_memory_working_set_bytes{container="))
        .filter(|l| !l.starts_with("    container_memory"))
        .collect();
    assert_eq!(series.len(), 2, "the matched series, once each");
    assert!(series[0].starts_with("    POD  container_memory_working_set_bytes{container=\"POD\""));
    assert!(
        series[0].ends_with(" 180224 1636128356871"),
        "{}",
        series[0]
    );
    assert!(series[1].starts_with(
        "    centos-tools  container_memory_working_set_bytes{container=\"centos-tools\""
    ));
    assert!(
        series[1].ends_with(" 8.8784896e+07 1636128359127"),
        "{}",
        series[1]
    );
    for (s, line) in series.iter().zip(&ws) {
        assert!(s.ends_with(line), "shown verbatim from the evidence: {s}");
    }
}

#[test]
fn findings_keep_the_models_order_with_a_marker_per_severity() {
    let mut l = lineage_of(SEED);
    let all = [
        Severity::Disagree,
        Severity::DoubleCount,
        Severity::Missing,
        Severity::Warn,
        Severity::Info,
    ];
    let mut base = l.findings[0].clone();
    l.findings = all
        .iter()
        .enumerate()
        .map(|(i, s)| {
            base.code = format!("code-{i}");
            base.severity = *s;
            base.clone()
        })
        .collect();
    let main = text(&l, 80, false);
    let marks: Vec<&str> = main
        .lines()
        .filter(|l| l.contains("[code-"))
        .map(|l| &l[..l.find(" [code-").unwrap()])
        .collect();
    assert_eq!(marks, ["  ✗ ", "  2×", "  ? ", "  ! ", "  • "]);
    let md = markdown(&l);
    let tags: Vec<&str> = md
        .lines()
        .filter(|l| l.contains(" `code-"))
        .map(|l| &l[..l.find(" `code-").unwrap()])
        .collect();
    assert_eq!(
        tags,
        [
            "- **disagree**",
            "- **double count**",
            "- **missing**",
            "- **warning**",
            "- info"
        ]
    );
}

#[test]
fn the_top_number_is_never_green_when_the_answer_says_it_misleads() {
    let opts = TextOptions {
        color: true,
        width: 80,
        details: false,
    };
    let kic = draw(&kic(), Format::Text, opts);
    let row = kic
        .lines()
        .find(|l| l.starts_with("  coredns-5c98db65d4-m76hk  "))
        .unwrap();
    assert!(row.contains("\u{1b}[31m26Mi\u{1b}[0m"), "{row:?}");
    let what = kic
        .lines()
        .find(|l| l.contains("26Mi` = the working set"))
        .unwrap();
    assert!(
        what.contains("\u{1b}[31m`26Mi` = the working set"),
        "{what:?}"
    );
    let green: Vec<&str> = kic
        .lines()
        .filter(|l| l.contains("\u{1b}[32m") && l.contains("26Mi"))
        .collect();
    assert!(green.is_empty(), "{green:?}");
    let seed = draw(&seed(), Format::Text, opts);
    let row = seed
        .lines()
        .find(|l| l.starts_with("  blockvol-fs-1  19m"))
        .unwrap();
    assert!(row.contains("\u{1b}[32m84Mi\u{1b}[0m"), "{row:?}");
}
