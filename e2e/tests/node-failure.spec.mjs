// A person logs in to a node, stops its kubelet, and watches the node go NotReady.
import { test, expect } from '@playwright/test';
import { run, screenshots } from './console-helpers.mjs';

test('ssh into a node and stop its kubelet: the prompt is the node\'s, the board marks it NotReady', async ({ page }, testInfo) => {
  await page.goto('./');
  const output = page.getByTestId('console-output');
  const prompt = page.locator('.console-prompt .prompt');
  await run(page, 'kubectl create deployment web --image=nginx --replicas=3');
  await expect(output).toContainText('deployment.apps/web created');

  await run(page, 'ssh node1');
  await expect(prompt).toHaveText('root@node1:~#');
  await run(page, 'systemctl stop kubelet');
  await run(page, 'systemctl is-active kubelet');
  await expect(output).toContainText('root@node1:~# systemctl is-active kubelet');
  await expect(output).toContainText('inactive');
  await run(page, 'exit');
  await expect(output).toContainText('Connection to node1 closed.');
  await expect(prompt).toHaveText('$');

  // The node controller's grace period (50 s), then its next look.
  await run(page, 'sleep 70');
  await run(page, 'kubectl get nodes');
  await expect(output).toContainText(/node1\s+NotReady/);
  const down = page.locator('[data-testid="node-box"].not-ready');
  await expect(down).toHaveCount(1);
  await expect(down).toContainText('node1');
  await expect(down).toContainText('NotReady');

  await screenshots(page, testInfo, 'node-notready', () => down.scrollIntoViewIfNeeded());

  await run(page, 'ssh node1 sudo systemctl start kubelet');
  await expect(page.locator('[data-testid="node-box"].not-ready')).toHaveCount(0);
});
