/**
 * Canvas pixels -> the 28x28 image the model sees, following the MNIST procedure.
 *
 * Twin: mnist_draw/preprocess.py implements the same numbered steps with the same names
 * (`preprocess_canvas` <-> `preprocessCanvas`). Both are checked against the shared golden
 * vectors in tests/golden/preprocess.json (regenerate with `python -m tests.make_golden`),
 * so a change here must be made there too.
 *
 * The steps:
 *   1. alpha/grey to ink: composite over black, take luminance, 0..1
 *   2. crop to the bounding box of ink above inkThreshold (blank -> all zeros)
 *   3. box-downsample into fitBox x fitBox keeping the aspect ratio, peak ink scaled to 1
 *   4. paste into imageSize x imageSize ...
 *   5. ... at the offset that puts the centre of mass at the centre (never cutting ink off)
 *   6. float32 in [0, 1], length imageSize * imageSize (row-major, one channel)
 *
 * Pure: no DOM, no TF.js, so Node imports it in tests. The numbers (28, 20, the threshold,
 * the luma weights) are not written here: they come in as `params`, which is the
 * `preprocess` object of web/model/metadata.json (written by `python -m export` from
 * mnist_draw/config.py). The arithmetic is done in float64 in the same order as NumPy, including
 * NumPy's pairwise summation, so both sides agree to float32 precision.
 */

/**
 * @typedef {object} PreprocessParams  `metadata.preprocess` from web/model/metadata.json
 * @property {number} image_size      side of the model input (28)
 * @property {number} fit_box         side of the box the digit is scaled into (20)
 * @property {number} ink_threshold   ink at or below this (0..1) is not part of the digit
 * @property {number[]} luma_weights  RGB -> luminance weights [r, g, b]
 */

// Per luma weights [r, g, b]: the channel tables of inkFromRgba, made once, not per prediction.
const channelTablesByWeights = new Map();

/**
 * A byte has 256 values, so each channel's (value / 255) * weight is looked up, not recomputed
 * for every pixel: the same float64 products, without four divisions a pixel.
 * @param {number[]} lumaWeights  [r, g, b]
 * @returns {Float64Array[]}  [red, green, blue, alpha] tables of 256 entries (alpha's weight is 1)
 */
function channelTables(lumaWeights) {
  const key = lumaWeights.join();
  if (!channelTablesByWeights.has(key)) {
    const tables = [...lumaWeights, 1].map((weight) => {
      const table = new Float64Array(256);
      for (let value = 0; value < 256; value++) table[value] = (value / 255) * weight;
      return table;
    });
    channelTablesByWeights.set(key, tables);
  }
  return channelTablesByWeights.get(key);
}

/**
 * Step 1. RGBA bytes -> ink in [0, 1] (float64, length width * height).
 *
 * Compositing over black makes white-on-transparent and white-on-black canvases read the
 * same (Python: ink_from_rgba).
 * @param {Uint8ClampedArray|Uint8Array} rgba  width * height * 4 bytes, row-major
 * @param {number} width
 * @param {number} height
 * @param {number[]} lumaWeights  [r, g, b]
 * @returns {Float64Array}
 */
export function inkFromRgba(rgba, width, height, lumaWeights) {
  if (rgba.length !== width * height * 4) {
    throw new Error(`expected ${width * height * 4} RGBA bytes for ${width}x${height}, got ${rgba.length}`);
  }
  const [redOf, greenOf, blueOf, alphaOf] = channelTables(lumaWeights);
  const ink = new Float64Array(width * height);
  const pixels = pixelWords(rgba);
  for (let pixel = 0; pixel < ink.length; pixel++) {
    // Most of a drawing is background, whose ink is exactly 0 (the array starts at 0): one
    // test of the pixel's word instead of three of its bytes.
    if ((pixels[pixel] & RGB_BITS) === 0) continue;
    const offset = pixel * 4;
    // Same expression order as NumPy: ((r * wr + g * wg) + b * wb) * a, each channel / 255.
    const luma = redOf[rgba[offset]] + greenOf[rgba[offset + 1]] + blueOf[rgba[offset + 2]];
    ink[pixel] = luma * alphaOf[rgba[offset + 3]];
  }
  return ink;
}

// The red, green and blue bytes of a pixel read as one 32-bit word, in the platform's byte order.
const RGB_BITS = new Uint32Array(new Uint8Array([255, 255, 255, 0]).buffer)[0];

/**
 * RGBA bytes -> one 32-bit word a pixel, sharing their memory when it is 4-byte aligned
 * (getImageData's always is; a Node Buffer may not be, and is copied).
 * @param {Uint8ClampedArray|Uint8Array} rgba
 * @returns {Uint32Array}
 */
function pixelWords(rgba) {
  const aligned = rgba.byteOffset % 4 === 0 ? rgba : rgba.slice();
  return new Uint32Array(aligned.buffer, aligned.byteOffset, aligned.length / 4);
}

/**
 * Step 2. Ink -> {top, left, bottom, right} with exclusive ends, or null if blank.
 * @param {Float64Array} ink  width * height, row-major
 * @param {number} width
 * @param {number} height
 * @param {number} inkThreshold
 * @returns {{top: number, left: number, bottom: number, right: number} | null}
 */
export function boundingBox(ink, width, height, inkThreshold) {
  let top = height;
  let left = width;
  let bottom = -1;
  let right = -1;
  for (let row = 0; row < height; row++) {
    const start = row * width;
    // A row's first inked pixel from the left, then its last from the right: the pixels
    // between cannot move the box, so they are never read.
    let first = 0;
    while (first < width && !(ink[start + first] > inkThreshold)) first++;
    if (first === width) continue;
    let last = width - 1;
    while (!(ink[start + last] > inkThreshold)) last--;
    if (top === height) top = row;
    bottom = row;
    if (first < left) left = first;
    if (last > right) right = last;
  }
  if (bottom < 0) return null;
  return { top, left, bottom: bottom + 1, right: right + 1 };
}

/**
 * Sparse (targetSize x sourceSize) matrix averaging source pixels over each target pixel's span.
 *
 * Target pixel i covers source interval [i * s, (i + 1) * s) with s = source / target; each
 * weight is the overlap length divided by s, so every row sums to 1 (Python: area_weights).
 * @param {number} sourceSize
 * @param {number} targetSize
 * @returns {Array<Array<[number, number]>>}  per target: [source index, weight] pairs
 */
export function areaWeights(sourceSize, targetSize) {
  const span = sourceSize / targetSize;
  const weights = [];
  for (let target = 0; target < targetSize; target++) {
    const start = target * span;
    const end = (target + 1) * span;
    const row = [];
    for (let source = Math.floor(start); source < Math.min(Math.ceil(end), sourceSize); source++) {
      const overlap = Math.min(end, source + 1) - Math.max(start, source);
      if (overlap > 0) row.push([source, overlap / span]);
    }
    weights.push(row);
  }
  return weights;
}

/**
 * Step 3. Ink crop -> box of shape (boxHeight, boxWidth), max side fitBox, peak value 1.
 *
 * The crop can be read in place inside a larger image, as NumPy's slice is in the twin: its
 * row r, column c is `crop[start + r * stride + c]`.
 * @param {Float64Array} crop  the crop, or an image holding it
 * @param {number} width       the crop's
 * @param {number} height      the crop's
 * @param {number} fitBox
 * @param {number} [stride]    values from one row to the next (default: width, a bare crop)
 * @param {number} [start]     index of the crop's top-left value (default: 0)
 * @returns {{box: Float64Array, boxWidth: number, boxHeight: number}}
 */
export function fitToBox(crop, width, height, fitBox, stride = width, start = 0) {
  const scale = fitBox / Math.max(height, width);
  // floor(x + 0.5), as in the twin: Python's round() rounds halves to even.
  const boxHeight = Math.max(1, Math.floor(height * scale + 0.5));
  const boxWidth = Math.max(1, Math.floor(width * scale + 0.5));
  const rowWeights = areaWeights(height, boxHeight);
  const colWeights = areaWeights(width, boxWidth);
  // (rowWeights @ crop) first, then @ colWeights.T: the same association as NumPy.
  const rowsDone = new Float64Array(boxHeight * width);
  for (let target = 0; target < boxHeight; target++) {
    const into = target * width;
    for (const [source, weight] of rowWeights[target]) {
      const from = start + source * stride;
      for (let col = 0; col < width; col++) rowsDone[into + col] += weight * crop[from + col];
    }
  }
  const box = new Float64Array(boxHeight * boxWidth);
  let peak = 0;
  for (let row = 0; row < boxHeight; row++) {
    for (let target = 0; target < boxWidth; target++) {
      let sum = 0;
      for (const [source, weight] of colWeights[target]) sum += rowsDone[row * width + source] * weight;
      box[row * boxWidth + target] = sum;
      if (sum > peak) peak = sum;
    }
  }
  // MNIST digits always reach full intensity; a thin pen averages down to grey otherwise.
  for (let index = 0; index < box.length; index++) box[index] /= peak;
  return { box, boxWidth, boxHeight };
}

/**
 * NumPy's pairwise summation (numpy/_core/src/umath/loops_utils.h.src), so the centre of
 * mass rounds the same way as `ndarray.sum()` in the twin.
 * @param {ArrayLike<number>} values
 * @param {number} start
 * @param {number} count
 * @returns {number}
 */
export function pairwiseSum(values, start = 0, count = values.length) {
  if (count < 8) {
    let sum = 0;
    for (let index = 0; index < count; index++) sum += values[start + index];
    return sum;
  }
  if (count <= 128) {
    const partial = [0, 1, 2, 3, 4, 5, 6, 7].map((lane) => values[start + lane]);
    let index = 8;
    for (; index < count - (count % 8); index += 8) {
      for (let lane = 0; lane < 8; lane++) partial[lane] += values[start + index + lane];
    }
    let sum =
      partial[0] + partial[1] + (partial[2] + partial[3]) + (partial[4] + partial[5] + (partial[6] + partial[7]));
    for (; index < count; index++) sum += values[start + index];
    return sum;
  }
  let half = Math.floor(count / 2);
  half -= half % 8;
  return pairwiseSum(values, start, half) + pairwiseSum(values, start + half, count - half);
}

/**
 * Steps 4-5. Top-left offset in the field that puts the box's centre of mass at the centre.
 *
 * Clamped so the whole box stays inside the field: a lopsided digit is never cut off
 * (Python: centre_offset).
 * @param {Float64Array} box  boxHeight * boxWidth, row-major
 * @param {number} boxWidth
 * @param {number} boxHeight
 * @param {number} imageSize
 * @returns {{row: number, col: number}}
 */
export function centreOffset(box, boxWidth, boxHeight, imageSize) {
  const total = 0 + pairwiseSum(box);
  const weightedRows = new Float64Array(box.length);
  const weightedCols = new Float64Array(box.length);
  for (let row = 0; row < boxHeight; row++) {
    for (let col = 0; col < boxWidth; col++) {
      weightedRows[row * boxWidth + col] = row * box[row * boxWidth + col];
      weightedCols[row * boxWidth + col] = col * box[row * boxWidth + col];
    }
  }
  const centre = (imageSize - 1) / 2;
  const offsetFor = (weighted, size) => {
    const massCentre = (0 + pairwiseSum(weighted)) / total;
    const offset = Math.floor(centre - massCentre + 0.5);
    return Math.min(Math.max(offset, 0), imageSize - size);
  };
  return { row: offsetFor(weightedRows, boxHeight), col: offsetFor(weightedCols, boxWidth) };
}

/**
 * Steps 2-6. Ink in [0, 1] -> Float32Array(imageSize * imageSize) in [0, 1]; blank -> zeros.
 * @param {Float64Array} ink  width * height, row-major
 * @param {number} width
 * @param {number} height
 * @param {PreprocessParams} params
 * @returns {Float32Array}
 */
export function preprocessInk(ink, width, height, params) {
  const imageSize = params.image_size;
  const image = new Float32Array(imageSize * imageSize);
  const bounds = boundingBox(ink, width, height, params.ink_threshold);
  if (bounds === null) return image;
  const cropWidth = bounds.right - bounds.left;
  const cropHeight = bounds.bottom - bounds.top;
  const cropStart = bounds.top * width + bounds.left; // read in place: no copy of the crop
  const { box, boxWidth, boxHeight } = fitToBox(ink, cropWidth, cropHeight, params.fit_box, width, cropStart);
  const offset = centreOffset(box, boxWidth, boxHeight, imageSize);
  for (let row = 0; row < boxHeight; row++) {
    for (let col = 0; col < boxWidth; col++) {
      // Step 6: clip to [0, 1]; the Float32Array store rounds to float32 like astype(float32).
      const value = box[row * boxWidth + col];
      image[(offset.row + row) * imageSize + offset.col + col] = Math.min(Math.max(value, 0), 1);
    }
  }
  return image;
}

/**
 * RGBA canvas pixels (white ink) -> the model input, Float32Array(imageSize^2) in [0, 1].
 * @param {Uint8ClampedArray|Uint8Array} rgba  from CanvasRenderingContext2D.getImageData
 * @param {number} width
 * @param {number} height
 * @param {PreprocessParams} params
 * @returns {Float32Array}
 */
export function preprocessCanvas(rgba, width, height, params) {
  return preprocessInk(inkFromRgba(rgba, width, height, params.luma_weights), width, height, params);
}

/**
 * True for a preprocessed image with no ink: nothing to predict (Python: is_blank).
 * @param {Float32Array} image
 * @returns {boolean}
 */
export function isBlank(image) {
  return !image.some((value) => value > 0);
}
