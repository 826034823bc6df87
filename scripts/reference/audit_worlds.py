"""Reference values for test/sim/audit/auditScenario.test.ts (run with Debian's /usr/bin/python3, scipy 1.10.1).

The audit's worlds for `--p95 350ms --timeout-rate 0.001`: a lognormal latency with p95 350 ms and the
scenario library's median/p95 shape (median = 0.3 x p95), whose timeout is the latency quantile that
makes 0.1% of requests time out; `timeouts*2` gives the candidate the quantile for 0.2%, and with
`p95*1.5` too that quantile of the latency scaled by 1.5.
"""
import numpy as np
from scipy.stats import lognorm, norm

median = 0.3 * 350
sigma = np.log(350 / median) / norm.ppf(0.95)
law = lognorm(sigma, scale=median)
print(f"sigma {sigma!r}")
print(f"timeout at 0.1%: {law.ppf(1 - 0.001)!r}")
print(f"candidate timeout at 0.2%: {law.ppf(1 - 0.002)!r}")
print(f"candidate timeout at 0.2%, latency x1.5: {1.5 * law.ppf(1 - 0.002)!r}")
