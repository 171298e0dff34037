//! The `ktrace` binary on bundle files: output formats, flags, colour, `--out`, the exit codes
//! of errors, and the README's example. (What the analysis concludes from a bundle is tested
//! in process, in `analysis`.)
//!
//! Every assertion is on an exact value taken from the fixture's source data (see
//! fixtures/README.md for how each bundle was made and the numbers checked against the dumps).

use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::support::fixtures::{self, COMMITTED, SEED};
use crate::support::ktrace;

mod cpu_fixtures;
mod hostile;
mod layout;
mod node;
mod ticket;

fn fixture(name: &str) -> PathBuf {
    fixtures::bundle_path(name)
}

/// [`ktrace`] with the temporary directory as `HOME` (a replay reads no kubeconfig).
fn run(args: &[&str]) -> (i32, String, String) {
    ktrace(args, &std::env::temp_dir())
}

fn json_report(target: &str, bundle: &str) -> (i32, Value) {
    let path = fixture(bundle);
    let (code, out, err) = run(&[
        "pod",
        target,
        "--from",
        path.to_str().unwrap(),
        "-o",
        "json",
    ]);
    assert!(err.is_empty(), "stderr: {err}");
    (code, serde_json::from_str(&out).expect("valid JSON"))
}

fn words(line: &str) -> Vec<&str> {
    line.split_whitespace().collect()
}

const SEED_QUERY: &str = r#"sum(container_memory_working_set_bytes{namespace="csi",pod="blockvol-fs-1",container!="",pod!=""}) by (pod,container)"#;

/// `s` with every run of whitespace (line breaks and hanging indents too) as one space, so a
/// check holds at any terminal width.
fn squash(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The seed's text report: the `top` rows and their arithmetic, the lineage in human units,
/// the verdict. (Its details part, with the query and the series verbatim, is checked in
/// `layout`, in process.)
#[test]
fn seed_text_shows_84mi_the_lineage_and_the_rounding() {
    let path = fixture(SEED);
    let (code, out, err) = run(&[
        "pod",
        "csi/blockvol-fs-1",
        "--from",
        path.to_str().unwrap(),
        "--color",
        "never",
    ]);
    assert_eq!(code, 0, "stderr: {err}");
    let lines: Vec<&str> = out.lines().collect();
    let pod_row = lines
        .iter()
        .find(|l| words(l).first() == Some(&"blockvol-fs-1"))
        .expect("pod row");
    assert_eq!(words(pod_row), ["blockvol-fs-1", "19m", "84Mi"]);
    let flat = squash(&out);
    assert!(
        flat.contains("pod row: 86880Ki = 88965120 B; floor(88965120 B / 1048576) = floor(84.84375) = 84 → 84Mi Σ containers = 176Ki + 86704Ki = 180224 + 88784896 = 88965120 B kubectl top pod blockvol-fs-1 -n csi --containers"),
        "{out}"
    );
    let containers: Vec<Vec<&str>> = lines
        .iter()
        .map(|l| words(l))
        .filter(|w| w.len() == 4 && w[0] == "blockvol-fs-1")
        .collect();
    assert_eq!(
        containers,
        [
            ["blockvol-fs-1", "POD", "0m", "0Mi"],
            ["blockvol-fs-1", "centos-tools", "19m", "84Mi"]
        ]
    );
    assert!(flat.contains("POD: 176Ki = 180224 B; floor(180224 B / 1048576) = floor(0.171875) = 0 → 0Mi centos-tools: 86704Ki = 88784896 B; floor(88784896 B / 1048576) = floor(84.671875) = 84 → 84Mi"));
    let row = |first: &[&str]| -> Vec<String> {
        let line = lines
            .iter()
            .find(|l| words(l).starts_with(first))
            .unwrap_or_else(|| panic!("{first:?} row in:\n{out}"));
        words(line)[first.len()..]
            .iter()
            .map(|w| w.to_string())
            .collect()
    };
    assert_eq!(row(&["Σ", "pod"]), ["POD", "centos-tools"]);
    assert_eq!(row(&["kubectl", "top"]), ["84Mi", "0Mi", "84Mi"]);
    assert_eq!(
        row(&["←", "Metrics", "API"]),
        ["84.8Mi", "176.0Ki", "84.7Mi"]
    );
    assert_eq!(
        row(&["←", "adapter", "query"]),
        ["84.8Mi", "176.0Ki", "84.7Mi"]
    );
    assert_eq!(
        row(&["←", "cAdvisor", "series", "Σ"]),
        ["84.8Mi", "176.0Ki", "84.7Mi"]
    );
    assert_eq!(row(&["verdict"]), ["exact", "exact"]);
    assert!(
        out.contains(
            "\nVerdict: consistent · exit 0: every layer present and every value agrees\n"
        )
    );
    assert!(
        !out.contains("8.8784896e+07"),
        "verbatim evidence is in the details part"
    );
}

#[test]
fn seed_json_carries_the_same_values() {
    let (code, v) = json_report("csi/blockvol-fs-1", SEED);
    assert_eq!(code, 0);
    assert_eq!(v["report_version"], 2);
    assert_eq!(v["producer"]["ktrace_version"], env!("CARGO_PKG_VERSION"));
    assert_eq!(v["producer"]["evidence_ktrace_version"], "0.1.0");
    assert_eq!(v["summary"]["verdict"], "consistent");
    assert!(v["breakdown"].is_array());
    let top = &v["top"]["value"];
    assert_eq!(top["pod_row"]["memory"], "84Mi");
    assert_eq!(top["pod_row"]["cpu"], "19m");
    assert_eq!(top["pod_row"]["memory_bytes"], 88965120);
    let rows: Vec<(&str, &str)> = top["containers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| (c["name"].as_str().unwrap(), c["memory"].as_str().unwrap()))
        .collect();
    assert_eq!(rows, [("POD", "0Mi"), ("centos-tools", "84Mi")]);
    let cpu: Vec<&str> = top["containers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["cpu"].as_str().unwrap())
        .collect();
    assert_eq!(cpu, ["0m", "19m"]);
    assert_eq!(v["metrics_api"]["value"]["window"], "5m0s");
    assert_eq!(v["backend"]["kind"], "prometheus-adapter");
    assert_eq!(v["adapter"]["memory"]["value"]["rendered"], SEED_QUERY);
    assert_eq!(v["adapter"]["memory"]["value"]["ran"], SEED_QUERY);
    let recon: Vec<(&str, i64, i64, i64)> = v["reconciliation"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            let n = |k: &str| r[k].as_i64().unwrap();
            (
                r["container"].as_str().unwrap(),
                n("metrics_api_bytes"),
                n("backend_bytes"),
                n("series_sum_bytes"),
            )
        })
        .collect();
    assert_eq!(
        recon,
        [
            ("POD", 180224, 180224, 180224),
            ("centos-tools", 88784896, 88784896, 88784896)
        ]
    );
    assert_eq!(v["verdict"], "consistent");
    let codes: Vec<&str> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["code"].as_str().unwrap())
        .collect();
    assert!(
        codes.contains(&"rounding")
            && codes.contains(&"pause-counted")
            && codes.contains(&"pod-cgroup-not-used")
    );
}

#[test]
fn seed_markdown_is_a_ticket_report() {
    let path = fixture(SEED);
    let (code, out, _) = run(&[
        "pod",
        "blockvol-fs-1",
        "-n",
        "csi",
        "--from",
        path.to_str().unwrap(),
        "-o",
        "markdown",
    ]);
    assert_eq!(code, 0);
    let head = "# ktrace: `csi/blockvol-fs-1` memory lineage\n\n**Why does `kubectl top pod` say 84Mi for csi/blockvol-fs-1?**\n\n- **what**: `84Mi` = the working set of 2 containers (POD, centos-tools), summed, then floored to MiB: 84.8Mi → 84Mi\n";
    assert!(out.starts_with(head), "{out}");
    let producer = format!(
        "\n\n**Verdict:** consistent · exit 0: every layer present and every value agrees.\n\nktrace {} · captured 2021-11-05T16:06:03Z by ktrace 0.1.0 · ",
        env!("CARGO_PKG_VERSION")
    );
    assert!(out.contains(&producer), "{out}");
    assert!(out.contains("| pod `blockvol-fs-1` | 19m | **84Mi** | 86880Ki = 88965120 B; floor(88965120 B / 1048576) = floor(84.84375) = 84 → 84Mi |"));
    assert!(out.contains(&format!("```promql\n{SEED_QUERY}\n```")));
    assert!(out.contains(
        "kubectl get --raw /apis/metrics.k8s.io/v1beta1/namespaces/csi/pods/blockvol-fs-1\n"
    ));
    assert!(out.contains("kubectl get --raw /api/v1/nodes/worker-4/proxy/metrics/cadvisor | grep -F 'pod=\"blockvol-fs-1\"'"));
    assert!(!out.contains('\u{1b}'), "no ANSI escapes in markdown");
}

#[test]
fn colour_follows_the_flag() {
    let path = fixture(SEED);
    let p = path.to_str().unwrap();
    let (_, always, _) = run(&["pod", "csi/blockvol-fs-1", "--from", p, "--color", "always"]);
    let (_, never, _) = run(&["pod", "csi/blockvol-fs-1", "--from", p, "--color", "never"]);
    let (_, auto_piped, _) = run(&["pod", "csi/blockvol-fs-1", "--from", p]);
    assert!(always.contains("\u{1b}["));
    assert!(!never.contains('\u{1b}'));
    assert!(
        !auto_piped.contains('\u{1b}'),
        "auto is off when stdout is not a terminal"
    );
}

#[test]
fn out_writes_the_report_to_a_file() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("report.md");
    let path = fixture(SEED);
    let (code, stdout, _) = run(&[
        "pod",
        "csi/blockvol-fs-1",
        "--from",
        path.to_str().unwrap(),
        "-o",
        "markdown",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(code, 0);
    assert!(stdout.is_empty());
    assert!(std::fs::read_to_string(out).unwrap().contains("**84Mi**"));
}

#[test]
fn usage_errors_exit_2_and_bad_bundles_exit_1() {
    let seed = fixture(SEED);
    let seed = seed.to_str().unwrap();
    let cases: &[(&[&str], i32, &str)] = &[
        (
            &["pod", "CSI/Blockvol", "--from", seed],
            2,
            "malformed namespace \"CSI\"",
        ),
        (
            &["pod", "csi/a/b", "--from", seed],
            2,
            "malformed pod name \"a/b\"",
        ),
        (&["pod", "", "--from", seed], 2, "malformed pod name \"\""),
        (
            &["pod", "csi/x", "-n", "other", "--from", seed],
            2,
            "POD says namespace \"csi\" but -n says \"other\"",
        ),
        (
            &[
                "pod",
                "csi/blockvol-fs-1",
                "--from",
                "/nonexistent/bundle.json",
            ],
            1,
            "cannot read bundle /nonexistent/bundle.json",
        ),
        (
            &["pod", "csi/blockvol-fs-1", "-o", "yaml", "--from", seed],
            2,
            "invalid value 'yaml'",
        ),
        (
            &["pod", "csi/other-pod", "--from", seed],
            1,
            "is for pod csi/blockvol-fs-1, not csi/other-pod",
        ),
    ];
    for (args, code, msg) in cases {
        let (c, out, err) = run(args);
        assert_eq!(c, *code, "{args:?}: {err}");
        assert!(err.contains(msg), "{args:?}: {err}");
        assert!(out.is_empty());
    }
    let bad = fixture("bad-schema.json");
    let (c, _, err) = run(&["pod", "csi/blockvol-fs-1", "--from", bad.to_str().unwrap()]);
    assert_eq!(c, 1);
    assert!(
        err.contains("unsupported bundle schema_version 99 (this ktrace reads versions 1 to 2)"),
        "{err}"
    );
    let junk = fixture("not-json.json");
    let (c, _, err) = run(&["pod", "csi/blockvol-fs-1", "--from", junk.to_str().unwrap()]);
    assert_eq!(c, 1);
    assert!(err.contains("not a ktrace evidence bundle"), "{err}");
}

#[test]
fn the_readme_example_is_the_real_output() {
    let readme =
        std::fs::read_to_string(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("README.md"))
            .unwrap();
    let marker = "$ cargo run --locked -- pod csi/blockvol-fs-1 --from fixtures/bundles/seed-ocp48-crio-cgv1.json\n";
    let start = readme.find(marker).expect("README example") + marker.len();
    let shown = &readme[start..start + readme[start..].find("```").unwrap()];
    let path = fixture(SEED);
    let (_, out, _) = run(&[
        "pod",
        "csi/blockvol-fs-1",
        "--from",
        path.to_str().unwrap(),
        "--color",
        "never",
    ]);
    assert_eq!(
        shown, out,
        "README.md's example differs from what ktrace prints: update it"
    );
}

#[test]
fn a_fractional_schema_version_is_named() {
    let text = std::fs::read_to_string(fixture(SEED)).unwrap();
    let (_dir, p) =
        bundle_file(&text.replacen("\"schema_version\": 2,", "\"schema_version\": 2.0,", 1));
    let (code, _, err) = run(&["pod", "csi/blockvol-fs-1", "--from", p.to_str().unwrap()]);
    assert_eq!(code, 1);
    assert!(
        err.contains("bundle schema_version must be a whole number, found 2.0"),
        "{err}"
    );
}

#[test]
fn control_characters_in_the_evidence_cannot_drive_the_terminal() {
    let path = fixture(SEED);
    let text = std::fs::read_to_string(&path)
        .unwrap()
        .replace("centos-tools", "centos\\u001b]0;pwned\\u0007-tools");
    let (_dir, p) = bundle_file(&text);
    for format in ["text", "markdown"] {
        let (code, out, err) = run(&[
            "pod",
            "csi/blockvol-fs-1",
            "--from",
            p.to_str().unwrap(),
            "-o",
            format,
            "--color",
            "never",
        ]);
        assert!(code == 0 || code == 3, "{format}: exit {code}: {err}");
        assert!(
            !out.contains('\u{1b}') && !out.contains('\u{7}'),
            "{format}: raw control characters"
        );
        assert!(
            out.contains("centos\\u{1b}]0;pwned\\u{7}-tools"),
            "{format}: shown escaped"
        );
    }
}

/// Writes `text` as a bundle file in a fresh temporary directory (kept alive by the guard).
fn bundle_file(text: &str) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("b.json");
    std::fs::write(&path, text).unwrap();
    (dir, path)
}

#[test]
fn the_committed_bundles_are_what_the_generator_writes() {
    for name in COMMITTED {
        let committed = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("fixtures/bundles")
            .join(name);
        let generated = fixtures::generated_dir().join(name);
        assert!(
            std::fs::read(&committed).unwrap() == std::fs::read(&generated).unwrap(),
            "{name}: fixtures/bundles differs from what fixtures/make_bundles.py writes; run \
             `python3 fixtures/make_bundles.py --seed-only --out fixtures/bundles`"
        );
    }
}
