//! Fuzz target `exposition_parse`: see `ktrace_fuzz::check_exposition_parse`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| ktrace_fuzz::check_exposition_parse(data));
