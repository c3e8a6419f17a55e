// A learner gives a pod storage that outlives it: a static NFS PersistentVolume, a claim
// with `storageClassName: ""`, a pod writing into the claim, a replacement pod reading the
// file back. The board shows the claim and the volume (and why a claim waits) in its
// Storage area, and the pod's volume chip says what backs it.
import { test, expect } from '@playwright/test';
import { run } from './console-helpers.mjs';

/** Writes `text` to `file` in the console with a heredoc, line by line, as a learner types. */
async function heredoc(page, file, text) {
  await run(page, `cat <<'EOF' > ${file}`);
  for (const line of text.trimEnd().split('\n')) await run(page, line);
  await run(page, 'EOF');
}

const PV = `apiVersion: v1
kind: PersistentVolume
metadata:
  name: pv-nfs
spec:
  capacity:
    storage: 1Gi
  accessModes:
  - ReadWriteMany
  persistentVolumeReclaimPolicy: Retain
  storageClassName: ""
  nfs:
    server: 211.183.3.99
    path: /pvpvc`;

const PVC = `apiVersion: v1
kind: PersistentVolumeClaim
metadata:
  name: pvc-nfs
spec:
  storageClassName: ""
  accessModes:
  - ReadWriteMany
  resources:
    requests:
      storage: 1Gi`;

/** A pod mounting the claim at /data. */
const pod = (name) => `apiVersion: v1
kind: Pod
metadata:
  name: ${name}
spec:
  containers:
  - name: app
    image: busybox
    command: ["sleep", "3600"]
    volumeMounts:
    - name: data
      mountPath: /data
  volumes:
  - name: data
    persistentVolumeClaim:
      claimName: pvc-nfs`;

/** A claim no volume can satisfy (10Gi, no class): it waits, and the board says why. */
const LONELY = `apiVersion: v1
kind: PersistentVolumeClaim
metadata:
  name: lonely
spec:
  storageClassName: ""
  accessModes:
  - ReadWriteOnce
  resources:
    requests:
      storage: 10Gi`;

const tile = (page, name) => page.locator(`[data-testid="pod-tile"][data-pod="default/${name}"]`);
const claimRow = (page, name) => page.locator(`[data-testid="storage-claim"][data-claim="default/${name}"]`);

/** The console's text as shown. */
const shown = (page) => () => page.getByTestId('console-output').innerText();

async function setUp(page) {
  await page.goto('./');
  await expect(page.getByTestId('storage-view')).toHaveCount(0); // no claims, no volumes: no area
  await heredoc(page, 'pv.yaml', PV);
  await heredoc(page, 'pvc.yaml', PVC);
  await heredoc(page, 'pod.yaml', pod('writer'));
  await run(page, 'kubectl apply -f pv.yaml -f pvc.yaml');
  await expect(page.getByTestId('console-output')).toContainText('persistentvolumeclaim/pvc-nfs created');
}

test('the board shows claims, volumes, why a claim waits, and a pod’s volume chip', async ({ page }) => {
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  await setUp(page);
  const storage = page.getByTestId('storage-view');
  await expect(storage).toBeVisible();
  // The claim and the volume, from the API objects alone.
  await expect(claimRow(page, 'pvc-nfs')).toBeVisible();
  await expect(claimRow(page, 'pvc-nfs')).toContainText('pvc-nfs →');
  const pv = storage.locator('[data-testid="storage-pv"][data-pv="pv-nfs"]');
  await expect(pv).toBeVisible();
  await expect(pv).toContainText('NFS 211.183.3.99:/pvpvc');
  await expect(pv).toContainText('Retain');

  // A claim nothing satisfies says why, in plain words and in the binder's own.
  await heredoc(page, 'lonely.yaml', LONELY);
  await run(page, 'kubectl apply -f lonely.yaml');
  const lonely = claimRow(page, 'lonely');
  await expect(lonely).toHaveAttribute('data-status', 'Pending');
  const why = lonely.getByTestId('claim-blocker');
  await expect(why).toContainText('no persistent volumes available for this claim and no storage class is set', { timeout: 10_000 });
  await expect(why).toContainText('No PersistentVolume matches this claim');

  // The pod's chip names its claim; on focus the tile says what backs it.
  await run(page, 'kubectl apply -f pod.yaml');
  const writer = tile(page, 'writer');
  const chip = writer.locator('[data-testid="volume-chip"][data-type="persistentVolumeClaim"]');
  await expect(chip).toHaveText(/pvc/);
  await expect(chip).toHaveAttribute('title', /^data: PVC pvc-nfs/);
  await expect(writer).toHaveAttribute('title', /data: PVC pvc-nfs/);
  const lines = writer.getByTestId('volume-lines');
  await expect(lines).toBeHidden();
  await writer.focus();
  await expect(lines).toBeVisible();
  await expect(lines).toContainText('data: PVC pvc-nfs');
  // The claim lists its user; its name opens `kubectl describe pvc`. (The tile, Pending
  // here until a binder binds its claim, shows the scheduler's reason in its flow while
  // focused: let it fold first, so the row does not move under the pointer.)
  await expect(claimRow(page, 'pvc-nfs')).toContainText('writer');
  await writer.blur();
  await claimRow(page, 'pvc-nfs').locator('.storage-name').click();
  await expect(page.getByTestId('describe-panel')).toContainText('kubectl describe pvc pvc-nfs -n default');
  await expect(page.getByTestId('describe-panel').locator('pre')).toContainText('Name:');
  await page.keyboard.press('Escape');
  expect(errors).toEqual([]);
});

test('a file written through a claim outlives the pod that wrote it', async ({ page }) => {
  test.setTimeout(90_000);
  await setUp(page);
  await page.getByTestId('time-fast').click();
  // The binder binds the claim to the matching volume (needs the persistentvolume binder).
  await expect(claimRow(page, 'pvc-nfs')).toHaveAttribute('data-status', 'Bound', { timeout: 20_000 });
  await expect(claimRow(page, 'pvc-nfs')).toContainText('pvc-nfs → pv-nfs');
  await expect(page.locator('[data-testid="storage-pv"][data-pv="pv-nfs"]')).toContainText('pv-nfs → default/pvc-nfs');

  await run(page, 'kubectl apply -f pod.yaml');
  await expect(tile(page, 'writer')).toHaveAttribute('data-status', 'Running', { timeout: 20_000 });
  await expect(tile(page, 'writer').locator('[data-testid="volume-chip"]')).toHaveAttribute(
    'title', 'data: PVC pvc-nfs → PV pv-nfs · NFS 211.183.3.99:/pvpvc');
  // Written through the claim (needs volume mounts and the exec filesystem).
  await run(page, "kubectl exec writer -- sh -c 'echo hello > /data/f'");
  await run(page, 'kubectl delete pod writer');
  await expect(tile(page, 'writer')).toHaveCount(0, { timeout: 30_000 });
  await expect(claimRow(page, 'pvc-nfs')).toHaveAttribute('data-status', 'Bound');

  await heredoc(page, 'reader.yaml', pod('reader'));
  await run(page, 'kubectl apply -f reader.yaml');
  await expect(tile(page, 'reader')).toHaveAttribute('data-status', 'Running', { timeout: 20_000 });
  await run(page, 'kubectl exec reader -- cat /data/f');
  await expect.poll(shown(page), { timeout: 10_000 }).toContain('$ kubectl exec reader -- cat /data/f\nhello\n');
});

test('screenshots of the storage area', async ({ browser }, testInfo) => {
  test.skip(testInfo.project.name !== 'root', 'one set of screenshots is enough');
  test.setTimeout(120_000);
  const dir = process.env.SHOTS_DIR ?? testInfo.outputPath('');
  for (const [label, width, height, scheme] of [
    ['laptop-light', 1366, 900, 'light'], ['laptop-dark', 1366, 900, 'dark'], ['phone-dark', 390, 844, 'dark'],
  ]) {
    // A fresh context (and so a fresh cluster) for each size.
    const context = await browser.newContext({
      viewport: { width, height }, colorScheme: scheme, baseURL: testInfo.project.use.baseURL,
    });
    const page = await context.newPage();
    await setUp(page);
    await heredoc(page, 'lonely.yaml', LONELY);
    await run(page, 'kubectl apply -f lonely.yaml -f pod.yaml');
    await page.getByTestId('time-fast').click();
    await expect(tile(page, 'writer').locator('[data-testid="volume-chip"]')).toBeVisible();
    await expect(claimRow(page, 'lonely').getByTestId('claim-blocker')).toBeVisible({ timeout: 10_000 });
    await page.waitForTimeout(1500);
    await page.getByTestId('time-pause').click();
    await tile(page, 'writer').focus();
    await page.waitForTimeout(500);
    await page.getByTestId('storage-view').scrollIntoViewIfNeeded();
    await page.screenshot({ path: `${dir}/storage-${label}.png`, fullPage: label.startsWith('phone') });
    await page.getByTestId('storage-view').screenshot({ path: `${dir}/storage-${label}-area.png` });
    await tile(page, 'writer').screenshot({ path: `${dir}/storage-${label}-tile.png` });
    await context.close();
  }
});
