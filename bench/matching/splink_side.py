"""Splink (DuckDB backend) on a reports CSV, configured as its documentation recommends for
person data: names with Jaro-Winkler levels and term frequencies, dates of birth with
day/month/year levels, exact matches on the rest; u by random sampling, m by EM on two
training rules, the prior from a deterministic rule; clusters at the same threshold as Vigilia.

The reports are first cleaned the way a Splink user would: lower case without accents, dates
read day first into ISO, cédulas reduced to their digits, the first surname split out. This
cleaning is part of Splink's side of the timing.

    python splink_side.py REPORTS.csv OUT_CLUSTERS.csv [THRESHOLD]
"""

import csv
import sys
import time
import unicodedata

import duckdb
import splink.comparison_library as cl
from splink import Linker, SettingsCreator, block_on
from splink.backends.duckdb import DuckDBAPI


def fold(s):
    s = unicodedata.normalize("NFKD", s or "").encode("ascii", "ignore").decode()
    return " ".join(s.lower().replace(".", " ").split()) or None


def day_first(s):
    s = (s or "").strip()
    if len(s) == 10 and s[4] == "-":
        return s
    parts = s.replace("-", "/").replace(".", "/").split("/")
    if len(parts) != 3 or not all(p.isdigit() for p in parts):
        return None
    d, m, y = (int(p) for p in parts)
    if len(parts[2]) == 2:
        y += 2000 if y <= 26 else 1900
    if not (1 <= m <= 12 and 1 <= d <= 31):
        return None
    return f"{y:04d}-{m:02d}-{d:02d}"


def clean(path):
    rows = []
    with open(path, newline="") as f:
        for r in csv.DictReader(f):
            given = fold(r.get("given_names"))
            surnames = fold(r.get("surnames"))
            ced = "".join(c for c in (r.get("cedula") or "") if c.isdigit()) or None
            sex = (fold(r.get("sex")) or "")[:1] or None
            if sex in ("h", "v"):
                sex = "m"
            elif sex == "f":
                sex = "f"
            rows.append({
                "report_id": r["report_id"],
                "first_name": given.split(" ")[0] if given else None,
                "surname": surnames.split(" ")[0] if surnames else None,
                "surnames": surnames,
                "cedula": ced,
                "dob": day_first(r.get("birth_date")),
                "sex": sex,
                "state": fold(r.get("state")),
                "arrest": day_first(r.get("arrest_date")),
            })
    return rows


def main():
    src, out = sys.argv[1], sys.argv[2]
    threshold = float(sys.argv[3]) if len(sys.argv) > 3 else 0.95
    t0 = time.time()
    rows = clean(src)
    con = duckdb.connect()
    cols = list(rows[0].keys())
    con.execute("create table reports (" + ", ".join(f"{c} varchar" for c in cols) + ")")
    con.executemany(
        "insert into reports values (" + ", ".join("?" for _ in cols) + ")",
        [[r[c] for c in cols] for r in rows],
    )
    db = DuckDBAPI(connection=con)
    settings = SettingsCreator(
        link_type="dedupe_only",
        unique_id_column_name="report_id",
        blocking_rules_to_generate_predictions=[
            block_on("cedula"),
            block_on("first_name", "surname"),
            block_on("surname", "dob"),
            block_on("first_name", "dob"),
            block_on("surname", "arrest"),
        ],
        comparisons=[
            cl.ExactMatch("cedula"),
            cl.NameComparison("first_name").configure(term_frequency_adjustments=True),
            cl.NameComparison("surnames").configure(term_frequency_adjustments=True),
            cl.DateOfBirthComparison("dob", input_is_string=True),
            cl.ExactMatch("sex"),
            cl.ExactMatch("state"),
            cl.ExactMatch("arrest"),
        ],
    )
    linker = Linker(db.register("reports"), settings, log_level=30)
    linker.training.estimate_probability_two_random_records_match(
        [block_on("first_name", "surname", "dob")], recall=0.7
    )
    linker.training.estimate_u_using_random_sampling(max_pairs=1e6)
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("first_name", "surname"))
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("dob"))
    pred = linker.inference.predict(threshold_match_probability=0.5)
    clusters = linker.clustering.cluster_pairwise_predictions_at_threshold(pred, threshold)
    result = clusters.as_duckdbpyrelation().select("report_id, cluster_id").fetchall()
    with open(out, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["report_id", "cluster_id"])
        w.writerows(result)
    print(f"splink: {len(rows)} reports, {len(set(c for _, c in result))} clusters, "
          f"{time.time() - t0:.1f} s", file=sys.stderr)


if __name__ == "__main__":
    main()
