// First load, as a learner meets it: from a cold browser context to a console that has
// answered a command. The page issue asks for under 1.5 s from a local static server.
import { test, expect } from '@playwright/test';

const BUDGET_MS = 1500;

test('first load reaches an interactive console quickly', async ({ browser, baseURL }, testInfo) => {
  test.skip(testInfo.project.name !== 'root', 'measured once');
  const times = [];
  for (let i = 0; i < 3; i++) {
    // A new context each time: empty cache, no service worker, no saved session.
    const context = await browser.newContext({ baseURL });
    const page = await context.newPage();
    const started = Date.now();
    await page.goto('./');
    const input = page.getByTestId('console-input');
    await input.fill('kubectl get nodes');
    await input.press('Enter');
    await expect(page.getByTestId('console-output')).toContainText('control-plane   Ready');
    times.push(Date.now() - started);
    await context.close();
  }
  times.sort((a, b) => a - b);
  const median = times[1];
  console.log(`first load to an answered command: ${times.join(' ms, ')} ms (median ${median} ms)`);
  testInfo.annotations.push({ type: 'first-load-ms', description: String(median) });
  expect(median).toBeLessThan(BUDGET_MS);
});
