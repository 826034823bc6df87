#!/usr/bin/python3
"""Reference values for src/engine/stats/nonInferiority.ts.

statsmodels 0.13.5 test_proportions_2indep (arm 1 = candidate, arm 2 = control), scipy 1.10.1
ttest_ind_from_stats on the shifted mean, and statsmodels normal_sample_size_one_tail with the
Wald (unpooled) standard deviation under both hypotheses for the sample size.
Run: /usr/bin/python3 scripts/reference/design_noninferiority.py
"""
import os
import sys

_HERE = os.path.dirname(os.path.abspath(__file__))
sys.path = [entry for entry in sys.path if os.path.abspath(entry or ".") != _HERE]

import math

from scipy.stats import norm, ttest_ind_from_stats
from statsmodels.stats.power import normal_sample_size_one_tail
from statsmodels.stats.proportion import test_proportions_2indep


def show(call, value):
    print(f"{call} = {value!r}")


# Success rate, higher is better: candidate 1580/2000, control 1620/2000, margin 0.05 -> value = -0.05.
for method in ("wald", "score"):
    r = test_proportions_2indep(1580, 2000, 1620, 2000, value=-0.05, method=method, compare="diff", alternative="larger")
    show(f"test_proportions_2indep(1580, 2000, 1620, 2000, value=-0.05, method='{method}', compare='diff', alternative='larger').statistic", r.statistic)
    show(f"  .pvalue", r.pvalue)
# Error rate, lower is better: candidate 130/5000, control 110/4000, margin 0.005 -> value = +0.005.
for method in ("wald", "score"):
    r = test_proportions_2indep(130, 5000, 110, 4000, value=0.005, method=method, compare="diff", alternative="smaller")
    show(f"test_proportions_2indep(130, 5000, 110, 4000, value=0.005, method='{method}', compare='diff', alternative='smaller').statistic", r.statistic)
    show(f"  .pvalue", r.pvalue)
# Relative margin 10 % of the control's observed rate 110/4000 = 0.0275 -> value = 0.00275.
r = test_proportions_2indep(130, 5000, 110, 4000, value=0.1 * 110 / 4000, method="score", compare="diff", alternative="smaller")
show("test_proportions_2indep(130, 5000, 110, 4000, value=0.1*110/4000, method='score', compare='diff', alternative='smaller').pvalue", r.pvalue)

# Mean (latency in ms, lower is better): candidate mean 212, sd 40, n 300; control 205, sd 35, n 320; margin 15.
t, p = ttest_ind_from_stats(212 - 15, 40, 300, 205, 35, 320, equal_var=False, alternative="less")
show("ttest_ind_from_stats(212 - 15, 40, 300, 205, 35, 320, equal_var=False, alternative='less')", (t, p))

# Sample size, proportion, higher is better: control 0.8, candidate 0.8, margin 0.02, alpha 0.05, power 0.8, ratio 1.
sd = math.sqrt(0.8 * 0.2 + 0.8 * 0.2 / 1)
show("normal_sample_size_one_tail(0 + 0.02, 0.8, 0.05, std_null=sqrt(.16+.16), std_alternative=same)",
     normal_sample_size_one_tail(0.02, 0.8, 0.05, std_null=sd, std_alternative=sd))
# Candidate expected slightly better (0.81), ratio 2, alpha 0.025, power 0.9.
sd = math.sqrt(0.8 * 0.2 + 0.81 * 0.19 / 2)
show("normal_sample_size_one_tail(0.01 + 0.02, 0.9, 0.025, std_null=sqrt(.16+.81*.19/2), std_alternative=same)",
     normal_sample_size_one_tail(0.03, 0.9, 0.025, std_null=sd, std_alternative=sd))
# Mean, lower is better: sd 40 both arms, relative margin 5 % of control mean 200 (= 10), alpha 0.05, power 0.8.
show("((norm.ppf(0.95) + norm.ppf(0.8)) * sqrt(40**2 + 40**2) / 10)**2",
     ((norm.ppf(0.95) + norm.ppf(0.8)) * math.sqrt(40**2 + 40**2) / 10) ** 2)
