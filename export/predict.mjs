// Node half of the export parity check: the real @tensorflow/tfjs loads a graph model from disk
// and predicts on digits that Python wrote. File 2/3 of the parity pipeline: export/check.py
// (1/3) writes the inputs and reads the outputs for export/convert.py, and
// tests/test_export_parity.py / bench/export_parity.py (3/3) compare them with Keras:
//   1. Python writes the inputs as raw little-endian float32 (N, 28, 28, 1) in [0, 1]; N is
//      inferred from the byte length and the model's signature input shape.
//   2. This script loads MODEL_DIR/model.json with its weight shards through tf.io.fromMemory
//      (plain @tensorflow/tfjs, CPU backend: no tfjs-node, no network) and predicts in batches.
//   3. It writes the probabilities as raw float32 (N, 10) to OUTPUTS and prints one JSON line
//      (the last line of stdout) with timings and tf.memory().numTensors before and after,
//      which Python reads to check for leaks.
//
// usage: node export/predict.mjs MODEL_DIR INPUTS.bin OUTPUTS.bin [--batch-size N] [--latency-samples K] [--backend cpu|wasm]
//   --latency-samples K  also time K single-digit predictions (batch 1) for the benchmark
//   --backend            cpu (default: pure JS, what plain @tensorflow/tfjs gives Node) or wasm
//                        (@tensorflow/tfjs-backend-wasm, the backend the page uses)

import { readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { parseArgs } from "node:util";

import * as tf from "@tensorflow/tfjs";

/** Read a whole file into a fresh ArrayBuffer (a Node Buffer may sit inside a shared pool). */
async function readArrayBuffer(filePath) {
  const bytes = await readFile(filePath);
  return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
}

/** MODEL_DIR/model.json plus the shards its weightsManifest names -> a loaded tf.GraphModel. */
async function loadGraphModelFromDir(modelDir) {
  const modelJson = JSON.parse(await readFile(path.join(modelDir, "model.json"), "utf8"));
  const weightSpecs = [];
  const weightData = [];
  for (const group of modelJson.weightsManifest) {
    weightSpecs.push(...group.weights);
    for (const shard of group.paths) {
      weightData.push(await readArrayBuffer(path.join(modelDir, shard)));
    }
  }
  const artifacts = tf.io.getModelArtifactsForJSONSync(modelJson, weightSpecs, weightData);
  return tf.loadGraphModel(tf.io.fromMemory(artifacts));
}

/** The model's single input shape without the batch dimension, e.g. [28, 28, 1]. */
function sampleShape(model) {
  const [input] = model.inputs;
  if (model.inputs.length !== 1 || input.shape.slice(1).some((size) => !(size > 0))) {
    throw new Error(`expected one input of fixed sample shape, got ${JSON.stringify(model.inputs)}`);
  }
  return input.shape.slice(1);
}

/** Predict (N, ...) float32 pixels in batches -> { probabilities: Float32Array, outputShape }. */
function predictAll(model, pixels, shape, batchSize) {
  const sampleSize = shape.reduce((product, size) => product * size, 1);
  const count = pixels.length / sampleSize;
  const chunks = [];
  let classes = 0;
  for (let start = 0; start < count; start += batchSize) {
    const size = Math.min(batchSize, count - start);
    const batch = pixels.subarray(start * sampleSize, (start + size) * sampleSize);
    // tf.tidy frees the input and every intermediate; only the copied-out values survive.
    const values = tf.tidy(() => {
      const output = model.predict(tf.tensor(batch, [size, ...shape], "float32"));
      classes = output.shape[1];
      return output.dataSync();
    });
    chunks.push(values);
  }
  const probabilities = new Float32Array(count * classes);
  chunks.reduce((offset, chunk) => (probabilities.set(chunk, offset), offset + chunk.length), 0);
  return { probabilities, outputShape: [count, classes] };
}

/** Time `samples` batch-1 predictions, each awaited to the host as the page would. */
async function singleDigitLatencies(model, pixels, shape, samples) {
  const sampleSize = shape.reduce((product, size) => product * size, 1);
  const count = Math.min(samples, pixels.length / sampleSize);
  const millis = [];
  for (let index = 0; index < count; index += 1) {
    const digit = pixels.subarray(index * sampleSize, (index + 1) * sampleSize);
    const started = performance.now();
    const output = tf.tidy(() => model.predict(tf.tensor(digit, [1, ...shape], "float32")));
    await output.data();
    output.dispose();
    millis.push(performance.now() - started);
  }
  return millis;
}

async function main() {
  const { positionals, values } = parseArgs({
    allowPositionals: true,
    options: {
      "batch-size": { type: "string", default: "256" },
      "latency-samples": { type: "string", default: "0" },
      backend: { type: "string", default: "cpu" },
    },
  });
  if (positionals.length !== 3) {
    throw new Error("usage: node export/predict.mjs MODEL_DIR INPUTS.bin OUTPUTS.bin [--batch-size N] [--latency-samples K] [--backend cpu|wasm]");
  }
  const [modelDir, inputsPath, outputsPath] = positionals;
  const batchSize = Number(values["batch-size"]);
  const latencySamples = Number(values["latency-samples"]);

  // performance.now() counts from process start: this is Node start-up plus importing TF.js.
  const startupMs = performance.now();
  if (values.backend === "wasm") {
    await import("@tensorflow/tfjs-backend-wasm"); // registers "wasm"; the page's backend (devDependency)
  }
  if (!(await tf.setBackend(values.backend))) {
    throw new Error(`TF.js backend ${values.backend} is not available`);
  }
  await tf.ready();
  const tensorsAtStart = tf.memory().numTensors;
  let started = performance.now();
  const model = await loadGraphModelFromDir(modelDir);
  const loadMs = performance.now() - started;
  const tensorsAfterLoad = tf.memory().numTensors;

  const shape = sampleShape(model);
  const pixels = new Float32Array(await readArrayBuffer(inputsPath));
  const sampleSize = shape.reduce((product, size) => product * size, 1);
  if (pixels.length === 0 || pixels.length % sampleSize !== 0) {
    throw new Error(`${inputsPath}: ${pixels.length} floats is not a whole number of ${JSON.stringify(shape)} samples`);
  }

  // The first predict compiles nothing on the CPU backend but allocates; time it on its own.
  started = performance.now();
  tf.tidy(() => model.predict(tf.zeros([1, ...shape])).dataSync());
  const firstPredictMs = performance.now() - started;

  started = performance.now();
  const { probabilities, outputShape } = predictAll(model, pixels, shape, batchSize);
  const batchedMs = performance.now() - started;
  const latenciesMs = await singleDigitLatencies(model, pixels, shape, latencySamples);
  const tensorsAfterPredict = tf.memory().numTensors;
  await writeFile(outputsPath, Buffer.from(probabilities.buffer));

  model.dispose();
  const report = {
    tfjsVersion: tf.version.tfjs,
    backend: tf.getBackend(),
    inputName: model.inputs[0].name,
    outputName: model.outputs[0].name,
    inputShape: [outputShape[0], ...shape],
    outputShape,
    batchSize,
    startupMs,
    loadMs,
    firstPredictMs,
    batchedMs,
    latenciesMs,
    numTensors: { atStart: tensorsAtStart, afterLoad: tensorsAfterLoad, afterPredict: tensorsAfterPredict, afterDispose: tf.memory().numTensors },
  };
  console.log(JSON.stringify(report));
}

main().catch((error) => {
  console.error(`error: ${error.message}`);
  process.exit(1);
});
