// A learner opens `vi pod.yaml`, types a manifest, sees a mistake marked on its line before
// saving, fixes it, saves with Ctrl-S and applies the file; `kubectl edit` opens the object.
import { test, expect } from '@playwright/test';
import { run } from './console-helpers.mjs';

test('vi pod.yaml: type, see the problem on its line, fix, save, apply', async ({ page }) => {
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.goto('./');
  await run(page, 'vi pod.yaml');
  const editor = page.getByTestId('editor');
  await expect(editor).toBeVisible();
  await expect(page.getByTestId('console-input')).toBeHidden();
  const text = page.getByTestId('editor-text');
  await expect(text).toBeFocused();
  // Typed as a person would, Tab for indentation (two spaces).
  for (const line of ['apiVersion: v1', 'kind: Pod', 'metadata:']) {
    await page.keyboard.type(line);
    await page.keyboard.press('Enter');
  }
  await page.keyboard.press('Tab');
  await page.keyboard.type('name: web');
  await page.keyboard.press('Enter');
  await page.keyboard.type('spec:');
  await page.keyboard.press('Enter');
  await page.keyboard.press('Tab');
  await page.keyboard.type('contianers:');
  await page.keyboard.press('Enter');
  await page.keyboard.press('Tab');
  await page.keyboard.type('- name: web');
  await page.keyboard.press('Enter');
  await page.keyboard.press('Tab');
  await page.keyboard.press('Tab');
  await page.keyboard.type('image: nginx');
  await expect(text).toHaveValue(
    'apiVersion: v1\nkind: Pod\nmetadata:\n  name: web\nspec:\n  contianers:\n  - name: web\n    image: nginx',
  );
  // The typo is marked on line 6 with a suggestion, before anything is saved.
  const problems = page.getByTestId('editor-problems');
  await expect(problems).toContainText('line 6');
  await expect(problems).toContainText('did you mean "containers"?');
  await expect(editor.locator('.gutter-line.has-problem')).toHaveText('6');

  // Fix it: the mark goes away.
  await text.fill((await text.inputValue()).replace('contianers', 'containers'));
  await expect(problems).toBeEmpty();
  await page.keyboard.press('Control+s');
  await expect(editor).toBeHidden();
  const output = page.getByTestId('console-output');
  await expect(output).toContainText('"pod.yaml" [New] 8L');
  await expect(page.getByTestId('console-input')).toBeFocused();

  await run(page, 'kubectl apply -f pod.yaml');
  await expect(output).toContainText('pod/web created');
  await run(page, 'cat pod.yaml');
  await expect(output).toContainText('  containers:');
  expect(errors).toEqual([]);
});

test('cancel leaves the file untouched', async ({ page }) => {
  await page.goto('./');
  await run(page, 'echo "kind: Pod" > p.yaml');
  await run(page, 'nano p.yaml');
  const text = page.getByTestId('editor-text');
  await expect(text).toHaveValue('kind: Pod\n');
  await text.fill('something else');
  await page.getByTestId('editor-cancel').click();
  await expect(page.getByTestId('editor')).toBeHidden();
  await run(page, 'cat p.yaml');
  await expect(page.getByTestId('console-output')).toContainText('kind: Pod');
  await expect(page.getByTestId('console-output')).not.toContainText('something else');
});

test('kubectl edit opens the object and applies the change', async ({ page }) => {
  await page.goto('./');
  await run(page, 'kubectl create deployment web --image=nginx');
  await run(page, 'kubectl edit deployment web');
  const text = page.getByTestId('editor-text');
  await expect(page.getByTestId('editor')).toBeVisible();
  await expect(text).toHaveValue(/# Please edit the object below/);
  await text.fill((await text.inputValue()).replace('replicas: 1', 'replicas: 3'));
  await page.getByTestId('editor-save').click();
  await expect(page.getByTestId('editor')).toBeHidden();
  await expect(page.getByTestId('console-output')).toContainText('deployment.apps/web edited');
  await run(page, 'kubectl get deployment web -o jsonpath={.spec.replicas}');
  await expect(page.locator('.line-stdout').last()).toHaveText('3');
});

test('the file list shows the workspace files and switches between them', async ({ page }) => {
  await page.goto('./');
  await run(page, 'echo "kind: Pod" > a.yaml');
  await run(page, 'echo "notes" > b.txt');
  await run(page, 'vi a.yaml');
  const files = page.getByTestId('editor-files');
  await expect(files).toContainText('a.yaml');
  await expect(files).toContainText('b.txt');
  await expect(files.locator('[aria-current="true"]')).toHaveText('a.yaml');
  const text = page.getByTestId('editor-text');
  await files.getByRole('button', { name: 'b.txt' }).click();
  await expect(text).toHaveValue('notes\n');
  // Unsaved changes are not dropped without asking.
  await text.fill('changed');
  page.once('dialog', (d) => d.dismiss());
  await files.getByRole('button', { name: 'a.yaml' }).click();
  await expect(text).toHaveValue('changed');
  page.once('dialog', (d) => d.accept());
  await files.getByRole('button', { name: 'a.yaml' }).click();
  await expect(text).toHaveValue('kind: Pod\n');
  await expect(files.locator('[aria-current="true"]')).toHaveText('a.yaml');
});

// vi's basic contract: Esc opens the ":" line at the bottom; :q! discards, :wq and ZZ save,
// :q refuses while the text has unsaved changes.
test('Esc :q! Enter discards the changes', async ({ page }) => {
  await page.goto('./');
  await run(page, 'echo "kind: Pod" > p.yaml');
  await run(page, 'vi p.yaml');
  const text = page.getByTestId('editor-text');
  await expect(text).toBeFocused();
  await expect(page.getByTestId('vi-line')).toContainText('-- INSERT --');
  await page.keyboard.type('changed ');
  await page.keyboard.press('Escape');
  await expect(page.getByTestId('vi-command')).toBeFocused();
  await expect(page.getByTestId('vi-line')).toContainText(':');
  await page.keyboard.type(':q!');
  await expect(page.getByTestId('vi-command')).toHaveValue('q!');
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('editor')).toBeHidden();
  await expect(page.getByTestId('console-input')).toBeFocused();
  await run(page, 'cat p.yaml');
  const output = page.getByTestId('console-output');
  await expect(page.locator('.line-stdout').last()).toHaveText('kind: Pod');
  await expect(output).not.toContainText('changed');
  await expect(output).not.toContainText('written');
});

test('Esc :wq Enter saves; ZZ saves too', async ({ page }) => {
  await page.goto('./');
  await run(page, 'vi web.yaml');
  await expect(page.getByTestId('editor-text')).toBeFocused();
  await page.keyboard.type('kind: Pod');
  await page.keyboard.press('Escape');
  await page.keyboard.type(':wq');
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('editor')).toBeHidden();
  const output = page.getByTestId('console-output');
  await expect(output).toContainText('"web.yaml" [New] 1L, 10B written');
  await run(page, 'cat web.yaml');
  await expect(page.locator('.line-stdout').last()).toHaveText('kind: Pod');

  await run(page, 'vi web.yaml');
  // vi opens on the first line: End goes to its end.
  await expect(page.getByTestId('editor-text')).toBeFocused();
  await page.keyboard.press('End');
  await page.keyboard.type('\nmetadata: {}');
  await page.keyboard.press('Escape');
  await page.keyboard.type('ZZ');
  await expect(page.getByTestId('editor')).toBeHidden();
  await expect(output).toContainText('"web.yaml" 2L, 23B written');
  await run(page, 'cat web.yaml');
  await expect(page.locator('.line-stdout').last()).toHaveText('metadata: {}');
});

test(':q with unsaved changes refuses with E37; :w then :q quits', async ({ page }) => {
  await page.goto('./');
  await run(page, 'echo "kind: Pod" > p.yaml');
  await run(page, 'vi p.yaml');
  await expect(page.getByTestId('editor-text')).toBeFocused();
  await page.keyboard.type('# note\n');
  await page.keyboard.press('Escape');
  await page.keyboard.type(':q');
  await page.keyboard.press('Enter');
  const editor = page.getByTestId('editor');
  await expect(page.getByTestId('vi-message')).toHaveText('E37: No write since last change (add ! to override)');
  await expect(editor).toBeVisible();
  await expect(page.getByTestId('editor-text')).toHaveValue('# note\nkind: Pod\n');
  // Not a command: vim's E492.
  await page.keyboard.type(':wqq');
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('vi-message')).toHaveText('E492: Not an editor command: wqq');
  // Esc goes back to the text; :w writes and stays; then :q quits.
  await page.keyboard.press('Escape');
  await expect(page.getByTestId('editor-text')).toBeFocused();
  await page.keyboard.press('Escape');
  await page.keyboard.type(':w');
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('vi-message')).toHaveText('"p.yaml" 2L, 17B written');
  await expect(editor).toBeVisible();
  await page.keyboard.press('Escape');
  await page.keyboard.type(':q');
  await page.keyboard.press('Enter');
  await expect(editor).toBeHidden();
  await run(page, 'cat p.yaml');
  await expect(page.getByTestId('console-output')).toContainText('# note');
});

test('kubectl edit: Esc :q! cancels, Esc :wq applies', async ({ page }) => {
  await page.goto('./');
  await run(page, 'kubectl create deployment web --image=nginx');
  await run(page, 'kubectl edit deployment web');
  const text = page.getByTestId('editor-text');
  await expect(text).toHaveValue(/# Please edit the object below/);
  await text.fill((await text.inputValue()).replace('replicas: 1', 'replicas: 2'));
  await page.keyboard.press('Escape');
  await page.keyboard.type(':q!');
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('editor')).toBeHidden();
  const output = page.getByTestId('console-output');
  await expect(output).toContainText('Edit cancelled, no changes made.');

  await run(page, 'kubectl edit deployment web');
  await text.fill((await text.inputValue()).replace('replicas: 1', 'replicas: 3'));
  await page.keyboard.press('Escape');
  await page.keyboard.type(':wq');
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('editor')).toBeHidden();
  await expect(output).toContainText('deployment.apps/web edited');
  await run(page, 'kubectl get deployment web -o jsonpath={.spec.replicas}');
  await expect(page.locator('.line-stdout').last()).toHaveText('3');
});
