//! Fuzz target `bundle`: see `ktrace_fuzz::check_bundle`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| ktrace_fuzz::check_bundle(data));
