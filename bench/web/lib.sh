# Shared by the web benchmarks: start `serve --demo` (release build) in $work on $PORT, wait for
# it, and sign a demo account in (prints its session cookie).
start_demo() {
  "$root/target/release/vigilia" serve --demo --bind 127.0.0.1:$PORT --intake-delay 0 --intake-per-hour 0 >serve.log 2>&1 &
  pid=$!
  for _ in $(seq 180); do grep -q "escucha en" serve.log 2>/dev/null && break; sleep 1; done
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
form_token() {
  curl -s http://127.0.0.1:$PORT/report | sed -n 's/.*name="csrf" value="\([^"]*\)".*/\1/p' | head -1
}
