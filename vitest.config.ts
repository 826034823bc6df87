import { defineConfig } from 'vitest/config';
import { notebookCellSources } from './scripts/build/notebookCellSources.ts';

export default defineConfig({
  // The notebooks' code cells get their display text as in the app build (vite.config.ts).
  plugins: [notebookCellSources()],
  test: {
    include: ['test/**/*.test.ts'],
    environment: 'node',
    setupFiles: ['test/setup/fastCheckSeed.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // The browser tests poll the page for results computed by workers; on a loaded 2-core CI
    // machine the default 1 s is a coin toss. A poll that succeeds returns as soon as it does.
    expect: { poll: { timeout: 15_000, interval: 50 } },
  },
});
