"""Vigilia's `dedupe` and Splink side by side, in the same run, on the same files.

    python3 bench/matching/run.py [--sizes 10000,100000,1000000] [--skip-splink-above N]

Sets up a virtualenv (bench/.venv) with Splink and DuckDB if it is missing, builds Vigilia in
release mode, writes the benchmark files (bench/matching/datasets.py and `vigilia
demo-reports`), then for each file runs both tools one after the other (never at the same
time), timing the whole process (wall clock) and its peak memory, and scores both clusterings
with the same code (metrics.py). Results go to bench/out/matching.md and are printed.
"""

import argparse
import os
import resource
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
VENV = os.path.join(ROOT, "bench", ".venv")
OUT = os.path.join(ROOT, "bench", "out", "matching")
VIGILIA = os.path.join(ROOT, "target", "release", "vigilia")
sys.path.insert(0, HERE)
import datasets  # noqa: E402
import metrics  # noqa: E402


def setup():
    python = os.path.join(VENV, "bin", "python")
    if not os.path.exists(python):
        subprocess.run([sys.executable, "-m", "venv", VENV], check=True)
    probe = subprocess.run([python, "-c", "import splink, duckdb"], capture_output=True)
    if probe.returncode != 0:
        subprocess.run([python, "-m", "pip", "install", "-q", "splink>=5", "duckdb"], check=True)
    subprocess.run(["cargo", "build", "--release", "--locked", "-p", "vigilia"], cwd=ROOT, check=True)
    return python


def timed(cmd):
    """Runs a command; returns its wall time in seconds, peak memory (MiB) of the process, and
    the last line it wrote if it failed (a tool failing on a file is a result, not a stop)."""
    wrapped = ["/usr/bin/time", "-f", "%M"] + cmd if os.path.exists("/usr/bin/time") else cmd
    t0 = time.perf_counter()
    run = subprocess.run(wrapped, capture_output=True, text=True)
    wall = time.perf_counter() - t0
    if run.returncode != 0:
        lines = [x for x in run.stderr.strip().splitlines()
                 if not x.strip().isdigit() and not x.startswith("Command exited")]
        return wall, None, (lines[-1] if lines else "failed")[-120:]
    peak = None
    if wrapped is not cmd:
        try:
            peak = int(run.stderr.strip().splitlines()[-1]) / 1024
        except (ValueError, IndexError):
            peak = None
    return wall, peak, None


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", default="10000,100000,1000000")
    ap.add_argument("--skip-splink-above", type=int, default=10**9)
    ap.add_argument("--only", default="", help="comma-separated file names to run")
    args = ap.parse_args()
    python = setup()
    os.makedirs(OUT, exist_ok=True)
    datasets.fake_1000(OUT)
    datasets.febrl(OUT)
    datasets.catalonia(OUT)
    datasets.historical(OUT, python)
    files = ["fake_1000", "febrl1", "febrl2", "febrl3", "febrl4", "catalonia", "historical_50k"]
    for n in [int(x) for x in args.sizes.split(",") if x]:
        name = f"venezuela_{n}"
        if not os.path.exists(os.path.join(OUT, name + ".csv")):
            subprocess.run([VIGILIA, "demo-reports", "--seed", "1", "--count", str(n),
                            "--out", os.path.join(OUT, name + ".csv"),
                            "--truth", os.path.join(OUT, name + ".truth.csv")], check=True)
        files.append(name)
    if args.only:
        files = [f for f in files if f in args.only.split(",")]
    lines = ["| file | reports | tool | wall s | peak MiB | persons | precision | recall | F1 | B³ F1 |",
             "|---|---:|---|---:|---:|---:|---:|---:|---:|---:|"]
    for name in files:
        reports = os.path.join(OUT, name + ".csv")
        truth_path = os.path.join(OUT, name + ".truth.csv")
        rows = sum(1 for _ in open(reports)) - 1
        tools = [("vigilia", [VIGILIA, "dedupe", reports, "--out", os.path.join(OUT, name + ".vigilia.csv")])]
        if rows <= args.skip_splink_above:
            tools.append(("splink", [python, os.path.join(HERE, "splink_side.py"), reports,
                                     os.path.join(OUT, name + ".splink.csv")]))
        for tool, cmd in tools:
            wall, peak, failed = timed(cmd)
            if failed:
                line = f"| {name} | {rows:,} | {tool} | {wall:.2f} | – | failed: {failed} | – | – | – | – |"
                print(line, flush=True)
                lines.append(line)
                continue
            predicted = metrics.read(os.path.join(OUT, f"{name}.{tool}.csv"))
            persons = len(set(predicted.values()))
            if os.path.exists(truth_path):
                s = metrics.scores(metrics.read(truth_path), predicted)
                q = f"{s['precision']:.3f} | {s['recall']:.3f} | {s['f1']:.3f} | {s['bcubed_f1']:.3f}"
            else:
                q = "– | – | – | –"
            peak_s = f"{peak:.0f}" if peak else "–"
            line = f"| {name} | {rows:,} | {tool} | {wall:.2f} | {peak_s} | {persons:,} | {q} |"
            print(line, flush=True)
            lines.append(line)
    with open(os.path.join(ROOT, "bench", "out", "matching.md"), "w") as f:
        f.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
