#!/usr/bin/env bash
# Sustained mixed load on loopback: CONN clients (500) for DUR (10m) against family intake
# POSTs (20%), detention pages as a lawyer (40%: each view is an audit fact, committed before
# the page is sent) and balance pages as an analyst (40%). Samples the server's resident memory
# every 30 seconds, prints wrk's summary (errors included), then verifies the registry.
# Needs `wrk` (Debian: apt-get install wrk) and a release build (cargo build --release).
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$(pwd)
PORT=${PORT:-18091}; DUR=${DUR:-10m}; CONN=${CONN:-500}
work=$(mktemp -d); trap 'kill $pid $sampler 2>/dev/null || true; rm -rf "$work"' EXIT
cd "$work"
source "$root/bench/web/lib.sh"
start_demo
lawyer=$(sign_in lawyer); analyst=$(sign_in analyst)
form=$(form_token)
cat > mixed.lua <<LUA
math.randomseed(7)
local body = "csrf=$form&given_names=Jos%C3%A9&paternal_surname=P%C3%A9rez&arrest_date=2026-11-01&consent=initials"
request = function()
  local r = math.random(100)
  if r <= 20 then
    return wrk.format("POST", "/report", {["Content-Type"] = "application/x-www-form-urlencoded"}, body)
  elseif r <= 60 then
    return wrk.format("GET", "/detentions/" .. math.random(12000), {["Cookie"] = "$lawyer"})
  else
    return wrk.format("GET", "/balance", {["Cookie"] = "$analyst"})
  end
end
LUA
( while kill -0 $pid 2>/dev/null; do
    echo "$(date +%s) $(awk '/VmRSS/ {print $2}' /proc/$pid/status 2>/dev/null)"; sleep 30
  done ) > rss.log &
sampler=$!
echo "== mixed load: $CONN clients for $DUR (20% intake POST, 40% detention pages, 40% balance)"
wrk -t2 -c"$CONN" -d"$DUR" --timeout 10s --latency -s mixed.lua http://127.0.0.1:$PORT/ | sed -n '1,30p'
echo "== server memory (KiB), every 30 s"
awk 'NR==1 {t0=$1} {printf "%4ds %s\n", $1-t0, $2}' rss.log
kill $pid; wait $pid 2>/dev/null || true
"$root/target/release/vigilia" --database "sqlite://$work/demo.db" verify
