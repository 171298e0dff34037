//! Bundle attacks: the seed bundle, saved as ktrace saves it, replayed with `--from` after a
//! hostile edit — huge strings, control characters, wrong types.

use std::time::Duration;

use serde_json::{Value, json};

use super::runner::{Run, common_problems, ktrace, tail};
use crate::support::scenario::bundle;

/// One hostile edit: a JSON pointer in the seed bundle and the value put there.
pub struct Attack {
    pub name: &'static str,
    pub pointer: &'static str,
    pub value: fn() -> Value,
    /// `None`: the bundle is refused (exit 1, nothing on stdout, an `error:` on stderr).
    /// `Some(code)`: a report with this exit code.
    pub report: Option<i32>,
}

/// Terminal escapes, C1 controls, a bidi override, NUL, a backtick fence.
const HOSTILE: &str = "x\u{1b}[2J\u{1b}]0;owned\u{7}\u{9b}31m\u{202e}\u{0}```\n# forged";

fn huge() -> Value {
    json!("h".repeat(17 << 20))
}
fn hostile() -> Value {
    json!(HOSTILE)
}
fn number() -> Value {
    json!(12)
}
fn array() -> Value {
    json!([])
}
fn object() -> Value {
    json!({})
}
fn hostile_pod() -> Value {
    let mut pod: Value = serde_json::from_str(crate::support::scenario::body(
        &bundle("seed-ocp48-crio-cgv1.json"),
        "pod",
    ))
    .unwrap();
    pod["spec"]["nodeName"] = json!(HOSTILE);
    pod["spec"]["containers"][0]["image"] = json!(HOSTILE);
    json!(pod.to_string())
}

const PM: &str = "/sources/pod_metrics/outcome";
const CAD: &str = "/sources/kubelet_cadvisor/outcome";

/// The attacks, each on its own copy of the seed bundle.
pub const ATTACKS: &[Attack] = &[
    Attack {
        name: "huge pod body",
        pointer: "/sources/pod/outcome/body",
        value: huge,
        report: None,
    },
    Attack {
        name: "huge cadvisor body",
        pointer: "/sources/kubelet_cadvisor/outcome/body",
        value: huge,
        report: None,
    },
    Attack {
        name: "huge target name",
        pointer: "/target/name",
        value: huge,
        report: None,
    },
    Attack {
        name: "huge note",
        pointer: "/notes",
        value: || json!(["n".repeat(17 << 20)]),
        report: Some(0),
    },
    Attack {
        name: "hostile target name",
        pointer: "/target/name",
        value: hostile,
        report: None,
    },
    Attack {
        name: "hostile context",
        pointer: "/cluster/context",
        value: hostile,
        report: Some(0),
    },
    Attack {
        name: "hostile pod body fields",
        pointer: "/sources/pod/outcome/body",
        value: hostile_pod,
        report: Some(0),
    },
    Attack {
        name: "hostile pod body",
        pointer: "/sources/pod/outcome/body",
        value: hostile,
        // The Pod is not a layer the memory lineage needs: the report says it is unreadable
        // (checked below) and the verdict rests on the layers that are.
        report: Some(0),
    },
    Attack {
        name: "hostile pod metrics body",
        pointer: "/sources/pod_metrics/outcome/body",
        value: hostile,
        report: Some(3),
    },
    Attack {
        name: "hostile cadvisor body",
        pointer: "/sources/kubelet_cadvisor/outcome/body",
        value: hostile,
        report: Some(3),
    },
    Attack {
        name: "hostile adapter config",
        pointer: "/sources/adapter_config/outcome/body",
        value: hostile,
        report: Some(3),
    },
    Attack {
        name: "hostile error",
        pointer: "/sources/apiservice/outcome",
        value: || json!({"status": "failed", "error": HOSTILE}),
        report: Some(3),
    },
    Attack {
        name: "hostile note",
        pointer: "/notes",
        value: || json!([HOSTILE]),
        report: Some(0),
    },
    Attack {
        name: "schema version a string",
        pointer: "/schema_version",
        value: || json!("1"),
        report: None,
    },
    Attack {
        name: "sources a number",
        pointer: "/sources",
        value: number,
        report: None,
    },
    Attack {
        name: "pod source an array",
        pointer: "/sources/pod",
        value: array,
        report: None,
    },
    Attack {
        name: "prometheus an object",
        pointer: "/sources/prometheus",
        value: object,
        report: None,
    },
    Attack {
        name: "body a number",
        pointer: "/sources/pod/outcome/body",
        value: number,
        report: None,
    },
    Attack {
        name: "unknown outcome status",
        pointer: PM,
        value: || json!({"status": "weird"}),
        report: None,
    },
    Attack {
        name: "http status a string",
        pointer: "/sources/pod/outcome/http_status",
        value: || json!("200"),
        report: None,
    },
    Attack {
        name: "target an array",
        pointer: "/target",
        value: array,
        report: None,
    },
    Attack {
        name: "captured_at a number",
        pointer: "/captured_at",
        value: number,
        report: None,
    },
    Attack {
        name: "cadvisor filter an array",
        pointer: "/sources/kubelet_cadvisor/outcome/filter",
        value: array,
        report: None,
    },
    Attack {
        name: "cadvisor outcome null",
        pointer: CAD,
        value: || Value::Null,
        report: None,
    },
];

/// Characters no report may print raw: ESC, C1 controls, a bidi override.
fn raw_controls(text: &str) -> Vec<char> {
    text.chars()
        .filter(|c| matches!(*c, '\u{1b}' | '\u{80}'..='\u{9f}' | '\u{202e}' | '\u{0}'))
        .collect()
}

/// Every problem of replaying the seed bundle after `attack`.
pub fn check(attack: &Attack) -> Vec<String> {
    let dir = tempfile::tempdir().unwrap();
    let mut b = bundle("seed-ocp48-crio-cgv1.json");
    match b.pointer_mut(attack.pointer) {
        Some(slot) => *slot = (attack.value)(),
        None => return vec![format!("no {} in the seed bundle", attack.pointer)],
    }
    let path = dir.path().join("hostile.json");
    std::fs::write(&path, b.to_string()).unwrap();
    drop(b);
    let bound = Duration::from_secs(30);
    let args = [
        "pod",
        "csi/blockvol-fs-1",
        "--from",
        path.to_str().unwrap(),
        "--color",
        "never",
    ];
    let run = Run {
        out: ktrace(&args, dir.path(), bound + Duration::from_secs(20)),
        bundle: None,
    };
    let mut p = common_problems(&run, attack.report.unwrap_or(1), bound, &[]);
    let out = &run.out;
    match attack.report {
        None if !out.stdout.is_empty() || !out.stderr.starts_with("error: ") => {
            p.push("not refused with an `error:` line".into());
        }
        Some(_) if !out.stdout.contains("\nVerdict: ") => p.push("no report".into()),
        Some(_)
            if attack.name == "hostile pod body"
                && !out.stdout.contains("the Pod answer is unreadable") =>
        {
            p.push("the report does not say the Pod answer is unreadable".into())
        }
        _ => {}
    }
    let raw = raw_controls(&format!("{}{}", out.stdout, out.stderr));
    if !raw.is_empty() {
        p.push(format!("raw control characters printed: {raw:?}"));
    }
    if !p.is_empty() {
        p.push(format!("stderr: {}", tail(&out.stderr, 400)));
    }
    p
}
