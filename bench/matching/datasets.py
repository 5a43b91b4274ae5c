"""The benchmark datasets as reports CSVs (shared/formats/reports-csv.md) with their truth.

Each dataset is written to OUT/<name>.csv (the reports both tools read) and, where the truth is
known, OUT/<name>.truth.csv (report_id,entity). Only the columns the reports format has are kept:
Splink's fake_1000 loses its e-mail, febrl its street address; both tools see the same columns.
"""

import csv
import os
import subprocess
import sys

SHARED = os.environ.get(
    "VIGILIA_SHARED_DIR",
    os.path.join(os.path.dirname(__file__), "..", "..", "..", "shared"),
)
REAL = os.path.join(SHARED, "data", "real")
HEADER = ["report_id", "given_names", "surnames", "cedula", "birth_date", "sex", "state", "arrest_date"]


def _write(out, name, rows, truth):
    with open(os.path.join(out, name + ".csv"), "w", newline="") as f:
        w = csv.DictWriter(f, HEADER)
        w.writeheader()
        for r in rows:
            w.writerow(r)
    if truth is not None:
        with open(os.path.join(out, name + ".truth.csv"), "w", newline="") as f:
            w = csv.writer(f)
            w.writerow(["report_id", "entity"])
            w.writerows(truth)


def fake_1000(out):
    rows, truth = [], []
    path = os.path.join(REAL, "record-linkage-benchmarks", "splink_fake_1000.csv")
    for r in csv.DictReader(open(path, newline="")):
        rows.append({"report_id": r["unique_id"], "given_names": r["first_name"],
                     "surnames": r["surname"], "birth_date": r["dob"], "state": r["city"]})
        truth.append((r["unique_id"], r["cluster"]))
    _write(out, "fake_1000", rows, truth)


def _febrl_rows(path, prefix=""):
    rows, truth = [], []
    for r in csv.DictReader(open(path, newline=""), skipinitialspace=True):
        dob = r["date_of_birth"].strip()
        if len(dob) == 8 and dob.isdigit():
            dob = f"{dob[:4]}-{dob[4:6]}-{dob[6:]}"
        rid = prefix + r["rec_id"].strip()
        rows.append({"report_id": rid, "given_names": r["given_name"], "surnames": r["surname"],
                     "cedula": r["soc_sec_id"], "birth_date": dob, "state": r["state"]})
        truth.append((rid, r["rec_id"].strip().split("-")[1]))
    return rows, truth


def febrl(out):
    d = os.path.join(REAL, "record-linkage-benchmarks")
    for n in ["1", "2", "3"]:
        rows, truth = _febrl_rows(os.path.join(d, f"febrl_dataset{n}.csv"))
        _write(out, f"febrl{n}", rows, truth)
    a, ta = _febrl_rows(os.path.join(d, "febrl_dataset4a.csv"), "a:")
    b, tb = _febrl_rows(os.path.join(d, "febrl_dataset4b.csv"), "b:")
    _write(out, "febrl4", a + b, ta + tb)


def catalonia(out):
    path = os.path.join(REAL, "catalonia-franco-military-courts", "procediments_1938-1978.csv")
    rows = []
    for r in csv.DictReader(open(path, newline="")):
        rows.append({"report_id": r["Num"], "given_names": r["Nom"], "surnames": r["Cognoms"],
                     "sex": {"Home": "M", "Dona": "F"}.get(r["Sexe"], ""),
                     "arrest_date": r["Any_inici"]})
    _write(out, "catalonia", rows, None)


def historical(out, python=sys.executable):
    """Splink's 50,000 historical figures with errors (5,156 real people, Wikidata): first name,
    surname, birth date, sex and birth place (as the state). Read from Parquet with DuckDB, which
    the benchmark's virtualenv has (`python` is its interpreter)."""
    path = os.path.join(REAL, "record-linkage-benchmarks",
                        "splink_historical_figures_with_errors_50k.parquet")
    script = f"""
import csv, duckdb, sys
rows = duckdb.sql("select unique_id, first_name, surname, dob, gender, birth_place, cluster "
                  "from read_parquet('{path}') order by unique_id").fetchall()
w = csv.writer(sys.stdout)
for r in rows:
    w.writerow(["" if v is None else v for v in r])
"""
    run = subprocess.run([python, "-c", script], check=True, capture_output=True, text=True)
    rows, truth = [], []
    for r in csv.reader(run.stdout.splitlines()):
        uid, first, surname, dob, gender, place, cluster = r
        rows.append({"report_id": uid, "given_names": first, "surnames": surname,
                     "birth_date": dob, "sex": {"male": "M", "female": "F"}.get(gender, ""),
                     "state": place})
        truth.append((uid, cluster))
    _write(out, "historical_50k", rows, truth)


ALL = {"fake_1000": fake_1000, "febrl": febrl, "catalonia": catalonia, "historical": historical}

if __name__ == "__main__":
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    for name in sys.argv[2:] or ALL:
        ALL[name](out)
