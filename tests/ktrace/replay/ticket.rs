//! The Markdown ticket report, in process: answer first, the Mermaid diagram with the real
//! values, evidence that cannot break out of its block, and the JSON fields of the answer.

use ktrace::lineage::{Excerpt, Lineage};
use ktrace::render::{self, Format, TextOptions};

use super::layout::{BUNDLES, lineage_of};
use crate::support::fixtures::SEED;

fn markdown(l: &Lineage) -> String {
    let mut out = Vec::new();
    render::render(l, Format::Markdown, TextOptions::default(), &mut out).unwrap();
    String::from_utf8(out).unwrap()
}

fn seed() -> Lineage {
    lineage_of(SEED)
}

/// The lines of the first ```mermaid block.
fn mermaid(md: &str) -> Vec<&str> {
    let start = md.find("\n```mermaid\n").expect("a mermaid block") + "\n```mermaid\n".len();
    md[start..].lines().take_while(|l| *l != "```").collect()
}

/// Every fenced block closes, and the headings that matter are outside them: returns the
/// lines outside any fence.
pub fn outside_fences(md: &str) -> Vec<&str> {
    let mut open: Option<usize> = None;
    let mut outside = Vec::new();
    for line in md.lines() {
        let ticks = line.chars().take_while(|c| *c == '`').count();
        match open {
            None if ticks >= 3 => open = Some(ticks),
            None => outside.push(line),
            Some(n) if ticks >= n && line.trim_start_matches('`').trim().is_empty() => open = None,
            Some(_) => {}
        }
    }
    assert_eq!(open, None, "a fence is left open");
    outside
}

#[test]
fn markdown_puts_the_answer_first_and_the_evidence_last() {
    let md = markdown(&seed());
    let order = [
        "# ktrace: `csi/blockvol-fs-1` memory lineage\n",
        "\n**Why does `kubectl top pod` say 84Mi for csi/blockvol-fs-1?**\n",
        "\n- **what**: `84Mi` = the working set of 2 containers",
        "\n- **made of**: centos-tools 84.7Mi = 3.1Mi process memory (rss) + 81.6Mi active page cache",
        "\n**Verdict:** consistent · exit 0: every layer present and every value agrees.\n",
        "\n## Lineage (memory)\n",
        "\n| ← cAdvisor series Σ | 84.8Mi | 176.0Ki | 84.7Mi |\n",
        "\n| = process memory (rss) | 3.1Mi | 40.0Ki | 3.1Mi |\n",
        "\n```mermaid\nflowchart RL\n",
        "\n## Findings (worst first)\n",
        "\n## Evidence\n",
        "\n### What `kubectl top pod` prints\n",
        "\n### Source series (matched by the backend's selector)\n",
        "\n### What each working set is made of (exact bytes)\n",
        "\n### Evidence excerpts (verbatim)\n",
        "\n### Reproduce by hand\n",
    ];
    let at: Vec<usize> = order
        .iter()
        .map(|s| md.find(s).unwrap_or_else(|| panic!("{s:?} missing:\n{md}")))
        .collect();
    assert!(at.is_sorted(), "{at:?}");
    assert!(md.contains("\n<details><summary>Metrics API PodMetrics — /apis/metrics.k8s.io/v1beta1/namespaces/csi/pods/blockvol-fs-1</summary>\n"));
    assert!(md.contains("\n- `centos-tools`: `working_set 88784896 = rss 3256320 + active_file 85528576 + kernel/other 0`\n"));
    for (name, _) in BUNDLES {
        outside_fences(&markdown(&lineage_of(name)));
    }
}

#[test]
fn the_mermaid_diagram_carries_the_real_values() {
    let md = markdown(&seed());
    let got = mermaid(&md);
    let want = [
        "flowchart RL",
        "  top[\"kubectl top pod<br>84Mi\"]",
        "  api0[\"PodMetrics POD<br>176Ki = 176.0Ki\"]",
        "  be0[\"adapter query POD<br>176.0Ki\"]",
        "  cad0[\"cAdvisor Σ POD<br>176.0Ki\"]",
        "  api0 --> top",
        "  be0 --> api0",
        "  cad0 --> be0",
        "  p0_0[\"process memory (rss)<br>40.0Ki\"]",
        "  p0_0 --> cad0",
        "  p0_1[\"active page cache<br>136.0Ki\"]",
        "  p0_1 --> cad0",
        "  p0_2[\"kernel/other<br>0 B\"]",
        "  p0_2 --> cad0",
        "  api1[\"PodMetrics centos-tools<br>86704Ki = 84.7Mi\"]",
        "  be1[\"adapter query centos-tools<br>84.7Mi\"]",
        "  cad1[\"cAdvisor Σ centos-tools<br>84.7Mi\"]",
        "  api1 --> top",
        "  be1 --> api1",
        "  cad1 --> be1",
        "  p1_0[\"process memory (rss)<br>3.1Mi\"]",
        "  p1_0 --> cad1",
        "  p1_1[\"active page cache<br>81.6Mi\"]",
        "  p1_1 --> cad1",
        "  p1_2[\"kernel/other<br>0 B\"]",
        "  p1_2 --> cad1",
    ];
    assert_eq!(got, want);
}

#[test]
fn hostile_names_and_evidence_cannot_break_out_of_their_blocks() {
    let evil = "cen`to\"s]\n-tools\"] --> x[\"```";
    let mut l = seed();
    for r in &mut l.reconciliation {
        if r.container == "centos-tools" {
            r.container = evil.into();
        }
    }
    for b in &mut l.breakdown {
        if b.container.as_deref() == Some("centos-tools") {
            b.container = Some(evil.into());
            b.parts[0].label = format!("{evil} rss");
        }
    }
    l.findings[0]
        .evidence
        .push(format!("a ``` fence and `{evil}`"));
    l.excerpts.push(Excerpt {
        title: "</summary></details><script>".into(),
        request: None,
        text: format!("```\n~~~\n{evil}\n````"),
    });
    let md = markdown(&l);
    let node = regex::Regex::new(r#"^  [a-z0-9_]+\["[^"`\[\]\n]*"\]$"#).unwrap();
    let edge = regex::Regex::new(r"^  [a-z0-9_]+ -(->|\.->) [a-z0-9_]+$").unwrap();
    let lines = mermaid(&md);
    assert_eq!(lines[0], "flowchart RL");
    for line in &lines[1..] {
        assert!(node.is_match(line) || edge.is_match(line), "{line:?}");
    }
    let escaped = "cen#96;to#34;s#93;#92;u#123;a#125;-tools#34;#93; --#62; x#91;#34;#96;#96;#96;";
    let cad1 = format!("  cad1[\"cAdvisor Σ {escaped}<br>84.7Mi\"]");
    assert!(lines.contains(&cad1.as_str()), "{lines:#?}");
    let outside = outside_fences(&md);
    for heading in [
        "## Findings (worst first)",
        "## Evidence",
        "### Reproduce by hand",
    ] {
        assert!(
            outside.contains(&heading),
            "{heading} is outside every block"
        );
    }
    assert!(
        md.contains("<details><summary>&lt;/summary&gt;&lt;/details&gt;&lt;script&gt;</summary>")
    );
    assert!(md.contains("\n`````\n```\n~~~\ncen`to\"s]\n-tools\"] --> x[\"```\n````\n`````\n"));
    // The evidence ends in a run of four backticks: a five-backtick span, padded.
    assert!(md.contains("  - ````` a ``` fence and `cen`to\"s] -tools\"] --> x[\"```` `````\n"));
}

#[test]
fn json_carries_the_answer_the_breakdown_and_the_producer() {
    let mut out = Vec::new();
    render::render(&seed(), Format::Json, TextOptions::default(), &mut out).unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out).unwrap();
    let s = &v["summary"];
    assert_eq!(s["number"], "84Mi");
    assert_eq!(s["verdict"], "consistent");
    let kinds: Vec<(&str, &str)> = s["lines"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| (l["kind"].as_str().unwrap(), l["tone"].as_str().unwrap()))
        .collect();
    assert_eq!(
        kinds,
        [
            ("what", "neutral"),
            ("agreement", "good"),
            ("made_of", "neutral"),
            ("made_of", "neutral"),
            ("source", "neutral")
        ]
    );
    let b = &v["breakdown"];
    assert_eq!(b[0]["container"], serde_json::Value::Null);
    assert_eq!(b[0]["working_set"], 88965120);
    assert_eq!(b[2]["container"], "centos-tools");
    assert_eq!(b[2]["cgroup"]["version"], "v1");
    assert_eq!(
        b[2]["inactive_file"],
        serde_json::json!({"bytes": 42143744, "implied": true})
    );
    assert_eq!(
        b[2]["parts"][1],
        serde_json::json!({"name": "active_file", "label": "active page cache", "bytes": 85528576, "implied": true})
    );
    assert_eq!(b[2]["adds_up"], true);
    assert_eq!(v["producer"]["ktrace_version"], env!("CARGO_PKG_VERSION"));
}

fn json_of(l: &Lineage) -> String {
    let mut out = Vec::new();
    render::render(l, Format::Json, TextOptions::default(), &mut out).unwrap();
    String::from_utf8(out).unwrap()
}

#[test]
fn every_format_names_its_producer() {
    let l = lineage_of(SEED);
    let version = env!("CARGO_PKG_VERSION");
    let producer = format!("ktrace {version} · captured 2021-11-05T16:06:03Z by ktrace 0.1.0");
    assert!(
        super::layout::text(&l, 200, false)
            .lines()
            .nth(1)
            .unwrap()
            .starts_with(&producer)
    );
    assert!(markdown(&l).contains(&format!("\n{producer} · context `admin`")));
    let json: serde_json::Value = serde_json::from_str(&json_of(&l)).unwrap();
    assert_eq!(json["producer"]["ktrace_version"], version);
    assert_eq!(json["producer"]["evidence_ktrace_version"], "0.1.0");
}
