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
 * The stroke model's 11 probabilities -> the 10 digits' (renormalised) and p(not a digit), the
 * 11th class (Python's split_not_a_digit, where the reasons are written). A 10-wide row, from a
 * stroke model without that class, gives notADigit 0.
 * @param {ArrayLike<number>} stroke
 * @returns {{digits: Float32Array, notADigit: number}}
 */
export function splitNotADigit(stroke) {
  if (stroke.length === 10) return { digits: Float32Array.from(stroke), notADigit: 0 };
  if (stroke.length !== 11) throw new Error(`the stroke model gives 10 or 11 probabilities, got ${stroke.length}`);
  let total = 0;
  for (let index = 0; index < 10; index++) total += stroke[index];
  total = Math.max(total, PROBABILITY_FLOOR);
  return {
    digits: Float32Array.from(Array.prototype.slice.call(stroke, 0, 10), (p) => p / total),
    notADigit: stroke[10],
  };
}
