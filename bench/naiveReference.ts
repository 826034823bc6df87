/**
 * The naive reference the benchmarks compare against: every request generated (as the
 * per-request mode does), but every latency STORED, and each window's percentiles computed by
 * sorting the stored latencies (R type-7 quantiles, `quantileSorted`) — what a straightforward
 * simulator would do. Memory grows with the requests of a window; cost O(n log n) per window.
 */
import type { ArmWindow, WindowMetrics } from '../src/engine/metrics/windowMetrics.ts';
import { poissonSampler } from '../src/engine/random/poisson.ts';
import type { Random } from '../src/engine/random/prng.ts';
import { quantileSorted } from '../src/engine/stats/quantile.ts';
import { expectedArrivals, rolloutPercentage, userSampler } from '../src/sim/traffic.ts';
import type { Exposure, WindowGenerator } from '../src/sim/windowRequest.ts';
import type { World } from '../src/sim/world.ts';

/** A naive generator for one replicate (canary-type stages: the candidate serves a share). */
export function naiveWindows(world: World, random: Random): WindowGenerator {
  const traffic = world.scenario.traffic;
  const buckets = world.population.buckets;
  const drawUser = userSampler(world.population, random);
  const samplers = [world.controlLatency.sampler(random), world.candidateLatency.sampler(random)];
  const timeouts = [world.scenario.control.timeout ?? Infinity, world.scenario.candidate.timeout ?? Infinity];
  const totals: Exposure = { candidateRequests: 0, requestsServedWhileWorse: 0, usersServedWhileWorse: 0, failedRequests: 0 };
  return {
    next(request) {
      const { start, duration } = request;
      const total = poissonSampler(random, expectedArrivals(traffic, start, start + duration))();
      const percentage = rolloutPercentage(request.candidateShare);
      const conditions = [request.control, request.candidate];
      const latencies: number[][] = [[], []];
      const errors = [0, 0];
      const timedOut = [0, 0];
      for (let i = 0; i < total; i++) {
        const arm = buckets[drawUser()] <= percentage ? 1 : 0;
        const latency = conditions[arm].latencyMultiplier * samplers[arm]();
        latencies[arm].push(latency);
        if (latency > timeouts[arm]) timedOut[arm] += 1;
        if (random() < conditions[arm].errorRate) errors[arm] += 1;
      }
      const arms: ArmWindow[] = [0, 1].map((arm) => {
        const sorted = latencies[arm].sort((a, b) => a - b);
        const window: ArmWindow = { requests: sorted.length, errors: errors[arm], timeouts: timedOut[arm] };
        if (sorted.length > 0) {
          window.latency = { p50: quantileSorted(sorted, 0.5), p95: quantileSorted(sorted, 0.95), p99: quantileSorted(sorted, 0.99) };
        }
        return window;
      });
      totals.candidateRequests += arms[1].requests;
      const window: WindowMetrics = { startTime: start, duration, control: arms[0], candidate: arms[1] };
      return window;
    },
    exposure: () => ({ ...totals }),
  };
}
