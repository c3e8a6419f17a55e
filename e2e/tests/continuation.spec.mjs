// An unfinished command (an open loop, quote or pipe) gets bash's `> ` prompt and runs once
// it is complete; Ctrl-C drops it; the journal keeps the whole command once.
import { test, expect } from '@playwright/test';

async function type(page, line) {
  await page.keyboard.type(line);
  await page.keyboard.press('Enter');
}

const prompt = (page) => page.locator('.console-prompt .prompt');

/** The console's text as shown, one scrollback line per line. */
const shown = (page) => () => page.getByTestId('console-output').innerText();

test('a loop typed over several lines runs once it is closed', async ({ page }) => {
  await page.goto('./');
  await page.getByTestId('console-input').click();
  const output = page.getByTestId('console-output');
  await type(page, 'for i in 1 2');
  await expect(prompt(page)).toHaveText('>');
  await type(page, 'do');
  await type(page, 'echo "n$i" >> nums.txt');
  await expect(output).not.toContainText('bash:');
  await type(page, 'done');
  await expect(prompt(page)).toHaveText('$');
  await type(page, 'cat nums.txt');
  await expect.poll(shown(page)).toContain('$ cat nums.txt\nn1\nn2\n');
  const text = await output.innerText();
  for (const line of ['$ for i in 1 2', '> do', '> echo "n$i" >> nums.txt', '> done']) expect(text).toContain(line);

  // An open quote and a final pipe continue too.
  await type(page, "echo 'one");
  await expect(prompt(page)).toHaveText('>');
  await type(page, "two'");
  await expect.poll(shown(page)).toContain("> two'\none\ntwo\n");
  await type(page, 'cat nums.txt |');
  await type(page, 'grep -c n');
  await expect.poll(shown(page)).toContain('> grep -c n\n2\n');

  // The journal holds each whole command once: a reload replays the loop once.
  // (The console shows its old lines again, so the file itself is counted.)
  await page.reload();
  await page.getByTestId('console-input').click();
  await type(page, 'grep -c n1 nums.txt');
  await expect.poll(shown(page)).toContain('$ grep -c n1 nums.txt\n1\n');
});

test('Ctrl-C drops an unfinished command, as bash', async ({ page }) => {
  await page.goto('./');
  await page.getByTestId('console-input').click();
  await type(page, 'while true; do');
  await page.keyboard.type('echo never');
  await page.keyboard.press('Control+C');
  const output = page.getByTestId('console-output');
  await expect.poll(shown(page)).toContain('$ while true; do\n> echo never^C\n');
  await expect(prompt(page)).toHaveText('$');
  await expect(page.getByTestId('console-input')).toHaveValue('');
  await type(page, 'echo after');
  await expect.poll(shown(page)).toContain('$ echo after\nafter\n');
  expect(await output.innerText()).not.toContain('\nnever');
});

test('screenshots of a continuation', async ({ page }, testInfo) => {
  test.skip(testInfo.project.name !== 'root', 'one set of screenshots is enough');
  for (const scheme of ['light', 'dark']) {
    await page.setViewportSize({ width: 1280, height: 720 });
    await page.emulateMedia({ colorScheme: scheme });
    await page.goto('./');
    await page.getByTestId('console-input').click();
    await type(page, 'kubectl get nodes');
    await type(page, 'for n in node1 node2');
    await type(page, 'do');
    await type(page, 'kubectl get node $n \\');
    await page.keyboard.type('  -o wide');
    await expect(prompt(page)).toHaveText('>');
    await page.screenshot({ path: testInfo.outputPath(`continuation-${scheme}.png`) });
  }
});
