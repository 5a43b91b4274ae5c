#!/usr/bin/env bash
# What people read, on a served registry of N detentions (1,000,000 by default): search by name
# (accents and as it sounds) and by cédula, the triage queue and a report with its candidates,
# a person's page and a filtered list page, each asked 200 times by one client, one after the
# other; prints p50, p90, p99 and the slowest, per page. Needs a release build
# (cargo build --release) and python3; writes its registry under bench/out/scale-N/.
#
#   bash bench/web/scale.sh              # 1,000,000 detentions (the import takes about 30 s)
#   N=12000 bash bench/web/scale.sh      # Foro Penal's scale
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$(pwd)
N=${N:-1000000}; PORT=${PORT:-18095}; REPEAT=${REPEAT:-200}
out="$root/bench/out/scale-$N"; mkdir -p "$out"; cd "$out"
source "$root/bench/web/lib.sh"
NOW=2026-11-20T15:00:00Z
registry=(--database "sqlite://$out/registry.db" --now "$NOW" --lang en)
if [ ! -f detentions.csv ]; then
  "$vigilia" --now "$NOW" --lang en demo --seed 1 --detentions "$N" --csv detentions.csv
fi
rm -f registry.db registry.db-wal registry.db-shm registry.key registry.backup-key
"$vigilia" "${registry[@]}" init >/dev/null
/usr/bin/time -f "import: %e s, peak %M KiB" "$vigilia" "${registry[@]}" import detentions detentions.csv | tail -1
# Another organisation's list: 2,000 of the registry's people as such lists write them, and 500
# people it does not hold; what the registry does not surely hold waits in triage.
python3 - <<'PY'
import csv, random
random.seed(3)
rows = list(csv.DictReader(open("detentions.csv", encoding="utf-8")))
out = csv.writer(open("list.csv", "w", newline="", encoding="utf-8"))
out.writerow(["report_id", "given_names", "surnames", "cedula", "sex", "state", "arrest_date"])
for i, r in enumerate(random.sample(rows, 2000)):
    d = r["arrest_date"].split("-")
    out.writerow([f"L{i}", r["given_names"].upper(), f'{r["paternal_surname"]} {r["maternal_surname"]}'.strip(),
                  r["national_id"] if random.random() < 0.5 else "", r["sex"], r["arrest_state"],
                  "/".join(reversed(d)) if len(d) == 3 else r["arrest_date"]])
for i in range(500):
    out.writerow([f"X{i}", "XIOMARA", "QUINTERO ZAPATA", "", "F", "Zulia", "05/08/2024"])
PY
/usr/bin/time -f "import list: %e s" "$vigilia" "${registry[@]}" import list list.csv --name "Lista de prueba" | tail -1
# Served on the real clock: the second factor's codes are of now.
registry=(--database "sqlite://$out/registry.db" --lang en)
"$vigilia" "${registry[@]}" serve --bind 127.0.0.1:$PORT >serve.log 2>&1 &
pid=$!; trap 'kill $pid 2>/dev/null || true' EXIT
wait_listening serve.log
for _ in $(seq 600); do grep -q "indexes warm" serve.log && break; sleep 1; done
grep "indexes warm" serve.log || true
BASE=http://127.0.0.1:$PORT
cookie=$(account bench-coordinator coordinator "$BASE")
python3 - "$BASE" "$cookie" "$REPEAT" <<'PY'
import csv, http.client, random, re, statistics, sys, time, urllib.parse
base, cookie, repeat = sys.argv[1], sys.argv[2], int(sys.argv[3])
host = urllib.parse.urlparse(base).netloc
conn = http.client.HTTPConnection(host, timeout=120)
def get(path):
    conn.request("GET", path, headers={"Cookie": cookie})
    r = conn.getresponse(); body = r.read()
    if r.status != 200:
        sys.exit(f"{path}: {r.status}\n{body[:500]!r}")
    return body.decode("utf-8", "replace")
random.seed(5)
rows = []
with open("detentions.csv", encoding="utf-8") as f:
    for i, r in enumerate(csv.DictReader(f)):
        if i % 997 == 0:
            rows.append(r)
def as_heard(s):  # Gonzalez → Gonsales, Yusmary → Jusmary
    return s.replace("z", "s").replace("Z", "S").replace("Y", "J").replace("v", "b")
queue = get("/triage")
waiting = sorted(set(int(x) for x in re.findall(r'href="/triage/(\d+)"', queue)))
persons = sorted(set(int(x) for r in rows[:20] for x in re.findall(
    r'href="/persons/(\d+)"', get("/persons?q=" + urllib.parse.quote(r["paternal_surname"])))))
pages = {
    "search: surname": lambda r: "/persons?q=" + urllib.parse.quote(r["paternal_surname"]),
    "search: given name and surname, as heard": lambda r: "/persons?q=" + urllib.parse.quote(
        as_heard(f'{r["given_names"].split()[0]} {r["paternal_surname"]}')),
    "search: cédula": lambda r: "/persons?q=" + urllib.parse.quote(r["national_id"] or "V-1"),
    "triage queue": lambda r: "/triage",
    "a report with its candidates": lambda r: f"/triage/{random.choice(waiting)}",
    "a person's page": lambda r: f"/persons/{random.choice(persons)}",
    "list page (held, by state, surname or date, page 1-20)": lambda r: "/balance/list?list=held&as_of=2026-11-20"
        + f"&state={random.choice(['', 'VE-V', 'VE-A', 'VE-L'])}&sort={random.choice(['newest', 'name', 'state'])}&page={random.randint(1, 20)}",
}
total = re.search(r"<h1>[^<(]*\(([\d.,]+)\)", queue).group(1)
print(f"{total} reports waiting in triage; {repeat} requests per page, one client\n")
print("| page | first (ms) | p50 (ms) | p90 (ms) | p99 (ms) | slowest (ms) |")
print("|---|---:|---:|---:|---:|---:|")
for name, path in pages.items():
    # The first one builds what the server keeps (an index, the rows behind a figure).
    t = time.perf_counter(); get(path(rows[0])); first = (time.perf_counter() - t) * 1000
    times = []
    for i in range(repeat):
        p = path(rows[i % len(rows)])
        t = time.perf_counter(); get(p); times.append((time.perf_counter() - t) * 1000)
    times.sort()
    q = lambda x: times[min(len(times) - 1, int(round(x * (len(times) - 1))))]
    print(f"| {name} | {first:.0f} | {q(.5):.1f} | {q(.9):.1f} | {q(.99):.1f} | {times[-1]:.1f} |")
PY
