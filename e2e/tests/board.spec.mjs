// A person watches the cluster board while typing in the console: pods appear on their
// nodes, turn Running, roll to a new image; time can be paused, stepped and sped up.
import { test, expect } from '@playwright/test';

/** Types a console line and presses Enter. */
async function run(page, line) {
  await page.getByTestId('console-input').click();
  await page.keyboard.type(line);
  await page.keyboard.press('Enter');
}

/** The clock text `HH:MM:SS` as seconds (once the engine has started). */
async function clockSeconds(page) {
  await expect(page.getByTestId('sim-clock')).toHaveText(/^\d+:\d\d:\d\d$/);
  const text = await page.getByTestId('sim-clock').innerText();
  const [h, m, s] = text.trim().split(':').map(Number);
  return h * 3600 + m * 60 + s;
}

/** The pod names of the tiles matching `selector`. */
async function podNames(page, selector) {
  return page.locator(selector).evaluateAll((els) => els.map((e) => e.dataset.pod));
}

/** `web-6d4cf56db6-8xkqz` → `6d4cf56db6`, the ReplicaSet's pod-template-hash. */
const hashOf = (pod) => pod.split('/')[1].split('-').slice(-2, -1)[0];

const webTiles = '[data-testid="pod-tile"][data-pod^="default/web-"]';

test('a deployment appears on the board, turns Running and rolls to a new image', async ({ page }) => {
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.goto('./');
  const board = page.getByTestId('cluster-board');
  await expect(board).toBeVisible();
  await expect(board.locator('[data-testid="node-box"]')).toHaveCount(4);

  await run(page, 'kubectl create deployment web --image=nginx --replicas=3');
  await expect(page.getByTestId('console-output')).toContainText('deployment.apps/web created');
  await expect(page.locator(webTiles)).toHaveCount(3);
  // Tiles sit inside node boxes and carry the pod name as text.
  await expect(page.locator(`[data-testid="node-box"] ${webTiles}`)).toHaveCount(3);
  await expect(page.locator(webTiles).first()).toContainText('web-');

  await page.getByTestId('time-fast').click();
  await expect(page.locator(`${webTiles}[data-status="Running"]`)).toHaveCount(3, { timeout: 15_000 });
  const before = await podNames(page, webTiles);
  const oldHash = hashOf(before[0]);
  expect(before.every((p) => hashOf(p) === oldHash)).toBe(true);

  await run(page, 'kubectl set image deployment/web nginx=nginx:1.27');
  await expect(page.getByTestId('console-output')).toContainText('deployment.apps/web image updated');
  // Old pods leave: their tiles stay a moment, marked leaving, while they shrink away.
  await expect(page.locator(`${webTiles}[data-leaving="true"]`).first()).toBeAttached({ timeout: 15_000 });
  // New pods of a new ReplicaSet arrive; the old ones are gone.
  await expect(async () => {
    const now = await podNames(page, `${webTiles}[data-status="Running"]`);
    const all = await podNames(page, webTiles);
    expect(all).toHaveLength(3);
    expect(now).toHaveLength(3);
    expect(now.some((p) => before.includes(p))).toBe(false);
    expect(new Set(now.map(hashOf)).size).toBe(1);
    expect(hashOf(now[0])).not.toBe(oldHash);
  }).toPass({ timeout: 25_000 });
  expect(errors).toEqual([]);
});

test('a tile opens its describe in the side panel; Esc closes it', async ({ page }) => {
  await page.goto('./');
  await run(page, 'kubectl run hello --image=nginx');
  const tile = page.locator('[data-testid="pod-tile"][data-pod="default/hello"]');
  await expect(tile).toHaveCount(1);
  const panel = page.getByTestId('describe-panel');
  await expect(panel).toBeHidden();

  await tile.click();
  await expect(panel).toBeVisible();
  await expect(panel.locator('pre')).toContainText('Name:');
  await expect(panel.locator('pre')).toContainText('hello');
  await expect(panel.locator('pre')).toContainText('Namespace:');
  await page.keyboard.press('Escape');
  await expect(panel).toBeHidden();

  // Keyboard only: focus the tile, Enter opens it.
  await tile.focus();
  await page.keyboard.press('Enter');
  await expect(panel.locator('pre')).toContainText('hello');
  await expect(page.getByTestId('describe-close')).toBeFocused();
  await page.keyboard.press('Escape');
  await expect(panel).toBeHidden();
  await expect(tile).toBeFocused();

  // A node's header describes the node.
  await page.locator('[data-node="node1"] .node-head').click();
  await expect(panel.locator('pre')).toContainText('Allocated resources:');
  await page.getByTestId('describe-close').click();
  await expect(panel).toBeHidden();
});

test('step moves the clock by 5 s, pause stops it, play runs it again', async ({ page }) => {
  await page.goto('./');
  const controls = page.getByTestId('time-controls');
  await expect(controls).toBeVisible();
  for (const id of ['time-pause', 'time-play', 'time-fast', 'time-step']) {
    await expect(page.getByTestId(id)).toHaveAttribute('aria-label', /.+/);
  }
  await page.getByTestId('time-pause').click();
  await expect(page.getByTestId('time-pause')).toHaveAttribute('aria-pressed', 'true');
  // A tick the engine was already working on when pause was pressed still lands.
  await page.waitForTimeout(300);
  const paused = await clockSeconds(page);
  await page.waitForTimeout(1500);
  expect(await clockSeconds(page)).toBe(paused);

  await page.getByTestId('time-step').click();
  await expect.poll(() => clockSeconds(page)).toBe(paused + 5);
  await page.waitForTimeout(800);
  expect(await clockSeconds(page)).toBe(paused + 5);

  await page.getByTestId('time-play').click();
  await expect.poll(() => clockSeconds(page), { timeout: 5_000 }).toBeGreaterThan(paused + 5);
});

test('a pod that fits nowhere waits in the Unscheduled lane with the scheduler’s reason', async ({ page }) => {
  await page.goto('./');
  await run(page, 'kubectl create deployment huge --image=nginx');
  await run(page, 'kubectl set resources deployment huge --requests=cpu=64');
  const lane = page.getByTestId('unscheduled-lane');
  const tile = lane.locator('[data-testid="pod-tile"][data-status="Pending"]').first();
  await expect(tile).toBeVisible({ timeout: 10_000 });
  await expect(tile).toHaveAttribute('title', /Insufficient cpu/);
  const reason = tile.locator('.pod-reason');
  await expect(reason).toBeHidden();
  await tile.focus();
  await expect(reason).toBeVisible();
  await expect(reason).toContainText('0/4 nodes are available');
});

test('the events feed lists events and filters to warnings or by text', async ({ page }) => {
  await page.goto('./');
  await run(page, 'kubectl run typo --image=ngnix');
  await run(page, 'kubectl run web --image=nginx');
  await page.getByTestId('time-fast').click();
  const feed = page.getByTestId('events-feed');
  await expect(feed).toContainText('pod/typo', { timeout: 10_000 });
  await expect(feed.locator('.event.warning').first()).toBeVisible({ timeout: 10_000 });
  await expect(feed).toContainText('pod/web');

  await page.getByTestId('events-warnings').check();
  await expect(feed.locator('.event').first()).toBeVisible();
  expect(await feed.locator('.event:not(.warning)').count()).toBe(0);
  await expect(feed).not.toContainText('pod/web');
  await page.getByTestId('events-warnings').uncheck();

  await page.getByTestId('events-filter').fill('pod/web');
  await expect(feed).toContainText('Scheduled');
  await expect(feed).not.toContainText('pod/typo');
});

test('console and board sit side by side on a laptop and stack on a phone', async ({ page }) => {
  await page.setViewportSize({ width: 1366, height: 800 });
  await page.goto('./');
  const consoleBox = await page.locator('.console').boundingBox();
  const boardBox = await page.getByTestId('cluster-board').boundingBox();
  // Beside the console (the lesson panel sits over the board below 1800 px), and narrower.
  expect(boardBox.x + boardBox.width).toBeLessThanOrEqual(consoleBox.x);
  expect(boardBox.y).toBeLessThan(consoleBox.y + consoleBox.height);
  expect(consoleBox.width).toBeGreaterThan(boardBox.width);

  await page.setViewportSize({ width: 375, height: 740 });
  const narrowConsole = await page.locator('.console').boundingBox();
  const narrowBoard = await page.getByTestId('cluster-board').boundingBox();
  expect(narrowBoard.y).toBeGreaterThanOrEqual(narrowConsole.y + narrowConsole.height);
  expect(narrowBoard.width).toBeLessThanOrEqual(375);
  // Nothing sticks out sideways.
  const scrollWidth = await page.evaluate(() => document.documentElement.scrollWidth);
  expect(scrollWidth).toBeLessThanOrEqual(375);
});

// A timing assertion on a shared machine: one retry, so that a stray pause late in a long
// run does not fail the build (the failures seen were just over 600 ms in all, in a full
// run's second project; runs alone stay under 430 ms), while a page that is really slower
// fails both tries.
test.describe(() => {
  test.describe.configure({ retries: 1 });
  test('the page stays responsive with 300 pods', async ({ page }, testInfo) => {
    test.setTimeout(180_000);
    await page.goto('./');
    // Main-thread tasks over 50 ms, as Chromium reports them, from when the page has started
    // (its clock shows the engine's time): the page's own start-up is measured by load.spec.
    await expect(page.getByTestId('sim-clock')).toHaveText(/^\d+:\d\d:\d\d$/);
    await page.evaluate(() => {
      window.__longTasks = [];
      new PerformanceObserver((list) => {
        for (const e of list.getEntries()) window.__longTasks.push(e.duration);
      }).observe({ type: 'longtask' });
    });
    const started = Date.now();
    await run(page, 'kubectl create deployment big --image=nginx --replicas=300');
    await page.getByTestId('time-fast').click();
    const tiles = page.locator('[data-testid="pod-tile"][data-pod^="default/big-"]');
    await expect(tiles).toHaveCount(300, { timeout: 30_000 });
    await expect(page.locator('[data-pod^="default/big-"][data-status="Running"]')).toHaveCount(300, { timeout: 120_000 });
    const allRunning = Date.now() - started;
    if (process.env.SHOTS_DIR && testInfo.project.name === 'root') {
      await page.setViewportSize({ width: 1366, height: 800 });
      await page.screenshot({ path: `${process.env.SHOTS_DIR}/board-300-pods.png` });
    }

    // While the clock runs at 10×, a console command still answers quickly.
    const output = page.getByTestId('console-output');
    await page.getByTestId('console-input').click();
    await page.keyboard.type('kubectl get deploy big');
    const enter = Date.now();
    await page.keyboard.press('Enter');
    await expect(output).toContainText(/big\s+300\/300\s+300\s+300/);
    const answered = Date.now() - enter;
    const starting = await page.evaluate(() => window.__longTasks.splice(0));

    // A rolling update of all 300: old tiles leave, new ones arrive, every tick.
    await run(page, 'kubectl set image deployment/big nginx=nginx:1.27');
    await expect(page.locator('[data-pod^="default/big-"][data-status="Running"]')).toHaveCount(300, { timeout: 120_000 });
    await expect(page.locator('[data-pod^="default/big-"][data-leaving="true"]')).toHaveCount(0, { timeout: 30_000 });
    await run(page, 'kubectl rollout status deployment/big');
    await expect(output).toContainText('deployment "big" successfully rolled out', { timeout: 30_000 });
    const rolling = await page.evaluate(() => window.__longTasks.splice(0));

    const worst = (tasks) => Math.round(Math.max(0, ...tasks));
    const total = (tasks) => tasks.reduce((sum, d) => sum + d, 0);
    console.log(
      `300 pods: all Running on the board after ${allRunning} ms; 'kubectl get deploy big' answered ${answered} ms after Enter; ` +
        `main-thread tasks over 50 ms: ${starting.length} while starting (longest ${worst(starting)} ms), ` +
        `${rolling.length} while rolling (longest ${worst(rolling)} ms, ${Math.round(total(rolling))} ms in all)`,
    );
    testInfo.annotations.push({
      type: '300 pods',
      description: `answer ${answered} ms; longest task starting ${worst(starting)} ms, rolling ${worst(rolling)} ms`,
    });
    expect(answered).toBeLessThan(2_000);
    // The engine runs in a worker; what is left on this thread is drawing, mostly in frames
    // under 50 ms (a long one is typically 50–65 ms, rarely a GC-sized outlier). With the
    // engine on this thread the longest was 100–260 ms; with it in the worker but every tile
    // on the one board signal and animated, rolling alone spent 0.9–1.4 s in such tasks.
    expect(total(starting) + total(rolling)).toBeLessThan(600);
  });
});

test('screenshots of the playground', async ({ page }, testInfo) => {
  test.skip(testInfo.project.name !== 'root', 'one set of screenshots is enough');
  test.setTimeout(90_000);
  const dir = process.env.SHOTS_DIR ?? testInfo.outputPath('');
  for (const [label, width, height, scheme] of [
    ['laptop-light', 1366, 800, 'light'], ['laptop-dark', 1366, 800, 'dark'], ['phone-light', 375, 800, 'light'],
  ]) {
    await page.setViewportSize({ width, height });
    await page.emulateMedia({ colorScheme: scheme });
    await page.goto('./');
    await page.getByTestId('time-fast').click();
    for (const cmd of ['kubectl create deployment web --image=nginx --replicas=3', 'kubectl run typo --image=ngnix',
      'kubectl create deployment huge --image=nginx', 'kubectl set resources deployment huge --requests=cpu=64']) {
      await run(page, cmd);
    }
    await expect(page.locator(`${webTiles}[data-status="Running"]`)).toHaveCount(3, { timeout: 15_000 });
    await run(page, 'kubectl set image deployment/web nginx=nginx:1.27');
    await page.getByTestId('time-pause').click();
    await page.waitForTimeout(700); // let the new tiles finish growing in
    await page.screenshot({ path: `${dir}/board-${label}.png`, fullPage: label.startsWith('phone') });
    if (label === 'laptop-light') {
      await page.locator(webTiles).first().click();
      await page.screenshot({ path: `${dir}/board-${label}-describe.png` });
    }
  }
});
