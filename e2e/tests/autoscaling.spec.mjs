// A learner autoscales php-apache as the upstream HPA walkthrough does: metrics-server
// (with the kubeadm certificate detour), `kubectl autoscale`, a busybox load generator. The
// autoscaling panel explains `<unknown>` first, then its chart rises, the Deployment scales
// out (a marker whose reason shows the formula), and once the load stops and time is
// fast-forwarded, it scales back in.
import { test, expect } from '@playwright/test';
import { run } from './console-helpers.mjs';

/** Writes `text` to `file` in the console with a heredoc, line by line, as a learner types. */
async function heredoc(page, file, text) {
  await run(page, `cat <<'EOF' > ${file}`);
  for (const line of text.trimEnd().split('\n')) await run(page, line);
  await run(page, 'EOF');
}

// The walkthrough's php-apache (Deployment + Service), written for this test.
const PHP_APACHE = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: php-apache
spec:
  selector:
    matchLabels:
      run: php-apache
  template:
    metadata:
      labels:
        run: php-apache
    spec:
      containers:
      - name: php-apache
        image: registry.k8s.io/hpa-example
        ports:
        - containerPort: 80
        resources:
          limits:
            cpu: 500m
          requests:
            cpu: 200m
---
apiVersion: v1
kind: Service
metadata:
  name: php-apache
spec:
  ports:
  - port: 80
  selector:
    run: php-apache`;

const METRICS_SERVER = 'https://github.com/kubernetes-sigs/metrics-server/releases/latest/download/components.yaml';
const INSECURE_TLS = `kubectl patch deployment metrics-server -n kube-system --type=json -p '[{"op":"add","path":"/spec/template/spec/containers/0/args/-","value":"--kubelet-insecure-tls"}]'`;
const LOAD = `kubectl run load-generator --image=busybox:1.28 --restart=Never -- /bin/sh -c "while sleep 0.01; do wget -q -O- http://php-apache; done"`;

const output = (page) => page.getByTestId('console-output');
const chart = (page) => page.locator('[data-testid="hpa-chart"][data-hpa="default/php-apache"]');
const number = (attr) => async (locator) => Number((await locator.getAttribute(attr)) || '0');

/** php-apache, metrics-server and the HPA, as a learner types them. */
async function setUp(page) {
  await page.goto('./');
  await expect(page.getByTestId('autoscaling')).toHaveCount(0); // no HPA: no panel
  await heredoc(page, 'php-apache.yaml', PHP_APACHE);
  await run(page, 'kubectl apply -f php-apache.yaml');
  await expect(output(page)).toContainText('deployment.apps/php-apache created');
  await run(page, 'kubectl autoscale deployment php-apache --cpu-percent=50 --min=1 --max=10');
  await expect(output(page)).toContainText('horizontalpodautoscaler.autoscaling/php-apache autoscaled');
  // No metrics-server yet: the chart says why the target is <unknown>.
  await expect(chart(page)).toBeVisible();
  await expect(chart(page).getByTestId('hpa-targets')).toHaveText('cpu: <unknown>/50%');
  await expect(chart(page).getByTestId('hpa-why')).toContainText('metrics-server is not installed');
  await run(page, `kubectl apply -f ${METRICS_SERVER}`);
  await run(page, INSECURE_TLS);
}

test('the chart rises under load, the Deployment scales out, then back in', async ({ page }) => {
  test.setTimeout(300_000);
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  await setUp(page);
  await page.getByTestId('time-fast').click();
  // Metrics arrive: TARGETS gets a number and the explanation goes.
  await expect(chart(page).getByTestId('hpa-targets')).toHaveText(/^cpu: \d+%\/50%$/, { timeout: 60_000 });
  await expect(chart(page).getByTestId('hpa-why')).toHaveCount(0);

  await run(page, LOAD);
  // The chart rises and php-apache scales out.
  await expect.poll(() => number('data-utilization')(chart(page)), { timeout: 60_000 }).toBeGreaterThan(50);
  await expect.poll(() => number('data-replicas')(chart(page)), { timeout: 60_000 }).toBeGreaterThan(1);
  const up = chart(page).locator('[data-testid="hpa-decision"].up').first();
  await expect(up).toBeVisible();
  await up.focus();
  await page.keyboard.press('Enter');
  const reason = chart(page).getByTestId('hpa-reason');
  await expect(reason).toContainText('ceil(1 × ');
  await expect(reason).toContainText('above target');
  await expect(chart(page).locator('[data-testid="chart-replicas"]')).toHaveAttribute('d', /V/);

  // The load stops; after the five-minute stabilization window it scales back in.
  await run(page, 'kubectl delete pod load-generator --wait=false');
  await expect.poll(() => number('data-replicas')(chart(page)), { timeout: 150_000 }).toBe(1);
  const down = chart(page).locator('[data-testid="hpa-decision"].down').last();
  await down.click();
  await expect(reason).toContainText('below target');

  // The table view says the same in rows.
  await chart(page).getByTestId('hpa-table-toggle').click();
  await expect(chart(page).getByTestId('hpa-table')).toContainText('50%');
  expect(errors).toEqual([]);
});

test('screenshots of the autoscaling chart', async ({ browser }, testInfo) => {
  test.skip(testInfo.project.name !== 'root' || !process.env.SHOTS_DIR, 'screenshots only when SHOTS_DIR asks for them, one set');
  test.setTimeout(300_000);
  const dir = process.env.SHOTS_DIR;
  for (const [label, width, height, scheme] of [
    ['laptop-light', 1366, 900, 'light'], ['laptop-dark', 1366, 900, 'dark'], ['phone-light', 390, 844, 'light'],
  ]) {
    const context = await browser.newContext({
      viewport: { width, height }, colorScheme: scheme, baseURL: testInfo.project.use.baseURL,
    });
    const page = await context.newPage();
    await setUp(page);
    await page.getByTestId('time-fast').click();
    await run(page, LOAD);
    await expect.poll(() => number('data-replicas')(chart(page)), { timeout: 90_000 }).toBeGreaterThan(1);
    await page.waitForTimeout(8000);
    await page.getByTestId('time-pause').click();
    await chart(page).locator('[data-testid="hpa-decision"]').first().click();
    await chart(page).scrollIntoViewIfNeeded();
    await page.screenshot({ path: `${dir}/autoscaling-${label}.png`, fullPage: label.startsWith('phone') });
    await chart(page).screenshot({ path: `${dir}/autoscaling-${label}-chart.png` });
    await context.close();
  }
});
