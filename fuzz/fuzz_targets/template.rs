//! Fuzz target `template`: see `ktrace_fuzz::check_template`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| ktrace_fuzz::check_template(data));
