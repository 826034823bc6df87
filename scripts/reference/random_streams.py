#!/usr/bin/python3
"""Reference values for src/engine/random (pasted, with this provenance, into test/engine/random/).

Run with Debian's Python: /usr/bin/python3 scripts/reference/random_streams.py
(needs mpmath 1.2.1 and scipy 1.10.1 from python3-mpmath / python3-scipy).

Everything here is an independent, straightforward transcription in Python integers/floats:
- xoshiro128** 1.1 from the reference C code https://prng.di.unimi.it/xoshiro128starstar.c
- MurmurHash3_x86_128 from https://github.com/aappleby/smhasher/blob/master/src/MurmurHash3.cpp,
  checked here against SMHasher's published verification value 0xB3ECE62A
- the stream derivation documented in src/engine/random/streams.ts
- the samplers' published algorithms (Marsaglia polar, Marsaglia-Tsang, Hormann PTRS/BTRS,
  sequential-search inversion), transcribed from the papers / numpy's C code, driven by the same
  uniforms, to pin the first outputs of each sampler.
The Stirling-correction table is computed with mpmath at 40 digits.
"""
import os
import sys

# This file is named random.py; keep its folder off the import path so that numpy's own
# `import random` finds the standard library, not this script.
sys.path[:] = [p for p in sys.path if os.path.abspath(p or '.') != os.path.dirname(os.path.abspath(__file__))]

import json  # noqa: E402
import math  # noqa: E402

import mpmath  # noqa: E402
import scipy  # noqa: E402
import scipy.special  # noqa: E402
from scipy import stats  # noqa: E402

M32 = 0xFFFFFFFF


def rotl(x, k):
    return ((x << k) | (x >> (32 - k))) & M32


class Xoshiro128StarStar:
    def __init__(self, state):
        self.s = list(state)

    def next_uint32(self):
        s = self.s
        result = (rotl((s[1] * 5) & M32, 7) * 9) & M32
        t = (s[1] << 9) & M32
        s[2] ^= s[0]
        s[3] ^= s[1]
        s[1] ^= s[2]
        s[0] ^= s[3]
        s[2] ^= t
        s[3] = rotl(s[3], 11)
        return result

    def next_double(self):
        a = self.next_uint32() >> 5
        b = self.next_uint32() >> 6
        return (a * 67108864 + b) / 9007199254740992


def fmix32(h):
    h ^= h >> 16
    h = (h * 0x85EBCA6B) & M32
    h ^= h >> 13
    h = (h * 0xC2B2AE35) & M32
    h ^= h >> 16
    return h


def murmur3_x86_128(data: bytes, seed=0):
    length = len(data)
    nblocks = length // 16
    h1 = h2 = h3 = h4 = seed
    c1, c2, c3, c4 = 0x239B961B, 0xAB0E9789, 0x38B34AE5, 0xA1E38B93
    for i in range(nblocks):
        k1, k2, k3, k4 = (int.from_bytes(data[16 * i + 4 * j:16 * i + 4 * j + 4], 'little') for j in range(4))
        k1 = (k1 * c1) & M32; k1 = rotl(k1, 15); k1 = (k1 * c2) & M32; h1 ^= k1
        h1 = rotl(h1, 19); h1 = (h1 + h2) & M32; h1 = (h1 * 5 + 0x561CCD1B) & M32
        k2 = (k2 * c2) & M32; k2 = rotl(k2, 16); k2 = (k2 * c3) & M32; h2 ^= k2
        h2 = rotl(h2, 17); h2 = (h2 + h3) & M32; h2 = (h2 * 5 + 0x0BCAA747) & M32
        k3 = (k3 * c3) & M32; k3 = rotl(k3, 17); k3 = (k3 * c4) & M32; h3 ^= k3
        h3 = rotl(h3, 15); h3 = (h3 + h4) & M32; h3 = (h3 * 5 + 0x96CD1C35) & M32
        k4 = (k4 * c4) & M32; k4 = rotl(k4, 18); k4 = (k4 * c1) & M32; h4 ^= k4
        h4 = rotl(h4, 13); h4 = (h4 + h1) & M32; h4 = (h4 * 5 + 0x32AC3B17) & M32
    tail = data[nblocks * 16:]
    r = length & 15
    k1 = k2 = k3 = k4 = 0
    # The C switch falls through; each lane is mixed after its lowest byte.
    if r >= 13:
        for j in range(min(r, 16) - 1, 11, -1):
            k4 ^= tail[j] << (8 * (j - 12))
        k4 = (k4 * c4) & M32; k4 = rotl(k4, 18); k4 = (k4 * c1) & M32; h4 ^= k4
    if r >= 9:
        for j in range(min(r, 12) - 1, 7, -1):
            k3 ^= tail[j] << (8 * (j - 8))
        k3 = (k3 * c3) & M32; k3 = rotl(k3, 17); k3 = (k3 * c4) & M32; h3 ^= k3
    if r >= 5:
        for j in range(min(r, 8) - 1, 3, -1):
            k2 ^= tail[j] << (8 * (j - 4))
        k2 = (k2 * c2) & M32; k2 = rotl(k2, 16); k2 = (k2 * c3) & M32; h2 ^= k2
    if r >= 1:
        for j in range(min(r, 4) - 1, -1, -1):
            k1 ^= tail[j] << (8 * j)
        k1 = (k1 * c1) & M32; k1 = rotl(k1, 15); k1 = (k1 * c2) & M32; h1 ^= k1
    h1 ^= length & M32; h2 ^= length & M32; h3 ^= length & M32; h4 ^= length & M32
    h1 = (h1 + h2 + h3 + h4) & M32
    h2 = (h2 + h1) & M32; h3 = (h3 + h1) & M32; h4 = (h4 + h1) & M32
    h1, h2, h3, h4 = fmix32(h1), fmix32(h2), fmix32(h3), fmix32(h4)
    h1 = (h1 + h2 + h3 + h4) & M32
    h2 = (h2 + h1) & M32; h3 = (h3 + h1) & M32; h4 = (h4 + h1) & M32
    return [h1, h2, h3, h4]


def smhasher_verification():
    key = bytes(range(256))
    hashes = b''
    for i in range(256):
        hashes += b''.join(w.to_bytes(4, 'little') for w in murmur3_x86_128(key[:i], 256 - i))
    final = murmur3_x86_128(hashes, 0)
    return final[0]


def u32le(x):
    return (x & M32).to_bytes(4, 'little')


def stream_for(seed, replicate, purpose=''):
    """The documented derivation of streams.ts."""
    s = (str(seed) if isinstance(seed, int) else seed).encode('utf-8')
    p = purpose.encode('utf-8')
    key = u32le(len(s)) + s + u32le(replicate % 2**32) + u32le(replicate // 2**32) + u32le(len(p)) + p
    state = murmur3_x86_128(key, 0)
    if state == [0, 0, 0, 0]:
        state[0] = 1
    return Xoshiro128StarStar(state)


def fork_stream(parent, label):
    l = label.encode('utf-8')
    key = b''
    for _ in range(2):
        integer = int(parent.next_double() * 9007199254740992)
        key += u32le(integer % 2**32) + u32le(integer // 2**32)
    key += u32le(len(l)) + l
    return Xoshiro128StarStar(murmur3_x86_128(key, 0))


# ----- samplers (transcriptions of the published algorithms) -----

class PolarNormal:
    """Marsaglia & Bray 1964, keeping the second value."""
    def __init__(self, rng):
        self.rng = rng
        self.spare = None

    def __call__(self):
        if self.spare is not None:
            v, self.spare = self.spare, None
            return v
        while True:
            x = 2 * self.rng.next_double() - 1
            y = 2 * self.rng.next_double() - 1
            s = x * x + y * y
            if 0 < s < 1:
                break
        f = math.sqrt(-2 * math.log(s) / s)
        self.spare = y * f
        return x * f


def marsaglia_tsang(rng, shape):
    normal = PolarNormal(rng)
    d = shape - 1 / 3
    c = 1 / math.sqrt(9 * d)

    def draw():
        while True:
            while True:
                x = normal()
                v = 1 + c * x
                if v > 0:
                    break
            v = v * v * v
            u = rng.next_double()
            if u < 1 - 0.0331 * x ** 4:
                return d * v
            if math.log(u) < 0.5 * x * x + d * (1 - v + math.log(v)):
                return d * v
    return draw


def gamma(rng, shape, scale=1.0):
    if shape >= 1:
        g = marsaglia_tsang(rng, shape)
        return lambda: scale * g()
    g = marsaglia_tsang(rng, shape + 1)
    return lambda: scale * g() * (1 - rng.next_double()) ** (1 / shape)


def log_gamma_variate(rng, shape):
    if shape >= 1:
        g = marsaglia_tsang(rng, shape)
        return lambda: math.log(g())
    g = marsaglia_tsang(rng, shape + 1)
    return lambda: math.log(g()) + math.log1p(-rng.next_double()) / shape


def beta(rng, a, b):
    if a >= 1 and b >= 1:
        x, y = gamma(rng, a), gamma(rng, b)

        def draw():
            gx = x()
            return gx / (gx + y())
        return draw
    lx, ly = log_gamma_variate(rng, a), log_gamma_variate(rng, b)

    def draw_log():
        vx = lx()
        return 1 / (1 + math.exp(ly() - vx))
    return draw_log


def log_factorial(k):
    # Independent of the TS Stirling form: scipy's gammaln.
    return float(scipy.special.gammaln(k + 1))


def poisson(rng, mean):
    if mean == 0:
        return lambda: 0
    if mean < 10:
        p0 = math.exp(-mean)

        def inversion():
            while True:
                u = rng.next_double()
                k, p = 0, p0
                while u >= p and p > 0:
                    u -= p
                    k += 1
                    p *= mean / k
                if p > 0:
                    return k
        return inversion
    # numpy/random/src/distributions/distributions.c random_poisson_ptrs (Hormann 1993).
    slam = math.sqrt(mean)
    loglam = math.log(mean)
    b = 0.931 + 2.53 * slam
    a = -0.059 + 0.02483 * b
    invalpha = 1.1239 + 1.1328 / (b - 3.4)
    vr = 0.9277 - 3.6224 / (b - 2)

    def ptrs():
        while True:
            U = rng.next_double() - 0.5
            V = rng.next_double()
            us = 0.5 - abs(U)
            k = math.floor((2 * a / us + b) * U + mean + 0.43)
            if us >= 0.07 and V <= vr:
                return k
            if k < 0 or (us < 0.013 and V > us):
                continue
            if math.log(V) + math.log(invalpha) - math.log(a / (us * us) + b) <= -mean + k * loglam - log_factorial(k):
                return k
    return ptrs


def binomial(rng, n, p):
    if n == 0 or p == 0:
        return lambda: 0
    if p == 1:
        return lambda: n
    if p > 0.5:
        inner = binomial(rng, n, 1 - p)
        return lambda: n - inner()
    q = 1 - p
    if n * p < 10:
        odds = p / q
        p0 = math.exp(n * math.log1p(-p))

        def inversion():
            while True:
                u = rng.next_double()
                k, r = 0, p0
                while u >= r and r > 0:
                    u -= r
                    k += 1
                    r *= (n - k + 1) * odds / k
                if r > 0:
                    return k
        return inversion
    # Hormann 1993 BTRS, acceptance test written plainly with scipy gammaln.
    spq = math.sqrt(n * p * q)
    b = 1.15 + 2.53 * spq
    a = -0.0873 + 0.0248 * b + 0.01 * p
    c = n * p + 0.5
    vr = 0.92 - 4.2 / b
    alpha = (2.83 + 5.1 / b) * spq
    lpq = math.log(p / q)
    m = math.floor((n + 1) * p)
    h = log_factorial(m) + log_factorial(n - m)

    def btrs():
        while True:
            U = rng.next_double() - 0.5
            V = rng.next_double()
            us = 0.5 - abs(U)
            k = math.floor((2 * a / us + b) * U + c)
            if us >= 0.07 and V <= vr:
                return k
            if k < 0 or k > n:
                continue
            if math.log(V * alpha / (a / (us * us) + b)) <= h - log_factorial(k) - log_factorial(n - k) + (k - m) * lpq:
                return k
    return btrs


def first(draw, count=5):
    return [draw() for _ in range(count)]


def main():
    out = {}
    out['versions'] = {'scipy': scipy.__version__, 'mpmath': mpmath.__version__}
    out['smhasher_verification_x86_128'] = '%08X' % smhasher_verification()
    out['murmur3_x86_128("hello, world", 0)'] = murmur3_x86_128(b'hello, world', 0)
    out['murmur3_x86_128(bytes 0..30, 7)'] = murmur3_x86_128(bytes(range(31)), 7)

    g = Xoshiro128StarStar([1, 2, 3, 4])
    out['xoshiro128** uint32, state [1,2,3,4]'] = [g.next_uint32() for _ in range(6)]
    g = Xoshiro128StarStar([0x9E3779B9, 0x243F6A88, 0xB7E15162, 0x01234567])
    out['xoshiro128** uint32, state [0x9e3779b9,0x243f6a88,0xb7e15162,0x01234567]'] = [g.next_uint32() for _ in range(6)]
    g = Xoshiro128StarStar([0x9E3779B9, 0x243F6A88, 0xB7E15162, 0x01234567])
    out['xoshiro128** double, same state'] = [repr(g.next_double()) for _ in range(5)]

    out['stream_for(42, 0)'] = [repr(x) for x in first(stream_for(42, 0).next_double)]
    out['stream_for(42, 1)'] = [repr(x) for x in first(stream_for(42, 1).next_double)]
    out['stream_for("rollout", 2**40 + 3, "traffic")'] = [repr(x) for x in first(stream_for('rollout', 2**40 + 3, 'traffic').next_double)]
    out['stream_for("héllo 🚀", 7, "faults")'] = [repr(x) for x in first(stream_for('héllo 🚀', 7, 'faults').next_double)]
    parent = stream_for(42, 0)
    child = fork_stream(parent, 'candidate')
    out['fork_stream(stream_for(42, 0), "candidate")'] = [repr(x) for x in first(child.next_double)]
    out['parent after fork'] = repr(parent.next_double())

    def fresh():
        return stream_for(2024, 0, 'samplers')

    rng = fresh(); out['uniform(2, 5)'] = [repr(2 + 3 * rng.next_double()) for _ in range(5)]
    rng = fresh(); n = PolarNormal(rng); out['normal(10, 2)'] = [repr(10 + 2 * n()) for _ in range(5)]
    rng = fresh(); out['exponential(0.5)'] = [repr(-math.log1p(-rng.next_double()) / 0.5) for _ in range(5)]
    rng = fresh(); n = PolarNormal(rng); out['lognormal(1, 0.5)'] = [repr(math.exp(1 + 0.5 * n())) for _ in range(5)]
    rng = fresh(); out['gamma(5, 2)'] = [repr(x) for x in first(gamma(rng, 5, 2))]
    rng = fresh(); out['gamma(0.3, 1)'] = [repr(x) for x in first(gamma(rng, 0.3, 1))]
    rng = fresh(); out['beta(2, 5)'] = [repr(x) for x in first(beta(rng, 2, 5))]
    rng = fresh(); out['beta(0.5, 0.5)'] = [repr(x) for x in first(beta(rng, 0.5, 0.5))]
    for mean in [0.5, 30, 1e6]:
        rng = fresh(); out['poisson(%r)' % mean] = first(poisson(rng, mean), 8)
    for n_, p_ in [(10, 0.3), (50, 0.9), (1000, 0.01), (10**9, 1e-7), (10**9, 0.3)]:
        rng = fresh(); out['binomial(%d, %r)' % (n_, p_)] = first(binomial(rng, n_, p_), 8)

    mpmath.mp.dps = 40
    out['stirling correction k=0..9'] = [
        mpmath.nstr(mpmath.loggamma(k + 1) - (k + mpmath.mpf(1) / 2) * mpmath.log(k + 1) + (k + 1) - mpmath.log(2 * mpmath.pi) / 2, 17)
        for k in range(10)
    ]
    out['stirling correction k=10,100,1e6,1e9'] = [
        mpmath.nstr(mpmath.loggamma(k + 1) - (k + mpmath.mpf(1) / 2) * mpmath.log(k + 1) + (k + 1) - mpmath.log(2 * mpmath.pi) / 2, 17)
        for k in [10, 100, 10**6, 10**9]
    ]
    out['norm.ppf(0.95)'] = repr(stats.norm.ppf(0.95))
    out['lognorm.ppf(0.95, s=log(2.5)/z95, scale=100)'] = repr(stats.lognorm.ppf(0.95, math.log(2.5) / stats.norm.ppf(0.95), scale=100))
    cv_s = math.sqrt(math.log1p(0.8 ** 2))
    out['lognorm(s, scale=200*exp(-s^2/2)).mean(), .std() for cv 0.8'] = [
        repr(stats.lognorm.mean(cv_s, scale=200 * math.exp(-cv_s ** 2 / 2))),
        repr(stats.lognorm.std(cv_s, scale=200 * math.exp(-cv_s ** 2 / 2))),
    ]
    for key, value in out.items():
        print(json.dumps(key), '=>', json.dumps(value, ensure_ascii=False))


if __name__ == '__main__':
    main()
