"""Fixtures for the log import (src/sim/replay): two messy request logs and their expected parse.

Run with Debian's Python (numpy 1.24, statsmodels 0.13.5):

    /usr/bin/python3 scripts/reference/replay.py

It writes
  test/fixtures/logs/messy-requests.csv      a CSV export "nobody here wrote": BOM, CRLF, a header
                                             with odd capitalisation and spaces, whole-second
                                             latencies, odd status strings, blank fields, quoted
                                             commas, mixed timestamp formats, garbage lines;
  test/fixtures/logs/nested-requests.jsonl   JSON lines with nested and missing keys, nulls,
                                             latencies in microseconds, garbage lines;
  test/fixtures/logs/expected.json           for each log, the truth the generator knows (which
                                             lines are rejected and why, every accepted row's
                                             values) and summaries computed from that truth with
                                             numpy.quantile (type 7) and statsmodels
                                             proportion_confint(method='wilson'), with the calls.

The expected values do not come from parsing the files: they are the generator's own record of
what it wrote, so the TypeScript parser is checked against an independent ground truth.
"""
import json
import os
from datetime import datetime, timezone

import numpy as np
from statsmodels.stats.proportion import proportion_confint

ROOT = os.path.join(os.path.dirname(__file__), '..', '..')
OUT = os.path.join(ROOT, 'test', 'fixtures', 'logs')
rng = np.random.default_rng(20240304)

START_MS = int(datetime(2024, 3, 4, 22, 0, 0, tzinfo=timezone.utc).timestamp() * 1000)
SPAN_MS = 26 * 3600 * 1000
PROBABILITIES = [0.5, 0.9, 0.95, 0.99]

# status text -> is it an error under the default rule (5xx, and the listed error words)
CSV_STATUSES = [
    ('200', False, 0.55), ('OK', False, 0.10), ('ok ', False, 0.05), ('Success', False, 0.04),
    ('404', False, 0.05), ('error', True, 0.05), ('TIMEOUT', True, 0.04), ('Failed', True, 0.04),
    ('5xx', True, 0.02), ('503', True, 0.04), ('500', True, 0.02),
]
MODELS = ['v1.4.2', 'v1.5.0-rc1']
SEGMENTS = ['free', 'pro', 'enterprise, EU', '']


def arrival_times(n):
    """Arrival times with a daily pattern: more traffic in the European afternoon."""
    times = []
    while len(times) < n:
        t = rng.uniform(0, SPAN_MS)
        hour = ((START_MS + t) // 3_600_000) % 24
        if rng.uniform() < (1.0 if 9 <= hour <= 17 else 0.35):
            times.append(int(t))
    return sorted(times)


def iso(ms, zone=True, sep='T'):
    dt = datetime.fromtimestamp(ms / 1000, tz=timezone.utc)
    text = dt.strftime(f'%Y-%m-%d{sep}%H:%M:%S') + f'.{ms % 1000:03d}'
    return text + ('Z' if zone else '')


def summarize(rows, key):
    """Per group: requests, errors, Wilson interval, type-7 quantiles of the latencies present."""
    groups = {}
    for row in rows:
        groups.setdefault(key(row), []).append(row)
    out = {}
    for name, members in groups.items():
        n = len(members)
        errors = sum(r['error'] for r in members)
        lo, hi = proportion_confint(errors, n, alpha=0.05, method='wilson')
        latencies = np.array([r['latency'] for r in members if r['latency'] is not None], dtype=float)
        out[name] = {
            'requests': n,
            'errors': errors,
            'errorRateInterval': [lo, hi],
            'errorRateIntervalCall': f"statsmodels 0.13.5 proportion_confint({errors}, {n}, alpha=0.05, method='wilson')",
            'latencyCount': int(latencies.size),
            'latencyMean': float(latencies.mean()) if latencies.size else None,
            'latencyQuantiles': [float(np.quantile(latencies, q)) for q in PROBABILITIES] if latencies.size else None,
            'latencyQuantilesCall': f'numpy 1.24 np.quantile(latencies, {PROBABILITIES}) (method linear, R type 7)',
        }
    return out


def hourly(rows):
    counts = [0] * 24
    for r in rows:
        counts[(r['timestamp'] // 3_600_000) % 24] += 1
    return counts


def write_lines(path, lines, newline, bom):
    with open(path, 'w', encoding='utf-8', newline='') as f:
        if bom:
            f.write('\ufeff')
        for line in lines:
            f.write(line + newline)


def csv_quote(text):
    return '"' + text.replace('"', '""') + '"' if (',' in text or '"' in text) else text


def messy_csv():
    n = 600
    times = arrival_times(n)
    lines = ['Time Stamp,  LATENCY ,Status , model_version,Segment,user id']
    accepted, rejected = [], []
    statuses = [s for s, _, _ in CSV_STATUSES]
    weights = np.array([w for _, _, w in CSV_STATUSES])
    garbage = {
        50: ('---- log rotated ----', 'wrong-field-count'),
        120: ('', None),  # blank line: skipped, not a row
        121: ('', None),
        200: ('#fields: ts,lat,status', 'wrong-field-count'),
        260: ('2024-03-05T03:00:00Z,0.3', 'wrong-field-count'),
        300: ('2024-03-05T04:00:00Z,0.3,200,v1.4.2,"pro,u17', 'malformed-line'),
        340: ('N/A,0.2,200,v1.4.2,free,u18', 'bad-timestamp'),
        380: ('2024-03-05T06:00:00Z,n/a,200,v1.4.2,free,u19', 'bad-latency'),
        420: ('2024-03-05T07:00:00Z,-0.004,200,v1.4.2,free,u20', 'negative-latency'),
        460: ('2024-03-05T08:00:00Z,0.2,maybe,v1.4.2,free,u21', 'unrecognised-status'),
        500: ('2024-03-05T09:00:00Z,0.2,,v1.4.2,free,u22', 'missing-status'),
        540: (',0.2,200,v1.4.2,free,u23', 'missing-timestamp'),
        560: ('2024-02-30T09:00:00Z,0.2,200,v1.4.2,free,u24', 'bad-timestamp'),
    }
    for i, t in enumerate(times):
        if i in garbage:
            text, reason = garbage[i]
            lines.append(text)
            if reason is not None:
                rejected.append({'line': len(lines), 'reason': reason})
        ms = START_MS + t
        model = MODELS[int(rng.uniform() < 0.3)]
        segment = SEGMENTS[rng.choice(4, p=[0.5, 0.3, 0.15, 0.05])]
        user = f'u{rng.integers(1, 120):04d}'
        status_index = rng.choice(len(statuses), p=weights / weights.sum())
        status = statuses[status_index]
        error = CSV_STATUSES[status_index][1]
        # Latency: lognormal around 250 ms (candidate 15% slower); some whole seconds; blanks on timeouts.
        latency_ms = float(np.exp(rng.normal(np.log(250 * (1.15 if model == MODELS[1] else 1)), 0.5)))
        form = rng.uniform()
        if status == 'TIMEOUT' and form < 0.5:
            latency_text, latency = '', None
        elif form < 0.15:
            seconds = max(1, int(round(latency_ms / 1000)))
            latency_text, latency = str(seconds), seconds * 1000.0
        elif form < 0.22:
            latency_text, latency = f'{round(latency_ms)}ms', float(round(latency_ms))
        else:
            latency_text = f'{latency_ms / 1000:.3f}'
            latency = float(latency_text) * 1000
        # Timestamps: mostly ISO with Z, some space-separated without a zone (read as UTC), some epoch.
        which = rng.uniform()
        if which < 0.7:
            ts_text = iso(ms)
        elif which < 0.85:
            ts_text = iso(ms, zone=False, sep=' ')
        elif which < 0.93:
            ts_text, ms = str(ms // 1000), (ms // 1000) * 1000
        else:
            ts_text = str(ms)
        lines.append(','.join([ts_text, latency_text, status, model, csv_quote(segment), user]))
        accepted.append({
            'line': len(lines), 'timestamp': ms, 'latency': latency, 'error': int(error),
            'status': status.strip(), 'model': model, 'segment': segment, 'user': user,
        })
    write_lines(os.path.join(OUT, 'messy-requests.csv'), lines, '\r\n', bom=True)
    return {
        'file': 'messy-requests.csv',
        'mapping': 'timestamp=time stamp,latency=Latency,status=STATUS,model=Model Version,segment=segment,user=User_ID',
        'latencyUnit': 's',
        'errorWhen': None,
        'linesRead': len(lines),
        'blankLines': sum(1 for line in lines if line.strip() == ''),
        'rejected': rejected,
        'accepted': accepted,
        'byModel': summarize(accepted, lambda r: r['model']),
        'bySegment': summarize(accepted, lambda r: r['segment']),
        'overall': summarize(accepted, lambda r: 'all')['all'],
        'hourlyCounts': hourly(accepted),
        'start': min(r['timestamp'] for r in accepted),
        'end': max(r['timestamp'] for r in accepted),
    }


def nested_jsonl():
    n = 200
    times = arrival_times(n)
    lines, accepted, rejected = [], [], []
    garbage = {
        30: ('{"ts": "2024-03-05T01:00:00Z", "req": {"latency_us": 1000, "status": 200}', 'malformed-line'),
        60: ('[1, 2, 3]', 'malformed-line'),
        90: ('{"ts": "2024-03-05T02:00:00Z", "req": {"latency_us": 1000}, "model": {"version": "a"}}', 'missing-status'),
        120: ('{"ts": null, "req": {"latency_us": 1000, "status": 200}}', 'missing-timestamp'),
        150: ('garbage ### not json', 'malformed-line'),
    }
    for i, t in enumerate(times):
        if i in garbage:
            text, reason = garbage[i]
            lines.append(text)
            rejected.append({'line': len(lines), 'reason': reason})
        ms = START_MS + t
        model = ['a', 'b'][int(rng.uniform() < 0.5)]
        u = rng.uniform()
        status, error = (200, 0) if u < 0.8 else ('OK', 0) if u < 0.85 else (503, 1) if u < 0.93 else ('timeout', 1) if u < 0.97 else ('Error', 1)
        latency_us = int(np.exp(rng.normal(np.log(80_000), 0.6)))
        record = {'ts': iso(ms) if rng.uniform() < 0.8 else ms, 'req': {'latency_us': latency_us, 'status': status},
                  'model': {'version': model}}
        latency = latency_us / 1000
        if rng.uniform() < 0.05:
            record['req']['latency_us'] = None
            latency = None
        segment = ['mobile', 'web'][int(rng.uniform() < 0.4)]
        r = rng.uniform()
        if r < 0.1:
            segment = ''  # key missing entirely
        elif r < 0.2:
            record['Segment'] = segment  # other capitalisation
        else:
            record['segment'] = segment
        lines.append(json.dumps(record))
        accepted.append({'line': len(lines), 'timestamp': ms, 'latency': latency, 'error': error,
                         'status': str(status), 'model': model, 'segment': segment, 'user': None})
    write_lines(os.path.join(OUT, 'nested-requests.jsonl'), lines, '\n', bom=False)
    return {
        'file': 'nested-requests.jsonl',
        'mapping': 'timestamp=ts,latency=req.latency_us,status=req.status,model=model.version,segment=segment',
        'latencyUnit': 'us',
        'errorWhen': 'status>=500 or status in (error, timeout)',
        'linesRead': len(lines),
        'blankLines': 0,
        'rejected': rejected,
        'accepted': accepted,
        'byModel': summarize(accepted, lambda r: r['model']),
        'bySegment': summarize(accepted, lambda r: r['segment']),
        'overall': summarize(accepted, lambda r: 'all')['all'],
        'hourlyCounts': hourly(accepted),
        'start': min(r['timestamp'] for r in accepted),
        'end': max(r['timestamp'] for r in accepted),
    }


if __name__ == '__main__':
    os.makedirs(OUT, exist_ok=True)
    expected = {
        'generator': 'scripts/reference/replay.py (numpy 1.24.2, statsmodels 0.13.5, seed 20240304)',
        'csv': messy_csv(),
        'jsonl': nested_jsonl(),
    }
    with open(os.path.join(OUT, 'expected.json'), 'w') as f:
        json.dump(expected, f, indent=1)
        f.write('\n')
