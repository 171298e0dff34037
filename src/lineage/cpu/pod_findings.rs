//! CPU findings from the Pod spec and the kubelet's cAdvisor body: how much of its request
//! and limit a container uses, and whether the kernel throttled it.

use super::super::model::{Finding, Severity};
use super::Inputs;
use crate::exposition::parse::Sample;

const THROTTLED: &str = "container_cpu_cfs_throttled_periods_total";
const PERIODS: &str = "container_cpu_cfs_periods_total";

/// `usage` as a percentage of `of` millicores, one decimal, rounded half up; `None` when
/// the numbers are too large to divide exactly.
fn percent(usage_nanos: i128, of_millis: i128) -> Option<String> {
    let of = of_millis.checked_mul(1_000_000)?;
    let tenths = usage_nanos.checked_mul(1000)?.checked_add(of / 2)? / of;
    Some(format!("{}.{}%", tenths / 10, tenths % 10))
}

/// `cpu-headroom`: the container's usage against its request and limit.
pub fn headroom(inputs: &Inputs, out: &mut Vec<Finding>) {
    let (Some(pod), Some(api)) = (inputs.pod, inputs.metrics) else {
        return;
    };
    for c in &pod.containers {
        let Some(usage) = api
            .containers
            .iter()
            .find(|a| a.name == c.name)
            .and_then(|a| {
                a.cpu_nanocores
                    .map(|n| (n, a.cpu.clone().unwrap_or_default()))
            })
        else {
            continue;
        };
        // A container at 0 has all its headroom: nothing to say.
        if usage.0 <= 0 {
            continue;
        }
        let mut parts = Vec::new();
        let mut evidence = Vec::new();
        for (what, text, millis) in [
            ("request", &c.cpu_request, c.cpu_request_millicores),
            ("limit", &c.cpu_limit, c.cpu_limit_millicores),
        ] {
            let m = millis.filter(|m| *m > 0);
            if let (Some(t), Some(m), Some(p)) = (text, m, m.and_then(|m| percent(usage.0, m))) {
                parts.push(format!("{p} of its {t} {what}"));
                evidence.push(format!("resources.{what}s.cpu: {t} = {m}m"));
            }
        }
        if parts.is_empty() {
            continue;
        }
        evidence.push(format!("usage.cpu: {} = {}n", usage.1, usage.0));
        out.push(Finding::new(
            "cpu-headroom",
            Severity::Info,
            format!("{} uses {}: {}.", c.name, usage.1, parts.join(", ")),
            evidence,
        ));
    }
}

fn counter<'a>(inputs: &'a Inputs, metric: &'a str, container: &'a str) -> Option<&'a Sample> {
    inputs.cadvisor.samples_named(metric).find(|s| {
        let c = s.label("container").or_else(|| s.label("container_name"));
        c == Some(container)
    })
}

/// `cpu-throttled`: the CFS counters cAdvisor exports for a container with a CPU limit.
pub fn throttled(inputs: &Inputs, out: &mut Vec<Finding>) {
    let mut names: Vec<&str> = inputs
        .cadvisor
        .samples_named(PERIODS)
        .filter_map(|s| s.label("container").or_else(|| s.label("container_name")))
        .filter(|c| !c.is_empty())
        .collect();
    names.dedup();
    for name in names {
        let (Some(t), Some(p)) = (
            counter(inputs, THROTTLED, name),
            counter(inputs, PERIODS, name),
        ) else {
            continue;
        };
        let ratio = if p.value > 0.0 {
            format!("{:.1}%", t.value / p.value * 100.0)
        } else {
            "no period yet".into()
        };
        let (severity, what) = if t.value > 0.0 {
            (Severity::Warn, "was throttled in")
        } else {
            (Severity::Info, "was never throttled in")
        };
        out.push(Finding::new(
            "cpu-throttled",
            severity,
            format!(
                "{name} {what} {} of {} CFS periods since it started ({ratio}, the counters as cAdvisor exports them: cumulative, not over the rule's window).",
                t.value_text, p.value_text
            ),
            vec![
                inputs.cadvisor.verbatim(&t.span).to_string(),
                inputs.cadvisor.verbatim(&p.span).to_string(),
            ],
        ));
    }
}
