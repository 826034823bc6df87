#!/usr/bin/python3
"""Reference values for src/engine/stats/sequentialSampleRatioMismatch.ts.

The Dirichlet-multinomial Bayes factor of Lindon, Semmens & Gotwalt (arXiv 2011.01808), computed
in one shot from cumulative counts with scipy 1.10.1 special.gammaln (prior alpha = 100 * theta0):
  ln BF = gammaln(A) - gammaln(A + n) + sum(gammaln(a_i + x_i) - gammaln(a_i)) - sum(x_i ln theta0_i).
The anytime-valid p after each day is min(1, 1 / max BF so far).
Run: /usr/bin/python3 scripts/reference/design_srm.py
"""
import os
import sys

_HERE = os.path.dirname(os.path.abspath(__file__))
sys.path = [entry for entry in sys.path if os.path.abspath(entry or ".") != _HERE]

import numpy as np
from scipy.special import gammaln


def log_bf(counts, weights, concentration=100.0):
    counts = np.asarray(counts, dtype=float)
    theta = np.asarray(weights, dtype=float) / np.sum(weights)
    a = concentration * theta
    return (gammaln(a.sum()) - gammaln(a.sum() + counts.sum()) + np.sum(gammaln(a + counts) - gammaln(a))
            - np.sum(counts * np.log(theta)))


def show(call, value):
    if isinstance(value, np.ndarray):
        value = value.tolist()
    print(f"{call} = {value!r}")


show("log_bf([5050, 4950], [1, 1])", log_bf([5050, 4950], [1, 1]))
show("log_bf([10300, 9700], [1, 1])", log_bf([10300, 9700], [1, 1]))
show("log_bf([2100, 2950, 5100], [1, 1, 2])", log_bf([2100, 2950, 5100], [1, 1, 2]))
show("log_bf([980, 1020], [1, 1], concentration=10)", log_bf([980, 1020], [1, 1], 10))

# A daily series, 2 arms planned 50/50, the candidate losing ~5 % of its units from day 3.
days = [[1000, 1010], [990, 1003], [1021, 985], [1040, 975], [1035, 968], [1050, 990], [1046, 975], [1030, 1001], [1000, 1045]]
cumulative = np.cumsum(days, axis=0)
bfs = [log_bf(row, [1, 1]) for row in cumulative]
show("ln BF after each day", np.array(bfs))
p = np.minimum.accumulate(np.minimum(1.0, np.exp(-np.array(bfs))))
show("p after each day = min(1, 1/max BF so far)", p)
