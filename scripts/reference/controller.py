"""Reference values for test/engine/controller/step.test.ts (Debian python3: statsmodels 0.13.5).

Run: /usr/bin/python3 -P scripts/reference/controller.py
(-P: scripts/reference/random_streams.py would otherwise shadow the standard library module.)
"""
import statsmodels
from statsmodels.stats.proportion import proportions_ztest

print("statsmodels", statsmodels.__version__)
# Tiny-sample A/B: candidate 44/50 vs control 43/50, pooled two-sided z-test.
z, p = proportions_ztest([44, 43], [50, 50])
print("proportions_ztest([44, 43], [50, 50])", repr(z), repr(p))
# Statistical health rule: candidate 28/500 errors vs control 96/9500, H0 diff <= 0.005 (pooled variance).
z, p = proportions_ztest([28, 96], [500, 9500], value=0.005, alternative="larger")
print("proportions_ztest([28, 96], [500, 9500], value=0.005, alternative='larger')", repr(z), repr(p))
# Group-sequential looks: 330/500 vs 300/500 and 665/1000 vs 600/1000.
for counts, nobs in (([330, 300], [500, 500]), ([665, 600], [1000, 1000])):
    z, p = proportions_ztest(counts, nobs)
    print(f"proportions_ztest({counts}, {nobs})", repr(z), repr(p))

# Always-valid A/B (mSPRT, Johari, Koomen, Pekelis & Walsh 2017/2022, normal mixture with
# tau^2 = minimumEffect^2 = 0.05^2, H0: difference 0): control 400/500, candidate 420/500 per
# window, accumulated; running minimum of 1/Lambda, computed here independently in numpy.
import numpy as np

tau2 = 0.05 ** 2
p_min = 1.0
for k in range(1, 9):
    n = 500 * k
    pa, pb = 400 * k / n, 420 * k / n
    v = pa * (1 - pa) / n + pb * (1 - pb) / n
    lam = np.sqrt(v / (v + tau2)) * np.exp(tau2 * (pb - pa) ** 2 / (2 * v * (v + tau2)))
    p_min = min(p_min, 1 / lam)
    print(f"mSPRT window {k}: p = {p_min!r}")
