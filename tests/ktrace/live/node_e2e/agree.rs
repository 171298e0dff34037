//! The checks of the node e2e tests: real kubectl's `top node` and `describe node` against
//! ktrace's JSON report, cell by cell; live against `--from`; use outside the pods by hand.

use serde_json::Value;

use super::{Live, NODE, node};
use crate::support::{ktrace, kubectl_cells as cells, kubectl_section as section, tools};

pub fn kubectl(live: &Live, args: &[&str]) -> String {
    let (code, out, err) = tools::run_kubectl(&live.kubeconfig, args);
    assert_eq!(code, 0, "kubectl {args:?}: {err}");
    out
}

fn strings(v: &Value) -> Vec<String> {
    v.as_array()
        .unwrap_or_else(|| panic!("not an array: {v}"))
        .iter()
        .map(|c| c.as_str().unwrap().to_owned())
        .filter(|c| !c.is_empty())
        .collect()
}

/// Real `kubectl top node` and `--show-capacity` print the rows ktrace predicts.
pub fn assert_top_agrees(live: &Live, r: &Value) {
    for (basis, extra) in [
        ("allocatable", &[][..]),
        ("capacity", &["--show-capacity"][..]),
    ] {
        let mut args = vec!["top", "node", NODE];
        args.extend_from_slice(extra);
        let table = crate::support::table(&kubectl(live, &args));
        assert_eq!(
            table[0],
            ["NAME", "CPU(cores)", "CPU(%)", "MEMORY(bytes)", "MEMORY(%)"]
        );
        assert_eq!(table.len(), 2, "{table:?}");
        assert_eq!(
            table[1],
            strings(&r["top"]["value"][basis]["cells"]),
            "{basis}"
        );
    }
}

/// Real `kubectl describe node` prints ktrace's Allocated resources rows and Non-terminated
/// Pods rows (Age aside: kubectl's clock); returns its output.
pub fn assert_describe_agrees(live: &Live, r: &Value) -> String {
    let out = kubectl(live, &["describe", "node", NODE]);
    let alloc = section(&out, "Allocated resources:");
    assert_eq!(
        alloc[1].trim(),
        "(Total limits may be over 100 percent, i.e., overcommitted.)"
    );
    assert_eq!(cells(alloc[2]), ["Resource", "Requests", "Limits"]);
    let got: Vec<Vec<String>> = alloc[4..].iter().map(|l| cells(l)).collect();
    let want: Vec<Vec<String>> = r["describe"]["value"]["allocated"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| strings(&a["cells"]))
        .collect();
    assert_eq!(got, want, "{out}");
    let pods = section(&out, "Non-terminated Pods:");
    assert_eq!(pods[0], "Non-terminated Pods:          (18 in total)");
    assert_eq!(
        cells(pods[0]),
        strings(&r["describe"]["value"]["pods_header"])
    );
    assert_eq!(
        cells(pods[1]),
        [
            "Namespace",
            "Name",
            "CPU Requests",
            "CPU Limits",
            "Memory Requests",
            "Memory Limits",
            "Age"
        ]
    );
    let want: Vec<Vec<String>> = r["describe"]["value"]["pods"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| strings(&p["cells"])[..6].to_vec())
        .collect();
    let got: Vec<Vec<String>> = pods[3..].iter().map(|l| cells(l)[..6].to_vec()).collect();
    assert_eq!(got, want, "{out}");
    out
}

/// `(cpu millicores, memory bytes)` of NodeMetrics − Σ PodMetrics of the node's pods, as
/// kubectl counts each: a pod's CPU is ceil(Σ containers / 1m) m, memory Σ bytes.
pub fn rest_by_hand(nm: &Value, pm: &Value, pods: &Value) -> (i128, i128) {
    let q = |v: &Value| ktrace::quantity::parse(v.as_str().unwrap()).unwrap();
    let milli = |nanos: i128| (nanos + 999_999).div_euclid(1_000_000);
    let on_node: Vec<(&Value, &Value)> = pods["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| (&p["metadata"]["namespace"], &p["metadata"]["name"]))
        .collect();
    let (mut cpu, mut mem) = (0, 0);
    for p in pm["items"].as_array().unwrap() {
        if !on_node.contains(&(&p["metadata"]["namespace"], &p["metadata"]["name"])) {
            continue;
        }
        let cs = p["containers"].as_array().unwrap();
        cpu += milli(cs.iter().map(|c| q(&c["usage"]["cpu"]).nanos()).sum());
        mem += cs
            .iter()
            .map(|c| q(&c["usage"]["memory"]).value_ceil())
            .sum::<i128>();
    }
    let node_cpu = milli(q(&nm["usage"]["cpu"]).nanos());
    (node_cpu - cpu, q(&nm["usage"]["memory"]).value_ceil() - mem)
}

/// Each format live with `--save-bundle`, then the same format `--from` that bundle: the
/// same bytes. Returns the JSON report and the JSON run's bundle.
pub fn live_equals_replay(live: &Live) -> (Value, Value) {
    let mut json_run = None;
    for format in ["text", "json", "markdown"] {
        let saved = live.dir.path().join(format!("node-{format}.json"));
        let (s, f) = (saved.to_str().unwrap(), ["-o", format, "--color", "never"]);
        let (code, out, err) = node(live, &[&f[..], &["--save-bundle", s]].concat());
        assert!(code == 0 || code == 3, "{format}: {err}\n{out}");
        let (rcode, replay, rerr) = ktrace(
            &[&["node", NODE, "--from", s][..], &f[..]].concat(),
            live.dir.path(),
        );
        assert_eq!((rcode, rerr.as_str()), (code, ""), "{format}");
        assert_eq!(replay, out, "{format}: live and --from differ");
        if format == "json" {
            let b = serde_json::from_str(&std::fs::read_to_string(&saved).unwrap()).unwrap();
            json_run = Some((serde_json::from_str(&out).unwrap(), b));
        }
    }
    json_run.unwrap()
}
