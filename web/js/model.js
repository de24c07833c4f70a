/**
 * Load the exported model: web/model/metadata.json, then the default (or a chosen) variant's
 * TF.js graph model, with every weight file checked against metadata.weights_sha256.
 *
 * Twin of export/convert.py, which writes those files (`python -m export`). No DOM: `tf`
 * and `fetch` are passed in, so the same code runs in the page and under Node. Model files
 * are fetched as `...?v=<modelVersion>`: web/sw.js caches them under that URL, so one export's
 * files are never mixed with another's.
 */

export const EXPORT_COMMAND = 'python -m export';

/** A load failure whose message says what went wrong and what to run. */
export class ModelLoadError extends Error {
  constructor(message) {
    super(`${message}. Run \`${EXPORT_COMMAND}\` to (re)create web/model/.`);
    this.name = 'ModelLoadError';
  }
}

async function fetchOk(fetchImpl, url, init) {
  let response;
  try {
    response = await fetchImpl(url, init);
  } catch (error) {
    throw new ModelLoadError(`cannot fetch ${url} (${error.message})`);
  }
  if (!response.ok) throw new ModelLoadError(`${url} answered HTTP ${response.status}`);
  return response;
}

/**
 * metadata.json under `baseUrl`.
 * @param {URL} baseUrl  the model folder, ending in "/"
 * @param {typeof fetch} [fetchImpl]
 * @returns {Promise<object>}  the parsed metadata (schema: export/convert.py)
 */
export async function loadMetadata(baseUrl, fetchImpl = fetch) {
  const url = new URL('metadata.json', baseUrl);
  const response = await fetchOk(fetchImpl, url.href);
  let metadata;
  try {
    metadata = await response.json();
  } catch (error) {
    throw new ModelLoadError(`${url.href} is not valid JSON (${error.message})`);
  }
  for (const key of ['variants', 'default_variant', 'input', 'output', 'preprocess', 'page', 'weights_sha256']) {
    if (!(key in metadata)) throw new ModelLoadError(`${url.href} has no "${key}"`);
  }
  return metadata;
}

/** Lower-case hex SHA-256 of an ArrayBuffer (Web Crypto: browsers on https or localhost, Node). */
export async function sha256Hex(buffer) {
  const digest = await globalThis.crypto.subtle.digest('SHA-256', buffer);
  return Array.from(new Uint8Array(digest), (byte) => byte.toString(16).padStart(2, '0')).join('');
}

/**
 * The export's version: 16 hex digits of the SHA-256 of its weights' SHA-256s (sorted by file),
 * so any new weights make a new version and the same weights keep it. Also the service
 * worker's cache key for the model (web/sw.js); tests/test_web_offline.py model_version is its
 * Python twin.
 * @param {object} metadata  from loadMetadata
 * @returns {Promise<string>}
 */
export async function modelVersion(metadata) {
  const entries = Object.entries(metadata.weights_sha256).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const digest = await sha256Hex(new TextEncoder().encode(JSON.stringify(entries)));
  return digest.slice(0, 16);
}

/** The URL of a model file under `baseUrl`, tagged with the export's version. */
function versionedUrl(path, baseUrl, version) {
  const url = new URL(path, baseUrl);
  url.searchParams.set('v', version);
  return url;
}

/**
 * A fetch for tf.loadGraphModel that refuses weight files whose SHA-256 differs from metadata.
 * Keys of `expected` are paths relative to `baseUrl`, e.g. "uint8/group1-shard1of1.bin".
 */
export function verifyingFetch(baseUrl, expected, fetchImpl = fetch) {
  return async (url, init) => {
    const response = await fetchOk(fetchImpl, url, init);
    const href = new URL(url, baseUrl).href;
    if (!href.split('?')[0].endsWith('.bin')) return response;
    const key = decodeURIComponent(href.slice(baseUrl.href.length).split('?')[0]);
    if (!href.startsWith(baseUrl.href) || !(key in expected)) {
      throw new ModelLoadError(`no checksum for weight file ${key} in metadata.json`);
    }
    const bytes = await response.arrayBuffer();
    const actual = await sha256Hex(bytes);
    if (actual !== expected[key]) {
      throw new ModelLoadError(
        `weight file ${key} is corrupt: SHA-256 ${actual.slice(0, 12)}… does not match metadata.json`,
      );
    }
    return new Response(bytes, { status: 200, headers: { 'Content-Type': 'application/octet-stream' } });
  };
}

/**
 * Load one variant of the exported graph model, weights verified.
 * @param {object} tf         the TF.js namespace (web/js/tf.js, or @tensorflow/tfjs under Node)
 * @param {URL} baseUrl       the model folder, ending in "/"
 * @param {object} metadata   from loadMetadata
 * @param {object} [options]
 * @param {string} [options.variantName]     default: metadata.default_variant
 * @param {typeof fetch} [options.fetchImpl]
 * @param {Promise} [options.backendReady]   resolves once the TF.js backend runs: the files
 *   download meanwhile, and the weights become tensors only after it (on that backend)
 * @returns {Promise<{model: object, variantName: string, variant: object, version: string}>}
 *   version: modelVersion(metadata), the `?v=` the model files were fetched with
 */
export async function loadModel(tf, baseUrl, metadata, options = {}) {
  const { variantName = metadata.default_variant, fetchImpl = fetch, backendReady = null } = options;
  const variant = metadata.variants[variantName];
  if (!variant) {
    throw new ModelLoadError(
      `unknown model variant "${variantName}"; metadata.json has ${Object.keys(metadata.variants).join(', ')}`,
    );
  }
  const version = await modelVersion(metadata);
  const model = await loadVerifiedGraph(tf, baseUrl, metadata, variant.path, { version, fetchImpl, backendReady });
  return { model, variantName, variant, version };
}

/**
 * One graph of the export (`graphPath`, e.g. "uint8/model.json"), fetched as `?v=<version>` with
 * its weights verified and fetched early, turned into tensors once `backendReady` resolves.
 */
async function loadVerifiedGraph(tf, baseUrl, metadata, graphPath, { version, fetchImpl, backendReady }) {
  const modelUrl = versionedUrl(graphPath, baseUrl, version);
  const verifying = verifyingFetch(baseUrl, metadata.weights_sha256, fetchImpl);
  const fetchFunc = fetchingWeightsEarly(verifying, baseUrl, graphPath, metadata.weights_sha256, version);
  const files = tf.io.http(modelUrl.href, { fetchFunc });
  const afterBackend = {
    async load() {
      const artifacts = await files.load();
      await backendReady;
      return artifacts;
    },
  };
  return loadGraph(tf, afterBackend, modelUrl);
}

/**
 * `fetchFn`, having already started to fetch (and verify) the weight files metadata lists
 * beside the model.json at `modelPath`: they download while model.json does, not after it has
 * been read. Each early fetch is handed to the first request for its URL; anything else is
 * fetched as asked.
 * @param {function} fetchFn      a fetch, e.g. verifyingFetch(...)
 * @param {URL} baseUrl           the model folder, ending in "/"
 * @param {string} modelPath      e.g. "uint8/model.json", relative to baseUrl
 * @param {object} weightsSha256  metadata.weights_sha256: {"uint8/group1-shard1of1.bin": sha, ...}
 * @param {string} version        the `?v=` every model file is fetched with
 */
export function fetchingWeightsEarly(fetchFn, baseUrl, modelPath, weightsSha256, version) {
  const folder = modelPath.slice(0, modelPath.lastIndexOf('/') + 1);
  const early = new Map();
  for (const path of Object.keys(weightsSha256)) {
    if (!path.startsWith(folder) || path.slice(folder.length).includes('/')) continue;
    const href = versionedUrl(path, baseUrl, version).href;
    const response = fetchFn(href);
    response.catch(() => {}); // if model.json fails, nobody asks for it: not a second error
    early.set(href, response);
  }
  return (url, init) => {
    const href = new URL(url, baseUrl).href;
    const response = early.get(href);
    if (response === undefined) return fetchFn(url, init);
    early.delete(href);
    return response;
  };
}

/** tf.loadGraphModel(handler), its failures as ModelLoadError naming the model's URL. */
async function loadGraph(tf, handler, modelUrl) {
  try {
    return await tf.loadGraphModel(handler);
  } catch (error) {
    if (error instanceof ModelLoadError) throw error;
    throw new ModelLoadError(`cannot load ${modelUrl.href} (${error.message})`);
  }
}

/**
 * Load the "Look inside" graph model (metadata.activations: block1/block2 outputs), weights
 * verified like the variants. Separate from loadModel so the prediction path never pays for it.
 * @returns {Promise<object|null>}  a tf.GraphModel, or null if this export has no activations
 */
export async function loadActivationModel(tf, baseUrl, metadata, fetchImpl = fetch) {
  if (!metadata.activations) return null;
  const modelUrl = versionedUrl(metadata.activations.path, baseUrl, await modelVersion(metadata));
  const files = tf.io.http(modelUrl.href, { fetchFunc: verifyingFetch(baseUrl, metadata.weights_sha256, fetchImpl) });
  return loadGraph(tf, files, modelUrl);
}

/**
 * Load the stroke model (metadata.stroke: the pen-path graph and its fusion weight), weights
 * verified and fetched early like the variants. The page reads pictures alone without it.
 * @param {object} tf
 * @param {URL} baseUrl
 * @param {object} metadata
 * @param {object} [options]  fetchImpl, backendReady: as for loadModel
 * @returns {Promise<object|null>}  a tf.GraphModel, or null if this export has no stroke model
 */
export async function loadStrokeModel(tf, baseUrl, metadata, options = {}) {
  const { fetchImpl = fetch, backendReady = null } = options;
  if (!metadata.stroke) return null;
  const version = await modelVersion(metadata);
  return loadVerifiedGraph(tf, baseUrl, metadata, metadata.stroke.path, { version, fetchImpl, backendReady });
}
