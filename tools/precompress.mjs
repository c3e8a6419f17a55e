// Trunk post-build hook: writes a gzip (.gz) and a brotli (.br) copy beside each big static
// file (wasm, js, css, json), so hosts that serve precompressed files (nginx gzip_static /
// brotli_static, Caddy's precompressed, e2e/serve.mjs) send the small one. The originals
// stay for hosts that do not.
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { extname, join } from 'node:path';

const dir = process.env.TRUNK_STAGING_DIR;
if (!dir) {
  console.error('precompress.mjs: TRUNK_STAGING_DIR is not set (run it as a Trunk post_build hook)');
  process.exit(1);
}
const EXTENSIONS = new Set(['.wasm', '.js', '.css', '.json']);
for (const name of readdirSync(dir)) {
  if (!EXTENSIONS.has(extname(name))) continue;
  const file = join(dir, name);
  const raw = readFileSync(file);
  const gz = gzipSync(raw, { level: 9 });
  const br = brotliCompressSync(raw, {
    params: {
      [constants.BROTLI_PARAM_QUALITY]: 11,
      [constants.BROTLI_PARAM_SIZE_HINT]: raw.length,
    },
  });
  writeFileSync(`${file}.gz`, gz);
  writeFileSync(`${file}.br`, br);
  console.log(`precompress.mjs: ${name} ${raw.length} B, gzip ${gz.length} B, brotli ${br.length} B`);
}
