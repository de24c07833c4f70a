/**
 * The two models' readings of one or more digits -> one answer each, the page's rule for a digit:
 * the two models fused into ten digits and p(not a digit) (fusion.js fuseReading: all eleven
 * classes fused when both models have the 11th), then the kept drawings' vote (web/js/main.js
 * createLearner `apply`). A digit is "not a digit" when that fused p reaches the export's
 * threshold (metadata.stroke.fusion.not_a_digit_threshold; none: never); without a pen path the
 * picture alone never is. Pure: numbers in, numbers out.
 */
import { argmax } from './classify.js';
import { fuseReading } from './fusion.js';

/**
 * @typedef {object} DigitAnswer
 * @property {Float32Array} probabilities  the ten digits' answer, summing to 1
 * @property {number} top          index of its most probable digit
 * @property {boolean} notADigit   the two models, fused, say it is no digit at all
 * @property {number} confidence   the shown answer's probability: of "not a digit" when it is one, else of `top`
 * @property {boolean} changed     the kept drawings changed the answer shown (a digit, or "not a digit")
 */

/**
 * @param {Float32Array} fromImages        count * (10 or 11) image-model probabilities, digit after digit
 * @param {Float32Array|null} fromPaths    count * (10 or 11) stroke-model probabilities, or null (no stroke model)
 * @param {Array<Float32Array|null>} features  each digit's pen path (web/js/penPath.js), null without a stroke model
 * @param {{stroke_weight: number, not_a_digit_threshold?: number|null}|undefined} fusion  metadata.stroke.fusion
 * @param {(probabilities: Float32Array, features: Float32Array|null) => {probabilities: Float32Array, share?: number}} apply
 *   the kept drawings' vote (adapt.js): the adapted probabilities and their share of them, in [0, 1)
 * @returns {DigitAnswer[]}  one per digit, in order
 */
export function readDigits(fromImages, fromPaths, features, fusion, apply) {
  const count = features.length;
  const slice = (values, index) =>
    values.subarray((index * values.length) / count, ((index + 1) * values.length) / count);
  return features.map((feature, index) => {
    const image = slice(fromImages, index);
    const { digits: fused, notADigit } = fuseReading(
      fromPaths ? slice(fromPaths, index) : null,
      image,
      fusion?.stroke_weight,
    );
    const { probabilities, share = 0 } = apply(fused, feature);
    const threshold = fusion?.not_a_digit_threshold ?? Infinity;
    // The kept drawings vote for digits, so they lower p(not a digit) by their share (Python's
    // stroke_inference.adapt_reading): a shape a person taught as a 4 stops being refused.
    const refusal = notADigit * (1 - share);
    const none = refusal >= threshold;
    const top = argmax(probabilities);
    const before = notADigit >= threshold ? -1 : argmax(fused);
    const changed = (none ? -1 : top) !== before; // the answer shown, a digit or "not a digit", moved
    return { probabilities, top, notADigit: none, confidence: none ? refusal : probabilities[top], changed };
  });
}
