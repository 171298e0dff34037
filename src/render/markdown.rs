//! Markdown report for tickets: tables, the rendered query, evidence excerpts, commands.

use std::io::{self, Write};

use super::rows::{cgroup_header, cgroup_row, labels_text, lineage_header, lineage_row};
use crate::lineage::{Layer, Lineage, RuleView, Severity, Verdict};

fn md_row(w: &mut dyn Write, cells: &[String]) -> io::Result<()> {
    let cells: Vec<String> = cells
        .iter()
        .map(|c| c.replace('|', "\\|").replace('\n', " "))
        .collect();
    writeln!(w, "| {} |", cells.join(" | "))
}

fn md_table(w: &mut dyn Write, header: &[String], rows: &[Vec<String>]) -> io::Result<()> {
    md_row(w, header)?;
    writeln!(w, "|{}", "---|".repeat(header.len()))?;
    rows.iter().try_for_each(|r| md_row(w, r))
}

/// Writes the Markdown report (control characters from the evidence escaped).
pub fn render(l: &Lineage, w: &mut dyn Write) -> io::Result<()> {
    let mut buf = Vec::new();
    report(l, &mut buf)?;
    w.write_all(super::safe::finish(&String::from_utf8_lossy(&buf), false).as_bytes())
}

fn report(l: &Lineage, w: &mut dyn Write) -> io::Result<()> {
    writeln!(w, "# ktrace: `{}` memory lineage\n", l.target)?;
    let mut meta = vec![format!("Evidence captured {}", l.captured_at)];
    meta.extend(l.cluster.context.iter().map(|c| format!("context `{c}`")));
    meta.extend(l.cluster.version.iter().map(|v| format!("server {v}")));
    writeln!(w, "{}.\n", meta.join(", "))?;
    top(l, w)?;
    writeln!(w, "## Lineage per container (memory, bytes)\n")?;
    let rows: Vec<Vec<String>> = l.reconciliation.iter().map(|r| lineage_row(l, r)).collect();
    md_table(w, &lineage_header(l), &rows)?;
    layers(l, w)?;
    findings(l, w)?;
    excerpts(l, w)?;
    reproduce(l, w)?;
    writeln!(w, "\n{}", verdict(l.verdict))
}

/// `**Verdict:** consistent — every layer present and every value agrees.`
fn verdict(v: Verdict) -> String {
    format!("**Verdict:** {} — {}.", v.label(), v.summary())
}

fn top(l: &Lineage, w: &mut dyn Write) -> io::Result<()> {
    writeln!(w, "## What `kubectl top pod` prints\n")?;
    let t = match &l.top {
        Layer::Present { value } => value,
        Layer::Missing { reason } => return writeln!(w, "Cannot be computed: {reason}.\n"),
    };
    let header: Vec<String> = ["row", "CPU(cores)", "MEMORY(bytes)", "arithmetic"]
        .map(String::from)
        .to_vec();
    let mut rows = vec![vec![
        format!("pod `{}`", t.pod_row.name),
        t.pod_row.cpu.clone(),
        format!("**{}**", t.pod_row.memory),
        t.pod_row.memory_arithmetic.clone(),
    ]];
    for c in &t.containers {
        rows.push(vec![
            format!("`--containers` `{}`", c.name),
            c.cpu.clone(),
            c.memory.clone(),
            c.memory_arithmetic.clone(),
        ]);
    }
    md_table(w, &header, &rows)?;
    writeln!(w, "\nΣ containers = {}\n", t.memory_sum)
}

fn layers(l: &Lineage, w: &mut dyn Write) -> io::Result<()> {
    writeln!(w, "\n## Layers\n")?;
    match &l.pod {
        Layer::Present { value } => writeln!(w, "- **Pod**: {}", super::rows::pod_line(value))?,
        Layer::Missing { reason } => writeln!(w, "- **Pod**: missing — {reason}")?,
    }
    match &l.metrics_api {
        Layer::Present { value: m } => writeln!(
            w,
            "- **Metrics API** `{}`: timestamp `{}`, window `{}`",
            m.api_version,
            m.timestamp.as_deref().unwrap_or("—"),
            m.window.as_deref().unwrap_or("—")
        )?,
        Layer::Missing { reason } => writeln!(w, "- **Metrics API**: missing — {reason}")?,
    }
    let b = &l.backend;
    writeln!(
        w,
        "- **Backend**: {} (`{}`), APIService Available: {}",
        b.kind.as_str(),
        b.service_text(),
        b.available.as_deref().unwrap_or("—")
    )?;
    if let Some(d) = &b.deployment {
        writeln!(w, "- **Deployment** `{}`: `{}`", d.name, d.args.join(" "))?;
    }
    if let Some(a) = &l.adapter {
        let src = match &a.config_source {
            Layer::Present { value } => value.clone(),
            Layer::Missing { reason } => format!("missing — {reason}"),
        };
        writeln!(
            w,
            "- **Adapter config**: {src}; window `{}`",
            a.window.as_deref().unwrap_or("—")
        )?;
        for (purpose, layer) in a.rules() {
            match layer {
                Layer::Present { value } => rule(purpose, value, w)?,
                Layer::Missing { reason } => writeln!(w, "\n{purpose} rule: missing — {reason}")?,
            }
        }
    }
    series(l, w)?;
    cadvisor(l, w)
}

fn rule(purpose: &str, r: &RuleView, w: &mut dyn Write) -> io::Result<()> {
    writeln!(
        w,
        "\n### Adapter {purpose} rule\n\nTemplate (`containerLabel: {}`):\n",
        r.container_label
    )?;
    writeln!(
        w,
        "```promql\n{}\n```\n\nRendered for this pod:\n\n```promql\n{}\n```\n",
        r.template, r.rendered
    )?;
    match &r.result {
        Layer::Present { value } => {
            writeln!(w, "Result:\n\n```")?;
            for s in value {
                writeln!(w, "{} {} @{}", labels_text(&s.labels), s.value, s.timestamp)?;
            }
            writeln!(w, "```")
        }
        Layer::Missing { reason } => writeln!(w, "Result: missing — {reason}"),
    }
}

fn series(l: &Lineage, w: &mut dyn Write) -> io::Result<()> {
    writeln!(
        w,
        "\n### Source series (matched by the backend's selector)\n\n```"
    )?;
    for r in &l.reconciliation {
        for s in &r.series {
            writeln!(w, "{s}")?;
        }
    }
    writeln!(w, "```")
}

fn cadvisor(l: &Lineage, w: &mut dyn Write) -> io::Result<()> {
    writeln!(
        w,
        "\n### kubelet `/metrics/cadvisor` (all cgroups of the pod, bytes)\n"
    )?;
    let c = match &l.cadvisor {
        Layer::Present { value } => value,
        Layer::Missing { reason } => return writeln!(w, "Missing — {reason}"),
    };
    let rows: Vec<Vec<String>> = c.cgroups.iter().map(cgroup_row).collect();
    md_table(w, &cgroup_header(), &rows)?;
    writeln!(w)?;
    for g in &c.cgroups {
        let name = super::rows::display_name(&g.container);
        writeln!(w, "- {} `{name}`: {}", g.role.as_str(), g.ws_check)?;
    }
    Ok(())
}

fn findings(l: &Lineage, w: &mut dyn Write) -> io::Result<()> {
    writeln!(w, "\n## Findings\n")?;
    for f in &l.findings {
        let tag = match f.severity {
            Severity::Info => "info",
            Severity::Warn => "**warning**",
            Severity::Missing => "**missing**",
            Severity::Disagree => "**disagree**",
            Severity::DoubleCount => "**double count**",
        };
        writeln!(w, "- {tag} `{}`: {}", f.code, f.message)?;
        for e in &f.evidence {
            writeln!(w, "  - `{}`", e.replace('`', "'"))?;
        }
    }
    Ok(())
}

fn excerpts(l: &Lineage, w: &mut dyn Write) -> io::Result<()> {
    writeln!(w, "\n## Evidence excerpts (verbatim)\n")?;
    for e in &l.excerpts {
        let from = e
            .request
            .as_deref()
            .map(|r| format!(" — `{r}`"))
            .unwrap_or_default();
        let fence = if e.text.contains("```") {
            "~~~~"
        } else {
            "```"
        };
        writeln!(w, "{}{from}\n\n{fence}\n{}\n{fence}\n", e.title, e.text)?;
    }
    Ok(())
}

fn reproduce(l: &Lineage, w: &mut dyn Write) -> io::Result<()> {
    writeln!(w, "\n## Reproduce by hand\n")?;
    let (ns, name) = (&l.target.namespace, &l.target.name);
    writeln!(
        w,
        "```sh\nkubectl top pod {name} -n {ns}\nkubectl top pod {name} -n {ns} --containers"
    )?;
    for s in &l.sources {
        if let Some(c) = &s.command {
            writeln!(w, "# {} — {}\n{c}", s.name, s.status)?;
        }
    }
    writeln!(w, "```")
}

#[cfg(test)]
mod tests;
