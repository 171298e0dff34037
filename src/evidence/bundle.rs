//! Reading and writing evidence bundles (JSON), with the schema-version check.

use std::io::{Read, Write};

use super::Evidence;

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

/// Just the version field; the rest of the document is skipped without being built.
#[derive(serde::Deserialize)]
struct Head {
    schema_version: Option<serde_json::Value>,
}

/// Reads a bundle, checking its schema version before anything else.
pub fn read_bundle(reader: impl Read) -> Result<Evidence, BundleError> {
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
    let evidence: Evidence = serde_json::from_slice(&bytes).map_err(BundleError::Json)?;
    drop(bytes);
    check_bodies(&evidence)?;
    Ok(evidence)
}

/// Refuses a source body larger than [`MAX_BODY_BYTES`].
fn check_bodies(ev: &Evidence) -> Result<(), BundleError> {
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
    for (source_name, src) in named.into_iter().chain(optional).chain(queries) {
        let bytes = src.body().map_or(0, str::len);
        if bytes > MAX_BODY_BYTES {
            return Err(BundleError::BodyTooLarge { source_name, bytes });
        }
    }
    Ok(())
}

/// Writes a bundle as pretty JSON with a trailing newline.
pub fn write_bundle(evidence: &Evidence, mut writer: impl Write) -> Result<(), BundleError> {
    serde_json::to_writer_pretty(&mut writer, evidence).map_err(BundleError::Json)?;
    writer.write_all(b"\n")?;
    Ok(())
}

#[cfg(test)]
mod tests;
