#!/usr/bin/env bash
# Sustained mixed load on loopback: CONN clients (500) for DUR (10m) against family intake
# POSTs (20%), detention pages as a lawyer (40%: each view is an audit fact, committed before
# the page is sent) and balance pages as an analyst (40%). Samples the server's resident memory
# every 30 seconds, prints wrk's summary (errors included), then verifies the registry.
# Needs `wrk` (Debian: apt-get install wrk) and a release build (cargo build --release; the
# binary is taken from $CARGO_TARGET_DIR when set). On PostgreSQL: bench/web/mixed-pg.sh.
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$(pwd)
PORT=${PORT:-18091}; DUR=${DUR:-10m}; CONN=${CONN:-500}
work=$(mktemp -d); pid=""; sampler=""
trap 'kill $pid $sampler 2>/dev/null || true; rm -rf "$work"' EXIT
cd "$work"
source "$root/bench/web/lib.sh"
start_demo
lawyer=$(sign_in lawyer); analyst=$(sign_in analyst)
volunteer=$(sign_in volunteer)
mixed_lua "$volunteer" "$(session_csrf "$volunteer" http://127.0.0.1:$PORT)" "$lawyer" "$analyst" > mixed.lua
sample_rss $pid > rss.log &
sampler=$!
echo "== mixed load: $CONN clients for $DUR (20% intake POST, 40% detention pages, 40% balance)"
wrk -t2 -c"$CONN" -d"$DUR" --timeout 10s --latency -s mixed.lua http://127.0.0.1:$PORT/ | sed -n '1,30p'
echo "== server memory (KiB), every 30 s"
print_rss rss.log
kill $pid; wait $pid 2>/dev/null || true
ls -l demo.db* | awk '{print "size", $5, $9}'
"$vigilia" --database "sqlite://$work/demo.db" verify
