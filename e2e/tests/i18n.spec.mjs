// The whole interface switches between English and Korean; the choice survives a reload,
// and a first visit follows the browser's language.
import { test, expect } from '@playwright/test';

test('switch to Korean, and it stays after a reload', async ({ page }) => {
  await page.goto('./');
  await expect(page.locator('.tagline')).toContainText('A Kubernetes cluster in your browser');
  await page.getByTestId('language-switch').click();
  await expect(page.locator('html')).toHaveAttribute('lang', 'ko');
  await expect(page.locator('.tagline')).toContainText('브라우저 안의 Kubernetes 클러스터');
  await expect(page.getByTestId('reset-cluster')).toHaveText('클러스터 초기화');
  await expect(page.getByTestId('console-output')).toContainText('Kubeplay에 오신 것을 환영합니다.');
  await expect(page.getByTestId('time-controls')).toBeVisible();
  // kubectl itself still speaks kubectl.
  const input = page.getByTestId('console-input');
  await input.fill('kubectl get ns');
  await input.press('Enter');
  await expect(page.getByTestId('console-output')).toContainText('kube-system');
  await page.reload();
  await expect(page.locator('.tagline')).toContainText('브라우저 안의 Kubernetes 클러스터');
  await page.getByTestId('language-switch').click();
  await expect(page.locator('.tagline')).toContainText('A Kubernetes cluster in your browser');
});

test('a Korean browser starts in Korean', async ({ browser, baseURL }) => {
  const context = await browser.newContext({ baseURL, locale: 'ko-KR' });
  const page = await context.newPage();
  await page.goto('./');
  await expect(page.locator('.tagline')).toContainText('브라우저 안의 Kubernetes 클러스터');
  await expect(page.getByTestId('language-switch')).toHaveText('English');
  await context.close();
});
