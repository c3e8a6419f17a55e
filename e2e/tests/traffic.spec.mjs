// A person sends requests to a NodePort Service in a loop and watches the board's traffic
// view: which pods answer, the newest requests, the answering pod's tile lighting up; the
// loop keeps answering while the Deployment rolls to a new image, and Ctrl-C stops it.
import { test, expect } from '@playwright/test';
import { run } from './console-helpers.mjs';

const hnameTiles = '[data-testid="pod-tile"][data-pod^="default/hname-"]';
const LOOP = 'while true; do curl -s 192.168.1.101:$PORT; sleep 1; done';

/** The console lines that are an echo-hname answer (a pod name), in order. */
async function answers(page) {
  return page.getByTestId('console-output').locator('pre.line').evaluateAll(
    (els) => els.map((e) => e.textContent).filter((t) => /^hname-[a-z0-9]+-[a-z0-9]{5}$/.test(t)));
}

/** `hname-6d4cf56db6-8xkqz` → `6d4cf56db6`, the ReplicaSet's pod-template-hash. */
const hashOf = (pod) => pod.split('/').pop().split('-').slice(-2, -1)[0];

/** The pod names of the hname tiles matching `extra`. */
async function tilePods(page, extra = '') {
  return page.locator(`${hnameTiles}${extra}`).evaluateAll((els) => els.map((e) => e.dataset.pod));
}

test('a curl loop shows in the traffic view and keeps answering through a rollout', async ({ page }, testInfo) => {
  test.setTimeout(120_000);
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.goto('./');
  const output = page.getByTestId('console-output');
  const traffic = page.getByTestId('traffic-view');

  await run(page, 'kubectl create deployment hname --image=sysnet4admin/echo-hname --replicas=3');
  await run(page, 'kubectl expose deployment hname --type=NodePort --port=80');
  await expect(output).toContainText('service/hname exposed');
  await page.getByTestId('time-fast').click();
  await expect(page.locator(`${hnameTiles}[data-status="Running"]`)).toHaveCount(3, { timeout: 20_000 });
  // No request yet: no traffic view.
  await expect(traffic).toHaveCount(0);
  const oldPods = await tilePods(page);
  const oldHash = hashOf(oldPods[0]);

  // 1. The loop streams answers into the console; the view shows which pods answered.
  await run(page, "PORT=$(kubectl get svc hname -o jsonpath='{.spec.ports[0].nodePort}')");
  await run(page, LOOP);
  await expect(page.locator('.console-prompt .prompt')).toHaveText('');
  await expect(async () => expect((await answers(page)).length).toBeGreaterThanOrEqual(6)).toPass({ timeout: 15_000 });
  await expect(traffic).toBeVisible();
  const row = traffic.locator('[data-testid="traffic-service"][data-service="default/hname"]');
  await expect(row).toBeVisible();
  await expect(async () => {
    const pods = await row.locator('[data-testid="traffic-pod"]').evaluateAll((els) => els.map((e) => e.dataset.pod));
    expect(new Set(pods).size).toBeGreaterThanOrEqual(2);
    expect(pods.every((p) => oldPods.includes(`default/${p}`))).toBe(true);
  }).toPass({ timeout: 15_000 });
  await expect(row).toHaveAttribute('data-failed', '0');
  // Counts and names are text; the newest request reads client → Service → pod, status.
  await expect(row.locator('[data-testid="traffic-pod"]').first()).toContainText(/hname-\S+\s*\d+ · \d+%/);
  const newest = traffic.locator('[data-testid="traffic-request"]').first();
  await expect(newest).toContainText(/host\s*→\s*default\/hname\s*→\s*hname-\S+\s*200/);
  // The tile of the pod that answered the newest request is lit.
  await expect(page.locator(`${hnameTiles}[data-answered]`)).toHaveCount(1);

  // 2. Ctrl-C stops the loop; the Deployment rolls to v2 while a new loop runs.
  await page.keyboard.press('Control+C');
  await expect(output).toContainText('^C');
  await expect(page.locator('.console-prompt .prompt')).not.toHaveText('');
  const firstRun = (await answers(page)).length;
  await run(page, 'kubectl set image deployment/hname echo-hname=sysnet4admin/echo-hname:v2');
  await run(page, LOOP);
  await expect(output).toContainText('deployment.apps/hname image updated');
  await expect(async () => {
    const running = await tilePods(page, '[data-status="Running"]:not([data-leaving="true"])');
    expect(running).toHaveLength(3);
    expect(running.every((p) => hashOf(p) !== oldHash)).toBe(true);
    expect(await tilePods(page)).toHaveLength(3);
  }).toPass({ timeout: 30_000 });
  // Let a few more requests reach the new pods, then look at what the loop printed.
  await expect(async () => {
    const during = (await answers(page)).slice(firstRun);
    expect(during.some((p) => hashOf(p) === oldHash)).toBe(true);
    expect(during.filter((p) => hashOf(p) !== oldHash).length).toBeGreaterThanOrEqual(3);
  }).toPass({ timeout: 15_000 });
  // No request failed during the rollout: every pass printed a pod name.
  await expect(row).toHaveAttribute('data-failed', '0');
  await expect(traffic.locator('[data-testid="traffic-request"].failed')).toHaveCount(0);
  // The old pods are gone from the cluster but still counted in the window, struck through.
  await expect(row.locator('[data-testid="traffic-pod"].gone').first()).toBeAttached();

  // 3. Screenshots (time paused, motion reduced so the lit tile stays visible).
  if (testInfo.project.name === 'root') {
    await page.getByTestId('time-pause').click();
    await page.emulateMedia({ reducedMotion: 'reduce' });
    for (const scheme of ['light', 'dark']) {
      await page.emulateMedia({ colorScheme: scheme });
      await page.locator('.board-column').screenshot({ path: testInfo.outputPath(`traffic-${scheme}.png`) });
    }
    const lit = page.locator(`${hnameTiles}[data-answered]`);
    await expect(lit).toHaveCount(1);
    await lit.scrollIntoViewIfNeeded();
    await page.locator('[data-testid="node-box"]', { has: lit }).screenshot({ path: testInfo.outputPath('traffic-lit-tile-dark.png') });
    await page.setViewportSize({ width: 390, height: 844 });
    await page.emulateMedia({ colorScheme: 'light' });
    await traffic.scrollIntoViewIfNeeded();
    await page.screenshot({ path: testInfo.outputPath('traffic-phone-light.png') });
    await page.emulateMedia({ colorScheme: 'dark' });
    await traffic.screenshot({ path: testInfo.outputPath('traffic-phone-dark.png') });
    // Nothing sticks out of the phone-wide page.
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    await page.getByTestId('time-fast').click();
  }

  // 4. Ctrl-C stops it for good: more simulated time brings no new answers.
  await page.getByTestId('console-input').focus();
  await page.keyboard.press('Control+C');
  await expect(page.locator('.console-prompt .prompt')).not.toHaveText('');
  const stopped = (await answers(page)).length;
  const lastRequest = await newest.textContent();
  await page.waitForTimeout(2_000); // 20 simulated seconds at 10×
  expect((await answers(page)).length).toBe(stopped);
  await expect(newest).toHaveText(lastRequest);
  await run(page, 'kubectl get deploy hname');
  await expect(output).toContainText(/hname\s+3\/3\s+3\s+3/);
  expect(errors).toEqual([]);
});

test('the traffic view speaks Korean and shows where a request failed', async ({ page }) => {
  await page.goto('./');
  await page.getByTestId('language-switch').click();
  await run(page, 'kubectl create service clusterip empty --tcp=80:80');
  await run(page, 'kubectl run client --image=busybox -- sleep 3600');
  await page.getByTestId('time-fast').click();
  await expect(page.locator('[data-testid="pod-tile"][data-pod="default/client"][data-status="Running"]')).toHaveCount(1, { timeout: 20_000 });
  await run(page, 'kubectl exec client -- wget -qO- empty');
  const traffic = page.getByTestId('traffic-view');
  await expect(traffic).toBeVisible();
  await expect(traffic.locator('h2')).toHaveText('트래픽');
  const row = traffic.locator('[data-testid="traffic-service"][data-service="default/empty"]');
  await expect(row).toHaveAttribute('data-failed', '1');
  await expect(row.locator('[data-testid="traffic-failed"]')).toContainText('실패');
  await expect(row.locator('[data-testid="traffic-failed"]')).toContainText('1 · 100%');
  const line = traffic.locator('[data-testid="traffic-request"]').first();
  await expect(line).toHaveClass(/failed/);
  await expect(line).toContainText(/pod\/client\s*→\s*default\/empty\s*✕/);
  await expect(page.locator('[data-answered]')).toHaveCount(0);
});
