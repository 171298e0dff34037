//! Terminal text: the `top` prediction, the side-by-side lineage, each layer, findings.

use std::io::{self, Write};

use super::TextOptions;
use super::rows::{align, cgroup_header, cgroup_row, labels_text, lineage_header, lineage_row};
use super::safe::{self, Paint as Style};
use crate::lineage::{AdapterView, Layer, Lineage, RuleView, Severity, TopPrediction, Verdict};

/// Paints through [`super::safe`] markers; colour is decided when the report is finished.
struct Paint;

impl Paint {
    fn head(&self, s: &str) -> String {
        Style::Head.wrap(s)
    }
    fn good(&self, s: &str) -> String {
        Style::Good.wrap(s)
    }
    fn warn(&self, s: &str) -> String {
        Style::Warn.wrap(s)
    }
    fn bad(&self, s: &str) -> String {
        Style::Bad.wrap(s)
    }
    fn dim(&self, s: &str) -> String {
        Style::Dim.wrap(s)
    }
}

/// Writes the text report.
pub fn render(l: &Lineage, opts: TextOptions, w: &mut dyn Write) -> io::Result<()> {
    let mut buf = Vec::new();
    report(l, &mut buf)?;
    w.write_all(safe::finish(&String::from_utf8_lossy(&buf), opts.color).as_bytes())
}

fn report(l: &Lineage, w: &mut dyn Write) -> io::Result<()> {
    let p = Paint;
    header(l, &p, w)?;
    top(l, &p, w)?;
    lineage_table(l, &p, w)?;
    layers(l, &p, w)?;
    findings(l, &p, w)?;
    sources(l, &p, w)?;
    let v = match l.verdict {
        Verdict::Consistent => p.good("consistent: every layer present and every value agrees"),
        Verdict::Partial => p.warn("partial: some sources are missing (see above)"),
        Verdict::Disagree => p.bad("disagree: the backend's value is not the Metrics API value (see findings)"),
        Verdict::Drift => p.good(
            "consistent, with drift: the backend reproduces the Metrics API exactly; newer kubelet samples differ (see findings)",
        ),
    };
    writeln!(w, "\n{} {v}", p.head("Verdict:"))
}

fn header(l: &Lineage, p: &Paint, w: &mut dyn Write) -> io::Result<()> {
    writeln!(
        w,
        "{}",
        p.head(&format!(
            "ktrace pod {} — where the `top` memory number comes from",
            l.target
        ))
    )?;
    let mut meta = vec![format!("evidence captured {}", l.captured_at)];
    meta.extend(l.cluster.context.iter().map(|c| format!("context {c}")));
    meta.extend(l.cluster.server.clone());
    meta.extend(l.cluster.version.iter().map(|v| format!("server {v}")));
    writeln!(w, "{}", p.dim(&meta.join(" · ")))
}

fn top(l: &Lineage, p: &Paint, w: &mut dyn Write) -> io::Result<()> {
    let t: &TopPrediction = match &l.top {
        Layer::Present { value } => value,
        Layer::Missing { reason } => {
            return writeln!(
                w,
                "\nkubectl top pod: {}",
                p.bad(&format!("cannot be computed: {reason}"))
            );
        }
    };
    let (ns, name) = (&l.target.namespace, &l.target.name);
    writeln!(
        w,
        "\n{}",
        p.head(&format!("kubectl top pod {name} -n {ns}"))
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
        p.good(&r.memory),
        r.memory_arithmetic.clone(),
    ]);
    for line in align(&rows) {
        writeln!(w, "  {line}")?;
    }
    writeln!(
        w,
        "  {}",
        p.dim(&format!("Σ containers = {}", t.memory_sum))
    )?;
    writeln!(
        w,
        "{}",
        p.head(&format!("kubectl top pod {name} -n {ns} --containers"))
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

fn lineage_table(l: &Lineage, p: &Paint, w: &mut dyn Write) -> io::Result<()> {
    writeln!(w, "\n{}", p.head("Lineage per container (memory, bytes)"))?;
    let mut rows = vec![lineage_header(l)];
    rows.extend(l.reconciliation.iter().map(|r| lineage_row(l, r)));
    for line in align(&rows) {
        writeln!(w, "  {line}")?;
    }
    Ok(())
}

fn layers(l: &Lineage, p: &Paint, w: &mut dyn Write) -> io::Result<()> {
    writeln!(w)?;
    match &l.pod {
        Layer::Present { value } => {
            writeln!(w, "{} {}", p.head("Pod"), super::rows::pod_line(value))?
        }
        Layer::Missing { reason } => writeln!(w, "{} {}", p.head("Pod"), p.bad(reason))?,
    }
    match &l.metrics_api {
        Layer::Present { value: m } => writeln!(
            w,
            "← {} {} · timestamp {} · window {}",
            p.head("Metrics API"),
            m.api_version,
            m.timestamp.as_deref().unwrap_or("—"),
            m.window.as_deref().unwrap_or("—")
        )?,
        Layer::Missing { reason } => writeln!(w, "← {} {}", p.head("Metrics API"), p.bad(reason))?,
    }
    let b = &l.backend;
    let avail = b
        .available
        .as_deref()
        .map(|a| format!(" (Available: {a})"))
        .unwrap_or_default();
    let svc = b
        .service
        .clone()
        .or(b.apiservice_missing.clone())
        .unwrap_or_default();
    writeln!(
        w,
        "← {} {} · APIService v1beta1.metrics.k8s.io → {svc}{avail}",
        p.head("Backend"),
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
        adapter(a, p, w)?;
    }
    selected_series(l, p, w)?;
    cadvisor(l, p, w)
}

fn adapter(a: &AdapterView, p: &Paint, w: &mut dyn Write) -> io::Result<()> {
    let src = match &a.config_source {
        Layer::Present { value } => value.clone(),
        Layer::Missing { reason } => p.bad(reason),
    };
    let window = a.window.as_deref().unwrap_or("—");
    writeln!(w, "← {} {src} · window {window}", p.head("Adapter rule"))?;
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
            let ws = value.iter().filter(|s| {
                s.labels
                    .iter()
                    .any(|(k, v)| k == "__name__" && v == "container_memory_working_set_bytes")
            });
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
        Some(Layer::Missing { reason }) => writeln!(w, "    stored series: {}", p.bad(reason))?,
        None => {}
    }
    for (purpose, layer) in [("memory", &a.memory), ("cpu", &a.cpu)] {
        match layer {
            Layer::Present { value } => rule(purpose, value, p, w)?,
            Layer::Missing { reason } => writeln!(w, "    {purpose}: {}", p.bad(reason))?,
        }
    }
    Ok(())
}

fn rule(purpose: &str, r: &RuleView, p: &Paint, w: &mut dyn Write) -> io::Result<()> {
    writeln!(
        w,
        "    {purpose} template  {}",
        r.template.replace('\n', " ")
    )?;
    writeln!(
        w,
        "    {purpose} rendered  {}",
        p.good(&r.rendered.replace('\n', " "))
    )?;
    match &r.result {
        Layer::Present { value } if value.is_empty() => {
            writeln!(w, "    {purpose} result    {}", p.warn("empty vector"))?
        }
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
        Layer::Missing { reason } => writeln!(w, "    {purpose} result    {}", p.bad(reason))?,
    }
    Ok(())
}

fn selected_series(l: &Lineage, p: &Paint, w: &mut dyn Write) -> io::Result<()> {
    writeln!(
        w,
        "← {} (the series the backend's selector matches)",
        p.head("Source series")
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
                p.warn("no matching series")
            )?;
        }
    }
    Ok(())
}

fn cadvisor(l: &Lineage, p: &Paint, w: &mut dyn Write) -> io::Result<()> {
    let c = match &l.cadvisor {
        Layer::Present { value } => value,
        Layer::Missing { reason } => {
            return writeln!(
                w,
                "← {} {}",
                p.head("kubelet /metrics/cadvisor"),
                p.bad(reason)
            );
        }
    };
    writeln!(
        w,
        "← {} all cgroups of the pod ({} labels)",
        p.head("kubelet /metrics/cadvisor"),
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
            p.dim(&g.ws_check)
        )?;
    }
    for i in &c.parse_issues {
        writeln!(w, "    {}", p.warn(&format!("unparsable: {i}")))?;
    }
    Ok(())
}

fn findings(l: &Lineage, p: &Paint, w: &mut dyn Write) -> io::Result<()> {
    writeln!(w, "\n{}", p.head("Findings"))?;
    for f in &l.findings {
        let mark = match f.severity {
            Severity::Info => p.good("•"),
            Severity::Warn => p.warn("!"),
            Severity::Missing => p.bad("✗"),
        };
        writeln!(w, "  {mark} [{}] {}", f.code, f.message)?;
        for e in &f.evidence {
            writeln!(w, "      {}", p.dim(e))?;
        }
    }
    Ok(())
}

fn sources(l: &Lineage, p: &Paint, w: &mut dyn Write) -> io::Result<()> {
    writeln!(w, "\n{}", p.head("Sources (reproduce by hand)"))?;
    for s in &l.sources {
        let mark = if s.ok {
            p.good("✓")
        } else if s.required {
            p.bad("✗")
        } else {
            p.dim("-")
        };
        writeln!(w, "  {mark} {}: {}", s.name, s.status)?;
        if let Some(c) = &s.command {
            writeln!(w, "      $ {c}")?;
        }
    }
    Ok(())
}
