// Headless Chromium for the browser tests: the system's (Debian's `chromium` package, which
// .ci/run installs), driven by playwright-core; nothing is downloaded.
import { existsSync } from 'node:fs';
import { chromium, type Browser, type BrowserContext } from 'playwright-core';

const CANDIDATES = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome', '/usr/bin/google-chrome-stable'];

/** The Chromium binary: CHROMIUM_PATH, else the usual system paths; undefined when none is installed. */
export function findChromium(): string | undefined {
  const named = process.env.CHROMIUM_PATH;
  if (named !== undefined && named !== '') return existsSync(named) ? named : undefined;
  return CANDIDATES.find((path) => existsSync(path));
}

/**
 * Whether the browser tests can run here. Without Chromium they are skipped with a loud
 * message, except in CI (CI=true), where a missing browser fails them.
 */
export function browserAvailable(): boolean {
  if (findChromium() !== undefined) return true;
  const message =
    'BROWSER TESTS NOT RUN: no Chromium found (install the Debian package `chromium`, or set CHROMIUM_PATH). ' +
    'The dashboard, the SDK in a browser and /docs are untested in this run.';
  if (process.env.CI === 'true' || process.env.CI === '1') throw new Error(`${message} In CI this is a failure.`);
  console.warn(`\n${'!'.repeat(100)}\n${message}\n${'!'.repeat(100)}\n`);
  return false;
}

export function launchChromium(): Promise<Browser> {
  const executablePath = findChromium();
  if (executablePath === undefined) throw new Error('no Chromium');
  // --no-sandbox: CI runs as root, where Chromium's sandbox refuses to start.
  return chromium.launch({ executablePath, args: ['--no-sandbox', '--disable-dev-shm-usage', '--disable-gpu'], timeout: 30_000 });
}

/**
 * A context whose pages may reach loopback only: any other request is aborted and recorded,
 * so a test can assert that a page needs nothing from outside (no CDN, no fonts, no telemetry).
 */
export async function loopbackOnly(browser: Browser): Promise<{ context: BrowserContext; outside: string[] }> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const outside: string[] = [];
  await context.route('**/*', (route) => {
    const url = new URL(route.request().url());
    if (url.protocol === 'data:' || url.protocol === 'blob:' || url.hostname === '127.0.0.1' || url.hostname === 'localhost') return route.continue();
    outside.push(url.href);
    return route.abort();
  });
  return { context, outside };
}
