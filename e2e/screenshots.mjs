// Regenerates the README's screenshots from the built dist/:
//   cd e2e && node screenshots.mjs ../docs
// A laptop view in the light theme (lesson, console, board during a rollout) and a phone-width
// view in the dark theme, in Korean, with the editor marking a mistake.
import { spawn } from 'node:child_process';
import { chromium } from 'playwright-core';

const out = process.argv[2] ?? '../docs';
const port = 8299;
const server = spawn('node', ['serve.mjs', '../dist', String(port)], { stdio: 'ignore' });
await new Promise((r) => setTimeout(r, 500));
const browser = await chromium.launch({ executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium', args: ['--no-sandbox'] });

async function run(page, command) {
  const input = page.getByTestId('console-input');
  await input.fill(command);
  await input.press('Enter');
}

try {
  // 1. Laptop, light: lesson 7 open, a Deployment rolling on the board.
  let context = await browser.newContext({ viewport: { width: 1440, height: 860 }, colorScheme: 'light', locale: 'en-US' });
  let page = await context.newPage();
  await page.goto(`http://127.0.0.1:${port}/`);
  await page.locator('[data-testid="lesson-item"][data-lesson-id="deployments"] [data-testid="lesson-start"]').click().catch(() => {});
  await run(page, 'kubectl create deployment web --image=nginx:1.26 --replicas=4');
  await page.getByTestId('time-fast').click();
  await page.waitForTimeout(2500);
  await page.getByTestId('time-play').click();
  await run(page, 'kubectl set image deployment/web nginx=nginx:1.27');
  await page.waitForTimeout(1200);
  await run(page, 'kubectl get pods');
  await page.screenshot({ path: `${out}/screenshot.png` });
  await context.close();

  // 2. Phone width, dark, Korean: the editor marks a misspelt field before saving.
  context = await browser.newContext({ viewport: { width: 390, height: 844 }, colorScheme: 'dark', locale: 'ko-KR', deviceScaleFactor: 2 });
  page = await context.newPage();
  await page.goto(`http://127.0.0.1:${port}/`);
  await run(page, 'vi pod.yaml');
  await page.getByTestId('editor-text').fill('apiVersion: v1\nkind: Pod\nmetadata:\n  name: web\nspec:\n  contianers:\n  - name: web\n    image: nginx\n');
  await page.getByTestId('editor-problems').getByText('containers').waitFor();
  await page.getByTestId('editor').scrollIntoViewIfNeeded();
  await page.screenshot({ path: `${out}/screenshot-phone-ko.png` });
  await context.close();
} finally {
  await browser.close();
  server.kill();
}
