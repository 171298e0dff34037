//! Fuzz target `selector`: see `ktrace_fuzz::check_selector`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| ktrace_fuzz::check_selector(data));
