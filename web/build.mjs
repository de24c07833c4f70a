#!/usr/bin/env node
/**
 * `npm run build`: copy the page into dist/ as a self-contained static site for any host.
 *
 * Same layout as web/serve.mjs serves: web/ at the root, web/model/ at model/, and only the
 * TF.js files the page loads from node_modules at vendor/ (no source maps). The page's CSP
 * meta tag travels with it; a host that can set headers should also send the one in serve.mjs.
 */
import { cpSync, existsSync, mkdirSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { VENDOR_ROUTES } from './serve.mjs';

const WEB_DIR = path.dirname(fileURLToPath(import.meta.url));
const OUT_DIR = path.join(path.dirname(WEB_DIR), 'dist');
// The vendor files index.html and main.js load (the wasm backend fetches its .wasm itself).
const VENDOR_FILES = {
  '/vendor/tfjs/': ['tf.es2017.min.js'],
  '/vendor/tfjs-backend-wasm/': [
    'tf-backend-wasm.es2017.min.js',
    'tfjs-backend-wasm.wasm',
    'tfjs-backend-wasm-simd.wasm',
    'tfjs-backend-wasm-threaded-simd.wasm',
  ],
};

function main() {
  if (!existsSync(path.join(WEB_DIR, 'model', 'metadata.json'))) {
    console.error('error: web/model/metadata.json is missing: run `python -m export` first');
    process.exit(1);
  }
  rmSync(OUT_DIR, { recursive: true, force: true });
  const skip = new Set(['serve.mjs', 'build.mjs']);
  cpSync(WEB_DIR, OUT_DIR, {
    recursive: true,
    filter: (source) => !skip.has(path.basename(source)) && !path.basename(source).startsWith('.'),
  });
  let bytes = 0;
  for (const [prefix, files] of Object.entries(VENDOR_FILES)) {
    const target = path.join(OUT_DIR, prefix);
    mkdirSync(target, { recursive: true });
    for (const file of files) {
      cpSync(path.join(VENDOR_ROUTES[prefix], file), path.join(target, file));
      bytes += statSync(path.join(target, file)).size;
    }
  }
  console.log(
    `wrote ${path.relative(process.cwd(), OUT_DIR) || OUT_DIR}/ (vendor files ${(bytes / 1e6).toFixed(2)} MB); serve it from any static host`,
  );
}

main();
