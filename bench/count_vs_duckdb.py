#!/usr/bin/env python3
"""Vigilia's counting engine against DuckDB, side by side, on the same data, in one run.

Usage: python3 bench/count_vs_duckdb.py [--sizes 12000,1000000] [--repeat 15]

For each size it makes (or reuses) a demo registry in bench/out/, then:
- Vigilia: `vigilia bench-count` loads the counting index once and times, in that warm
  process, a full balance (all breakdowns), the same as known on a past day, a weekly series
  2014-2026, and the same by sex and civilian/military;
- DuckDB (Python package in a virtualenv this script makes in bench/.venv; not a project
  dependency): loads the registry's own export into a table once (dates turned into first/last
  days, clipped to the day they were recorded, as the rules do), then times its best SQL for the
  same figures — GROUPING SETS for the breakdowns, running sums and an ASOF join for the series.
Both report best and median milliseconds; the script checks that both computed the same
figures before it prints a ratio.
"""
import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
VENV = ROOT / "bench" / ".venv"
NOW = "2026-11-20T15:00:00Z"
AS_OF, KNOWN_ON, FROM, TO = "2024-08-15", "2024-08-20", "2014-01-06", "2026-11-15"


def ensure_duckdb():
    py = VENV / "bin" / "python"
    if not py.exists():
        subprocess.run([sys.executable, "-m", "venv", str(VENV)], check=True)
    if subprocess.run([str(py), "-c", "import duckdb"], capture_output=True).returncode != 0:
        subprocess.run([str(py), "-m", "pip", "install", "-q", "duckdb"], check=True)
    return py


def vigilia(*args, peak=None):
    """Runs the release binary; with `peak`, under /usr/bin/time, which writes its peak resident
    memory (KiB) there."""
    exe = ROOT / "target" / "release" / "vigilia"
    timed = ["/usr/bin/time", "-f", "%M", "-o", str(peak)] if peak else []
    return subprocess.run([*timed, str(exe), "--now", NOW, *args], check=True, capture_output=True, text=True).stdout


def step(what, run):
    start = time.perf_counter()
    run()
    print(f"{what}: {time.perf_counter() - start:.1f} s", flush=True)


def registry(n):
    """The demo registry of `n` detentions, made once (a run stopped before its import finished
    makes it again); prints how long each step took."""
    db, done = OUT / f"registry-{n}.db", OUT / f"registry-{n}.done"
    if not done.exists():
        csv = OUT / f"detentions-{n}.csv"
        if not csv.exists():
            step(f"demo {n:,}", lambda: vigilia("demo", "--seed", "1", "--detentions", str(n), "--csv", str(csv)))
        for old in OUT.glob(f"registry-{n}.*"):
            old.unlink()
        vigilia("--database", f"sqlite://{db}", "init")
        step(f"import {n:,}", lambda: vigilia("--database", f"sqlite://{db}", "import", "detentions", str(csv)))
        done.touch()
    export = OUT / f"export-{n}.csv"
    vigilia("--database", f"sqlite://{db}", "export", "detentions", "--out", str(export))
    return db, export





def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", default="12000,1000000")
    ap.add_argument("--repeat", type=int, default=15)
    a = ap.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    subprocess.run(["cargo", "build", "--release", "--locked", "-p", "vigilia"], cwd=ROOT, check=True)
    py = ensure_duckdb()
    lines = ["| size | figure | Vigilia, running totals: best / median (ms) | Vigilia, counting every detention | DuckDB best / median (ms) | DuckDB ÷ Vigilia (totals) | same figures |", "|---|---|---:|---:|---:|---:|---|"]
    for n in [int(s) for s in a.sizes.split(",")]:
        db, export = registry(n)
        peak = OUT / f"bench-count-peak-{n}.txt"
        v = json.loads(vigilia("--database", f"sqlite://{db}", "bench-count", "--as-of", AS_OF, "--known-on", KNOWN_ON,
                               "--from", FROM, "--to", TO, "--repeat", str(a.repeat), peak=peak))
        v["peak_mib"] = int(peak.read_text().split()[-1]) / 1024
        side = ROOT / "bench" / "duckdb_side.py"
        d = json.loads(subprocess.run([str(py), str(side), str(export), AS_OF, KNOWN_ON, FROM, TO, str(a.repeat)],
                                      check=True, stdout=subprocess.PIPE, text=True).stdout)
        for figure in ["balance", "balance_known_on", "series_weekly", "series_weekly_by_sex_civilian_military"]:
            vf, df = v[figure], d[figure]
            keys = [k for k in df["figures"] if k in vf["figures"]]
            sf = v["scan"][figure]
            same = all(vf["figures"][k] == df["figures"][k] for k in keys) and sf["figures"] == vf["figures"]
            detail = "yes" if same else "NO: " + ", ".join(f"{k} {vf['figures'][k]} vs {df['figures'][k]}" for k in keys if vf["figures"][k] != df["figures"][k])
            ratio = df["best_ms"] / vf["best_ms"] if vf["best_ms"] else float("inf")
            lines.append(f"| {n:,} | {figure} | {vf['best_ms']:.3f} / {vf['median_ms']:.3f} | {sf['best_ms']:.2f} / {sf['median_ms']:.2f} | {df['best_ms']:.2f} / {df['median_ms']:.2f} | {ratio:.0f}× | {detail} |")
        spread = v["balance_known_on_60_days"]
        lines.append(f"| {n:,} | balance as known on 60 days over the period | median {spread['median_ms']:.2f}, slowest {spread['max_ms']:.2f} | | | | |")
        lines.append(f"| {n:,} | (index load, cold; running totals built once; the process's peak memory) | {v['index_load_ms']:.0f}; {v['totals_build_ms']:.0f} ({v['totals_mib']:.0f} MiB); {v['peak_mib']:,.0f} MiB | | | | |")
        print("\n".join(lines[-7:]), flush=True)
        (OUT / "count_vs_duckdb.md").write_text("\n".join(lines) + "\n")
    text = "\n".join(lines) + "\n"
    (OUT / "count_vs_duckdb.md").write_text(text)
    print("\n" + text)


if __name__ == "__main__":
    main()
