// A person logs in to a node, writes a static pod's manifest with vi, and sees the pod run.
import { test, expect } from '@playwright/test';
import { run, screenshots } from './console-helpers.mjs';

const MANIFEST = `apiVersion: v1
kind: Pod
metadata:
  name: static-web
spec:
  containers:
  - name: web
    image: nginx
`;

test('vi in an ssh session edits the node\'s manifest; the kubelet runs it as a mirrored pod', async ({ page }, testInfo) => {
  await page.goto('./');
  const output = page.getByTestId('console-output');
  const prompt = page.locator('.console-prompt .prompt');
  await run(page, 'ssh node1');
  await expect(prompt).toHaveText('root@node1:~#');
  await run(page, 'vi /etc/kubernetes/manifests/static-web.yaml');
  const editor = page.getByTestId('editor');
  const text = page.getByTestId('editor-text');
  await expect(editor).toBeVisible();
  await expect(text).toHaveValue('');
  await text.fill(MANIFEST);

  await screenshots(page, testInfo, 'static-pod-editor');

  await page.getByTestId('editor-save').click();
  await expect(editor).toBeHidden();
  await run(page, 'exit');
  await expect(output).toContainText('Connection to node1 closed.');
  await run(page, 'sleep 10');
  await run(page, 'kubectl get pods -o wide');
  await expect(output).toContainText(/static-web-node1\s+1\/1\s+Running/);
  const tile = page.locator('[data-testid="node-box"]', { hasText: 'node1' })
    .locator('[data-testid="pod-tile"]', { hasText: 'static-web-node1' });
  await expect(tile).toHaveCount(1);

  // The mirror pod comes back when deleted; the file going stops the pod.
  await run(page, 'kubectl delete pod static-web-node1');
  await run(page, 'kubectl get pods');
  // Posted again at once (the page's clock runs on meanwhile: a few seconds old).
  await expect(output).toContainText(/static-web-node1\s+1\/1\s+Running\s+0\s+[0-9]s/);
  await run(page, 'ssh node1 rm /etc/kubernetes/manifests/static-web.yaml');
  await run(page, 'kubectl get pods');
  await expect(output).toContainText('No resources found in default namespace.');
});
