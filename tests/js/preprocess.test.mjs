/**
 * web/js/preprocess.js against the golden vectors that mnist_draw/preprocess.py wrote.
 *
 * Twin of tests/test_preprocess.py::test_preprocess_matches_golden: the same file
 * (tests/golden/preprocess.json, from `python -m tests.make_golden`), the same loop, the same
 * tolerance (1e-6). Run by tests/test_js.py (`node --test tests/js/`).
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { inflateSync } from 'node:zlib';

import { fitToBox, isBlank, pairwiseSum, preprocessCanvas } from '../../web/js/preprocess.js';

const golden = JSON.parse(readFileSync(new URL('../golden/preprocess.json', import.meta.url), 'utf8'));
const TOLERANCE = 1e-6;

/** zlib-compressed base64 (tests/make_golden.py `pack`) -> bytes, copied so typed-array views are aligned. */
function unpack(text) {
  return new Uint8Array(inflateSync(Buffer.from(text, 'base64')));
}

for (const testCase of golden.cases) {
  test(`preprocessCanvas matches golden: ${testCase.name}`, () => {
    const { width, height, rgba_zlib_b64: rgbaPacked } = testCase.canvas;
    const got = preprocessCanvas(new Uint8ClampedArray(unpack(rgbaPacked)), width, height, golden.params);
    const expected = new Float32Array(unpack(testCase.expected_zlib_b64).buffer);
    assert.equal(
      got.length,
      testCase.shape.reduce((product, size) => product * size, 1),
    );
    assert.equal(expected.length, got.length);
    let worst = 0;
    let worstIndex = -1;
    for (let index = 0; index < got.length; index++) {
      const difference = Math.abs(got[index] - expected[index]);
      if (difference > worst) [worst, worstIndex] = [difference, index];
    }
    assert.ok(worst <= TOLERANCE, `${testCase.name}: max |diff| ${worst} at pixel ${worstIndex}`);
  });
}

test('blank canvas maps to zeros and counts as blank', () => {
  const got = preprocessCanvas(new Uint8ClampedArray(40 * 30 * 4), 40, 30, golden.params);
  assert.ok(got.every((value) => value === 0));
  assert.ok(isBlank(got));
});

test('a wrong number of RGBA bytes is refused with the expected size', () => {
  assert.throws(() => preprocessCanvas(new Uint8ClampedArray(10), 2, 2, golden.params), /expected 16 RGBA bytes/);
});

test('pairwiseSum follows NumPy blocking (exact on integers, any length)', () => {
  for (const count of [1, 2, 7, 8, 9, 128, 129, 400, 1000]) {
    const values = Float64Array.from({ length: count }, (_, index) => index);
    assert.equal(pairwiseSum(values), (count * (count - 1)) / 2);
  }
});

test('RGBA bytes at any byte offset give the same model input (Node Buffers are not 4-byte aligned)', () => {
  const { width, height, rgba_zlib_b64: rgbaPacked } = golden.cases[0].canvas;
  const rgba = unpack(rgbaPacked);
  const shifted = new Uint8Array(rgba.length + 1).subarray(1); // byteOffset 1
  shifted.set(rgba);
  assert.equal(shifted.byteOffset % 4, 1);
  assert.deepEqual(
    preprocessCanvas(shifted, width, height, golden.params),
    preprocessCanvas(rgba, width, height, golden.params),
  );
});

test('fitToBox reads a crop in place inside a larger image exactly as a copied crop', () => {
  const width = 23;
  const height = 17;
  const image = Float64Array.from({ length: width * height }, (_, index) => ((index * 7919) % 101) / 100);
  const [top, left, cropWidth, cropHeight] = [3, 5, 13, 11];
  const copy = new Float64Array(cropWidth * cropHeight);
  for (let row = 0; row < cropHeight; row++) {
    for (let col = 0; col < cropWidth; col++) copy[row * cropWidth + col] = image[(top + row) * width + left + col];
  }
  const inPlace = fitToBox(image, cropWidth, cropHeight, 8, width, top * width + left);
  assert.deepEqual(inPlace, fitToBox(copy, cropWidth, cropHeight, 8));
  assert.deepEqual([inPlace.boxWidth, inPlace.boxHeight], [8, 7]);
});
