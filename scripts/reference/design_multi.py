#!/usr/bin/python3
"""Reference values for src/engine/stats/{multiMetricDecision,multiArmDesign}.ts.

Multi-metric sizing (Schultzberg, Ankargren & Frånberg 2024): success metrics one-sided at
alpha/S, guardrails one-sided at alpha, every test powered at 1 - beta/(G+1); statsmodels 0.13.5
NormalIndPower for means and normal_sample_size_one_tail (Wald SD) for rates.
Several arms: the allocation minimising n_c + sum n_i subject to sigma_c^2/n_c + sigma_i^2/n_i <= V,
found numerically by scipy 1.10.1 optimize.minimize (SLSQP), and statsmodels NormalIndPower at
alpha/k with ratio = 1/sqrt(k) for equal variances (Dunnett's square-root rule).
Run: /usr/bin/python3 scripts/reference/design_multi.py
"""
import os
import sys

_HERE = os.path.dirname(os.path.abspath(__file__))
sys.path = [entry for entry in sys.path if os.path.abspath(entry or ".") != _HERE]

import math

import numpy as np
from scipy.optimize import minimize
from scipy.stats import norm
from statsmodels.stats.power import NormalIndPower, normal_sample_size_one_tail


def show(call, value):
    if isinstance(value, np.ndarray):
        value = value.tolist()
    print(f"{call} = {value!r}")


# ---- multi-metric design: alpha 0.05, power 0.8; S = 2 success metrics, G = 3 guardrails.
alpha, beta, S, G = 0.05, 0.2, 2, 3
power = 1 - beta / (G + 1)
show("per-test power 1 - 0.2/4", power)
# success 1: conversion rate 0.10 -> +0.01 absolute (rate; unpooled Wald SD)
sd = math.sqrt(0.1 * 0.9 + 0.11 * 0.89)
show("success 'conversion': normal_sample_size_one_tail(0.01, 0.95, 0.025, std_null=sqrt(.1*.9+.11*.89), std_alternative=same)",
     normal_sample_size_one_tail(0.01, power, alpha / S, std_null=sd, std_alternative=sd))
# success 2: tokens accepted per user, mean 50, sd 30, +2 % relative (= 1.0)
show("success 'tokens': NormalIndPower().solve_power(effect_size=1.0/30, alpha=0.025, power=0.95, ratio=1, alternative='larger')",
     NormalIndPower().solve_power(effect_size=1.0 / 30, alpha=alpha / S, power=power, ratio=1, alternative="larger"))
# guardrail 1: error rate 0.02, lower is better, margin 0.002 absolute
sd = math.sqrt(2 * 0.02 * 0.98)
show("guardrail 'errors': normal_sample_size_one_tail(0.002, 0.95, 0.05, std_null=sqrt(2*.02*.98), std_alternative=same)",
     normal_sample_size_one_tail(0.002, power, alpha, std_null=sd, std_alternative=sd))
# guardrail 2: latency per user, mean 300 ms, sd 120, lower is better, margin 1 % relative (= 3 ms), CUPED rho 0.6
show("guardrail 'latency': NormalIndPower().solve_power(effect_size=3/(120*sqrt(1-0.36)), alpha=0.05, power=0.95, ratio=1, alternative='larger')",
     NormalIndPower().solve_power(effect_size=3 / (120 * math.sqrt(1 - 0.36)), alpha=alpha, power=power, ratio=1, alternative="larger"))
# guardrail 3: cost per request (ratio metric), per-user sd 0.8 (delta method), higher-is-worse, margin 0.05 absolute
show("guardrail 'cost': NormalIndPower().solve_power(effect_size=0.05/0.8, alpha=0.05, power=0.95, ratio=1, alternative='larger')",
     NormalIndPower().solve_power(effect_size=0.05 / 0.8, alpha=alpha, power=power, ratio=1, alternative="larger"))

# ---- several arms
k = 3
show("NormalIndPower().solve_power(effect_size=0.1, alpha=0.05/3, power=0.8, ratio=1/sqrt(3), alternative='two-sided')  # n_control",
     NormalIndPower().solve_power(effect_size=0.1, alpha=0.05 / k, power=0.8, ratio=1 / math.sqrt(k), alternative="two-sided"))
# unequal variances: control 1.0, candidates 1.5, 2.0, 4.0; V such that every comparison reaches power 0.8 at
# delta 0.2, alpha 0.05/3 one-sided: V = (delta / (z_{1-alpha/3} + z_{0.8}))^2
vc, vs = 1.0, np.array([1.5, 2.0, 4.0])
V = (0.2 / (norm.ppf(1 - 0.05 / 3) + norm.ppf(0.8))) ** 2
show("V = (0.2/(norm.ppf(1 - 0.05/3) + norm.ppf(0.8)))**2", V)


def total(n):
    return n.sum()


constraints = [{"type": "ineq", "fun": (lambda n, i=i: V - vc / n[0] - vs[i] / n[i + 1])} for i in range(3)]
start = np.full(4, 2000.0)
opt = minimize(total, start, method="SLSQP", constraints=constraints, bounds=[(1, None)] * 4,
               options={"ftol": 1e-12, "maxiter": 1000})
show("minimize(n_c + sum n_i s.t. vc/n_c + v_i/n_i <= V, SLSQP).x", opt.x)
show("  shares", opt.x / opt.x.sum())
# The same optimum in one dimension (each n_i at its binding constraint given n_c), to tighter tolerance:
from scipy.optimize import minimize_scalar

one_d = minimize_scalar(lambda nc: nc + (vs / (V - vc / nc)).sum(), bounds=(vc / V * 1.000001, 1e5), method="bounded",
                        options={"xatol": 1e-10})
nc = one_d.x
n = np.r_[nc, vs / (V - vc / nc)]
show("minimize_scalar(n_c + sum v_i/(V - vc/n_c), bounded, xatol=1e-10): n", n)
show("  shares", n / n.sum())

# ---- `rollout-lab size --arms 3 --weights 2,1,1` (mean metric, sd 1, delta 0.1): each comparison control vs
# candidate at alpha/2 with n_candidate / n_control = 0.5, so n_control = NormalIndPower nobs1 and N = 2 n_control.
show("NormalIndPower().solve_power(effect_size=0.1, alpha=0.05/2, power=0.8, ratio=0.5, alternative='two-sided')",
     NormalIndPower().solve_power(effect_size=0.1, alpha=0.05 / 2, power=0.8, ratio=0.5, alternative="two-sided"))

# ---- `rollout-lab size --metric mean --baseline 50 --lift 0.02 --sd 30 --guardrail proportion:0.02:0.002:lower
#      --guardrail mean:300:1%:120:lower --guardrail ratio:1.2:0.05:0.8:lower`: S = 1 (success at alpha 0.05), G = 3.
show("NormalIndPower().solve_power(effect_size=1.0/30, alpha=0.05, power=0.95, ratio=1, alternative='larger')",
     NormalIndPower().solve_power(effect_size=1.0 / 30, alpha=0.05, power=0.95, ratio=1, alternative="larger"))
show("NormalIndPower().solve_power(effect_size=3/120, alpha=0.05, power=0.95, ratio=1, alternative='larger')",
     NormalIndPower().solve_power(effect_size=3 / 120, alpha=0.05, power=0.95, ratio=1, alternative="larger"))
