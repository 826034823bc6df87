#!/usr/bin/python3
"""Reference values for the proportion statistics (z-test, Wilson/Newcombe, sample size, A/B).

Writes test/fixtures/proportions.json. Every value is stored beside the exact call that produced
it. Independent implementations used:
  - statsmodels (Debian python3-statsmodels 0.13.5) and scipy 1.10.1, run with /usr/bin/python3;
  - R 4.2.2 base `power.prop.test` and the R package pwr 1.3.0 (`pwr.2p2n.test`), run through
    /usr/bin/Rscript from this script.

Run:  /usr/bin/python3 scripts/reference/proportions.py
"""
import json
import math
import os
import subprocess
import sys

# Python puts this script's folder first on sys.path, where scripts/reference/random_streams.py would shadow the
# standard library's `random` (which numpy imports). Drop the folder before importing numpy/scipy.
_HERE = os.path.dirname(os.path.abspath(__file__))
sys.path = [entry for entry in sys.path if os.path.abspath(entry or ".") != _HERE]

import scipy
import statsmodels
from scipy import stats
from scipy.optimize import brentq
from statsmodels.stats.power import NormalIndPower
from statsmodels.stats.proportion import (
    confint_proportions_2indep,
    power_proportions_2indep,
    proportion_confint,
    proportion_effectsize,
    proportions_ztest,
    samplesize_proportions_2indep_onetail,
)

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OUT = os.path.join(ROOT, "test", "fixtures", "proportions.json")


def run_r(expressions):
    """Evaluates each R expression (a number) in one Rscript process; returns floats."""
    body = "\n".join(f'cat(sprintf("%.17g\\n", {e}))' for e in expressions)
    program = "suppressMessages(library(pwr))\n" + body
    out = subprocess.run(["/usr/bin/Rscript", "-e", program], check=True, capture_output=True, text=True).stdout
    values = [float(line) for line in out.strip().splitlines()]
    assert len(values) == len(expressions), out
    return values


def r_version():
    out = subprocess.run(
        ["/usr/bin/Rscript", "-e", 'cat(R.version.string, "; pwr", format(packageVersion("pwr")))'],
        check=True, capture_output=True, text=True,
    ).stdout
    return out.strip()


# ---------------------------------------------------------------- sample size designs
# (baseline p1, target p2, alpha, power, ratio n2/n1, sides)
DESIGNS = [
    (0.10, 0.12, 0.05, 0.80, 1, 2),
    (0.01, 0.012, 0.05, 0.80, 1, 2),
    (0.50, 0.45, 0.05, 0.90, 1, 2),
    (0.10, 0.13, 0.01, 0.80, 1, 2),
    (0.01, 0.015, 0.05, 0.80, 1, 1),
    (0.50, 0.55, 0.10, 0.95, 1, 1),
    (0.10, 0.08, 0.05, 0.80, 1, 1),
    (0.01, 0.03, 0.05, 0.80, 1, 2),
    (0.50, 0.70, 0.05, 0.80, 1, 2),
]
RATIO_DESIGNS = [
    (0.10, 0.13, 0.05, 0.80, 2, 2),
    (0.01, 0.015, 0.05, 0.80, 0.5, 1),
    (0.50, 0.55, 0.10, 0.95, 3, 1),
    (0.10, 0.08, 0.05, 0.90, 1.5, 2),
]


def sm_alternative(p1, p2, sides):
    # statsmodels' effect size is proportion_effectsize(p2, p1) = h(p2) - h(p1): positive for an increase.
    if sides == 2:
        return "two-sided"
    return "larger" if p2 > p1 else "smaller"


def arcsine_sample_size(p1, p2, alpha, power, ratio, sides):
    alt = sm_alternative(p1, p2, sides)
    call = (f"NormalIndPower().solve_power(effect_size=proportion_effectsize({p2}, {p1}), nobs1=None, "
            f"alpha={alpha}, power={power}, ratio={ratio}, alternative='{alt}')")
    n = NormalIndPower().solve_power(effect_size=proportion_effectsize(p2, p1), nobs1=None, alpha=alpha,
                                     power=power, ratio=ratio, alternative=alt)
    n = float(n)
    # solve_power stops early (its power residual is ~1e-9); the same statsmodels power function solved
    # by scipy brentq to xtol 1e-13 gives the reference for the unrounded n.
    h = proportion_effectsize(p2, p1)
    tight_call = (f"brentq(lambda n: NormalIndPower().power(proportion_effectsize({p2}, {p1}), n, {alpha}, ratio={ratio}, "
                  f"alternative='{alt}') - {power}, 1e-3, 1e9, xtol=1e-13, rtol=1e-15)")
    tight = brentq(lambda x: NormalIndPower().power(h, x, alpha, ratio=ratio, alternative=alt) - power, 1e-3, 1e9,
                   xtol=1e-13, rtol=1e-15)
    return {"baseline": p1, "target": p2, "alpha": alpha, "power": power, "ratio": ratio, "sides": sides,
            "call": call, "nPerArmExact": n, "nPerArm": math.ceil(n), "nSecondArm": math.ceil(ratio * n),
            "tightCall": tight_call, "nPerArmTight": float(tight)}


def arcsine_power(p1, p2, n1, alpha, ratio, sides):
    alt = sm_alternative(p1, p2, sides)
    call = (f"NormalIndPower().power(effect_size=proportion_effectsize({p2}, {p1}), nobs1={n1}, "
            f"alpha={alpha}, ratio={ratio}, alternative='{alt}')")
    value = NormalIndPower().power(effect_size=proportion_effectsize(p2, p1), nobs1=n1, alpha=alpha,
                                   ratio=ratio, alternative=alt)
    return {"baseline": p1, "target": p2, "nPerArm": n1, "alpha": alpha, "ratio": ratio, "sides": sides,
            "call": call, "power": float(value)}


def arcsine_mde(p1, n1, alpha, power, ratio, sides):
    alt = "two-sided" if sides == 2 else "larger"
    call = (f"h = NormalIndPower().solve_power(effect_size=None, nobs1={n1}, alpha={alpha}, power={power}, "
            f"ratio={ratio}, alternative='{alt}'); target = sin(asin(sqrt({p1})) + h/2)**2")
    h = float(NormalIndPower().solve_power(effect_size=None, nobs1=n1, alpha=alpha, power=power, ratio=ratio,
                                           alternative=alt))
    target = math.sin(math.asin(math.sqrt(p1)) + abs(h) / 2) ** 2
    tight_call = (f"brentq(lambda t: NormalIndPower().power(proportion_effectsize(t, {p1}), {n1}, {alpha}, "
                  f"ratio={ratio}, alternative='{alt}') - {power}, {p1}, 1, xtol=1e-15, rtol=1e-15)")
    tight = brentq(lambda t: NormalIndPower().power(proportion_effectsize(t, p1), n1, alpha, ratio=ratio,
                                                    alternative=alt) - power, p1, 1, xtol=1e-15, rtol=1e-15)
    return {"baseline": p1, "nPerArm": n1, "alpha": alpha, "power": power, "ratio": ratio, "sides": sides,
            "call": call, "target": target, "tightCall": tight_call, "targetTight": float(tight)}


def r_alt(sides):
    return '"two.sided"' if sides == 2 else '"one.sided"'


def build_pooled_r():
    """R power.prop.test with tol = 1e-12 (its default tolerance, eps^0.25, is only ~1e-4)."""
    size_calls = [
        f"power.prop.test(p1 = {p1}, p2 = {p2}, sig.level = {a}, power = {pw}, alternative = {r_alt(s)}, tol = 1e-12)$n"
        for (p1, p2, a, pw, r, s) in DESIGNS
    ]
    power_cases = [(0.10, 0.12, 3000, 0.05, 2), (0.01, 0.012, 100000, 0.05, 2), (0.50, 0.45, 500, 0.05, 1),
                   (0.50, 0.51, 100, 0.05, 2), (0.10, 0.13, 1500, 0.01, 2), (0.01, 0.03, 800, 0.10, 1),
                   (0.50, 0.70, 50, 0.05, 2), (0.10, 0.08, 4000, 0.05, 1)]
    power_calls = [
        f"power.prop.test(n = {n}, p1 = {p1}, p2 = {p2}, sig.level = {a}, alternative = {r_alt(s)})$power"
        for (p1, p2, n, a, s) in power_cases
    ]
    mde_cases = [(0.10, 3000, 0.05, 0.80, 2, "increase"), (0.01, 50000, 0.05, 0.80, 2, "increase"),
                 (0.50, 1000, 0.05, 0.90, 1, "increase"), (0.50, 1000, 0.05, 0.90, 1, "decrease"),
                 (0.10, 2000, 0.01, 0.80, 2, "decrease")]
    mde_calls = []
    for (p1, n, a, pw, s, direction) in mde_cases:
        if direction == "increase":  # R searches p2 in [p1, 1]
            mde_calls.append(f"power.prop.test(n = {n}, p1 = {p1}, sig.level = {a}, power = {pw}, "
                             f"alternative = {r_alt(s)}, tol = 1e-12)$p2")
        else:  # the formula is symmetric in p1, p2; R searches p1 in [0, p2]
            mde_calls.append(f"power.prop.test(n = {n}, p2 = {p1}, sig.level = {a}, power = {pw}, "
                             f"alternative = {r_alt(s)}, tol = 1e-12)$p1")
    values = run_r(size_calls + power_calls + mde_calls)
    sizes = values[: len(size_calls)]
    powers = values[len(size_calls): len(size_calls) + len(power_calls)]
    mdes = values[len(size_calls) + len(power_calls):]
    size_rows = []
    for (p1, p2, a, pw, r, s), call, n in zip(DESIGNS, size_calls, sizes):
        size_rows.append({"baseline": p1, "target": p2, "alpha": a, "power": pw, "ratio": r, "sides": s,
                          "call": "R " + call, "nPerArmExact": n, "nPerArm": math.ceil(n), "nSecondArm": math.ceil(n)})
    power_rows = [{"baseline": p1, "target": p2, "nPerArm": n, "alpha": a, "ratio": 1, "sides": s,
                   "call": "R " + call, "power": value}
                  for (p1, p2, n, a, s), call, value in zip(power_cases, power_calls, powers)]
    mde_rows = [{"baseline": p1, "nPerArm": n, "alpha": a, "power": pw, "ratio": 1, "sides": s,
                 "direction": direction, "call": "R " + call, "target": value}
                for (p1, n, a, pw, s, direction), call, value in zip(mde_cases, mde_calls, mdes)]
    return size_rows, power_rows, mde_rows


def pooled_ratio_sample_size(p1, p2, alpha, power, ratio, sides):
    alt = "two-sided" if sides == 2 else ("larger" if p1 > p2 else "smaller")
    call = (f"samplesize_proportions_2indep_onetail(diff={p1} - {p2}, prop2={p2}, power={power}, ratio={ratio}, "
            f"alpha={alpha}, alternative='{alt}')")
    n = float(samplesize_proportions_2indep_onetail(diff=p1 - p2, prop2=p2, power=power, ratio=ratio, alpha=alpha,
                                                    alternative=alt))
    return {"baseline": p1, "target": p2, "alpha": alpha, "power": power, "ratio": ratio, "sides": sides,
            "call": call, "nPerArmExact": n, "nPerArm": math.ceil(n), "nSecondArm": math.ceil(ratio * n)}


def pooled_ratio_power(p1, p2, n1, alpha, ratio, sides):
    # One tail only (R's strict = FALSE): a one-sided test at alpha/sides in the direction of the effect.
    alt = "larger" if p1 > p2 else "smaller"
    a = alpha / sides
    call = (f"power_proportions_2indep(diff={p1} - {p2}, prop2={p2}, nobs1={n1}, ratio={ratio}, alpha={a}, "
            f"alternative='{alt}', return_results=False)")
    value = float(power_proportions_2indep(diff=p1 - p2, prop2=p2, nobs1=n1, ratio=ratio, alpha=a, alternative=alt,
                                           return_results=False))
    return {"baseline": p1, "target": p2, "nPerArm": n1, "alpha": alpha, "ratio": ratio, "sides": sides,
            "call": call, "power": value}


def main():
    fixture = {
        "generatedBy": "scripts/reference/proportions.py",
        "versions": {"statsmodels": statsmodels.__version__, "scipy": scipy.__version__, "R": r_version()},
    }

    # ------------------------------------------------------------ z-test
    ztests = []
    for count, nobs, alt in [([43, 44], [50, 50], "two-sided"), ([44, 43], [50, 50], "two-sided"),
                             ([5, 12], [83, 99], "two-sided"), ([5, 12], [83, 99], "larger"),
                             ([5, 12], [83, 99], "smaller"), ([120, 150], [1000, 1000], "two-sided"),
                             ([0, 3], [20, 25], "two-sided"), ([1200, 1000], [10000, 10000], "larger"),
                             ([7, 30], [10, 300], "two-sided")]:
        z, p = proportions_ztest(count=count, nobs=nobs, alternative=alt)
        ztests.append({"count": count, "nobs": nobs, "alternative": alt,
                       "call": f"proportions_ztest(count={count}, nobs={nobs}, alternative='{alt}')",
                       "z": float(z), "pValue": float(p)})
    fixture["ztest"] = ztests

    # ------------------------------------------------------------ Wilson
    wilson = []
    for x, n, alpha in [(43, 50, 0.05), (44, 50, 0.10), (0, 20, 0.05), (20, 20, 0.05), (1, 1000, 0.05),
                        (500, 1000, 0.01), (1, 1, 0.05)]:
        low, upp = proportion_confint(x, n, alpha=alpha, method="wilson")
        wilson.append({"successes": x, "total": n, "alpha": alpha,
                       "call": f"proportion_confint({x}, {n}, alpha={alpha}, method='wilson')",
                       "lower": float(low), "upper": float(upp)})
    fixture["wilson"] = wilson

    # ------------------------------------------------------------ Newcombe (p1 - p2, first minus second)
    newcombe = []
    # Newcombe (1998) Table II examples (a)-(h), plus the A/B examples used by the decision tests.
    for x1, n1, x2, n2, alpha in [(56, 70, 48, 80, 0.05), (9, 10, 3, 10, 0.05), (6, 7, 2, 7, 0.05),
                                  (5, 56, 0, 29, 0.05), (0, 10, 0, 20, 0.05), (0, 10, 0, 10, 0.05),
                                  (10, 10, 0, 20, 0.05), (10, 10, 0, 10, 0.05), (44, 50, 43, 50, 0.05),
                                  (44, 50, 43, 50, 0.10)]:
        low, upp = confint_proportions_2indep(x1, n1, x2, n2, method="newcomb", compare="diff", alpha=alpha)
        newcombe.append({"first": [x1, n1], "second": [x2, n2], "alpha": alpha,
                         "call": f"confint_proportions_2indep({x1}, {n1}, {x2}, {n2}, method='newcomb', "
                                 f"compare='diff', alpha={alpha})",
                         "lower": float(low), "upper": float(upp)})
    fixture["newcombe"] = newcombe

    # ------------------------------------------------------------ arcsine (statsmodels NormalIndPower)
    fixture["arcsineSampleSize"] = [arcsine_sample_size(*d) for d in DESIGNS + RATIO_DESIGNS]
    fixture["arcsinePower"] = [arcsine_power(*c) for c in [
        (0.10, 0.12, 3000, 0.05, 1, 2), (0.50, 0.51, 100, 0.05, 1, 2), (0.01, 0.012, 50000, 0.01, 1, 2),
        (0.50, 0.45, 500, 0.05, 1, 1), (0.10, 0.13, 1500, 0.05, 2, 2), (0.01, 0.015, 8000, 0.05, 0.5, 1),
        (0.50, 0.70, 40, 0.05, 1, 2), (0.10, 0.08, 2000, 0.10, 3, 2)]]
    fixture["arcsineMinimumDetectableEffect"] = [arcsine_mde(*c) for c in [
        (0.10, 3000, 0.05, 0.80, 1, 2), (0.01, 50000, 0.05, 0.80, 1, 2), (0.50, 1000, 0.05, 0.90, 2, 1),
        (0.50, 60, 0.05, 0.80, 1, 2)]]
    # A second, independent arcsine reference with unequal arms: R pwr.2p2n.test (Cohen's h, both tails).
    pwr_cases = [(0.10, 0.13, 1500, 3000, 0.05), (0.50, 0.51, 100, 300, 0.05), (0.01, 0.015, 8000, 4000, 0.05)]
    pwr_calls = [f"pwr.2p2n.test(h = ES.h({p2}, {p1}), n1 = {n1}, n2 = {n2}, sig.level = {a})$power"
                 for (p1, p2, n1, n2, a) in pwr_cases]
    fixture["arcsinePowerPwr"] = [
        {"baseline": p1, "target": p2, "nPerArm": n1, "ratio": n2 / n1, "alpha": a, "sides": 2,
         "call": "R pwr " + call, "power": value}
        for (p1, p2, n1, n2, a), call, value in zip(pwr_cases, pwr_calls, run_r(pwr_calls))]

    # ------------------------------------------------------------ pooled (R power.prop.test; statsmodels for ratio)
    size_rows, power_rows, mde_rows = build_pooled_r()
    fixture["pooledSampleSize"] = size_rows + [pooled_ratio_sample_size(*d) for d in RATIO_DESIGNS]
    fixture["pooledPower"] = power_rows + [pooled_ratio_power(*c) for c in [
        (0.10, 0.13, 1500, 0.05, 2, 2), (0.01, 0.015, 8000, 0.05, 0.5, 1), (0.50, 0.55, 700, 0.10, 3, 1),
        (0.10, 0.08, 2500, 0.05, 1.5, 2)]]
    fixture["pooledMinimumDetectableEffect"] = mde_rows

    # ------------------------------------------------------------ A/B decision inputs
    # Required n per arm: R power.prop.test(p1 = rateA, p2 = rateA + minEffect) (two-sided, pooled).
    ab_cases = [
        ("classic tiny sample", (43, 50), (44, 50), 0.05, 0.80, 0.02, "INCONCLUSIVE"),
        ("B clearly better", (1000, 10000), (1200, 10000), 0.05, 0.80, 0.02, "B_WINS"),
        ("A clearly better", (300, 1000), (240, 1000), 0.05, 0.80, 0.02, "A_WINS"),
        ("practically equal", (5000, 10000), (5010, 10000), 0.05, 0.80, 0.02, "TIE"),
        ("reached but unclear", (5000, 10000), (5100, 10000), 0.05, 0.80, 0.02, "INCONCLUSIVE"),
    ]
    ab_rows = []
    for name, a, b, alpha, power, m, decision in ab_cases:
        rate_a, rate_b = a[0] / a[1], b[0] / b[1]
        z, p = proportions_ztest(count=[b[0], a[0]], nobs=[b[1], a[1]])
        low, upp = confint_proportions_2indep(b[0], b[1], a[0], a[1], method="newcomb", compare="diff", alpha=alpha)
        ci_a = proportion_confint(a[0], a[1], alpha=alpha, method="wilson")
        ci_b = proportion_confint(b[0], b[1], alpha=alpha, method="wilson")
        r_call = (f"power.prop.test(p1 = {rate_a!r}, p2 = {rate_a!r} + {m}, sig.level = {alpha}, power = {power}, "
                  f"tol = 1e-12)$n")
        n_required = math.ceil(run_r([r_call])[0])
        # decideAB's heuristic for extra data once the plan is reached, from scipy's normal quantile.
        crit = stats.norm.isf(alpha / 2)
        spread = rate_a * (1 - rate_a) + rate_b * (1 - rate_b)
        equivalence_n = None
        # Same 1e-9 guard as decideAB, so that 0.12 - 0.10 (= 0.01999...) counts as reaching 0.02.
        if decision in ("TIE", "INCONCLUSIVE") and abs(rate_b - rate_a) < m - 1e-9:
            equivalence_n = math.ceil(crit ** 2 * spread / (m - abs(rate_b - rate_a)) ** 2)
        ab_rows.append({
            "name": name, "a": list(a), "b": list(b), "alpha": alpha, "power": power, "minimumEffect": m,
            "expectedDecision": decision,
            "zCall": f"proportions_ztest(count=[{b[0]}, {a[0]}], nobs=[{b[1]}, {a[1]}])", "z": float(z),
            "pValue": float(p),
            "effectIntervalCall": f"confint_proportions_2indep({b[0]}, {b[1]}, {a[0]}, {a[1]}, method='newcomb', "
                                  f"compare='diff', alpha={alpha})",
            "effectInterval": [float(low), float(upp)],
            "intervalACall": f"proportion_confint({a[0]}, {a[1]}, alpha={alpha}, method='wilson')",
            "intervalA": [float(ci_a[0]), float(ci_a[1])],
            "intervalBCall": f"proportion_confint({b[0]}, {b[1]}, alpha={alpha}, method='wilson')",
            "intervalB": [float(ci_b[0]), float(ci_b[1])],
            "requiredCall": "ceiling(R " + r_call + ")", "requiredSampleSizePerArm": n_required,
            "equivalenceCall": "ceil(norm.isf(alpha/2)**2 * (pA qA + pB qB) / (minEffect - |pB - pA|)**2)",
            "equivalenceSampleSizePerArm": equivalence_n,
        })
    fixture["abDecision"] = ab_rows

    with open(OUT, "w") as handle:
        json.dump(fixture, handle, indent=1)
        handle.write("\n")
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
