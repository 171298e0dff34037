//! Fuzz target `pod_line_filter`: see `ktrace_fuzz::check_pod_line_filter`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| ktrace_fuzz::check_pod_line_filter(data));
