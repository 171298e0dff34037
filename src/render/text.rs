//! Terminal text: the `top` prediction, the side-by-side lineage, each layer, findings.

use std::io::{self, Write};

use super::TextOptions;
use super::rows::{align, cgroup_header, cgroup_row, labels_text, lineage_header, lineage_row};
use super::safe::{self, Paint};
use crate::lineage::{AdapterView, Layer, Lineage, RuleView, Severity, TopPrediction, Verdict};

/// Writes the text report.
pub fn render(l: &Lineage, opts: TextOptions, w: &mut dyn Write) -> io::Result<()> {
    let mut buf = Vec::new();
    report(l, &mut buf)?;
    w.write_all(safe::finish(&String::from_utf8_lossy(&buf), opts.color).as_bytes())
}

fn report(l: &Lineage, w: &mut dyn Write) -> io::Result<()> {
    header(l, w)?;
    top(l, w)?;
    lineage_table(l, w)?;
    layers(l, w)?;
    findings(l, w)?;
    sources(l, w)?;
    writeln!(
        w,
        "\n{} {}",
        Paint::Head.wrap("Verdict:"),
        verdict(l.verdict)
    )
}

/// `consistent: every layer present and every value agrees`, painted by how good it is.
fn verdict(v: Verdict) -> String {
    let paint = match v {
        Verdict::Consistent | Verdict::Drift => Paint::Good,
        Verdict::Partial => Paint::Warn,
        Verdict::Disagree | Verdict::Misleading => Paint::Bad,
    };
    let details = v
        .details()
        .map(|d| format!(" (see {d})"))
        .unwrap_or_default();
    paint.wrap(&format!("{}: {}{details}", v.label(), v.summary()))
}

fn header(l: &Lineage, w: &mut dyn Write) -> io::Result<()> {
    writeln!(
        w,
        "{}",
        Paint::Head.wrap(&format!(
            "ktrace pod {} — where the `top` memory number comes from",
            l.target
        ))
    )?;
    let mut meta = vec![format!("evidence captured {}", l.captured_at)];
    meta.extend(l.cluster.context.iter().map(|c| format!("context {c}")));
    meta.extend(l.cluster.server.clone());
    meta.extend(l.cluster.version.iter().map(|v| format!("server {v}")));
    writeln!(w, "{}", Paint::Dim.wrap(&meta.join(" · ")))
}

fn top(l: &Lineage, w: &mut dyn Write) -> io::Result<()> {
    let t: &TopPrediction = match &l.top {
        Layer::Present { value } => value,
        Layer::Missing { reason } => {
            return writeln!(
                w,
                "\nkubectl top pod: {}",
                Paint::Bad.wrap(&format!("cannot be computed: {reason}"))
            );
        }
    };
    let (ns, name) = (&l.target.namespace, &l.target.name);
    writeln!(
        w,
        "\n{}",
        Paint::Head.wrap(&format!("kubectl top pod {name} -n {ns}"))
    )?;
    let mut rows = vec![vec![
        "NAME".into(),
        "CPU(cores)".into(),
        "MEMORY(bytes)".into(),
        "← arithmetic".into(),
    ]];
    let r = &t.pod_row;
    rows.push(vec![
        r.name.clone(),
        r.cpu.clone(),
        Paint::Good.wrap(&r.memory),
        r.memory_arithmetic.clone(),
    ]);
    for line in align(&rows) {
        writeln!(w, "  {line}")?;
    }
    writeln!(
        w,
        "  {}",
        Paint::Dim.wrap(&format!("Σ containers = {}", t.memory_sum))
    )?;
    writeln!(
        w,
        "{}",
        Paint::Head.wrap(&format!("kubectl top pod {name} -n {ns} --containers"))
    )?;
    let mut rows = vec![vec![
        "POD".into(),
        "NAME".into(),
        "CPU(cores)".into(),
        "MEMORY(bytes)".into(),
        "← arithmetic".into(),
    ]];
    for c in &t.containers {
        rows.push(vec![
            name.clone(),
            c.name.clone(),
            c.cpu.clone(),
            c.memory.clone(),
            c.memory_arithmetic.clone(),
        ]);
    }
    for line in align(&rows) {
        writeln!(w, "  {line}")?;
    }
    Ok(())
}

fn lineage_table(l: &Lineage, w: &mut dyn Write) -> io::Result<()> {
    writeln!(
        w,
        "\n{}",
        Paint::Head.wrap("Lineage per container (memory, bytes)")
    )?;
    let mut rows = vec![lineage_header(l)];
    rows.extend(l.reconciliation.iter().map(|r| lineage_row(l, r)));
    for line in align(&rows) {
        writeln!(w, "  {line}")?;
    }
    Ok(())
}

fn layers(l: &Lineage, w: &mut dyn Write) -> io::Result<()> {
    writeln!(w)?;
    match &l.pod {
        Layer::Present { value } => writeln!(
            w,
            "{} {}",
            Paint::Head.wrap("Pod"),
            super::rows::pod_line(value)
        )?,
        Layer::Missing { reason } => {
            writeln!(w, "{} {}", Paint::Head.wrap("Pod"), Paint::Bad.wrap(reason))?
        }
    }
    match &l.metrics_api {
        Layer::Present { value: m } => writeln!(
            w,
            "← {} {} · timestamp {} · window {}",
            Paint::Head.wrap("Metrics API"),
            m.api_version,
            m.timestamp.as_deref().unwrap_or("—"),
            m.window.as_deref().unwrap_or("—")
        )?,
        Layer::Missing { reason } => writeln!(
            w,
            "← {} {}",
            Paint::Head.wrap("Metrics API"),
            Paint::Bad.wrap(reason)
        )?,
    }
    let b = &l.backend;
    let avail = b
        .available
        .as_deref()
        .map(|a| format!(" (Available: {a})"))
        .unwrap_or_default();
    let svc = b.service_text();
    writeln!(
        w,
        "← {} {} · APIService v1beta1.metrics.k8s.io → {svc}{avail}",
        Paint::Head.wrap("Backend"),
        b.kind.as_str()
    )?;
    if let Some(d) = &b.deployment {
        writeln!(
            w,
            "    Deployment {} · {}",
            d.name,
            d.image.as_deref().unwrap_or("—")
        )?;
        writeln!(w, "    args: {}", d.args.join(" "))?;
    }
    if let Some(a) = &l.adapter {
        adapter(a, w)?;
    }
    selected_series(l, w)?;
    cadvisor(l, w)
}

fn adapter(a: &AdapterView, w: &mut dyn Write) -> io::Result<()> {
    let src = match &a.config_source {
        Layer::Present { value } => value.clone(),
        Layer::Missing { reason } => Paint::Bad.wrap(reason),
    };
    let window = a.window.as_deref().unwrap_or("—");
    writeln!(
        w,
        "← {} {src} · window {window}",
        Paint::Head.wrap("Adapter rule")
    )?;
    if let Some(url) = &a.prometheus_url {
        writeln!(w, "    Prometheus: {url}")?;
    }
    match &a.stored_series {
        Some(Layer::Present { value }) => {
            writeln!(
                w,
                "    Prometheus stores {} container_memory_* series for this pod (raw-series query); its working sets:",
                value.len()
            )?;
            let ws = value
                .iter()
                .filter(|s| s.label("__name__") == Some("container_memory_working_set_bytes"));
            for s in ws {
                writeln!(
                    w,
                    "      {} {} @{}",
                    labels_text(&s.labels),
                    s.value,
                    s.timestamp
                )?;
            }
        }
        Some(Layer::Missing { reason }) => {
            writeln!(w, "    stored series: {}", Paint::Bad.wrap(reason))?
        }
        None => {}
    }
    for (purpose, layer) in a.rules() {
        match layer {
            Layer::Present { value } => rule(purpose, value, w)?,
            Layer::Missing { reason } => writeln!(w, "    {purpose}: {}", Paint::Bad.wrap(reason))?,
        }
    }
    Ok(())
}

fn rule(purpose: &str, r: &RuleView, w: &mut dyn Write) -> io::Result<()> {
    writeln!(
        w,
        "    {purpose} template  {}",
        r.template.replace('\n', " ")
    )?;
    writeln!(
        w,
        "    {purpose} rendered  {}",
        Paint::Good.wrap(&r.rendered.replace('\n', " "))
    )?;
    match &r.result {
        Layer::Present { value } if value.is_empty() => writeln!(
            w,
            "    {purpose} result    {}",
            Paint::Warn.wrap("empty vector")
        )?,
        Layer::Present { value } => {
            for (i, s) in value.iter().enumerate() {
                let lead = if i == 0 {
                    format!("{purpose} result  ")
                } else {
                    " ".repeat(purpose.len() + 8)
                };
                writeln!(
                    w,
                    "    {lead}  {} {} @{}",
                    labels_text(&s.labels),
                    s.value,
                    s.timestamp
                )?;
            }
        }
        Layer::Missing { reason } => {
            writeln!(w, "    {purpose} result    {}", Paint::Bad.wrap(reason))?
        }
    }
    Ok(())
}

fn selected_series(l: &Lineage, w: &mut dyn Write) -> io::Result<()> {
    writeln!(
        w,
        "← {} (the series the backend's selector matches)",
        Paint::Head.wrap("Source series")
    )?;
    for r in &l.reconciliation {
        for s in &r.series {
            writeln!(w, "    {}  {s}", super::rows::display_name(&r.container))?;
        }
        if r.series.is_empty() {
            writeln!(
                w,
                "    {}  {}",
                super::rows::display_name(&r.container),
                Paint::Warn.wrap("no matching series")
            )?;
        }
    }
    Ok(())
}

fn cadvisor(l: &Lineage, w: &mut dyn Write) -> io::Result<()> {
    let c = match &l.cadvisor {
        Layer::Present { value } => value,
        Layer::Missing { reason } => {
            return writeln!(
                w,
                "← {} {}",
                Paint::Head.wrap("kubelet /metrics/cadvisor"),
                Paint::Bad.wrap(reason)
            );
        }
    };
    writeln!(
        w,
        "← {} all cgroups of the pod ({} labels)",
        Paint::Head.wrap("kubelet /metrics/cadvisor"),
        c.label_scheme
    )?;
    let mut rows = vec![cgroup_header()];
    rows.extend(c.cgroups.iter().map(cgroup_row));
    for line in align(&rows) {
        writeln!(w, "    {line}")?;
    }
    for g in &c.cgroups {
        writeln!(
            w,
            "    {} {}: {}",
            g.role.as_str(),
            super::rows::display_name(&g.container),
            Paint::Dim.wrap(&g.ws_check)
        )?;
    }
    for i in &c.parse_issues {
        writeln!(w, "    {}", Paint::Warn.wrap(&format!("unparsable: {i}")))?;
    }
    Ok(())
}

fn findings(l: &Lineage, w: &mut dyn Write) -> io::Result<()> {
    writeln!(w, "\n{}", Paint::Head.wrap("Findings"))?;
    for f in &l.findings {
        let mark = match f.severity {
            Severity::Info => Paint::Good.wrap("•"),
            Severity::Warn => Paint::Warn.wrap("!"),
            Severity::Missing | Severity::Disagree | Severity::DoubleCount => Paint::Bad.wrap("✗"),
        };
        writeln!(w, "  {mark} [{}] {}", f.code, f.message)?;
        for e in &f.evidence {
            writeln!(w, "      {}", Paint::Dim.wrap(e))?;
        }
    }
    Ok(())
}

fn sources(l: &Lineage, w: &mut dyn Write) -> io::Result<()> {
    writeln!(w, "\n{}", Paint::Head.wrap("Sources (reproduce by hand)"))?;
    for s in &l.sources {
        let mark = if s.ok {
            Paint::Good.wrap("✓")
        } else if s.required {
            Paint::Bad.wrap("✗")
        } else {
            Paint::Dim.wrap("-")
        };
        writeln!(w, "  {mark} {}: {}", s.name, s.status)?;
        if let Some(c) = &s.command {
            writeln!(w, "      $ {c}")?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests;
