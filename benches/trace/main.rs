//! `cargo bench --bench trace`: the performance figures of docs/performance.md, in one run.
//!
//! 1. The streaming pod filter on a generated 45 MB `/metrics/cadvisor` body, beside `grep -F`
//!    on the same file and a full prometheus-parse parse (ratios and absolute times).
//! 2. A live trace against the local HTTPS test API server serving that body: wall time beside
//!    a bare `curl` download of the same URL, and the trace's peak RSS.
//! 3. A live trace with 100 ms added to every response: wall time beside the sum of the
//!    sequential latencies and the critical-path latency, and the request waves (the CPU
//!    lineage's `cpu-samples` query and buildinfo start beside the rule's queries).
//!
//! `cargo bench --bench trace -- latency` (or `filter`, `live`) runs only that section.
//!
//! Needs python3 (to generate the body) and curl; everything runs on 127.0.0.1.

mod server;
#[path = "../../tests/ktrace/support/tls.rs"]
mod tls;
mod waves;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use bytes::Bytes;
use ktrace::exposition::{PodLineFilter, PodSelector};
use serde_json::Value;
use server::{Answer, BenchServer};

const RUNS: usize = 7;
/// Live runs alternate curl and ktrace; more of them, as loopback TLS timings are noisy.
const LIVE_RUNS: usize = 15;
const CHUNK: usize = 64 * 1024;
/// Longest chain of dependent requests in a trace (docs/architecture.md):
/// APIService → Deployment → ConfigMap → Prometheus query.
const LONGEST_CHAIN: u32 = 4;

fn main() {
    tls::install_crypto_provider();
    // cargo passes `--bench`; any other argument picks the sections whose name contains it.
    let only: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with("--"))
        .collect();
    let wanted = |section: &str| only.is_empty() || only.iter().any(|o| section.contains(o));
    if !wanted("filter") && !wanted("live") {
        if wanted("latency") {
            latency_bench();
        }
        return;
    }
    let body_path = generated_body();
    let body = std::fs::read(&body_path).expect("read generated body");
    println!(
        "# ktrace benchmark ({} bytes, {} lines)\n",
        body.len(),
        body.iter().filter(|b| **b == b'\n').count()
    );
    if wanted("filter") {
        filter_bench(&body, &body_path);
    }
    if wanted("live") {
        live_bench(&body_path);
    }
    if wanted("latency") {
        latency_bench();
    }
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn time_runs(runs: usize, mut f: impl FnMut()) -> Duration {
    median(
        (0..runs)
            .map(|_| {
                let t = Instant::now();
                f();
                t.elapsed()
            })
            .collect(),
    )
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// target/bench/cadvisor-250x3.txt, generated once with the research generator.
fn generated_body() -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/bench");
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("cadvisor-250x3.txt");
    if !path.exists() {
        let status = Command::new("python3")
            .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("bench/gen_cadvisor.py"))
            .args(["--pods", "250", "--containers", "3", "-o"])
            .arg(&path)
            .status()
            .expect("python3 is needed to generate the benchmark body");
        assert!(status.success(), "gen_cadvisor.py failed");
    }
    path
}

const SEED: &str = "fixtures/bundles/seed-ocp48-crio-cgv1.json";
const EXPOSITION: &str = "text/plain; version=0.0.4";

/// The committed seed bundle.
fn seed() -> Value {
    let text = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(SEED))
        .expect("read the seed bundle");
    serde_json::from_str(&text).expect("seed bundle is JSON")
}

/// The committed seed bundle's answers at the paths (and queries) ktrace requested them from,
/// plus `/version` from its cluster version, and its kubelet path. No Prometheus is needed.
fn seed_routes() -> (HashMap<String, Answer>, String) {
    let seed = seed();
    let sources = seed["sources"].as_object().expect("sources");
    let mut all: Vec<&Value> = sources.values().filter(|s| s.is_object()).collect();
    all.extend(
        sources["prometheus"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|q| &q["source"]),
    );
    let mut routes = HashMap::new();
    for src in all {
        if let (Some(req), Some(body)) = (src["request"].as_str(), src["outcome"]["body"].as_str())
        {
            let content_type = if req.contains("/proxy/metrics/") {
                EXPOSITION
            } else {
                "application/json"
            };
            routes.insert(
                req.to_string(),
                Answer {
                    content_type,
                    body: Bytes::from(body.to_string()),
                },
            );
        }
    }
    let version = serde_json::json!({"gitVersion": seed["cluster"]["version"]});
    routes.insert(
        "/version".into(),
        Answer {
            content_type: "application/json",
            body: Bytes::from(version.to_string()),
        },
    );
    let kubelet = sources["kubelet_cadvisor"]["request"]
        .as_str()
        .expect("kubelet request");
    (routes, kubelet.to_string())
}

fn selector() -> PodSelector {
    PodSelector::new("csi", "blockvol-fs-1")
}

fn filter_bench(body: &[u8], path: &Path) {
    println!("## 1. Filter throughput (median of {RUNS})\n");
    let mut kept = 0;
    let in_memory = time_runs(RUNS, || {
        let mut f = PodLineFilter::new(selector());
        let mut out = Vec::new();
        for chunk in body.chunks(CHUNK) {
            f.push(chunk, &mut out);
        }
        f.finish(&mut out);
        kept = out.len();
    });
    let from_file = time_runs(RUNS, || {
        use std::io::Read;
        let mut file = std::fs::File::open(path).unwrap();
        let mut f = PodLineFilter::new(selector());
        let (mut buf, mut out) = (vec![0u8; CHUNK], Vec::new());
        while let Ok(n @ 1..) = file.read(&mut buf) {
            f.push(&buf[..n], &mut out);
        }
        f.finish(&mut out);
    });
    // grep's output goes to a file: with stdout on /dev/null GNU grep stops at the first match.
    let grep_out = path.with_extension("grep.out");
    let grep = time_runs(RUNS, || {
        let sink = std::fs::File::create(&grep_out).unwrap();
        let out = Command::new("grep")
            .args(["-F", "pod=\"blockvol-fs-1\""])
            .arg(path)
            .stdout(sink)
            .status();
        assert!(out.expect("grep").success());
    });
    let text = std::str::from_utf8(body).unwrap();
    let parse = time_runs(3, || {
        let lines = text.lines().map(|l| Ok(l.to_owned()));
        let scrape = prometheus_parse::Scrape::parse(lines).unwrap();
        assert!(scrape.samples.len() > 100_000);
    });
    let own_parse = time_runs(3, || {
        assert!(ktrace::exposition::parse(text).samples.len() > 100_000)
    });
    let mbps = |d: Duration| body.len() as f64 / d.as_secs_f64() / 1e6;
    println!("| method | median | MB/s | vs grep -F |");
    println!("|---|---|---|---|");
    for (name, d) in [
        (
            "`grep -F 'pod=\"blockvol-fs-1\"' FILE > OUT` (page cache, incl. process start)",
            grep,
        ),
        (
            "ktrace filter, reading the file in 64 KiB chunks",
            from_file,
        ),
        ("ktrace filter, body in memory, 64 KiB chunks", in_memory),
        ("prometheus-parse `Scrape::parse` of the whole body", parse),
        ("ktrace `exposition::parse` of the whole body", own_parse),
    ] {
        println!(
            "| {name} | {:.1} ms | {:.0} | {:.2}× |",
            ms(d),
            mbps(d),
            grep.as_secs_f64() / d.as_secs_f64()
        );
    }
    println!(
        "\nfilter kept {kept} bytes; throughput vs grep (file): {:.2}× (target ≥ 0.8×)\n",
        grep.as_secs_f64() / from_file.as_secs_f64()
    );
}

/// Runs the release ktrace binary; returns (wall time, peak RSS in KiB if measurable).
fn run_trace(kubeconfig: &Path, extra: &[&str]) -> (Duration, Option<u64>) {
    let bin = env!("CARGO_BIN_EXE_ktrace");
    let mut args = vec![
        "pod",
        "csi/blockvol-fs-1",
        "-o",
        "json",
        "--kubeconfig",
        kubeconfig.to_str().unwrap(),
    ];
    args.extend_from_slice(extra);
    let gnu_time = Path::new("/usr/bin/time").exists();
    let mut cmd = if gnu_time {
        let mut c = Command::new("/usr/bin/time");
        c.args(["-f", "%M"]).arg(bin);
        c
    } else {
        Command::new(bin)
    };
    cmd.args(&args).stdout(Stdio::null()).stderr(Stdio::piped());
    let t = Instant::now();
    let out = cmd.output().expect("run ktrace");
    let wall = t.elapsed();
    let code = out.status.code().unwrap_or(-1);
    assert!(
        (0..=4).contains(&code) && code != 1 && code != 2,
        "ktrace failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let rss = gnu_time
        .then(|| {
            String::from_utf8_lossy(&out.stderr)
                .lines()
                .last()
                .and_then(|l| l.trim().parse().ok())
        })
        .flatten();
    (wall, rss)
}

fn live_bench(body_path: &Path) {
    println!("## 2. Live trace on the 45 MB body ({LIVE_RUNS} alternating runs)\n");
    let (mut routes, cadvisor_path) = seed_routes();
    let body = std::fs::read(body_path).unwrap();
    let content_type = EXPOSITION;
    routes.insert(
        cadvisor_path.clone(),
        Answer {
            content_type,
            body: Bytes::from(body),
        },
    );
    let server = BenchServer::start(routes, Duration::ZERO);
    let dir = tempfile::tempdir().unwrap();
    let kubeconfig = server.write_kubeconfig(dir.path());
    let ca = dir.path().join("ca.pem");
    std::fs::write(&ca, server.ca_pem()).unwrap();
    let url = format!("{}{}", server.url(), cadvisor_path);
    let auth = format!("Authorization: Bearer {}", server.token());
    // curl and ktrace alternate, so both see the same machine noise.
    let (mut curls, mut traces, mut rss) = (Vec::new(), Vec::new(), Vec::new());
    for _ in 0..LIVE_RUNS {
        let t = Instant::now();
        let st = Command::new("curl")
            .args(["-sS", "-o", "/dev/null", "--cacert"])
            .arg(&ca)
            .args(["-H", &auth, &url])
            .status();
        assert!(st.expect("curl is needed").success());
        curls.push(t.elapsed());
        let (wall, peak) = run_trace(&kubeconfig, &[]);
        traces.push(wall);
        rss.extend(peak);
    }
    let profile = where_time_goes(&kubeconfig);
    let best = |v: &[Duration]| v.iter().min().copied().unwrap_or_default();
    let (curl, trace) = (median(curls.clone()), median(traces.clone()));
    println!("| what | median | best |");
    println!("|---|---|---|");
    println!(
        "| bare `curl` download of {url} | {:.1} ms | {:.1} ms |",
        ms(curl),
        ms(best(&curls))
    );
    println!(
        "| `ktrace pod csi/blockvol-fs-1` (whole trace, all sources) | {:.1} ms | {:.1} ms |",
        ms(trace),
        ms(best(&traces))
    );
    println!(
        "\ntrace / download: {:.2}× median, {:.2}× best (target ≤ 1.3×)",
        trace.as_secs_f64() / curl.as_secs_f64(),
        best(&traces).as_secs_f64() / best(&curls).as_secs_f64()
    );
    println!("where the time goes (one more run with -v): {profile}");
    match rss.iter().max() {
        Some(kib) => println!(
            "trace peak RSS: {:.1} MiB (max of {} runs, GNU time %M; target ≤ 32 MiB)\n",
            *kib as f64 / 1024.0,
            rss.len()
        ),
        None => {
            println!("trace peak RSS: not measured (/usr/bin/time missing: apt-get install time)\n")
        }
    }
}

fn latency_bench() {
    let latency = Duration::from_millis(100);
    println!(
        "## 3. Live trace with {} ms added to every response (median of 3)\n",
        latency.as_millis()
    );
    let (mut routes, _) = seed_routes();
    waves::add_cpu_answers(&seed(), &mut routes);
    let server = BenchServer::start(routes, latency);
    let dir = tempfile::tempdir().unwrap();
    let kubeconfig = server.write_kubeconfig(dir.path());
    let (mut requests, mut log) = (0, Vec::new());
    let wall = median(
        (0..3)
            .map(|_| {
                server.reset_counts();
                let (wall, _) = run_trace(&kubeconfig, &[]);
                requests = server.requests();
                log = server.log();
                wall
            })
            .collect(),
    );
    let sequential = latency * requests as u32;
    let critical = latency * (LONGEST_CHAIN + 1);
    println!("| what | time |");
    println!("|---|---|");
    println!("| trace wall time | {:.0} ms |", ms(wall));
    println!(
        "| sum of sequential latencies ({requests} requests × {} ms) | {:.0} ms |",
        latency.as_millis(),
        ms(sequential)
    );
    println!(
        "| critical path: (longest chain {LONGEST_CHAIN} + 1) × {} ms | {:.0} ms |",
        latency.as_millis(),
        ms(critical)
    );
    println!(
        "| max requests in flight at once | {} |",
        server.max_in_flight()
    );
    println!(
        "\ntrace / critical path: {:.2}× (target ≤ 1.0×)",
        wall.as_secs_f64() / critical.as_secs_f64()
    );
    waves::print(&log, latency);
}

/// One more trace with `-v`: ktrace's own timing of the kubelet request (headers and the whole
/// streamed body) against the process wall time.
fn where_time_goes(kubeconfig: &Path) -> String {
    let bin = env!("CARGO_BIN_EXE_ktrace");
    let t = Instant::now();
    let out = Command::new(bin)
        .args([
            "pod",
            "csi/blockvol-fs-1",
            "-o",
            "json",
            "-v",
            "--kubeconfig",
        ])
        .arg(kubeconfig)
        .stdout(Stdio::null())
        .output()
        .expect("run ktrace");
    let wall = t.elapsed();
    let log = String::from_utf8_lossy(&out.stderr);
    let kubelet_ms = log
        .lines()
        .find(|l| l.contains("/proxy/metrics/cadvisor →"))
        .and_then(|l| l.rsplit(" in ").next())
        .and_then(|t| t.trim_end_matches(" ms").parse::<f64>().ok());
    match kubelet_ms {
        Some(k) => format!(
            "process {:.1} ms, of which the kubelet request (sent after the Pod GET, body streamed and filtered) {k:.1} ms; the other {:.1} ms are process start, kubeconfig and TLS set-up, the Pod GET and rendering",
            ms(wall),
            ms(wall) - k
        ),
        None => format!("no kubelet timing in the -v log: {log}"),
    }
}
