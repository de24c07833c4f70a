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

/**
 * Block activations for one image, raw and normalised for display.
 *
 * Only the graph runs in TF.js; the per-channel scaling is plain JavaScript, so the page's
 * lean TF.js build (web/js/tf.js) needs no kernels beyond the exported graph's own.
 * @param {object} tf
 * @param {object} model          the activation graph model (model.js loadActivationModel)
 * @param {Float32Array} image    prod(inputShape) values in [0, 1]
 * @param {number[]} inputShape
 * @param {object} outputs        metadata.activations.outputs: {block1: {name, shape: [H, W, C]}, ...}
 * @returns {Promise<Object<string, {shape: number[], raw: Float32Array, maps: Float32Array}>>}
 *   per block: raw H*W*C values (row-major, as TF returns them) and `maps`, C*H*W values with
 *   each channel scaled to [0, 1] on its own (min -> 0, max -> 1, a constant map -> 0).
 */
export async function blockActivations(tf, model, image, inputShape, outputs) {
  const names = Object.keys(outputs);
  const tensors = tf.tidy(() => {
    const results = model.execute(
      tf.tensor(image, [1, ...inputShape], 'float32'),
      names.map((name) => outputs[name].name),
    );
    return Array.isArray(results) ? results : [results];
  });
  try {
    const values = await Promise.all(tensors.map((tensor) => tensor.data()));
    return Object.fromEntries(
      names.map((name, index) => [
        name,
        { shape: outputs[name].shape, raw: values[index], maps: channelMaps(values[index], outputs[name].shape) },
      ]),
    );
  } finally {
    tensors.forEach((tensor) => tensor.dispose());
  }
}

/**
 * H*W*C channel-last values -> C*H*W channel-first maps, each channel scaled to [0, 1].
 * @param {Float32Array} raw
 * @param {number[]} shape  [H, W, C]
 * @returns {Float32Array}
 */
export function channelMaps(raw, [height, width, channels]) {
  const pixels = height * width;
  const maps = new Float32Array(pixels * channels);
  for (let channel = 0; channel < channels; channel++) {
    let low = Infinity;
    let high = -Infinity;
    for (let pixel = 0; pixel < pixels; pixel++) {
      const value = raw[pixel * channels + channel];
      if (value < low) low = value;
      if (value > high) high = value;
    }
    const span = Math.max(high - low, 1e-12); // constant map: 0 / tiny = 0
    for (let pixel = 0; pixel < pixels; pixel++) {
      maps[channel * pixels + pixel] = (raw[pixel * channels + channel] - low) / span;
    }
  }
  return maps;
}
