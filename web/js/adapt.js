/**
 * Learn at once from the person's kept drawings: a vote of their nearest pen paths, blended into
 * the models' answer. Twin of mnist_draw/adapt.py (the steps and the reasons are written there),
 * held to it by tests/golden/adapt.json; the numbers are web/js/adaptParams.js, generated from
 * mnist_draw/config.py. Pure: features in (web/js/penPath.js), probabilities out.
 */

import { argmax } from './classify.js';

const NUM_CLASSES = 10;

/** Step 1. Root mean square difference of two feature rows, `b` at `offset` in its array. */
function distance(a, b, offset) {
  let sum = 0;
  for (let i = 0; i < a.length; i++) {
    const d = a[i] - b[offset + i];
    sum += d * d;
  }
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
export function keptMemory(featureRows, labels, { radius }) {
  const count = labels.length;
  const width = count ? featureRows[0].length : 0;
  const features = new Float64Array(count * width);
  featureRows.forEach((row, index) => features.set(row, index * width));
  const weights = Array.from(labels, (label, index) => {
    let agree = 1;
    let all = 1;
    for (let other = 0; other < count; other++) {
      if (other === index) continue;
      const near = kernel(distance(featureRows[index], features, other * width), radius);
      all += near;
      if (labels[other] === label) agree += near;
    }
    return agree / all;
  });
  return { features, labels: Array.from(labels), weights };
}

/**
 * Steps 4-6. The models' probabilities and the drawing's pen-path features -> the adapted
 * probabilities, the kept drawings' share a in [0, 1) and whether they changed the top digit.
 */
export function adapt(probabilities, query, memory, { radius, halfStrength }) {
  const votes = new Float64Array(NUM_CLASSES);
  memory.labels.forEach((label, index) => {
    votes[label] += memory.weights[index] * kernel(distance(query, memory.features, index * query.length), radius);
  });
  let strength = 0;
  for (const vote of votes) strength += vote;
  const model = Float32Array.from(probabilities);
  if (!(strength > 0)) return { probabilities: model, share: 0, changed: false };
  const share = strength / (strength + halfStrength);
  const blended = Float32Array.from(model, (p, index) => (1 - share) * p + share * (votes[index] / strength));
  return { probabilities: blended, share, changed: argmax(blended) !== argmax(model) };
}
