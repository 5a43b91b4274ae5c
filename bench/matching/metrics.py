"""Pairwise precision, recall and F1, and B-cubed precision, recall and F1, of a clustering
against the truth. Both files are CSVs whose first column is report_id and second the cluster
(or entity) id; reports missing from the prediction count as singletons."""

import csv
import sys
from collections import defaultdict


def read(path):
    with open(path, newline="") as f:
        r = csv.reader(f)
        next(r)
        return {row[0]: row[1] for row in r}


def groups(assign):
    g = defaultdict(set)
    for k, v in assign.items():
        g[v].add(k)
    return g


def pairs_in(assign):
    n = 0
    for members in groups(assign).values():
        n += len(members) * (len(members) - 1) // 2
    return n


def scores(truth, predicted):
    predicted = {k: predicted.get(k, "singleton:" + k) for k in truth}
    # Pairwise: true positives are pairs together in both.
    joint = defaultdict(int)
    for k in truth:
        joint[(truth[k], predicted[k])] += 1
    tp = sum(c * (c - 1) // 2 for c in joint.values())
    t, p = pairs_in(truth), pairs_in(predicted)
    precision = tp / p if p else 1.0
    recall = tp / t if t else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    # B-cubed: per report, the overlap of its predicted and true clusters.
    tsize = defaultdict(int)
    psize = defaultdict(int)
    for k in truth:
        tsize[truth[k]] += 1
        psize[predicted[k]] += 1
    bp = sum(joint[(truth[k], predicted[k])] / psize[predicted[k]] for k in truth) / len(truth)
    br = sum(joint[(truth[k], predicted[k])] / tsize[truth[k]] for k in truth) / len(truth)
    bf = 2 * bp * br / (bp + br) if bp + br else 0.0
    return {"precision": precision, "recall": recall, "f1": f1,
            "bcubed_precision": bp, "bcubed_recall": br, "bcubed_f1": bf,
            "clusters": len(set(predicted.values())), "entities": len(set(truth.values()))}


if __name__ == "__main__":
    s = scores(read(sys.argv[1]), read(sys.argv[2]))
    print(" ".join(f"{k} {v:.3f}" if isinstance(v, float) else f"{k} {v}" for k, v in s.items()))
