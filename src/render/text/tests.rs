use super::*;
use crate::lineage::{SummaryLine, Tone};

fn seed() -> Lineage {
    let bundle = include_str!("../../../fixtures/bundles/seed-ocp48-crio-cgv1.json");
    crate::lineage::analyze(&crate::evidence::read_bundle(bundle.as_bytes()).unwrap())
}

fn draw(l: &Lineage, color: bool) -> String {
    let mut out = Vec::new();
    let opts = TextOptions {
        color,
        width: 80,
        details: false,
    };
    render(l, opts, &mut out).unwrap();
    String::from_utf8(out).unwrap()
}

#[test]
fn the_verdict_is_painted_by_how_good_it_is() {
    let paints: Vec<Paint> = [
        Verdict::Consistent,
        Verdict::Drift,
        Verdict::Partial,
        Verdict::Disagree,
        Verdict::Misleading,
    ]
    .into_iter()
    .map(verdict_paint)
    .collect();
    assert_eq!(
        paints,
        [
            Paint::Good,
            Paint::Good,
            Paint::Warn,
            Paint::Bad,
            Paint::Bad
        ]
    );
    let mut l = seed();
    l.verdict = Verdict::Disagree;
    let out = draw(&l, true);
    assert!(
        out.contains("Verdict:\u{1b}[0m \u{1b}[31mdisagree · exit 4: "),
        "{out}"
    );
}

#[test]
fn the_top_number_is_green_only_when_nothing_says_it_misleads() {
    let mut l = seed();
    assert_eq!(number_paint(&l), Paint::Good);
    l.summary.lines = vec![SummaryLine {
        kind: SummaryKind::Agreement,
        text: "the adapter's sum holds a stale container".into(),
        tone: Tone::Warn,
    }];
    assert_eq!(number_paint(&l), Paint::Warn);
    l.summary.lines.push(SummaryLine {
        kind: SummaryKind::What,
        text: "84Mi = working set of 2 containers".into(),
        tone: Tone::Good,
    });
    assert_eq!(number_paint(&l), Paint::Warn);
    let out = draw(&l, true);
    let what = out.lines().find(|s| s.contains("84Mi = working")).unwrap();
    assert!(!what.contains("\u{1b}[32m"), "{what:?}");
    assert!(out.contains("  blockvol-fs-1  19m         \u{1b}[33m84Mi\u{1b}[0m"));
    l.summary.lines[0].tone = Tone::Bad;
    assert_eq!(number_paint(&l), Paint::Bad);
    l.summary.lines.clear();
    l.verdict = Verdict::Misleading;
    assert_eq!(number_paint(&l), Paint::Bad);
}

#[test]
fn headline_lines_hang_under_their_labels() {
    let mut l = seed();
    l.summary.lines = vec![SummaryLine {
        kind: SummaryKind::MadeOf,
        text: "centos-tools 84.7Mi = 3.1Mi process memory (rss) + 81.6Mi active page cache + 0 B kernel/other".into(),
        tone: Tone::Neutral,
    }];
    let out = draw(&l, false);
    assert!(out.contains(
        "\n  made of  centos-tools 84.7Mi = 3.1Mi process memory (rss) + 81.6Mi active page\n           cache + 0 B kernel/other\n"
    ), "{out}");
}
