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
