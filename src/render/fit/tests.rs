use super::*;

#[test]
fn wrapping_hangs_the_continuation_under_the_text() {
    let lines = wrap(
        "  made of  ",
        "centos-tools 84.7Mi = 3.1Mi process memory (rss) + 81.6Mi active page cache + 0 B kernel/other",
        60,
    );
    assert_eq!(
        lines,
        [
            "  made of  centos-tools 84.7Mi = 3.1Mi process memory (rss)",
            "           + 81.6Mi active page cache + 0 B kernel/other",
        ]
    );
    assert!(lines.iter().all(|l| width(l) <= 60));
    assert_eq!(wrap("- ", "a\nb", 80), ["- a", "  b"]);
    assert_eq!(wrap("", "", 80), [""]);
}

#[test]
fn a_word_longer_than_the_room_is_broken_not_lost() {
    let word = "x".repeat(50);
    let lines = wrap("ab ", &word, 27);
    assert_eq!(
        lines,
        [
            format!("ab {}", "x".repeat(24)),
            format!("   {}", "x".repeat(24)),
            "   xx".into()
        ]
    );
}

#[test]
fn paint_is_applied_per_line() {
    let lines = wrap_with("> ", "one two", 2 + MIN_ROOM, |s| format!("[{s}]"));
    assert_eq!(lines, ["> [one two]"]);
}

#[test]
fn long_values_are_elided_in_the_middle_ids_first() {
    let id = "/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod8f3c2a61_5b7e_4d2a_9c41_0e6d9b1f7a35.slice/crio-12b0fa93cf1848b72bd8e570394fff29a5c293ae76edbbc7adb797a145b7c221.scope";
    assert_eq!(elide(id, 200), id, "fits: kept whole");
    assert_eq!(elide(id, 60), "/kubepods.slice/…/crio-12b0fa93….scope");
    let image = "quay.io/openshift-release-dev/ocp-v4.0-art-dev@sha256:698e191c7cf897649a69a4f837d9cca6be64c7f2119349e6cefe0989082976eb";
    assert_eq!(
        elide(image, 70),
        "quay.io/openshift-release-dev/ocp-v4.0-art-dev@sha256:698e191c…"
    );
    let plain = "abcdefghijklmnopqrstuvwxyz";
    assert_eq!(elide(plain, 9), "abcd…wxyz");
    assert_eq!(elide(plain, 1), "…");
    let url = "https://prometheus-k8s.openshift-monitoring.svc:9091/api/v1/query?query=up";
    assert_eq!(elide(url, 40), "https://…/query?query=up");
}

#[test]
fn tables_keep_their_columns_and_split_into_blocks_when_too_wide() {
    let rows: Vec<Vec<String>> = vec![
        vec!["K".into(), "aaaa".into(), "bbbb".into(), "cccc".into()],
        vec!["key".into(), "1".into(), "2".into(), "3".into()],
    ];
    assert_eq!(
        table(&rows, 1, "  ", 80),
        ["  K    aaaa  bbbb  cccc", "  key  1     2     3"]
    );
    assert_eq!(
        table(&rows, 1, "  ", 17),
        [
            "  K    aaaa  bbbb",
            "  key  1     2",
            "",
            "  K    cccc",
            "  key  3"
        ]
    );
    let one_col: Vec<Vec<String>> = vec![vec!["only".into()]];
    assert_eq!(table(&one_col, 1, "", 10), ["only"]);
}

#[test]
fn lists_wrap_between_their_items() {
    let items: Vec<String> = ["report by ktrace 0.1.0", "context admin", "server v1.21.1"]
        .map(String::from)
        .to_vec();
    assert_eq!(
        wrap_list("  ", &items, 42),
        [
            "  report by ktrace 0.1.0 · context admin ·",
            "  server v1.21.1"
        ]
    );
    assert_eq!(wrap_list("", &items[..1], 80), ["report by ktrace 0.1.0"]);
}
