//! What the working sets `top` sums are made of, from the cAdvisor counters of the cgroups
//! the backend summed (dataflow §5).
//!
//! `working_set = usage − inactive_file` (floored at 0) on both cgroup versions, and usage is
//! rss + page cache + kernel/other, so
//! `working_set = rss + active_file + kernel/other` with `active_file = cache − inactive_file`
//! and kernel/other the remainder (`working_set − rss − active_file`; `usage − rss − cache`
//! when inactive_file is implied). inactive_file and active_file are exported by cAdvisor
//! ≥ 0.52; before that inactive_file is implied as `usage − working_set`, and so is
//! active_file. A decomposition whose parts would be negative is not shown: it says why.

use super::cadvisor::row_key;
use super::model::{
    Amount, BackendKind, Breakdown, CadvisorView, CgroupRole, CgroupRow, CgroupVersion,
    MetricsApiView, Part,
};
use super::selection::Selection;
use crate::quantity::human_bytes;

/// The pod row (Σ of the containers `top` sums) first, then one row per container, in
/// kubectl's order; empty when no container's cgroup is known.
pub fn breakdowns(
    view: Option<&CadvisorView>,
    sel: &Selection,
    kind: BackendKind,
    metrics: Option<&MetricsApiView>,
    version: &CgroupVersion,
) -> Vec<Breakdown> {
    let Some(view) = view else { return Vec::new() };
    let mut names: Vec<String> = match metrics {
        Some(m) => m.containers.iter().map(|c| c.name.clone()).collect(),
        None => sel.by_container.keys().cloned().collect(),
    };
    names.sort_by(|a, b| a.as_bytes().cmp(b.as_bytes()));
    names.dedup();
    let mut rows = Vec::new();
    let mut all: Vec<&CgroupRow> = Vec::new();
    let mut unknown = Vec::new();
    for name in &names {
        let cgroups = cgroups_for(view, sel, kind, name);
        match counters(&cgroups) {
            Some(c) => {
                let mut row = decompose(Some(name.clone()), version, &c);
                if cgroups.len() > 1 {
                    row.notes.push(several_series(cgroups.len()));
                }
                rows.push(row);
                all.extend(cgroups);
            }
            None => unknown.push(format!("{name:?}")),
        }
    }
    let Some(c) = counters(&all) else {
        return Vec::new();
    };
    let mut pod = decompose(None, version, &c);
    if !unknown.is_empty() {
        pod.notes.push(format!(
            "no cAdvisor working set for container {}: the pod row covers the other containers only",
            unknown.join(", ")
        ));
    }
    if rows
        .iter()
        .any(|r| r.notes.iter().any(|n| n.starts_with(SEVERAL)))
    {
        pod.notes.push(
            "the pod row adds every series the backend summed; a cgroup counted twice is in it twice"
                .into(),
        );
    }
    rows.insert(0, pod);
    rows
}

/// How a note about a container summed from several cgroup series begins.
const SEVERAL: &str = "the sum of ";

/// The note on a container whose breakdown adds `n` cgroup series, as the backend's sum does.
fn several_series(n: usize) -> String {
    format!(
        "{SEVERAL}{n} cgroup series, as the backend summed them; when they are one cgroup under several paths (see the findings) this memory is counted {n} times"
    )
}

/// The cgroups the backend summed for `name` (metrics-server keeps the first); by
/// container name when the series came from elsewhere (`/metrics/resource`).
fn cgroups_for<'a>(
    view: &'a CadvisorView,
    sel: &Selection,
    kind: BackendKind,
    name: &str,
) -> Vec<&'a CgroupRow> {
    let keep = if kind == BackendKind::MetricsServer {
        1
    } else {
        usize::MAX
    };
    let keys: Vec<&String> = sel
        .by_container
        .get(name)
        .map(|s| s.keys.iter().take(keep).collect())
        .unwrap_or_default();
    let by_key: Vec<&CgroupRow> = keys
        .iter()
        .filter_map(|k| view.cgroups.iter().find(|r| row_key(r) == **k))
        .collect();
    if !by_key.is_empty() {
        return by_key;
    }
    view.cgroups
        .iter()
        .filter(|r| matches!(r.role, CgroupRole::App | CgroupRole::Pause) && r.container == name)
        .take(keep)
        .collect()
}

/// The counters of one or more cgroups, summed; a counter is known only when every cgroup
/// exports it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
/// One cgroup's memory counters, bytes (`None`: not exported).
pub(crate) struct Counters {
    pub(crate) ws: i128,
    pub(crate) usage: Option<i128>,
    pub(crate) rss: Option<i128>,
    pub(crate) cache: Option<i128>,
    pub(crate) inactive: Option<i128>,
    pub(crate) active: Option<i128>,
    pub(crate) mapped: Option<i128>,
    pub(crate) swap: Option<i128>,
}

fn counters(rows: &[&CgroupRow]) -> Option<Counters> {
    if rows.is_empty() {
        return None;
    }
    let sum = |short: &str| {
        rows.iter()
            .map(|r| r.bytes(short))
            .try_fold(0i128, |a, v| Some(a.saturating_add(v?)))
    };
    Some(Counters {
        ws: sum("working_set")?,
        usage: sum("usage"),
        rss: sum("rss"),
        cache: sum("cache"),
        inactive: sum("inactive_file"),
        active: sum("active_file"),
        mapped: sum("mapped_file"),
        swap: sum("swap"),
    })
}

/// The working set of one cgroup decomposed (rss, active page cache, kernel/other), with the
/// steps and the check; also used for a node's root cgroup.
pub(crate) fn decompose(
    container: Option<String>,
    version: &CgroupVersion,
    c: &Counters,
) -> Breakdown {
    let inactive = match (c.inactive, c.usage) {
        (Some(bytes), _) => Some(exported(bytes)),
        (None, Some(usage)) => Some(implied(usage - c.ws)),
        _ => None,
    };
    let active = match (c.active, c.cache, inactive) {
        (Some(bytes), _, _) => Some(exported(bytes)),
        (None, Some(cache), Some(i)) => Some(implied(cache - i.bytes)),
        _ => None,
    };
    let split = Split {
        c,
        inactive,
        active,
    };
    let facts = split.contradictions();
    let (parts, check) = match (c.rss, active) {
        (Some(rss), Some(a)) if facts.is_empty() => {
            let other = c.ws - rss - a.bytes;
            let check = format!(
                "working_set {} = rss {rss} + active_file {} + kernel/other {other}",
                c.ws, a.bytes
            );
            (parts(rss, a, other), check)
        }
        _ => (Vec::new(), split.check_text()),
    };
    let problem = split.problem(&facts);
    Breakdown {
        container,
        cgroup: version.clone(),
        working_set: c.ws,
        usage: c.usage,
        rss: c.rss,
        cache: c.cache,
        // A negative implied counter is no amount of memory: the problem says why instead.
        active_file: active.filter(|a| a.bytes >= 0),
        inactive_file: inactive.filter(|i| i.bytes >= 0),
        mapped_file: c.mapped,
        swap: c.swap,
        adds_up: problem.is_none(),
        steps: split.steps(),
        notes: split.notes(),
        parts,
        check,
        problem,
    }
}

fn exported(bytes: i128) -> Amount {
    Amount {
        bytes,
        implied: false,
    }
}

fn implied(bytes: i128) -> Amount {
    Amount {
        bytes,
        implied: true,
    }
}

fn parts(rss: i128, active: Amount, other: i128) -> Vec<Part> {
    let part = |name: &str, label: &str, bytes: i128, implied: bool| Part {
        name: name.into(),
        label: label.into(),
        bytes,
        implied,
    };
    vec![
        part("rss", "process memory (rss)", rss, false),
        part(
            "active_file",
            "active page cache",
            active.bytes,
            active.implied,
        ),
        part("kernel_other", "kernel/other", other, false),
    ]
}

/// The counters with inactive_file and active_file resolved (exported or implied).
struct Split<'a> {
    c: &'a Counters,
    inactive: Option<Amount>,
    active: Option<Amount>,
}

/// One way the counters contradict `working_set = rss + active_file + kernel/other`:
/// (words with human units, exact arithmetic).
type Fact = (String, String);

impl Split<'_> {
    fn contradictions(&self) -> Vec<Fact> {
        let c = self.c;
        let (ws, h) = (c.ws, human_bytes);
        let Some(rss) = c.rss else {
            return vec![(
                "cAdvisor exports no rss for it".into(),
                "rss not exported".into(),
            )];
        };
        let mut out = Vec::new();
        if rss > ws {
            out.push((
                format!("rss {} is above the working set {}", h(rss), h(ws)),
                format!("rss {rss} > working_set {ws}"),
            ));
        } else if let Some(a) = self.active.filter(|a| a.bytes >= 0 && rss + a.bytes > ws) {
            out.push((
                format!(
                    "rss {} + active page cache {} is more than the working set {}",
                    h(rss),
                    h(a.bytes),
                    h(ws)
                ),
                format!("rss {rss} + active_file {} > working_set {ws}", a.bytes),
            ));
        }
        match (self.inactive, c.usage) {
            (Some(i), Some(u)) if !i.implied && (u - i.bytes).max(0) != ws => out.push((
                format!(
                    "the working set {} is not usage {} − inactive_file {}",
                    h(ws),
                    h(u),
                    h(i.bytes)
                ),
                format!(
                    "working_set {ws} ≠ max(usage {u} − inactive_file {}, 0) = {}",
                    i.bytes,
                    (u - i.bytes).max(0)
                ),
            )),
            (Some(i), Some(u)) if i.bytes < 0 => out.push((
                format!("the working set {} is above usage {}", h(ws), h(u)),
                format!("working_set {ws} > usage {u}"),
            )),
            _ => {}
        }
        if let (Some(a), Some(i), Some(cache)) = (self.active, self.inactive, c.cache)
            && a.implied
            && a.bytes < 0
            && i.bytes >= 0
        {
            out.push((
                format!(
                    "the implied inactive_file {} exceeds the page cache {}",
                    h(i.bytes),
                    h(cache)
                ),
                format!("inactive_file {} > cache {cache}", i.bytes),
            ));
        }
        if self.active.is_none() {
            out.push((
                "cAdvisor exports no page cache (or usage) for it".into(),
                "cache or usage not exported".into(),
            ));
        }
        out
    }

    fn problem(&self, facts: &[Fact]) -> Option<String> {
        (!facts.is_empty()).then(|| {
            let words: Vec<&str> = facts.iter().map(|f| f.0.as_str()).collect();
            format!("does not add up: {}", words.join("; "))
        })
    }

    fn check_text(&self) -> String {
        let facts: Vec<String> = self.contradictions().into_iter().map(|f| f.1).collect();
        facts.join("; ")
    }

    /// Each derived value with its exact arithmetic.
    fn steps(&self) -> Vec<String> {
        let c = self.c;
        let mut out = Vec::new();
        match (self.inactive, c.usage) {
            (Some(i), Some(u)) if i.implied => out.push(format!(
                "inactive_file {} = usage {u} − working_set {} (implied: not exported)",
                i.bytes, c.ws
            )),
            (Some(i), Some(u)) => {
                let e = (u - i.bytes).max(0);
                let mark = if e == c.ws { "✓" } else { "✗" };
                out.push(format!(
                    "working_set {} = max(usage {u} − inactive_file {}, 0) = {e} {mark}",
                    c.ws, i.bytes
                ));
            }
            _ => {}
        }
        if let (Some(a), Some(i), Some(cache)) = (self.active, self.inactive, c.cache)
            && a.implied
        {
            out.push(format!(
                "active_file {} = cache {cache} − inactive_file {} (implied)",
                a.bytes, i.bytes
            ));
        }
        if let (Some(rss), Some(a)) = (c.rss, self.active) {
            out.push(format!(
                "kernel/other {} = working_set {} − rss {rss} − active_file {}",
                c.ws - rss - a.bytes,
                c.ws,
                a.bytes
            ));
        }
        out
    }

    fn notes(&self) -> Vec<String> {
        let c = self.c;
        let mut out = Vec::new();
        if let (Some(a), Some(i), Some(cache)) = (self.active, self.inactive, c.cache)
            && !a.implied
            && !i.implied
            && a.bytes + i.bytes != cache
        {
            out.push(format!(
                "cache {cache} B is not active_file + inactive_file = {} B ({:+} B); kernel/other is taken as the working-set remainder",
                a.bytes + i.bytes,
                cache - a.bytes - i.bytes
            ));
        }
        if let Some(swap) = c.swap.filter(|s| *s > 0) {
            out.push(format!(
                "swap {swap} B ({}) is outside usage and the working set",
                human_bytes(swap)
            ));
        }
        out
    }
}

#[cfg(test)]
mod tests;
