/**
 * The project's stroke format, the page's side: one labelled drawing as a stroke-file record,
 * and the one file that holds them all. Twin of mnist_draw/strokes.py, which documents the
 * format and reads these files back (`read_stroke_file`, `python -m train --drawings FILE`).
 * No DOM, no storage: plain data in, plain data out.
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
