// A small static file server for dist/: `node serve.mjs DIR PORT [PREFIX]`.
// With PREFIX (e.g. /course/kubeplay/) files are served only below it, so a page that
// wrongly used absolute URLs would fail, proving the build works from any folder.
import { createServer } from 'node:http';
import { readFile, stat } from 'node:fs/promises';
import { extname, join, normalize, resolve } from 'node:path';

const [dir = '../dist', port = '8080', prefix = '/'] = process.argv.slice(2);
const root = resolve(dir);
const types = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.wasm': 'application/wasm',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.json': 'application/json',
  '.webmanifest': 'application/manifest+json',
  '.yaml': 'text/yaml; charset=utf-8',
};

createServer(async (req, res) => {
  const path = decodeURIComponent(new URL(req.url, 'http://x').pathname);
  if (!path.startsWith(prefix)) {
    res.writeHead(404).end('not found');
    return;
  }
  let file = normalize(join(root, path.slice(prefix.length)));
  if (!file.startsWith(root)) {
    res.writeHead(403).end('forbidden');
    return;
  }
  try {
    if ((await stat(file)).isDirectory()) file = join(file, 'index.html');
    const headers = { 'content-type': types[extname(file)] ?? 'application/octet-stream', 'cache-control': 'no-cache' };
    // The build's precompressed copy (.br, .gz) when the browser takes it, as a static
    // host with brotli_static/gzip_static does.
    const accepts = String(req.headers['accept-encoding'] ?? '');
    let body = null;
    for (const [encoding, suffix] of [['br', '.br'], ['gzip', '.gz']]) {
      if (body || !accepts.includes(encoding)) continue;
      body = await readFile(file + suffix).catch(() => null);
      if (body) Object.assign(headers, { 'content-encoding': encoding, vary: 'accept-encoding' });
    }
    body ??= await readFile(file);
    res.writeHead(200, headers);
    res.end(body);
  } catch {
    res.writeHead(404).end('not found');
  }
}).listen(Number(port), '127.0.0.1', () => {
  console.log(`Kubeplay is served on http://127.0.0.1:${port}${prefix}`);
});
