/**
 * The per-unit sums of a window's metric values (`ArmWindow.values`, contracts C3), in both
 * fidelity modes: per arm and per named metric, over the users active in the window (the
 * randomisation units), n, Σx, Σy, Σx², Σy², Σxy of the pairs (x, y) that metricValues.ts defines.
 *
 * - Per-request mode (`addRequest`): every request's value is drawn with its user's persistent
 *   effect and added to that user's window totals; at the end of the window (`flush`) each active
 *   user's totals become one unit.
 * - Windowed mode (`drawArmRequests`, then `flush`): the arm's n requests (already drawn, Poisson
 *   or replayed) are given to its users by one draw each — uniform over the arm's users, or by
 *   Walker's alias table over their Zipf weights (Vose's construction, traffic.ts) — i.e. the
 *   counts are Multinomial(n, w_u/Σw), exactly the per-request mode's law given n; then each
 *   active user's sum over its k requests comes from the law of a sum of k values
 *   (`ValueDraws.sum`: closed form except for lognormal values, drawn one by one).
 * - perUser metrics draw one value (and, with preCorrelation, one pre-period value) per active
 *   user in `flush`, in both modes.
 *
 * The units (`valueUnits`): by default 'user' — the values are CUMULATIVE since the A/B stage
 * started (`ArmWindow.valuesSince`): each user seen in the stage keeps running totals (X_u, Y_u)
 * of its window pairs, and each window reports n = users seen so far, ΣX, ΣY, ΣX², ΣY², ΣXY over
 * them (kept up to date by replacing an active user's old terms with its new ones), so the delta
 * method's unit is the user over the whole test (Deng, Knoblich & Lu, KDD 2018). A perUser
 * metric's y is then the user's one pre-period value (drawn at its first window; with ρ, each
 * later window's score is ρ·S′ + √(1 − ρ²)·ε, so every window's value has correlation ρ with the
 * pre-period score, as a first window's does). 'userWindow' reports each window's active users
 * alone (the additive form, kept to show why cumulative values exist: with returning users it
 * inflates the type I error). A new stage (`beginWindow`) starts the running totals afresh.
 *
 * Each user's effect Z_u is drawn the first time the user is active (per metric) and kept for the
 * replicate, so it persists across windows and stages. Everything is drawn from the stream given
 * to the constructor (the generators pass a sub-stream forked for values, so the windows' counts
 * do not depend on which windows draw values). Memory: per metric one map entry per user seen in
 * the replicate (its effect), a few numbers per user seen in the current A/B stage (its running
 * totals) and per user active in the current window — nothing
 * per user of the population, so a population of millions costs what its active users do. Cost per window: O(requests) draws in the
 * per-request mode; O(requests) integer draws plus O(active users) value draws (O(requests) for
 * lognormal values) in the windowed mode.
 */
import type { ArmWindow } from '../engine/metrics/windowMetrics.ts';
import type { Random } from '../engine/random/prng.ts';
import type { BivariateSums } from '../engine/stats/bivariateMoments.ts';
import type { MetricValues } from './metricValues.ts';
import { ValueDraws } from './metricValues.ts';
import type { UserPopulation } from './traffic.ts';
import { aliasTable } from './traffic.ts';

/** One named metric with each model's values (the candidate's user effect and ρ default to the control's). */
export interface NamedMetricValues {
  name: string;
  control: MetricValues;
  candidate: MetricValues;
}

/** Per arm (0 control, 1 candidate): the metric values of its windows. */
export type ArmIndex = 0 | 1;

/** The users of one arm at one rollout percentage, and a sampler of the user of one of its requests. */
interface ArmUsers {
  users: Int32Array;
  /** Walker alias table over the users' weights (empty for uniform users). */
  probability: Float64Array;
  alias: Int32Array;
}

/**
 * The users of each arm at each percentage, per population: a pure function of the (memoised,
 * read-only) population, shared by the replicates of a run; dropped with the population.
 */
const armUsersCache = new WeakMap<UserPopulation, Map<string, ArmUsers>>();

/** The unit of the reported sums: the user over the stage (cumulative values), or the user-window (per window, additive). */
export type ValueUnits = 'user' | 'userWindow';

/** One arm's running per-user totals over the current stage ('user' units). */
interface StageTotals {
  /** user → index into the arrays below. */
  indexOf: Map<number, number>;
  /** Per metric: each user's running X and Y, and a perUser metric's pre-period score (ρ). */
  runX: number[][];
  runY: number[][];
  preScore: number[][];
  /** Per metric: the sums over the stage's users so far. */
  sums: BivariateSums[];
}

/** The window's per-user tallies of metric values for one replicate. */
export class MetricValuesTally {
  private readonly metrics: readonly NamedMetricValues[];
  private readonly population: UserPopulation;
  private readonly perRequestMode: boolean;
  private readonly draws: ValueDraws;
  private readonly random: Random;
  /** Per metric: the persistent effect Z_u of each user seen so far in the replicate. */
  private readonly effects: Map<number, number>[];
  /** The current window's active users: user → slot, and per slot its request count and totals. */
  private readonly slotOf = new Map<number, number>();
  private slotRequests: number[] = [];
  /** Per metric (per-request mode, request-level kinds): each slot's window totals of x and y. */
  private readonly totalX: number[][];
  private readonly totalY: number[][];
  /** Per arm: the users active in the current window, in order of first request. */
  private readonly active: [number[], number[]] = [[], []];

  /** 'user': cumulative since `since`; 'userWindow': per window. */
  readonly units: ValueUnits;
  /** Start of the current stage's accumulation (seconds; 'user' units), NaN before the first window. */
  private since = Number.NaN;
  /** End of the last window begun, to tell a new stage when no stage start is given. */
  private lastEnd = Number.NaN;
  private stage: [StageTotals, StageTotals];

  constructor(
    metrics: readonly NamedMetricValues[],
    population: UserPopulation,
    random: Random,
    mode: 'request' | 'window',
    units: ValueUnits = 'user',
  ) {
    this.units = units;
    this.stage = [this.emptyStage(metrics.length), this.emptyStage(metrics.length)];
    this.metrics = metrics;
    this.population = population;
    this.perRequestMode = mode === 'request';
    this.random = random;
    this.draws = new ValueDraws(random);
    this.effects = metrics.map(() => new Map<number, number>());
    this.totalX = metrics.map(() => []);
    this.totalY = metrics.map(() => []);
  }

  private emptyStage(metricCount: number): StageTotals {
    const lists = () => Array.from({ length: metricCount }, (): number[] => []);
    return {
      indexOf: new Map(),
      runX: lists(),
      runY: lists(),
      preScore: lists(),
      sums: Array.from({ length: metricCount }, () => ({ count: 0, sumX: 0, sumY: 0, sumXSquares: 0, sumYSquares: 0, sumXY: 0 })),
    };
  }

  /**
   * Called before each A/B window [start, start + duration): with 'user' units, starts the running
   * totals afresh when a new stage begins — `stageStart` (the controller's stage start) differs
   * from the current one, or, when the caller does not know it, the window does not follow the
   * last one (windows between were of other stages; two A/B stages in a row are then taken as
   * one). The users' persistent effects are kept (they are the users'). O(1), or O(users seen) to reset.
   */
  beginWindow(start: number, duration: number, stageStart?: number): void {
    const since = stageStart ?? (start === this.lastEnd ? this.since : start);
    this.lastEnd = start + duration;
    if (since === this.since) return;
    this.since = since;
    if (this.units === 'user') this.stage = [this.emptyStage(this.metrics.length), this.emptyStage(this.metrics.length)];
  }

  /** `ArmWindow.valuesSince` of the sums `flush` returns: the stage's start ('user' units), undefined per window. */
  get valuesSince(): number | undefined {
    return this.units === 'user' && !Number.isNaN(this.since) ? this.since : undefined;
  }

  /** f_u = exp(σ·Z_u − σ²/2) of metric m for user u (Z_u drawn on first use). */
  private userFactor(m: number, user: number, sigma: number): number {
    if (sigma === 0) return 1;
    const effects = this.effects[m];
    let z = effects.get(user);
    if (z === undefined) {
      z = this.draws.normal();
      effects.set(user, z);
    }
    return Math.exp(sigma * z - (sigma * sigma) / 2);
  }

  /** The slot of `user` in the current window (a new one on its first request), its count incremented. */
  private touch(user: number, arm: ArmIndex): number {
    let slot = this.slotOf.get(user);
    if (slot === undefined) {
      slot = this.slotRequests.length;
      this.slotOf.set(user, slot);
      this.slotRequests.push(0);
      if (this.perRequestMode)
        for (let m = 0; m < this.metrics.length; m++) {
          this.totalX[m].push(0);
          this.totalY[m].push(0);
        }
      this.active[arm].push(user);
    }
    this.slotRequests[slot] += 1;
    return slot;
  }

  /** Per-request mode: one request of `user` served by `arm`, its values drawn now. */
  addRequest(user: number, arm: ArmIndex): void {
    const slot = this.touch(user, arm);
    const { metrics, draws } = this;
    for (let m = 0; m < metrics.length; m++) {
      const values = arm === 0 ? metrics[m].control : metrics[m].candidate;
      if (values.kind === 'perUser') continue;
      const factor = this.userFactor(m, user, values.userEffectSigma);
      if (values.kind === 'perRequest') {
        this.totalX[m][slot] += factor * draws.one(values.value);
      } else {
        this.totalX[m][slot] += factor * draws.one(values.numerator);
        this.totalY[m][slot] += draws.one(values.denominator);
      }
    }
  }

  /**
   * Windowed mode: gives the arm's `requests` to its users — those with bucket ≤ `percentage`
   * for the candidate, the others for control — one draw per request from their request weights.
   */
  drawArmRequests(arm: ArmIndex, requests: number, percentage: number): void {
    if (requests === 0) return;
    const table = this.usersOf(arm, percentage);
    const { users, probability, alias } = table;
    const size = users.length;
    if (size === 0) return;
    const random = this.random;
    for (let i = 0; i < requests; i++) {
      const scaled = random() * size;
      const j = Math.floor(scaled);
      const pick = probability.length === 0 || scaled - j < probability[j] ? j : alias[j];
      this.touch(users[pick], arm);
    }
  }

  /** The users of `arm` at `percentage` (cached per population: an A/B stage keeps its percentage). O(users) once. */
  private usersOf(arm: ArmIndex, percentage: number): ArmUsers {
    const key = `${arm}:${percentage}`;
    let byKey = armUsersCache.get(this.population);
    if (byKey === undefined) armUsersCache.set(this.population, (byKey = new Map()));
    const cached = byKey.get(key);
    if (cached) return cached;
    const { buckets, count } = this.population;
    const cut = Math.floor(percentage + 1e-9);
    const list: number[] = [];
    for (let u = 0; u < count; u++) if (buckets[u] <= cut === (arm === 1)) list.push(u);
    const users = Int32Array.from(list);
    let table: ArmUsers = { users, probability: new Float64Array(0), alias: new Int32Array(0) };
    if (this.population.aliasProbability.length > 0 && users.length > 0) {
      // Zipf users: the arm's weights, normalised, in an alias table of their own.
      const weights = this.population.weights;
      const armWeights = new Float64Array(users.length);
      let total = 0;
      for (let i = 0; i < users.length; i++) total += armWeights[i] = weights[users[i]];
      for (let i = 0; i < users.length; i++) armWeights[i] /= total;
      const built = aliasTable(armWeights, users.length);
      table = { users, probability: built.probability, alias: built.alias };
    }
    byKey.set(key, table);
    return table;
  }

  /**
   * Ends the window for `arm`: each active user's pair (x, y) of the window per metric is one unit
   * ('userWindow' units) or is added to its running totals over the stage ('user' units; a user
   * new to the stage adds a unit), folded into n, Σx, Σy, Σx², Σy², Σxy; the per-window tallies are
   * cleared. Returns the sums by metric name (a copy: the stage's running sums stay here).
   */
  flush(arm: ArmIndex): Record<string, BivariateSums> {
    const { metrics, draws } = this;
    const active = this.active[arm];
    const result: Record<string, BivariateSums> = {};
    const cumulative = this.units === 'user';
    const stage = this.stage[arm];
    // Users new to the stage get their running totals (one slot for every metric).
    if (cumulative) {
      for (const user of active) {
        if (stage.indexOf.has(user)) continue;
        stage.indexOf.set(user, stage.indexOf.size);
        for (let m = 0; m < metrics.length; m++) {
          stage.runX[m].push(0);
          stage.runY[m].push(0);
          stage.preScore[m].push(Number.NaN);
          stage.sums[m].count += 1;
        }
      }
    }
    for (let m = 0; m < metrics.length; m++) {
      const values = arm === 0 ? metrics[m].control : metrics[m].candidate;
      const control = metrics[m].control;
      const sums: BivariateSums = cumulative
        ? stage.sums[m]
        : { count: active.length, sumX: 0, sumY: 0, sumXSquares: 0, sumYSquares: 0, sumXY: 0 };
      for (let i = 0; i < active.length; i++) {
        const user = active[i];
        const slot = this.slotOf.get(user) as number;
        const k = this.slotRequests[slot];
        const index = cumulative ? (stage.indexOf.get(user) as number) : -1;
        let x: number;
        let y: number;
        if (values.kind === 'perUser') {
          const factor = this.userFactor(m, user, values.userEffectSigma);
          const rho = values.preCorrelation;
          if (rho === undefined) {
            x = factor * draws.one(values.value);
            y = 0;
          } else {
            const known = cumulative ? stage.preScore[m][index] : Number.NaN;
            if (Number.isNaN(known)) {
              const score = draws.normal();
              const preScore = rho * score + Math.sqrt(1 - rho * rho) * draws.normal();
              x = factor * draws.fromScore(values.value, score);
              const preFactor = control === values ? factor : this.userFactor(m, user, control.userEffectSigma);
              y = preFactor * draws.fromScore((control as Extract<MetricValues, { kind: 'perUser' }>).value, preScore);
              if (cumulative) stage.preScore[m][index] = preScore;
            } else {
              // A returning user: its pre-period value is already in its totals (y stays).
              x = factor * draws.fromScore(values.value, rho * known + Math.sqrt(1 - rho * rho) * draws.normal());
              y = 0;
            }
          }
        } else if (this.perRequestMode) {
          x = this.totalX[m][slot];
          y = values.kind === 'perRequest' ? k : this.totalY[m][slot];
        } else {
          const factor = this.userFactor(m, user, values.userEffectSigma);
          if (values.kind === 'perRequest') {
            x = factor * draws.sum(values.value, k);
            y = k;
          } else {
            x = factor * draws.sum(values.numerator, k);
            y = draws.sum(values.denominator, k);
          }
        }
        if (cumulative) {
          // Replace the user's old terms with its new totals' (a perUser metric's y is its pre-period value, not summed).
          const oldX = stage.runX[m][index];
          const oldY = stage.runY[m][index];
          const newX = oldX + x;
          const newY = oldY + y;
          stage.runX[m][index] = newX;
          stage.runY[m][index] = newY;
          sums.sumX += newX - oldX;
          sums.sumY += newY - oldY;
          sums.sumXSquares += newX * newX - oldX * oldX;
          sums.sumYSquares += newY * newY - oldY * oldY;
          sums.sumXY += newX * newY - oldX * oldY;
        } else {
          sums.sumX += x;
          sums.sumY += y;
          sums.sumXSquares += x * x;
          sums.sumYSquares += y * y;
          sums.sumXY += x * y;
        }
      }
      result[metrics[m].name] = cumulative ? { ...sums } : sums;
    }
    for (const user of active) this.slotOf.delete(user);
    active.length = 0;
    if (this.slotOf.size === 0) {
      // Both arms flushed: the slots start again at 0.
      this.slotRequests.length = 0;
      for (let m = 0; m < metrics.length; m++) this.totalX[m].length = this.totalY[m].length = 0;
    }
    return result;
  }
}

/**
 * Sets an arm window's `values` (contracts C3: per metric name, the per-unit sums) and, for
 * cumulative values, `valuesSince` (the tally's `valuesSince`).
 */
export function attachMetricValues(window: ArmWindow | undefined, values: Record<string, BivariateSums>, since?: number): void {
  if (window === undefined) return;
  window.values = values;
  if (since !== undefined) window.valuesSince = since;
}
