/**
 * Learn at once from the person's kept drawings: a vote of their nearest pen paths, blended into
 * the models' answer. Twin of mnist_draw/adapt.py (the steps and the reasons are written there),
 * held to it by tests/golden/adapt.json; the numbers are web/js/adaptParams.js, generated from
 * mnist_draw/config.py. Pure: features in (web/js/penPath.js), probabilities out.
 */

import { argmax } from './classify.js';

/** Step 1. Root mean square difference of two pen paths' features. */
function distance(a, b) {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += (a[i] - b[i]) ** 2;
  return Math.sqrt(sum / a.length);
}

/** Step 2. 1 at distance 0, falling smoothly to 0 at `radius` and beyond. */
function kernel(d, radius) {
  const ratio = Math.min(d / radius, 1);
  return (1 - ratio * ratio) ** 2;
}

/**
 * Step 3. Kept drawings' features (each a Float32Array of one pen path) and labels -> memory,
 * each drawing weighted by how far it agrees with the kept drawings close to it.
 */
export function keptMemory(rows, labels, { radius }) {
  const weights = labels.map((label, index) => {
    let agree = 1;
    let all = 1;
    rows.forEach((row, other) => {
      if (other === index) return;
      const near = kernel(distance(rows[index], row), radius);
      all += near;
      if (labels[other] === label) agree += near;
    });
    return agree / all;
  });
  return { rows, labels, weights };
}

/**
 * Steps 4-6. The models' probabilities and the drawing's pen-path features -> the adapted
 * probabilities, the kept drawings' share a in [0, 1) and whether they changed the top digit.
 */
export function adapt(probabilities, query, { rows, labels, weights }, { radius, halfStrength }) {
  const model = Float32Array.from(probabilities);
  const votes = new Float64Array(model.length);
  let strength = 0;
  labels.forEach((label, index) => {
    const vote = weights[index] * kernel(distance(query, rows[index]), radius);
    votes[label] += vote;
    strength += vote;
  });
  if (!(strength > 0)) return { probabilities: model, share: 0, changed: false };
  const share = strength / (strength + halfStrength);
  const blended = model.map((p, index) => (1 - share) * p + share * (votes[index] / strength));
  return { probabilities: blended, share, changed: argmax(blended) !== argmax(model) };
}
