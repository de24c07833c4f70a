/**
 * The project's stroke format, the page's side: one labelled drawing as a stroke-file record,
 * and the one file that holds them all. Twin of mnist_draw/strokes.py, which documents the
 * format and reads these files back (`read_stroke_file`, `python -m train --drawings FILE`).
 * No DOM, no storage: plain data in, plain data out. `checkRecord` holds a record to the same
 * rules as mnist_draw/strokes.py `from_json` (tests/golden/stroke_records.json is their shared
 * table of cases) and to the drawing bound of web/js/limits.js.
 *
 *   {"format": "mnist-draw-strokes", "version": 1, "digits": [
 *   {"label": 3, "writer": null, "canvas": {"width": 280, "height": 280},
 *    "drawn_at": "2024-05-01T12:00:00Z", "strokes": [[[x, y], ...], ...]},
 *   ...
 *   ]}
 */

/** mnist_draw/strokes.py FILE_FORMAT and FILE_VERSION: a reader refuses any other tag or version. */
export const STROKE_FILE_FORMAT = 'mnist-draw-strokes';
export const STROKE_FILE_VERSION = 1;

/** A stroke-file problem; the message is one line. */
export class StrokeFileError extends Error {
  constructor(message) {
    super(message);
    this.name = 'StrokeFileError';
  }
}

/**
 * @typedef {number[][][]} Strokes  strokes, each the [x, y] points from pen down to pen up
 *   (canvas pixels, x right, y down; at least one point per stroke)
 *
 * @typedef {object} DrawingRecord  one digit, exactly as a stroke file holds it
 * @property {number} label                            the digit meant, 0..9
 * @property {null} writer                             the page does not know who drew it
 * @property {{width: number, height: number}} canvas  the surface the points are in
 * @property {string} drawn_at                         ISO 8601 UTC, e.g. "2024-05-01T12:00:00Z"
 * @property {Strokes} strokes
 */

const isNumber = (value) => typeof value === 'number';
const isPlainObject = (value) => value !== null && typeof value === 'object' && !Array.isArray(value);

/**
 * Check one stored record, whatever its shape, as mnist_draw/strokes.py `from_json` checks a
 * stroke-file record: {canvas: {width, height} positive finite numbers, strokes: 1 to
 * maxStrokesPerDigit non-empty lists of [x, y] finite number pairs, at most maxPointsPerDigit
 * points in all, label 0-9 or null, writer and drawn_at text or null}. Other keys are ignored.
 * @param {unknown} record
 * @param {{maxPointsPerDigit: number, maxStrokesPerDigit: number}} limits  web/js/limits.js
 * @throws {StrokeFileError} one line saying what is wrong
 */
export function checkRecord(record, { maxPointsPerDigit, maxStrokesPerDigit }) {
  const fail = (message) => {
    throw new StrokeFileError(message);
  };
  if (!isPlainObject(record)) fail('a digit must be an object');
  const { canvas, strokes, label = null, writer = null, drawn_at: drawnAt = null } = record;
  if (!isPlainObject(canvas) || !isNumber(canvas.width) || !isNumber(canvas.height)) {
    fail('"canvas" must be {"width": number, "height": number}');
  }
  if (!Array.isArray(strokes)) fail('"strokes" must be a list of strokes');
  if (!strokes.length) fail('a digit needs at least one stroke');
  if (strokes.length > maxStrokesPerDigit) {
    fail(`${strokes.length} strokes, more than the ${maxStrokesPerDigit} a digit may have`);
  }
  let points = 0;
  for (const [index, stroke] of strokes.entries()) {
    if (!Array.isArray(stroke)) fail(`stroke ${index}: must be a list of [x, y] number pairs`);
    if (!stroke.length) fail(`stroke ${index} has no points`);
    points += stroke.length;
    if (points > maxPointsPerDigit) fail(`more than the ${maxPointsPerDigit} points a digit may have`);
  }
  for (const [index, stroke] of strokes.entries()) {
    const pairs = stroke.every((point) => Array.isArray(point) && point.length === 2 && point.every(isNumber));
    if (!pairs) fail(`stroke ${index}: must be a list of [x, y] number pairs`);
    if (!stroke.every((point) => point.every(Number.isFinite))) {
      fail(`stroke ${index}: a point must be [x, y] with finite numbers`);
    }
  }
  if (label !== null && !(Number.isInteger(label) && label >= 0 && label <= 9))
    fail('"label" must be a digit 0-9 or null');
  if (writer !== null && typeof writer !== 'string') fail('"writer" must be text or null');
  if (drawnAt !== null && typeof drawnAt !== 'string') fail('"drawn_at" must be text or null');
  const { width, height } = canvas;
  if (!(Number.isFinite(width) && Number.isFinite(height) && width > 0 && height > 0)) {
    fail('the drawing surface must have a positive, finite size');
  }
}

/** `date` as ISO 8601 UTC to the second ("2024-05-01T12:00:00Z"), as the app stamps its drawings. */
export function isoSeconds(date) {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/**
 * The strokes of one drawing and the digit meant -> its stroke-file record.
 * @param {object} drawing
 * @param {number} drawing.label    0..9
 * @param {Strokes} drawing.strokes
 * @param {number} drawing.width    canvas pixels
 * @param {number} drawing.height
 * @param {Date} [drawing.drawnAt]  default: now
 * @returns {DrawingRecord}
 */
export function drawingRecord({ label, strokes, width, height, drawnAt = new Date() }) {
  if (!Number.isInteger(label) || label < 0 || label > 9) throw new StrokeFileError(`label must be 0-9, got ${label}`);
  if (!strokes.length || strokes.some((stroke) => !stroke.length)) {
    throw new StrokeFileError('a drawing needs at least one stroke, each with at least one point');
  }
  const finite = strokes.every((stroke) => stroke.every((point) => point.length === 2 && point.every(Number.isFinite)));
  if (!finite) throw new StrokeFileError('a point must be [x, y] with finite numbers');
  return {
    label,
    writer: null,
    canvas: { width, height },
    drawn_at: isoSeconds(drawnAt),
    strokes: strokes.map((stroke) => stroke.map(([x, y]) => [x, y])),
  };
}

/**
 * Records -> the text of one version-1 stroke file, one digit per line (as mnist_draw/strokes.py
 * stroke_file_bytes writes it). Only the format's keys are written, whatever else a record holds.
 * @param {DrawingRecord[]} records  at least one
 * @returns {string}
 */
export function strokeFileText(records) {
  if (!records.length) throw new StrokeFileError('a stroke file needs at least one digit');
  const lines = records.map(({ label, writer = null, canvas, drawn_at, strokes }) =>
    JSON.stringify({ label, writer, canvas: { width: canvas.width, height: canvas.height }, drawn_at, strokes }),
  );
  const header = JSON.stringify({ format: STROKE_FILE_FORMAT, version: STROKE_FILE_VERSION }).slice(0, -1);
  return `${header},"digits":[\n${lines.join(',\n')}\n]}\n`;
}
