//! The Markdown report's evidence part: every layer whole, the verbatim excerpts in
//! `<details>` blocks, and the commands to reproduce it all by hand.

use std::io::{self, Write};

use super::plain_cells;
use super::syntax::{code_span, fence, html_text, inline, md_table, plain};
use crate::lineage::{Layer, Lineage, PromSample, RuleView};
use crate::render::rows::{
    CGROUP_COLUMNS, cgroup_grid, cgroup_name, display_name, labels_text, pod_line,
};

/// Writes the evidence part.
pub fn evidence(l: &Lineage, w: &mut dyn Write) -> io::Result<()> {
    writeln!(w, "\n## Evidence\n")?;
    top(l, w)?;
    layers(l, w)?;
    series(l, w)?;
    cadvisor(l, w)?;
    checks(l, w)?;
    excerpts(l, w)?;
    reproduce(l, w)
}

fn top(l: &Lineage, w: &mut dyn Write) -> io::Result<()> {
    writeln!(w, "### What `kubectl top pod` prints\n")?;
    let t = match &l.top {
        Layer::Present { value } => value,
        Layer::Missing { reason } => {
            return writeln!(w, "Cannot be computed: {}.\n", inline(reason));
        }
    };
    let header: Vec<String> = ["row", "CPU(cores)", "MEMORY(bytes)", "arithmetic"]
        .map(String::from)
        .to_vec();
    let mut rows = vec![vec![
        format!("pod {}", code_span(&t.pod_row.name)),
        plain(&t.pod_row.cpu),
        format!("**{}**", plain(&t.pod_row.memory)),
        inline(&t.pod_row.memory_arithmetic),
    ]];
    for c in &t.containers {
        rows.push(vec![
            format!("`--containers` {}", code_span(&c.name)),
            plain(&c.cpu),
            plain(&c.memory),
            inline(&c.memory_arithmetic),
        ]);
    }
    md_table(w, &header, &rows)?;
    writeln!(w, "\nΣ containers = {}\n", plain(&t.memory_sum))
}

fn layers(l: &Lineage, w: &mut dyn Write) -> io::Result<()> {
    writeln!(w, "### Layers\n")?;
    match &l.pod {
        Layer::Present { value } => writeln!(w, "- **Pod**: {}", plain(&pod_line(value)))?,
        Layer::Missing { reason } => writeln!(w, "- **Pod**: missing — {}", inline(reason))?,
    }
    match &l.metrics_api {
        Layer::Present { value: m } => writeln!(
            w,
            "- **Metrics API** {}: timestamp {}, window {}",
            code_span(&m.api_version),
            code_span(m.timestamp.as_deref().unwrap_or("—")),
            code_span(m.window.as_deref().unwrap_or("—"))
        )?,
        Layer::Missing { reason } => {
            writeln!(w, "- **Metrics API**: missing — {}", inline(reason))?
        }
    }
    let b = &l.backend;
    writeln!(
        w,
        "- **Backend**: {} ({}), APIService Available: {}",
        b.kind.as_str(),
        code_span(&b.service_text()),
        plain(b.available.as_deref().unwrap_or("—"))
    )?;
    if let Some(d) = &b.deployment {
        let image = d.image.as_deref().unwrap_or("—");
        writeln!(
            w,
            "- **Deployment** {}: image {}, args {}",
            code_span(&d.name),
            code_span(image),
            code_span(&d.args.join(" "))
        )?;
    }
    if let Some(a) = &l.adapter {
        let src = match &a.config_source {
            Layer::Present { value } => inline(value),
            Layer::Missing { reason } => format!("missing — {}", inline(reason)),
        };
        let url = a
            .prometheus_url
            .as_deref()
            .map(code_span)
            .unwrap_or_default();
        writeln!(
            w,
            "- **Adapter config**: {src}; window {}; Prometheus {url}",
            code_span(a.window.as_deref().unwrap_or("—"))
        )?;
        for (purpose, layer) in a.rules() {
            match layer {
                Layer::Present { value } => rule(purpose, value, w)?,
                Layer::Missing { reason } => {
                    writeln!(w, "\n{purpose} rule: missing — {}", inline(reason))?
                }
            }
        }
        if let Some(Layer::Present { value }) = &a.stored_series {
            writeln!(
                w,
                "\n#### Prometheus stores, for this pod (raw-series query)\n"
            )?;
            write!(w, "{}", fence("", &samples(value)))?;
        }
    }
    Ok(())
}

fn samples(v: &[PromSample]) -> String {
    v.iter()
        .map(|s| format!("{} {} @{}", labels_text(&s.labels), s.value, s.timestamp))
        .collect::<Vec<_>>()
        .join("\n")
}

fn rule(purpose: &str, r: &RuleView, w: &mut dyn Write) -> io::Result<()> {
    writeln!(
        w,
        "\n#### Adapter {purpose} rule\n\nTemplate (containerLabel {}):\n",
        code_span(&r.container_label)
    )?;
    write!(w, "{}", fence("promql", &r.template))?;
    writeln!(w, "\nRendered for this pod:\n")?;
    write!(w, "{}", fence("promql", &r.rendered))?;
    match &r.result {
        Layer::Present { value } => {
            writeln!(w, "\nResult (as sent):\n")?;
            write!(w, "{}", fence("", &samples(value)))
        }
        Layer::Missing { reason } => writeln!(w, "\nResult: missing — {}", inline(reason)),
    }
}

fn series(l: &Lineage, w: &mut dyn Write) -> io::Result<()> {
    writeln!(
        w,
        "\n### Source series (matched by the backend's selector)\n"
    )?;
    let lines: Vec<&str> = l
        .reconciliation
        .iter()
        .flat_map(|r| r.series.iter().map(String::as_str))
        .collect();
    write!(w, "{}", fence("", &lines.join("\n")))
}

fn cadvisor(l: &Lineage, w: &mut dyn Write) -> io::Result<()> {
    writeln!(
        w,
        "\n### kubelet `/metrics/cadvisor` (all cgroups of the pod)\n"
    )?;
    let c = match &l.cadvisor {
        Layer::Present { value } => value,
        Layer::Missing { reason } => return writeln!(w, "Missing — {}", inline(reason)),
    };
    let api_ts = l.metrics_api.get().and_then(|m| m.timestamp.as_deref());
    let grid = cgroup_grid(&c.cgroups, CGROUP_COLUMNS, api_ts);
    md_table(w, &grid[0], &plain_cells(&grid[1..]))?;
    writeln!(w)?;
    for g in &c.cgroups {
        writeln!(
            w,
            "- {}: id {}, image {}; {}",
            code_span(&cgroup_name(g)),
            code_span(&g.id),
            code_span(&g.image),
            inline(&g.ws_check)
        )?;
    }
    for i in &c.parse_issues {
        writeln!(w, "- unparsable: {}", code_span(i))?;
    }
    Ok(())
}

fn checks(l: &Lineage, w: &mut dyn Write) -> io::Result<()> {
    if l.breakdown.is_empty() {
        return Ok(());
    }
    writeln!(w, "\n### What each working set is made of (exact bytes)\n")?;
    for b in &l.breakdown {
        let who = b.container.as_deref().map_or("Σ pod".into(), display_name);
        writeln!(w, "- {}: {}", code_span(&who), code_span(&b.check))?;
        if let Some(p) = &b.problem {
            writeln!(w, "  - {}", inline(p))?;
        }
    }
    Ok(())
}

fn excerpts(l: &Lineage, w: &mut dyn Write) -> io::Result<()> {
    writeln!(w, "\n### Evidence excerpts (verbatim)\n")?;
    for e in &l.excerpts {
        let from = e
            .request
            .as_deref()
            .map(|r| format!(" — {}", html_text(r)))
            .unwrap_or_default();
        writeln!(
            w,
            "<details><summary>{}{from}</summary>\n\n{}\n</details>\n",
            html_text(&e.title),
            fence("", &e.text)
        )?;
    }
    Ok(())
}

fn reproduce(l: &Lineage, w: &mut dyn Write) -> io::Result<()> {
    writeln!(w, "### Reproduce by hand\n")?;
    let (ns, name) = (&l.target.namespace, &l.target.name);
    let mut lines = vec![
        format!("kubectl top pod {name} -n {ns}"),
        format!("kubectl top pod {name} -n {ns} --containers"),
    ];
    for s in &l.sources {
        if let Some(c) = &s.command {
            // A comment line: a line break in the status would end the comment.
            let status = s.status.replace(['\r', '\n'], " ");
            lines.push(format!("# {} — {status}\n{c}", s.name));
        }
    }
    write!(w, "{}", fence("sh", &lines.join("\n")))
}
