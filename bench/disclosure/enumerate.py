#!/usr/bin/env python3
"""What an adversary who knows the rule learns from a public breakdown of sex.

Models four versions of `gathered` (crates/count/src/disclosure.rs), runs every breakdown of
sex (F, M, X, unknown; all four always listed, zeros too) of a regime, groups the inputs by
what the public sees, and counts, over all inputs:
- pinned: a value not named whose count (1 or 2) every input giving that output agrees on;
- proven: a value not named that is 1 or 2 in every such input (someone is there, not how many);
- women hidden: inputs with at least 5 women where women are not named.
Usage: python3 bench/disclosure/enumerate.py   (about 15 s)
"""
import collections
import itertools

LABELS = ["F", "M", "X", "unknown"]
BELOW = 3


def gathered(cells, unknown_first, zeros_and_each_at_most, unknown_never_small=False):
    named, others = [], 0
    for v, n in cells.items():
        if n >= BELOW or n == 0 or (unknown_never_small and v == "unknown"):
            named.append((v, n))
        else:
            others += n
    if zeros_and_each_at_most and others > 0:
        named = [x for x in named if x[1] > 0]
    if unknown_first:
        named.sort(key=lambda vn: (vn[0] != "unknown", vn[1], vn[0]))
    else:
        named.sort(key=lambda vn: (vn[1], vn[0]))
    gathered_values = len(cells) - len(named)
    i = 0
    while others > 0 and (
        others < BELOW
        or (zeros_and_each_at_most and i == 0 and others == gathered_values * (BELOW - 1))
    ) and i < len(named):
        others += named[i][1]
        i += 1
    named = named[i:]
    if not any(n > 0 and (v != "unknown" or not unknown_never_small) for v, n in named):
        return None
    out = dict(named)
    if others > 0:
        out["others"] = others
    return tuple(sorted(out.items()))


RULES = {
    "before stop 38 (smallest first)": (False, False),
    "unknown first": (True, False),
    "unknown first, zeros out, each-at-most": (True, True),
    "stop 38 (the same, and a small unknown is named)": (True, True, True),
}
REGIMES = {
    "small registries (up to 40 people)": lambda: (
        dict(zip(LABELS, t))
        for t in itertools.product(range(41), repeat=4)
        if 0 < sum(t) <= 40
    ),
    "national (M 100-130, F 0-40, X 0-5, unknown 0-40)": lambda: (
        {"F": f, "M": m, "X": x, "unknown": u}
        for f in range(41)
        for x in range(6)
        for u in range(41)
        for m in range(100, 131)
    ),
}

for regime, inputs in REGIMES.items():
    print(regime)
    for name, rule in RULES.items():
        by_output = collections.defaultdict(list)
        for cells in inputs():
            by_output[gathered(cells, *rule)].append(cells)
        pinned = proven = hidden = total = 0
        for out, ins in by_output.items():
            total += len(ins)
            if out is None:
                continue
            shown = dict(out)
            hidden += sum(1 for c in ins if c["F"] >= 5 and "F" not in shown)
            for label in LABELS:
                if label in shown:
                    continue
                values = {c[label] for c in ins}
                if len(values) == 1 and next(iter(values)) in (1, 2):
                    pinned += len(ins)
                elif all(1 <= v < BELOW for v in values):
                    proven += len(ins)
        print(f"  {name:50s} inputs {total:7d}  pinned {pinned:6d}  proven {proven:6d}  women hidden {hidden:6d}")
