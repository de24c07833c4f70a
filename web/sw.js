/**
 * The page's service worker: after one visit the page comes up and predicts with no network,
 * and a new export replaces the old model on the next online visit, never mixed with it.
 *
 * web/build.mjs bundles this file into dist/sw.js and fills in SW_BUILD = {id, shell}: `id`
 * hashes every shipped file, so a new build is a new worker with a new shell cache; `shell`
 * lists the page's files, relative to this script. Registered by web/js/offline.js.
 *
 * Caches:
 *   shell-<id>        index.html, the bundle, style, the wasm binary, manifest and icons
 *   model-<version>   one export: metadata.json, model.json and weights, where <version> is
 *                     web/js/model.js modelVersion (a hash of metadata.weights_sha256) and
 *                     the page asks for model files as ...?v=<version>
 * Strategies:
 *   the page (navigations)      cached index.html; the network only when it is not cached
 *   shell files                 cache first
 *   .../metadata.json           network first, so a new export is seen at once; cached offline
 *   model files ?v=<version>    cache first in model-<version>, else fetched and cached there
 * Only the default variant and the stroke model are precached; the other variant and the "Look inside" model are
 * cached the first time the page loads them online. Once an export's default variant is
 * complete, older model caches are deleted.
 */
/* global SW_BUILD */
import { modelVersion, sha256Hex } from './js/model.js';

const SHELL_CACHE = `shell-${SW_BUILD.id}`;
const MODEL_CACHE_PREFIX = 'model-';
const SCOPE = new URL(self.registration.scope);
const INDEX_URL = new URL('./', SCOPE).href;
const DEFAULT_MODEL_BASE = new URL('model/', SCOPE);

self.addEventListener('install', (event) => {
  event.waitUntil(
    (async () => {
      const shell = await caches.open(SHELL_CACHE);
      // no-cache: revalidate with the server, so a new build never caches an older file.
      await shell.addAll(SW_BUILD.shell.map((file) => new Request(new URL(file, SCOPE), { cache: 'no-cache' })));
      await precacheModel(DEFAULT_MODEL_BASE);
      await self.skipWaiting();
    })(),
  );
});

self.addEventListener('activate', (event) => {
  event.waitUntil(
    (async () => {
      for (const name of await caches.keys()) {
        if (name.startsWith('shell-') && name !== SHELL_CACHE) await caches.delete(name);
      }
      await self.clients.claim();
    })(),
  );
});

self.addEventListener('fetch', (event) => {
  const { request } = event;
  const url = new URL(request.url);
  if (request.method !== 'GET' || url.origin !== SCOPE.origin) return;
  if (request.mode === 'navigate') {
    if (url.pathname === SCOPE.pathname || url.pathname === `${SCOPE.pathname}index.html`) {
      event.respondWith(cacheFirst(INDEX_URL, request));
    }
    return;
  }
  if (url.pathname.endsWith('/metadata.json')) {
    const answer = metadataNetworkFirst(request);
    event.respondWith(answer.then(({ response }) => response));
    event.waitUntil(answer.then(({ cached }) => cached));
  } else if (url.searchParams.has('v')) {
    event.respondWith(modelFileCacheFirst(request, url));
  } else {
    event.respondWith(cacheFirst(request, request));
  }
});

/** The cached response for `key` (any cache), else the network's. */
async function cacheFirst(key, request) {
  return (await caches.match(key)) ?? fetch(request);
}

// The newest metadata.json being written to its export's cache. The page gets the response
// before the write ends; a model file fetched meanwhile waits for it (modelFileCacheFirst),
// since it is checked against that cached metadata before it is cached itself.
let metadataCaching = Promise.resolve();

/**
 * metadata.json from the network, else the best cached copy -> {response, cached}: `cached`
 * settles once a fetched copy is in its export's cache (the worker is kept alive for it).
 */
async function metadataNetworkFirst(request) {
  let response;
  try {
    response = await fetch(request, { cache: 'no-cache' });
  } catch (error) {
    const cached = await cachedMetadata(request.url);
    if (cached) return { response: cached, cached: null };
    throw error;
  }
  if (response.ok) metadataCaching = cacheMetadata(request.url, response.clone());
  return { response, cached: metadataCaching };
}

/** Put a fetched metadata.json into the cache of the export it describes. */
async function cacheMetadata(url, response) {
  try {
    const metadata = await response.clone().json();
    const cache = await caches.open(MODEL_CACHE_PREFIX + (await modelVersion(metadata)));
    await cache.put(url, response);
  } catch {
    // Not an export's metadata: passed on uncached; the page reports what is wrong.
  }
}

/**
 * The cached metadata.json at `url`: from a model cache whose default variant is complete if
 * there is one (an export whose files were still being fetched when the network went away
 * must not win), else from any model cache.
 */
async function cachedMetadata(url) {
  let fallback = null;
  for (const name of await modelCacheNames()) {
    const cache = await caches.open(name);
    const response = await cache.match(url);
    if (!response) continue;
    const metadata = await response.clone().json();
    if (await isComplete(cache, new URL('./', url), metadata)) return response;
    fallback ??= response;
  }
  return fallback;
}

/** A model file (...?v=<version>) from its version's cache, else fetched, checked and cached there. */
async function modelFileCacheFirst(request, url) {
  const version = url.searchParams.get('v');
  const cache = await caches.open(MODEL_CACHE_PREFIX + version);
  const cached = await cache.match(request);
  if (cached) return cached;
  const response = await fetch(request);
  const base = modelBaseOf(url);
  await metadataCaching;
  const metadataResponse = base && (await cache.match(new URL('metadata.json', base).href));
  if (!response.ok || !metadataResponse) return response; // not an export we know: no caching
  const metadata = await metadataResponse.json();
  const body = await response.arrayBuffer();
  if (await fileMatches(url, base, metadata, body)) {
    await cache.put(request, bodyResponse(body, response));
    await retireOlderModels(version, cache, base, metadata);
  }
  return bodyResponse(body, response);
}

/**
 * A fresh response with an already read body and the original's type. Not the original's
 * other headers: its Content-Encoding and Content-Length describe the gzipped transfer.
 */
function bodyResponse(body, original) {
  return new Response(body, { status: 200, headers: { 'Content-Type': original.headers.get('Content-Type') ?? '' } });
}

/**
 * The model folder a model file belongs to: the URL of its model.json's folder's parent, as
 * metadata.json sits one folder above each graph ("uint8/model.json", "activations/...").
 */
function modelBaseOf(url) {
  const parts = url.pathname.split('/');
  if (parts.length < 3) return null;
  return new URL(`${parts.slice(0, -2).join('/')}/`, url.origin);
}

/** Whether a fetched file belongs to this export: weights must match their SHA-256. */
async function fileMatches(url, base, metadata, body) {
  if (!url.pathname.endsWith('.bin')) return true; // model.json: covered by the version in its URL
  const key = decodeURIComponent(url.pathname.slice(base.pathname.length));
  return metadata.weights_sha256[key] === (await sha256Hex(body));
}

/**
 * The URLs the page fetches to predict: the default variant's and the stroke model's (if the
 * export has one) model.json and weights, versioned.
 */
function defaultVariantUrls(base, metadata, version) {
  const graphs = [metadata.variants[metadata.default_variant].path, ...(metadata.stroke ? [metadata.stroke.path] : [])];
  const files = graphs.flatMap((graphPath) => {
    const folder = graphPath.slice(0, graphPath.lastIndexOf('/') + 1);
    return [graphPath, ...Object.keys(metadata.weights_sha256).filter((file) => file.startsWith(folder))];
  });
  return files.map((file) => {
    const url = new URL(file, base);
    url.searchParams.set('v', version);
    return url;
  });
}

/** Whether `cache` holds metadata.json and every file of the default variant. */
async function isComplete(cache, base, metadata) {
  const version = await modelVersion(metadata);
  for (const url of defaultVariantUrls(base, metadata, version)) {
    if (!(await cache.match(url.href))) return false;
  }
  return true;
}

/** Once this export's default variant is all cached, the older exports' caches go. */
async function retireOlderModels(version, cache, base, metadata) {
  if (!(await isComplete(cache, base, metadata))) return;
  for (const name of await modelCacheNames()) {
    if (name !== MODEL_CACHE_PREFIX + version) await caches.delete(name);
  }
}

async function modelCacheNames() {
  return (await caches.keys()).filter((name) => name.startsWith(MODEL_CACHE_PREFIX));
}

/** Fetch the default export's metadata and default variant into its version's cache. */
async function precacheModel(base) {
  const metadataUrl = new URL('metadata.json', base).href;
  const response = await fetch(metadataUrl, { cache: 'no-cache' });
  if (!response.ok) throw new Error(`${metadataUrl} answered HTTP ${response.status}`);
  const metadata = await response.clone().json();
  const version = await modelVersion(metadata);
  const cache = await caches.open(MODEL_CACHE_PREFIX + version);
  for (const url of defaultVariantUrls(base, metadata, version)) {
    if (await cache.match(url.href)) continue;
    const file = await fetch(url, { cache: 'no-cache' });
    const body = await file.arrayBuffer();
    if (!file.ok || !(await fileMatches(url, base, metadata, body))) {
      throw new Error(`${url.href} is not part of the export in ${metadataUrl}`);
    }
    await cache.put(url.href, bodyResponse(body, file));
  }
  await cache.put(metadataUrl, response);
  await retireOlderModels(version, cache, base, metadata);
}
