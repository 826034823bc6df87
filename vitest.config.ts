import { defineConfig } from 'vitest/config';

export default defineConfig({
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
