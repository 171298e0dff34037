//! The fixture bundles and the real-data corpus, read in place.
//!
//! The committed bundles (`fixtures/bundles`: the seed, `bad-schema.json`, `not-json.json`) are
//! read as they are. The bundles built from real kubelet dumps are never committed: the first
//! test that asks for one runs `fixtures/make_bundles.py` once for the whole test run, writing
//! every bundle into `target/tmp/ktrace-fixtures`. The corpus is read where it lives:
//! `$KTRACE_REALDATA`, else `<repository root>/../shared/realdata` (the rule the unit tests and
//! the generator use too). If python3, PyYAML or the corpus is missing, the tests that need them
//! fail and say what is missing; they are never skipped.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use serde_json::Value;

/// The seed bundle (committed).
pub const SEED: &str = "seed-ocp48-crio-cgv1.json";

/// The bundles kept in the repository; every other bundle is generated from the corpus.
pub const COMMITTED: [&str; 3] = [SEED, "bad-schema.json", "not-json.json"];

/// Every bundle with a pod report (committed or generated), with its pod.
pub const REPORT_BUNDLES: [(&str, &str); 5] = [
    (SEED, "csi/blockvol-fs-1"),
    (
        "docker-cgv1-ms-pod.json",
        "kube-system/metrics-server-6b79b4d69b-x2ps9",
    ),
    (
        "containerd-cgv2-ms.json",
        "kube-system/metrics-server-9d74bb658-c6nnt",
    ),
    (
        "kic-duplicate-cgroups.json",
        "kube-system/coredns-5c98db65d4-m76hk",
    ),
    (
        "legacy-labels-gke.json",
        "kube-system/fluentd-gcp-v2.0.10-9q9t4",
    ),
];

fn repo() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// The real-data corpus: `$KTRACE_REALDATA`, else `<repository root>/../shared/realdata`.
pub fn realdata_dir() -> PathBuf {
    match std::env::var_os("KTRACE_REALDATA") {
        Some(dir) => PathBuf::from(dir),
        None => repo().join("../shared/realdata"),
    }
}

/// A file of the corpus (`rel` like `cadvisor/x.prom`); fails the test, naming where the
/// corpus is expected, if it cannot be read.
pub fn realdata(rel: &str) -> String {
    let path = realdata_dir().join(rel);
    std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "cannot read {} ({e}): the real-data corpus is expected at <repository root>/../shared/realdata \
             (set KTRACE_REALDATA to read it from elsewhere)",
            path.display()
        )
    })
}

/// Where bundle `name` is: in `fixtures/bundles` if committed, else generated for this run.
pub fn bundle_path(name: &str) -> PathBuf {
    if COMMITTED.contains(&name) {
        return repo().join("fixtures/bundles").join(name);
    }
    generated_dir().join(name)
}

/// The text of bundle `name`.
pub fn bundle_text(name: &str) -> String {
    let path = bundle_path(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()))
}

/// Bundle `name`, parsed as JSON.
pub fn bundle(name: &str) -> Value {
    serde_json::from_str(&bundle_text(name)).unwrap()
}

/// The directory every bundle was generated into for this test run (generated on first use).
pub fn generated_dir() -> &'static Path {
    static DIR: OnceLock<Result<PathBuf, String>> = OnceLock::new();
    match DIR.get_or_init(generate) {
        Ok(dir) => dir,
        Err(why) => panic!("{why}"),
    }
}

fn generate() -> Result<PathBuf, String> {
    let corpus = realdata_dir();
    if !corpus.join("cadvisor").is_dir() {
        return Err(format!(
            "the real-data corpus is missing: no {}/cadvisor. It is expected at <repository root>/../shared/realdata \
             (set KTRACE_REALDATA to read it from elsewhere); the real-data bundles are generated from it",
            corpus.display()
        ));
    }
    let out = Path::new(env!("CARGO_TARGET_TMPDIR")).join("ktrace-fixtures");
    let run = Command::new("python3")
        .arg(repo().join("fixtures/make_bundles.py"))
        .arg("--realdata")
        .arg(&corpus)
        .arg("--out")
        .arg(&out)
        .output()
        .map_err(|e| {
            format!(
                "python3 is needed to generate the real-data bundles with fixtures/make_bundles.py ({e}): \
                 install Python 3.11 and PyYAML (`python3 -m pip install pyyaml`)"
            )
        })?;
    if !run.status.success() {
        return Err(format!(
            "fixtures/make_bundles.py --realdata {} --out {} failed ({}):\n{}",
            corpus.display(),
            out.display(),
            run.status,
            String::from_utf8_lossy(&run.stderr)
        ));
    }
    Ok(out)
}
