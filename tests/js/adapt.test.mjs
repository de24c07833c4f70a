/**
 * web/js/adapt.js against the golden vectors that mnist_draw/adapt.py wrote
 * (tests/golden/adapt.json, from `python -m tests.make_golden`); tests/test_adapt.py reads the
 * same file. Both sides compute in float64 and round to float32 at the end: tolerance 1e-6.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';

import { adapt, keptMemory } from '../../web/js/adapt.js';
import { ADAPT_PARAMS } from '../../web/js/adaptParams.js';

const golden = JSON.parse(readFileSync(new URL('../golden/adapt.json', import.meta.url), 'utf8'));
const TOLERANCE = 1e-6;
const rows = golden.kept.features.map((row) => Float32Array.from(row));
const memory = keptMemory(rows, golden.kept.labels, golden.params);

test('the page reads the numbers the golden vectors were made with', () => {
  assert.deepEqual({ ...ADAPT_PARAMS }, golden.params);
});

test('keptMemory weighs each kept drawing as Python does', () => {
  memory.weights.forEach((weight, index) =>
    assert.ok(Math.abs(weight - golden.kept.weights[index]) <= TOLERANCE, `kept drawing ${index}`),
  );
});

for (const testCase of golden.cases) {
  test(`adapt matches golden: ${testCase.name}`, () => {
    const got = adapt(testCase.probabilities, Float32Array.from(testCase.features), memory, golden.params);
    assert.equal(got.changed, testCase.changed);
    assert.ok(Math.abs(got.share - testCase.share) <= TOLERANCE, `${testCase.name}: share`);
    got.probabilities.forEach((value, index) =>
      assert.ok(Math.abs(value - testCase.expected[index]) <= TOLERANCE, `${testCase.name}: class ${index}`),
    );
  });
}

test('no kept drawings: the models answer unchanged', () => {
  const probabilities = golden.cases[0].probabilities;
  const got = adapt(
    probabilities,
    Float32Array.from(golden.cases[0].features),
    keptMemory([], [], golden.params),
    golden.params,
  );
  assert.deepEqual(Array.from(got.probabilities), Array.from(Float32Array.from(probabilities)));
  assert.equal(got.changed, false);
});
