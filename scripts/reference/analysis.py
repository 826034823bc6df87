#!/usr/bin/python3
"""Reference values for the routing, Kolmogorov-Smirnov and analysis tests.

Writes test/fixtures/analysis.json: every value is stored with the exact call that produced it.
Run with Debian's Python (scipy 1.10.1, statsmodels 0.13.5):

    /usr/bin/python3 scripts/reference/analysis.py

MurmurHash3 values come from two independent sources that must agree:
  * a line-by-line Python transcription of Appleby's reference MurmurHash3_x86_32 (below), and
  * Debian's C library libmurmurhash (package libmurmurhash-dev, `lmmh_x86_32`) through ctypes,
    when it is installed (`apt-get install libmurmurhash-dev`).
"""
import os
import sys

# This folder holds a sibling script named random.py, which would shadow the standard library's
# `random` (imported by numpy and ctypes): drop the script's own folder from the import path.
_HERE = os.path.dirname(os.path.abspath(__file__))
sys.path = [p for p in sys.path if os.path.abspath(p or ".") != _HERE]

import ctypes
import ctypes.util
import json
import math

import numpy as np
import scipy
import statsmodels
from scipy import stats
from statsmodels.stats.proportion import (
    confint_proportions_2indep,
    proportion_confint,
    proportions_ztest,
)

OUT = os.path.join(os.path.dirname(__file__), "..", "..", "test", "fixtures", "analysis.json")
fixture = {
    "generator": "scripts/reference/analysis.py",
    "versions": {"python": sys.version.split()[0], "numpy": np.__version__, "scipy": scipy.__version__,
                 "statsmodels": statsmodels.__version__},
}


def record(section, call, value):
    fixture.setdefault(section, []).append({"call": call, "value": value})
    return value


# ---------------------------------------------------------------- MurmurHash3 x86 32-bit
def murmur3_x86_32(data: bytes, seed: int = 0) -> int:
    """Transcription of MurmurHash3_x86_32 from smhasher src/MurmurHash3.cpp."""
    c1, c2 = 0xCC9E2D51, 0x1B873593
    mask = 0xFFFFFFFF
    rotl = lambda x, r: ((x << r) | (x >> (32 - r))) & mask
    h1 = seed & mask
    nblocks = len(data) // 4
    for i in range(nblocks):
        k1 = int.from_bytes(data[4 * i:4 * i + 4], "little")
        k1 = (k1 * c1) & mask
        k1 = rotl(k1, 15)
        k1 = (k1 * c2) & mask
        h1 ^= k1
        h1 = rotl(h1, 13)
        h1 = (h1 * 5 + 0xE6546B64) & mask
    tail = data[4 * nblocks:]
    k1 = 0
    if len(tail) >= 3:
        k1 ^= tail[2] << 16
    if len(tail) >= 2:
        k1 ^= tail[1] << 8
    if len(tail) >= 1:
        k1 ^= tail[0]
        k1 = (k1 * c1) & mask
        k1 = rotl(k1, 15)
        k1 = (k1 * c2) & mask
        h1 ^= k1
    h1 ^= len(data)
    h1 ^= h1 >> 16
    h1 = (h1 * 0x85EBCA6B) & mask
    h1 ^= h1 >> 13
    h1 = (h1 * 0xC2B2AE35) & mask
    h1 ^= h1 >> 16
    return h1


def libmurmurhash():
    path = ctypes.util.find_library("murmurhash") or "libmurmurhash.so.2"
    try:
        lib = ctypes.CDLL(path)
    except OSError:
        return None
    lib.lmmh_x86_32.argtypes = [ctypes.c_char_p, ctypes.c_uint, ctypes.c_uint32, ctypes.POINTER(ctypes.c_uint32)]

    def h(data: bytes, seed: int) -> int:
        out = ctypes.c_uint32()
        lib.lmmh_x86_32(data, len(data), seed, ctypes.byref(out))
        return out.value
    return h


c_hash = libmurmurhash()
fixture["murmurCrossCheck"] = "libmurmurhash lmmh_x86_32" if c_hash else "transcription only (libmurmurhash not installed)"
for text, seed in [("", 0), ("", 1), ("hello", 0), ("hello", 1), ("Hello, world!", 1234),
                   ("The quick brown fox jumps over the lazy dog", 0), ("abc", 0), ("abcd", 0),
                   ("gr1:123", 0), ("groupX:999", 0), ("café", 0), ("日本語テキスト", 0),
                   ("emoji 🚀 rocket", 42), ("x", 0xFFFFFFFF)]:
    data = text.encode("utf-8")
    value = murmur3_x86_32(data, seed)
    if c_hash:
        assert c_hash(data, seed) == value, (text, seed)
    record("murmurHash3", {"text": text, "seed": seed,
                           "call": f"murmur3_x86_32({text!r}.encode('utf-8'), {seed})"}, value)

for group, user in [("gr1", "123"), ("groupX", "999"), ("checkout-model", "user-42"), ("flag", "é-user")]:
    key = f"{group}:{user}".encode("utf-8")
    record("normalizedValue", {"group": group, "id": user,
                               "call": f"murmur3_x86_32({group + ':' + user!r}.encode('utf-8'), 0) % 100 + 1"},
           murmur3_x86_32(key, 0) % 100 + 1)

# ---------------------------------------------------------------- Kolmogorov-Smirnov
for n, d in [(5, 0.15), (200, 0.004), (10, 0.95), (10, 0.6), (20, 0.15), (50, 0.2), (100, 0.12),
             (100, 0.25), (1000, 0.01), (1000, 0.02), (1000, 0.05), (5000, 0.3), (20000, 0.008),
             (140, 0.05), (141, 0.05)]:
    record("kstwoSf", {"n": n, "d": d, "call": f"stats.kstwo.sf({d}, {n})"}, float(stats.kstwo.sf(d, n)))
for n, d in [(10, 0.3), (100, 0.1), (1000, 0.03), (7, 0.5)]:
    record("ksoneSf", {"n": n, "d": d, "call": f"stats.ksone.sf({d}, {n})"}, float(stats.ksone.sf(d, n)))
for z in [0.3, 0.5, 0.9, 1.0, 1.36, 2.0, 3.0]:
    record("kstwobignSf", {"z": z, "call": f"stats.kstwobign.sf({z})"}, float(stats.kstwobign.sf(z)))

rng = np.random.default_rng(20240601)
sample = [float(v) for v in np.round(rng.normal(0.2, 1.0, 40), 6)]
fixture["ksSampleNormal40"] = sample
for method in ["exact", "asymp"]:
    r = stats.ks_1samp(sample, stats.norm.cdf, method=method)
    record("ks1samp", {"sample": "ksSampleNormal40", "method": method,
                       "call": f"stats.ks_1samp(ksSampleNormal40, stats.norm.cdf, method='{method}')"},
           {"statistic": float(r.statistic), "pValue": float(r.pvalue)})

two = {
    "equal30": ([float(v) for v in np.round(rng.normal(0, 1, 30), 6)], [float(v) for v in np.round(rng.normal(0.5, 1, 30), 6)]),
    "unequal40x25": ([float(v) for v in np.round(rng.normal(0, 1, 40), 6)], [float(v) for v in np.round(rng.normal(0.6, 1.3, 25), 6)]),
    "ties": ([float(v) for v in rng.integers(0, 6, 35)], [float(v) for v in rng.integers(1, 7, 28)]),
    "unequal300x200": ([float(v) for v in np.round(rng.lognormal(3, 0.5, 300), 4)], [float(v) for v in np.round(rng.lognormal(3.1, 0.5, 200), 4)]),
    "equal500": ([float(v) for v in np.round(rng.normal(0, 1, 500), 6)], [float(v) for v in np.round(rng.normal(0.25, 1, 500), 6)]),
}
fixture["ksTwoSamples"] = {k: {"reference": a, "current": b} for k, (a, b) in two.items()}
for name, (a, b) in two.items():
    for method in ["exact", "asymp"]:
        r = stats.ks_2samp(a, b, method=method)
        record("ks2samp", {"samples": name, "method": method,
                           "call": f"stats.ks_2samp(ksTwoSamples['{name}'].reference, ksTwoSamples['{name}'].current, method='{method}')"},
               {"statistic": float(r.statistic), "pValue": float(r.pvalue)})


# ---------------------------------------------------------------- segments (statsmodels)
import csv
from statsmodels.stats.multitest import multipletests

KIDNEY = os.path.join(os.path.dirname(__file__), "..", "..", "test", "fixtures", "kidney_stones_charig1986.csv")
with open(KIDNEY) as f:
    rows = list(csv.DictReader(f))
kidney = {}
for r in rows:
    kidney.setdefault(r["stone_size"], {})[r["treatment"]] = (int(r["successes"]), int(r["total"]))
kidney_segments = [{"name": size, "first": kidney[size]["A"], "second": kidney[size]["B"]} for size in ["small", "large"]]

examples = {
    # Charig et al. 1986 (test/fixtures/kidney_stones_charig1986.csv): first = A (open surgery), second = B (PCNL).
    "kidney": kidney_segments,
    # No paradox: the candidate (second) wins overall and in every segment.
    "noParadox": [{"name": "mobile", "first": (400, 1000), "second": (450, 1000)},
                  {"name": "desktop", "first": (300, 500), "second": (330, 500)}],
    # The aggregate winner (second) loses in segments holding 56% of the traffic but wins the third.
    "majority": [{"name": "s1", "first": (90, 100), "second": (850, 1000)},
                 {"name": "s2", "first": (30, 100), "second": (20, 80)},
                 {"name": "s3", "first": (100, 800), "second": (30, 200)}],
}
fixture["segmentExamples"] = {k: [{"name": s["name"], "first": {"successes": s["first"][0], "total": s["first"][1]},
                                   "second": {"successes": s["second"][0], "total": s["second"][1]}} for s in v]
                              for k, v in examples.items()}


def comparison(label, first, second):
    (x1, n1), (x2, n2) = first, second
    z, p = proportions_ztest([x1, x2], [n1, n2])
    lo1, hi1 = proportion_confint(x1, n1, alpha=0.05, method="wilson")
    lo2, hi2 = proportion_confint(x2, n2, alpha=0.05, method="wilson")
    dlo, dhi = confint_proportions_2indep(x1, n1, x2, n2, method="newcomb", compare="diff", alpha=0.05)
    return {
        "call": f"proportions_ztest([{x1}, {x2}], [{n1}, {n2}]); proportion_confint(x, n, alpha=0.05, method='wilson'); "
                f"confint_proportions_2indep({x1}, {n1}, {x2}, {n2}, method='newcomb', compare='diff')",
        "label": label,
        "z": float(z), "pValue": float(p),
        "firstInterval": [float(lo1), float(hi1)], "secondInterval": [float(lo2), float(hi2)],
        "differenceInterval": [float(dlo), float(dhi)],
    }


for key, segs in examples.items():
    entry = {"segments": [comparison(s["name"], s["first"], s["second"]) for s in segs]}
    x1 = sum(s["first"][0] for s in segs); n1 = sum(s["first"][1] for s in segs)
    x2 = sum(s["second"][0] for s in segs); n2 = sum(s["second"][1] for s in segs)
    entry["aggregate"] = comparison("aggregate", (x1, n1), (x2, n2))
    # Holm's step-down correction for the number of segments (a winner is named only below α after it).
    seg_p = [c["pValue"] for c in entry["segments"]]
    entry["holm"] = {
        "call": f"multipletests({[round(p, 6) for p in seg_p]} (the segments' proportions_ztest p-values), alpha=0.05, method='holm')",
        "adjustedPValues": [float(p) for p in multipletests(seg_p, alpha=0.05, method="holm")[1]],
    }
    grand = n1 + n2
    w = [(s["first"][1] + s["second"][1]) / grand for s in segs]
    r1 = [s["first"][0] / s["first"][1] for s in segs]
    r2 = [s["second"][0] / s["second"][1] for s in segs]
    entry["expectedRate"] = {
        "call": "sum over segments of (segment traffic / all traffic) * rate, plain Python arithmetic",
        "perSegmentWinner": sum(wi * max(a, b) for wi, a, b in zip(w, r1, r2)),
        "first": sum(wi * a for wi, a in zip(w, r1)),
        "second": sum(wi * b for wi, b in zip(w, r2)),
    }
    fixture.setdefault("segments", {})[key] = entry

# ---------------------------------------------------------------- shadow
lo, hi = proportion_confint(900, 1000, alpha=0.05, method="wilson")
record("shadowWilson", "proportion_confint(900, 1000, alpha=0.05, method='wilson')", [float(lo), float(hi)])
lo, hi = proportion_confint(820, 1200, alpha=0.05, method="wilson")
record("shadowWilson", "proportion_confint(820, 1200, alpha=0.05, method='wilson')", [float(lo), float(hi)])
control_lat = [float(v) for v in np.round(rng.lognormal(4.0, 0.3, 1200), 3)]
candidate_lat = [float(v) for v in np.round(rng.lognormal(4.1, 0.35, 1200), 3)]
fixture["shadowLatencies"] = {"control": control_lat, "candidate": candidate_lat}
record("shadowP95", "np.quantile(shadowLatencies['control'], 0.95)", float(np.quantile(control_lat, 0.95)))
record("shadowP95", "np.quantile(shadowLatencies['candidate'], 0.95)", float(np.quantile(candidate_lat, 0.95)))

# ---------------------------------------------------------------- drift
def psi_reference(reference, current, bins=10, eps=1e-4):
    """PSI as documented in src/engine/analysis/drift.ts, written independently with numpy."""
    reference = np.asarray(reference, dtype=float)
    current = np.asarray(current, dtype=float)
    edges = np.unique(np.quantile(reference, np.arange(1, bins) / bins))  # type 7, deduplicated
    r_counts = np.bincount(np.searchsorted(edges, reference, side="left"), minlength=len(edges) + 1)
    c_counts = np.bincount(np.searchsorted(edges, current, side="left"), minlength=len(edges) + 1)
    r = np.maximum(r_counts / r_counts.sum(), eps)
    c = np.maximum(c_counts / c_counts.sum(), eps)
    return float(np.sum((c - r) * np.log(c / r))), [int(v) for v in r_counts], [int(v) for v in c_counts]


def psi_categorical(reference, current, eps=1e-4):
    cats = sorted(set(reference) | set(current))
    r_counts = np.array([reference.count(c) for c in cats])
    c_counts = np.array([current.count(c) for c in cats])
    r = np.maximum(r_counts / r_counts.sum(), eps)
    c = np.maximum(c_counts / c_counts.sum(), eps)
    return float(np.sum((c - r) * np.log(c / r))), cats, r_counts, c_counts


drift_numeric = {
    "stable": ([float(v) for v in np.round(rng.normal(0, 1, 800), 5)], [float(v) for v in np.round(rng.normal(0, 1, 600), 5)]),
    "shifted": ([float(v) for v in np.round(rng.normal(0, 1, 800), 5)], [float(v) for v in np.round(rng.normal(0.35, 1, 600), 5)]),
    "large": ([float(v) for v in np.round(rng.normal(0, 1, 800), 5)], [float(v) for v in np.round(rng.normal(1.0, 1.2, 600), 5)]),
    "ties": ([float(v) for v in rng.poisson(2.0, 500)], [float(v) for v in rng.poisson(2.4, 400)]),
}
fixture["driftNumericData"] = {k: {"reference": a, "current": b} for k, (a, b) in drift_numeric.items()}
for name, (a, b) in drift_numeric.items():
    psi, rc, cc = psi_reference(a, b)
    ks = stats.ks_2samp(a, b, method="exact")
    record("driftNumeric", {"data": name, "call": f"psi_reference(driftNumericData['{name}'], bins=10, eps=1e-4) [numpy, this script]; "
                                                   f"stats.ks_2samp(reference, current, method='exact')"},
           {"psi": psi, "referenceCounts": rc, "currentCounts": cc, "ksStatistic": float(ks.statistic), "ksPValue": float(ks.pvalue)})

cat_rng = np.random.default_rng(7)
cats = ["cat", "dog", "fish", "bird"]
drift_categorical = {
    "stable": ([str(v) for v in cat_rng.choice(cats, 700, p=[0.4, 0.3, 0.2, 0.1])], [str(v) for v in cat_rng.choice(cats, 500, p=[0.4, 0.3, 0.2, 0.1])]),
    "newCategory": ([str(v) for v in cat_rng.choice(cats[:3], 700, p=[0.5, 0.3, 0.2])], [str(v) for v in cat_rng.choice(cats, 500, p=[0.3, 0.3, 0.2, 0.2])]),
}
fixture["driftCategoricalData"] = {k: {"reference": a, "current": b} for k, (a, b) in drift_categorical.items()}
for name, (a, b) in drift_categorical.items():
    psi, cat_names, rc, cc = psi_categorical(a, b)
    chi2, p, dof, _ = stats.chi2_contingency(np.array([rc, cc]), correction=False)
    record("driftCategorical", {"data": name, "call": f"psi_categorical(driftCategoricalData['{name}'], eps=1e-4) [this script]; "
                                                       f"stats.chi2_contingency([referenceCounts, currentCounts], correction=False)"},
           {"psi": psi, "categories": cat_names, "chiSquare": float(chi2), "pValue": float(p), "degreesOfFreedom": int(dof)})

with open(OUT, "w") as f:
    json.dump(fixture, f, indent=1, ensure_ascii=False)
    f.write("\n")
print("wrote", os.path.normpath(OUT))
