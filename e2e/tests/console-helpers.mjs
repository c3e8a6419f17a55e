// What the specs share: typing a command into the page's console.

/** Puts `command` in the console's input line and presses Enter. */
export async function run(page, command) {
  const input = page.getByTestId('console-input');
  await input.click();
  await input.fill(command);
  await input.press('Enter');
}

/** Where column `name` of the newest table that has it ends (its widest cell, header
 *  included), and the console's shown right edge, in page pixels; null when no table on
 *  screen has that column. A header is a stdout line where `name` stands as a column:
 *  at the start or after two spaces, and followed by two spaces or the line's end. */
export async function column(page, name) {
  return page.evaluate((name) => {
    const out = document.querySelector('[data-testid="console-output"]');
    const lines = [...out.querySelectorAll('pre.line')];
    const quoted = name.replace(/[()\\[\]{}.*+?^$|]/g, '\\$&');
    const at = new RegExp(`(^|  )${quoted}(  |$)`);
    let h = lines.length - 1;
    const isHeader = (l) => l.classList.contains('line-stdout') && at.test(l.textContent);
    while (h >= 0 && !isHeader(lines[h])) h--;
    if (h < 0) return null;
    const header = lines[h].textContent;
    const m = header.match(at);
    const start = m.index + m[1].length;
    const next = header.slice(start + name.length).search(/ {2,}\S/);
    const end = next < 0 ? Infinity : start + name.length + next;
    let right = 0;
    for (let i = h; i < lines.length && lines[i].classList.contains('line-stdout'); i++) {
      const text = lines[i].textContent;
      const cell = text.slice(start, Math.min(end + 2, text.length)).trimEnd();
      if (!cell || !lines[i].firstChild) continue;
      const range = document.createRange();
      range.setStart(lines[i].firstChild, start);
      range.setEnd(lines[i].firstChild, start + cell.length);
      right = Math.max(right, range.getBoundingClientRect().right);
    }
    const box = out.getBoundingClientRect();
    return { right, shown: box.left + out.clientLeft + out.clientWidth, scrollLeft: out.scrollLeft };
  }, name);
}

/** In the root project only (one set is enough): screenshots `name`-{light,dark}-{wide,narrow}.png
 *  of the page, `prepare` awaited before each shot (say, to scroll a box into view), once the
 *  colours have faded to the scheme's (0.4 s); the viewport is 1280×720 again after. */
export async function screenshots(page, testInfo, name, prepare = async () => {}) {
  if (testInfo.project.name !== 'root') return;
  for (const scheme of ['light', 'dark']) {
    for (const [label, width, height] of [['wide', 1280, 720], ['narrow', 375, 720]]) {
      await page.setViewportSize({ width, height });
      await page.emulateMedia({ colorScheme: scheme });
      await prepare();
      await page.waitForTimeout(600);
      await page.screenshot({ path: testInfo.outputPath(`${name}-${scheme}-${label}.png`) });
    }
  }
  await page.setViewportSize({ width: 1280, height: 720 });
}
