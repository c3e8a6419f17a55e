// A person breaks the API server's manifest, sees kubectl refused, finds the cause with
// crictl on the control-plane node, mends the file, and sees the cluster answer again; the
// board shows the API server's tile crash-looping meanwhile.
import { test, expect } from '@playwright/test';
import { run, screenshots } from './console-helpers.mjs';

test('a broken API server manifest is found with crictl and mended', async ({ page }, testInfo) => {
  await page.goto('./');
  const output = page.getByTestId('console-output');
  const prompt = page.locator('.console-prompt .prompt');
  await run(page, `ssh control-plane "sed -i 's/--etcd-servers=/--etcd-server=/' /etc/kubernetes/manifests/kube-apiserver.yaml"`);
  await run(page, 'sleep 30');
  await run(page, 'kubectl get pods');
  await expect(output).toContainText('The connection to the server 192.168.1.10:6443 was refused - did you specify the right host or port?');
  await run(page, 'ssh control-plane');
  await expect(prompt).toHaveText('root@control-plane:~#');
  await run(page, 'crictl ps -a --name kube-apiserver');
  await expect(output).toContainText('WARN[0000] runtime connect using default endpoints');
  await expect(output).toContainText(/CONTAINER\s+IMAGE\s+CREATED\s+STATE\s+NAME\s+ATTEMPT\s+POD ID\s+POD\s+NAMESPACE/);
  await expect(output).toContainText(/Exited\s+kube-apiserver\s+\d+\s+[0-9a-f]{13}\s+kube-apiserver-control-plane\s+kube-system/);
  await run(page, 'crictl logs $(crictl ps -a -q --name kube-apiserver | head -1)');
  await expect(output).toContainText('Error: unknown flag: --etcd-server');

  await screenshots(page, testInfo, 'crictl');

  await run(page, "sed -i 's/--etcd-server=/--etcd-servers=/' /etc/kubernetes/manifests/kube-apiserver.yaml");
  await run(page, 'exit');
  await expect(output).toContainText('Connection to control-plane closed.');
  await run(page, 'sleep 25');
  await run(page, 'kubectl get pods -n kube-system -l component=kube-apiserver');
  await expect(output).toContainText(/kube-apiserver-control-plane\s+1\/1\s+Running\s+0/);
});
