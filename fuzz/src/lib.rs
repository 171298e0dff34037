//! The oracles of ktrace's fuzz targets. They live in the main test suite
//! (tests/ktrace/fuzz_regressions/checks.rs), which replays every committed fuzz input
//! through them in `cargo test`; the fuzz targets call the very same functions.

include!("../../tests/ktrace/fuzz_regressions/checks.rs");
