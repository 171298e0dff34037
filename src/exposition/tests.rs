//! Test helpers shared by the unit tests of `exposition` and `lineage`: the real-data
//! corpus, read in place from `../shared/realdata` beside the repository root, or from the
//! directory named by `KTRACE_REALDATA`. It is never copied into the repository.

use std::path::PathBuf;

/// The corpus directory: `$KTRACE_REALDATA`, else `<repository>/../shared/realdata`.
pub(crate) fn dir() -> PathBuf {
    match std::env::var_os("KTRACE_REALDATA") {
        Some(dir) => PathBuf::from(dir),
        None => PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/realdata"),
    }
}

/// One kubelet `/metrics/cadvisor` dump of the corpus, by file name. Panics, saying where
/// the corpus is expected, when it is missing: a test that needs it never skips silently.
pub(crate) fn cadvisor_dump(name: &str) -> String {
    let path = dir().join("cadvisor").join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "real-data corpus file {} is missing ({e}); the corpus is expected at \
             ../shared/realdata beside the repository root, or set KTRACE_REALDATA",
            path.display()
        )
    })
}
