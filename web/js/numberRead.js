/**
 * A number's strokes -> one answer per digit written. web/js/number.js groups the strokes into
 * digits, left to right; each group is then read exactly as digit mode reads a whole drawing: its
 * strokes inked alone with the same pen (canvas.js drawStrokes, on the canvas's own pixel grid)
 * and preprocessed (preprocess.js), its pen path (penPath.js), both models reading all the groups
 * in one batch each, and readDigits.js's rule for each. The geometric grouping competes with a few
 * alternatives (number.js alternativeGroupings, every group of every one read in that same batch)
 * and gives way only when the readers are clearly surer of one (chooseGrouping): the twin of
 * mnist_draw/number_reading.py read_number. No page writes: web/js/numberMode.js shows it.
 */
import { drawStrokes } from './canvas.js';
import { classifyBatch } from './classify.js';
import { alternativeGroupings, chooseGrouping, groupStrokes } from './number.js';
import { penPathFeatures } from './penPath.js';
import { preprocessCanvas } from './preprocess.js';
import { readDigits } from './readDigits.js';

// As in canvas.js: antialiasing shades up to about a pixel past a stroke's edge; two keep a margin.
const ANTIALIAS_MARGIN = 2;
let scratch = null; // one offscreen 2D context, grown as needed and reused by every read

/**
 * One group's strokes inked alone, white on black, as the drawing canvas inks them.
 * @param {number[][][]} strokes  canvas pixels
 * @param {number[]} box          [x0, y0, x1, y1] of their points
 * @param {number} penWidth       canvas pixels
 * @returns {ImageData}  the rectangle that holds their ink
 */
function inkAlone(strokes, [x0, y0, x1, y1], penWidth) {
  const reach = penWidth / 2 + ANTIALIAS_MARGIN;
  // Whole-pixel offsets keep the canvas's pixel grid, so antialiasing falls as it did on the canvas.
  const left = Math.floor(x0 - reach);
  const top = Math.floor(y0 - reach);
  const width = Math.ceil(x1 + reach) - left;
  const height = Math.ceil(y1 + reach) - top;
  scratch ??= document.createElement('canvas').getContext('2d', { alpha: false, willReadFrequently: true });
  const { canvas } = scratch;
  if (canvas.width < width || canvas.height < height) {
    canvas.width = Math.max(canvas.width, width);
    canvas.height = Math.max(canvas.height, height);
  }
  scratch.setTransform(1, 0, 0, 1, -left, -top);
  scratch.fillStyle = '#000';
  scratch.fillRect(left, top, width, height);
  drawStrokes(scratch, strokes, penWidth);
  return scratch.getImageData(0, 0, width, height);
}

/**
 * @typedef {import('./readDigits.js').DigitAnswer & {strokes: number[][][], box: number[], key: string}} GroupAnswer
 *   a group's answer, its strokes, the box of their points [x0, y0, x1, y1] and a key naming
 *   which of the drawing's strokes it holds
 */

/**
 * Read the drawing as a number.
 * @param {object} tf
 * @param {{model: object, strokeModel: object|null}} models  web/js/model.js
 * @param {object} metadata      web/model/metadata.json
 * @param {number[][][]} strokes the canvas's strokes (canvas.js `strokes()`)
 * @param {number} penWidth      canvas pixels
 * @param {Function} apply       the kept drawings' vote (readDigits.js)
 * @returns {Promise<GroupAnswer[]>}  left to right; none when nothing is drawn
 */
export async function readNumber(tf, { model, strokeModel }, metadata, strokes, penWidth, apply) {
  const { preprocess, input, stroke } = metadata;
  // Every distinct group of every grouping, once, the geometric ones first (Python's read_candidates).
  const table = new Map();
  const groupings = alternativeGroupings(strokes, groupStrokes(strokes)).map((grouping) =>
    grouping.map(({ strokes: indices, box }) => {
      const key = indices.join();
      if (!table.has(key)) {
        table.set(key, { index: table.size, group: { strokes: indices.map((index) => strokes[index]), box, key } });
      }
      return table.get(key).index;
    }),
  );
  const groups = [...table.values()].map(({ group }) => group);
  if (!groups.length) return [];
  const pixels = preprocess.image_size ** 2;
  const images = new Float32Array(groups.length * pixels);
  const features = groups.map((group, index) => {
    const { data, width, height } = inkAlone(group.strokes, group.box, penWidth);
    images.set(preprocessCanvas(data, width, height, preprocess), index * pixels);
    return strokeModel && penPathFeatures(group.strokes, stroke.pen_path);
  });
  const [fromImages, fromPaths] = await Promise.all([
    classifyBatch(tf, model, images, input.shape),
    strokeModel &&
      classifyBatch(tf, strokeModel, Float32Array.from(features.flatMap((f) => [...f])), stroke.input.shape),
  ]);
  const answers = readDigits(fromImages, fromPaths, features, stroke?.fusion, apply);
  const chosen =
    groupings[
      chooseGrouping(
        groupings,
        answers.map((answer) => [!answer.notADigit, answer.confidence]),
      )
    ];
  return chosen.map((index) => ({ ...answers[index], ...groups[index] }));
}
