//! Fuzz target `quantity`: see `ktrace_fuzz::check_quantity`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| ktrace_fuzz::check_quantity(data));
