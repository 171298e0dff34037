use super::*;

#[test]
fn limits_are_named_in_seconds_or_milliseconds() {
    assert_eq!(human(Duration::from_secs(30)), "30s");
    assert_eq!(human(Duration::from_secs(300)), "300s");
    assert_eq!(human(Duration::from_millis(1500)), "1500ms");
}

#[test]
fn an_unfiltered_body_is_kept_whole_up_to_the_cap() {
    let mut sink = Sink::new(None);
    assert!(sink.push(b"{\"kind\":"));
    assert!(sink.push(b"\"Pod\"}"));
    assert_eq!(sink.read, 14);
    assert!(!sink.push(&vec![b' '; MAX_UNFILTERED_BODY]), "over the cap");
    assert_eq!(sink.finish(), ("{\"kind\":\"Pod\"}".to_string(), None));
}

#[test]
fn a_filtered_body_keeps_the_pods_lines_and_says_what_it_kept() {
    let sel = PodSelector::new("csi", "blockvol-fs-1").with_uid("8f3c2a61");
    let mut sink = Sink::new(Some(PodLineFilter::new(sel)));
    let body = "# TYPE m gauge\nm{namespace=\"csi\",pod=\"blockvol-fs-1\"} 1\nm{namespace=\"csi\",pod=\"other\"} 2\n";
    // Split mid-line: the filter must join chunks.
    let (a, b) = body.split_at(30);
    assert!(sink.push(a.as_bytes()) && sink.push(b.as_bytes()));
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
