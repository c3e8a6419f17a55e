// Trunk post-build hook: finishes the staged index.html. First the engine's early start
// (boot.mjs: one hook, as Trunk runs a stage's hooks at the same time); then, for a strict
// Content-Security-Policy,
// the policy's script-src gets the sha256 of each inline script (that early start and
// Trunk's loader of the wasm glue), so no other inline script can run.
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { earlyBoot } from './boot.mjs';

const dir = process.env.TRUNK_STAGING_DIR;
if (!dir) {
  console.error('csp.mjs: TRUNK_STAGING_DIR is not set (run it as a Trunk post_build hook)');
  process.exit(1);
}
const file = join(dir, 'index.html');
const booted = earlyBoot(readFileSync(file, 'utf8'));
if (booted.error) {
  console.error(`csp.mjs: ${booted.error}`);
  process.exit(1);
}
let html = booted.html;

const hashes = [...html.matchAll(/<script(?![^>]*\bsrc=)[^>]*>([\s\S]*?)<\/script>/g)].map(
  (m) => `'sha256-${createHash('sha256').update(m[1], 'utf8').digest('base64')}'`,
);
const marker = "script-src 'self' 'wasm-unsafe-eval'";
if (!html.includes(marker)) {
  console.error(`csp.mjs: index.html has no Content-Security-Policy with "${marker}"`);
  process.exit(1);
}
html = html.replace(marker, [marker, ...hashes].join(' '));
writeFileSync(file, html);
console.log(`csp.mjs: ${hashes.length} inline script(s) hashed into the policy; the engine starts first`);
