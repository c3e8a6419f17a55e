// Trunk post-build hook: finishes the staged index.html for a strict Content-Security-Policy.
//  - the policy's script-src gets the sha256 of each inline script (Trunk writes one, the
//    loader of the wasm glue), so no other inline script can run;
//  - the wasm preload loses its `integrity`, which Chromium ignores for `as="fetch"` and warns
//    about (the glue script keeps its own).
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const dir = process.env.TRUNK_STAGING_DIR;
if (!dir) {
  console.error('csp.mjs: TRUNK_STAGING_DIR is not set (run it as a Trunk post_build hook)');
  process.exit(1);
}
const file = join(dir, 'index.html');
let html = readFileSync(file, 'utf8');

const hashes = [...html.matchAll(/<script(?![^>]*\bsrc=)[^>]*>([\s\S]*?)<\/script>/g)].map(
  (m) => `'sha256-${createHash('sha256').update(m[1], 'utf8').digest('base64')}'`,
);
const marker = "script-src 'self' 'wasm-unsafe-eval'";
if (!html.includes(marker)) {
  console.error(`csp.mjs: index.html has no Content-Security-Policy with "${marker}"`);
  process.exit(1);
}
html = html.replace(marker, [marker, ...hashes].join(' '));
html = html.replace(/(<link rel="preload"[^>]*?) integrity="[^"]*"([^>]*as="fetch")/g, '$1$2');
writeFileSync(file, html);
console.log(`csp.mjs: ${hashes.length} inline script(s) hashed into the policy`);
