#!/usr/bin/env bash
# The mixed load of mixed.sh on PostgreSQL, with SERVERS `vigilia serve` (2 by default) on one
# registry, as behind a proxy. Starts a throwaway PostgreSQL cluster in a temporary directory
# on 127.0.0.1:$PGPORT (durable: fsync and synchronous_commit on), loads the 12,000 demo
# detentions into it (`vigilia demo`) and ANALYZEs it, invites a lawyer and an analyst
# (`vigilia user add`), takes up their invitations and signs them in over HTTP (the lawyer on
# the first server, the analyst on the last: each cookie then serves on every server, sessions
# being in the registry), and runs one wrk per server in parallel with CONN/SERVERS clients
# each (one thread each; with one server, two threads as mixed.sh). Samples each server's
# resident memory every 30 s, prints each wrk's summary and a line of figures, then verifies
# the registry. Needs wrk, PostgreSQL's binaries (/usr/lib/postgresql/*/bin) and a release
# build (taken from $CARGO_TARGET_DIR when set; VIGILIA=PATH for another binary).
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$(pwd)
PORT=${PORT:-18093}; DUR=${DUR:-10m}; CONN=${CONN:-500}; SERVERS=${SERVERS:-2}
work=$(mktemp -d); pids=(); sampler=""; PGDIR=""
cleanup() {
  kill "${pids[@]}" $sampler 2>/dev/null || true
  wait 2>/dev/null || true
  stop_pg
  rm -rf "$work"
}
trap cleanup EXIT
cd "$work"
source "$root/bench/web/lib.sh"
start_pg
registry=(--database "$PGURL" --key-file "$work/registry.key")
echo "== PostgreSQL $("$PGBIN/postgres" --version | awk '{print $3}') at 127.0.0.1:$PGPORT; demo data (12,000 detentions)"
start=$(date +%s)
"$vigilia" "${registry[@]}" demo > demo.log 2>&1 || { cat demo.log; exit 1; }
echo "   loaded in $(( $(date +%s) - start )) s"
# Statistics for the planner, as autovacuum gathers them within a minute or so of a bulk load:
# without them `facts WHERE seq > $1 ... LIMIT` is planned as a sequential scan and sort.
"$PGBIN/psql" -q "$PGURL" -c ANALYZE
bases=()
for i in $(seq 0 $((SERVERS - 1))); do
  "$vigilia" "${registry[@]}" serve --bind 127.0.0.1:$((PORT + i)) --intake-delay 0 --intake-per-hour 0 \
    > serve-$i.log 2>&1 &
  pids+=($!)
  bases+=("http://127.0.0.1:$((PORT + i))")
done
for i in $(seq 0 $((SERVERS - 1))); do wait_listening serve-$i.log; done
lawyer=$(account bench-lawyer lawyer "${bases[0]}")
analyst=$(account bench-analyst analyst "${bases[$((SERVERS - 1))]}")
[ -n "$lawyer" ] && [ -n "$analyst" ] || { echo "sign-in failed" >&2; cat serve-*.log >&2; exit 1; }
echo "== each session on each server (status of /balance as the analyst, a detention as the lawyer)"
for b in "${bases[@]}"; do
  echo "   $b: $(curl -s -o /dev/null -w '%{http_code}' -H "Cookie: $analyst" "$b/balance")" \
    "$(curl -s -o /dev/null -w '%{http_code}' -H "Cookie: $lawyer" "$b/detentions/1")"
done
last="${bases[$((SERVERS - 1))]}"
volunteer=$(account bench-volunteer volunteer "$last")
mixed_lua "$volunteer" "$(session_csrf "$volunteer" "$last")" "$lawyer" "$analyst" > mixed.lua
sample_rss "${pids[@]}" > rss.log &
sampler=$!
echo "== mixed load: $CONN clients for $DUR over $SERVERS server(s) (20% intake POST, 40% detention pages, 40% balance)"
threads=1; [ "$SERVERS" -eq 1 ] && threads=2
runs=()
for i in $(seq 0 $((SERVERS - 1))); do
  wrk -t$threads -c$((CONN / SERVERS)) -d"$DUR" --timeout 10s --latency -s mixed.lua "${bases[$i]}/" > wrk-$i.txt 2>&1 &
  runs+=($!)
done
wait "${runs[@]}"
for i in $(seq 0 $((SERVERS - 1))); do
  echo "-- server $i (${bases[$i]}):"; sed -n '1,30p' wrk-$i.txt
done
awk '/^figures:/ {split($0, a, ", "); sub(/ req\/s/, "", a[2]); s += a[2]} END {printf "== together: %.0f req/s\n", s}' wrk-*.txt
echo "== servers' memory (KiB, one column per server), every 30 s"
print_rss rss.log
kill "${pids[@]}"; wait "${pids[@]}" 2>/dev/null || true; pids=()
echo "== registry size: $(du -sh "$PGDIR/data/base" | cut -f1) (tables), $(du -sh "$PGDIR/data/pg_wal" | cut -f1) (WAL)"
"$vigilia" "${registry[@]}" verify
