// First paint before the engine: index.html draws the page's frame and "Starting the
// cluster…" at once, even on a slow line; the app replaces it; without JavaScript a
// <noscript> line explains why nothing runs. The page runs under its Content-Security-Policy.
import { test, expect } from '@playwright/test';
import { run } from './console-helpers.mjs';

test('the frame shows within 300 ms at 10 Mbit/s, then the app replaces it', async ({ page }) => {
  // Warm the browser up on the same origin, so the time measured is the page's own.
  await page.goto('./favicon.svg');
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Network.enable');
  await cdp.send('Network.emulateNetworkConditions', {
    offline: false,
    latency: 20,
    downloadThroughput: (10 * 1024 * 1024) / 8,
    uploadThroughput: (5 * 1024 * 1024) / 8,
  });
  await page.goto('./', { waitUntil: 'commit' });
  await expect(page.locator('#boot')).toBeVisible();
  await expect(page.locator('#boot')).toContainText('Starting the cluster…');
  await expect(page.locator('#boot')).toContainText('클러스터를 시작하는 중…');
  const paint = await page.evaluate(
    () =>
      new Promise((done) => {
        const found = () => performance.getEntriesByName('first-contentful-paint')[0];
        if (found()) return done(found().startTime);
        new PerformanceObserver(() => found() && done(found().startTime)).observe({ type: 'paint', buffered: true });
      }),
  );
  expect(paint).toBeLessThan(300);
  // The app takes over: the frame goes, the console comes.
  await expect(page.getByTestId('console-input')).toBeVisible({ timeout: 20_000 });
  await expect(page.locator('#boot')).toHaveCount(0);
});

test('the wasm comes precompressed when the host serves the build\'s .br copies', async ({ page }) => {
  const sizes = {};
  page.on('response', async (r) => {
    if (r.url().endsWith('.wasm')) sizes.encoding = (await r.allHeaders())['content-encoding'];
  });
  await page.goto('./');
  await expect(page.getByTestId('console-input')).toBeVisible();
  expect(sizes.encoding).toBe('br');
});

test('the page works under its Content-Security-Policy', async ({ page }) => {
  const violations = [];
  page.on('console', (m) => {
    if (/Content Security Policy|Content-Security-Policy/i.test(m.text())) violations.push(m.text());
  });
  await page.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (e) => console.log(`Content Security Policy: ${e.violatedDirective} ${e.blockedURI}`));
  });
  await page.goto('./');
  const policy = await page.locator('meta[http-equiv="Content-Security-Policy"]').getAttribute('content');
  expect(policy).toContain("script-src 'self' 'wasm-unsafe-eval' 'sha256-");
  expect(policy).toContain("worker-src 'self' blob:");
  expect(policy).not.toContain("'unsafe-eval'");
  // The engine (a worker from a blob: URL, compiling wasm) answers.
  await run(page, 'kubectl get nodes');
  await expect(page.getByTestId('console-output')).toContainText('control-plane   Ready');
  expect(violations).toEqual([]);
});

test('without JavaScript a line says what the page needs', async ({ browser, baseURL }) => {
  const context = await browser.newContext({ javaScriptEnabled: false });
  const page = await context.newPage();
  await page.goto(baseURL);
  await expect(page.locator('.noscript')).toBeVisible();
  await expect(page.locator('.noscript')).toContainText('it needs JavaScript and WebAssembly turned on');
  await context.close();
});
