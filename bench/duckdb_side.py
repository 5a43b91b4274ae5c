#!/usr/bin/env python3
"""DuckDB's side of bench/count_vs_duckdb.py: run by the virtualenv's Python with duckdb.

Usage: duckdb_side.py EXPORT.csv AS_OF KNOWN_ON FROM TO REPEAT — prints JSON timings and figures.
"""
import duckdb, json, sys, time
export, as_of, known_on, start, end, repeat = sys.argv[1:7]
repeat = int(repeat)
con = duckdb.connect()
def span(col, rec):
    first = f"""CASE WHEN {col} LIKE '%/%' THEN CAST(split_part({col}, '/', 1) AS DATE)
        WHEN length({col}) = 10 THEN CAST({col} AS DATE) WHEN length({col}) = 7 THEN CAST({col} || '-01' AS DATE)
        WHEN length({col}) = 4 THEN CAST({col} || '-01-01' AS DATE) END"""
    last = f"""CASE WHEN {col} LIKE '%/%' THEN CAST(split_part({col}, '/', 2) AS DATE)
        WHEN length({col}) = 10 THEN CAST({col} AS DATE) WHEN length({col}) = 7 THEN last_day(CAST({col} || '-01' AS DATE))
        WHEN length({col}) = 4 THEN CAST({col} || '-12-31' AS DATE) END"""
    # least() skips NULLs in DuckDB: an unknown end must stay unknown.
    return first, f"CASE WHEN ({last}) IS NULL THEN NULL ELSE least({last}, CAST({rec} AS DATE)) END"
af, al = span("arrest_date", "recorded_on")
ef, el = span("end_date", "coalesce(end_recorded_on, recorded_on)")
con.execute(f"""CREATE TABLE d AS SELECT *, {af} AS a_first, {al} AS a_last, {ef} AS e_first, {el} AS e_last
    FROM read_csv('{export}', all_varchar = true, header = true)""")
con.execute("ALTER TABLE d ALTER recorded_on TYPE DATE; ALTER TABLE d ALTER end_recorded_on TYPE DATE")

def balance(k):
    # As known on k: rows recorded by then; an end not yet recorded is no end.
    known = "TRUE" if k is None else f"recorded_on <= DATE '{k}'"
    endv = "e_first" if k is None else f"CASE WHEN end_recorded_on <= DATE '{k}' THEN e_first END"
    base = f"""WITH r AS (SELECT *, {endv} AS ef FROM d WHERE recognition = 'recognised' AND {known}),
      p AS (SELECT *, a_last <= DATE '{as_of}' AND (ef IS NULL OR ef > DATE '{as_of}') AS held,
                 a_last + 2 <= DATE '{as_of}' AND (ef IS NULL OR ef > DATE '{as_of}') AS prisoner,
                 coalesce(sex, 'unknown') AS s, coalesce(civilian_military, 'unknown') AS cm,
                 coalesce(arrest_state, 'unknown') AS st, coalesce(agency, 'unknown') AS ag,
                 coalesce(facility, 'unknown') AS fa, coalesce(category, 'unknown') AS ca,
                 CASE WHEN house_arrest_since IS NOT NULL AND house_arrest_since <= '{as_of}' THEN 'true' ELSE 'false' END AS ha,
                 CASE WHEN convicted_on IS NOT NULL AND convicted_on <= '{as_of}' THEN 'true' ELSE 'false' END AS cv,
                 CASE WHEN whereabouts_unknown_since IS NOT NULL AND whereabouts_unknown_since <= '{as_of}'
                      AND (whereabouts_known_since IS NULL OR whereabouts_known_since > '{as_of}') THEN 'true' ELSE 'false' END AS wu,
                 CASE WHEN nationality IS NULL THEN 'unknown' WHEN nationality = 'VE' THEN 'national'
                      WHEN nationality LIKE '%VE%' THEN 'dual' ELSE 'foreign' END AS na,
                 CASE WHEN length(birth_date) = 10 THEN CASE WHEN CAST(birth_date AS DATE) + INTERVAL 18 YEAR > DATE '{as_of}' THEN 'adolescent' ELSE 'adult' END
                      WHEN minor = 'true' THEN 'adolescent' WHEN minor = 'false' THEN 'adult' ELSE 'unknown' END AS age
          FROM r)"""
    out = {}
    for figure in ["prisoner", "held"]:
        rows = con.execute(base + f""" SELECT grouping_id(s, cm, age, na, cv, wu, ha, st, fa, ag, ca) AS g,
              s, cm, age, na, cv, wu, ha, st, fa, ag, ca, count(*) FROM p WHERE {figure}
            GROUP BY GROUPING SETS ((), (s), (cm), (age), (na), (cv), (wu), (ha), (st), (fa), (ag), (ca))""").fetchall()
        multi = con.execute(base + f""" SELECT 'charge', v, count(*) FROM (SELECT unnest(string_split(coalesce(charges, 'unknown'), ';')) AS v FROM p WHERE {figure}) GROUP BY v
            UNION ALL SELECT 'context', v, count(*) FROM (SELECT unnest(string_split(coalesce(context, 'unknown'), ';')) AS v FROM p WHERE {figure}) GROUP BY v""").fetchall()
        out[figure] = (rows, multi)
    period = con.execute(base + f""" SELECT count(*) FILTER (WHERE a_first > DATE '{as_of}' - 7 AND a_last <= DATE '{as_of}'),
          count(*) FILTER (WHERE ef > DATE '{as_of}' - 7 AND e_last <= DATE '{as_of}' AND end_type IN ('released', 'released_under_measures'))
        FROM p""").fetchone()
    total = next(r[-1] for r in out["prisoner"][0] if r[0] == 2 ** 11 - 1)
    held = next(r[-1] for r in out["held"][0] if r[0] == 2 ** 11 - 1)
    return {"political_prisoners": total, "held": held, "period_political_detentions": period[0], "period_releases": period[1]}

def series(by):
    part = ", ".join(by)
    pby = f"PARTITION BY {part}" if by else ""
    sel = f"{part}," if by else ""
    q = f"""WITH r AS (SELECT coalesce(sex, 'unknown') AS sex, coalesce(civilian_military, 'unknown') AS civilian_military,
               a_first, a_last, e_first, e_last, end_type FROM d WHERE recognition = 'recognised'),
      ev AS (SELECT {sel} a_last + 2 AS day, 1 AS lo, 0 AS up, 0 AS h FROM r WHERE e_first IS NULL OR e_first > a_last + 2
        UNION ALL SELECT {sel} e_first, -1, 0, 0 FROM r WHERE e_first > a_last + 2
        UNION ALL SELECT {sel} a_first + 2, 0, 1, 0 FROM r WHERE e_last IS NULL OR e_last > a_first + 2
        UNION ALL SELECT {sel} e_last, 0, -1, 0 FROM r WHERE e_last > a_first + 2
        UNION ALL SELECT {sel} a_last, 0, 0, 1 FROM r WHERE e_first IS NULL OR e_first > a_last
        UNION ALL SELECT {sel} e_first, 0, 0, -1 FROM r WHERE e_first > a_last),
      daily AS (SELECT {sel} day, sum(lo) lo, sum(up) up, sum(h) h FROM ev GROUP BY ALL),
      cum AS (SELECT {sel} day, sum(lo) OVER w lo, sum(up) OVER w up, sum(h) OVER w h FROM daily
              WINDOW w AS ({pby} ORDER BY day ROWS UNBOUNDED PRECEDING)),
      keys AS (SELECT DISTINCT {sel} 1 AS one FROM r),
      steps AS (SELECT {sel} unnest(generate_series(DATE '{start}', DATE '{end}', INTERVAL 7 DAY))::DATE AS step FROM keys),
      stock AS (SELECT s.*, coalesce(c.lo, 0) lo, coalesce(c.up, 0) up, coalesce(c.h, 0) h FROM steps s
                ASOF LEFT JOIN cum c ON {' AND '.join(f's.{k} = c.{k}' for k in by) + (' AND ' if by else '')} s.step >= c.day),
      idx AS (SELECT {sel} (date_diff('day', DATE '{start}', a_first) + 6) // 7 AS i1, (date_diff('day', DATE '{start}', a_last) + 6) // 7 AS i2,
                 (date_diff('day', DATE '{start}', e_first) + 6) // 7 AS j1, (date_diff('day', DATE '{start}', e_last) + 6) // 7 AS j2, end_type FROM r),
      arrests AS (SELECT {sel} i1 AS i, count(*) n FROM idx WHERE i1 = i2 GROUP BY ALL),
      releases AS (SELECT {sel} j1 AS i, count(*) n FROM idx WHERE j1 = j2 AND end_type IN ('released', 'released_under_measures') GROUP BY ALL)
    SELECT count(*), sum(lo), sum(up), sum(h),
      (SELECT sum(n) FROM arrests WHERE i >= 0 AND i <= (date_diff('day', DATE '{start}', DATE '{end}')) // 7),
      (SELECT sum(n) FROM releases WHERE i >= 0 AND i <= (date_diff('day', DATE '{start}', DATE '{end}')) // 7)
    FROM stock"""
    n, lo, up, h, a, rel = con.execute(q).fetchone()
    return {"rows": n, "sum_political_prisoners": int(lo), "sum_political_prisoners_upper": int(up), "sum_held": int(h),
            "sum_political_detentions": int(a or 0), "sum_releases": int(rel or 0)}

def timed(f):
    times, result = [], None
    for _ in range(repeat):
        t = time.perf_counter(); result = f(); times.append((time.perf_counter() - t) * 1000)
    times.sort()
    return {"best_ms": times[0], "median_ms": times[len(times) // 2], "figures": result}

print(json.dumps({
    "balance": timed(lambda: balance(None)),
    "balance_known_on": timed(lambda: balance(known_on)),
    "series_weekly": timed(lambda: series([])),
    "series_weekly_by_sex_civilian_military": timed(lambda: series(["sex", "civilian_military"])),
}))
