// A learner's cluster, files and history survive a reload; "Reset cluster" asks first;
// a damaged saved session is dropped with a notice; after one visit the page works offline.
import { test, expect } from '@playwright/test';
import { run } from './console-helpers.mjs';

async function lastOutput(page, command) {
  const marker = `$ ${command}`;
  const text = await page.getByTestId('console-output').innerText();
  return text.slice(text.lastIndexOf(marker) + marker.length);
}

test('a reload finds the cluster, the files and the history as they were', async ({ page }) => {
  await page.goto('./');
  await run(page, 'kubectl create deployment web --image=nginx --replicas=2');
  await run(page, 'echo "remember me" > notes.txt');
  await run(page, 'sleep 20');
  await run(page, 'kubectl get pods --no-headers');
  await expect(page.getByTestId('console-output')).toContainText('Running');
  const before = await lastOutput(page, 'kubectl get pods --no-headers');
  expect(before.match(/web-[a-z0-9]+-[a-z0-9]{5}/g)).toHaveLength(2);

  await page.reload();
  // The restored scrollback already holds the old output: wait for the new command's own.
  await expect(page.getByTestId('console-output')).toContainText('Session restored');
  const output = page.getByTestId('console-output');
  const commands = async () => (await output.innerText()).split('$ kubectl get pods --no-headers').length;
  const restored = await commands();
  await run(page, 'kubectl get pods --no-headers');
  await expect.poll(commands).toBeGreaterThan(restored);
  await expect.poll(() => lastOutput(page, 'kubectl get pods --no-headers')).toContain('Running');
  const after = await lastOutput(page, 'kubectl get pods --no-headers');
  // Same pods (same generated names), same state; only their age moved on.
  const names = (s) => s.match(/web-[a-z0-9]+-[a-z0-9]{5}/g);
  expect(names(after)).toEqual(names(before));
  await run(page, 'cat notes.txt');
  // The echo line holds the words too: wait for cat's own output.
  await expect(page.getByTestId('console-output')).toContainText(/\$ cat notes\.txt\s*remember me/);
  // History: ↑ goes back through what was typed before the reload too.
  const input = page.getByTestId('console-input');
  await input.press('ArrowUp');
  await expect(input).toHaveValue('cat notes.txt');
  await input.press('ArrowUp');
  await input.press('ArrowUp');
  await expect(input).toHaveValue('sleep 20');
});

test('a reload shows the console as it was, and says what was replayed', async ({ page }) => {
  await page.goto('./');
  await run(page, 'kubectl create deployment web --image=nginx');
  await run(page, 'kubectl get deployments');
  const output = page.getByTestId('console-output');
  await expect(output).toContainText('deployment.apps/web created');
  await expect(output).toContainText('READY   UP-TO-DATE   AVAILABLE   AGE');

  await page.reload();
  // The lines are back, in their colours, before the note of what was replayed.
  await expect(output).toContainText('$ kubectl create deployment web --image=nginx');
  await expect(output).toContainText('deployment.apps/web created');
  await expect(output).toContainText('READY   UP-TO-DATE   AVAILABLE   AGE');
  await expect(page.locator('.line-command').first()).toHaveText('$ kubectl create deployment web --image=nginx');
  await expect(page.locator('.line-note').last()).toHaveText('Session restored: 2 commands replayed.');
  // clear, then a reload: nothing old comes back.
  await run(page, 'clear');
  // The worker answers `clear` asynchronously: reload only once the console has emptied.
  await expect(output).not.toContainText('deployment.apps/web created');
  await page.reload();
  await expect(page.locator('.line-note').last()).toHaveText('Session restored: 3 commands replayed.');
  await expect(output).not.toContainText('deployment.apps/web created');
});

test('reset cluster asks first, then starts from a fresh cluster', async ({ page }) => {
  await page.goto('./');
  await run(page, 'kubectl create deployment web --image=nginx');
  // Saying no keeps everything.
  page.once('dialog', (d) => d.dismiss());
  await page.getByTestId('reset-cluster').click();
  await run(page, 'kubectl get deployments');
  await expect(page.getByTestId('console-output')).toContainText('web   ');
  // Saying yes forgets the cluster.
  page.once('dialog', (d) => {
    expect(d.message()).toContain('Reset the cluster?');
    d.accept();
  });
  await Promise.all([page.waitForEvent('load'), page.getByTestId('reset-cluster').click()]);
  await run(page, 'kubectl get deployments');
  await expect(page.getByTestId('console-output')).toContainText('No resources found in default namespace.');
});

test('a damaged saved session is dropped with a notice, never a crash', async ({ page }) => {
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  // The record is planted before the page's own scripts run (a reload would save over it).
  let planted = '{"format": 1, "journal": [{"launch';
  await page.addInitScript((record) => {
    if (sessionStorage.getItem('planted') !== record) {
      sessionStorage.setItem('planted', record);
      localStorage.setItem('kubeplay.session', record);
    }
  }, planted);
  await page.goto('./');
  await expect(page.getByTestId('console-output')).toContainText('the saved session is damaged');
  await run(page, 'kubectl get ns');
  await expect(page.getByTestId('console-output')).toContainText('kube-system');
  // An old format is dropped too.
  const context = page.context();
  await page.close(); // its last save happens now, not over the next planted record
  const page2 = await context.newPage();
  page2.on('pageerror', (e) => errors.push(String(e)));
  planted = '{"format": 0}';
  await page2.addInitScript((record) => localStorage.setItem('kubeplay.session', record), planted);
  await page2.goto('./');
  await expect(page2.getByTestId('console-output')).toContainText('from another version');
  expect(errors).toEqual([]);
});

test('after one visit the page works offline', async ({ page, context }) => {
  await page.goto('./');
  await expect(page.getByTestId('console-input')).toBeVisible();
  // The service worker has cached the page and its files once it is active.
  await page.evaluate(async () => {
    await navigator.serviceWorker.ready;
  });
  await run(page, 'kubectl run web --image=nginx');
  await expect(page.getByTestId('console-output')).toContainText('pod/web created');
  await context.setOffline(true);
  try {
    await page.reload();
    await run(page, 'kubectl get pods');
    await expect(page.getByTestId('console-output')).toContainText('web   ');
    await run(page, 'kubectl explain pod.spec.restartPolicy');
    await expect(page.getByTestId('console-output')).toContainText('FIELD: restartPolicy');
  } finally {
    await context.setOffline(false);
  }
});
