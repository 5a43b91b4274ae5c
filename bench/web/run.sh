#!/usr/bin/env bash
# Load on loopback: 200 concurrent clients against the balance page (as an analyst) and the
# family intake POST (durable: each report is committed before the reply). Needs `wrk`
# (Debian: apt-get install wrk) and a release build. Prints wrk's latency distribution.
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$(pwd)
PORT=${PORT:-18090}; DUR=${DUR:-20s}; CONN=${CONN:-200}
work=$(mktemp -d); trap 'kill $pid 2>/dev/null || true; rm -rf "$work"' EXIT
cd "$work"
"$root/target/release/vigilia" serve --demo --bind 127.0.0.1:$PORT --intake-delay 0 --intake-per-hour 0 >serve.log 2>&1 &
pid=$!
for _ in $(seq 120); do grep -q "escucha en" serve.log 2>/dev/null && break; sleep 1; done
line=$(grep "demo-analyst" serve.log)
pass=$(echo "$line" | awk '{print $2}'); code=$(echo "$line" | sed 's/.*ahora: \([0-9]*\).*/\1/')
tok=$(curl -s http://127.0.0.1:$PORT/login | sed -n 's/.*name="csrf" value="\([^"]*\)".*/\1/p' | head -1)
cookie=$(curl -s -i -X POST http://127.0.0.1:$PORT/login --data-urlencode "csrf=$tok" \
  --data-urlencode name=demo-analyst --data-urlencode "password=$pass" --data-urlencode "code=$code" \
  | sed -n 's/^set-cookie: \([^;]*\).*/\1/p')
echo "== GET /balance ($CONN clients, $DUR)"
wrk -t2 -c"$CONN" -d"$DUR" --latency -H "Cookie: $cookie" http://127.0.0.1:$PORT/balance | sed -n '1,20p'
form=$(curl -s http://127.0.0.1:$PORT/report | sed -n 's/.*name="csrf" value="\([^"]*\)".*/\1/p' | head -1)
cat > post.lua <<LUA
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
wrk.body = "csrf=$form&given_names=Jos%C3%A9&paternal_surname=P%C3%A9rez&arrest_date=2026-11-01&consent=initials"
LUA
echo "== POST /report ($CONN clients, $DUR; each report committed before the reply)"
wrk -t2 -c"$CONN" -d"$DUR" --latency -s post.lua http://127.0.0.1:$PORT/report | sed -n '1,20p'
kill $pid; wait $pid 2>/dev/null || true
echo "== the registry after the load (every acknowledged report is a fact; the chain verifies)"
"$root/target/release/vigilia" --database "sqlite://$work/demo.db" verify
