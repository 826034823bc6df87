/**
 * A historical check's pass probability by the candidate's request count n and the cell of the
 * baseline's law, shared by every window whose check has the same conditions (healthCheckLaw.ts
 * `historicalMatrix`): the windows of a daily cycle differ only in their expected arrivals Λ_w,
 *
 *   P(pass; cell) = Σ_{n ≥ minRequests} Pois(n; Λ_w f) · c(n, cell),
 *   c(n, cell) = other(n) · (1/|cell|) ∫_cell P(Bin(n, p) ≤ t(n, F⁻¹(u))) du,
 *
 * and c does not depend on the window. With t(n, ·) stepping up by one at each breakpoint
 * R*(x, n) of the rate (healthCheckLaw.ts `leastRateAllowing`), the cell average is
 *
 *   P(Bin ≤ t(n, low)) + Σ_x P(Bin = x) · clamp((to − β_x)/(to − from), 0, 1),   β_x = P(R < R*(x, n)),
 *
 * a breakpoint counting for the part of the cell U ∈ [from, to] where R = F⁻¹(U) ≥ R*(x, n)
 * (baselineLaw.ts: R = F⁻¹(U), U uniform on the cell). The per-n part (`CheckRow`: other(n),
 * P(Bin ≤ t(n, low)), the steps' breakpoints R*(x, n) and jumps) is built once per n for all
 * windows; the matrix turns a whole block's breakpoints into their β in one call of the rate
 * law's batch form (baselineLaw.ts `rateBelow`'s `many`: the same values as one at a time, to
 * the last bit, the new rates of the block sorted and summed two at a time). Measured on the
 * tree at c966111 against the same tree with this file, baselineLaw.ts, healthCheckLaw.ts and
 * checkLaw.ts as at 9432262 (one β per step as the row was built, each step's bucket searched in
 * every pass, new bucket arrays per pass): CPU, alternating runs, 2026-12-05 00:55–00:58 UTC,
 * load 3.2–3.9: bench/exact.ts's covered policy, 20 settings × 2 worlds, 5.74 → 3.47 s (medians
 * of the warm rounds; cold 6.7 → 4.7–5.0 s); the lab's three questions, 20 settings, warm
 * rounds: covered 1.02–1.47 → 0.82–0.99 s, flat100 1.48–1.66 → 1.17–1.40 s, firstVisit
 * 1.30–1.68 → 0.98–1.74 s (noisy) — the β are a smaller part of those.
 *
 * A window's check for every cell at once: the cells' bounds cut [0, 1] into buckets
 * (u_{k−1}, u_k]; one pass over the window's n adds each step's weight w = Pois(n)·other(n)·jump
 * and w·β to its bucket. Then, with M and S the bucket sums' prefixes, a cell [u_a, u_b] passes with
 *
 *   A + M(≤ a) + max(0, u_b·(M(≤ b) − M(≤ a)) − (S(≤ b) − S(≤ a))) / (u_b − u_a),   A = Σ_n Pois(n)·other(n)·P(Bin ≤ t(n, low)),
 *
 * (a step exactly at u_b adds w·(u_b − β) = 0). Cost per window: O(range of n + its steps) once
 * (each step's bucket found by bisection once per block and set of bounds, then shared by every
 * window), then O(log(bounds)) per cell — not O(range of n) per cell: the node count
 * (evaluateExact.ts's n, n/2, n/4 nodes, 1.75·n cells) adds bounds, not passes over n. The pass
 * is kept for the last law asked (the chain asks every cell of a window in a row) and redone
 * when a new cell brings new bounds. (Before: each window built its own step curve of R over all
 * its n — sorting its breakpoints — and read it per cell by bisection; profile of the lab's first
 * visit, 2026-12-04 21:00 UTC: that curve's construction 23% of the CPU, the bisection 14%.)
 *
 * The values are those of the per-window curve up to the summing order (rounding, ~1e-15
 * relative): the same terms in the same formula, summed by bucket and n instead of by breakpoint.
 * The buckets depend on the cells asked so far, so their sums are kept as double-doubles (Knuth's
 * TwoSum; Ogita, Rump & Oishi, "Accurate sum and dot product", SIAM J. Sci. Comput. 26, 2005):
 * every cell's sums are then the exact sums rounded once (up to ~1e-32 relative), whatever the
 * buckets — so an answer does not depend, even in its last bit, on which cells or settings the
 * memo saw before (evaluateExact.test.ts's memo test compares tallies bit for bit).
 *
 * Storage: blocks of `blockSize` consecutive n, each built whole when a window first reads it
 * (never copied or grown: the windows of a rollout's stages reach ever larger n as the share
 * grows), holding ≈ 5 numbers per n plus its steps (a few), whatever the node count.
 */
import { firstAtOrAfter } from '../firstAtOrAfter.ts';

/** The part of a historical check that depends on the candidate's request count n alone. */
export interface CheckRow {
  /** P(every other rule passes | n): the other count metrics and the latency group. */
  other: number;
  /** P(Bin(n, p) ≤ t(n, low)): the varying metric's pass probability at the low end of the rate's range. */
  atLow: number;
  /** The breakpoints R*(x, n) at each step of t(n, ·) over the range (the matrix turns them into β_x = P(R < R*(x, n))). */
  rates: readonly number[];
  /** P(Bin(n, p) = x) at each step (the pass probability's jump there). */
  jumps: readonly number[];
  /** Mass the truncated sums behind this row left out (the other factors' and the binomial row's). */
  neglected: number;
}

/** One window's check read from the matrix (the caller adds the Poisson law's own left-out mass). */
export interface CellCheck {
  /** P(n < minRequests) (or n = 0). */
  hold: number;
  /** P(n ≥ minRequests and n > 0): pass + fail. */
  checked: number;
  pass: number;
  neglected: number;
}

/** Consecutive request counts per block. */
const blockSize = 256;

/** The rows of `blockSize` consecutive n. */
interface Block {
  other: Float64Array;
  atLow: Float64Array;
  neglected: Float64Array;
  /** Row i's steps are stepBelow/stepJumps[stepStart[i] … stepStart[i] + stepCount[i]) of the matrix (β and jumps). */
  stepStart: Int32Array;
  stepCount: Int32Array;
  /** The block's steps are [stepsFrom, stepsTo) of the matrix's. */
  stepsFrom: number;
  stepsTo: number;
  /** The bounds' version the steps' buckets (the matrix's stepSlot) were found for; −1: not yet. */
  slotVersion: number;
}

/**
 * Double-double prefix sums in place: slot k + 1 holds bucket k's (high, low) sum on entry and the
 * sum of buckets 0 … k on return (slot 0 stays 0). Each addition by TwoSum, renormalised.
 */
function prefixInPlace(high: Float64Array, low: Float64Array): void {
  for (let k = 1; k < high.length; k++) {
    const a = high[k - 1];
    const b = high[k];
    const sum = a + b;
    const virtual = sum - a;
    const error = a - (sum - virtual) + (b - virtual) + low[k - 1] + low[k];
    high[k] = sum + error;
    low[k] = error - (high[k] - sum);
  }
}

/** (bHigh + bLow) − (aHigh + aLow) rounded once: the high parts' difference exactly by TwoSum, then the low parts. */
function difference(bHigh: number, bLow: number, aHigh: number, aLow: number): number {
  const sum = bHigh - aHigh;
  const virtual = sum - bHigh;
  const error = bHigh - (sum - virtual) + (-aHigh - virtual);
  return sum + (error + (bLow - aLow));
}

/**
 * Replaces each of values[from … to) — breakpoint rates r, in any order — by P(R < r), the
 * baseline rate's law (baselineLaw.ts `rateBelow`'s `many`).
 */
export type RatesBelow = (values: Float64Array, from: number, to: number) => void;

/**
 * The matrix of one check's conditions (module comment). `rowAt(n)` builds the row of n (called
 * once per n, only for n ≥ `least`, n > 0), `below` turns a block's breakpoint rates into their
 * β (one call per block); `tails` = [P(R < low), P(R ≤ high)], the cell's part outside the
 * rate's range counted as neglected.
 */
export class CellCheckMatrix {
  private readonly rowAt: (n: number) => CheckRow;
  private readonly below: RatesBelow;
  private readonly least: number;
  private readonly tails: readonly [number, number];
  private readonly blocks: (Block | undefined)[] = [];
  /** The rows' steps in two flat arrays, appended as rows are built: β (the rows' rates until their block is whole) and jumps. */
  private stepBelow = new Float64Array(256);
  private stepJumps = new Float64Array(256);
  /**
   * Each step's bucket among the bounds (its prefix slot, firstAtOrAfter(bounds, β) + 1), found
   * once per block and bounds' version: the windows of a day read the same blocks with the same
   * bounds, and the search was most of a pass's work per step.
   */
  private stepSlot = new Int32Array(256);
  private steps = 0;
  /** The cells' bounds seen so far, sorted, distinct; `version` counts their changes. */
  private readonly bounds: number[] = [];
  private version = 0;
  /** The last window's pass: its law, the bounds' version, its cell-free sums and the buckets' prefix sums. */
  private lastLaw: object | null = null;
  private lastVersion = -1;
  private lastHold = 0;
  private lastChecked = 0;
  private lastNeglected = 0;
  private lastAtLow = 0;
  /** Prefix sums of the buckets' step weights (mass) and weights × β (moment), each as a double-double (high + low part). */
  private massHigh = new Float64Array(1);
  private massLow = new Float64Array(1);
  private momentHigh = new Float64Array(1);
  private momentLow = new Float64Array(1);
  /** What `window` returns (overwritten by each call). */
  private readonly result: CellCheck = { hold: 0, checked: 0, pass: 0, neglected: 0 };

  constructor(rowAt: (n: number) => CheckRow, below: RatesBelow, least: number, tails: readonly [number, number]) {
    this.rowAt = rowAt;
    this.below = below;
    this.least = Math.max(1, least);
    this.tails = tails;
  }

  /** Doubles held (rows and steps), for the memo's budget. */
  get size(): number {
    let blocks = 0;
    for (const block of this.blocks) if (block) blocks++;
    return blocks * blockSize * 4 + 2.5 * this.stepBelow.length;
  }

  /**
   * The check of a window whose request count has law `law` (pmf[i] = P(n = first + i)), averaged
   * over the cell U ∈ [from, to] (from < to). The object returned is the matrix's own, overwritten
   * by its next call: read it at once (one object a window and cell was a tenth of the first
   * visit's sampled allocation, with the reference's values in healthCheckLaw.ts). Cost:
   * O(log bounds) when the window's pass is kept, else the pass (module comment); each new block
   * of n costs its rows.
   */
  window(law: { first: number; pmf: ArrayLike<number> }, from: number, to: number): CellCheck {
    this.addBound(from);
    this.addBound(to);
    if (law !== this.lastLaw || this.version !== this.lastVersion) this.pass(law);
    const bounds = this.bounds;
    // Buckets 0 … a hold the steps with β ≤ from (whole), a + 1 … b those with from < β ≤ to (part).
    const a = firstAtOrAfter(bounds, from) + 1;
    const b = firstAtOrAfter(bounds, to) + 1;
    const whole = this.massHigh[a] + this.massLow[a];
    const partMass = difference(this.massHigh[b], this.massLow[b], this.massHigh[a], this.massLow[a]);
    const partMoment = difference(this.momentHigh[b], this.momentLow[b], this.momentHigh[a], this.momentLow[a]);
    const width = to - from;
    const pass = this.lastAtLow + whole + Math.max(0, partMass * to - partMoment) / width;
    const outside = (Math.max(0, Math.min(to, this.tails[0]) - from) + Math.max(0, to - Math.max(from, this.tails[1]))) / width;
    const result = this.result;
    result.hold = this.lastHold;
    result.checked = this.lastChecked;
    result.pass = pass;
    result.neglected = this.lastNeglected + outside;
    return result;
  }

  /** One pass over the window's n: the cell-free sums and the buckets' sums of step weights (module comment). */
  private pass(law: { first: number; pmf: ArrayLike<number> }): void {
    const lawFirst = law.first;
    const pmf = law.pmf;
    const checkedFirst = Math.max(lawFirst, this.least);
    const checkedEnd = lawFirst + pmf.length;
    const bounds = this.bounds;
    const buckets = bounds.length + 1;
    // The last pass's arrays, cleared, when the bounds are as many (a pass per window: no garbage);
    // the last law forgotten until this pass completes.
    this.lastLaw = null;
    if (this.massHigh.length !== buckets + 1) {
      this.massHigh = new Float64Array(buckets + 1);
      this.massLow = new Float64Array(buckets + 1);
      this.momentHigh = new Float64Array(buckets + 1);
      this.momentLow = new Float64Array(buckets + 1);
    } else {
      this.massHigh.fill(0);
      this.massLow.fill(0);
      this.momentHigh.fill(0);
      this.momentLow.fill(0);
    }
    const massHigh = this.massHigh;
    const massLow = this.massLow;
    const momentHigh = this.momentHigh;
    const momentLow = this.momentLow;
    let hold = 0;
    for (let i = 0; i < pmf.length && lawFirst + i < checkedFirst; i++) hold += pmf[i];
    let checked = 0;
    let neglected = 0;
    let atLow = 0;
    for (let n = checkedFirst; n < checkedEnd; ) {
      const blockIndex = Math.floor(n / blockSize);
      const block = this.block(blockIndex);
      if (block.slotVersion !== this.version) this.placeSteps(block);
      const base = blockIndex * blockSize;
      const end = Math.min(checkedEnd, base + blockSize);
      for (; n < end; n++) {
        const i = n - base;
        const weight = pmf[n - lawFirst];
        checked += weight;
        neglected += weight * block.neglected[i];
        const weighted = weight * block.other[i];
        if (weighted === 0) continue;
        atLow += weighted * block.atLow[i];
        const start = block.stepStart[i];
        const stop = start + block.stepCount[i];
        for (let j = start; j < stop; j++) {
          const beta = this.stepBelow[j];
          // Bucket k (stored at k + 1, the prefix's slot) by Knuth's TwoSum: the high part the
          // rounded sum, the low part collecting each addition's exact rounding error.
          const slot = this.stepSlot[j];
          const step = weighted * this.stepJumps[j];
          let high = massHigh[slot];
          let sum = high + step;
          let virtual = sum - high;
          massLow[slot] += high - (sum - virtual) + (step - virtual);
          massHigh[slot] = sum;
          const moment = step * beta;
          high = momentHigh[slot];
          sum = high + moment;
          virtual = sum - high;
          momentLow[slot] += high - (sum - virtual) + (moment - virtual);
          momentHigh[slot] = sum;
        }
      }
    }
    prefixInPlace(massHigh, massLow);
    prefixInPlace(momentHigh, momentLow);
    this.lastLaw = law;
    this.lastVersion = this.version;
    this.lastHold = hold;
    this.lastChecked = checked;
    this.lastNeglected = neglected;
    this.lastAtLow = atLow;
  }

  /** Adds a cell bound (kept sorted and distinct). */
  private addBound(value: number): void {
    const index = firstAtOrAfter(this.bounds, value);
    if (this.bounds[index] === value) return;
    this.bounds.splice(index, 0, value);
    this.version++;
  }

  private fill(block: Block, i: number, n: number): void {
    const row = this.rowAt(n);
    block.other[i] = row.other;
    block.atLow[i] = row.atLow;
    block.neglected[i] = row.neglected;
    const count = row.rates.length;
    if (this.steps + count > this.stepBelow.length) {
      const length = Math.max(this.steps + count, 2 * this.stepBelow.length);
      const below = new Float64Array(length);
      const jumps = new Float64Array(length);
      const slots = new Int32Array(length);
      below.set(this.stepBelow.subarray(0, this.steps));
      jumps.set(this.stepJumps.subarray(0, this.steps));
      slots.set(this.stepSlot.subarray(0, this.steps));
      this.stepBelow = below;
      this.stepJumps = jumps;
      this.stepSlot = slots;
    }
    for (let j = 0; j < count; j++) {
      this.stepBelow[this.steps + j] = row.rates[j];
      this.stepJumps[this.steps + j] = row.jumps[j];
    }
    block.stepStart[i] = this.steps;
    block.stepCount[i] = count;
    this.steps += count;
  }

  /** Block `index`, its rows (n ≥ least) built whole on first use, their steps' rates then turned into β in one batch. */
  private block(index: number): Block {
    let block = this.blocks[index];
    if (!block) {
      while (this.blocks.length < index) this.blocks.push(undefined);
      block = {
        other: new Float64Array(blockSize),
        atLow: new Float64Array(blockSize),
        neglected: new Float64Array(blockSize),
        stepStart: new Int32Array(blockSize),
        stepCount: new Int32Array(blockSize),
        stepsFrom: this.steps,
        stepsTo: this.steps,
        slotVersion: -1,
      };
      this.blocks[index] = block;
      for (let i = Math.max(0, this.least - index * blockSize); i < blockSize; i++) this.fill(block, i, index * blockSize + i);
      block.stepsTo = this.steps;
      this.below(this.stepBelow, block.stepsFrom, block.stepsTo);
    }
    return block;
  }

  /** Finds the bucket of each of the block's steps among the current bounds. */
  private placeSteps(block: Block): void {
    const bounds = this.bounds;
    for (let j = block.stepsFrom; j < block.stepsTo; j++) this.stepSlot[j] = firstAtOrAfter(bounds, this.stepBelow[j]) + 1;
    block.slotVersion = this.version;
  }
}
