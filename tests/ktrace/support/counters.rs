//! CPU counters that advance with wall time: a kubelet `/metrics/cadvisor` body whose
//! `container_cpu_usage_seconds_total` values are `start + rate × (now − t0)` when asked for,
//! so a real Prometheus scraping it stores a counter that really moves.
//!
//! Every other line (memory gauges, HELP/TYPE) is served as the template has it.

use std::sync::Arc;
use std::time::Instant;

use bytes::Bytes;

/// The counter whose lines move.
pub const CPU_COUNTER: &str = "container_cpu_usage_seconds_total";

/// One moving counter: the series whose `container` label is `container` starts at the value
/// the template has and grows by `rate` cores (CPU-seconds per second).
#[derive(Debug, Clone)]
pub struct Rate {
    /// The `container` label value (`""` is the pod cgroup).
    pub container: String,
    /// CPU-seconds per wall second.
    pub rate: f64,
}

impl Rate {
    /// `container` at `rate` cores.
    pub fn new(container: &str, rate: f64) -> Rate {
        Rate {
            container: container.to_owned(),
            rate,
        }
    }
}

/// One sample line of the template, split where the value goes.
#[derive(Debug, Clone)]
enum Line {
    /// Served verbatim (comments, other metrics, counters without a rate).
    Fixed(String),
    /// `head` (name and labels) then `start + rate × elapsed`.
    Moving { head: String, start: f64, rate: f64 },
}

/// A template body with its moving counters, and the instant they started from.
#[derive(Debug, Clone)]
pub struct MovingCounters {
    lines: Vec<Line>,
    t0: Instant,
}

/// `name{labels}`, value, and an optional timestamp of one exposition sample line.
fn split_sample(line: &str) -> Option<(&str, &str)> {
    let close = line.rfind('}')?;
    let (head, rest) = line.split_at(close + 1);
    let value = rest.split_whitespace().next()?;
    Some((head, value))
}

fn container_label(head: &str) -> Option<&str> {
    let at = head.find("container=\"")? + "container=\"".len();
    let len = head[at..].find('"')?;
    Some(&head[at..at + len])
}

impl MovingCounters {
    /// `template` (a kubelet body) with the `container_cpu_usage_seconds_total` line of each
    /// `rates` container moving from now on. Each sample line loses its timestamp: the value is
    /// computed when the body is asked for, so the old capture time would be wrong for it.
    pub fn new(template: &str, rates: &[Rate]) -> MovingCounters {
        let lines = template
            .lines()
            .map(|l| Self::line(l, rates))
            .collect::<Vec<_>>();
        let moving = lines
            .iter()
            .filter(|l| matches!(l, Line::Moving { .. }))
            .count();
        assert_eq!(moving, rates.len(), "every rate names one counter line");
        MovingCounters {
            lines,
            t0: Instant::now(),
        }
    }

    fn line(l: &str, rates: &[Rate]) -> Line {
        if l.starts_with('#') || l.trim().is_empty() {
            return Line::Fixed(l.to_owned());
        }
        let Some((head, value)) = split_sample(l) else {
            return Line::Fixed(l.to_owned());
        };
        let rate = rates.iter().find(|r| {
            head.starts_with(&format!("{CPU_COUNTER}{{"))
                && container_label(head) == Some(r.container.as_str())
        });
        match rate {
            Some(r) => Line::Moving {
                head: head.to_owned(),
                start: value.parse().expect("a float counter value"),
                rate: r.rate,
            },
            None => Line::Fixed(format!("{head} {value}")),
        }
    }

    /// The body at this moment. With `stamp_ms`, every sample line carries that timestamp (a
    /// kubelet stamps each line with its sample time); without, none does.
    pub fn render(&self, stamp_ms: Option<i64>) -> String {
        let elapsed = self.t0.elapsed().as_secs_f64();
        let stamp = stamp_ms.map(|t| format!(" {t}")).unwrap_or_default();
        let mut out = String::new();
        for line in &self.lines {
            match line {
                Line::Fixed(l) if l.starts_with('#') || l.is_empty() => out.push_str(l),
                Line::Fixed(l) => out.push_str(&format!("{l}{stamp}")),
                Line::Moving { head, start, rate } => {
                    // `{}` writes the shortest string that reads back as the same f64.
                    out.push_str(&format!("{head} {}{stamp}", start + rate * elapsed));
                }
            }
            out.push('\n');
        }
        out
    }

    /// A scrape-target body function for [`super::tools::serve_dynamic_text`]: no timestamps,
    /// so Prometheus stamps each sample with its own scrape time.
    pub fn scrape_body(self: &Arc<Self>) -> Arc<dyn Fn() -> Bytes + Send + Sync> {
        let me = self.clone();
        Arc::new(move || Bytes::from(me.render(None)))
    }

    /// A kubelet route body for the test API server: each line stamped with the time it was
    /// computed, in Unix ms, as a kubelet's cAdvisor does.
    pub fn kubelet_body(self: &Arc<Self>) -> super::apiserver::BodyFn {
        let me = self.clone();
        Arc::new(move || {
            let now_ms = jiff::Timestamp::now().as_millisecond();
            (
                "text/plain; version=0.0.4".to_owned(),
                Bytes::from(me.render(Some(now_ms))),
            )
        })
    }
}
