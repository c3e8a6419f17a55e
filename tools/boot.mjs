// Part of the post-build hook (csp.mjs runs it first): the engine starts before anything
// else loads. Into the staged index.html go app/boot.js, inlined at the top of <head> with
// Trunk's hashed glue and wasm names, and a loader whose `init` takes the Module that script
// compiled instead of fetching and compiling the wasm again; Trunk's preload of the wasm
// goes, as the script's own fetch starts the download earlier.
import { readFileSync } from 'node:fs';

const script = readFileSync(new URL('../app/boot.js', import.meta.url), 'utf8');

/** `html` with the engine's early start, or an error message why it cannot have it. */
export function earlyBoot(html) {
  const glue = /import init, \* as bindings from '(\.\/[^']+\.js)';/.exec(html)?.[1];
  const wasm = /module_or_path: '(\.\/[^']+_bg\.wasm)'/.exec(html)?.[1];
  const csp = /<meta http-equiv="Content-Security-Policy"[^>]*>\n/.exec(html);
  if (!glue || !wasm || !csp) {
    return { error: "index.html has no Trunk loader (init from './….js' with './…_bg.wasm') or no CSP meta" };
  }
  const inline = script.replace("'GLUE'", `'${glue}'`).replace("'WASM'", `'${wasm}'`);
  let out = html.replace(csp[0], `${csp[0]}    <script>\n${inline}</script>\n`);
  out = out.replace(`module_or_path: '${wasm}'`, `module_or_path: self.kubeplayBoot ? self.kubeplayBoot.module : '${wasm}'`);
  out = out.replace(/<link rel="preload" href="[^"]+_bg\.wasm"[^>]*>/, '');
  return { html: out };
}
