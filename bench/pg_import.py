#!/usr/bin/env python3
"""Importing detentions into PostgreSQL, timed, one binary beside another (and beside SQLite).

Each run makes a fresh registry in the database `vigilia_bench_import`, lets the server settle
(CHECKPOINT, the disk synced: the run before left gigabytes to write, and they would otherwise
be written during this one), then times `vigilia import detentions`. Binaries are alternated run
by run, so that a slower hour of a shared machine falls on all of them alike. Besides the wall
time it reports the importer's CPU time and, when the server runs on this machine, the CPU time
of the server's processes for the database (read from /proc while the import runs): the server
process that writes is the import's critical path.

    python3 bench/pg_import.py --url postgres://vigilia@127.0.0.1:45432 --rows 1000000 \\
        --runs 3 target/release/vigilia /tmp/vigilia-before

Needs `psql` on the PATH and a role that may create databases and run CHECKPOINT.
"""

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time

DB = "vigilia_bench_import"
NOW = "2026-11-20T15:00:00Z"


def psql(url, sql):
    subprocess.run(["psql", "-q", "-X", "-d", f"{url}/postgres", "-c", sql], check=True,
                   stdout=subprocess.DEVNULL)


def server_cpu(stop, out):
    """CPU seconds of each local server process connected to the bench database, polled."""
    ticks = os.sysconf("SC_CLK_TCK")
    while not stop.is_set():
        for pid in os.listdir("/proc"):
            if not pid.isdigit():
                continue
            try:
                with open(f"/proc/{pid}/cmdline", "rb") as f:
                    cmd = f.read()
                if b"postgres: " not in cmd or f" {DB} ".encode() not in cmd:
                    continue
                with open(f"/proc/{pid}/stat") as f:
                    fields = f.read().rsplit(")", 1)[1].split()
                out[pid] = (int(fields[11]) + int(fields[12])) / ticks
            except OSError:
                continue
        time.sleep(0.25)


def timed(cmd, env):
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.monotonic()
    done = subprocess.run(cmd, env=env, capture_output=True, text=True)
    wall = time.monotonic() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        sys.exit(f"{' '.join(cmd)} failed:\n{done.stdout}\n{done.stderr}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, done.stdout.strip().splitlines()[-1]


def postgres_run(binary, url, csv, work):
    psql(url, f"DROP DATABASE IF EXISTS {DB}")
    psql(url, f"CREATE DATABASE {DB}")
    key = os.path.join(work, "pg.key")
    for stale in (key, os.path.join(work, "vigilia.backup-key")):
        if os.path.exists(stale):
            os.remove(stale)
    env = dict(os.environ, VIGILIA_KEY_FILE=key)
    database = f"{url}/{DB}"
    subprocess.run([binary, "--database", database, "--now", NOW, "init"], env=env, cwd=work,
                   check=True, capture_output=True)
    psql(url, "CHECKPOINT")
    os.sync()
    time.sleep(3)
    stop, servers = threading.Event(), {}
    poller = threading.Thread(target=server_cpu, args=(stop, servers))
    poller.start()
    wall, cpu, said = timed([binary, "--database", database, "--now", NOW, "--lang", "en",
                             "import", "detentions", csv], env)
    stop.set()
    poller.join()
    return wall, cpu, sorted(servers.values(), reverse=True), said


def sqlite_run(binary, csv, work):
    work = os.path.join(work, "sqlite")
    shutil.rmtree(work, ignore_errors=True)
    os.mkdir(work)
    env = dict(os.environ, VIGILIA_KEY_FILE=os.path.join(work, "sqlite.key"))
    database = f"sqlite://{os.path.join(work, 'registry.db')}"
    subprocess.run([binary, "--database", database, "--now", NOW, "init"], env=env, cwd=work,
                   check=True, capture_output=True)
    os.sync()
    time.sleep(3)
    wall, cpu, said = timed([binary, "--database", database, "--now", NOW, "--lang", "en",
                             "import", "detentions", csv], env)
    return wall, cpu, said


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--url", required=True, help="postgres://USER@HOST:PORT, without a database")
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--sqlite", action="store_true", help="also import the file into SQLite")
    ap.add_argument("binaries", nargs="+")
    args = ap.parse_args()
    binaries = [os.path.abspath(b) for b in args.binaries]
    with tempfile.TemporaryDirectory(prefix="vigilia-pg-import-") as work:
        csv = os.path.join(work, f"detentions-{args.rows}.csv")
        subprocess.run([binaries[0], "--now", NOW, "demo", "--seed", "1", "--detentions",
                        str(args.rows), "--csv", csv], check=True, capture_output=True)
        results = {b: [] for b in binaries}
        lite = {b: [] for b in binaries}
        for run in range(1, args.runs + 1):
            for b in binaries:
                wall, cpu, servers, said = postgres_run(b, args.url, csv, work)
                results[b].append((wall, cpu, servers))
                shown = ", ".join(f"{s:.1f}" for s in servers[:2]) or "not local"
                print(f"run {run} {b}: PostgreSQL {wall:.2f} s wall, importer {cpu:.1f} s CPU, "
                      f"server processes {shown} s CPU — {said}", flush=True)
                if args.sqlite:
                    wall, cpu, said = sqlite_run(b, csv, work)
                    lite[b].append(wall)
                    print(f"run {run} {b}: SQLite {wall:.2f} s wall, importer {cpu:.1f} s CPU",
                          flush=True)
        psql(args.url, f"DROP DATABASE IF EXISTS {DB}")
    first = statistics.median(r[0] for r in results[binaries[0]])
    print(f"\n{args.rows:,} rows, {args.runs} runs each, alternated:")
    for b in binaries:
        walls = [r[0] for r in results[b]]
        median = statistics.median(walls)
        writer = [r[2][0] for r in results[b] if r[2]]
        line = (f"  {b}: PostgreSQL median {median:.1f} s (best {min(walls):.1f}, worst "
                f"{max(walls):.1f}), {median / first:.2f}× the first")
        if writer:
            line += f"; the writing server process {statistics.median(writer):.1f} s CPU"
        if lite[b]:
            line += f"; SQLite median {statistics.median(lite[b]):.1f} s"
        print(line)


if __name__ == "__main__":
    main()
