/**
 * web/js/readDigits.js: the page's rule for one digit's answer, applied to a batch of digits
 * (number mode reads every group at once; digit mode is a batch of one).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { fuse } from '../../web/js/fusion.js';
import { readDigits } from '../../web/js/readDigits.js';

const FUSION = { stroke_weight: 0.55, not_a_digit_threshold: 0.5 };
const plain = (probabilities) => ({ probabilities, changed: false });
/** Ten probabilities with `share` on `digit` and the rest spread evenly. */
const peaked = (digit, share) => Array.from({ length: 10 }, (_, index) => (index === digit ? share : (1 - share) / 9));

test('each digit of the batch is fused from its own rows', () => {
  const images = Float32Array.from([...peaked(3, 0.9), ...peaked(7, 0.6)]);
  const paths = Float32Array.from([...peaked(3, 0.8), 0, ...peaked(1, 0.7), 0]); // eleven a digit: 0 not a digit
  const answers = readDigits(images, paths, [null, null], FUSION, plain);
  assert.deepEqual(
    answers.map(({ top, notADigit }) => [top, notADigit]),
    [
      [3, false],
      [1, false],
    ],
  );
  const expected = fuse(peaked(1, 0.7), peaked(7, 0.6), FUSION.stroke_weight);
  answers[1].probabilities.forEach((p, index) => assert.ok(Math.abs(p - expected[index]) < 1e-6));
  assert.equal(answers[1].confidence, answers[1].probabilities[1]);
});

test('a stroke model without the eleventh class is read as ten digits', () => {
  const [answer] = readDigits(
    Float32Array.from(peaked(5, 0.9)),
    Float32Array.from(peaked(5, 0.9)),
    [null],
    FUSION,
    plain,
  );
  assert.equal(answer.top, 5);
  assert.equal(answer.notADigit, false);
});

test('not a digit from the threshold on, with that share as its confidence', () => {
  const image = Float32Array.from(peaked(2, 0.9));
  const path = (share) => Float32Array.from([...peaked(2, 0.9).map((p) => p * (1 - share)), share]);
  const [below] = readDigits(image, path(0.49), [null], FUSION, plain);
  const [at] = readDigits(image, path(0.5), [null], FUSION, plain);
  assert.equal(below.notADigit, false);
  assert.equal(at.notADigit, true);
  assert.ok(Math.abs(at.confidence - 0.5) < 1e-6);
  const [never] = readDigits(image, path(0.99), [null], { stroke_weight: 0.55, not_a_digit_threshold: null }, plain);
  assert.equal(never.notADigit, false);
});

test('without a stroke model the image model answers alone', () => {
  const image = Float32Array.from(peaked(8, 0.7));
  const [answer] = readDigits(image, null, [null], undefined, plain);
  assert.deepEqual(Array.from(answer.probabilities), Array.from(image));
  assert.equal(answer.top, 8);
});

test('the kept drawings vote on each digit with its own pen path', () => {
  const features = [Float32Array.of(1), Float32Array.of(2)];
  const seen = [];
  const apply = (probabilities, feature) => {
    seen.push(feature);
    return feature[0] === 2
      ? { probabilities: Float32Array.from(peaked(4, 0.8)), changed: true }
      : plain(probabilities);
  };
  const images = Float32Array.from([...peaked(0, 0.9), ...peaked(9, 0.9)]);
  const answers = readDigits(images, null, features, FUSION, apply);
  assert.deepEqual(seen, features);
  assert.deepEqual(
    answers.map(({ top, changed }) => [top, changed]),
    [
      [0, false],
      [4, true],
    ],
  );
});

test('kept drawings near a refused drawing lower p(not a digit) by their share, as Python does', () => {
  const image = Float32Array.from(peaked(4, 0.9));
  const path = Float32Array.from([...peaked(4, 0.9).map((p) => p * 0.4), 0.6]); // refused alone: 0.6 >= 0.5
  const taught = (probabilities) => ({ probabilities: Float32Array.from(peaked(4, 0.95)), share: 0.5, changed: false });
  const [alone] = readDigits(image, path, [null], FUSION, plain);
  const [kept] = readDigits(image, path, [null], FUSION, taught);
  assert.equal(alone.notADigit, true);
  assert.equal(kept.notADigit, false); // 0.6 * (1 - 0.5) = 0.3 < 0.5
  assert.equal(kept.top, 4);
  assert.equal(kept.changed, true); // "?" became 4
});

/** Eleven probabilities: `digits` (ten summing to 1) scaled by 1 - notADigit, then notADigit. */
const withNotADigit = (digits, notADigit) => Float32Array.from([...digits.map((p) => p * (1 - notADigit)), notADigit]);

test('an image model with the eleventh class vetoes a shape the pen path reads as a digit', () => {
  const path = withNotADigit(peaked(0, 0.9), 0.3); // the pen path: a 0's bumpy outline, below the threshold
  const picture = withNotADigit(peaked(0, 0.5), 0.95); // the picture: a cloud, no digit
  const [alone] = readDigits(Float32Array.from(peaked(0, 0.5)), path, [null], FUSION, plain);
  const [fused] = readDigits(picture, path, [null], FUSION, plain);
  assert.equal(alone.notADigit, false);
  assert.equal(fused.notADigit, true);
  assert.equal(fused.probabilities.length, 10);
});

test('an image model with the eleventh class and no pen path: ten digits, never refused', () => {
  const picture = withNotADigit(peaked(6, 0.8), 0.9);
  const [answer] = readDigits(picture, null, [null], FUSION, plain);
  assert.equal(answer.probabilities.length, 10);
  assert.equal(answer.top, 6);
  assert.equal(answer.notADigit, false);
  assert.ok(Math.abs(answer.probabilities.reduce((sum, p) => sum + p, 0) - 1) < 1e-6);
});

test('each digit of a batch slices its own eleven image probabilities', () => {
  const images = Float32Array.from([...withNotADigit(peaked(3, 0.9), 0.01), ...withNotADigit(peaked(7, 0.9), 0.02)]);
  const paths = Float32Array.from([...withNotADigit(peaked(3, 0.9), 0.01), ...withNotADigit(peaked(7, 0.9), 0.01)]);
  const answers = readDigits(images, paths, [null, null], FUSION, plain);
  assert.deepEqual(
    answers.map(({ top, notADigit }) => [top, notADigit]),
    [
      [3, false],
      [7, false],
    ],
  );
});
