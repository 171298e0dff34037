use super::*;

use crate::exposition::PodSelector;

fn filtered() -> Sink {
    let sel = PodSelector::new("csi", "blockvol-fs-1").with_uid("8f3c2a61");
    Sink::new(Some(PodLineFilter::new(sel)), 1024)
}

#[test]
fn an_unfiltered_body_is_kept_whole_up_to_the_cap() {
    let mut sink = Sink::new(None, 20);
    assert_eq!(sink.push(b"{\"kind\":"), Next::More);
    assert_eq!(sink.push(b"\"Pod\"}"), Next::More);
    assert_eq!(sink.read, 14);
    assert_eq!(sink.push(&[b' '; 7]), Next::TooLarge, "over the cap");
    assert_eq!(sink.finish(), ("{\"kind\":\"Pod\"}".to_string(), None));
}

#[test]
fn a_filtered_body_keeps_the_pods_lines_and_says_what_it_kept() {
    let mut sink = filtered();
    let body = "# TYPE m gauge\nm{namespace=\"csi\",pod=\"blockvol-fs-1\"} 1\nm{namespace=\"csi\",pod=\"other\"} 2\n";
    // Split mid-line: the filter must join chunks.
    let (a, b) = body.split_at(30);
    assert_eq!(sink.push(a.as_bytes()), Next::More);
    assert_eq!(sink.push(b.as_bytes()), Next::More);
    let (text, note) = sink.finish();
    assert_eq!(
        text,
        "# TYPE m gauge\nm{namespace=\"csi\",pod=\"blockvol-fs-1\"} 1\n"
    );
    assert_eq!(
        note.as_deref(),
        Some(
            "lines with namespace=\"csi\" and pod=\"blockvol-fs-1\" (or legacy pod_name) (+ cgroups of pod uid 8f3c2a61), plus their # HELP/# TYPE; kept 1 of 3 lines (89 bytes read)"
        )
    );
}

#[test]
fn a_filtered_body_stops_at_the_read_limit_and_says_so() {
    let line = "m{namespace=\"csi\",pod=\"blockvol-fs-1\"} 1\n";
    let mut sink = filtered().with_read_cap(line.len() as u64 + 10);
    assert_eq!(sink.push(line.as_bytes()), Next::More);
    // The cap falls inside the second line: it is not kept half.
    assert_eq!(sink.push(line.as_bytes()), Next::Done);
    let (text, note) = sink.finish();
    assert_eq!(text, line);
    assert_eq!(
        note.as_deref(),
        Some(
            "lines with namespace=\"csi\" and pod=\"blockvol-fs-1\" (or legacy pod_name) (+ cgroups of pod uid 8f3c2a61), plus their # HELP/# TYPE; kept 1 of 1 lines (51 bytes read); ktrace limit reached: stopped reading after 51 bytes (decoded), the most ktrace reads of one kubelet body; pod lines after that were not seen"
        )
    );
}

#[test]
fn a_filtered_body_stops_once_the_keep_limit_is_reached() {
    let mut sink = filtered();
    let line = "m{namespace=\"csi\",pod=\"blockvol-fs-1\"} 1\n".repeat(1000);
    let mut pushes = 0;
    while sink.push(line.as_bytes()) == Next::More {
        pushes += 1;
        assert!(pushes < 100, "never full");
    }
    let (text, note) = sink.finish();
    assert_eq!(text.lines().count(), 20_000);
    let note = note.unwrap();
    assert!(
        note.ends_with("; ktrace limit reached: kept the first 20000 lines / 8 MiB of the pod's lines, the most ktrace keeps of one kubelet body; the rest of the body was not read"),
        "{note}"
    );
}

#[test]
fn unreadable_pod_lines_and_a_garbage_body_are_said_in_the_note() {
    // Issue 9, defect 7.
    let mut sink = filtered();
    let body = "# TYPE m gauge\nm{namespace=\"csi\",pod=\"blockvol-fs-1\" 1\n";
    assert_eq!(sink.push(body.as_bytes()), Next::More);
    let (text, note) = sink.finish();
    assert_eq!(text, "m{namespace=\"csi\",pod=\"blockvol-fs-1\" 1\n");
    assert!(
        note.as_deref().unwrap().ends_with(
            "kept 0 of 2 lines (55 bytes read); 1 lines mention the pod but could not be read (1 kept)"
        ),
        "{note:?}"
    );
    let mut sink = filtered();
    assert_eq!(sink.push(b"<html>\x1b[2J 502"), Next::More);
    let (text, note) = sink.finish();
    assert_eq!(text, "");
    assert!(
        note.as_deref().unwrap().ends_with(
            "kept 0 of 1 lines (14 bytes read); no line of the body is in the Prometheus text format; it begins \"<html>\\u{1b}[2J 502\""
        ),
        "{note:?}"
    );
}
