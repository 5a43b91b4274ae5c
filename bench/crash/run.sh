#!/usr/bin/env bash
# Crash safety at length: the test `crates/cli/tests/crash.rs` with hundreds of SIGKILLs
# (ROUNDS, default 300) instead of CI's 12. Prints the kills, the reports acknowledged, the
# imports finished and killed, and the losses (which must be zero).
set -euo pipefail
cd "$(dirname "$0")/../.."
VIGILIA_CRASH_ROUNDS="${ROUNDS:-300}" cargo test --release -p vigilia --test crash -- --nocapture 2>&1 \
  | grep -E "^crash:|test result|panicked|lost"
