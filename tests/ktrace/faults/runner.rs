//! Running cases concurrently and checking each: exit code, time bound, no panic, the other
//! layers still there, no planted secret in any output.

use std::process::Command;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use serde_json::Value;

use super::table::{Case, Fault, Src};
use super::world::{World, build};
use crate::support::tools::{CmdOutput, run_with_timeout};

/// What one ktrace run left behind.
pub struct Run {
    pub out: CmdOutput,
    /// The saved bundle, when one was written.
    pub bundle: Option<String>,
}

/// Runs `jobs` on `threads` std threads; returns each job's problems (empty when it passed),
/// in job order.
pub fn run_all<J: Sync>(
    jobs: &[J],
    threads: usize,
    check: impl Fn(&J) -> Vec<String> + Sync,
) -> Vec<Vec<String>> {
    let next = AtomicUsize::new(0);
    let results = Mutex::new(vec![Vec::new(); jobs.len()]);
    std::thread::scope(|s| {
        for _ in 0..threads {
            s.spawn(|| {
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(job) = jobs.get(i) else { break };
                    let problems = check(job);
                    results.lock().unwrap_or_else(|e| e.into_inner())[i] = problems;
                }
            });
        }
    });
    results.into_inner().unwrap_or_else(|e| e.into_inner())
}

/// The request timeout of a case: short when the case waits for it.
pub fn request_timeout(case: &Case) -> Duration {
    if case.fault.waits() {
        Duration::from_secs(1)
    } else {
        Duration::from_secs(10)
    }
}

/// The hang guard: ten request timeouts (a kubelet body may take that long in total) plus
/// a margin for process start and TLS. Not a speed assertion.
pub fn bound(case: &Case) -> Duration {
    let t = request_timeout(case);
    if case.fault.waits() {
        t * 10 + Duration::from_secs(5)
    } else {
        // No fault here waits for the timeout: everything answers (or fails) at once.
        Duration::from_secs(30)
    }
}

/// Runs the `ktrace` binary like `support::ktrace` (clean environment), killed after `limit`.
pub fn ktrace(args: &[&str], home: &std::path::Path, limit: Duration) -> CmdOutput {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_ktrace"));
    cmd.args(args)
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", home);
    run_with_timeout(cmd, limit)
}

/// A live trace of the seed pod in `world`, text report with `-v`, saving a bundle.
pub fn run_live(case: &Case, world: &World) -> Run {
    let saved = world.dir.path().join("saved.json");
    let timeout = format!("{}s", request_timeout(case).as_secs());
    let mut args = vec![
        "pod",
        "csi/blockvol-fs-1",
        "--kubeconfig",
        world.kubeconfig.to_str().unwrap(),
        "-v",
        "--details",
        "--color",
        "never",
        "--request-timeout",
        &timeout,
        "--save-bundle",
        saved.to_str().unwrap(),
    ];
    let prom_url = world.prom.as_ref().map(|p| p.url());
    if let Some(url) = &prom_url {
        args.extend([
            "--prometheus-url",
            url,
            "--prometheus-token-file",
            world.prom_token_file.to_str().unwrap(),
            "--prometheus-ca-file",
            world.prom_ca_file.to_str().unwrap(),
        ]);
    }
    let out = ktrace(
        &args,
        world.dir.path(),
        bound(case) + Duration::from_secs(20),
    );
    let bundle = std::fs::read_to_string(&saved).ok();
    Run { out, bundle }
}

/// Checks every property of a run common to live cases and bundle attacks.
pub fn common_problems(
    run: &Run,
    expected_exit: i32,
    bound: Duration,
    secrets: &[(&str, String)],
) -> Vec<String> {
    let mut p = Vec::new();
    let out = &run.out;
    if out.code == 101 || out.stderr.contains("panicked") {
        p.push(format!("panic (exit {})", out.code));
    }
    if out.timed_out || out.elapsed >= bound {
        p.push(format!("took {:?}, bound {bound:?}", out.elapsed));
    }
    if out.code != expected_exit {
        p.push(format!("exit {}, expected {expected_exit}", out.code));
    }
    let saved = run.bundle.as_deref().unwrap_or("");
    for (what, secret) in secrets {
        for (place, text) in [
            ("stdout", out.stdout.as_str()),
            ("stderr", &out.stderr),
            ("bundle", saved),
        ] {
            if text.contains(secret.as_str()) {
                p.push(format!("the {what} is in {place}"));
            }
        }
    }
    p
}

/// The Metrics API's memory for the seed pod's container, as the report prints it.
const METRICS_API_VALUE: &str = "86704Ki";

/// How every limit message starts (src/fetch/limits.rs).
const LIMIT_REACHED: &str = "ktrace limit reached";

/// Every problem of live case `case`.
pub fn check_live(case: &Case) -> Vec<String> {
    let world = build(case);
    let run = run_live(case, &world);
    if std::env::var("KTRACE_FAULTS_SHOW").is_ok_and(|n| n == case.name()) {
        println!(
            "{}: exit {}\n{}\n--- stderr\n{}",
            case.name(),
            run.out.code,
            run.out.stdout,
            run.out.stderr
        );
        println!("--- bundle\n{}", run.bundle.as_deref().unwrap_or(""));
    }
    let mut p = common_problems(&run, case.expected_exit(), bound(case), &world.secrets);
    let out = &run.out;
    if case.expected_exit() == 1 {
        let last = out.stderr.lines().last().unwrap_or_default();
        if !last.starts_with("error: ") || !out.stdout.is_empty() {
            p.push("an error exit without one `error:` line on stderr".into());
        }
    } else {
        p.extend(layers_problems(case, &run));
    }
    if !p.is_empty() {
        p.push(format!(
            "stderr (last 600 bytes): {}",
            tail(&out.stderr, 600)
        ));
    }
    p
}

/// The report rendered and the layers independent of the fault are still in it.
fn layers_problems(case: &Case, run: &Run) -> Vec<String> {
    let mut p = Vec::new();
    let text = &run.out.stdout;
    if !text.contains("\nVerdict: ") {
        p.push("no report on stdout".into());
    }
    if case.fault == Fault::Huge && case.src == Src::Cadvisor && !text.contains(LIMIT_REACHED) {
        p.push(format!("the report does not say {LIMIT_REACHED:?}"));
    }
    if case.metrics_api_renders() && !text.contains(METRICS_API_VALUE) {
        p.push(format!(
            "the report lost the Metrics API value {METRICS_API_VALUE}"
        ));
    }
    let Some(b) = run
        .bundle
        .as_deref()
        .and_then(|b| serde_json::from_str::<Value>(b).ok())
    else {
        p.push("no readable saved bundle".into());
        return p;
    };
    for src in case.must_stay_ok() {
        let status = &b["sources"][src]["outcome"]["status"];
        if status != "ok" {
            p.push(format!("{src} is {status} though the fault is elsewhere"));
        }
    }
    let prometheus_independent =
        !matches!(case.src, Src::PromProxy | Src::PromDirect | Src::PodMetrics);
    if prometheus_independent && case.must_stay_ok().contains(&"adapter_config") {
        for q in b["sources"]["prometheus"].as_array().into_iter().flatten() {
            if q["source"]["outcome"]["status"] != "ok" {
                p.push(format!(
                    "the {} query failed though the fault is elsewhere",
                    q["purpose"]
                ));
            }
        }
    }
    p
}

/// The last `n` bytes of `s` (on a char boundary).
pub fn tail(s: &str, n: usize) -> &str {
    let mut start = s.len().saturating_sub(n);
    while !s.is_char_boundary(start) {
        start += 1;
    }
    &s[start..]
}
