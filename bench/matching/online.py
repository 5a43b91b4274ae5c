"""Online candidates against a large registry: `vigilia candidates` timed per report.

    python3 bench/matching/online.py [--detentions 1000000] [--reports 10000]

Makes (once) a demo registry of that many detentions in bench/out/online.db, exports it, and
writes reports about persons taken at random from it, written the way reports arrive (the
maternal surname dropped in a quarter, the cédula in a third, upper case in a fifth, the birth
date in two fifths). `vigilia candidates` builds its index from the registry and prints the
50th and 99th percentile of one report's search; this script adds how often the first
candidate is the person the report was made from (by name and cédula).
"""

import argparse
import csv
import os
import random
import subprocess
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
OUT = os.path.join(ROOT, "bench", "out", "online")
VIGILIA = os.path.join(ROOT, "target", "release", "vigilia")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--detentions", type=int, default=1_000_000)
    ap.add_argument("--reports", type=int, default=10_000)
    args = ap.parse_args()
    subprocess.run(["cargo", "build", "--release", "--locked", "-p", "vigilia"], cwd=ROOT, check=True)
    os.makedirs(OUT, exist_ok=True)
    db = os.path.join(OUT, f"online-{args.detentions}.db")
    url = "sqlite://" + db
    env = dict(os.environ, VIGILIA_NOW="2026-11-20T12:00:00Z", VIGILIA_LANG="en")
    if not os.path.exists(db):
        subprocess.run([VIGILIA, "--database", url, "demo", "--detentions", str(args.detentions)],
                       check=True, env=env, stdout=subprocess.DEVNULL)
    export = os.path.join(OUT, "detentions.csv")
    subprocess.run([VIGILIA, "--database", url, "export", "detentions", "--out", export],
                   check=True, env=env, stderr=subprocess.DEVNULL)
    rows = list(csv.DictReader(open(export, newline="")))
    rng = random.Random(1)
    picked = rng.sample(rows, args.reports)
    reports = os.path.join(OUT, "reports.csv")
    with open(reports, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["report_id", "given_names", "surnames", "cedula", "birth_date", "sex", "state"])
        for n, r in enumerate(picked):
            surnames = r["paternal_surname"]
            if r["maternal_surname"] and rng.random() > 0.25:
                surnames += " " + r["maternal_surname"]
            given = r["given_names"]
            if rng.random() < 0.2:
                given, surnames = given.upper(), surnames.upper()
            w.writerow([f"q{n}", given, surnames,
                        "" if rng.random() < 0.33 else r["national_id"],
                        "" if rng.random() < 0.4 else r["birth_date"],
                        r["sex"], r["arrest_state"]])
    out = os.path.join(OUT, "candidates.csv")
    t0 = time.perf_counter()
    run = subprocess.run([VIGILIA, "--database", url, "candidates", reports, "--out", out],
                         check=True, env=env, capture_output=True, text=True)
    wall = time.perf_counter() - t0
    print(run.stdout.strip() or run.stderr.strip())
    first = {r["report_id"]: r for r in csv.DictReader(open(out, newline="")) if r["rank"] == "1"}
    # How often the first candidate is the person, by what the report carried.
    total, hits = {}, {}
    queries = list(csv.DictReader(open(reports, newline="")))
    for n, (r, q) in enumerate(zip(picked, queries)):
        c = first.get(f"q{n}")
        want = " ".join(x for x in [r["given_names"], r["paternal_surname"], r["maternal_surname"]] if x)
        kind = ("with cédula" if q["cedula"] else
                "exact birth date, no cédula" if len(q["birth_date"]) == 10 else
                "names only (or a birth year)")
        total[kind] = total.get(kind, 0) + 1
        hits[kind] = hits.get(kind, 0) + bool(c and c["name"] == want)
    for kind in total:
        print(f"{kind}: {total[kind]} reports, first candidate is the person in "
              f"{hits[kind] / total[kind]:.3f}")
    print(f"whole command {wall:.1f} s (building the index included)")


if __name__ == "__main__":
    main()
