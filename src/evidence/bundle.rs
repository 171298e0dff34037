//! Reading and writing evidence bundles (JSON), with the schema-version check.

use std::io::{Read, Write};

use serde::Serialize;
use serde::de::DeserializeOwned;

use super::{Evidence, NodeEvidence, Source};

/// The bundle format this ktrace writes. Version 2 added the CPU sources (the `cpu-samples`
/// query, `prometheus_buildinfo`, `kubelet_resource_second`); a version 1 bundle reads as
/// one where those were not collected.
pub const SCHEMA_VERSION: u32 = 2;

/// The oldest bundle format this ktrace reads.
pub const OLDEST_SCHEMA_VERSION: u32 = 1;

/// Largest bundle accepted; a one-pod trace is a few hundred KiB. Read with this cap before
/// anything is parsed, so a replay's memory stays bounded.
pub const MAX_BUNDLE_BYTES: u64 = 64 * 1024 * 1024;

/// Largest body of one source accepted at replay: twice what a live trace keeps (API objects
/// and Prometheus answers 4 MiB, kubelet lines 8 MiB), which leaves room for the scrubber's
/// `<redacted by ktrace>` replacing echoed secrets.
pub const MAX_BODY_BYTES: usize = 16 * 1024 * 1024;

/// Why a bundle could not be read or written.
#[derive(Debug, thiserror::Error)]
pub enum BundleError {
    /// Reading or writing failed.
    #[error("I/O error: {0}")]
    Io(#[from] std::io::Error),
    /// The bytes are not a bundle.
    #[error("not a ktrace evidence bundle: {0}")]
    Json(#[source] serde_json::Error),
    /// The file has no `schema_version`.
    #[error("not a ktrace evidence bundle: no `schema_version` field")]
    NoVersion,
    /// `schema_version` is not a whole number.
    #[error("bundle schema_version must be a whole number, found {0}")]
    BadVersion(String),
    /// The bundle was written by a ktrace with another format.
    #[error(
        "unsupported bundle schema_version {found} (this ktrace reads versions {OLDEST_SCHEMA_VERSION} to {supported})"
    )]
    UnsupportedSchema {
        /// Version found in the file.
        found: u64,
        /// Version this build reads.
        supported: u32,
    },
    /// The bundle is larger than any real one.
    #[error(
        "ktrace limit reached: the bundle is larger than {} MiB, the most ktrace reads (a one-pod bundle is a few hundred KiB)",
        MAX_BUNDLE_BYTES >> 20
    )]
    TooLarge,
    /// The bundle is of another kind (a node bundle given for a pod, or the reverse).
    #[error("this is a {found} bundle, not a {wanted} bundle (use `ktrace {found} … --from`)")]
    WrongKind {
        /// The kind in the file (`pod` when it has no `kind`).
        found: String,
        /// The kind asked for.
        wanted: &'static str,
    },
    /// One source's body is larger than any live trace keeps.
    #[error(
        "ktrace limit reached: the body of source {source_name} is {bytes} bytes, more than the {} MiB a bundle may hold for one source",
        MAX_BODY_BYTES >> 20
    )]
    BodyTooLarge {
        /// Which source (`pod`, `kubelet_cadvisor`, `prometheus[0]`, …).
        source_name: String,
        /// Its body's length.
        bytes: usize,
    },
}

/// Just the version and kind fields; the rest of the document is skipped without being built.
#[derive(serde::Deserialize)]
struct Head {
    schema_version: Option<serde_json::Value>,
    /// `"node"` for a node bundle; absent (or `"pod"`) for a pod bundle.
    kind: Option<serde_json::Value>,
}

/// A bundle of either kind.
#[derive(Debug, Clone, PartialEq)]
pub enum AnyEvidence {
    /// A pod bundle (`ktrace pod`).
    Pod(Evidence),
    /// A node bundle (`ktrace node`).
    Node(NodeEvidence),
}

/// Reads a pod bundle, checking its schema version (and that it is no node bundle) before
/// anything else.
pub fn read_bundle(reader: impl Read) -> Result<Evidence, BundleError> {
    match read_any_bundle(reader)? {
        AnyEvidence::Pod(ev) => Ok(ev),
        AnyEvidence::Node(_) => Err(wrong_kind("node", "pod")),
    }
}

/// Reads a node bundle, checking its schema version and kind before anything else.
pub fn read_node_bundle(reader: impl Read) -> Result<NodeEvidence, BundleError> {
    match read_any_bundle(reader)? {
        AnyEvidence::Node(ev) => Ok(ev),
        AnyEvidence::Pod(_) => Err(wrong_kind("pod", "node")),
    }
}

fn wrong_kind(found: &str, wanted: &'static str) -> BundleError {
    BundleError::WrongKind {
        found: found.to_string(),
        wanted,
    }
}

/// Reads a bundle of either kind: its `kind` decides which (absent = pod).
pub fn read_any_bundle(reader: impl Read) -> Result<AnyEvidence, BundleError> {
    let (bytes, kind) = read_head(reader)?;
    match kind.as_str() {
        "node" => {
            let ev: NodeEvidence = parse_body(&bytes)?;
            check_bodies(ev.sources.named())?;
            Ok(AnyEvidence::Node(ev))
        }
        "pod" => {
            let ev: Evidence = parse_body(&bytes)?;
            check_bodies(pod_sources(&ev))?;
            Ok(AnyEvidence::Pod(ev))
        }
        other => Err(BundleError::Json(serde::de::Error::custom(format!(
            "unknown bundle kind {other:?} (this ktrace reads \"pod\" and \"node\")"
        )))),
    }
}

fn parse_body<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, BundleError> {
    serde_json::from_slice(bytes).map_err(BundleError::Json)
}

/// The bytes (at most [`MAX_BUNDLE_BYTES`]) with a checked version, and the bundle's kind
/// (`pod` when absent).
fn read_head(reader: impl Read) -> Result<(Vec<u8>, String), BundleError> {
    let mut bytes = Vec::new();
    reader.take(MAX_BUNDLE_BYTES + 1).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > MAX_BUNDLE_BYTES {
        return Err(BundleError::TooLarge);
    }
    let head: Head = serde_json::from_slice(&bytes).map_err(BundleError::Json)?;
    let field = head.schema_version.ok_or(BundleError::NoVersion)?;
    let found = field
        .as_u64()
        .ok_or_else(|| BundleError::BadVersion(field.to_string()))?;
    if !(u64::from(OLDEST_SCHEMA_VERSION)..=u64::from(SCHEMA_VERSION)).contains(&found) {
        return Err(BundleError::UnsupportedSchema {
            found,
            supported: SCHEMA_VERSION,
        });
    }
    let kind = match head.kind {
        None => "pod".to_string(),
        Some(serde_json::Value::String(k)) => k,
        Some(other) => other.to_string(),
    };
    Ok((bytes, kind))
}

/// A pod bundle's sources by name.
fn pod_sources(ev: &Evidence) -> Vec<(String, &Source)> {
    let s = &ev.sources;
    let named = [
        ("pod", &s.pod),
        ("metrics_discovery", &s.metrics_discovery),
        ("pod_metrics", &s.pod_metrics),
        ("apiservice", &s.apiservice),
        ("backend_deployment", &s.backend_deployment),
        ("adapter_config", &s.adapter_config),
        ("kubelet_cadvisor", &s.kubelet_cadvisor),
        ("kubelet_resource", &s.kubelet_resource),
    ]
    .map(|(n, src)| (n.to_string(), src));
    let optional = [
        ("kubelet_resource_second", &s.kubelet_resource_second),
        ("prometheus_buildinfo", &s.prometheus_buildinfo),
    ]
    .into_iter()
    .filter_map(|(n, src)| Some((n.to_string(), src.as_ref()?)));
    let queries = s
        .prometheus
        .iter()
        .enumerate()
        .map(|(i, q)| (format!("prometheus[{i}]"), &q.source));
    named.into_iter().chain(optional).chain(queries).collect()
}

/// Refuses a source body larger than [`MAX_BODY_BYTES`].
fn check_bodies(sources: Vec<(String, &Source)>) -> Result<(), BundleError> {
    for (source_name, src) in sources {
        let bytes = src.body().map_or(0, str::len);
        if bytes > MAX_BODY_BYTES {
            return Err(BundleError::BodyTooLarge { source_name, bytes });
        }
    }
    Ok(())
}

/// Writes a bundle (an [`Evidence`] or a [`NodeEvidence`]) as pretty JSON with a trailing
/// newline.
pub fn write_bundle<T: Serialize>(evidence: &T, mut writer: impl Write) -> Result<(), BundleError> {
    serde_json::to_writer_pretty(&mut writer, evidence).map_err(BundleError::Json)?;
    writer.write_all(b"\n")?;
    Ok(())
}

#[cfg(test)]
mod tests;
