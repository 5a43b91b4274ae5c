#!/usr/bin/env bash
# Load on loopback: 200 concurrent clients against the balance page (as an analyst) and the
# family intake POST (durable: each report is committed before the reply). Needs `wrk`
# (Debian: apt-get install wrk) and a release build (taken from $CARGO_TARGET_DIR when set).
# Prints wrk's latency distribution.
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$(pwd)
PORT=${PORT:-18090}; DUR=${DUR:-20s}; CONN=${CONN:-200}
work=$(mktemp -d); pid=""; trap 'kill $pid 2>/dev/null || true; rm -rf "$work"' EXIT
cd "$work"
source "$root/bench/web/lib.sh"
start_demo
cookie=$(sign_in analyst)
echo "== GET /balance ($CONN clients, $DUR)"
wrk -t2 -c"$CONN" -d"$DUR" --latency -H "Cookie: $cookie" http://127.0.0.1:$PORT/balance | sed -n '1,20p'
volunteer=$(sign_in volunteer)
cat > post.lua <<LUA
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
wrk.headers["Cookie"] = "$volunteer"
wrk.body = "csrf=$(session_csrf "$volunteer" http://127.0.0.1:$PORT)&given_names=Jos%C3%A9&paternal_surname=P%C3%A9rez&arrest_date=2026-11-01&consent=initials&state=VE-V"
LUA
echo "== POST /reports/new as a volunteer ($CONN clients, $DUR; each report committed before the reply)"
wrk -t2 -c"$CONN" -d"$DUR" --latency -s post.lua http://127.0.0.1:$PORT/reports/new | sed -n '1,20p'
kill $pid; wait $pid 2>/dev/null || true
echo "== the registry after the load (every acknowledged report is a fact; the chain verifies)"
"$vigilia" --database "sqlite://$work/demo.db" verify
