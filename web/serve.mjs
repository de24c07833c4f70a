#!/usr/bin/env node
/**
 * Serve the draw-a-digit page on localhost with no dependencies beyond Node itself.
 *
 *   npm start                                  # installs npm packages if needed, then this
 *   node web/serve.mjs --port 8000 --model-dir web/model
 *
 * Routes (everything read-only, GET/HEAD only):
 *   /vendor/tfjs/*               node_modules/@tensorflow/tfjs/dist (the exactly pinned npm build)
 *   /vendor/tfjs-backend-wasm/*  node_modules/@tensorflow/tfjs-backend-wasm/dist
 *   /model/*                     --model-dir (default web/model, written by `python -m export`)
 *   /*                           web/
 * Every response carries the same strict Content-Security-Policy as the page's meta tag
 * (web/index.html): only this origin, plus WebAssembly compilation for the TF.js wasm backend.
 * Text, JSON and wasm are gzipped when the browser accepts it. web/build.mjs copies the same
 * routes into dist/ for any static host.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { gzipSync } from 'node:zlib';

const WEB_DIR = path.dirname(fileURLToPath(import.meta.url));
const PROJECT_ROOT = path.dirname(WEB_DIR);

/** URL prefix -> folder, checked in order; web/build.mjs copies the same table. */
export const VENDOR_ROUTES = {
  '/vendor/tfjs/': path.join(PROJECT_ROOT, 'node_modules', '@tensorflow', 'tfjs', 'dist'),
  '/vendor/tfjs-backend-wasm/': path.join(PROJECT_ROOT, 'node_modules', '@tensorflow', 'tfjs-backend-wasm', 'dist'),
};

export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self' 'wasm-unsafe-eval'", // the wasm backend compiles its .wasm; no JS eval
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'", // only works as a header, not in the meta tag
].join('; ');

const CONTENT_TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.bin': 'application/octet-stream',
  '.wasm': 'application/wasm',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
  '.ico': 'image/x-icon',
};
// Weights (.bin) are near-random floats or bytes: gzip saves little and costs CPU.
const COMPRESSIBLE = new Set(['.html', '.js', '.mjs', '.css', '.json', '.wasm', '.svg']);

/**
 * URL path -> absolute file path, or null when it falls outside the served folders.
 * @param {string} urlPath  decoded path, starting with "/"
 * @param {string} modelDir
 */
export function resolveFile(urlPath, modelDir) {
  const routes = [...Object.entries(VENDOR_ROUTES), ['/model/', modelDir], ['/', WEB_DIR]];
  for (const [prefix, folder] of routes) {
    if (!urlPath.startsWith(prefix)) continue;
    let relative = urlPath.slice(prefix.length) || 'index.html';
    if (relative.endsWith('/')) relative += 'index.html';
    const file = path.resolve(folder, relative);
    // Refuse "..", and never serve the server's own folder's hidden or model files via "/".
    if (!file.startsWith(path.resolve(folder) + path.sep)) return null;
    const hidden = relative.split('/').some((part) => part.startsWith('.'));
    if (prefix === '/' && (relative.startsWith('model/') || hidden)) return null;
    return file;
  }
  return null;
}

const gzipCache = new Map(); // file -> {mtimeMs, body}

function gzipped(file, mtimeMs) {
  const cached = gzipCache.get(file);
  if (cached && cached.mtimeMs === mtimeMs) return cached.body;
  const body = gzipSync(readFileSync(file), { level: 9 });
  gzipCache.set(file, { mtimeMs, body });
  return body;
}

/** The request handler: static files with security headers, optional gzip. */
export function handler(modelDir) {
  return (request, response) => {
    const headers = {
      'Content-Security-Policy': CONTENT_SECURITY_POLICY,
      'X-Content-Type-Options': 'nosniff',
      'Referrer-Policy': 'no-referrer',
      'Cross-Origin-Opener-Policy': 'same-origin',
      'Cross-Origin-Resource-Policy': 'same-origin',
      'Cache-Control': 'no-cache', // revalidate, so a fresh `python -m export` shows up at once
    };
    const fail = (status, message) => {
      response.writeHead(status, { ...headers, 'Content-Type': 'text/plain; charset=utf-8' });
      response.end(request.method === 'HEAD' ? undefined : `${message}\n`);
    };
    if (request.method !== 'GET' && request.method !== 'HEAD') return fail(405, 'method not allowed');
    let urlPath;
    try {
      urlPath = decodeURIComponent(new URL(request.url, 'http://localhost').pathname);
    } catch {
      return fail(400, 'bad request');
    }
    const file = resolveFile(urlPath, modelDir);
    const extension = file ? path.extname(file) : '';
    let stats;
    try {
      stats = file && CONTENT_TYPES[extension] ? statSync(file) : null;
    } catch {
      stats = null;
    }
    if (!stats || !stats.isFile()) return fail(404, `not found: ${urlPath}`);
    headers['Content-Type'] = CONTENT_TYPES[extension];
    headers['Last-Modified'] = stats.mtime.toUTCString();
    headers.Vary = 'Accept-Encoding';
    let body;
    if (COMPRESSIBLE.has(extension) && /\bgzip\b/.test(request.headers['accept-encoding'] || '')) {
      body = gzipped(file, stats.mtimeMs);
      headers['Content-Encoding'] = 'gzip';
    } else {
      body = readFileSync(file);
    }
    headers['Content-Length'] = body.length;
    response.writeHead(200, headers);
    response.end(request.method === 'HEAD' ? undefined : body);
  };
}

function main() {
  const { values } = parseArgs({
    options: {
      port: { type: 'string', default: process.env.PORT || '8000' },
      host: { type: 'string', default: '127.0.0.1' },
      'model-dir': { type: 'string', default: path.join(WEB_DIR, 'model') },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    console.log(
      'usage: node web/serve.mjs [--port N (0 = any free port; default $PORT or 8000)] [--host 127.0.0.1] [--model-dir web/model]',
    );
    return;
  }
  const modelDir = path.resolve(values['model-dir']);
  for (const folder of Object.values(VENDOR_ROUTES)) {
    if (!existsSync(folder)) {
      console.error(
        `error: ${path.relative(PROJECT_ROOT, folder)} is missing: run \`npm ci\` (or \`npm start\`, which does it)`,
      );
      process.exit(1);
    }
  }
  if (!existsSync(path.join(modelDir, 'metadata.json'))) {
    console.warn(`warning: no model in ${modelDir}: the page will say so; run \`python -m export\` to create it`);
  }
  const server = createServer(handler(modelDir));
  server.on('error', (error) => {
    console.error(`error: cannot listen on ${values.host}:${values.port}: ${error.message}`);
    process.exit(1);
  });
  server.listen(Number(values.port), values.host, () => {
    const { port } = server.address();
    // Tests read this line to learn the port when started with --port 0.
    console.log(`Serving the draw-a-digit page at http://${values.host}:${port}/ (Ctrl+C to stop)`);
  });
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main();
