"""Generates notebooks/data/requests-one-day.csv, the small request log replayed by the notebook
"Tuning thresholds on a replayed log". Synthetic (written here, seeded), so it can be shipped:

- one day, 2026-03-02 00:00Z to 24:00Z, arrivals a Poisson process with a daily cycle
  rate(t) = 5 per minute x (1 + 0.6 sin(2 pi (hour - 8) / 24)) (quiet at night, busy at 14:00);
- latency lognormal with median 120 ms and sigma 0.5, whole milliseconds;
- status: 200 (or 'OK' for 5% of rows, as some gateways write it), 1% server errors split
  500 / 503 / 'timeout', 2% client errors 404 (not model failures under the default rule);
- segment free / pro (70 / 30), and 900 users with Zipf-like activity (Zipf(1.6) ranks folded onto 900 ids).

Run:  /usr/bin/python3 notebooks/data/make_requests_log.py
"""
import math
import pathlib
import numpy as np

rng = np.random.default_rng(20260302)
start = np.datetime64('2026-03-02T00:00:00', 'ms')
minutes = 24 * 60
rows = []
for minute in range(minutes):
    hour = minute / 60
    rate = 5 * (1 + 0.6 * math.sin(2 * math.pi * (hour - 8) / 24))
    for offset in np.sort(rng.uniform(0, 60_000, rng.poisson(rate))):
        timestamp = start + np.timedelta64(minute * 60_000 + int(offset), 'ms')
        latency = int(round(120 * math.exp(0.5 * rng.standard_normal())))
        u = rng.uniform()
        if u < 0.005:
            status = '500'
        elif u < 0.008:
            status = '503'
        elif u < 0.010:
            status = 'timeout'
        elif u < 0.030:
            status = '404'
        else:
            status = 'OK' if rng.uniform() < 0.05 else '200'
        segment = 'free' if rng.uniform() < 0.7 else 'pro'
        user = 'u%04d' % (1 + (int(rng.zipf(1.6)) - 1) % 900)
        rows.append(f'{str(timestamp)}Z,{latency},{status},{segment},{user}')

path = pathlib.Path(__file__).with_name('requests-one-day.csv')
path.write_text('timestamp,latency_ms,status,segment,user\n' + '\n'.join(rows) + '\n')
print(path, len(rows), 'rows')
