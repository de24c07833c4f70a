/**
 * Model input -> class probabilities with TF.js, leaving no tensors behind.
 *
 * No DOM and no import of TF.js: the `tf` namespace and the loaded model (web/js/model.js) are
 * passed in, so Node tests and benchmarks run exactly this code. Every call builds its
 * tensors inside tf.tidy and disposes the output after reading it, so tf.memory().numTensors
 * stays flat however many predictions are made.
 */

/** The one output tensor of a graph model's predict (Tensor, [Tensor] or {name: Tensor}). */
function singleOutput(output) {
  if (Array.isArray(output)) return output[0];
  if (typeof output.dataSync === 'function') return output;
  return Object.values(output)[0];
}

/**
 * Probabilities for `count` images at once.
 * @param {object} tf             the @tensorflow/tfjs namespace
 * @param {object} model          a tf.GraphModel (or anything with predict)
 * @param {Float32Array} images   count * prod(inputShape) values in [0, 1], row-major
 * @param {number[]} inputShape   one image, e.g. metadata.input.shape = [28, 28, 1]
 * @returns {Promise<Float32Array>}  count * numClasses probabilities
 */
export async function classifyBatch(tf, model, images, inputShape) {
  const imageLength = inputShape.reduce((product, size) => product * size, 1);
  if (images.length === 0 || images.length % imageLength !== 0) {
    throw new Error(`expected a multiple of ${imageLength} values for shape [${inputShape}], got ${images.length}`);
  }
  const count = images.length / imageLength;
  const output = tf.tidy(() => singleOutput(model.predict(tf.tensor(images, [count, ...inputShape], 'float32'))));
  try {
    return await output.data();
  } finally {
    output.dispose();
  }
}

/**
 * Probabilities for one image.
 * @param {object} tf
 * @param {object} model
 * @param {Float32Array} image    prod(inputShape) values in [0, 1] (web/js/preprocess.js)
 * @param {number[]} inputShape
 * @returns {Promise<Float32Array>}  one probability per class
 */
export function classify(tf, model, image, inputShape) {
  return classifyBatch(tf, model, image, inputShape);
}

/**
 * Index of the largest value.
 * @param {ArrayLike<number>} values
 */
export function argmax(values) {
  let best = 0;
  for (let index = 1; index < values.length; index++) if (values[index] > values[best]) best = index;
  return best;
}
