/**
 * One answer from two models: the stroke model's probabilities (how the digit was drawn) and
 * the image model's (what it looks like), mixed as a weighted geometric mean:
 *
 *   fused = normalise(pStroke ** w * pImage ** (1 - w))
 *
 * Twin of mnist_draw/fusion.py (the reasons are written there), held to it by the golden
 * vectors in tests/golden/fusion.json; w is metadata.stroke.fusion.stroke_weight.
 */

/** Python's PROBABILITY_FLOOR: a probability of exactly 0 would make its log -Infinity. */
export const PROBABILITY_FLOOR = 1e-7;

/**
 * @param {ArrayLike<number>} stroke  the stroke model's probabilities, one per class
 * @param {ArrayLike<number>} image   the image model's, same length
 * @param {number} strokeWeight       w in [0, 1]
 * @returns {Float32Array}  the fused probabilities, summing to 1
 */
export function fuse(stroke, image, strokeWeight) {
  if (!(strokeWeight >= 0 && strokeWeight <= 1)) throw new Error(`strokeWeight must be in [0, 1], got ${strokeWeight}`);
  if (stroke.length !== image.length) {
    throw new Error(`the two models' probabilities differ in length: ${stroke.length} and ${image.length}`);
  }
  const logits = Array.from(
    stroke,
    (p, index) =>
      strokeWeight * Math.log(Math.max(p, PROBABILITY_FLOOR)) +
      (1 - strokeWeight) * Math.log(Math.max(image[index], PROBABILITY_FLOOR)),
  );
  const largest = Math.max(...logits);
  const weights = logits.map((logit) => Math.exp(logit - largest));
  const total = weights.reduce((sum, weight) => sum + weight, 0);
  return Float32Array.from(weights, (weight) => weight / total);
}

/**
 * Either model's 11 probabilities -> the 10 digits' (renormalised) and p(not a digit), the 11th
 * class (Python's split_not_a_digit, where the reasons are written). A 10-wide row, from a model
 * without that class, gives notADigit 0.
 * @param {ArrayLike<number>} probabilities
 * @returns {{digits: Float32Array, notADigit: number}}
 */
export function splitNotADigit(probabilities) {
  if (probabilities.length === 10) return { digits: Float32Array.from(probabilities), notADigit: 0 };
  if (probabilities.length !== 11) {
    throw new Error(`a model gives 10 or 11 probabilities, got ${probabilities.length}`);
  }
  let total = 0;
  for (let index = 0; index < 10; index++) total += probabilities[index];
  total = Math.max(total, PROBABILITY_FLOOR);
  return {
    digits: Float32Array.from(Array.prototype.slice.call(probabilities, 0, 10), (p) => p / total),
    notADigit: Math.fround(probabilities[10]),
  };
}

/**
 * The answer to a drawing (Python's fuse_reading, where the reasons are written): both models 11
 * wide, all eleven classes fused and split; only one, its own p(not a digit) and the fused ten
 * digits; neither, notADigit 0; no stroke reading (null), the picture's ten and notADigit 0.
 * @param {ArrayLike<number>|null} stroke  the stroke model's 10 or 11 probabilities, or null
 * @param {ArrayLike<number>} image        the image model's 10 or 11
 * @param {number} strokeWeight            w in [0, 1] (unused without a stroke reading)
 * @returns {{digits: Float32Array, notADigit: number}}  digits summing to 1
 */
export function fuseReading(stroke, image, strokeWeight) {
  const fromImage = splitNotADigit(image);
  if (!stroke) return { digits: fromImage.digits, notADigit: 0 };
  if (stroke.length === 11 && image.length === 11) return splitNotADigit(fuse(stroke, image, strokeWeight));
  const fromStroke = splitNotADigit(stroke);
  return {
    digits: fuse(fromStroke.digits, fromImage.digits, strokeWeight),
    notADigit: fromStroke.notADigit + fromImage.notADigit, // at most one model has the class
  };
}
