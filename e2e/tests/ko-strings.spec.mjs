// No English UI string in the Korean locale: every text and label the page itself writes
// (not kubectl's own output, object names or code, which stay as on a real cluster) is Korean.
import { test, expect } from '@playwright/test';
import { run } from './console-helpers.mjs';

/** Words that stay as they are in Korean text: names, kinds, statuses kubectl prints,
 *  volume types (the board's volume chips name them as the pod spec does). */
const KEEP = new Set(`Kubeplay Kubernetes kubectl YAML CPU API DNS IP Pod Pods Deployment ReplicaSet Service
  StatefulSet DaemonSet Job CronJob ConfigMap Secret Namespace Node PersistentVolume PersistentVolumeClaim
  PV PVC HPA StorageClass Ingress Running Pending ContainerCreating Terminating CrashLoopBackOff
  ImagePullBackOff ErrImagePull Completed Error Unknown Warning Normal Ready NotReady OOMKilled
  Succeeded Failed Evicted Init ClusterIP NodePort LoadBalancer ReadWriteOnce ReadWriteMany ReadOnlyMany
  Bound Available Released Lost READY English Enter Esc Tab Ctrl
  hostPath emptyDir configMap secret persistentVolumeClaim nfs projected downwardAPI`.split(/\s+/));

/** Texts and labels the page wrote, outside kubectl's output, names and code. */
async function pageStrings(page) {
  return page.evaluate(() => {
    const SKIP = '.console-output pre, code, pre, textarea, input, .pod-name, .pod-status, .node-name, '
      + '.event-object, .event-message, .event-reason, .event-type, .describe-text, [translate="no"], '
      + '.sim-clock, .lp-code, .editor-line-numbers, noscript';
    const out = [];
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    while (walker.nextNode()) {
      const node = walker.currentNode;
      const el = node.parentElement;
      if (!el || el.closest(SKIP) || !node.textContent.trim()) continue;
      if (el.closest('[hidden]') || getComputedStyle(el).display === 'none') continue;
      out.push(node.textContent.trim());
    }
    for (const el of document.body.querySelectorAll('[title], [aria-label], [placeholder]')) {
      if (el.closest(SKIP)) continue;
      for (const a of ['title', 'aria-label', 'placeholder']) {
        const v = el.getAttribute(a);
        if (v) out.push(`${a}=${v}`);
      }
    }
    return out;
  });
}

/** The strings with no Korean in them and English words that are not names: names of
 *  objects (`web-7957885594-h6md6`, `kube-system/x`), quoted text and numbers don't count. */
function english(strings) {
  return [...new Set(strings)].filter((s) => {
    const text = s.replace(/^(title|aria-label|placeholder)=/, '');
    if (/[\uac00-\ud7a3]/.test(text)) return false;
    const words = text
      .replace(/"[^"]*"/g, ' ')
      .split(/[\s,;:()›—·]+/)
      .filter((w) => /^[A-Za-z][A-Za-z']{2,}[.!?…]?$/.test(w))
      .map((w) => w.replace(/[.!?…]$/, ''));
    const foreign = words.filter((w) => !KEEP.has(w));
    // One lowercase word alone is a name (`default`, `coredns`), not a sentence.
    return foreign.length > 1 || foreign.some((w) => /^[A-Z]/.test(w));
  });
}

test('the Korean page says nothing in English', async ({ browser, baseURL }) => {
  const context = await browser.newContext({ baseURL, locale: 'ko-KR', viewport: { width: 1440, height: 900 } });
  const page = await context.newPage();
  await page.goto('./');
  await expect(page.locator('.tagline')).toContainText('브라우저 안의 Kubernetes 클러스터');
  await run(page, 'kubectl create deployment web --image=nginx --replicas=2');
  await run(page, 'kubectl expose deployment web --port=80');
  await run(page, 'sleep 10');
  const found = english(await pageStrings(page));
  // The help text is the page's own, so Korean too.
  await run(page, 'help');
  const help = await page.getByTestId('console-output').innerText();
  const helpTail = help.slice(help.lastIndexOf('$ help'));
  found.push(...english(helpTail.split('\n').slice(1)).map((l) => `help: ${l}`));
  // A lesson's panel.
  await page.locator('[data-testid="lesson-item"]').first().getByTestId('lesson-start').click();
  await expect(page.getByTestId('step-text')).toBeVisible();
  found.push(...english(await pageStrings(page)));
  // The editor, with a problem in the text.
  await run(page, 'vi web.yaml');
  await page.getByTestId('editor-text').fill('apiVersion: v1\nkind: Pod\nmetadata:\n  nmae: x\n');
  await page.waitForTimeout(800);
  found.push(...english(await pageStrings(page)));
  expect([...new Set(found)]).toEqual([]);
  await context.close();
});
