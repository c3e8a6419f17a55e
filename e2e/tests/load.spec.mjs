// First load, as a learner meets it: from a cold browser context to a console that has
// answered a command, median of five loads from a local static server. The answer is
// looked for on every animation frame, so the figure is the page's time, not the test's
// polling interval. Issue 20 aims at 600 ms; on a busy 2-core machine loads take
// 850-1,000 ms, so the budget keeps a margin over that.
import { test, expect } from '@playwright/test';

const LOADS = 5;
const BUDGET_MS = 1500;

test('first load reaches an interactive console quickly', async ({ browser, baseURL }, testInfo) => {
  test.skip(testInfo.project.name !== 'root', 'measured once');
  const times = [];
  const inPage = [];
  for (let i = 0; i < LOADS; i++) {
    // A new context each time: empty cache, no service worker, no saved session.
    const context = await browser.newContext({ baseURL });
    const page = await context.newPage();
    const started = Date.now();
    await page.goto('./');
    const input = page.getByTestId('console-input');
    await input.fill('kubectl get nodes');
    await input.press('Enter');
    const answered = await page.waitForFunction(
      () => document.querySelector('[data-testid="console-output"]')?.textContent.includes('control-plane   Ready')
        && Math.round(performance.now()),
      null,
      { polling: 'raf', timeout: 10_000 },
    );
    times.push(Date.now() - started);
    inPage.push(await answered.jsonValue());
    await context.close();
  }
  const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  console.log(
    `first load to an answered command: ${times.join(' ms, ')} ms (median ${median(times)} ms); ` +
      `by the page's clock from navigation: median ${median(inPage)} ms`,
  );
  testInfo.annotations.push({ type: 'first-load-ms', description: String(median(times)) });
  expect(median(times)).toBeLessThan(BUDGET_MS);
});
