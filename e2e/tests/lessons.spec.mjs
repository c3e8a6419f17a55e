// The lesson panel: a learner types lesson 2 through to the finish screen, lesson 8 is
// solved with "show solution", a reload keeps the lesson and its step, progress files.
import { test, expect } from '@playwright/test';
import { run } from './console-helpers.mjs';

async function startLesson(page, id) {
  await page.locator(`[data-testid="lesson-item"][data-lesson-id="${id}"]`).getByTestId('lesson-start').click();
  await expect(page.getByTestId('step-text')).toBeVisible();
}

// Screenshots for a person to look at, only when asked: SHOTS=/some/dir npx playwright test ...
const SHOTS = process.env.SHOTS;

const goal = (page, text) => page.getByTestId('goal-item').filter({ hasText: text });

/** A step was just done: its "✓ Step N of M done" moment shows; Next moves on to `label`. */
async function nextStep(page, label) {
  const done = page.getByTestId('step-done');
  await expect(done).toBeVisible();
  const [i, n] = label.match(/\d+/g).map(Number);
  await expect(done).toContainText(`✓ Step ${i - 1} of ${n} done`);
  await expect(done.locator('[data-testid="goal-item"][data-met="false"]')).toHaveCount(0);
  await done.getByTestId('lesson-next').click();
  await expect(page.getByTestId('step-label')).toHaveText(label);
}

test('lesson 2 typed as a learner would, to the finish screen', async ({ page }) => {
  page.on('dialog', (d) => d.accept());
  await page.goto('./');
  await expect(page.getByTestId('lesson-list')).toBeVisible();
  await expect(page.getByTestId('lesson-item')).toHaveCount(17);
  await startLesson(page, 'first-pod');
  await expect(page.getByTestId('step-label')).toHaveText('Step 1 of 5');
  await expect(goal(page, 'nginx')).toHaveAttribute('data-met', 'false');

  // A command in the text goes into the console input, not run.
  await page.getByTestId('step-text').getByRole('button', { name: 'cat nginx-pod.yaml' }).click();
  await expect(page.getByTestId('console-input')).toHaveValue('cat nginx-pod.yaml');
  await expect(page.getByTestId('console-input')).toBeFocused();
  await page.getByTestId('console-input').press('Enter');
  await expect(page.getByTestId('console-output')).toContainText('image: nginx:1.25');

  await run(page, 'kubectl apply -f nginx-pod.yaml');
  await nextStep(page, 'Step 2 of 5');
  // The pod starts while the page's clock runs: its goal line turns met by itself.
  await expect(goal(page, 'Running and ready')).toHaveAttribute('data-met', 'false');
  await expect(goal(page, 'Running and ready')).toHaveAttribute('data-met', 'true', { timeout: 20_000 });
  await run(page, 'kubectl get pods');
  await nextStep(page, 'Step 3 of 5');
  await run(page, 'kubectl describe pod nginx');
  await nextStep(page, 'Step 4 of 5');
  await run(page, 'kubectl delete pod nginx');
  await run(page, 'kubectl get pods');
  await nextStep(page, 'Step 5 of 5');
  await run(page, 'kubectl run web --image=nginx:1.25');
  await run(page, 'sleep 10');
  await run(page, 'kubectl get pods --show-labels');

  const finished = page.getByTestId('lesson-finished');
  await expect(finished).toBeVisible();
  await expect(finished.getByTestId('commands-reference')).toHaveText('8');
  await expect(finished.getByTestId('commands-used')).toHaveText(/^\d+$/);
  await expect(finished).toContainText('commands you used');

  // Back in the list the lesson is marked done, also after a reload.
  await page.getByTestId('lesson-leave').click();
  const item = page.locator('[data-testid="lesson-item"][data-lesson-id="first-pod"]');
  await expect(item).toHaveAttribute('data-done', 'true');
  await page.reload();
  await expect(item).toHaveAttribute('data-done', 'true');
});

test('lesson 8 solved with show solution', async ({ page }) => {
  let dialogs = 0;
  page.on('dialog', (d) => { dialogs += 1; d.accept(); });
  await page.goto('./');
  await startLesson(page, 'rolling-updates');
  const finished = page.getByTestId('lesson-finished');
  for (let i = 0; i < 10 && !(await finished.isVisible()); i++) {
    if (await page.getByTestId('lesson-next').isVisible()) await page.getByTestId('lesson-next').click();
    const label = await page.getByTestId('step-label').innerText();
    await page.getByTestId('solution-button').click();
    await expect(async () => {
      const done = await finished.isVisible();
      // The step label goes when the finish screen comes: gone counts as moved on.
      const now = done ? '' : await page.getByTestId('step-label').innerText({ timeout: 1_000 }).catch(() => '');
      expect(done || now !== label).toBe(true);
    }).toPass({ timeout: 15_000 });
  }
  await expect(finished).toBeVisible();
  expect(dialogs).toBeGreaterThanOrEqual(5);
  if (SHOTS) {
    await page.getByTestId('lesson-panel').screenshot({ path: `${SHOTS}/finished-light.png` });
    await page.emulateMedia({ colorScheme: 'dark' });
    await page.getByTestId('lesson-panel').screenshot({ path: `${SHOTS}/finished-dark.png` });
  }
  await expect(finished.getByTestId('commands-used')).toHaveText(/^\d+$/);
  await expect(page.getByTestId('console-output')).toContainText('kubectl rollout undo deployment/web --to-revision=2');
});

test('a reload in the middle of a lesson keeps the lesson, its step and hints', async ({ page }) => {
  page.on('dialog', (d) => d.accept());
  await page.goto('./');
  await startLesson(page, 'first-pod');
  await run(page, 'kubectl apply -f nginx-pod.yaml');
  await page.getByTestId('lesson-next').click();
  await expect(page.getByTestId('step-label')).toHaveText('Step 2 of 5');
  await page.getByTestId('hint-button').click();
  await expect(page.getByTestId('hint-text')).toHaveCount(1);
  await expect(page.getByTestId('hint-button')).toContainText('1 left');

  await page.reload();
  await expect(page.getByTestId('lesson-title')).toHaveText('Your first pod');
  await expect(page.getByTestId('step-label')).toHaveText('Step 2 of 5');
  // The console shows what it showed before the reload.
  await expect(page.getByTestId('console-output')).toContainText('$ kubectl apply -f nginx-pod.yaml');
  await expect(page.getByTestId('console-output')).toContainText('pod/nginx created');
  await expect(page.getByTestId('hint-text')).toHaveCount(1);
  await run(page, 'kubectl get pods nginx --no-headers');
  await expect(page.getByTestId('console-output')).toContainText('nginx');

  // Reset lesson starts it over on a fresh lesson cluster.
  await page.getByTestId('reset-lesson').click();
  await expect(page.getByTestId('step-label')).toHaveText('Step 1 of 5');
  await expect(page.getByTestId('hint-text')).toHaveCount(0);
});

test('a lesson keeps the learner\'s own cluster aside and gives it back on leaving', async ({ page }) => {
  const dialogs = [];
  page.on('dialog', (d) => { dialogs.push(d.message()); d.accept(); });
  await page.goto('./');
  await run(page, 'kubectl create deployment mine --image=nginx');
  await run(page, 'echo "my notes" > notes.txt');
  // (Lines typed while one runs wait their turn: let them run before the lesson starts.)
  await run(page, 'cat notes.txt');
  await expect(page.locator('.line-stdout').last()).toHaveText('my notes');
  // No question: nothing is lost by starting.
  await startLesson(page, 'first-pod');
  expect(dialogs).toEqual([]);
  await run(page, 'kubectl get deployments');
  await expect(page.getByTestId('console-output')).toContainText('No resources found in default namespace.');
  await run(page, 'kubectl apply -f nginx-pod.yaml');

  await page.getByTestId('lesson-leave').click();
  await expect(page.getByTestId('lesson-list')).toBeVisible();
  await run(page, 'kubectl get deployments -o name');
  await expect(page.locator('.line-stdout').last()).toHaveText('deployment.apps/mine');
  await run(page, 'cat notes.txt');
  await expect(page.locator('.line-stdout').last()).toHaveText('my notes');
  await run(page, 'kubectl get pod nginx');
  await expect(page.locator('.line-stderr').last()).toHaveText('Error from server (NotFound): pods "nginx" not found');
  // A reload replays the same story.
  await page.reload();
  await run(page, 'kubectl get deployments -o name');
  await expect(page.locator('.line-stdout').last()).toHaveText('deployment.apps/mine');
});

test('the step list looks back at a done step\'s text', async ({ page }) => {
  await page.goto('./');
  await startLesson(page, 'first-pod');
  await run(page, 'kubectl apply -f nginx-pod.yaml');
  // Enter on an empty console line moves on, as Next does; the console prints nothing.
  await expect(page.getByTestId('step-done')).toBeVisible();
  const commands = await page.locator('.line-command').count();
  await page.getByTestId('console-input').press('Enter');
  await expect(page.getByTestId('step-label')).toHaveText('Step 2 of 5');
  await expect(page.locator('.line-command')).toHaveCount(commands);
  const list = page.getByTestId('step-list');
  await expect(list.locator('summary').first()).toHaveText('All steps (1 of 5)');
  await list.locator('summary').first().click();
  const done = list.locator('.lp-steps-item.done');
  await expect(done).toHaveCount(1);
  await done.locator('summary').click();
  await expect(done.locator('.lp-step-text')).toContainText('nginx-pod.yaml');
  await expect(list.locator('[aria-current="step"]')).toContainText('2.');
});

test('progress files: export downloads, a bad file is explained, a good one imports', async ({ page }) => {
  await page.goto('./');
  const download = page.waitForEvent('download');
  await page.getByTestId('progress-export').click();
  expect((await download).suggestedFilename()).toBe('kubeplay-progress.json');

  await page.getByTestId('progress-import').setInputFiles({ name: 'x.json', mimeType: 'application/json', buffer: Buffer.from('{oops') });
  await expect(page.getByTestId('lesson-message')).toContainText('not a Kubeplay progress file');
  const good = JSON.stringify({ kind: 'kubeplay-progress', version: 1, completed: ['namespaces', 'nope'] });
  await page.getByTestId('progress-import').setInputFiles({ name: 'p.json', mimeType: 'application/json', buffer: Buffer.from(good) });
  await expect(page.getByTestId('lesson-message')).toContainText('1 newly completed');
  await expect(page.locator('[data-testid="lesson-item"][data-lesson-id="namespaces"]')).toHaveAttribute('data-done', 'true');
});

test('screenshots of the panel', async ({ page }) => {
  test.skip(!SHOTS, 'set SHOTS=DIR to take screenshots');
  page.on('dialog', (d) => d.accept());
  const dir = SHOTS;
  await page.goto('./');
  await page.emulateMedia({ colorScheme: 'light' });
  await page.getByTestId('lesson-panel').screenshot({ path: `${dir}/list-light.png` });
  await startLesson(page, 'first-pod');
  await run(page, 'kubectl apply -f nginx-pod.yaml');
  await page.getByTestId('hint-button').click();
  await page.screenshot({ path: `${dir}/lesson-light.png` });
  await page.emulateMedia({ colorScheme: 'dark' });
  await page.screenshot({ path: `${dir}/lesson-dark.png` });
  await page.setViewportSize({ width: 375, height: 800 });
  await page.screenshot({ path: `${dir}/lesson-375-dark.png`, fullPage: true });
  await page.emulateMedia({ colorScheme: 'light' });
  await page.screenshot({ path: `${dir}/lesson-375-light.png`, fullPage: true });
});
