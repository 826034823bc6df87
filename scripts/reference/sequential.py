#!/usr/bin/env python3
"""Independent checks for test/engine/stats/groupSequential.test.ts and alwaysValid.test.ts.

Run from the repository root with Debian's Python (scipy 1.10.1):
    /usr/bin/python3 scripts/reference/sequential.py
Reads the boundaries that rpact produced (test/fixtures/sequential-rpact.json, written by
scripts/reference/sequential.R) and writes test/fixtures/sequential-scipy.json with, per value,
the computation that produced it:

1. crossing probabilities of those boundaries from the multivariate normal CDF of the canonical
   joint distribution, corr(Z_i, Z_j) = sqrt(t_i / t_j), E[Z_k] = drift * sqrt(t_k)
   (Genz's quasi-Monte-Carlo mvndst, the routine of scipy.stats.multivariate_normal.cdf, with
   its error estimate);
2. the false-positive rate of naive repeated testing, P(some |Z_k| > 1.959964) over K equally
   spaced looks (same routine);
   and the spending functions evaluated directly with scipy.stats.norm;
3. the normal-mixture SPRT likelihood ratio of Johari et al. by numerical integration of the
   likelihood ratio over the mixing density (scipy.integrate.quad) -- not the closed form -- and
   the confidence-interval endpoints {theta0 : Lambda(theta0) = 1/alpha} by brentq on it.
"""
import json
import math
import os
import sys

# scripts/reference/ holds other reference scripts (e.g. random.py) that would shadow standard
# modules numpy imports, because Python puts the script's directory first on sys.path.
sys.path = [p for p in sys.path if os.path.abspath(p or ".") != os.path.dirname(os.path.abspath(__file__))]

import numpy as np
import scipy
from scipy import integrate, optimize, stats
from scipy.stats import _mvn

RPACT = "test/fixtures/sequential-rpact.json"
OUT = "test/fixtures/sequential-scipy.json"
ABSEPS = 1e-8


def corr(t):
    t = np.asarray(t, dtype=float)
    return np.sqrt(np.minimum.outer(t, t) / np.maximum.outer(t, t))


def no_crossing(z_upper, z_lower, t, drift, maxpts):
    """P(z_lower_k < Z_k < z_upper_k for all k) under E[Z_k] = drift sqrt(t_k), with Genz's error.

    Calls scipy.stats._mvn.mvndst, the Genz Fortran routine behind multivariate_normal.cdf, because
    it also returns the error estimate (the public cdf discards it, and Genz's quasi-Monte-Carlo
    does not reach abseps in 20-50 dimensions).
    """
    k = len(t)
    mean = drift * np.sqrt(np.asarray(t, dtype=float))
    upper = np.asarray(z_upper, dtype=float) - mean
    lower = np.asarray(z_lower, dtype=float) - mean
    infin = np.where(np.isneginf(lower), 0, 2).astype(np.int32)  # 0: (-inf, b], 2: [a, b]
    lower = np.where(np.isneginf(lower), 0.0, lower)
    c = corr(t)
    correl = np.array([c[i, j] for i in range(k) for j in range(i)] or [0.0], dtype=float)  # f2py wants >= 1
    error, value, inform = _mvn.mvndst(lower, upper, infin, correl, maxpts, ABSEPS, 0.0)
    return float(value), float(error)


def cumulative_crossing(z, t, sides, drift=0.0, maxpts=2_000_000):
    """P(exit by look k) for k = 1..K, exits through +z (and -z when two-sided), and Genz errors."""
    out, errors = [], []
    for k in range(1, len(t) + 1):
        upper = z[:k]
        lower = [-v for v in upper] if sides == 2 else [-np.inf] * k
        value, error = no_crossing(upper, lower, t[:k], drift, maxpts * k)
        out.append(1.0 - value)
        errors.append(error)
    return out, errors


def main():
    rpact = json.load(open(RPACT))
    result = {
        "generator": "scripts/reference/sequential.py",
        "scipyVersion": scipy.__version__,
        "method": "1 - Genz mvndst (scipy.stats._mvn, the routine behind multivariate_normal.cdf) over [lower, upper] - drift*sqrt(t), corr_ij = sqrt(min(t)/max(t)), abseps 1e-8; genzError is its error estimate",
        "spending": [],
        "boundaries": [],
        "power": [],
        "naive": [],
        "mixtureSprt": [],
    }
    for d in rpact["boundaries"]:
        t, z = d["informationFractions"], d["criticalValues"]
        crossing, errors = cumulative_crossing(z, t, d["sides"])
        result["boundaries"].append({
            "call": f"cumulative crossing of rpact {d['call']} criticalValues under H0",
            "informationFractions": t, "z": z, "sides": d["sides"],
            "cumulativeCrossing": crossing, "genzError": errors,
        })
    for c in rpact["characteristics"]:
        t, z = c["informationFractions"], c["criticalValues"]
        drift = math.sqrt(c["shift"])
        crossing, errors = cumulative_crossing(z, t, 1, drift)
        result["power"].append({
            "call": f"cumulative upper crossing of rpact {c['call']} criticalValues at drift sqrt(shift) = {drift!r}",
            "informationFractions": t, "z": z, "drift": drift,
            "cumulativeCrossing": crossing, "genzError": errors,
        })
    crit = stats.norm.isf(0.025)
    for looks in [1, 2, 3, 4, 5, 10, 20, 50]:
        t = [(k + 1) / looks for k in range(looks)]
        value, error = no_crossing([crit] * looks, [-crit] * looks, t, 0.0, 200_000 * looks)
        result["naive"].append({
            "call": f"1 - Genz mvndst P(|Z_k| < norm.isf(0.025) for k = 1..{looks}), corr sqrt(j/k)",
            "looks": looks, "falsePositiveRate": 1.0 - value, "genzError": error,
        })
    for alpha, fraction in [(0.025, 0.2), (0.025, 0.6), (0.0125, 0.3), (0.05, 0.05)]:
        result["spending"].append({
            "call": f"obrienFleming: 2 * norm.sf(norm.isf({alpha}/2) / sqrt({fraction})); pocock: {alpha} * log1p((e - 1) * {fraction})",
            "alpha": alpha, "informationFraction": fraction,
            "obrienFleming": 2 * stats.norm.sf(stats.norm.isf(alpha / 2) / math.sqrt(fraction)),
            "pocock": alpha * math.log1p((math.e - 1) * fraction),
        })

    def mixture_log_lr(estimate, variance, tau2, null):
        # Lambda = int N(estimate; theta, V) / N(estimate; null, V) dN(theta; null, tau2), integrated
        # numerically in log space: the integrand is shifted by its value at its peak theta_star
        # (used only to centre the quadrature and avoid overflow).
        sd, tau = math.sqrt(variance), math.sqrt(tau2)
        log_h = lambda th: stats.norm.logpdf(estimate, th, sd) + stats.norm.logpdf(th, null, tau)
        precision = 1 / variance + 1 / tau2
        theta_star = (estimate / variance + null / tau2) / precision
        spread = 40 / math.sqrt(precision)
        peak = log_h(theta_star)
        value, _ = integrate.quad(lambda th: math.exp(log_h(th) - peak), theta_star - spread, theta_star + spread,
                                  points=[theta_star], epsabs=0, epsrel=1e-13, limit=500)
        return math.log(value) + peak - stats.norm.logpdf(estimate, null, sd)

    for estimate, variance, tau2, null, alpha in [
        (0.3, 0.01, 0.04, 0.0, 0.05),
        (-0.05, 0.0004, 0.0025, 0.0, 0.05),
        (0.012, 2.5e-5, 1e-4, 0.0, 0.05),
        (0.0, 0.02, 0.01, 0.0, 0.05),
        (1.2, 0.09, 1.0, 0.5, 0.1),
    ]:
        lam = math.exp(mixture_log_lr(estimate, variance, tau2, null))
        # CI endpoints: theta0 with Lambda(theta0) = 1/alpha, on each side of the estimate.
        g = lambda th0: mixture_log_lr(estimate, variance, tau2, th0) + math.log(alpha)
        width = 50 * math.sqrt(variance + tau2)
        lower = optimize.brentq(g, estimate - width, estimate, xtol=1e-14, rtol=1e-14)
        upper = optimize.brentq(g, estimate, estimate + width, xtol=1e-14, rtol=1e-14)
        result["mixtureSprt"].append({
            "call": f"quad mixture LR (estimate={estimate}, variance={variance}, tau2={tau2}, null={null}); brentq Lambda(theta0)=1/{alpha}",
            "estimate": estimate, "variance": variance, "mixingVariance": tau2, "nullValue": null, "alpha": alpha,
            "likelihoodRatio": lam, "intervalLower": lower, "intervalUpper": upper,
        })
    with open(OUT, "w") as fh:
        json.dump(result, fh, indent=2)
        fh.write("\n")
    print("wrote", OUT)


if __name__ == "__main__":
    main()
