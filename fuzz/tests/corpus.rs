//! Every input kept in `fuzz/corpus/TARGET/` (the seeds, and what fuzzing found worth keeping)
//! goes through its target again: a target that panics on one fails here, on stable Rust,
//! without a fuzzer.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

type Target = fn(&[u8]);

const TARGETS: &[(&str, Target)] = &[
    ("detentions_csv", vigilia_fuzz::detentions_csv),
    ("detentions_xlsx", vigilia_fuzz::detentions_xlsx),
    ("reports_csv", vigilia_fuzz::reports_csv),
    ("dates", vigilia_fuzz::dates),
    ("cedulas", vigilia_fuzz::cedulas),
    ("intake_form", vigilia_fuzz::intake_form),
];

#[test]
fn every_kept_input_goes_through_its_target() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus");
    for (name, target) in TARGETS {
        let dir = root.join(name);
        let mut n = 0;
        for entry in std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
            let path = entry.unwrap().path();
            target(&std::fs::read(&path).unwrap());
            n += 1;
        }
        assert!(n > 0, "{name} has no corpus");
    }
}
