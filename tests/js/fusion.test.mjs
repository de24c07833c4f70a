/**
 * web/js/fusion.js against the golden vectors that mnist_draw/fusion.py wrote
 * (tests/golden/fusion.json, from `python -m tests.make_golden`); tests/test_fusion.py reads the
 * same file. Both sides compute in float64 and round to float32 at the end: tolerance 1e-6.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';

import { fuse, fuseReading, PROBABILITY_FLOOR, splitNotADigit } from '../../web/js/fusion.js';

const golden = JSON.parse(readFileSync(new URL('../golden/fusion.json', import.meta.url), 'utf8'));
const TOLERANCE = 1e-6;

test('the floor is the Python one', () => {
  assert.equal(PROBABILITY_FLOOR, golden.params.probability_floor);
});

for (const testCase of golden.cases) {
  test(`fuse matches golden: ${testCase.name}`, () => {
    const got = fuse(testCase.stroke, testCase.image, testCase.stroke_weight);
    assert.equal(got.length, testCase.expected.length);
    got.forEach((value, index) =>
      assert.ok(Math.abs(value - testCase.expected[index]) <= TOLERANCE, `${testCase.name}: class ${index}`),
    );
  });
}

test('fuse refuses a weight outside [0, 1] and rows of different lengths', () => {
  assert.throws(() => fuse([1], [1], 1.5), /strokeWeight must be in \[0, 1\]/);
  assert.throws(() => fuse([0.5, 0.5], [1], 0.5), /differ in length/);
});

for (const testCase of golden.splits) {
  test(`splitNotADigit matches golden: ${testCase.name}`, () => {
    const { digits, notADigit } = splitNotADigit(testCase.stroke);
    assert.equal(digits.length, 10);
    digits.forEach((value, index) =>
      assert.ok(Math.abs(value - testCase.digits[index]) <= TOLERANCE, `${testCase.name}: class ${index}`),
    );
    assert.ok(Math.abs(notADigit - testCase.not_a_digit) <= TOLERANCE, `${testCase.name}: not a digit`);
  });
}

test('splitNotADigit refuses a row that is neither 10 nor 11 wide', () => {
  assert.throws(() => splitNotADigit([0.5, 0.5]), /10 or 11 probabilities, got 2/);
});

for (const testCase of golden.readings) {
  test(`fuseReading matches golden: ${testCase.name}`, () => {
    const { digits, notADigit } = fuseReading(testCase.stroke, testCase.image, testCase.stroke_weight);
    assert.equal(digits.length, 10);
    digits.forEach((value, index) =>
      assert.ok(Math.abs(value - testCase.digits[index]) <= TOLERANCE, `${testCase.name}: class ${index}`),
    );
    assert.ok(Math.abs(notADigit - testCase.not_a_digit) <= TOLERANCE, `${testCase.name}: not a digit`);
  });
}
