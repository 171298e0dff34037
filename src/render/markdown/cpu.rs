//! The CPU lineage in Markdown: the same lines as the text report, plus every raw sample of
//! every series in one table (the ones the function used marked).

use std::io::{self, Write};

use super::syntax::{code_span, inline, md_table, plain};
use crate::lineage::{CpuContainer, Layer, Lineage};

/// `## Lineage (CPU)`.
pub fn cpu(l: &Lineage, w: &mut dyn Write) -> io::Result<()> {
    writeln!(w, "\n## Lineage (CPU)\n")?;
    let c = match &l.cpu {
        Layer::Present { value } => value,
        Layer::Missing { reason } => return writeln!(w, "Not traced: {}.", inline(reason)),
    };
    if let Some(e) = &c.engine {
        let version = e.version.as_deref().map_or("unknown".into(), code_span);
        writeln!(
            w,
            "- engine: Prometheus {version} → {} semantics ({}): {}",
            plain(&e.applied),
            plain(&e.semantics),
            inline(&e.why)
        )?;
    }
    if let (Some(f), Some(r)) = (&c.function, &c.range) {
        let at = c.eval_time.as_deref().unwrap_or("an unknown time");
        writeln!(
            w,
            "- rule: {} evaluated at {}",
            code_span(&format!("{f}[{r}]")),
            plain(at)
        )?;
    }
    if c.engine.is_none() {
        writeln!(
            w,
            "- PodMetrics: timestamp {} · window {}",
            plain(c.timestamp.as_deref().unwrap_or("—")),
            plain(c.window.as_deref().unwrap_or("—"))
        )?;
    }
    for k in &c.containers {
        container(k, w)?;
    }
    writeln!(
        w,
        "- pod row {}: {}",
        plain(c.pod_row.top.as_deref().unwrap_or("?")),
        code_span(&c.pod_row.arithmetic)
    )?;
    for m in &c.missing {
        match m.split_once("; by hand: ") {
            Some((what, cmd)) => writeln!(
                w,
                "- missing: {}; by hand: {}",
                inline(what),
                code_span(cmd)
            )?,
            None => writeln!(w, "- missing: {}", inline(m))?,
        }
    }
    samples_table(&c.containers, w)
}

fn container(k: &CpuContainer, w: &mut dyn Write) -> io::Result<()> {
    writeln!(w, "- **{}**: {}", plain(&k.name), code_span(&k.arithmetic))?;
    match (k.bit_exact, &k.recomputed, &k.backend_value) {
        (Some(true), Some(r), _) => writeln!(
            w,
            "  - recomputed {} = Prometheus's answer, bit for bit",
            code_span(r)
        )?,
        (Some(false), Some(r), Some(b)) => writeln!(
            w,
            "  - **recomputed {} ≠ Prometheus's answer {}**",
            code_span(r),
            code_span(b)
        )?,
        _ => {
            if let Some(why) = &k.not_recomputed {
                writeln!(w, "  - not recomputed: {}", inline(why))?;
            }
        }
    }
    if let Some(r) = &k.kubelet {
        let at = r.at.as_deref().unwrap_or("no timestamp");
        writeln!(
            w,
            "  - kubelet counter: `container_cpu_usage_seconds_total` {} at {}",
            code_span(&r.value),
            plain(at)
        )?;
    }
    if let Some(check) = &k.own_check {
        writeln!(w, "  - {}", inline(check))?;
    }
    Ok(())
}

/// Every raw sample: container, series, sample number, time, age, value, used.
fn samples_table(containers: &[CpuContainer], w: &mut dyn Write) -> io::Result<()> {
    let mut rows = Vec::new();
    for k in containers {
        for s in &k.series {
            let labels: Vec<String> = s.labels.iter().map(|(a, b)| format!("{a}={b:?}")).collect();
            let labels = code_span(&format!("{{{}}}", labels.join(",")));
            for (i, p) in s.samples.iter().enumerate() {
                rows.push(vec![
                    plain(&k.name),
                    labels.clone(),
                    (i + 1).to_string(),
                    plain(&p.t),
                    plain(&p.age),
                    code_span(&p.value),
                    if s.used.contains(&i) { "yes" } else { "" }.to_string(),
                ]);
            }
        }
    }
    if rows.is_empty() {
        return Ok(());
    }
    writeln!(w, "\nRaw counter samples in the window:\n")?;
    let header: Vec<String> = ["container", "series", "#", "time", "age", "value", "used"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    md_table(w, &header, &rows)
}
