/**
 * Real-browser harness for the end-to-end tests: serves the built app (dist/app, made by
 * `npm run build`) with Vite's preview server on a free loopback port and drives Debian's
 * Chromium through playwright-core (Playwright's own browser downloads are unavailable here).
 * `CHROME_PATH` overrides the browser binary.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { type Browser, chromium, type Page } from 'playwright-core';
import { type PreviewServer, preview } from 'vite';

export const screenshotDir = 'test-results/screenshots';

/**
 * The built app under test: `dist/app`, or `APP_DIR` (an engineer testing their own build
 * while others build theirs in the same checkout: `npx vite build --outDir /tmp/app`).
 */
export const appDir = process.env.APP_DIR || 'dist/app';

export interface AppUnderTest {
  browser: Browser;
  server: PreviewServer;
  url: string;
  /** Opens a fresh page; console errors, failed requests and error responses are collected in `problems`. */
  open(path?: string): Promise<{ page: Page; problems: string[] }>;
  close(): Promise<void>;
}

export function chromePath(): string {
  return process.env.CHROME_PATH || '/usr/bin/chromium';
}

export async function startApp(): Promise<AppUnderTest> {
  if (!existsSync(`${appDir}/index.html`)) throw new Error(`${appDir} is missing: run \`npm run build\` first`);
  mkdirSync(screenshotDir, { recursive: true });
  // The app routes by hash, so no history fallback: a missing file is a 404, not index.html.
  const server = await preview({
    appType: 'mpa',
    build: { outDir: appDir },
    preview: { port: 0, host: '127.0.0.1', strictPort: false },
    logLevel: 'silent',
  });
  const address = server.httpServer.address();
  if (!address || typeof address === 'string') throw new Error('preview server has no port');
  const url = `http://127.0.0.1:${address.port}`;
  const browser = await chromium.launch({
    executablePath: chromePath(),
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  return {
    browser,
    server,
    url,
    async open(path = '/') {
      const context = await browser.newContext();
      const page = await context.newPage();
      const problems: string[] = [];
      page.on('console', (message) => {
        if (message.type() === 'error') problems.push(`console: ${message.text()}`);
      });
      page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
      // A request the page itself aborted (a worker terminated while its script was still
      // loading, because a newer run cancelled it, or a reload) is not a defect; any other
      // failure is, and so is any error status from the server.
      page.on('requestfailed', (request) => {
        const reason = request.failure()?.errorText ?? 'unknown';
        if (reason === 'net::ERR_ABORTED' && request.url().startsWith(url)) return;
        problems.push(`request failed: ${request.url()} (${reason})`);
      });
      page.on('response', (response) => {
        if (response.status() >= 400) problems.push(`HTTP ${response.status()}: ${response.url()}`);
      });
      // The app must work offline: anything leaving loopback is a defect.
      await page.route(/^https?:\/\/(?!127\.0\.0\.1)/, (route) => {
        problems.push(`network request outside loopback: ${route.request().url()}`);
        return route.abort();
      });
      await page.goto(url + path);
      return { page, problems };
    },
    async close() {
      await browser.close();
      await new Promise<void>((resolve) => server.httpServer.close(() => resolve()));
    },
  };
}
