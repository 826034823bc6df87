/**
 * A benchmark page in Chromium: builds `bench/NAME.html` with the app's Vite config into
 * `outDir`, serves it with `vite preview` on a free port, opens it in Debian's Chromium
 * (`CHROME_PATH` overrides, as in the browser tests) and waits until the page defines
 * `globalThis.benchmark`. The browser-pool and exact-lab entries share it; `close` stops both.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { chromium, type Page } from 'playwright-core';
import { build, preview } from 'vite';

/** The project root, from the source (bench/) or the compiled entry (dist/bench/). */
export const projectRoot = fileURLToPath(
  new URL(existsSync(fileURLToPath(new URL('../vite.config.ts', import.meta.url))) ? '../' : '../../', import.meta.url),
);

export interface BenchPage {
  page: Page;
  /** Uncaught errors of the page so far (a benchmark fails when there are any). */
  problems: string[];
  close(): Promise<void>;
}

export async function openBenchPage(name: string, outDir: string): Promise<BenchPage> {
  const root = projectRoot;
  await build({
    root,
    configFile: `${root}/vite.config.ts`,
    logLevel: 'error',
    build: { outDir, emptyOutDir: true, rollupOptions: { input: `${root}/bench/${name}.html` } },
  });
  const server = await preview({
    root,
    configFile: `${root}/vite.config.ts`,
    appType: 'mpa',
    build: { outDir },
    preview: { port: 0, host: '127.0.0.1', strictPort: false },
    logLevel: 'silent',
  });
  const browser = await chromium.launch({
    executablePath: process.env.CHROME_PATH || '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update'],
  });
  const close = async () => {
    await browser.close();
    await new Promise<void>((resolve) => server.httpServer.close(() => resolve()));
  };
  try {
    const address = server.httpServer.address();
    if (!address || typeof address === 'string') throw new Error('the preview server has no port');
    const page = await browser.newPage();
    const problems: string[] = [];
    page.on('pageerror', (error) => problems.push(error.message));
    await page.goto(`http://127.0.0.1:${address.port}/bench/${name}.html`);
    await page.waitForFunction(() => 'benchmark' in globalThis);
    return { page, problems, close };
  } catch (error) {
    await close();
    throw error;
  }
}
