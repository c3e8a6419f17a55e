// A person opens the page, clicks the console, types a command and reads the answer.
import { test, expect } from '@playwright/test';

/** Fails the test if the page asks anything of a host other than the local server. */
function forbidForeignRequests(page, baseURL) {
  const origin = new URL(baseURL).origin;
  const foreign = [];
  page.on('request', (req) => {
    // The engine worker's script is a blob of this page (`blob:<origin>/<uuid>`).
    const url = req.url();
    if (!url.startsWith(origin) && !url.startsWith('data:') && !url.startsWith(`blob:${origin}/`)) foreign.push(url);
  });
  return foreign;
}

test('kubectl get nodes prints the node table', async ({ page, baseURL }) => {
  const foreign = forbidForeignRequests(page, baseURL);
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));

  const started = Date.now();
  await page.goto('./');
  const input = page.getByTestId('console-input');
  await expect(input).toBeVisible();
  console.log(`console visible after ${Date.now() - started} ms`);

  await page.getByTestId('console-output').click();
  await page.keyboard.type('kubectl get nodes');
  await page.keyboard.press('Enter');

  const output = page.getByTestId('console-output');
  await expect(output).toContainText('$ kubectl get nodes');
  // The engine answers from its worker, a moment later.
  await expect(output).toContainText('node3           Ready');
  // The cluster runs off the page's main thread: in one dedicated worker.
  expect(page.workers()).toHaveLength(1);
  // The board's "starting" note is gone once the engine has answered.
  await expect(page.getByTestId('board-starting')).toHaveCount(0);
  const text = await output.innerText();
  for (const line of [
    'NAME            STATUS   ROLES           AGE   VERSION',
    'control-plane   Ready    control-plane   10m   v1.34.1',
    'node1           Ready    <none>          10m   v1.34.1',
    'node2           Ready    <none>          10m   v1.34.1',
    'node3           Ready    <none>          10m   v1.34.1',
  ]) {
    expect(text).toContain(line);
  }
  await expect(input).toHaveValue('');

  // History: ↑ brings the last command back.
  await page.keyboard.press('ArrowUp');
  await expect(input).toHaveValue('kubectl get nodes');

  expect(errors).toEqual([]);
  expect(foreign).toEqual([]);
});

test('mistakes get kubectl-style errors', async ({ page }) => {
  await page.goto('./');
  await page.getByTestId('console-input').click();
  await page.keyboard.type('kubectl gte nodes');
  await page.keyboard.press('Enter');
  const output = page.getByTestId('console-output');
  await expect(output).toContainText('error: unknown command "gte" for "kubectl"');
  await expect(output).toContainText('Did you mean this?');
  await expect(page.locator('.line-stderr').first()).toBeVisible();
});

test('screenshots of the console', async ({ page }, testInfo) => {
  test.skip(testInfo.project.name !== 'root', 'one set of screenshots is enough');
  for (const scheme of ['light', 'dark']) {
    for (const [label, width, height] of [['wide', 1280, 720], ['narrow', 375, 720]]) {
      await page.setViewportSize({ width, height });
      await page.emulateMedia({ colorScheme: scheme });
      await page.goto('./');
      await page.getByTestId('console-input').click();
      for (const cmd of ['kubectl get nodes', 'kubectl run web --image=nginx', 'kubectl run typo --image=ngnix',
        'sleep 12', 'kubectl get pods -o wide', 'kubectl get events | grep web']) {
        await page.keyboard.type(cmd);
        await page.keyboard.press('Enter');
      }
      await expect(page.getByTestId('console-output')).toContainText('Started container web');
      await page.screenshot({ path: testInfo.outputPath(`console-${scheme}-${label}.png`) });
    }
  }
});

test('a pod started with kubectl run becomes Running as time passes', async ({ page }) => {
  await page.goto('./');
  await page.getByTestId('console-input').click();
  await page.keyboard.type('kubectl run nginx --image=nginx');
  await page.keyboard.press('Enter');
  const output = page.getByTestId('console-output');
  await expect(output).toContainText('pod/nginx created');
  // The image pull takes about 6 simulated seconds; the page runs at 1×.
  await page.waitForTimeout(7000);
  await page.keyboard.type('kubectl get pods');
  await page.keyboard.press('Enter');
  await expect(output).toContainText(/nginx\s+1\/1\s+Running\s+0\s+[0-9]+s/);
});

test('a manifest typed as a heredoc is written and applied', async ({ page }) => {
  await page.goto('./');
  await page.getByTestId('console-input').click();
  const lines = [
    'cat <<EOF > pod.yaml',
    'apiVersion: v1',
    'kind: Pod',
    'metadata:',
    '  name: web',
    'spec:',
    '  containers:',
    '  - name: nginx',
    '    image: nginx',
    'EOF',
  ];
  for (const line of lines) {
    await page.keyboard.type(line);
    await page.keyboard.press('Enter');
  }
  const output = page.getByTestId('console-output');
  await expect(output).toContainText('> kind: Pod');
  await page.keyboard.type('kubectl apply -f pod.yaml');
  await page.keyboard.press('Enter');
  await expect(output).toContainText('pod/web created');
});

test('pasting several lines runs them like typed lines', async ({ page }) => {
  await page.goto('./');
  const input = page.getByTestId('console-input');
  await input.click();
  await input.evaluate((el) => {
    const data = new DataTransfer();
    data.setData('text', 'kubectl apply -f - <<EOF\napiVersion: v1\nkind: Namespace\nmetadata:\n  name: dev\nEOF\nkubectl get ns dev\n');
    el.dispatchEvent(new ClipboardEvent('paste', { clipboardData: data, bubbles: true, cancelable: true }));
  });
  const output = page.getByTestId('console-output');
  await expect(output).toContainText('namespace/dev created');
  await expect(output).toContainText(/dev\s+Active\s+0s/);
});

test('shell loops, variables and command substitution work as in bash', async ({ page }) => {
  await page.goto('./');
  const input = page.getByTestId('console-input');
  const output = page.getByTestId('console-output');
  await input.click();
  await page.keyboard.type('for i in 1 2 3; do kubectl run web$i --image=nginx; done');
  await page.keyboard.press('Enter');
  for (const i of [1, 2, 3]) await expect(output).toContainText(`pod/web${i} created`);
  // The board shows what the loop made.
  await expect(page.locator('[data-testid="pod-tile"][data-pod^="default/web"]')).toHaveCount(3);
  // A variable set from a command substitution, and the last status.
  await page.keyboard.type('N=$(kubectl get pods --no-headers | wc -l); echo "pods: $N, status $?"');
  await page.keyboard.press('Enter');
  await expect(output).toContainText('pods: 3, status 0');
});

test('a watch streams as the clock ticks and Ctrl-C stops it', async ({ page }) => {
  await page.goto('./');
  const input = page.getByTestId('console-input');
  await input.click();
  await page.keyboard.type('kubectl run web --image=nginx');
  await page.keyboard.press('Enter');
  const output = page.getByTestId('console-output');
  await expect(output).toContainText('pod/web created');
  await page.keyboard.type('kubectl get pods -w');
  await page.keyboard.press('Enter');
  await expect(output).toContainText('NAME   READY   STATUS');
  // While the watch runs there is no prompt; the pod's progress arrives by itself.
  await expect(page.locator('.console-prompt .prompt')).toHaveText('');
  await expect(output).toContainText('web    1/1     Running', { timeout: 20_000 });
  await page.keyboard.press('Control+C');
  await expect(output).toContainText('^C');
  await expect(page.locator('.console-prompt .prompt')).not.toHaveText('');
  await page.keyboard.type('kubectl get pods');
  await page.keyboard.press('Enter');
  await expect(output).toContainText('$ kubectl get pods');
});

test('kubectl explain reads the API documentation shipped with the page', async ({ page }) => {
  await page.goto('./');
  await page.getByTestId('console-input').click();
  // The documentation loads right after start-up; retry until it is there.
  const output = page.getByTestId('console-output');
  await expect(async () => {
    await page.keyboard.type('kubectl explain deploy.spec.replicas');
    await page.keyboard.press('Enter');
    await expect(output).toContainText('FIELD: replicas <integer>', { timeout: 1_000 });
  }).toPass({ timeout: 10_000 });
  await expect(output).toContainText('GROUP:      apps');
  await expect(output).toContainText('Number of desired pods.');
});
