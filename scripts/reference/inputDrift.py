"""Reference values for test/sim/inputDrift.test.ts: PSI of binned normals.

Reference law N(0, 1) binned on its deciles e_k = Phi^-1(k/10), k = 1..9 (right-closed bins,
open ends); current law N(shift, scale^2); PSI = sum_k (c_k - r_k) ln(c_k / r_k), r_k = 0.1.
Run with Debian's Python: /usr/bin/python3 scripts/reference/inputDrift.py (scipy 1.10.1).
"""
import numpy as np
from scipy.stats import norm

edges = norm.ppf(np.arange(1, 10) / 10)


def shares(shift, scale):
    cdf = np.concatenate([[0.0], norm.cdf((edges - shift) / scale), [1.0]])
    return np.diff(cdf)


def psi(shift, scale):
    c = shares(shift, scale)
    r = np.full(10, 0.1)
    return float(np.sum((c - r) * np.log(c / r)))


for shift, scale in [(0.5, 1.0), (90 / 7 * 0.05, 1.0), (90 / 7 * 0.05, 1 + 90 / 7 * 0.01), (1.0, 1.0)]:
    print(f"shift={shift!r} scale={scale!r} psi={psi(shift, scale)!r} shares={shares(shift, scale).tolist()!r}")
