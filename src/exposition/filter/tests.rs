use super::*;

fn filter_in_chunks(body: &[u8], sel: &PodSelector, sizes: &mut dyn FnMut() -> usize) -> Vec<u8> {
    let mut filter = PodLineFilter::new(sel.clone());
    let (mut out, mut rest) = (Vec::new(), body);
    while !rest.is_empty() {
        let (chunk, tail) = rest.split_at(sizes().clamp(1, rest.len()));
        filter.push(chunk, &mut out);
        rest = tail;
    }
    filter.finish(&mut out);
    out
}

fn xorshift(seed: u64) -> impl FnMut() -> u64 {
    let mut state = seed;
    move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    }
}

fn assert_chunking_invariant(body: &[u8], sel: &PodSelector, with_single_bytes: bool) {
    let whole = filter_all(body, sel);
    let mut fixed: Vec<usize> = vec![7, 4096, 65_536];
    if with_single_bytes {
        fixed.push(1);
    }
    for size in fixed {
        assert_eq!(
            filter_in_chunks(body, sel, &mut || size),
            whole,
            "chunks of {size}, {sel:?}"
        );
    }
    let mut rng = xorshift(0x2545_f491_4f6c_dd1d);
    let mut sizes = move || (rng() % 9000) as usize + 1;
    assert_eq!(
        filter_in_chunks(body, sel, &mut sizes),
        whole,
        "random chunks, {sel:?}"
    );
}

/// Cases over the real-data corpus, checked against a full parse.
mod dumps;

#[test]
fn cgroup_paths() {
    let uid = "d2e71e36-10d0-11e8-bd5a-42010af00137";
    let sd = "d2e71e36_10d0_11e8_bd5a_42010af00137";
    let yes = [
        format!("/kubepods/burstable/pod{uid}"),
        format!("/kubepods/burstable/pod{uid}/326b38"),
        format!("/docker/08cb/kubepods/pod{uid}/x"),
        format!("/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod{sd}.slice"),
        format!("/kubepods.slice/kubepods-besteffort-pod{sd}.slice/docker-1.scope"),
        format!("/kubepods.slice/kubepods-pod{sd}.slice"),
    ];
    let no = [
        format!("/kubepods/burstable/pod{uid}0"),
        format!("/kubepods/burstable/pod{}", &uid[..20]),
        format!("/kubepods/burstable/xpod{uid}"),
        format!("/kubepods/burstable/k8s_x_{uid}_0"),
        format!("/kubepods.slice/kubepods--pod{sd}.slice"),
        format!("/kubepods.slice/kubepods-a-b-pod{sd}.slice"),
        format!("/kubepods.slice/kubepods-burstable-pod{uid}.slice"),
        format!("/kubepods.slice/xkubepods-pod{sd}.slice"),
        format!("/kubepods.slice/kubepods-pod{sd}.slicex"),
    ];
    assert!(yes.iter().all(|p| cgroup_path_has_pod(p, uid)), "{yes:?}");
    assert!(!no.iter().any(|p| cgroup_path_has_pod(p, uid)), "{no:?}");
    assert!(!cgroup_path_has_pod("/kubepods/burstable/pod", ""));
}

const SMALL: &str = "# HELP a A.\n# TYPE a gauge\n\
        a{namespace=\"ns\",pod=\"web-10\"} 1\n\
        a{namespace=\"other\",pod=\"web-1\"} 2\n\
        # HELP b B.\n# TYPE b counter\n# a comment \"web-1\"\n\
        b{namespace=\"ns\",pod=\"web-1\"} 3\n\
        b{namespace=\"ns\",pod=\"web-1\",x=\"#\"} 4\n\n\
        # HELP d D1.\n# TYPE d gauge\nd{namespace=\"ns\",pod=\"web-10\"} 0\n\
        # HELP h H.\n# TYPE h histogram\n\
        h_bucket{namespace=\"ns\",pod=\"web-1\",le=\"1\"} 1\n\
        h_sum{namespace=\"ns\",pod=\"web-1\"} 1\n\
        c{namespace=\"ns\",pod_name=\"web-1\",v=\"ünï\"} 5\n\
        # HELP b B again.\nb{namespace=\"ns\",pod=\"web-1\"} 6\n\
        # HELP d D2.\nd{namespace=\"ns\",pod=\"web-1\"} 7\n\
        junk{namespace=\"ns\",pod=\"web-1\"} oops\n\
        e{pod=\"web-1\"} 8\n\
        f{namespace=\"ns\",pod=\"web-1\"} 9";

const SMALL_KEPT: &str = "# HELP b B.\n# TYPE b counter\n\
        b{namespace=\"ns\",pod=\"web-1\"} 3\n\
        b{namespace=\"ns\",pod=\"web-1\",x=\"#\"} 4\n\
        # HELP h H.\n# TYPE h histogram\n\
        h_bucket{namespace=\"ns\",pod=\"web-1\",le=\"1\"} 1\n\
        h_sum{namespace=\"ns\",pod=\"web-1\"} 1\n\
        c{namespace=\"ns\",pod_name=\"web-1\",v=\"ünï\"} 5\n\
        b{namespace=\"ns\",pod=\"web-1\"} 6\n\
        # HELP d D2.\n# TYPE d gauge\nd{namespace=\"ns\",pod=\"web-1\"} 7\n\
        junk{namespace=\"ns\",pod=\"web-1\"} oops\n\
        f{namespace=\"ns\",pod=\"web-1\"} 9\n";

#[test]
fn metadata_prefixes_and_namespaces() {
    let sel = PodSelector::new("ns", "web-1");
    let mut filter = PodLineFilter::new(sel.clone());
    let mut out = Vec::new();
    filter.push(SMALL.as_bytes(), &mut out);
    assert!(
        !out.ends_with(b"9\n"),
        "the unterminated line waits for finish"
    );
    filter.finish(&mut out);
    assert_eq!(String::from_utf8(out).unwrap(), SMALL_KEPT);
    let stats = filter.stats();
    assert_eq!(
        (stats.lines_in, stats.lines_kept, stats.meta_lines_kept),
        (25, 8, 6)
    );
    // Issue 9: the unreadable `junk` line of the pod is kept (for the parser to report).
    assert_eq!((stats.unreadable, stats.unreadable_kept), (1, 1));
    assert_eq!(stats.bytes_out, SMALL_KEPT.len() as u64);
    assert_chunking_invariant(SMALL.as_bytes(), &sel, true);
    let ten = String::from_utf8(filter_all(
        SMALL.as_bytes(),
        &PodSelector::new("ns", "web-10"),
    ))
    .unwrap();
    assert_eq!(ten.lines().filter(|l| !l.starts_with('#')).count(), 2);
    assert!(filter_all(SMALL.as_bytes(), &PodSelector::new("other", "web-10")).is_empty());
}

#[test]
fn crlf_empty_and_unterminated_input() {
    let sel = PodSelector::new("ns", "web-1");
    assert!(filter_all(b"", &sel).is_empty());
    let mut filter = PodLineFilter::new(sel.clone());
    filter.finish(&mut Vec::new());
    assert_eq!(filter.stats(), FilterStats::default());
    let crlf = SMALL.replace('\n', "\r\n");
    let out = filter_all(crlf.as_bytes(), &sel);
    let expected: String = SMALL_KEPT.lines().map(|l| format!("{l}\r\n")).collect();
    assert_eq!(
        String::from_utf8(out).unwrap(),
        expected.trim_end_matches("\r\n").to_owned() + "\n"
    );
    assert_chunking_invariant(crlf.as_bytes(), &sel, true);
    assert_eq!(
        filter_all(b"m{namespace=\"ns\",pod=\"web-1\"} 1", &sel),
        b"m{namespace=\"ns\",pod=\"web-1\"} 1\n"
    );
}

#[test]
fn escaped_selector_and_line_matches() {
    let sel = PodSelector::new("ns", "we\"ird\\pod");
    let line = br#"m{namespace="ns",pod="we\"ird\\pod"} 1"#;
    assert!(line_matches(line, &sel));
    assert_eq!(filter_all(line, &sel), [line.as_slice(), b"\n"].concat());
    let web = PodSelector::new("ns", "web-1");
    assert!(line_matches(
        b"m{namespace=\"ns\",pod=\"web-1\"} 1\r\n",
        &web
    ));
    assert!(!line_matches(b"m{namespace=\"ns\",pod=\"web-10\"} 1", &web));
    assert!(!line_matches(b"m{namespace=\"ns2\",pod=\"web-1\"} 1", &web));
    assert!(!line_matches(b"m{pod=\"web-1\"} 1", &web));
    assert!(!line_matches(b"# HELP m \"web-1\"", &web));
    assert!(!line_matches(b"m{namespace=\"ns\",pod=\"web-1\"} x", &web));
    assert!(!line_matches(
        b"m{namespace=\"ns\",pod=\"web-1\",pod=\"web-1\"} 1",
        &web
    ));
    assert!(!line_matches(
        b"m{namespace=\"ns\",pod=\"web-1\xff\"} 1",
        &web
    ));
    let empty = PodSelector::new("", "");
    assert!(line_matches(b"m{namespace=\"\",pod=\"\"} 1", &empty));
    assert!(!line_matches(b"m{namespace=\"\"} 1", &empty));
}

#[test]
fn overlong_lines_are_dropped_in_every_chunking() {
    let sel = PodSelector::new("ns", "web-1");
    let long = format!(
        "m{{namespace=\"ns\",pod=\"web-1\",pad=\"{}\"}} 1",
        "x".repeat(MAX_LINE_BYTES)
    );
    assert!(!line_matches(long.as_bytes(), &sel));
    let body = format!("{long}\nm{{namespace=\"ns\",pod=\"web-1\"}} 2\n{long}");
    let out = filter_all(body.as_bytes(), &sel);
    assert_eq!(out, b"m{namespace=\"ns\",pod=\"web-1\"} 2\n");
    assert_eq!(
        filter_in_chunks(body.as_bytes(), &sel, &mut || 100_000),
        out
    );
    assert_eq!(filter_in_chunks(body.as_bytes(), &sel, &mut || 1), out);
}

#[test]
fn random_bodies_agree_with_the_line_predicate() {
    let pieces = [
        "m{namespace=\"ns\",pod=\"web-1\"} 1",
        "m{namespace=\"ns\",pod=\"web-10\"} 1",
        "m{pod=\"web-1\",namespace=\"ns\",id=\"#/pod0a-1\"} 1 5",
        "n{namespace=\"ns\",pod_name=\"web-1\",v=\"é,\\\"}\"} NaN",
        "n{namespace=\"x\",pod=\"web-1\"} 1",
        "k{id=\"/kubepods/pod0a-1/c\"} 2",
        "k{id=\"/kubepods/pod0a-10\"} 2",
        "k{id=\"/kubepods.slice/kubepods-pod0a_1.slice\"} 2",
        "# HELP m M \"web-1\"",
        "# TYPE m gauge",
        "  # TYPE n counter",
        "#",
        "",
        "m{namespace=\"ns\",pod=\"web-1\" 1",
        "\"web-1\" 0a-1 #",
    ];
    let sel = PodSelector::new("ns", "web-1").with_uid("0a-1");
    let mut rng = xorshift(0x1234_5678_9abc_def1);
    for round in 0..40 {
        let mut body = String::new();
        for _ in 0..(rng() % 60) {
            body += pieces[(rng() % pieces.len() as u64) as usize];
            body += if rng().is_multiple_of(5) {
                "\r\n"
            } else {
                "\n"
            };
        }
        if round % 2 == 0 {
            body.pop();
        }
        let expected: Vec<&str> = body
            .split('\n')
            .filter(|l| line_kept(l.as_bytes(), &sel))
            .collect();
        let out = String::from_utf8(filter_all(body.as_bytes(), &sel)).unwrap();
        let got: Vec<&str> = out
            .lines()
            .filter(|l| !l.trim_start().starts_with('#'))
            .collect();
        assert_eq!(
            got,
            expected
                .iter()
                .map(|l| l.trim_end_matches('\r'))
                .collect::<Vec<_>>(),
            "{body:?}"
        );
        assert_chunking_invariant(body.as_bytes(), &sel, true);
    }
}

fn pod_line(i: usize) -> String {
    format!("m{{namespace=\"csi\",pod=\"p\",i=\"{i}\"}} {i}\n")
}

#[test]
fn keeping_stops_at_the_line_limit_and_says_it_was_cut() {
    let sel = PodSelector::new("csi", "p");
    let mut body = String::from("# HELP m help\n# TYPE m gauge\n");
    (0..5).for_each(|i| body.push_str(&pod_line(i)));
    let limits = KeepLimits {
        lines: 3,
        bytes: 1 << 20,
    };
    let mut f = PodLineFilter::new(sel).with_limits(limits);
    let mut out = Vec::new();
    let (a, b) = body.as_bytes().split_at(50);
    f.push(a, &mut out);
    f.push(b, &mut out);
    f.finish(&mut out);
    let want = format!(
        "# HELP m help\n# TYPE m gauge\n{}{}{}",
        pod_line(0),
        pod_line(1),
        pod_line(2)
    );
    assert_eq!(String::from_utf8(out).unwrap(), want);
    assert!(f.is_full());
    let st = f.stats();
    assert_eq!((st.lines_kept, st.meta_lines_kept, st.cut), (3, 2, true));
    assert_eq!(st.bytes_out, want.len() as u64);
}

#[test]
fn keeping_stops_before_the_byte_limit_counting_metadata() {
    let sel = PodSelector::new("csi", "p");
    let body = format!("# TYPE m gauge\n{}{}", pod_line(0), pod_line(1));
    let first = "# TYPE m gauge\n".len() + pod_line(0).len();
    let limits = KeepLimits {
        lines: 100,
        bytes: first as u64 + 5,
    };
    let mut f = PodLineFilter::new(sel).with_limits(limits);
    let mut out = Vec::new();
    f.push(body.as_bytes(), &mut out);
    f.finish(&mut out);
    assert_eq!(out.len(), first);
    assert!(f.stats().cut);
    // Nothing is scanned once full: later chunks only count as read.
    f.push(pod_line(2).as_bytes(), &mut out);
    assert_eq!(out.len(), first);
}

#[test]
fn metadata_of_endless_distinct_families_is_not_all_held() {
    let sel = PodSelector::new("csi", "p");
    let mut f = PodLineFilter::new(sel);
    let mut out = Vec::new();
    let help = "x".repeat(1000);
    for i in 0..5000 {
        f.push(format!("# HELP f{i} {help}\n").as_bytes(), &mut out);
        assert!(
            f.pending_meta <= MAX_PENDING_META_BYTES,
            "{}",
            f.pending_meta
        );
    }
    assert!(f.families.len() < 1100, "{}", f.families.len());
    // The current family's metadata is still written before its first kept sample.
    f.push(
        b"# TYPE f4999 gauge\nf4999{namespace=\"csi\",pod=\"p\"} 1\n",
        &mut out,
    );
    let text = String::from_utf8(out).unwrap();
    assert_eq!(
        text,
        format!(
            "# HELP f4999 {help}\n# TYPE f4999 gauge\nf4999{{namespace=\"csi\",pod=\"p\"}} 1\n"
        )
    );
}

#[test]
fn unreadable_lines_that_mention_the_pod_are_kept_or_counted_never_dropped_unseen() {
    // Issue 9, defect 7: these used to vanish before the parser saw them.
    let sel = PodSelector::new("ns", "web-1");
    let broken = "m{namespace=\"ns\",pod=\"web-1\" 1";
    let bad_value = "m{namespace=\"ns\",pod=\"web-1\"} x";
    let dup = "m{namespace=\"ns\",pod=\"web-1\",pod=\"web-1\"} 1";
    let good = "m{namespace=\"ns\",pod=\"web-1\"} 2";
    let long = format!(
        "m{{namespace=\"ns\",pod=\"web-1\",pad=\"{}\"}} 1",
        "x".repeat(MAX_LINE_BYTES)
    );
    let wide = format!(
        "m{{namespace=\"ns\",pod=\"web-1\" {}",
        "x".repeat(MAX_UNREADABLE_LINE_BYTES)
    );
    let mut body =
        format!("# HELP m M\n{broken}\n{bad_value}\nother{{pod=\"web-2\"}} x\n{dup}\n{wide}\n")
            .into_bytes();
    body.extend_from_slice(b"m{namespace=\"ns\",pod=\"web-1\",v=\"\xff\"} 1\n");
    body.extend_from_slice(format!("{long}\n{good}\n").as_bytes());
    for size in [1, 7, 4096, usize::MAX] {
        let mut filter = PodLineFilter::new(sel.clone());
        let mut out = Vec::new();
        for chunk in body.chunks(size.min(body.len())) {
            filter.push(chunk, &mut out);
        }
        filter.finish(&mut out);
        assert_eq!(
            String::from_utf8(out).unwrap(),
            format!("{broken}\n{bad_value}\n{dup}\n# HELP m M\n{good}\n"),
            "chunks of {size}"
        );
        let st = filter.stats();
        assert_eq!(
            (st.unreadable, st.unreadable_kept, st.lines_kept),
            (6, 3, 1),
            "chunks of {size}"
        );
        assert!(st.readable);
    }
}

#[test]
fn a_garbage_body_is_not_readable_and_its_head_is_kept() {
    let sel = PodSelector::new("ns", "web-1");
    let mut filter = PodLineFilter::new(sel.clone());
    let mut out = Vec::new();
    filter.push(b"<html><body>502 Bad Gateway</body></html>\n<p>", &mut out);
    filter.finish(&mut out);
    assert!(out.is_empty());
    assert!(!filter.stats().readable);
    assert_eq!(filter.head(), b"<html><body>502 Bad Gateway</body></html>");
    let mut plain = PodLineFilter::new(sel);
    plain.push(b"other{pod=\"x\"} 1\n", &mut out);
    plain.finish(&mut out);
    assert!(
        plain.stats().readable,
        "a body of other pods' samples is readable"
    );
}

#[test]
fn an_unreadable_line_that_does_not_fit_is_counted_and_cuts_nothing() {
    let sel = PodSelector::new("ns", "web-1");
    let mut filter = PodLineFilter::new(sel).with_limits(KeepLimits {
        lines: 10,
        bytes: 40,
    });
    let mut out = Vec::new();
    let body = "m{namespace=\"ns\",pod=\"web-1\",padding=\"xxxxxxxx\" 1\nm{namespace=\"ns\",pod=\"web-1\"} 2\n";
    filter.push(body.as_bytes(), &mut out);
    filter.finish(&mut out);
    assert_eq!(out, b"m{namespace=\"ns\",pod=\"web-1\"} 2\n");
    let st = filter.stats();
    assert_eq!((st.cut, st.unreadable, st.unreadable_kept), (false, 1, 0));
}
