use super::*;

fn query(purpose: &str) -> String {
    format!(
        r#"{{"purpose":{purpose},"query":"up","source":{{"outcome":{{"status":"not_collected","reason":"r"}}}}}}"#
    )
}

#[test]
fn purposes_are_stored_by_their_names() {
    for (name, purpose) in [
        ("memory", QueryPurpose::Memory),
        ("cpu", QueryPurpose::Cpu),
        ("raw-series", QueryPurpose::RawSeries),
    ] {
        let text = query(&format!("{name:?}"));
        let q: PromQuery = serde_json::from_str(&text).unwrap();
        assert_eq!(q.purpose, purpose);
        assert_eq!(q.purpose.to_string(), name);
        assert_eq!(serde_json::to_string(&q).unwrap(), text);
    }
}

#[test]
fn an_unknown_purpose_is_kept_not_refused() {
    let text = query(r#""cpu-samples\u001b[31m""#);
    let q: PromQuery = serde_json::from_str(&text).unwrap();
    assert_eq!(
        q.purpose,
        QueryPurpose::Other("cpu-samples\u{1b}[31m".into())
    );
    assert_eq!(q.purpose.as_str(), "cpu-samples\u{1b}[31m");
    assert_eq!(serde_json::to_string(&q).unwrap(), text);
    assert!(serde_json::from_str::<PromQuery>(&query("7")).is_err());
}

#[test]
fn committed_bundles_read_and_write_back_byte_for_byte() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/bundles");
    let mut read = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let bytes = std::fs::read(&path).unwrap();
        let Ok(evidence) = read_bundle(bytes.as_slice()) else {
            continue;
        };
        let mut out = Vec::new();
        write_bundle(&evidence, &mut out).unwrap();
        assert!(out == bytes, "{} changed when written back", path.display());
        read.push(path.file_name().unwrap().to_string_lossy().into_owned());
    }
    assert!(
        read.iter().any(|f| f == "seed-ocp48-crio-cgv1.json"),
        "{read:?}"
    );
}

#[test]
fn the_seed_bundle_holds_memory_cpu_and_cpu_samples_queries() {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/fixtures/bundles/seed-ocp48-crio-cgv1.json"
    );
    let ev = read_bundle(std::fs::File::open(path).unwrap()).unwrap();
    let purposes: Vec<&QueryPurpose> = ev.sources.prometheus.iter().map(|q| &q.purpose).collect();
    assert_eq!(
        purposes,
        [
            &QueryPurpose::Memory,
            &QueryPurpose::Cpu,
            &QueryPurpose::CpuSamples
        ]
    );
    assert_eq!(ev.schema_version, 2);
    assert!(ev.sources.prometheus_buildinfo.is_some());
    assert!(ev.sources.kubelet_resource_second.is_none());
}

#[test]
fn a_source_must_be_an_object_not_an_array() {
    let seed = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/fixtures/bundles/seed-ocp48-crio-cgv1.json"
    ))
    .unwrap();
    let mut v: serde_json::Value = serde_json::from_str(&seed).unwrap();
    v["sources"]["pod"] = serde_json::json!([]);
    let err = read_bundle(v.to_string().as_bytes())
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("invalid type: sequence, expected a source object"),
        "{err}"
    );
    v["sources"]["pod"] = serde_json::json!({});
    let ev = read_bundle(v.to_string().as_bytes()).unwrap();
    assert_eq!(ev.sources.pod, Source::default());
}
