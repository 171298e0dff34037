use super::*;

/// The lines as they stand: (message, ended), in the order requests started.
fn lines(d: &Display) -> Vec<(String, bool)> {
    d.state
        .bars()
        .values()
        .map(|b| (b.message(), b.is_finished()))
        .collect()
}

fn started(id: u64, label: &str) -> Event {
    Event::Started {
        id,
        label: label.into(),
        target: format!("/{id}"),
    }
}

fn finished(id: u64, label: &str, ok: bool, summary: &str) -> Event {
    Event::Finished {
        id,
        label: label.into(),
        ok,
        summary: summary.into(),
        elapsed: Duration::from_millis(42),
        log: None,
    }
}

#[test]
fn requests_run_with_their_label_and_end_ticked_or_crossed() {
    let display = Display::with_target(ProgressDrawTarget::hidden());
    let sink = display.sink();
    let send = |e: Event| sink.send(&e);
    send(started(0, "Pod csi/x"));
    send(started(1, "kubelet cAdvisor on worker-4"));
    send(started(2, "PodMetrics csi/x"));
    assert!(
        display.state.connecting.is_finished(),
        "the connecting line goes once a request starts"
    );
    send(finished(0, "Pod csi/x", true, "HTTP 200"));
    send(finished(2, "PodMetrics csi/x", false, "HTTP 403"));
    assert_eq!(
        lines(&display),
        vec![
            ("✓ Pod csi/x: HTTP 200 in 42 ms".to_string(), true),
            ("kubelet cAdvisor on worker-4".to_string(), false),
            ("✗ PodMetrics csi/x: HTTP 403 in 42 ms".to_string(), true),
        ]
    );
}

#[test]
fn dropping_the_display_ends_every_line_still_running() {
    let display = Display::with_target(ProgressDrawTarget::hidden());
    let sink = display.sink();
    sink.send(&started(0, "API server version"));
    let bar = display.state.bars()[&0].clone();
    assert!(!bar.is_finished());
    drop(display);
    assert!(
        bar.is_finished(),
        "no ticker may draw after the report starts"
    );
}

#[test]
fn an_end_without_a_start_is_ignored() {
    let display = Display::with_target(ProgressDrawTarget::hidden());
    display.sink().send(&finished(7, "x", true, "HTTP 200"));
    assert!(lines(&display).is_empty());
}
