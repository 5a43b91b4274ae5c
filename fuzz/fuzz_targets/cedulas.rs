#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| vigilia_fuzz::cedulas(data));
