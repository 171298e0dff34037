//! Reading and writing evidence bundles (JSON), with the schema-version check.

use std::io::{Read, Write};

use super::Evidence;

/// The bundle format this ktrace writes and reads.
pub const SCHEMA_VERSION: u32 = 1;

/// Largest bundle accepted; a one-pod trace is a few hundred KiB.
const MAX_BUNDLE_BYTES: u64 = 256 * 1024 * 1024;

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
    #[error("unsupported bundle schema_version {found} (this ktrace reads version {supported})")]
    UnsupportedSchema {
        /// Version found in the file.
        found: u64,
        /// Version this build reads.
        supported: u32,
    },
    /// The bundle is larger than any real one.
    #[error("bundle is larger than {MAX_BUNDLE_BYTES} bytes")]
    TooLarge,
}

/// Reads a bundle, checking its schema version before anything else.
pub fn read_bundle(reader: impl Read) -> Result<Evidence, BundleError> {
    let mut bytes = Vec::new();
    reader.take(MAX_BUNDLE_BYTES + 1).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > MAX_BUNDLE_BYTES {
        return Err(BundleError::TooLarge);
    }
    let value: serde_json::Value = serde_json::from_slice(&bytes).map_err(BundleError::Json)?;
    let field = value.get("schema_version").ok_or(BundleError::NoVersion)?;
    let found = field
        .as_u64()
        .ok_or_else(|| BundleError::BadVersion(field.to_string()))?;
    if found != u64::from(SCHEMA_VERSION) {
        return Err(BundleError::UnsupportedSchema {
            found,
            supported: SCHEMA_VERSION,
        });
    }
    serde_json::from_value(value).map_err(BundleError::Json)
}

/// Writes a bundle as pretty JSON with a trailing newline.
pub fn write_bundle(evidence: &Evidence, mut writer: impl Write) -> Result<(), BundleError> {
    serde_json::to_writer_pretty(&mut writer, evidence).map_err(BundleError::Json)?;
    writer.write_all(b"\n")?;
    Ok(())
}
