/**
 * web/js/strokes.js `checkRecord` against tests/golden/stroke_records.json, the table
 * tests/test_stroke_records.py holds mnist_draw/strokes.py to, with the bound of web/js/limits.js.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';

import { DRAWING_LIMITS } from '../../web/js/limits.js';
import { checkRecord, StrokeFileError } from '../../web/js/strokes.js';

const { cases } = JSON.parse(readFileSync(new URL('../golden/stroke_records.json', import.meta.url), 'utf8'));

for (const { name, record, valid } of cases) {
  test(`checkRecord: ${name} is ${valid ? 'accepted' : 'refused'} as the Python reader does`, () => {
    if (valid) {
      checkRecord(record, DRAWING_LIMITS);
    } else {
      assert.throws(
        () => checkRecord(record, DRAWING_LIMITS),
        (error) => error instanceof StrokeFileError && !error.message.includes('\n'),
      );
    }
  });
}

test('checkRecord refuses numbers JSON cannot spell but IndexedDB can keep', () => {
  const record = cases.find(({ name }) => name === 'page-record').record;
  for (const bad of [NaN, Infinity, -Infinity]) {
    const strokes = [[[bad, 1]]];
    assert.throws(() => checkRecord({ ...record, strokes }, DRAWING_LIMITS), StrokeFileError);
    assert.throws(() => checkRecord({ ...record, canvas: { width: bad, height: 1 } }, DRAWING_LIMITS), StrokeFileError);
  }
});
