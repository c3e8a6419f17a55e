// Tab completes like a shell: commands, resource types and names from the live cluster.
import { test, expect } from '@playwright/test';

test('Tab completes resource types and live object names', async ({ page }) => {
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.goto('./');
  const input = page.getByTestId('console-input');
  const output = page.getByTestId('console-output');
  await expect(input).toBeVisible();
  await input.click();

  // A resource type: one candidate, the word is replaced and a space follows.
  await page.keyboard.type('kubectl get depl');
  await page.keyboard.press('Tab');
  await expect(input).toHaveValue('kubectl get deployments ');
  // Tab never moves the focus out of the console.
  await expect(input).toBeFocused();
  await page.keyboard.press('Enter');
  await expect(output).toContainText('No resources found in default namespace.');

  // A name from the live cluster.
  await page.keyboard.type('kubectl create deployment web --image=nginx');
  await page.keyboard.press('Enter');
  await expect(output).toContainText('deployment.apps/web created');
  await page.keyboard.type('kubectl describe deployment w');
  await page.keyboard.press('Tab');
  await expect(input).toHaveValue('kubectl describe deployment web ');
  await expect(input).toBeFocused();
  await page.keyboard.press('Enter');
  await expect(output).toContainText(/Name:\s+web/);

  // Several candidates: the first Tab leaves the line, the second lists them.
  await page.keyboard.type('kubectl de');
  await page.keyboard.press('Tab');
  await expect(input).toHaveValue('kubectl de');
  await page.keyboard.press('Tab');
  await expect(input).toHaveValue('kubectl de');
  await expect(output).toContainText('$ kubectl de');
  await expect(page.locator('.line-stdout').last()).toContainText('delete');
  await expect(page.locator('.line-stdout').last()).toContainText('describe');
  await expect(input).toBeFocused();

  // A short name goes on to what the plurals share, as kubectl's completion does.
  await input.fill('');
  await page.keyboard.type('kubectl get po');
  await page.keyboard.press('Tab');
  await expect(input).toHaveValue('kubectl get pod');
  await page.keyboard.press('Tab');
  await expect(page.locator('.line-stdout').last()).toContainText('poddisruptionbudgets  pods  podtemplates');
  // Every -o value is listed, wide included, in bash's columns (down first).
  await input.fill('');
  await page.keyboard.type('kubectl get pods -o ');
  await page.keyboard.press('Tab');
  await page.keyboard.press('Tab');
  const rows = page.locator('.line-stdout');
  await expect(rows.last()).toHaveText(/^json +name +yaml$/);
  await expect(rows.nth(-2)).toHaveText(/^custom-columns= +jsonpath= +wide$/);

  expect(errors).toEqual([]);
});

test('Tab walks kubectl explain field paths', async ({ page }) => {
  await page.goto('./');
  const input = page.getByTestId('console-input');
  const output = page.getByTestId('console-output');
  await input.click();
  // The API documentation arrives shortly after start; explain answers once it has.
  await expect(async () => {
    await input.fill('kubectl explain pod.spec.restartPolicy');
    await input.press('Enter');
    await expect(output).toContainText('FIELD: restartPolicy <string>', { timeout: 1_000 });
  }).toPass();
  // A field with fields ends in a dot, so the next Tab goes deeper.
  await page.keyboard.type('kubectl explain deploy.spec.str');
  await page.keyboard.press('Tab');
  await expect(input).toHaveValue('kubectl explain deploy.spec.strategy.');
  await page.keyboard.type('ty');
  await page.keyboard.press('Tab');
  await expect(input).toHaveValue('kubectl explain deploy.spec.strategy.type ');
  await page.keyboard.press('Enter');
  await expect(output).toContainText('FIELD: type <string>');
});
