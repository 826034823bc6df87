"""Reference values for test/ui/sizerModel.test.ts and the e2e sizer test.

Run with Debian's Python (scipy 1.10.1, statsmodels 0.13.5):  /usr/bin/python3 -P scripts/reference/ui_sizer.py
(-P: scripts/reference/random.py would otherwise shadow the standard library's random module.)
The R half (power.prop.test, naive repeated testing via mvtnorm, rpact designs) is scripts/reference/ui_sizer.R.
"""
from scipy import stats
from statsmodels.stats.power import NormalIndPower
from statsmodels.stats.proportion import proportion_effectsize, samplesize_proportions_2indep_onetail

calls = {
    # split 0.2 -> ratio n_candidate / n_control = 0.25; baseline 0.10, target 0.12, one-sided, alpha 0.05, power 0.8
    "NormalIndPower().solve_power(proportion_effectsize(0.12, 0.10), alpha=0.05, power=0.8, ratio=0.25, alternative='larger')":
        NormalIndPower().solve_power(proportion_effectsize(0.12, 0.10), alpha=0.05, power=0.8, ratio=0.25, alternative='larger'),
    "samplesize_proportions_2indep_onetail(diff=0.10-0.12, prop2=0.12, power=0.8, ratio=0.25, alpha=0.05, alternative='smaller')":
        samplesize_proportions_2indep_onetail(diff=0.10 - 0.12, prop2=0.12, power=0.8, ratio=0.25, alpha=0.05, alternative='smaller'),
    "NormalIndPower().power(proportion_effectsize(0.12, 0.10), nobs1=3835, alpha=0.05, ratio=1)":
        NormalIndPower().power(proportion_effectsize(0.12, 0.10), nobs1=3835, alpha=0.05, ratio=1),
    "stats.chisquare([50210, 49790], [50000, 50000])": tuple(stats.chisquare([50210, 49790], [50000, 50000])),
    "stats.chisquare([4100, 5900], [4000, 6000])": tuple(stats.chisquare([4100, 5900], [4000, 6000])),
    "stats.chisquare([5100, 4900], [5000, 5000])": tuple(stats.chisquare([5100, 4900], [5000, 5000])),
}
for call, value in calls.items():
    print(f"{call} = {value!r}")
