// Every column a lesson's text names ("the `NODE` column") shows whole at 1440 px: each
// built-in lesson is played with its reference solutions, and after each step the newest
// table with that column must end inside the console, with no sideways scrolling.
import { test, expect } from '@playwright/test';
import { column, run } from './console-helpers.mjs';

/** The columns a step's text names (code followed by " column") and the `kubectl get`
 *  commands it shows, read from the rendered step text. */
async function named(page) {
  return page.getByTestId('step-text').evaluate((el) => {
    const columns = [];
    const commands = [];
    for (const code of el.querySelectorAll('code')) {
      const text = code.textContent.trim();
      const holder = code.closest('button, .lp-cmd') ?? code;
      const after = holder.nextSibling?.textContent ?? '';
      if (/^\s*column/.test(after)) columns.push(text);
      if (text.startsWith('kubectl get ')) commands.push(text);
    }
    return { columns, commands };
  });
}

test('the columns each lesson step names fit the console at 1440 px', async ({ page }, testInfo) => {
  test.skip(testInfo.project.name !== 'root', 'the layout is the same below a sub-folder');
  test.setTimeout(300_000);
  page.on('dialog', (d) => d.accept());
  await page.setViewportSize({ width: 1440, height: 900 });
  await page.goto('./');
  // Steps that wait for the cluster (`rollout status`) pass quickly at 10×.
  await page.getByTestId('time-fast').click();
  await expect(page.getByTestId('lesson-item').first()).toBeVisible();
  const ids = await page.getByTestId('lesson-item').evaluateAll((items) => items.map((i) => i.dataset.lessonId));
  expect(ids.length).toBeGreaterThan(10);
  const checked = [];
  for (const id of ids) {
    await page.locator(`[data-testid="lesson-item"][data-lesson-id="${id}"]`).getByTestId('lesson-start').click();
    await expect(page.getByTestId('step-text')).toBeVisible();
    for (let step = 0; step < 20; step++) {
      if (await page.getByTestId('lesson-finished').isVisible()) break;
      if (await page.getByTestId('lesson-next').isVisible()) await page.getByTestId('lesson-next').click();
      const label = await page.getByTestId('step-label').innerText();
      const { columns, commands } = await named(page);
      await page.getByTestId('solution-button').click();
      await expect(async () => {
        const moved = (await page.getByTestId('lesson-finished').isVisible())
          || (await page.getByTestId('lesson-next').isVisible())
          || (await page.getByTestId('step-label').innerText({ timeout: 500 }).catch(() => label)) !== label;
        expect(moved).toBe(true);
      }).toPass({ timeout: 60_000 });
      for (const name of columns) {
        let where = await column(page, name);
        // The solution may not print the table the text talks about: run the text's own.
        for (const cmd of commands) {
          if (where) break;
          await run(page, cmd);
          await expect(page.getByTestId('console-output')).toContainText(`$ ${cmd}`);
          await page.waitForTimeout(300);
          where = await column(page, name);
        }
        if (!where) continue; // not a kubectl table (e.g. `df`'s Filesystem is checked below)
        expect(where.scrollLeft, `${id} ${label} ${name}`).toBe(0);
        expect(where.right, `${id} ${label}: the ${name} column is cut`).toBeLessThanOrEqual(where.shown);
        checked.push(`${id}: ${name}`);
      }
    }
    await page.getByTestId('lesson-leave').click();
    await expect(page.getByTestId('lesson-list')).toBeVisible();
  }
  // The lessons do name columns: at least the ones of lessons 1, 3 and 8.
  expect(checked.length).toBeGreaterThanOrEqual(5);
  console.log(`columns checked: ${checked.join(', ')}`);
});
