// A console wide enough for kubectl: the console is the widest column at every desktop
// size; at 1440 px and wider the columns the lessons talk about (NODE of `get pods -o wide`,
// LABELS of `--show-labels`) show without scrolling sideways; narrower (at 1280 px they may
// still fit; on a phone they never do), a "more →" cue says when the table goes on, and a click on it scrolls there.
import { test, expect } from '@playwright/test';
import { column, run } from './console-helpers.mjs';

const SIZES = [
  { width: 1280, height: 800, fits: false },
  { width: 1440, height: 900, fits: true },
  { width: 1920, height: 1080, fits: true },
  { width: 390, height: 844, fits: false, phone: true },
];

for (const size of SIZES) {
  test(`kubectl's columns at ${size.width} px`, async ({ page }) => {
    await page.setViewportSize({ width: size.width, height: size.height });
    await page.goto('./');
    const output = page.getByTestId('console-output');
    const cue = page.getByTestId('more-cue');
    if (!size.phone) {
      // The console is the widest column.
      const consoleBox = await page.locator('.console').boundingBox();
      for (const other of ['.board-column', '[data-testid="lesson-panel"]']) {
        const box = await page.locator(other).boundingBox();
        expect(consoleBox.width, other).toBeGreaterThan(box.width);
      }
    }

    await run(page, 'kubectl get pods -n kube-system -o wide');
    await expect(output).toContainText('kube-scheduler-control-plane');
    const node = await column(page, 'NODE');
    expect(node).not.toBeNull();
    expect(node.scrollLeft).toBe(0);
    if (size.fits) {
      expect(node.right).toBeLessThanOrEqual(node.shown);
    } else if (node.right > node.shown) {
      await expect(cue).toBeVisible();
    }
    if (size.phone) expect(node.right).toBeGreaterThan(node.shown);
    // The table goes on (NOMINATED NODE, READINESS GATES) past 1,100 px: the cue says so.
    if (size.width < 1920) await expect(cue).toBeVisible();

    await run(page, 'clear');
    await expect(cue).toBeHidden();
    await run(page, 'kubectl create deployment web --image=nginx --replicas=2');
    await run(page, 'kubectl get pods --show-labels');
    await expect(output).toContainText('app=web,pod-template-hash=');
    const labels = await column(page, 'LABELS');
    expect(labels.scrollLeft).toBe(0);
    if (size.fits) {
      expect(labels.right).toBeLessThanOrEqual(labels.shown);
    } else if (labels.right > labels.shown) {
      await expect(cue).toBeVisible();
    }
    if (size.phone) {
      expect(labels.right).toBeGreaterThan(labels.shown);
      // Nothing sticks out of the page sideways; the console scrolls instead.
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(size.width);
    }
  });
}

test('the cue scrolls to the cut columns; typing brings the prompt back', async ({ page }) => {
  await page.setViewportSize({ width: 1280, height: 800 });
  await page.goto('./');
  await run(page, 'kubectl get pods -n kube-system -o wide');
  const cue = page.getByTestId('more-cue');
  await expect(cue).toBeVisible();
  await cue.click();
  const node = await column(page, 'NODE');
  expect(node.scrollLeft).toBeGreaterThan(0);
  expect(node.right).toBeLessThanOrEqual(node.shown);
  // Scrolled to the end, nothing is left to show.
  await page.getByTestId('console-output').evaluate((el) => { el.scrollLeft = el.scrollWidth; });
  await expect(cue).toBeHidden();
  await expect(page.getByTestId('console-input')).toBeFocused();
  await page.keyboard.type('k');
  expect(await page.getByTestId('console-output').evaluate((el) => el.scrollLeft)).toBe(0);
});

test('errors and notices wrap instead of running off', async ({ page }) => {
  await page.setViewportSize({ width: 390, height: 844 });
  await page.goto('./');
  await run(page, 'kubectl get pods --selector=app=a-very-long-label-value-that-goes-on,tier=another-long-value -n some-namespace-that-does-not-exist');
  const note = page.locator('.line-note, .line-stderr').last();
  await expect(note).toBeVisible();
  const fits = await note.evaluate((el) => el.scrollWidth <= el.clientWidth + 1);
  expect(fits).toBe(true);
  // It took more than one line on the screen.
  const box = await note.boundingBox();
  expect(box.height).toBeGreaterThan(30);
});
