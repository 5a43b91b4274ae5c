#!/usr/bin/env bash
# Fuzzes every target of fuzz/ for SECONDS seconds each (default 600), two at a time, with
# cargo-fuzz on the nightly toolchain; new inputs go into fuzz/corpus/TARGET (minimised after
# the run) and crashes into fuzz/artifacts/TARGET. Prints each target's runs and result.
# Needs: rustup's nightly toolchain and `cargo install cargo-fuzz`.
set -uo pipefail
cd "$(dirname "$0")/../.."
secs="${SECONDS_EACH:-600}"
out=bench/out/fuzz
mkdir -p "$out"
run() {
  local t=$1
  cargo +nightly fuzz run --fuzz-dir fuzz -O "$t" "fuzz/corpus/$t" -- \
    -max_total_time="$secs" -rss_limit_mb=2048 -timeout=10 >"$out/$t.log" 2>&1
  local status=$?
  local done_line
  done_line=$(grep -E "^Done [0-9]+ runs" "$out/$t.log" | tail -1)
  echo "$t: exit $status; ${done_line:-no summary}; $(grep -c 'SUMMARY' "$out/$t.log") crashes"
}
targets=(detentions_csv detentions_xlsx reports_csv dates cedulas intake_form)
for ((i = 0; i < ${#targets[@]}; i += 2)); do
  run "${targets[$i]}" &
  [ -n "${targets[$((i + 1))]:-}" ] && run "${targets[$((i + 1))]}" &
  wait
done
for t in "${targets[@]}"; do
  cargo +nightly fuzz cmin --fuzz-dir fuzz -O "$t" "fuzz/corpus/$t" >"$out/$t.cmin.log" 2>&1
  echo "$t: corpus $(ls "fuzz/corpus/$t" | wc -l) inputs after minimising"
done
