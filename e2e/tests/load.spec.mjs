// First load, as a learner meets it: from a cold browser context to a console that has
// answered a command, median of five loads from a local static server. Two figures:
//  - the page's: a script in the page types the command on the first frame that shows the
//    console and looks for the answer on every frame after (what a person at the keyboard
//    waits for; issue 20 aims at 600 ms);
//  - Playwright's: the test types through the browser protocol, as the other tests do; each
//    step is a round trip to this process, which on a busy 2-core machine adds 100-200 ms.
// The budgets keep a margin over what a busy machine measures.
import { test, expect } from '@playwright/test';

const LOADS = 5;
const PAGE_BUDGET_MS = 1200;
const DRIVEN_BUDGET_MS = 1500;
const COMMAND = 'kubectl get nodes';
const ANSWER = 'control-plane   Ready';

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** A new context each time: empty cache, no service worker, no saved session. */
async function coldPage(browser, baseURL, typist) {
  const context = await browser.newContext({ baseURL });
  if (typist) await context.addInitScript(typeOnFirstFrame, { command: COMMAND, answer: ANSWER });
  return { context, page: await context.newPage() };
}

/** Runs in the page: types `command` once the console shows, notes when `answer` shows. */
function typeOnFirstFrame({ command, answer }) {
  const output = () => document.querySelector('[data-testid="console-output"]')?.textContent ?? '';
  const waitForAnswer = () => {
    if (output().includes(answer)) window.__answeredAt = performance.now();
    else requestAnimationFrame(waitForAnswer);
  };
  const type = () => {
    const input = document.querySelector('[data-testid="console-input"]');
    if (!input) return requestAnimationFrame(type);
    input.value = command;
    input.dispatchEvent(new InputEvent('input', { bubbles: true }));
    input.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', bubbles: true }));
    waitForAnswer();
  };
  requestAnimationFrame(type);
}

test('first load reaches an interactive console quickly', async ({ browser, baseURL }, testInfo) => {
  test.skip(testInfo.project.name !== 'root', 'measured once');
  const inPage = [];
  for (let i = 0; i < LOADS; i++) {
    const { context, page } = await coldPage(browser, baseURL, true);
    await page.goto('./');
    const answered = await page.waitForFunction(() => window.__answeredAt, null, { timeout: 10_000 });
    inPage.push(Math.round(await answered.jsonValue()));
    await context.close();
  }
  const driven = [];
  for (let i = 0; i < LOADS; i++) {
    const { context, page } = await coldPage(browser, baseURL, false);
    const started = Date.now();
    await page.goto('./');
    await page.waitForFunction(() => document.querySelector('[data-testid="console-input"]'), null, {
      polling: 'raf',
      timeout: 10_000,
    });
    const input = page.getByTestId('console-input');
    await input.fill(COMMAND);
    await input.press('Enter');
    await page.waitForFunction(
      (answer) => document.querySelector('[data-testid="console-output"]')?.textContent.includes(answer),
      ANSWER,
      { polling: 'raf', timeout: 10_000 },
    );
    driven.push(Date.now() - started);
    await context.close();
  }
  console.log(
    `first load to an answered command: typed in the page ${inPage.join(' ms, ')} ms (median ${median(inPage)} ms ` +
      `from navigation); typed by Playwright ${driven.join(' ms, ')} ms (median ${median(driven)} ms)`,
  );
  testInfo.annotations.push({ type: 'first-load-ms', description: String(median(inPage)) });
  expect(median(inPage)).toBeLessThan(PAGE_BUDGET_MS);
  expect(median(driven)).toBeLessThan(DRIVEN_BUDGET_MS);
});
