#!/usr/bin/python3
"""Reference values for the continuous-metric statistics (Welch, Mann-Whitney, SRM, multiple
comparisons, quantiles), written to test/fixtures/continuous.json.

Run with Debian's Python, which has scipy 1.10.1, statsmodels 0.13.5 and numpy 1.24.2:

    /usr/bin/python3 scripts/reference/continuous.py

Every expected value in the fixture sits beside the exact call that produced it ("call"), and the
input samples are stored in the fixture itself (rounded to 6 decimals before any call, so that
the TypeScript tests see bit-identical inputs).
"""
import json
import pathlib
import sys

# This folder also holds a random.py, which would shadow the standard library's `random` that
# numpy imports; keep the script's own folder off the import path.
sys.path = [p for p in sys.path if pathlib.Path(p or ".").resolve() != pathlib.Path(__file__).resolve().parent]

import numpy as np  # noqa: E402
import scipy  # noqa: E402
import statsmodels  # noqa: E402
from scipy import stats  # noqa: E402
from statsmodels.stats.multitest import multipletests  # noqa: E402
from statsmodels.stats.weightstats import CompareMeans, DescrStatsW, ttest_ind as sm_ttest_ind  # noqa: E402

OUT = pathlib.Path(__file__).resolve().parents[2] / "test" / "fixtures" / "continuous.json"
rng = np.random.default_rng(20240611)


def rounded(values):
    return [round(float(v), 6) for v in values]


def f(x):
    """A float for JSON: ±Infinity become strings so that the file stays strict JSON."""
    x = float(x)
    if x == float("inf"):
        return "Infinity"
    if x == float("-inf"):
        return "-Infinity"
    return x


SM_ALTERNATIVE = {"two-sided": "two-sided", "greater": "larger", "less": "smaller"}

# ---------------------------------------------------------------- Welch t-test from samples
welch_samples = []
datasets = {
    "lognormal 40 vs 55": (rounded(rng.lognormal(0.0, 0.5, 40)), rounded(rng.lognormal(0.2, 0.7, 55))),
    "normal 12 vs 7, similar means": (rounded(rng.normal(10.0, 2.0, 12)), rounded(rng.normal(10.3, 4.0, 7))),
    "small integers": ([1, 2, 3, 4, 5], [2, 4, 6, 8, 10, 12]),
}
for label, (x, y) in datasets.items():
    for alternative in ["two-sided", "greater", "less"]:
        res = stats.ttest_ind(x, y, equal_var=False, alternative=alternative)
        _, _, df = sm_ttest_ind(x, y, alternative=SM_ALTERNATIVE[alternative], usevar="unequal")
        compare = CompareMeans(DescrStatsW(np.array(x, float)), DescrStatsW(np.array(y, float)))
        low, high = compare.tconfint_diff(alpha=0.05, alternative=SM_ALTERNATIVE[alternative], usevar="unequal")
        welch_samples.append({
            "label": label,
            "x": x,
            "y": y,
            "alternative": alternative,
            "call": f"scipy.stats.ttest_ind(x, y, equal_var=False, alternative='{alternative}')",
            "t": f(res.statistic),
            "pValue": f(res.pvalue),
            "dfCall": f"statsmodels.stats.weightstats.ttest_ind(x, y, alternative='{SM_ALTERNATIVE[alternative]}', usevar='unequal')[2]",
            "degreesOfFreedom": f(df),
            "ciCall": f"CompareMeans(DescrStatsW(x), DescrStatsW(y)).tconfint_diff(alpha=0.05, alternative='{SM_ALTERNATIVE[alternative]}', usevar='unequal')",
            "confidenceInterval": [f(low), f(high)],
            "meanDifferenceCall": "numpy.mean(x) - numpy.mean(y)",
            "meanDifference": f(np.mean(x) - np.mean(y)),
        })

# ---------------------------------------------------------------- Welch t-test from summaries
welch_summaries = []
for (m1, s1, n1, m2, s2, n2) in [
    (100.0, 15.0, 1000, 102.0, 25.0, 800),
    (0.231, 0.05, 30, 0.2, 0.01, 5000),
    (5.0, 1.0, 2, 4.0, 3.0, 3),
]:
    for alternative in ["two-sided", "greater", "less"]:
        res = stats.ttest_ind_from_stats(m1, s1, n1, m2, s2, n2, equal_var=False, alternative=alternative)
        welch_summaries.append({
            "a": {"count": n1, "mean": m1, "variance": s1 * s1},
            "b": {"count": n2, "mean": m2, "variance": s2 * s2},
            "alternative": alternative,
            "call": f"scipy.stats.ttest_ind_from_stats({m1}, {s1}, {n1}, {m2}, {s2}, {n2}, equal_var=False, alternative='{alternative}')",
            "t": f(res.statistic),
            "pValue": f(res.pvalue),
        })

# Student t quantiles used by the confidence intervals.
t_quantiles = [
    {"p": p, "df": df, "call": f"scipy.stats.t.ppf({p}, {df})", "value": f(stats.t.ppf(p, df))}
    for p, df in [(0.975, 3.7), (0.95, 1.2), (0.025, 10.5), (0.999, 2.0), (0.975, 1500.3), (0.5, 4.0), (1e-6, 6.5)]
]

# ---------------------------------------------------------------- Mann-Whitney U
mann_whitney = []
mw_data = {
    "continuous 30 vs 45": (rounded(rng.lognormal(0.0, 1.0, 30)), rounded(rng.lognormal(0.4, 1.0, 45))),
    "heavy ties (integers 0-5) 60 vs 50": (
        [int(v) for v in rng.integers(0, 6, 60)],
        [int(v) for v in rng.integers(1, 7, 50)],
    ),
    "tiny 3 vs 4": ([1.5, 3.0, 7.0], [2.0, 3.0, 3.0, 9.0]),
    "x all larger": ([10, 11, 12, 13], [1, 2, 3]),
}
for label, (x, y) in mw_data.items():
    for alternative in ["two-sided", "greater", "less"]:
        res = stats.mannwhitneyu(x, y, use_continuity=True, alternative=alternative, method="asymptotic")
        case = {
            "label": label,
            "x": x,
            "y": y,
            "alternative": alternative,
            "call": f"scipy.stats.mannwhitneyu(x, y, use_continuity=True, alternative='{alternative}', method='asymptotic')",
            "u": f(res.statistic),
            "pValue": f(res.pvalue),
        }
        # scipy does not return z; for one-sided tests it is the normal quantile of the p-value.
        if alternative == "greater":
            case["zCall"] = "scipy.stats.norm.isf(pvalue)"
            case["z"] = f(stats.norm.isf(res.pvalue))
        elif alternative == "less":
            case["zCall"] = "scipy.stats.norm.ppf(pvalue)"
            case["z"] = f(stats.norm.ppf(res.pvalue))
        mann_whitney.append(case)

# ---------------------------------------------------------------- Sample-ratio mismatch
srm = []
for counts, weights in [
    ([50500, 49500], [0.5, 0.5]),
    ([50100, 49900], [1, 1]),
    ([2020, 2950, 5030], [0.2, 0.3, 0.5]),
    ([821588, 815482], [1, 1]),
    ([9000, 1100], [90, 10]),
    ([0, 10], [1, 1]),
]:
    w = np.array(weights, float)
    expected = np.sum(counts) * w / np.sum(w)
    res = stats.chisquare(counts, expected)
    srm.append({
        "counts": counts,
        "weights": weights,
        "call": f"scipy.stats.chisquare({counts}, f_exp=sum(counts) * w / sum(w)) with w = {weights}",
        "chiSquare": f(res.statistic),
        "pValue": f(res.pvalue),
        "expected": [f(e) for e in expected],
        "degreesOfFreedom": len(counts) - 1,
    })

# ---------------------------------------------------------------- Multiple comparisons
multiple = []
for p_values in [
    [0.01, 0.04, 0.03, 0.005, 0.2, 0.04, 0.5, 0.0001],
    [0.02, 0.02, 0.02, 0.02],
    [0.049],
    [0.9, 1.0, 0.001, 0.012, 0.0125],
]:
    for method in ["bonferroni", "holm", "fdr_bh"]:
        for alpha in [0.05, 0.1]:
            reject, corrected, _, _ = multipletests(p_values, alpha=alpha, method=method)
            multiple.append({
                "pValues": p_values,
                "method": method,
                "alpha": alpha,
                "call": f"statsmodels.stats.multitest.multipletests({p_values}, alpha={alpha}, method='{method}')",
                "reject": [bool(r) for r in reject],
                "adjustedPValues": [f(c) for c in corrected],
            })

# ---------------------------------------------------------------- Quantiles (numpy default, R type 7)
quantiles = []
probabilities = [0, 0.01, 0.1, 0.25, 1 / 3, 0.5, 0.9, 0.99, 1]
for label, values in [
    ("eleven values", [3, 1, 4, 1, 5, 9, 2, 6, 5, 3, 5]),
    ("one value", [42.5]),
    ("all tied", [2, 2, 2, 2]),
    ("two values", [-1.0, 3.0]),
    ("lognormal 1000", rounded(rng.lognormal(3.0, 1.5, 1000))),
]:
    quantiles.append({
        "label": label,
        "values": values,
        "probabilities": probabilities,
        "call": "numpy.quantile(values, probabilities)  # method='linear', the default",
        "quantiles": [f(q) for q in np.quantile(values, probabilities)],
    })

fixture = {
    "generator": "scripts/reference/continuous.py",
    "versions": {"scipy": scipy.__version__, "statsmodels": statsmodels.__version__, "numpy": np.__version__},
    "welchSamples": welch_samples,
    "welchSummaries": welch_summaries,
    "studentTQuantiles": t_quantiles,
    "mannWhitney": mann_whitney,
    "sampleRatioMismatch": srm,
    "multipleComparisons": multiple,
    "quantiles": quantiles,
}
OUT.write_text(json.dumps(fixture, indent=1) + "\n")
print(f"wrote {OUT}")
