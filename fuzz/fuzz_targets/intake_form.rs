#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| vigilia_fuzz::intake_form(data));
