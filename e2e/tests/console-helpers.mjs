// What the specs share: typing a command into the page's console.

/** Puts `command` in the console's input line and presses Enter. */
export async function run(page, command) {
  const input = page.getByTestId('console-input');
  await input.click();
  await input.fill(command);
  await input.press('Enter');
}
