/**
 * The two models' readings of one or more digits -> one answer each, the page's rule for a digit:
 * the stroke model's "not a digit" share split off (fusion.js splitNotADigit), its ten digits
 * fused with the image model's (fusion.js fuse), then the kept drawings' vote (web/js/main.js
 * createLearner `apply`). A digit is "not a digit" when that share reaches the export's
 * threshold (metadata.stroke.fusion.not_a_digit_threshold; none: never). Pure: numbers in, numbers out.
 */
import { argmax } from './classify.js';
import { fuse, splitNotADigit } from './fusion.js';

/**
 * @typedef {object} DigitAnswer
 * @property {Float32Array} probabilities  the ten digits' answer, summing to 1
 * @property {number} top          index of its most probable digit
 * @property {boolean} notADigit   the stroke model says it is no digit at all
 * @property {number} confidence   the shown answer's probability: of "not a digit" when it is one, else of `top`
 * @property {boolean} changed     the kept drawings changed the top digit
 */

/**
 * @param {Float32Array} fromImages        count * 10 image-model probabilities, digit after digit
 * @param {Float32Array|null} fromPaths    count * (10 or 11) stroke-model probabilities, or null (no stroke model)
 * @param {Array<Float32Array|null>} features  each digit's pen path (web/js/penPath.js), null without a stroke model
 * @param {{stroke_weight: number, not_a_digit_threshold?: number|null}|undefined} fusion  metadata.stroke.fusion
 * @param {(probabilities: Float32Array, features: Float32Array|null) => {probabilities: Float32Array, changed: boolean}} apply
 * @returns {DigitAnswer[]}  one per digit, in order
 */
export function readDigits(fromImages, fromPaths, features, fusion, apply) {
  const count = features.length;
  const slice = (values, index) =>
    values.subarray((index * values.length) / count, ((index + 1) * values.length) / count);
  return features.map((feature, index) => {
    const image = slice(fromImages, index);
    const { digits, notADigit } = fromPaths ? splitNotADigit(slice(fromPaths, index)) : { notADigit: 0 };
    const { probabilities, changed } = apply(digits ? fuse(digits, image, fusion.stroke_weight) : image, feature);
    const top = argmax(probabilities);
    const none = notADigit >= (fusion?.not_a_digit_threshold ?? Infinity);
    return { probabilities, top, notADigit: none, confidence: none ? notADigit : probabilities[top], changed };
  });
}
