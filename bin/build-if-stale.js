#!/usr/bin/env node
// Builds the client (vite build) only when its sources changed since the last build: `npm start`
// and `npm test` run this first. The sources are everything the bundle is made of (client/,
// shared/, the Vite config and the lockfile); their contents are hashed, and the hash of the last
// build is kept beside it in dist/client. `--force` always builds.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { brotliCompressSync, constants as zlibConstants, gzipSync } from 'node:zlib';

const root = fileURLToPath(new URL('../', import.meta.url));
const outDir = join(root, 'dist', 'client');
const stampFile = join(outDir, '.source-hash');
const SOURCES = ['client', 'shared', 'vite.config.ts', 'package-lock.json'];

function* files(path) {
  if (!existsSync(path)) return;
  const entries = readdirSync(path, { withFileTypes: true }).sort((a, b) =>
    a.name.localeCompare(b.name),
  );
  for (const e of entries) {
    const p = join(path, e.name);
    if (e.isDirectory()) yield* files(p);
    else if (e.isFile()) yield p;
  }
}

function sourceHash() {
  const h = createHash('sha256');
  for (const s of SOURCES) {
    const p = join(root, s);
    const list = s.includes('.') ? [p] : [...files(p)];
    for (const f of list) {
      if (!existsSync(f)) continue;
      h.update(relative(root, f)).update('\0').update(readFileSync(f)).update('\0');
    }
  }
  return h.digest('hex');
}

const hash = sourceHash();
const built =
  existsSync(join(outDir, 'index.html')) && existsSync(stampFile)
    ? readFileSync(stampFile, 'utf8').trim()
    : '';
if (built === hash && !process.argv.includes('--force')) {
  process.exit(0);
}
console.log('flowdeck: building the client (its sources changed since the last build)');
const vite = join(root, 'node_modules', 'vite', 'bin', 'vite.js');
const r = spawnSync(process.execPath, [vite, 'build', '--logLevel', 'warn'], {
  cwd: root,
  stdio: 'inherit',
});
if (r.status !== 0) process.exit(r.status ?? 1);
// Compressed once here, served as they are (@fastify/static preCompressed): br and gzip beside
// every text file worth it.
for (const f of files(outDir)) {
  if (!/\.(js|css|html|svg|json|txt|map)$/.test(f)) continue;
  const body = readFileSync(f);
  if (body.length < 1024) continue;
  writeFileSync(
    `${f}.br`,
    brotliCompressSync(body, {
      params: {
        [zlibConstants.BROTLI_PARAM_QUALITY]: 11,
        [zlibConstants.BROTLI_PARAM_SIZE_HINT]: body.length,
      },
    }),
  );
  writeFileSync(`${f}.gz`, gzipSync(body, { level: 9 }));
}
writeFileSync(stampFile, `${hash}\n`);
