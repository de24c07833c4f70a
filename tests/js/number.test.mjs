/**
 * web/js/number.js against the golden cases that mnist_draw/number.py answered.
 *
 * Twin of tests/test_number.py's golden tests (grouping, alternatives, the readers' choice): the same file
 * (tests/golden/number.json, from `python -m tests.make_golden`), the same loop. Groups and boxes
 * must be equal exactly: both sides take minima, maxima and the same few float64 operations in
 * the same order, so nothing is rounded differently. Run by tests/test_js.py (`node --test tests/js/`).
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';

import { alternativeGroupings, chooseGrouping, groupStrokes, numberText } from '../../web/js/number.js';
import { NUMBER_PARAMS } from '../../web/js/numberParams.js';

const golden = JSON.parse(readFileSync(new URL('../golden/number.json', import.meta.url), 'utf8'));

test("the page's grouping numbers are the golden file's", () => {
  assert.deepEqual({ ...NUMBER_PARAMS }, golden.params);
});

for (const testCase of golden.cases) {
  test(`groupStrokes matches golden: ${testCase.name}`, () => {
    assert.deepEqual(groupStrokes(testCase.strokes, golden.params), testCase.expected);
  });
}

for (const testCase of golden.cases) {
  test(`alternativeGroupings matches golden: ${testCase.name}`, () => {
    const groupings = alternativeGroupings(
      testCase.strokes,
      groupStrokes(testCase.strokes, golden.params),
      golden.params,
    );
    assert.deepEqual(groupings, [testCase.expected, ...testCase.alternatives]);
  });
}

for (const choice of golden.choices) {
  test(`chooseGrouping matches golden: ${choice.name}`, () => {
    assert.equal(chooseGrouping(choice.groupings, choice.readings, golden.params), choice.expected);
  });
}

test('chooseGrouping uses the page numbers by default', () => {
  for (const choice of golden.choices) assert.equal(chooseGrouping(choice.groupings, choice.readings), choice.expected);
});

test('groupStrokes uses the page numbers by default', () => {
  const [testCase] = golden.cases.filter((item) => item.name === 'five_with_late_bar');
  assert.deepEqual(groupStrokes(testCase.strokes), testCase.expected);
});

test('groupStrokes refuses a stroke without points', () => {
  assert.throws(() => groupStrokes([[[1, 2]], []]), /stroke 1 has no points/);
});

test('numberText writes a question mark for not a digit', () => {
  assert.equal(numberText([4, null, 7, 0]), '4?70');
  assert.equal(numberText([]), '');
});
