#!/usr/bin/env node
/**
 * Serve the built draw-a-digit page on localhost with nothing beyond Node itself.
 *
 *   npm start                                  # builds dist/ (web/build.mjs), then this
 *   node web/serve.mjs --port 8000 --model-dir web/model --dist dist
 *
 * Routes (read-only: GET and HEAD, anything else 405 with an Allow header):
 *   /model/*   --model-dir (default web/model, written by `python -m export`), so a fresh
 *              export shows up without a rebuild as long as its graph ops are in the build
 *   /*         --dist (default dist/, written by `npm run build`): the build output only;
 *              never web/ sources, node_modules or package.json, never hidden files
 * Every response carries the same strict Content-Security-Policy as the page's meta tag
 * (web/index.html): only this origin, plus WebAssembly compilation for the TF.js wasm backend.
 * Files carry an ETag (a hash of their bytes) and `Cache-Control: no-cache`, so browsers and
 * the service worker (web/sw.js) revalidate and get 304 Not Modified when nothing changed.
 * Text, JSON, wasm and weights are gzipped when the browser accepts it.
 * Bad flags: one line on stderr, exit code 2.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { gzipSync } from 'node:zlib';

import { graphOps } from './kernels.mjs';

const WEB_DIR = path.dirname(fileURLToPath(import.meta.url));
const PROJECT_ROOT = path.dirname(WEB_DIR);
const USAGE =
  'usage: node web/serve.mjs [--port N (0 = any free port; default $PORT or 8000)] [--host 127.0.0.1] ' +
  '[--model-dir web/model] [--dist dist]';
const ALLOWED_METHODS = 'GET, HEAD';

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
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.webmanifest': 'application/manifest+json; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.bin': 'application/octet-stream',
  '.wasm': 'application/wasm',
  '.png': 'image/png',
};
// PNGs are compressed already. Quantized weights still shrink by about a sixth, and each file
// is gzipped once per change (cached below), so weights are worth it.
const COMPRESSIBLE = new Set(['.html', '.js', '.css', '.json', '.webmanifest', '.txt', '.bin', '.wasm']);

/** A bad command line: main() prints the message as one line and exits with code 2. */
class UsageError extends Error {}

/**
 * URL path -> absolute file path, or null when it falls outside the served folders.
 * @param {string} urlPath  decoded path, starting with "/"
 * @param {{distDir: string, modelDir: string}} folders
 */
export function resolveFile(urlPath, { distDir, modelDir }) {
  const routes = [
    ['/model/', modelDir],
    ['/', distDir],
  ];
  for (const [prefix, folder] of routes) {
    if (!urlPath.startsWith(prefix)) continue;
    let relative = urlPath.slice(prefix.length) || 'index.html';
    if (relative.endsWith('/')) relative += 'index.html';
    const file = path.resolve(folder, relative);
    if (!file.startsWith(path.resolve(folder) + path.sep)) return null; // "..": outside the folder
    if (relative.split('/').some((part) => part.startsWith('.'))) return null;
    return file;
  }
  return null;
}

const fileCache = new Map(); // file -> {mtimeMs, size, etag, gzip}

/** A file's ETag and (lazily) its gzipped bytes, recomputed only when the file changes. */
function cachedFacts(file, stats) {
  let facts = fileCache.get(file);
  if (!facts || facts.mtimeMs !== stats.mtimeMs || facts.size !== stats.size) {
    const bytes = readFileSync(file);
    facts = {
      mtimeMs: stats.mtimeMs,
      size: stats.size,
      etag: createHash('sha256').update(bytes).digest('base64url').slice(0, 27),
      gzip: null,
    };
    fileCache.set(file, facts);
  }
  return facts;
}

/** Whether an If-None-Match header value matches `etag` (weak comparison, as RFC 9110 says for it). */
export function etagMatches(ifNoneMatch, etag) {
  if (!ifNoneMatch) return false;
  const bare = (tag) => tag.trim().replace(/^W\//, '');
  return ifNoneMatch.split(',').some((tag) => tag.trim() === '*' || bare(tag) === bare(etag));
}

/** The request handler: the page's files with security headers, ETags, optional gzip. */
export function handler(folders) {
  return (request, response) => {
    const headers = {
      'Content-Security-Policy': CONTENT_SECURITY_POLICY,
      'X-Content-Type-Options': 'nosniff',
      'Referrer-Policy': 'no-referrer',
      'Cross-Origin-Opener-Policy': 'same-origin',
      'Cross-Origin-Resource-Policy': 'same-origin',
      'Cache-Control': 'no-cache', // revalidate (ETag), so a new build or export shows up at once
    };
    const fail = (status, message, extra = {}) => {
      response.writeHead(status, { ...headers, ...extra, 'Content-Type': 'text/plain; charset=utf-8' });
      response.end(request.method === 'HEAD' ? undefined : `${message}\n`);
    };
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      return fail(405, 'method not allowed', { Allow: ALLOWED_METHODS });
    }
    let urlPath;
    try {
      urlPath = decodeURIComponent(new URL(request.url, 'http://localhost').pathname);
    } catch {
      return fail(400, 'bad request');
    }
    const file = resolveFile(urlPath, folders);
    const extension = file ? path.extname(file) : '';
    let stats;
    try {
      stats = file && CONTENT_TYPES[extension] ? statSync(file) : null;
    } catch {
      stats = null;
    }
    if (!stats || !stats.isFile()) return fail(404, `not found: ${urlPath}`);
    const facts = cachedFacts(file, stats);
    const gzip = COMPRESSIBLE.has(extension) && /\bgzip\b/.test(request.headers['accept-encoding'] || '');
    // Each encoding is its own representation, so it gets its own tag.
    const etag = `"${facts.etag}${gzip ? '-gzip' : ''}"`;
    Object.assign(headers, {
      'Content-Type': CONTENT_TYPES[extension],
      'Last-Modified': stats.mtime.toUTCString(),
      ETag: etag,
      Vary: 'Accept-Encoding',
    });
    if (etagMatches(request.headers['if-none-match'], etag)) {
      response.writeHead(304, headers);
      return response.end();
    }
    let body = readFileSync(file);
    if (gzip) {
      facts.gzip ??= gzipSync(body, { level: 9 });
      body = facts.gzip;
      headers['Content-Encoding'] = 'gzip';
    }
    headers['Content-Length'] = body.length;
    response.writeHead(200, headers);
    response.end(request.method === 'HEAD' ? undefined : body);
  };
}

/** The command line -> {port, host, modelDir, distDir, help}; UsageError on anything wrong. */
export function parseCommandLine(argv) {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        port: { type: 'string', default: process.env.PORT || '8000' },
        host: { type: 'string', default: '127.0.0.1' },
        'model-dir': { type: 'string', default: path.join(WEB_DIR, 'model') },
        dist: { type: 'string', default: path.join(PROJECT_ROOT, 'dist') },
        help: { type: 'boolean', short: 'h', default: false },
      },
    }));
  } catch (error) {
    throw new UsageError(error.message.split('\n')[0]);
  }
  if (!/^\d+$/.test(values.port) || Number(values.port) > 65535) {
    throw new UsageError(`--port must be a whole number from 0 to 65535, got "${values.port}"`);
  }
  return {
    port: Number(values.port),
    host: values.host,
    modelDir: path.resolve(values['model-dir']),
    distDir: path.resolve(values.dist),
    help: values.help,
  };
}

/**
 * Graph ops of the export in `modelDir` that the build in `distDir` was not made for (its
 * build.json), e.g. after an export with a new layer: those need `npm run build`.
 */
function opsMissingFromBuild(modelDir, distDir) {
  const built = new Set(JSON.parse(readFileSync(path.join(distDir, 'build.json'), 'utf8')).graph_ops);
  const metadata = JSON.parse(readFileSync(path.join(modelDir, 'metadata.json'), 'utf8'));
  const graphs = [...Object.values(metadata.variants), ...(metadata.activations ? [metadata.activations] : [])];
  const ops = graphs.flatMap((graph) => graphOps(JSON.parse(readFileSync(path.join(modelDir, graph.path), 'utf8'))));
  return [...new Set(ops)].filter((op) => !built.has(op));
}

function main() {
  let options;
  try {
    options = parseCommandLine(process.argv.slice(2));
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    console.error(`error: ${error.message} (see --help)`);
    process.exit(2);
  }
  if (options.help) {
    console.log(USAGE);
    return;
  }
  const { port, host, modelDir, distDir } = options;
  if (!existsSync(path.join(distDir, 'build.json'))) {
    console.error(`error: no build in ${distDir}: run \`npm run build\` (or \`npm start\`, which does it)`);
    process.exit(1);
  }
  if (!existsSync(path.join(modelDir, 'metadata.json'))) {
    console.warn(`warning: no model in ${modelDir}: the page will say so; run \`python -m export\` to create it`);
  } else {
    let missing = [];
    try {
      missing = opsMissingFromBuild(modelDir, distDir);
    } catch (error) {
      console.warn(
        `warning: cannot read the export in ${modelDir} (${error.message}); the page will say what is wrong`,
      );
    }
    if (missing.length) {
      console.warn(
        `warning: the build in ${distDir} lacks graph ops ${missing.join(', ')} of ${modelDir}: run \`npm run build\``,
      );
    }
  }
  const server = createServer(handler({ distDir, modelDir }));
  server.on('error', (error) => {
    console.error(`error: cannot listen on ${host}:${port}: ${error.message}`);
    process.exit(1);
  });
  server.listen(port, host, () => {
    // Tests read this line to learn the port when started with --port 0.
    console.log(`Serving the draw-a-digit page at http://${host}:${server.address().port}/ (Ctrl+C to stop)`);
  });
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main();
