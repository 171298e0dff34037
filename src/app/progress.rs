//! Live-run progress on stderr with indicatif: one line per request, a spinner and the time
//! so far while it runs (so a slow source shows itself), ticked or crossed when it ends.
//! Everything is cleared before the report or an error is written.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::fetch::{Event, Progress};

/// The progress lines of one live run; dropping it clears them.
pub struct Display {
    state: Arc<State>,
}

struct State {
    multi: MultiProgress,
    /// Shown until the first request starts (kubeconfig, credential plugin, client).
    connecting: ProgressBar,
    /// Every request's line by event id, running or ended.
    bars: Mutex<BTreeMap<u64, ProgressBar>>,
}

const TICK: Duration = Duration::from_millis(120);

impl Display {
    /// Starts drawing on stderr.
    pub fn start() -> Display {
        Display::with_target(ProgressDrawTarget::stderr())
    }

    /// Starts drawing on `target` (tests draw nowhere).
    pub fn with_target(target: ProgressDrawTarget) -> Display {
        let multi = MultiProgress::with_draw_target(target);
        let connecting = multi.add(running("loading the kubeconfig and connecting".into()));
        let state = State {
            multi,
            connecting,
            bars: Mutex::new(BTreeMap::new()),
        };
        Display {
            state: Arc::new(state),
        }
    }

    /// The sink to put in `fetch::Options::progress`.
    pub fn sink(&self) -> Progress {
        let state = Arc::clone(&self.state);
        Progress::new(move |e| state.on(e))
    }
}

impl Drop for Display {
    fn drop(&mut self) {
        self.state.clear();
    }
}

impl State {
    fn bars(&self) -> std::sync::MutexGuard<'_, BTreeMap<u64, ProgressBar>> {
        self.bars.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn on(&self, event: &Event) {
        match event {
            Event::Started { id, label, .. } => {
                self.connecting.finish_and_clear();
                let bar = self.multi.add(running(label.clone()));
                self.bars().insert(*id, bar);
            }
            Event::Finished {
                id,
                label,
                ok,
                summary,
                elapsed,
                log,
            } => {
                if let Some(line) = log {
                    // Printed above the progress lines, so neither garbles the other.
                    let _ = self.multi.println(line);
                }
                if let Some(bar) = self.bars().get(id) {
                    bar.set_style(style("{msg}"));
                    let mark = if *ok { '✓' } else { '✗' };
                    let ms = elapsed.as_millis();
                    bar.finish_with_message(format!("{mark} {label}: {summary} in {ms} ms"));
                }
            }
        }
    }

    fn clear(&self) {
        self.connecting.finish_and_clear();
        for bar in self.bars().values() {
            bar.finish_and_clear();
        }
        let _ = self.multi.clear();
        self.multi.set_draw_target(ProgressDrawTarget::hidden());
    }
}

/// A spinning line for `label` with the time it has been running.
fn running(label: String) -> ProgressBar {
    let bar = ProgressBar::new_spinner()
        .with_style(style("{spinner} {msg} … {elapsed}"))
        .with_message(label);
    bar.enable_steady_tick(TICK);
    bar
}

fn style(template: &str) -> ProgressStyle {
    ProgressStyle::with_template(template)
        .unwrap_or_else(|_| ProgressStyle::default_spinner())
        .tick_chars("⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏ ")
}

#[cfg(test)]
mod tests;
