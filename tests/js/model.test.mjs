/**
 * web/js/model.js: weight files are checked against metadata.weights_sha256 before TF.js sees
 * them, and every failure names the command that fixes it. The full load (real files, real
 * TF.js, real browser) is in tests/test_web.py.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';

import {
  fetchingWeightsEarly,
  loadMetadata,
  loadModel,
  ModelLoadError,
  modelVersion,
  sha256Hex,
  verifyingFetch,
} from '../../web/js/model.js';

const BASE = new URL('http://127.0.0.1:1/model/');
const COMMITTED_METADATA = new URL('../../web/model/metadata.json', import.meta.url);
const WEIGHTS = new Uint8Array([1, 2, 3, 4, 250]);
const WEIGHTS_SHA = createHash('sha256').update(WEIGHTS).digest('hex');

/** A fetch that serves a fixed table of URL -> bytes, 404 otherwise. */
const fakeFetch = (files) => async (url) =>
  url in files ? new Response(files[url], { status: 200 }) : new Response('not found', { status: 404 });

test('sha256Hex matches node:crypto', async () => {
  assert.equal(await sha256Hex(WEIGHTS.buffer), WEIGHTS_SHA);
});

test('weights with the recorded checksum pass through unchanged', async () => {
  const url = `${BASE.href}uint8/group1-shard1of1.bin`;
  const verified = verifyingFetch(BASE, { 'uint8/group1-shard1of1.bin': WEIGHTS_SHA }, fakeFetch({ [url]: WEIGHTS }));
  const response = await verified(url);
  assert.deepEqual(new Uint8Array(await response.arrayBuffer()), WEIGHTS);
});

test('corrupt weights are refused with a message naming python -m export', async () => {
  const url = `${BASE.href}uint8/group1-shard1of1.bin`;
  const verified = verifyingFetch(
    BASE,
    { 'uint8/group1-shard1of1.bin': '0'.repeat(64) },
    fakeFetch({ [url]: WEIGHTS }),
  );
  await assert.rejects(
    verified(url),
    (error) =>
      error instanceof ModelLoadError &&
      /corrupt: SHA-256/.test(error.message) &&
      /python -m export/.test(error.message),
  );
});

test('a weight file without a recorded checksum is refused', async () => {
  const url = `${BASE.href}uint8/extra.bin`;
  await assert.rejects(
    verifyingFetch(BASE, {}, fakeFetch({ [url]: WEIGHTS }))(url),
    /no checksum for weight file uint8\/extra.bin/,
  );
});

test('missing metadata says what to run', async () => {
  await assert.rejects(
    loadMetadata(BASE, fakeFetch({})),
    (error) => /HTTP 404/.test(error.message) && /python -m export/.test(error.message),
  );
});

test('metadata without a "page" block is refused, naming python -m export', async () => {
  const { page, ...withoutPage } = JSON.parse(readFileSync(COMMITTED_METADATA, 'utf8'));
  assert.ok(page);
  const files = { [`${BASE.href}metadata.json`]: JSON.stringify(withoutPage) };
  await assert.rejects(
    loadMetadata(BASE, fakeFetch(files)),
    (error) => /has no "page"/.test(error.message) && /python -m export/.test(error.message),
  );
});

test('committed metadata: "preprocess" is the model-input recipe, "page" the page settings', () => {
  const { preprocess, page } = JSON.parse(readFileSync(COMMITTED_METADATA, 'utf8'));
  assert.deepEqual(Object.keys(preprocess).sort(), ['fit_box', 'image_size', 'ink_threshold', 'luma_weights']);
  assert.deepEqual(Object.keys(page).sort(), ['canvas_size', 'stroke_width', 'stroke_width_range', 'unsure_below']);
});

test('modelVersion hashes the weights checksums, in file order, to 16 hex digits', async () => {
  const shas = { 'uint8/a.bin': 'a'.repeat(64), 'float32/b.bin': 'b'.repeat(64) };
  const expected = createHash('sha256')
    .update(
      JSON.stringify([
        ['float32/b.bin', 'b'.repeat(64)],
        ['uint8/a.bin', 'a'.repeat(64)],
      ]),
    )
    .digest('hex')
    .slice(0, 16);
  assert.equal(await modelVersion({ weights_sha256: shas }), expected);
  // Key order in the file does not matter; any changed checksum does.
  const reordered = { 'float32/b.bin': 'b'.repeat(64), 'uint8/a.bin': 'a'.repeat(64) };
  assert.equal(await modelVersion({ weights_sha256: reordered }), expected);
  const changed = { ...shas, 'uint8/a.bin': 'c'.repeat(64) };
  assert.notEqual(await modelVersion({ weights_sha256: changed }), expected);
});

test('loadModel fetches the model files tagged with the export version', async () => {
  const metadata = JSON.parse(readFileSync(COMMITTED_METADATA, 'utf8'));
  const asked = [];
  const fakeTf = {
    io: { http: (url) => ({ load: async () => asked.push(url) }) },
    async loadGraphModel(handler) {
      await handler.load();
      return { fake: true };
    },
  };
  const { version } = await loadModel(fakeTf, BASE, metadata, { variantName: 'uint8', fetchImpl: fakeFetch({}) });
  assert.equal(version, await modelVersion(metadata));
  assert.deepEqual(asked, [`${BASE.href}uint8/model.json?v=${version}`]);
});

test('the model becomes tensors only once the backend runs', async () => {
  const metadata = JSON.parse(readFileSync(COMMITTED_METADATA, 'utf8'));
  const events = [];
  let startBackend, downloaded;
  const backendReady = new Promise((resolve) => (startBackend = resolve)).then(() => events.push('backend'));
  const wasDownloaded = new Promise((resolve) => (downloaded = resolve));
  const fakeTf = {
    io: {
      http: () => ({
        load: async () => {
          events.push('downloaded');
          downloaded();
        },
      }),
    },
    async loadGraphModel(handler) {
      await handler.load();
      events.push('tensors');
      return {};
    },
  };
  const loading = loadModel(fakeTf, BASE, metadata, { fetchImpl: fakeFetch({}), backendReady });
  await wasDownloaded;
  await new Promise((resolve) => setTimeout(resolve, 20)); // time enough to make tensors, were it allowed
  assert.deepEqual(events, ['downloaded']);
  startBackend();
  await loading;
  assert.deepEqual(events, ['downloaded', 'backend', 'tensors']);
});

test('weights fetched with a version query are still checked against their file name', async () => {
  const url = `${BASE.href}uint8/group1-shard1of1.bin?v=0123456789abcdef`;
  const verified = verifyingFetch(BASE, { 'uint8/group1-shard1of1.bin': WEIGHTS_SHA }, fakeFetch({ [url]: WEIGHTS }));
  assert.deepEqual(new Uint8Array(await (await verified(url)).arrayBuffer()), WEIGHTS);
});

test('the weight files beside model.json are fetched before it is read, each once', async () => {
  const shas = { 'uint8/group1-shard1of1.bin': WEIGHTS_SHA, 'float32/group1-shard1of1.bin': WEIGHTS_SHA };
  const shard = `${BASE.href}uint8/group1-shard1of1.bin?v=0123456789abcdef`;
  const modelJson = `${BASE.href}uint8/model.json?v=0123456789abcdef`;
  const asked = [];
  const fetchFn = async (url) => {
    asked.push(url);
    return new Response(url === shard ? WEIGHTS : '{}', { status: 200 });
  };
  const fetched = fetchingWeightsEarly(fetchFn, BASE, 'uint8/model.json', shas, '0123456789abcdef');
  assert.deepEqual(asked, [shard]); // only this variant's weights, before anything asks
  await fetched(modelJson);
  assert.deepEqual(new Uint8Array(await (await fetched(shard)).arrayBuffer()), WEIGHTS);
  assert.deepEqual(asked, [shard, modelJson]); // the early response was handed out, not fetched again
  await fetched(shard);
  assert.deepEqual(asked, [shard, modelJson, shard]); // once: a second request fetches anew
});

test('an early weight fetch that fails surfaces only when its file is asked for', async () => {
  const unhandled = [];
  const onUnhandled = (reason) => unhandled.push(reason);
  process.on('unhandledRejection', onUnhandled);
  try {
    const verified = verifyingFetch(BASE, { 'uint8/group1-shard1of1.bin': '0'.repeat(64) }, fakeFetch({}));
    const fetched = fetchingWeightsEarly(
      verified,
      BASE,
      'uint8/model.json',
      { 'uint8/group1-shard1of1.bin': 'x' },
      'v1',
    );
    await new Promise((resolve) => setTimeout(resolve, 20));
    assert.deepEqual(unhandled, []);
    await assert.rejects(fetched(`${BASE.href}uint8/group1-shard1of1.bin?v=v1`), /HTTP 404/);
  } finally {
    process.off('unhandledRejection', onUnhandled);
  }
});
