/**
 * Makes sure the compiled workers in dist/ are up to date before tests start real
 * `worker_threads` (which run JavaScript, not TypeScript): if any source file under workers/,
 * src/engine or src/sim is newer than the oldest compiled worker file, or one is missing, runs
 * `tsc -p tsconfig.cli.json` (which emits even when other files have type errors). Test files
 * run in parallel: a lock directory makes one of them build while the others wait, so that no
 * worker loads a file that tsc is rewriting.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../', import.meta.url));
const compiled = [
  'shardEndpoint.js',
  'exposeOnNodeThread.js',
  'simulationEndpoint.js',
  'simulation.node-worker.js',
  'tuningEndpoint.js',
  'tuning.node-worker.js',
].map((file) => join(root, 'dist', 'workers', file));

function newestSource(directory: string): number {
  let newest = 0;
  for (const entry of readdirSync(directory, { withFileTypes: true })) {
    const path = join(directory, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestSource(path));
    else if (entry.name.endsWith('.ts')) newest = Math.max(newest, statSync(path).mtimeMs);
  }
  return newest;
}

const lock = join(root, 'dist', '.workers-build.lock');

function sleep(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/** Compiles the CLI configuration if the compiled workers are missing or older than their sources. */
export function buildWorkersIfStale(): void {
  mkdirSync(join(root, 'dist'), { recursive: true });
  const deadline = Date.now() + 120_000;
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch {
      // Another test file is building; a lock older than the deadline is taken as abandoned.
      if (Date.now() > deadline) break;
      sleep(100);
    }
  }
  try {
    buildIfStale();
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

function buildIfStale(): void {
  const sources = Math.max(...['workers', 'src/engine', 'src/sim'].map((directory) => newestSource(join(root, directory))));
  const stale = compiled.some((file) => !existsSync(file) || statSync(file).mtimeMs < sources);
  if (!stale) return;
  try {
    execFileSync(process.execPath, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', join(root, 'tsconfig.cli.json')], {
      cwd: root,
      stdio: 'pipe',
    });
  } catch (error) {
    // Type errors elsewhere do not stop tsc from emitting; only missing output is fatal.
    if (compiled.some((file) => !existsSync(file))) throw error;
  }
}
