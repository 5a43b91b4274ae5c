#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| vigilia_fuzz::detentions_csv(data));
