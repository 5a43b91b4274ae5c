#!/usr/bin/env bash
# Tests the deployment files of this folder against a real Vigilia binary:
#   deploy/test.sh target/debug/vigilia
#
# 1. vigilia.service: `systemd-analyze verify` says nothing (it exits 0 even on unknown keys and
#    bad values, so any output is a failure), and `systemd-analyze security --offline=true`
#    rates it at most 2.0.
# 2. nginx.conf and vigilia-proxy.conf, with only their lines marked `# test: rewritten`
#    changed (ports, certificate, paths): nginx started on loopback in front of `vigilia serve`
#    (a fresh empty registry, --trusted-proxy 127.0.0.2, one public report per address an hour),
#    checked with curl over HTTPS against a throwaway certificate: HSTS, the redirect, unknown
#    names refused, a client's X-Forwarded-For not believed (on the HTTPS site and on the
#    onion's port), body limits, bodies kept off the disk, and logs without paths, queries or
#    addresses.
# 3. torrc: `tor --verify-config` accepts it, and tor started without the network makes the
#    onion's address where it says. And the files agree with one another (ports, addresses).
#
# Installs nothing: it needs nginx, systemd-analyze, tor, openssl and curl (scripts/test installs
# what is missing from Debian's packages). Runs as root (nginx's workers then run as nobody)
# or as any user. Uses ports 18490-18493 on 127.0.0.1 (DEPLOY_TEST_PORT=N: N to N+3), and
# the loopback addresses 127.0.0.2, .5 and .6 as clients. Everything it starts is stopped and
# its temporary folder removed on exit (kept, with every log, when DEPLOY_TEST_KEEP is set).
set -euo pipefail

if [ $# -ne 1 ] || [ ! -x "$1" ]; then
  echo "usage: $0 PATH/TO/vigilia" >&2
  exit 2
fi
BIN=$(realpath "$1")
HERE=$(cd "$(dirname "$0")" && pwd)

# nginx is in /usr/sbin, which an ordinary user's PATH may lack.
NGINX=$(PATH="$PATH:/usr/sbin:/sbin" command -v nginx || true)
missing=()
[ -n "$NGINX" ] || missing+=(nginx)
for tool in systemd-analyze tor openssl curl; do
  command -v "$tool" >/dev/null || missing+=("$tool")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "deploy/test.sh: MISSING ${missing[*]}: the deployment is NOT tested." >&2
  echo "  (scripts/test installs them: apt-get install nginx systemd tor openssl curl)" >&2
  exit 1
fi

BASE=${DEPLOY_TEST_PORT:-18490}
HTTPS=$BASE HTTP=$((BASE + 1)) ONION=$((BASE + 2)) VPORT=$((BASE + 3))
NAME=vigilia.example.org

T=$(mktemp -d /tmp/vigilia-deploy.XXXXXX)
chmod 755 "$T"
NGINX_PID='' VIGILIA_PID='' TOR_PID=''
stop() {
  local pid
  for pid in "$NGINX_PID" "$VIGILIA_PID" "$TOR_PID"; do
    if [ -n "$pid" ]; then kill "$pid" 2>/dev/null || true; fi
  done
  wait 2>/dev/null || true
  NGINX_PID='' VIGILIA_PID='' TOR_PID=''
}
trap 'stop; [ -n "${DEPLOY_TEST_KEEP:-}" ] || rm -rf "$T"' EXIT

failures=0
ok() { echo "ok    $*"; }
fail() { echo "FAIL  $*"; failures=$((failures + 1)); }
# check DESCRIPTION EXPECTED ACTUAL
check() {
  if [ "$2" = "$3" ]; then ok "$1"; else fail "$1: expected $2, got $3"; fi
}

echo "== systemd unit"
mkdir -p "$T/unit"
# The shipped ExecStart names /usr/local/bin/vigilia; verify insists that it exists, so the copy
# names the binary under test. Nothing else changes.
sed "s#/usr/local/bin/vigilia#$BIN#g" "$HERE/vigilia.service" >"$T/unit/vigilia.service"
if out=$(systemd-analyze verify "$T/unit/vigilia.service" 2>&1) && [ -z "$out" ]; then
  ok "systemd-analyze verify: nothing to say"
else
  fail "systemd-analyze verify:"
  echo "$out" | sed 's/^/      /'
fi
sec=$(systemd-analyze security --offline=true --threshold=20 --no-pager "$T/unit/vigilia.service" 2>&1) \
  && sec_ok=1 || sec_ok=0
level=$(echo "$sec" | grep -o 'Overall exposure level for vigilia.service: .*' || echo "no score")
if [ "$sec_ok" = 1 ]; then ok "systemd-analyze security: $level (at most 2.0 required)"; else fail "systemd-analyze security: $level"; fi

# The morning digest's service and timer: verify says nothing.
sed "s#/usr/local/bin/vigilia#$BIN#g" "$HERE/vigilia-digest.service" >"$T/unit/vigilia-digest.service"
cp "$HERE/vigilia-digest.timer" "$T/unit/vigilia-digest.timer"
if out=$(systemd-analyze verify "$T/unit/vigilia-digest.service" "$T/unit/vigilia-digest.timer" 2>&1) && [ -z "$out" ]; then
  ok "systemd-analyze verify (the digest's service and timer): nothing to say"
else
  fail "systemd-analyze verify (the digest's service and timer):"
  echo "$out" | sed 's/^/      /'
fi

echo "== the files agree"
# What one file says another must match: Vigilia's port, the address nginx connects from and
# the only one Vigilia trusts, the onion's port in nginx and in Tor.
exec_start=$(grep '^ExecStart=' "$HERE/vigilia.service")
unit_bind=$(echo "$exec_start" | grep -o -- '--bind [^ ]*' | cut -d' ' -f2)
nginx_upstream=$(sed -n 's/^ *server \([^ ;]*\);.*/\1/p' "$HERE/nginx.conf")
check "Vigilia's --bind is nginx's upstream" "$unit_bind" "$nginx_upstream"
unit_socket=$(sed -n 's/^SocketBindAllow=tcp:\([0-9]*\)$/\1/p' "$HERE/vigilia.service")
check "the unit lets Vigilia bind its --bind port only" "${unit_bind##*:}" "$unit_socket"
unit_trusted=$(echo "$exec_start" | grep -o -- '--trusted-proxy [^ ]*' | cut -d' ' -f2)
nginx_bind=$(sed -n 's/^ *proxy_bind \([^ ;]*\);.*/\1/p' "$HERE/vigilia-proxy.conf")
check "Vigilia's --trusted-proxy is nginx's proxy_bind" "$unit_trusted" "$nginx_bind"
tor_target=$(sed -n 's/^HiddenServicePort 80 \([^ ]*\).*/\1/p' "$HERE/torrc")
nginx_onion=$(sed -n 's/^ *listen \(127\.0\.0\.1:[0-9]*\);.*/\1/p' "$HERE/nginx.conf")
check "Tor's HiddenServicePort goes to nginx's onion server" "$nginx_onion" "$tor_target"

echo "== Vigilia behind nginx"
mkdir -p "$T/registry" "$T/log" "$T/tls" "$T/nginx"
(
  cd "$T/registry"
  umask 077
  "$BIN" --lang en init --database "sqlite://$T/registry/vigilia.db" >"$T/log/init.out"
)
(
  cd "$T/registry"
  umask 077
  exec "$BIN" --lang en serve --bind "127.0.0.1:$VPORT" --database "sqlite://$T/registry/vigilia.db" \
    --trusted-proxy 127.0.0.2 --intake-per-hour 1 --intake-delay 0 \
    --base-url "https://$NAME" >"$T/log/vigilia.out" 2>&1
) &
VIGILIA_PID=$!

openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 \
  -subj "/CN=$NAME" -addext "subjectAltName=DNS:$NAME" \
  -keyout "$T/tls/privkey.pem" -out "$T/tls/fullchain.pem" 2>/dev/null

# The shipped site file and proxy file, with only their marked lines rewritten.
rewrite() {
  sed -e "/# test: rewritten/{
    /listen \[::\]/d
    s#listen 443 ssl#listen 127.0.0.1:$HTTPS ssl#
    s#listen 80#listen 127.0.0.1:$HTTP#
    s#listen 127.0.0.1:8081#listen 127.0.0.1:$ONION#
    s#server 127.0.0.1:8080#server 127.0.0.1:$VPORT#
    s#/etc/letsencrypt/live/$NAME/#$T/tls/#
    s#/var/log/nginx/#$T/log/#
    s#/etc/nginx/vigilia-proxy.conf#$T/nginx/vigilia-proxy.conf#
  }" "$1"
}
rewrite "$HERE/nginx.conf" >"$T/nginx/vigilia.conf"
rewrite "$HERE/vigilia-proxy.conf" >"$T/nginx/vigilia-proxy.conf"
left=$(grep -h '# test: rewritten' "$T/nginx/vigilia.conf" "$T/nginx/vigilia-proxy.conf" \
  | grep -E '/etc/|/var/|:8080|:8081|listen (80|443)' || true)
check "every marked line rewritten" "" "$left"

# Temporary files would land here: a regular file, so that writing one fails (for root too)
# and the request with it. Bodies up to the limits and the answers must never need one.
touch "$T/nginx/no-temp-files"
user_line=''
if [ "$(id -u)" -eq 0 ]; then
  user_line="user nobody $(id -gn nobody 2>/dev/null || echo nogroup);"
fi
cat >"$T/nginx/nginx.conf" <<EOF
# The test's main configuration; the site is deploy/nginx.conf as shipped (rewritten lines only).
$user_line
worker_processes 1;
daemon off;
pid $T/nginx/nginx.pid;
error_log $T/log/main.error.log info;
events { worker_connections 64; }
http {
    # As Debian's own nginx.conf does (the site file must override each): an access log for every
    # site, compression, and old TLS versions.
    access_log $T/log/main.access.log;
    gzip on;
    ssl_protocols TLSv1 TLSv1.1 TLSv1.2 TLSv1.3;
    ssl_prefer_server_ciphers on;
    client_body_temp_path $T/nginx/no-temp-files;
    proxy_temp_path $T/nginx/no-temp-files;
    fastcgi_temp_path $T/nginx/fastcgi;
    uwsgi_temp_path $T/nginx/uwsgi;
    scgi_temp_path $T/nginx/scgi;
    include $T/nginx/vigilia.conf;
}
EOF
if ! "$NGINX" -t -q -p "$T/nginx/" -e "$T/log/startup.log" -c "$T/nginx/nginx.conf" 2>"$T/log/nginx-t.out"; then
  cat "$T/log/nginx-t.out" >&2
  fail "nginx -t accepts the configuration"
  exit 1
fi
ok "nginx -t accepts the configuration"
"$NGINX" -p "$T/nginx/" -e "$T/log/startup.log" -c "$T/nginx/nginx.conf" &
NGINX_PID=$!

up() { curl -s -o /dev/null --max-time 1 "$1"; }
for _ in $(seq 1 100); do
  up "http://127.0.0.1:$VPORT/" && up "http://127.0.0.1:$ONION/" && break
  sleep 0.1
done
up "http://127.0.0.1:$VPORT/" || { fail "Vigilia started"; cat "$T/log/vigilia.out"; exit 1; }
up "http://127.0.0.1:$ONION/" || { fail "nginx started"; cat "$T/log/startup.log" "$T/log/main.error.log" 2>/dev/null; exit 1; }

site="https://$NAME:$HTTPS"
# The client is 127.0.0.5 unless told otherwise, and checks the certificate.
tls() { curl -s --max-time 10 --resolve "$NAME:$HTTPS:127.0.0.1" --cacert "$T/tls/fullchain.pem" "$@"; }
head_of() { tr -d '\r' | grep -i "^$1:" | head -1 | cut -d' ' -f2-; }

echo "-- TLS and HTTP"
h=$(tls --interface 127.0.0.5 -D - -o /dev/null "$site/") || true
check "home page over HTTPS" "HTTP/2 200" "$(echo "$h" | tr -d '\r' | head -1 | sed 's/ *$//')"
check "HSTS" "max-age=63072000" "$(echo "$h" | head_of strict-transport-security)"
check "answered by Vigilia (its request id)" "yes" "$(echo "$h" | head_of x-request-id | grep -q . && echo yes || echo no)"
check "nginx does not say its version" "nginx" "$(echo "$h" | head_of server)"
check "no compression (BREACH)" "" "$(tls --interface 127.0.0.5 --compressed -D - -o /dev/null "$site/report" | head_of content-encoding)"
check "TLS 1.2 accepted" "200" "$(tls --tlsv1.2 --tls-max 1.2 -o /dev/null -w '%{http_code}' "$site/")"
check "TLS 1.3 accepted" "200" "$(tls --tlsv1.3 -o /dev/null -w '%{http_code}' "$site/")"
r=$(curl -s -o /dev/null -w '%{http_code} %{redirect_url}' --resolve "$NAME:$HTTP:127.0.0.1" "http://$NAME:$HTTP/report?a=1") || true
check "plain HTTP redirected to HTTPS" "301 https://$NAME/report?a=1" "$r"
code=0; curl -s -o /dev/null --max-time 5 "http://127.0.0.1:$HTTP/" || code=$?
check "plain HTTP for another name: connection closed unanswered (curl exit 52)" "52" "$code"
code=0; curl -s -o /dev/null --max-time 5 -k --resolve "other.example:$HTTPS:127.0.0.1" "https://other.example:$HTTPS/" || code=$?
check "HTTPS for another name: handshake refused (curl exit 35)" "35" "$code"

echo "-- the client's address (one public report per address an hour)"
# A family's report, sent from SOURCE (a loopback address) to URL with a forged X-Forwarded-For.
report() {
  local source=$1 url=$2 forged=$3 form token
  form=$(tls --interface "$source" "$url/report") || true
  token=$(echo "$form" | sed -n 's/.*name="csrf" value="\([^"]*\)".*/\1/p' | head -1)
  tls --interface "$source" -o /dev/null -w '%{http_code}' -H "X-Forwarded-For: $forged" \
    --data-urlencode "csrf=$token" --data-urlencode "given_names=Ana" \
    --data-urlencode "paternal_surname=Prueba" --data-urlencode "arrest_date=2024-08-01" \
    --data-urlencode "consent=count_only" "$url/report"
}
onion="http://127.0.0.1:$ONION"
direct="http://127.0.0.1:$VPORT"
check "HTTPS, client .5, forged 6.6.6.1: accepted" "200" "$(report 127.0.0.5 "$site" 6.6.6.1)"
check "HTTPS, client .5, forged 6.6.6.2: limited as .5 (the forged address did not count)" "429" "$(report 127.0.0.5 "$site" 6.6.6.2)"
check "HTTPS, client .6: accepted (nginx passes each client's own address)" "200" "$(report 127.0.0.6 "$site" 6.6.6.2)"
check "onion port, forged 6.6.6.3: accepted (as 127.0.0.1, where Tor connects from)" "200" "$(report 127.0.0.1 "$onion" 6.6.6.3)"
check "onion port, forged 6.6.6.4: limited (every onion visitor is 127.0.0.1)" "429" "$(report 127.0.0.1 "$onion" 6.6.6.4)"
check "straight to Vigilia from 127.0.0.1, forged 6.6.6.5: limited (only 127.0.0.2 is believed)" "429" "$(report 127.0.0.1 "$direct" 6.6.6.5)"
check "control: from 127.0.0.2 the header is believed (forged 6.6.6.6 accepted)" "200" "$(report 127.0.0.2 "$direct" 6.6.6.6)"

echo "-- bodies"
# post PATH BYTES [multipart]: status, and whether Vigilia answered (its request id).
post() {
  head -c "$2" /dev/zero | tr '\0' 'a' >"$T/body"
  local type=application/x-www-form-urlencoded
  [ "${3:-}" = multipart ] && type="multipart/form-data; boundary=x"
  tls --interface 127.0.0.5 -o /dev/null -D "$T/headers" -w '%{http_code}' \
    -H "Content-Type: $type" --data-binary @"$T/body" "$site$1"
  head_of x-request-id <"$T/headers" | grep -q . && echo " vigilia" || echo " nginx"
}
check "form of 200 KiB reaches Vigilia, kept in memory (it refuses the missing token)" "400 vigilia" "$(post /report $((200 * 1024)))"
check "form of 300 KiB refused by nginx" "413 nginx" "$(post /report $((300 * 1024)))"
check "JSON of 300 KiB to the API refused by nginx" "413 nginx" "$(post /api/reports $((300 * 1024)))"
# nginx reads the whole body before it passes it on. Vigilia answers this anonymous upload
# (sign in first) without reading it, and may close the connection while nginx still sends:
# nginx then answers 502 itself. Either way the body was taken (not 413) and held in memory
# (not 500, which is what a temporary file that cannot be written gives).
up_code=$(post /reports/1/sources $((10 * 1024 * 1024)) multipart)
check "upload of 10 MiB taken and kept in memory (neither 413 nor 500)" "yes" \
  "$(case "$up_code" in 413*|500*) echo "no: $up_code" ;; *" vigilia"|"502 nginx") echo yes ;; *) echo "no: $up_code" ;; esac)"
check "upload of 11 MiB refused by nginx" "413 nginx" "$(post /reports/1/sources $((11 * 1024 * 1024)) multipart)"

echo "-- logs"
tls --interface 127.0.0.5 -o /dev/null "$site/invitation/SECRET-TOKEN-1" || true
tls --interface 127.0.0.5 -o /dev/null "$site/persons?q=SECRET-NAME" || true
kill "$VIGILIA_PID"; wait "$VIGILIA_PID" 2>/dev/null || true; VIGILIA_PID=''
check "with Vigilia down: 502" "502" "$(tls --interface 127.0.0.5 -o /dev/null -w '%{http_code}' "$site/invitation/SECRET-TOKEN-2")"
check "with Vigilia down, on the onion: 502" "502" "$(curl -s -o /dev/null -w '%{http_code}' "$onion/follow?code=SECRET-CODE")"
stop
check "no access log written" "" "$(cat "$T/log/main.access.log" 2>/dev/null)"
found=$(grep -rlE 'SECRET|6\.6\.6\.|127\.0\.0\.5|report|invitation|persons' "$T/log" \
  --exclude=init.out --exclude=vigilia.out || true)
check "no log names a path, a query or a client" "" "$found"
if [ -n "$found" ]; then grep -rhE 'SECRET|6\.6\.6\.|127\.0\.0\.5|report|invitation|persons' $found | head -5 | sed 's/^/      /'; fi

echo "== the onion service"
mkdir -p "$T/tor/data"
chmod 700 "$T/tor/data"
sed -e "/# test: rewritten/{
    s#/var/lib/tor/vigilia/#$T/tor/hs/#
    s#127.0.0.1:8081#127.0.0.1:$ONION#
  }" "$HERE/torrc" >"$T/tor/torrc"
tor_args=(-f "$T/tor/torrc" --DataDirectory "$T/tor/data" --Log "notice file $T/log/tor.log")
if tor --verify-config "${tor_args[@]}" >"$T/log/tor-verify.out" 2>&1; then
  ok "tor --verify-config accepts torrc"
else
  fail "tor --verify-config accepts torrc:"
  grep -E 'warn|err' "$T/log/tor-verify.out" | sed 's/^/      /'
fi
# Started without the network (nothing leaves this machine): it makes the onion's keys and
# writes its address where the torrc says.
tor "${tor_args[@]}" --DisableNetwork 1 --RunAsDaemon 0 >/dev/null 2>&1 &
TOR_PID=$!
for _ in $(seq 1 100); do
  [ -s "$T/tor/hs/hostname" ] && break
  sleep 0.1
done
onion_name=$(cat "$T/tor/hs/hostname" 2>/dev/null || true)
check "tor made the onion's address in HiddenServiceDir" "yes" \
  "$(echo "$onion_name" | grep -qE '^[a-z2-7]{56}\.onion$' && echo yes || echo "no: '$onion_name'")"
stop

echo
if [ "$failures" -gt 0 ]; then
  echo "deploy/test.sh: $failures FAILED"
  exit 1
fi
echo "deploy/test.sh: every check passed"
