//! A hostile bundle: the seed with Markdown, HTML and terminal controls planted in every
//! string the evidence brings (container name, image, args, context, adapter template,
//! PodMetrics, Prometheus label values). The Markdown report stays ktrace's document, and no
//! format lets U+009B (a CSI on some terminals) or U+202E (right-to-left override) through.

use super::ticket::outside_fences;
use serde_json::Value;

use crate::support::fixtures;
use crate::support::ktrace;

/// What is planted: code fences and spans, a forged heading on its own line, raw HTML, a link,
/// a table cell end, the end of a `<details>` block, and the two controls.
const HOSTILE: &str = "ev`il```\n# Forged <img src=x onerror=alert(1)> [link](http://evil) | </details> \\ *x* _y_ \u{9b}\u{202e}";

/// The headings ktrace writes itself, in order: no other line outside a fence starts with `#`.
const HEADINGS: [&str; 14] = [
    "# ktrace: `csi/blockvol-fs-1` memory lineage",
    "## Lineage (memory)",
    "## Lineage (CPU)",
    "## Findings (worst first)",
    "## Evidence",
    "### What `kubectl top pod` prints",
    "### Layers",
    "#### Adapter memory rule",
    "#### Adapter cpu rule",
    "### Source series (matched by the backend's selector)",
    "### kubelet `/metrics/cadvisor` (all cgroups of the pod)",
    "### What each working set is made of (exact bytes)",
    "### Evidence excerpts (verbatim)",
    "### Reproduce by hand",
];

/// `s` quoted as a JSON string's inside (for JSON bodies).
fn json_inner(s: &str) -> String {
    let quoted = serde_json::to_string(s).unwrap();
    quoted[1..quoted.len() - 1].to_string()
}

/// `s` quoted as a Prometheus exposition label value's inside.
fn label_inner(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

fn edit_body(v: &mut Value, f: impl Fn(&str) -> String) {
    let body = v["outcome"]["body"].as_str().unwrap().to_string();
    v["outcome"]["body"] = Value::String(f(&body));
}

/// The seed bundle with [`HOSTILE`] planted.
fn hostile_bundle() -> String {
    let mut b = fixtures::bundle(fixtures::SEED);
    let name = format!("centos-tools{HOSTILE}");
    let image = format!("quay.io/centos/centos:stream8{HOSTILE}");
    b["cluster"]["context"] = Value::String(format!("admin{HOSTILE}"));
    let s = &mut b["sources"];
    let in_json = |body: &str| {
        body.replace("centos-tools", &json_inner(&name))
            .replace("quay.io/centos/centos:stream8", &json_inner(&image))
    };
    edit_body(&mut s["pod"], in_json);
    edit_body(&mut s["pod_metrics"], in_json);
    edit_body(&mut s["kubelet_cadvisor"], |body| {
        body.replace("centos-tools", &label_inner(&name))
            .replace("quay.io/centos/centos:stream8", &label_inner(&image))
    });
    edit_body(&mut s["prometheus"][0]["source"], |body| {
        let evil = format!("\"evil\":\"{}\",\"container\"", json_inner(HOSTILE));
        in_json(body).replace("\"container\"", &evil)
    });
    edit_body(&mut s["backend_deployment"], |body| {
        let arg = json_inner(&format!("--v={HOSTILE}"));
        body.replace(
            "\"--secure-port=6443\"",
            &format!("\"--secure-port=6443\",\"{arg}\""),
        )
    });
    // A PromQL comment in a single-quoted YAML scalar: no quote, line break or C1 control
    // there (YAML refuses C1 controls).
    let comment = "# ``` </details> <img src=x onerror=alert(1)> [link](http://evil) \u{202e}";
    edit_body(&mut s["adapter_config"], |body| {
        let tail = "by (\\u003c\\u003c.GroupBy\\u003e\\u003e)'\\n    resources:\\n      overrides:\\n        instance";
        let evil = tail.replacen("'", &format!(" {}'", json_inner(comment)), 1);
        assert!(body.contains(tail), "the memory rule of the seed");
        body.replace(tail, &evil)
    });
    serde_json::to_string(&b).unwrap()
}

/// Runs `ktrace pod csi/blockvol-fs-1 --from <hostile bundle>` with `args`.
fn run_hostile(args: &[&str]) -> (i32, String, String) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("hostile.json");
    std::fs::write(&path, hostile_bundle()).unwrap();
    let mut all = vec!["pod", "csi/blockvol-fs-1", "--from", path.to_str().unwrap()];
    all.extend_from_slice(args);
    ktrace(&all, dir.path())
}

/// `line` without its code spans (paired as CommonMark pairs backtick runs; a backslash
/// escapes the character after it): the text Markdown interprets.
fn prose(line: &str) -> String {
    let b = line.as_bytes();
    let run = |at: usize| b[at..].iter().take_while(|c| **c == b'`').count();
    let (mut out, mut i) = (String::new(), 0);
    while i < b.len() {
        match b[i] {
            b'\\' if i + 1 < b.len() => {
                out.push_str("\\?");
                i += 2;
            }
            b'`' => {
                let n = run(i);
                let mut j = i + n;
                let close = loop {
                    match b[j..].iter().position(|c| *c == b'`') {
                        None => break None,
                        Some(k) if run(j + k) == n => break Some(j + k),
                        Some(k) => j += k + run(j + k),
                    }
                };
                match close {
                    Some(c) => i = c + n,
                    None => panic!("an unpaired backtick run in {line:?}"),
                }
            }
            _ => {
                let c = line[i..].chars().next().unwrap();
                out.push(c);
                i += c.len_utf8();
            }
        }
    }
    out
}

/// The cells of a table row: split at every `|` not escaped by a backslash.
fn cell_count(row: &str) -> usize {
    let b = row.as_bytes();
    (0..b.len())
        .filter(|&i| b[i] == b'|' && (i == 0 || b[i - 1] != b'\\'))
        .count()
}

#[test]
fn a_hostile_bundle_cannot_forge_markdown() {
    let (code, md, err) = run_hostile(&["-o", "markdown"]);
    assert!(code < 6, "exit {code}: {err}");
    let outside = outside_fences(&md);
    let headings: Vec<&str> = outside
        .iter()
        .copied()
        .filter(|l| l.trim_start().starts_with('#'))
        .collect();
    assert_eq!(headings, HEADINGS, "{md}");
    let html = ["<details><summary>", "</summary>", "</details>"];
    for line in &outside {
        let p = prose(line);
        let mut rest = p.clone();
        if line.starts_with("<details><summary>") || *line == "</details>" {
            html.iter().for_each(|t| rest = rest.replace(t, ""));
        }
        assert!(!rest.contains('<'), "raw HTML in {line:?}");
        for forged in ["](", "[", "]", "*x*", "_y_"] {
            assert!(!p.contains(forged), "{forged:?} outside code in {line:?}");
        }
    }
    let mut tables = outside.split(|l| !l.starts_with('|'));
    for table in tables.by_ref().filter(|t| !t.is_empty()) {
        let cells = cell_count(table[0]);
        for row in table {
            assert_eq!(cell_count(row), cells, "{row:?} in {table:#?}");
        }
    }
    // The planted text is in the report, inert: quoted in code, escaped in prose, and
    // verbatim in the fenced evidence.
    let spans = md.matches("````centos-toolsev`il``` # Forged <img").count();
    assert!(
        spans >= 4,
        "the container name in {spans} code spans:\n{md}"
    );
    assert!(md.contains("context ````adminev`il``` # Forged"), "{md}");
    assert!(md.contains(" --v=ev`il``` # Forged <img"), "{md}");
    let cell = r"| centos-toolsev\`il\`\`\` # Forged &lt;img src=x onerror=alert(1)&gt; \[link\](http://evil) \| &lt;/details&gt; \\ \*x\* \_y\_ \u{9b}\u{202e} | 84.7Mi |";
    assert!(md.contains(cell), "{md}");
    let template = "\n````promql\nsum(container_memory_working_set_bytes{<<.LabelMatchers>>,container!=\"\",pod!=\"\"}) by (<<.GroupBy>>) # ``` </details> <img src=x onerror=alert(1)> [link](http://evil) \\u{202e}\n````\n";
    assert!(md.contains(template), "{md}");
    assert!(
        md.contains("<img src=x onerror=alert(1)>"),
        "verbatim inside a fence"
    );
}

#[test]
fn no_format_passes_a_csi_or_a_bidi_override() {
    for format in ["text", "json", "markdown"] {
        let (_, out, err) = run_hostile(&["-o", format]);
        for c in ['\u{9b}', '\u{202e}'] {
            assert!(!out.contains(c), "{format}: {c:?} on stdout");
            assert!(!err.contains(c), "{format}: {c:?} on stderr");
        }
        if format == "json" {
            assert!(out.contains("\\u009b\\u202e"), "{out}");
            let v: Value = serde_json::from_str(&out).unwrap();
            let planted = format!("centos-tools{HOSTILE}");
            let names: Vec<&str> = v["reconciliation"]
                .as_array()
                .unwrap()
                .iter()
                .map(|r| r["container"].as_str().unwrap())
                .collect();
            assert_eq!(
                names,
                ["POD", planted.as_str()],
                "parses back to the same string"
            );
        } else {
            assert!(out.contains("\\u{9b}\\u{202e}"), "{format}: {out}");
        }
    }
    // An error message quotes what it could not read.
    let (code, out, err) = ktrace(
        &[
            "pod",
            "csi/blockvol-fs-1",
            "--from",
            "/nonexistent\u{9b}\u{202e}",
        ],
        &std::env::temp_dir(),
    );
    assert_eq!((code, out.as_str()), (1, ""));
    assert!(
        err.contains("cannot read bundle /nonexistent\\u{9b}\\u{202e}: "),
        "{err:?}"
    );
}
