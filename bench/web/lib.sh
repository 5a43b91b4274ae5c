# Shared by the web benchmarks (sourced with $root, the repository, set): start `serve --demo`
# (release build) in $work on $PORT, wait for it, and sign a demo account in (prints its
# session cookie); the PostgreSQL variant's cluster and accounts; the mixed load's wrk script.

# The release binary: $CARGO_TARGET_DIR/release/vigilia if set, else target/release/vigilia.
target=${CARGO_TARGET_DIR:-$root/target}
case $target in /*) ;; *) target=$root/$target ;; esac
vigilia=${VIGILIA:-$target/release/vigilia}  # VIGILIA=PATH: another build, to compare
[ -x "$vigilia" ] || { echo "no release build at $vigilia (cargo build --release)" >&2; exit 1; }

# Waits until the server logging to $1 listens.
wait_listening() {
  for _ in $(seq 300); do grep -q "escucha en\|listening on" "$1" 2>/dev/null && return 0; sleep 1; done
  echo "the server did not start: $1" >&2; cat "$1" >&2; exit 1
}
start_demo() {
  "$vigilia" serve --demo --bind 127.0.0.1:$PORT --intake-delay 0 --intake-per-hour 0 >serve.log 2>&1 &
  pid=$!
  wait_listening serve.log
}
sign_in() {
  local line pass code tok
  line=$(grep "demo-$1 " serve.log)
  pass=$(echo "$line" | awk '{print $2}'); code=$(echo "$line" | sed 's/.*ahora: \([0-9]*\).*/\1/')
  tok=$(curl -s http://127.0.0.1:$PORT/login | sed -n 's/.*name="csrf" value="\([^"]*\)".*/\1/p' | head -1)
  curl -s -i -X POST http://127.0.0.1:$PORT/login --data-urlencode "csrf=$tok" \
    --data-urlencode "name=demo-$1" --data-urlencode "password=$pass" --data-urlencode "code=$code" \
    | sed -n 's/^set-cookie: \([^;]*\).*/\1/p'
}
# The CSRF token of a session (COOKIE) on server BASE, from the volunteer's report form.
session_csrf() { # COOKIE BASE
  curl -s -H "Cookie: $1" "$2/reports/new" | sed -n 's/.*name="csrf" value="\([^"]*\)".*/\1/p' | head -1
}

# The mixed load's wrk script: 20% reports sent by a volunteer (the family form's token sends
# one report, so a load cannot reuse one; a volunteer's report goes through the same intake
# write, committed before the reply), 40% detention pages as a lawyer, 40% balance pages as an
# analyst. Its `done` prints one line with the figures.
mixed_lua() { # VOLUNTEER_COOKIE VOLUNTEER_CSRF LAWYER_COOKIE ANALYST_COOKIE
  cat <<LUA
math.randomseed(7)
local body = "csrf=$2&given_names=Jos%C3%A9&paternal_surname=P%C3%A9rez&arrest_date=2026-11-01&consent=initials&state=VE-V"
request = function()
  local r = math.random(100)
  if r <= 20 then
    return wrk.format("POST", "/reports/new", {["Content-Type"] = "application/x-www-form-urlencoded", ["Cookie"] = "$1"}, body)
  elseif r <= 60 then
    return wrk.format("GET", "/detentions/" .. math.random(12000), {["Cookie"] = "$3"})
  else
    return wrk.format("GET", "/balance", {["Cookie"] = "$4"})
  end
end
done = function(s, latency, requests)
  local e = s.errors
  io.write(string.format("figures: requests %d, %.0f req/s, p50 %.1f ms, p90 %.1f ms, p99 %.1f ms, max %.1f ms, errors connect %d read %d write %d status %d timeout %d\n",
    s.requests, s.requests / (s.duration / 1e6), latency:percentile(50) / 1e3, latency:percentile(90) / 1e3,
    latency:percentile(99) / 1e3, latency.max / 1e3, e.connect, e.read, e.write, e.status, e.timeout))
end
LUA
}

# Samples the resident memory (KiB) of the given processes every 30 s while the first lives.
sample_rss() { # PID...
  while kill -0 "$1" 2>/dev/null; do
    local line p
    line=$(date +%s)
    for p in "$@"; do line="$line $(awk '/VmRSS/ {print $2}' /proc/$p/status 2>/dev/null)"; done
    echo "$line"; sleep 30
  done
}
print_rss() { # FILE
  awk 'NR==1 {t0=$1} {printf "%4ds", $1-t0; for (i = 2; i <= NF; i++) printf " %s", $i; printf "\n"}' "$1"
}

# A throwaway PostgreSQL cluster in a temporary directory on 127.0.0.1:$PGPORT (as scripts/test
# makes one, but durable: fsync and synchronous_commit stay on, as SQLite's synchronous=FULL).
# Sets PGURL; stop_pg removes it.
start_pg() {
  local d
  PGBIN=""
  for d in /usr/lib/postgresql/*/bin; do [ -x "$d/initdb" ] && PGBIN=$d; done
  [ -n "$PGBIN" ] || { echo "no PostgreSQL (apt-get install postgresql)" >&2; exit 1; }
  PGDIR=$(mktemp -d /tmp/vigilia-bench-pg.XXXXXX)
  PGPORT=${PGPORT:-$(( 20000 + RANDOM % 20000 ))}
  PGRUN=()
  if [ "$(id -u)" -eq 0 ]; then chown postgres:postgres "$PGDIR"; PGRUN=(runuser -u postgres --); fi
  cd /  # the postgres user may not enter the caller's directory
  "${PGRUN[@]}" "$PGBIN/initdb" -D "$PGDIR/data" -U vigilia --auth=trust --encoding=UTF8 --locale=C.UTF-8 >"$PGDIR/initdb.log"
  "${PGRUN[@]}" "$PGBIN/pg_ctl" -D "$PGDIR/data" -l "$PGDIR/log" -w \
    -o "-c listen_addresses=127.0.0.1 -p $PGPORT -k $PGDIR -c max_connections=100 -c max_wal_size=256MB" start >/dev/null
  cd - >/dev/null
  PGURL="postgres://vigilia@127.0.0.1:$PGPORT/postgres"
}
stop_pg() {
  [ -n "${PGDIR:-}" ] || return 0
  (cd / && "${PGRUN[@]}" "$PGBIN/pg_ctl" -D "$PGDIR/data" -m fast stop >/dev/null 2>&1) || true
  rm -rf "$PGDIR"
}

# The TOTP code of a base32 secret, $2 seconds from now (SHA-1, 6 digits, 30 s).
totp() {
  python3 - "$1" "${2:-0}" <<'PY'
import base64, hashlib, hmac, struct, sys, time
s = sys.argv[1].upper(); s += "=" * (-len(s) % 8)
h = hmac.new(base64.b32decode(s), struct.pack(">Q", int(time.time() + int(sys.argv[2])) // 30), hashlib.sha1).digest()
o = h[-1] & 15
print("%06d" % ((struct.unpack(">I", h[o:o + 4])[0] & 0x7FFFFFFF) % 1000000))
PY
}
field() { # NAME: a hidden field's value in the page on stdin
  sed -n "s/.*name=\"$1\" value=\"\([^\"]*\)\".*/\1/p" | head -1
}
# Invites NAME as ROLE with `vigilia user add` (registry: "${registry[@]}"), takes up the
# invitation over HTTP on server $BASE (password and second factor), signs in on the same
# server with the next step's code (the enrolment's is used) and prints the session cookie.
account() { # NAME ROLE BASE
  local link page secret password="una frase larga para el banco" tok
  link=$("$vigilia" "${registry[@]}" user add "$1" --role "$2" --base-url "$3" | tail -1)
  page=$(curl -s "$link")
  secret=$(echo "$page" | field secret)
  curl -s -o /dev/null -w '' -X POST "$link" --data-urlencode "csrf=$(echo "$page" | field csrf)" \
    --data-urlencode "password=$password" --data-urlencode "again=$password" \
    --data-urlencode "secret=$secret" --data-urlencode "code=$(totp "$secret")"
  tok=$(curl -s "$3/login" | field csrf)
  curl -s -i -X POST "$3/login" --data-urlencode "csrf=$tok" --data-urlencode "name=$1" \
    --data-urlencode "password=$password" --data-urlencode "code=$(totp "$secret" 30)" \
    | sed -n 's/^set-cookie: \([^;]*\).*/\1/p'
}
