#!/usr/bin/env python3
"""Vigilia's foundation benchmark: import, verify, rebuild, export at scale.

Usage: python3 bench/run.py [--detentions N] [--seed S] [--out DIR]

Builds the release binary, generates N detentions with `vigilia demo --csv`, and times each
command as a separate process with /usr/bin/time (wall time and peak resident memory). Prints a
Markdown table and writes it to DIR/results-N.md. Nothing here is a test: it measures.
"""
import argparse
import os
import re
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NOW = "2026-11-20T15:00:00Z"


def run(cmd, label):
    """Runs cmd under /usr/bin/time -v; returns (seconds, peak RSS in MiB, stdout)."""
    start = time.perf_counter()
    p = subprocess.run(["/usr/bin/time", "-v", *cmd], capture_output=True, text=True)
    wall = time.perf_counter() - start
    if p.returncode != 0:
        sys.exit(f"{label} failed ({p.returncode}):\n{p.stderr[-3000:]}")
    rss = re.search(r"Maximum resident set size \(kbytes\): (\d+)", p.stderr)
    return wall, int(rss.group(1)) / 1024 if rss else float("nan"), p.stdout


def size_mib(*paths):
    return sum(p.stat().st_size for p in paths if p.exists()) / (1 << 20)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--detentions", type=int, default=1_000_000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--out", default=str(ROOT / "bench" / "out"))
    a = ap.parse_args()
    out = Path(a.out)
    out.mkdir(parents=True, exist_ok=True)

    subprocess.run(["cargo", "build", "--release", "--locked", "-p", "vigilia"], cwd=ROOT, check=True)
    exe = str(ROOT / "target" / "release" / "vigilia")
    csv = out / f"detentions-{a.detentions}.csv"
    db = out / f"registry-{a.detentions}.db"
    for suffix in ["", "-wal", "-shm"]:
        Path(str(db) + suffix).unlink(missing_ok=True)
    base = [exe, "--database", f"sqlite://{db}", "--now", NOW, "--lang", "en"]

    rows = []

    def step(name, cmd, note=""):
        wall, rss, stdout = run(cmd, name)
        rows.append((name, wall, rss, note))
        print(f"{name}: {wall:.2f} s, peak {rss:.0f} MiB {note}", flush=True)
        return wall, stdout

    if not csv.exists():
        step("generate CSV", [exe, "demo", "--seed", str(a.seed), "--detentions", str(a.detentions), "--csv", str(csv)])
    step("init", base + ["init"])
    wall, stdout = step("import", base + ["import", "detentions", str(csv)])
    facts = int(re.search(r"\(([\d,]+) new facts\)", stdout).group(1).replace(",", ""))
    rows[-1] = (*rows[-1][:3], f"{a.detentions / wall:,.0f} rows/s, {facts:,} facts")
    db_size = size_mib(db)
    wal_size = size_mib(Path(str(db) + "-wal"))
    step("verify", base + ["verify"])
    step("rebuild", base + ["rebuild"])
    step("export", base + ["export", "detentions", "--out", str(out / "export.csv")])
    wall, stdout = step("re-import (adds nothing)", base + ["import", "detentions", str(csv)])
    # Counting: the first balance folds the index from the facts and saves it; later ones load it.
    subprocess.run(["sqlite3", str(db), "DELETE FROM snapshots"], check=False)
    step("balance (folds and saves the index)", base + ["balance", "--as-of", "2024-08-15", "--format", "json"])
    step("balance, cold start, saved index", base + ["balance", "--as-of", "2024-08-15", "--format", "json"])
    step("balance as known on, cold start", base + ["balance", "--as-of", "2024-08-15", "--known-on", "2024-08-20", "--format", "json"])
    step("series weekly 2014-2026", base + ["series", "--from", "2014-01-06", "--to", "2026-11-15", "--every", "week"])
    step("series weekly by sex,civilian_military", base + ["series", "--from", "2014-01-06", "--to", "2026-11-15", "--every", "week", "--by", "sex,civilian_military"])

    cpu = ""
    try:
        cpu = next(l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name"))
    except (OSError, StopIteration):
        pass
    lines = [
        f"# Vigilia foundation benchmark: {a.detentions:,} detentions (seed {a.seed})",
        "",
        f"Machine: {os.cpu_count()} cores, {cpu}. Command: `python3 bench/run.py --detentions {a.detentions}`.",
        "",
        f"CSV: {size_mib(csv):,.0f} MiB. Registry after import: {db_size:,.0f} MiB database + {wal_size:,.0f} MiB WAL.",
        "",
        "| step | wall (s) | peak RSS (MiB) | note |",
        "|---|---:|---:|---|",
    ]
    lines += [f"| {n} | {w:.2f} | {r:.0f} | {note} |" for n, w, r, note in rows]
    text = "\n".join(lines) + "\n"
    (out / f"results-{a.detentions}.md").write_text(text)
    print()
    print(text)


if __name__ == "__main__":
    main()
