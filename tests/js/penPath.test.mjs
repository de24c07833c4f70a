/**
 * web/js/penPath.js against the golden vectors that mnist_draw/pen_path.py wrote.
 *
 * Twin of tests/test_pen_path.py::test_path_features_match_golden: the same file
 * (tests/golden/pen_path.json, from `python -m tests.make_golden`), the same loop, the same
 * tolerance (1e-6; both sides compute in float64 in the same order, so they agree to float32
 * rounding, and the pen flag exactly). Run by tests/test_js.py (`node --test tests/js/`).
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';

import { penPathFeatures } from '../../web/js/penPath.js';

const golden = JSON.parse(readFileSync(new URL('../golden/pen_path.json', import.meta.url), 'utf8'));
const TOLERANCE = 1e-6;

for (const testCase of golden.cases) {
  test(`penPathFeatures matches golden: ${testCase.name}`, () => {
    const params = { ...golden.params, n_points: testCase.n_points };
    const got = penPathFeatures(testCase.strokes, params);
    const expected = testCase.expected.flat();
    assert.equal(got.length, expected.length);
    let worst = 0;
    let worstIndex = -1;
    for (let index = 0; index < got.length; index++) {
      const difference = Math.abs(got[index] - expected[index]);
      if (difference > worst) [worst, worstIndex] = [difference, index];
    }
    assert.ok(worst <= TOLERANCE, `${testCase.name}: max |diff| ${worst} at value ${worstIndex}`);
    const width = golden.params.features.length;
    for (let point = 0; point < testCase.n_points; point++) {
      assert.equal(
        got[point * width + width - 1],
        expected[point * width + width - 1],
        `${testCase.name}: pen flag ${point}`,
      );
    }
  });
}

test('penPathFeatures refuses a digit without points', () => {
  assert.throws(() => penPathFeatures([[]], golden.params), /at least one point/);
});

test('penPathFeatures refuses fewer than two path points', () => {
  assert.throws(() => penPathFeatures([[[1, 2]]], { ...golden.params, n_points: 1 }), /at least 2 points/);
});
