/**
 * The build and server helpers without a browser: web/kernels.mjs (graph ops, the generated
 * kernel module), web/icons.mjs (the PNGs) and web/serve.mjs (routes, ETags, flags). The real
 * build, server and page are checked by tests/test_web_offline.py.
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import { inflateSync } from 'node:zlib';

import { iconPng } from '../../web/icons.mjs';
import { graphOps, KernelError, kernelModuleSource } from '../../web/kernels.mjs';
import { etagMatches, parseCommandLine, resolveFile } from '../../web/serve.mjs';

const FOLDERS = { distDir: path.resolve('/srv/dist'), modelDir: path.resolve('/srv/model') };

test('graphOps lists the ops of the graph and of its function library, once each', () => {
  const modelJson = {
    modelTopology: {
      node: [{ op: 'Placeholder' }, { op: '_FusedConv2D' }, { op: '_FusedConv2D' }],
      library: { function: [{ nodeDef: [{ op: 'Softmax' }] }] },
    },
  };
  assert.deepEqual(graphOps(modelJson), ['Placeholder', 'Softmax', '_FusedConv2D']);
});

test('the kernel module imports each kernel for both backends and registers them', () => {
  const source = kernelModuleSource(['FusedConv2D', 'Softmax']);
  for (const backend of ['wasm', 'cpu']) {
    assert.match(source, new RegExp(`from '@tensorflow/tfjs-backend-${backend}/dist/kernels/FusedConv2D'`));
    assert.match(source, new RegExp(`from '@tensorflow/tfjs-backend-${backend}/dist/kernels/Softmax'`));
  }
  assert.equal(source.match(/^import \{ \w+ as \w+ \}/gm).length, 4);
  assert.match(source, /registerKernel\(config\)/);
  assert.doesNotMatch(source, /kernels\/Conv2D'/);
});

test('a kernel no backend has is a one-line build error naming it', () => {
  assert.throws(
    () => kernelModuleSource(['NoSuchKernel']),
    (error) => error instanceof KernelError && /has no kernel for NoSuchKernel/.test(error.message),
  );
});

test('icons are RGBA PNGs of the asked size: accent blue corners, white ink in the stroke', () => {
  const png = iconPng(64);
  assert.deepEqual([...png.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  assert.equal(png.readUInt32BE(16), 64);
  assert.equal(png.readUInt32BE(20), 64);
  const idatLength = png.readUInt32BE(33);
  const rows = inflateSync(png.subarray(41, 41 + idatLength));
  const pixel = (x, y) => [...rows.subarray(y * (1 + 64 * 4) + 1 + x * 4, y * (1 + 64 * 4) + 1 + x * 4 + 4)];
  assert.deepEqual(pixel(0, 0), [0x1d, 0x4e, 0xd8, 255]);
  assert.deepEqual(pixel(32, 19), [255, 255, 255, 255]); // on the 7's top bar (y = 0.3)
});

test('resolveFile serves the model folder and the build, nothing outside them, no hidden files', () => {
  assert.equal(resolveFile('/', FOLDERS), path.join(FOLDERS.distDir, 'index.html'));
  assert.equal(resolveFile('/app.js', FOLDERS), path.join(FOLDERS.distDir, 'app.js'));
  assert.equal(resolveFile('/model/uint8/model.json', FOLDERS), path.join(FOLDERS.modelDir, 'uint8', 'model.json'));
  for (const urlPath of ['/../package.json', '/model/../../web/serve.mjs', '/.git/config', '/model/.hidden']) {
    assert.equal(resolveFile(urlPath, FOLDERS), null, urlPath);
  }
});

test('etagMatches: exact, weak, listed and any', () => {
  assert.ok(etagMatches('"abc"', '"abc"'));
  assert.ok(etagMatches('W/"abc"', '"abc"'));
  assert.ok(etagMatches('"x", "abc"', '"abc"'));
  assert.ok(etagMatches('*', '"abc"'));
  assert.ok(!etagMatches('"abcd"', '"abc"'));
  assert.ok(!etagMatches(undefined, '"abc"'));
});

test('parseCommandLine takes ports 0 to 65535 and refuses the rest', () => {
  assert.equal(parseCommandLine(['--port', '0']).port, 0);
  assert.equal(parseCommandLine(['--port', '65535']).port, 65535);
  for (const argv of [['--port', 'abc'], ['--port', '65536'], ['--port', '8.5'], ['--what'], ['stray']]) {
    assert.throws(() => parseCommandLine(argv), { name: 'Error' }, argv.join(' '));
  }
});
