use super::*;

use crate::exposition::tests::cadvisor_dump as fixture;

fn one(line: &str) -> Sample {
    parse_sample_line(line).unwrap()
}

fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
    list.iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

#[test]
fn quoted_values_may_hold_separators_and_escapes() {
    assert_eq!(
        one(r#"t{a="x,y",b="1"} 1"#).labels,
        pairs(&[("a", "x,y"), ("b", "1")])
    );
    assert_eq!(
        one(r#"t{a="k=v}{",b="}"} 2"#).labels,
        pairs(&[("a", "k=v}{"), ("b", "}")])
    );
    assert_eq!(
        one(r#"t{a="say \"hi\", ok"} 3"#).label("a"),
        Some(r#"say "hi", ok"#)
    );
    let s = one(r#"t{id="/system-serial\\x2dgetty.slice",m="l1\nl2",e=""} 4"#);
    assert_eq!(s.label("id"), Some(r"/system-serial\x2dgetty.slice"));
    assert_eq!(s.label("m"), Some("l1\nl2"));
    assert_eq!(s.label("e"), Some(""));
    assert_eq!(one(r#"t{a="ünï ☃"} 1"#).label("a"), Some("ünï ☃"));
}

#[test]
fn label_list_layout_variants() {
    let spaced = one("t{a=\"1\", b=\"2\" ,\tc = \"3\" } 5");
    assert_eq!(spaced.labels, pairs(&[("a", "1"), ("b", "2"), ("c", "3")]));
    assert_eq!(one(r#"t{a="1",} 6"#).labels, pairs(&[("a", "1")]));
    let empty = one("name{} 5");
    assert!(empty.labels.is_empty());
    assert_eq!((empty.name.as_str(), empty.value), ("name", 5.0));
    let bare = one("name 5");
    assert!(bare.labels.is_empty());
    assert_eq!(bare.value_text, "5");
    assert_eq!(one("  ns:sub_total {a=\"b\"}\t7  ").name, "ns:sub_total");
    assert_eq!(one("x{a=\"1\"}8").value, 8.0);
}

#[test]
fn values_and_timestamps() {
    let s = one("container_memory_working_set_bytes{pod=\"p\"} 8.8784896e+07 1687269135477");
    assert_eq!(s.value, 88_784_896.0);
    assert_eq!(s.value_text, "8.8784896e+07");
    assert_eq!(s.timestamp_ms, Some(1_687_269_135_477));
    assert!(one("t NaN").value.is_nan());
    assert_eq!(one("t +Inf").value, f64::INFINITY);
    assert_eq!(one("t -Inf").value, f64::NEG_INFINITY);
    assert_eq!(one("t -Inf").value_text, "-Inf");
    assert_eq!(one("t 1.5e-3").value, 0.0015);
    assert_eq!(one("t -0 -12").timestamp_ms, Some(-12));
    assert_eq!(one("t 12 \r\n").timestamp_ms, None);
    assert_eq!(one("t 4.0378368e+08 1687269135477\r").value, 403_783_680.0);
}

#[test]
fn sample_label_helpers() {
    let s = one(r#"m{pod="",namespace="ns"} 1"#);
    assert_eq!(s.label("namespace"), Some("ns"));
    assert_eq!(s.label("pod"), Some(""));
    assert_eq!(s.label("pod_name"), None);
    assert_eq!(s.label_or_empty("pod_name"), "");
    assert_eq!(s.label_or_empty("namespace"), "ns");
}

#[test]
fn bad_lines_are_errors() {
    let cases = [
        (r#"t{a="open} 1"#, "unterminated"),
        (r#"t{a="x\"} 1"#, "unterminated"),
        (r#"t{a="x\"#, "unterminated"),
        (r#"t{a="1"}"#, "missing value"),
        ("t", "missing value"),
        ("t 12abc", "invalid value"),
        ("t 0x1p3", "invalid value"),
        (r#"t{1a="1"} 1"#, "invalid label name"),
        (r#"t{a-b="1"} 1"#, "expected '='"),
        (r#"t{,} 1"#, "invalid label name"),
        (r#"t{a=1} 1"#, "expected '\"'"),
        (r#"t{a="1" b="2"} 1"#, "expected ','"),
        (r#"t{a="\t"} 1"#, "invalid escape"),
        (r#"t{a="1",a="2"} 1"#, "duplicate label a"),
        ("t 1 2 3", "unexpected text"),
        ("t 1 1.5", "invalid timestamp"),
        ("9t 1", "invalid metric name"),
        ("t-x 1", "unexpected character"),
        ("{a=\"1\"} 1", "invalid metric name"),
    ];
    for (line, want) in cases {
        let err = parse_sample_line(line).unwrap_err();
        assert!(err.contains(want), "{line:?}: {err:?} lacks {want:?}");
    }
    assert!(parse_sample_line("# HELP t x").is_err());
    assert!(parse_sample_line("   ").is_err());
}

#[test]
fn huge_and_hostile_lines_never_panic() {
    let long = "x".repeat(MAX_LINE_BYTES + 1);
    assert!(parse_sample_line(&long).unwrap_err().contains("too long"));
    let braces = format!("t{}", "{".repeat(100_000));
    assert!(parse_sample_line(&braces).is_err());
    let many = format!(
        "t{{{}}} 1",
        (0..20_000)
            .map(|i| format!("l{i}=\"v\","))
            .collect::<String>()
    );
    assert_eq!(parse_sample_line(&many).unwrap().labels.len(), 20_000);
    let alphabet: Vec<char> = "{}\",=\\ \t\n\r#a1.e+-_:éNI".chars().collect();
    let mut state = 0x9e37_79b9_7f4a_7c15_u64;
    let mut junk = String::new();
    for _ in 0..200_000 {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        junk.push(alphabet[(state % alphabet.len() as u64) as usize]);
    }
    let parsed = parse(&junk);
    assert!(parsed.issues.len() <= MAX_ISSUES + 1);
    let real = fixture("nri-k8s-1.35-minikube-containerd2-cgv2.prom");
    let line = real.lines().find(|l| l.contains("qdcxt")).unwrap();
    for (cut, _) in line.char_indices() {
        let _ = parse_sample_line(&line[..cut]);
        let _ = parse_sample_line(&line[cut..]);
    }
}

#[test]
fn whole_text_with_metadata_comments_crlf_and_issues() {
    let text = "# HELP m Memory \\\\ in\\nbytes.\r\n# TYPE m gauge\r\n\r\n# just a comment\r\n\
                    m{pod=\"a\"} 1 10\r\nm{pod=\"b\" 2\r\n  \t\r\n#TYPE n counter\nn_total 3\n# TYPE o bogus\n";
    let e = parse(text);
    assert_eq!(e.samples.len(), 2);
    assert_eq!(
        (e.samples[0].line, e.samples[0].timestamp_ms),
        (5, Some(10))
    );
    assert_eq!(
        (e.samples[1].name.as_str(), e.samples[1].line),
        ("n_total", 9)
    );
    let m = e.family("m").unwrap();
    assert_eq!(m.help.as_deref(), Some("Memory \\ in\nbytes."));
    assert_eq!(m.kind.as_deref(), Some("gauge"));
    assert_eq!(e.family("n").unwrap().kind.as_deref(), Some("counter"));
    assert_eq!(e.families.len(), 2);
    let lines: Vec<usize> = e.issues.iter().map(|i| i.line).collect();
    assert_eq!(lines, [6, 10]);
    assert!(e.issues[1].message.contains("unknown metric type"));
}

#[test]
fn every_sample_and_metadata_line_is_read_back_verbatim() {
    let text = "# HELP m Memory \\\\ in.\r\n# TYPE m gauge\n# HELP m again\n\
                \t m{id=\"a\\\\b\",c=\"\"} 8.8784896e+07 10\r\nm 2\n";
    let e = parse(text);
    let shown: Vec<&str> = e.samples.iter().map(|s| e.verbatim(&s.span)).collect();
    assert_eq!(
        shown,
        ["\t m{id=\"a\\\\b\",c=\"\"} 8.8784896e+07 10", "m 2"]
    );
    let m = e.family("m").unwrap();
    let meta: Vec<&str> = m.spans.iter().map(|s| e.verbatim(s)).collect();
    assert_eq!(meta, ["# HELP m Memory \\\\ in.", "# TYPE m gauge"]);
    assert_eq!(e.verbatim(&(1000..1001)), "");
    assert_eq!(parse_sample_line("m{a=\"1\"} 5\r\n").unwrap().span, 0..10);
}

#[test]
fn issues_are_capped() {
    let text = "bad line\n".repeat(MAX_ISSUES + 50);
    let e = parse(&text);
    assert_eq!(e.issues.len(), MAX_ISSUES + 1);
    assert!(e.issues[MAX_ISSUES].message.starts_with("too many issues"));
}

#[test]
fn parse_labels_reads_the_inside_of_braces() {
    let got = parse_labels(r#"a="x,y", b="q\"}" ,"#).unwrap();
    assert_eq!(got, pairs(&[("a", "x,y"), ("b", "q\"}")]));
    assert!(parse_labels("").unwrap().is_empty());
    assert!(parse_labels(r#"a="1"} b="2""#).is_err());
    assert!(parse_labels(r#"a="1"#).is_err());
}

#[test]
fn prometheus_parse_loses_what_we_keep() {
    let line = r#"t{a="x,y",b="k=v",c="1"} 1"#;
    let theirs = prometheus_parse::Scrape::parse(std::iter::once(Ok(line.to_owned()))).unwrap();
    let labels = &theirs.samples[0].labels;
    assert_eq!(
        labels.get("a"),
        Some("x"),
        "prometheus-parse cuts the value at the comma"
    );
    assert_eq!(
        labels.get("b"),
        None,
        "prometheus-parse drops a value holding '='"
    );
    assert_eq!(labels.get("c"), Some("1"));
    assert_eq!(
        one(line).labels,
        pairs(&[("a", "x,y"), ("b", "k=v"), ("c", "1")])
    );
}

/// Every real kubelet dump of the corpus, parsed whole.
mod dumps;
