// `./dev test`'s size gate: the built wasm (dist/*_bg.wasm), compressed as hosts send it,
// must stay within tools/size-budget.json. Prints the figures either way; exits 1 above.
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const dist = process.argv[2] ?? 'dist';
const budget = JSON.parse(readFileSync(new URL('./size-budget.json', import.meta.url)));
const wasm = readdirSync(dist).filter((n) => n.endsWith('_bg.wasm'));
if (wasm.length !== 1) {
  console.error(`size-budget.mjs: expected one *_bg.wasm in ${dist}, found ${wasm.length}`);
  process.exit(1);
}
const raw = readFileSync(join(dist, wasm[0]));
const gzip = gzipSync(raw, { level: 9 }).length;
const brotli = brotliCompressSync(raw, {
  params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: raw.length },
}).length;
let over = false;
for (const [name, size, limit] of [
  ['gzip', gzip, budget.wasm_gzip],
  ['brotli', brotli, budget.wasm_brotli],
]) {
  const verdict = size <= limit ? 'within' : 'OVER';
  over ||= size > limit;
  console.log(`wasm ${name}: ${size} B, ${verdict} the budget of ${limit} B (tools/size-budget.json)`);
}
if (over) {
  console.error('size-budget.mjs: the wasm outgrew its budget; shrink it, or raise the budget in a commit that says why');
  process.exit(1);
}
