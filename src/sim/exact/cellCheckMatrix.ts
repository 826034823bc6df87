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
 * (baselineLaw.ts: R = F⁻¹(U), U uniform on the cell). So the per-n part (`CheckRow`: other(n),
 * P(Bin ≤ t(n, low)), the steps' β_x and jumps) is built once per n, c(n, cell) once per
 * (n, cell), and each window's check is a dot product of its Poisson weights with c(·, cell):
 * O(range of n) per window and cell, no breakpoint sorting, no bisection. (Before: each window
 * built its own step curve of R over all its n — sorting its breakpoints — and read it per cell
 * by bisection; profile of the lab's first visit, 2026-12-04 21:00 UTC: `buildCurve` 23% of the
 * CPU, the bisection 14%.)
 *
 * The values are those of the per-window curve up to the summing order (rounding, ~1e-15
 * relative): the same terms, grouped by n instead of by breakpoint.
 *
 * Storage: blocks of `blockSize` consecutive n, built whole when a window first reads one (never
 * copied or grown: the windows of a rollout's stages reach ever larger n as the share grows), each
 * holding its rows and one column per cell: ≈ 8 bytes × (n held) × (cells + 4) per matrix, plus
 * the rows' steps (a few per n). A window's read is then a plain dot product over its blocks.
 */

/** The part of a historical check that depends on the candidate's request count n alone. */
export interface CheckRow {
  /** P(every other rule passes | n): the other count metrics and the latency group. */
  other: number;
  /** P(Bin(n, p) ≤ t(n, low)): the varying metric's pass probability at the low end of the rate's range. */
  atLow: number;
  /** β_x = P(R < R*(x, n)) at each step of t(n, ·) over the range, non-decreasing. */
  below: readonly number[];
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

/** The rows and cell columns of `blockSize` consecutive n. */
interface Block {
  other: Float64Array;
  atLow: Float64Array;
  neglected: Float64Array;
  known: Uint8Array;
  /** Row i's steps are steps[stepStart[i] … stepStart[i] + stepCount[i]) of the matrix's flat arrays. */
  stepStart: Int32Array;
  stepCount: Int32Array;
  /** By cell id: c(n, cell) for the block's n (built whole on the cell's first read here). */
  cells: (Float64Array | undefined)[];
}

/**
 * The matrix of one check's conditions (module comment). `rowAt(n)` builds the row of n (called
 * once per n, only for n ≥ `least`, n > 0); `tails` = [P(R < low), P(R ≤ high)], the cell's part
 * outside the rate's range counted as neglected.
 */
export class CellCheckMatrix {
  private readonly rowAt: (n: number) => CheckRow;
  private readonly least: number;
  private readonly tails: readonly [number, number];
  private readonly blocks: (Block | undefined)[] = [];
  /** Cell ids by their bounds (from → to → id). */
  private readonly cellIds = new Map<number, Map<number, number>>();
  private cellCount = 0;
  /** Doubles held, for the memo's budget. */
  private held = 0;
  /**
   * The rows' steps in two flat arrays, appended as rows are built (per-row arrays were 10⁵ small
   * objects per matrix, and the collector's work).
   */
  private stepBelow = new Float64Array(256);
  private stepJumps = new Float64Array(256);
  private steps = 0;
  /** The last law a window was read for, and its sums that do not depend on the cell. */
  private lastLaw: object | null = null;
  private lastHold = 0;
  private lastChecked = 0;
  private lastNeglected = 0;

  constructor(rowAt: (n: number) => CheckRow, least: number, tails: readonly [number, number]) {
    this.rowAt = rowAt;
    this.least = Math.max(1, least);
    this.tails = tails;
  }

  /** Doubles held (rows, cell columns, steps), for the memo's budget. */
  get size(): number {
    return this.held + 2 * this.stepBelow.length;
  }

  /**
   * The check of a window whose request count has law `law` (pmf[i] = P(n = first + i)), averaged
   * over the cell U ∈ [from, to] (from < to). Cost: O(range of the law) multiply-adds once its
   * blocks and the cell's columns there are built; the hold, checked and neglected sums are kept
   * for the last law asked (the chain asks every cell of a window in a row).
   */
  window(law: { first: number; pmf: ArrayLike<number> }, from: number, to: number): CellCheck {
    const lawFirst = law.first;
    const pmf = law.pmf;
    const checkedFirst = Math.max(lawFirst, this.least);
    const checkedEnd = lawFirst + pmf.length;
    if (law !== this.lastLaw) {
      let hold = 0;
      for (let i = 0; i < pmf.length && lawFirst + i < checkedFirst; i++) hold += pmf[i];
      let checked = 0;
      let neglected = 0;
      for (let n = checkedFirst; n < checkedEnd; ) {
        const blockIndex = Math.floor(n / blockSize);
        const block = this.block(blockIndex);
        const base = blockIndex * blockSize;
        const end = Math.min(checkedEnd, base + blockSize);
        for (; n < end; n++) {
          const weight = pmf[n - lawFirst];
          checked += weight;
          neglected += weight * block.neglected[n - base];
        }
      }
      this.lastLaw = law;
      this.lastHold = hold;
      this.lastChecked = checked;
      this.lastNeglected = neglected;
    }
    const id = this.cellId(from, to);
    let pass = 0;
    for (let n = checkedFirst; n < checkedEnd; ) {
      const blockIndex = Math.floor(n / blockSize);
      const block = this.block(blockIndex);
      const column = this.column(block, id, from, to);
      const base = blockIndex * blockSize;
      const end = Math.min(checkedEnd, base + blockSize);
      const shift = base - lawFirst;
      for (let i = n - base; i < end - base; i++) pass += pmf[i + shift] * column[i];
      n = end;
    }
    const outside = (Math.max(0, Math.min(to, this.tails[0]) - from) + Math.max(0, to - Math.max(from, this.tails[1]))) / (to - from);
    return { hold: this.lastHold, checked: this.lastChecked, pass, neglected: this.lastNeglected + outside };
  }

  /** c(n, cell) from row i of `block` (module comment). */
  private cellValue(block: Block, i: number, from: number, to: number, width: number): number {
    const other = block.other[i];
    if (other === 0) return 0;
    const below = this.stepBelow;
    const jumps = this.stepJumps;
    const start = block.stepStart[i];
    const end = start + block.stepCount[i];
    let whole = 0;
    let part = 0;
    for (let j = start; j < end; j++) {
      const beta = below[j];
      if (beta <= from) whole += jumps[j];
      else if (beta < to) part += jumps[j] * (to - beta);
      else break;
    }
    return other * (block.atLow[i] + whole + Math.max(0, part) / width);
  }

  private fill(block: Block, i: number, n: number): void {
    const row = this.rowAt(n);
    block.other[i] = row.other;
    block.atLow[i] = row.atLow;
    block.neglected[i] = row.neglected;
    const count = row.below.length;
    if (this.steps + count > this.stepBelow.length) {
      const length = Math.max(this.steps + count, 2 * this.stepBelow.length);
      const below = new Float64Array(length);
      const jumps = new Float64Array(length);
      below.set(this.stepBelow.subarray(0, this.steps));
      jumps.set(this.stepJumps.subarray(0, this.steps));
      this.stepBelow = below;
      this.stepJumps = jumps;
    }
    for (let j = 0; j < count; j++) {
      this.stepBelow[this.steps + j] = row.below[j];
      this.stepJumps[this.steps + j] = row.jumps[j];
    }
    block.stepStart[i] = this.steps;
    block.stepCount[i] = count;
    this.steps += count;
    block.known[i] = 1;
  }

  /** The id of the cell [from, to] (new ids in order of first use). */
  private cellId(from: number, to: number): number {
    let byTo = this.cellIds.get(from);
    if (!byTo) {
      byTo = new Map();
      this.cellIds.set(from, byTo);
    }
    let id = byTo.get(to);
    if (id === undefined) {
      id = this.cellCount++;
      byTo.set(to, id);
    }
    return id;
  }

  private block(index: number): Block {
    let block = this.blocks[index];
    if (!block) {
      while (this.blocks.length < index) this.blocks.push(undefined);
      block = {
        other: new Float64Array(blockSize),
        atLow: new Float64Array(blockSize),
        neglected: new Float64Array(blockSize),
        known: new Uint8Array(blockSize),
        stepStart: new Int32Array(blockSize),
        stepCount: new Int32Array(blockSize),
        cells: [],
      };
      this.blocks[index] = block;
      this.held += 4 * blockSize;
      // Every row of the block at once (n ≥ least), so that its columns are built whole and the
      // windows' dot products run without checks: at most a block's rows beyond what windows read.
      for (let i = Math.max(0, this.least - index * blockSize); i < blockSize; i++) this.fill(block, i, index * blockSize + i);
    }
    return block;
  }

  /** The block's column of cell `id` = [from, to], built whole on first use (0 below `least`). */
  private column(block: Block, id: number, from: number, to: number): Float64Array {
    let column = block.cells[id];
    if (column === undefined) {
      while (block.cells.length < id) block.cells.push(undefined);
      column = new Float64Array(blockSize);
      const width = to - from;
      for (let i = 0; i < blockSize; i++) if (block.known[i] === 1) column[i] = this.cellValue(block, i, from, to, width);
      block.cells[id] = column;
      this.held += blockSize;
    }
    return column;
  }
}
