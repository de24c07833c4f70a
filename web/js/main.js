/**
 * Wiring only: metadata + model (model.js) -> drawing canvas (canvas.js) -> preprocess
 * (preprocess.js) -> classify (classify.js) -> page (ui.js).
 *
 * TF.js is the global `tf` from the pinned npm build (vendor/tfjs/tf.es2017.min.js plus the wasm
 * backend, loaded by index.html before this module). URL options, for tests and benchmarks:
 *   ?backend=wasm|cpu|webgl   TF.js backend (default: wasm, measured fastest by bench/web.py)
 *   ?variant=float32|uint8    model weights (default: metadata.default_variant)
 *   ?model=URL                model folder (default: model/ beside the page)
 */
import { blockActivations, classify, classifyBatch } from './classify.js';
import { createDrawingCanvas } from './canvas.js';
import { EXPORT_COMMAND, loadActivationModel, loadMetadata, loadModel, ModelLoadError } from './model.js';
import { isBlank, preprocessCanvas } from './preprocess.js';
import * as ui from './ui.js';

// wasm (XNNPACK, SIMD) predicts this CNN several times faster than cpu; headless or GPU-less
// browsers have no real WebGL. Falls back to cpu when WebAssembly is unavailable.
const DEFAULT_BACKEND = 'wasm';
const FALLBACK_BACKEND = 'cpu';
// While a stroke is in progress, predict at most this often (ms); always again at stroke end.
const LIVE_PREDICTION_INTERVAL_MS = 100;

const options = new URL(location.href).searchParams;
const modelBaseUrl = new URL(options.get('model') || 'model/', document.baseURI);

/** Pick and initialise a TF.js backend; returns the one that is running. */
async function startBackend(tf, wanted) {
  if (wanted === 'wasm' && tf.wasm) tf.wasm.setWasmPaths(new URL('../vendor/tfjs-backend-wasm/', import.meta.url).href);
  try {
    if (await tf.setBackend(wanted)) return tf.getBackend();
  } catch (error) {
    console.warn(`TF.js backend ${wanted} failed to start, using ${FALLBACK_BACKEND}:`, error);
  }
  await tf.setBackend(FALLBACK_BACKEND);
  return tf.getBackend();
}

async function start() {
  const tf = globalThis.tf;
  if (!tf) throw new Error('TensorFlow.js did not load (vendor/tfjs/tf.es2017.min.js): serve the page with `npm start`');
  const metadata = await loadMetadata(modelBaseUrl);
  const backend = await startBackend(tf, options.get('backend') || DEFAULT_BACKEND);
  const { model, variantName, variant } = await loadModel(tf, modelBaseUrl, metadata, options.get('variant') || undefined);
  const { preprocess, input, output } = metadata;
  // One throwaway prediction compiles the kernels, so the first real stroke is fast.
  await classify(tf, model, new Float32Array(preprocess.image_size * preprocess.image_size), input.shape);

  // "Look inside": the activation model loads the first time the section is opened, never before,
  // so cold load and prediction cost nothing extra for people who don't look.
  let activationModel = null; // Promise<GraphModel|null> once requested
  let lastImage = null; // the last non-blank model input, redrawn when the section opens
  function getActivationModel() {
    activationModel ??= loadActivationModel(tf, modelBaseUrl, metadata);
    return activationModel;
  }
  async function showActivations(image) {
    if (!ui.activationsOpen()) return;
    if (!image) {
      ui.setActivationsState('idle', 'Draw a digit to see the activation maps.');
      return;
    }
    try {
      if (!activationModel) ui.setActivationsState('loading', 'Loading the activation model…');
      const model = await getActivationModel();
      if (!model) {
        ui.setActivationsState('error', `This export has no activation model: run \`${EXPORT_COMMAND}\`.`);
        return;
      }
      const blocks = await blockActivations(tf, model, image, input.shape, metadata.activations.outputs);
      if (image !== lastImage) return; // a newer drawing is on its way
      ui.showActivations(blocks);
      ui.setActivationsState('ready', '');
    } catch (error) {
      console.error(error);
      ui.setActivationsState('error', `Could not compute the activations: ${error.message}`);
    }
  }
  ui.onActivationsOpened(() => showActivations(lastImage));

  let pending = false; // a prediction is running
  let again = false; // another was asked for meanwhile
  let lastLive = 0;
  async function predict() {
    if (pending) {
      again = true;
      return;
    }
    pending = true;
    try {
      const { data, width, height } = drawing.readPixels();
      const image = preprocessCanvas(data, width, height, preprocess);
      if (isBlank(image)) {
        ui.clearPrediction();
        lastImage = null;
        showActivations(null);
      } else {
        lastImage = image;
        const probabilities = await classify(tf, model, image, input.shape);
        ui.showPrediction({ probabilities, labels: output.labels, unsureBelow: preprocess.unsure_below, image, imageSize: preprocess.image_size });
        showActivations(image); // not awaited: the prediction is already on screen
      }
    } finally {
      pending = false;
    }
    if (again) {
      again = false;
      await predict();
    }
  }

  const drawing = createDrawingCanvas(ui.drawCanvasElement(), {
    size: preprocess.canvas_size,
    strokeWidth: preprocess.stroke_width,
    onStrokeMove() {
      ui.setCanvasEmpty(false);
      const now = performance.now();
      if (now - lastLive >= LIVE_PREDICTION_INTERVAL_MS && !pending) {
        lastLive = now;
        predict();
      }
    },
    onStrokeEnd: () => predict(),
  });
  ui.setupStrokeWidth(preprocess.stroke_width_range, preprocess.stroke_width, (width) => drawing.setStrokeWidth(width));
  ui.buildBars(output.labels);
  ui.onClearRequested(() => {
    drawing.clear();
    ui.setCanvasEmpty(true);
    ui.clearPrediction();
    lastImage = null;
    showActivations(null);
  });
  ui.showModelInfo({ testAccuracy: metadata.test_accuracy, variant: variantName, bytes: variant.bytes, backend, tfVersion: tf.version.tfjs });

  // For tests and benchmarks (tests/test_web.py, bench/web.py): the same loaded model and the
  // same functions the page uses, nothing else.
  globalThis.mnistDemo = {
    metadata,
    backend,
    variant: variantName,
    tf,
    preprocess: (rgba, width, height) => preprocessCanvas(rgba, width, height, preprocess),
    classifyBatch: (images) => classifyBatch(tf, model, images, input.shape),
    predictCanvas: predict,
    // (1, 28, 28, 1) image -> {block1: {shape, raw, maps}, block2: ...}; loads the activation model.
    blockActivations: async (image) => blockActivations(tf, await getActivationModel(), image, input.shape, metadata.activations.outputs),
  };
  ui.setStatus('ready', 'Ready: draw a digit.');
  performance.mark('mnist-ready'); // bench/web.py reads the cold-load time from this
}

start().catch((error) => {
  console.error(error);
  const message = error instanceof ModelLoadError ? error.message : `${error.message}. If the model is missing, run \`${EXPORT_COMMAND}\`.`;
  ui.setStatus('error', `Could not start: ${message}`);
});
