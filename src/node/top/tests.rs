use super::*;
use serde_json::json;

fn node() -> Value {
    json!({"metadata": {"name": "n1"}, "status": {
        "capacity": {"cpu": "4", "memory": "8Gi"},
        "allocatable": {"cpu": "3500m", "memory": "1900000Ki"}}})
}

fn metrics(cpu: &str, memory: &str) -> Value {
    json!({"metadata": {"name": "n1"}, "timestamp": "2026-12-01T00:00:00Z", "window": "20s",
        "usage": {"cpu": cpu, "memory": memory}})
}

#[test]
fn allocatable_and_capacity_rows_with_memory_over_100_percent() {
    let m = metrics("1234567890n", "2000000Ki");
    let a = predict(Some(&m), Some(&node()), "n1", Basis::Allocatable).unwrap();
    // 2000000Ki = 2048000000 B → 1953Mi; 2048000000000 / 1945600000000 × 100 = 105.26…
    assert_eq!(a.cells, ["n1", "1235m", "35%", "1953Mi", "105%"]);
    assert_eq!(a.command, "kubectl top node n1");
    let mem = a.memory.unwrap();
    assert_eq!(
        mem.percent_arithmetic.as_deref(),
        Some("int64(2048000000000 / 1945600000000 × 100) = int64(105.26315789473684) = 105")
    );
    assert_eq!(mem.available.as_deref(), Some("1900000Ki"));
    let c = predict(Some(&m), Some(&node()), "n1", Basis::Capacity).unwrap();
    assert_eq!(c.cells, ["n1", "1235m", "30%", "1953Mi", "23%"]);
    assert_eq!(c.command, "kubectl top node n1 --show-capacity");
    assert_eq!(
        c.cpu.unwrap().shown_arithmetic,
        "ceil(1234567890n × 1000) = ceil(1234.56789) = 1235 → 1235m"
    );
}

#[test]
fn percent_columns_need_the_resource_on_the_node() {
    let m = metrics("29m", "100Mi");
    let n = json!({"status": {"allocatable": {"cpu": "100m"}}});
    let t = predict(Some(&m), Some(&n), "n1", Basis::Allocatable).unwrap();
    // 29 / 100 × 100 = 28.999999999999996 → 28%.
    assert_eq!(t.cells, ["n1", "29m", "28%", "100Mi"]);
    let none = predict(Some(&m), None, "n1", Basis::Allocatable).unwrap();
    assert_eq!(none.cells, ["n1", "29m", "100Mi"]);
    let zero = json!({"status": {"allocatable": {"cpu": "0", "memory": "0"}}});
    let z = predict(Some(&m), Some(&zero), "n1", Basis::Allocatable).unwrap();
    assert_eq!(z.cells[2], "-9223372036854775808%");
}

#[test]
fn no_node_metrics_gives_unknown_cells_and_says_why() {
    let t = predict(None, Some(&node()), "n1", Basis::Allocatable).unwrap();
    assert_eq!(
        t.cells,
        ["n1", "<unknown>", "<unknown>", "<unknown>", "<unknown>"]
    );
    assert!(t.missing.unwrap().starts_with("no NodeMetrics for n1"));
    let empty = json!({"metadata": {"name": "n1"}, "usage": {}});
    assert_eq!(
        predict(Some(&empty), None, "n1", Basis::Allocatable)
            .unwrap()
            .cells,
        ["n1", "0m", "0Mi"]
    );
    let bad = metrics("fast", "1Mi");
    let e = predict(Some(&bad), None, "n1", Basis::Allocatable).unwrap_err();
    assert!(
        e.starts_with("NodeMetrics usage.cpu: invalid quantity"),
        "{e}"
    );
}
