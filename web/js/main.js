/**
 * Wiring only: metadata + models (model.js) -> drawing canvas (canvas.js) -> preprocess
 * (preprocess.js) and pen path (penPath.js) -> classify (classify.js) -> one answer
 * (readDigits.js: fusion.js's "not a digit" split and fusion, the kept drawings' vote) -> page.
 * The image model reads the picture; the stroke model, when the export has one (metadata.stroke),
 * reads the pen path the canvas recorded, and the page shows their fusion.
 * Every write to the page but the canvas's own is in one module per part of it: status.js (status
 * line, footer), canvasControls.js (pen width, Clear), prediction.js (the read-out), lookInside.js
 * (activation maps), teach.js (which digit was meant), yourDrawings.js (the kept drawings).
 * From metadata.json, `preprocess` is the model-input recipe handed to preprocess.js as is;
 * `page` holds the page's own settings (canvas size, pen width and its range, the "not sure"
 * threshold). Once ready, the service worker (web/sw.js, registered by offline.js) keeps the
 * page and the model for offline visits.
 *
 * Number mode (?mode=number, or its button): a canvas three times as wide, read as a number
 * digit by digit (numberRead.js) and shown by numberMode.js; a person picks one digit, says which
 * digit it is and keeps it, as a drawing of its own strokes.
 *
 * Teach it: after a prediction the person says which digit they meant; the canvas's strokes
 * (canvas.js) become a stroke-file record (strokes.js) kept in this browser (drawings.js) and
 * listed under "Your drawings", which works even when the model does not load. The kept
 * drawings' pen paths vote on every later answer at once (adapt.js, createLearner) unless the
 * switch under "Your drawings" is off.
 *
 * TF.js is the lean build in tf.js (bundled with this module by web/build.mjs). URL options,
 * for tests and benchmarks:
 *   ?backend=wasm|cpu         TF.js backend (default: wasm, measured fastest by bench/web.py);
 *                             wasm falls back to cpu without WebAssembly SIMD, and any other
 *                             name (webgl is not in the build) falls back to cpu with a warning
 *   ?variant=float32|uint8    model weights (default: metadata.default_variant)
 *   ?model=URL                model folder (default: model/ beside the page)
 */
import { adapt, keptMemory } from './adapt.js';
import { ADAPT_PARAMS } from './adaptParams.js';
import { argmax, blockActivations, classify, classifyBatch } from './classify.js';
import { createDrawingCanvas } from './canvas.js';
import {
  drawCanvasElement,
  onClearRequested,
  setCanvasEmpty,
  setupStrokeWidth,
  showCanvasNote,
} from './canvasControls.js';
import { openDrawings } from './drawings.js';
import { fuse, fuseReading, splitNotADigit } from './fusion.js';
import { activationsOpen, onActivationsOpened, setActivationsState, showActivations } from './lookInside.js';
import {
  EXPORT_COMMAND,
  loadActivationModel,
  loadMetadata,
  loadModel,
  loadStrokeModel,
  ModelLoadError,
} from './model.js';
import { addressMode, onGroupPicked, onModeChosen, showMode, showNumber, showPicked } from './numberMode.js';
import { readNumber } from './numberRead.js';
import { registerServiceWorker } from './offline.js';
import { penPathFeatures } from './penPath.js';
import { buildBars, clearPrediction, showParts, showPrediction } from './prediction.js';
import { isBlank, preprocessCanvas } from './preprocess.js';
import { readDigits } from './readDigits.js';
import { DRAWING_LIMITS } from './limits.js';
import { setStatus, showModelInfo } from './status.js';
import { checkRecord, drawingRecord, isoSeconds, strokeFileText } from './strokes.js';
import { buildDigitChoices, offerTeach, onKeepRequested, showTeachNote, withdrawTeach } from './teach.js';
import { tf, wasmSimdSupported } from './tf.js';
import {
  addDrawing,
  drawingsKept,
  onDeleteAllDrawings,
  onDeleteDrawing,
  onAdaptSwitch,
  onDownloadDrawings,
  removeDrawing,
  saveFile,
  setDrawingsUnavailable,
  showAdapted,
  showDrawings,
  showDrawingsProblem,
} from './yourDrawings.js';

// wasm (XNNPACK, SIMD) predicts this CNN several times faster than cpu. Falls back to cpu when
// WebAssembly SIMD is unavailable, since the build ships only the SIMD binary.
const DEFAULT_BACKEND = 'wasm';
const FALLBACK_BACKEND = 'cpu';
// Where web/build.mjs puts the wasm binary, beside the bundle.
const WASM_DIR = new URL('wasm/', import.meta.url).href;
// While a stroke is in progress, predict at most this often (ms); always again at stroke end.
const LIVE_PREDICTION_INTERVAL_MS = 100;
// Number mode's canvas is this many times as wide as it is high (digit mode's is square).
const NUMBER_CANVAS_ASPECT = 3;

const options = new URL(location.href).searchParams;
const modelBaseUrl = new URL(options.get('model') || 'model/', document.baseURI);
let mode = addressMode(); // "digit" or "number"
showMode(mode); // the layout at once, before the models load

/** Pick and initialise a TF.js backend; returns the one that is running. */
async function startBackend(wanted) {
  if (wanted === 'wasm' && !(await wasmSimdSupported())) {
    console.warn(`WebAssembly SIMD is not available, using the ${FALLBACK_BACKEND} backend`);
    wanted = FALLBACK_BACKEND;
  }
  if (wanted === 'wasm') tf.setWasmPaths(WASM_DIR);
  try {
    if (await tf.setBackend(wanted)) return tf.getBackend();
  } catch (error) {
    console.warn(`TF.js backend ${wanted} failed to start, using ${FALLBACK_BACKEND}:`, error);
  }
  await tf.setBackend(FALLBACK_BACKEND);
  return tf.getBackend();
}

/**
 * metadata.json, a running backend and the chosen model variant (and the stroke model, if the
 * export has one), warmed up. The backend starts (wasm: fetch and compile the binary) while
 * metadata.json and the models download.
 */
async function createClassifier() {
  const backendReady = startBackend(options.get('backend') || DEFAULT_BACKEND);
  backendReady.catch(() => {}); // a failure is reported where it is awaited, in loadModel
  const metadata = await loadMetadata(modelBaseUrl);
  const [{ model, variantName, variant, version }, strokeModel] = await Promise.all([
    loadModel(tf, modelBaseUrl, metadata, { variantName: options.get('variant') || undefined, backendReady }),
    loadStrokeModel(tf, modelBaseUrl, metadata, { backendReady }),
  ]);
  const backend = await backendReady;
  performance.mark('mnist-model-loaded'); // bench/web.py: how the time to ready splits
  const { image_size: imageSize } = metadata.preprocess;
  // One throwaway prediction each compiles the kernels, so the first real stroke is fast.
  await classify(tf, model, new Float32Array(imageSize * imageSize), metadata.input.shape);
  if (strokeModel)
    await classify(tf, strokeModel, penPathFeatures([[[0, 0]]], metadata.stroke.pen_path), metadata.stroke.input.shape);
  return { metadata, backend, model, strokeModel, variantName, variant, version };
}

/**
 * The pen path of `strokes` (canvas pixels) and the stroke model's reading of it ->
 * {features, probabilities}, or null when there is no stroke model or nothing drawn.
 */
async function readPenPath(tf, strokeModel, metadata, strokes) {
  if (!strokeModel || !strokes.some((stroke) => stroke.length)) return null;
  const features = penPathFeatures(strokes, metadata.stroke.pen_path);
  return { features, probabilities: await classify(tf, strokeModel, features, metadata.stroke.input.shape) };
}

/**
 * Learns at once from the kept drawings (adapt.js): while the switch is on, their pen paths vote
 * on every answer. `learn` takes the readable kept records whenever they change (even before the
 * models load); `start` the stroke model's pen-path parameters (none: nothing to learn with).
 */
function createLearner() {
  let records = [];
  let penPath = null;
  let memory = null;
  let on = true;
  const rebuild = () => {
    if (penPath) {
      const features = records.map((record) => penPathFeatures(record.strokes, penPath));
      memory = keptMemory(
        features,
        records.map((record) => record.label),
        ADAPT_PARAMS,
      );
    }
  };
  return {
    learn: (kept) => rebuild((records = kept)),
    start: (params) => rebuild((penPath = params)),
    use: (value) => (on = value),
    learned: () => memory?.labels.length ?? 0,
    /** The fused probabilities and the drawing's pen path -> {probabilities, changed}. */
    apply: (probabilities, features) =>
      on && memory && features
        ? adapt(probabilities, features, memory, ADAPT_PARAMS)
        : { probabilities, changed: false },
  };
}

/** The top class of `probabilities` as {digit, confidence}. */
function topOf(probabilities, labels) {
  const best = argmax(probabilities);
  return { digit: labels[best], confidence: probabilities[best] };
}

/**
 * "Look inside": the activation model loads the first time the section is opened, never before,
 * so cold load and prediction cost nothing extra for people who don't look.
 */
function setupLookInside(tf, metadata) {
  const { input, activations } = metadata;
  let activationModel = null; // Promise<GraphModel|null> once requested
  let lastImage = null; // the last non-blank model input, redrawn when the section opens
  function getActivationModel() {
    activationModel ??= loadActivationModel(tf, modelBaseUrl, metadata);
    return activationModel;
  }
  async function show(image) {
    if (!activationsOpen()) return;
    if (!image) {
      setActivationsState('idle', 'Draw a digit to see the activation maps.');
      return;
    }
    try {
      if (!activationModel) setActivationsState('loading', 'Loading the activation model…');
      const model = await getActivationModel();
      if (!model) {
        setActivationsState('error', `This export has no activation model: run \`${EXPORT_COMMAND}\`.`);
        return;
      }
      const blocks = await blockActivations(tf, model, image, input.shape, activations.outputs);
      if (image !== lastImage) return; // a newer drawing is on its way
      showActivations(blocks);
      setActivationsState('ready', '');
    } catch (error) {
      console.error(error);
      setActivationsState('error', `Could not compute the activations: ${error.message}`);
    }
  }
  onActivationsOpened(() => show(lastImage));
  return {
    /** Remember the latest model input (null: blank) before showing it. */
    setImage: (image) => (lastImage = image),
    show,
    blockActivations: async (image) =>
      blockActivations(tf, await getActivationModel(), image, input.shape, activations.outputs),
  };
}

/** A blank canvas on the page: no prediction, nothing to teach, no activation maps. */
function showNothingDrawn(lookInside) {
  clearPrediction();
  showAdapted(false);
  withdrawTeach();
  lookInside.setImage(null);
  lookInside.show(null);
}

/**
 * Canvas pixels (the rectangle that holds ink) -> preprocess -> classify, and the canvas's
 * strokes -> pen path -> stroke model, fused -> page. One prediction runs at a time; a request
 * made meanwhile runs once more after it, on the pixels of that moment. `discard()` drops a
 * prediction still running (the canvas was just cleared under it).
 */
function createPredictor(tf, models, metadata, { readInk, readStrokes, penWidth }, lookInside, learner, number) {
  const { model, strokeModel } = models;
  const { preprocess, page, input, output } = metadata;
  let pending = false; // a prediction is running
  let again = false; // another was asked for meanwhile
  let generation = 0; // bumped by discard(); a prediction of an older generation is not shown
  async function predictOnce() {
    const started = generation;
    if (mode === 'number') {
      const groups = await readNumber(tf, models, metadata, readStrokes(), penWidth(), learner.apply);
      if (started === generation) number.show(groups);
      return;
    }
    const ink = readInk();
    const image = ink && preprocessCanvas(ink.data, ink.width, ink.height, preprocess);
    if (!image || isBlank(image)) {
      showNothingDrawn(lookInside);
      return;
    }
    lookInside.setImage(image);
    const fromImage = await classify(tf, model, image, input.shape);
    const penPath = await readPenPath(tf, strokeModel, metadata, readStrokes());
    if (started !== generation) return;
    const fusion = metadata.stroke?.fusion;
    const [answer] = readDigits(fromImage, penPath?.probabilities, [penPath?.features], fusion, learner.apply);
    showAdapted(answer.changed);
    showParts(
      penPath && {
        image: topOf(splitNotADigit(fromImage).digits, output.labels), // the picture's ten digits
        stroke: topOf(splitNotADigit(penPath.probabilities).digits, output.labels),
        strokeWeight: fusion.stroke_weight,
      },
    );
    const top = showPrediction({
      probabilities: answer.probabilities,
      labels: output.labels,
      unsureBelow: page.unsure_below,
      image,
      imageSize: preprocess.image_size,
      notADigit: answer.notADigit ? answer.confidence : null,
    });
    offerTeach(top);
    lookInside.show(image); // not awaited: the prediction is already on screen
  }
  async function predict() {
    if (pending) {
      again = true;
      return;
    }
    pending = true;
    try {
      await predictOnce();
    } finally {
      pending = false;
    }
    if (again) {
      again = false;
      await predict();
    }
  }
  return { predict, busy: () => pending, discard: () => generation++ };
}

/**
 * Number mode's read-out and the group picked to correct, known by its key (which strokes it
 * holds): a re-read keeps the pick while that group stays as it was, and drops it otherwise.
 */
function createNumberView(page, penWidth) {
  let groups = [];
  let pickedKey = null;
  const picked = () => groups.findIndex((group) => group.key === pickedKey);
  const view = {
    /** @param {import('./numberRead.js').GroupAnswer[]} next  the groups read, left to right */
    show(next) {
      groups = next;
      if (pickedKey !== null && picked() < 0) view.unpick();
      const size = [page.canvas_size * NUMBER_CANVAS_ASPECT, page.canvas_size];
      showNumber(groups, picked(), size, penWidth() / 2); // the boxes hold the ink, not only the points
    },
    /** Ask which digit the group at `index` is, starting from its best digit. */
    pick(index) {
      pickedKey = groups[index].key;
      withdrawTeach(); // a digit chosen for another group is not carried over
      offerTeach(groups[index].top);
      showPicked(index);
    },
    unpick() {
      pickedKey = null;
      withdrawTeach();
      showPicked(-1);
    },
    picked: () => groups[picked()],
  };
  onGroupPicked(view.pick);
  return view;
}

/**
 * A group's strokes as a drawing of its own: moved (by whole pixels, points kept to 1/100) so
 * that their box is centred on a square as big as digit mode's canvas (or the group, if larger).
 * @returns {{strokes: number[][][], side: number}}
 */
function groupDrawing({ strokes, box: [x0, y0, x1, y1] }, canvasSize) {
  const side = Math.ceil(Math.max(canvasSize, x1 - x0, y1 - y0));
  const [dx, dy] = [Math.round((side - x0 - x1) / 2), Math.round((side - y0 - y1) / 2)];
  const move = (value, by) => Math.round((value + by) * 100) / 100;
  return { side, strokes: strokes.map((stroke) => stroke.map(([x, y]) => [move(x, dx), move(y, dy)])) };
}

/** The drawing canvas and its pen-width slider: live predictions while drawing, one at stroke end. */
function setupDrawing(page, predictor) {
  let lastLive = 0;
  let penWidth = page.stroke_width;
  const drawing = createDrawingCanvas(drawCanvasElement(), {
    size: page.canvas_size,
    strokeWidth: page.stroke_width,
    limits: DRAWING_LIMITS,
    onLimit: showCanvasNote,
    onStrokeMove() {
      setCanvasEmpty(false);
      const now = performance.now();
      if (now - lastLive >= LIVE_PREDICTION_INTERVAL_MS && !predictor.busy()) {
        lastLive = now;
        predictor.predict();
      }
    },
    onStrokeEnd: () => predictor.predict(),
  });
  setupStrokeWidth(page.stroke_width_range, page.stroke_width, (width) => drawing.setStrokeWidth((penWidth = width)));
  return { ...drawing, penWidth: () => penWidth };
}

/** The mode buttons: a switch resizes the canvas (square, or NUMBER_CANVAS_ASPECT wide) and clears it. */
function setupModes(drawing, size, clearDrawing) {
  const use = (next) => {
    showMode((mode = next));
    drawing.resize(mode === 'number' ? size * NUMBER_CANVAS_ASPECT : size, size);
    clearDrawing();
  };
  onModeChosen((next) => next !== mode && use(next));
  use(mode);
}

/**
 * The Clear button (and its keys): empty canvas, no prediction, no activation maps.
 * Returns that clearing, which keeping a drawing does too.
 */
function setupClear(drawing, predictor, lookInside, number) {
  function clearDrawing() {
    drawing.clear();
    showCanvasNote('');
    predictor.discard();
    setCanvasEmpty(true);
    showNothingDrawn(lookInside);
    number.show([]);
  }
  onClearRequested(clearDrawing);
  return clearDrawing;
}

/**
 * The stored records split by web/js/strokes.js checkRecord (the rules of the Python reader):
 * a record that fails is set aside, never shown, never downloaded, and logged once.
 * @returns {{readable: object[], unreadable: number}}
 */
function checkedRecords(records) {
  const readable = [];
  for (const record of records) {
    try {
      checkRecord(record, DRAWING_LIMITS);
      readable.push(record);
    } catch (error) {
      console.warn(`a kept drawing (id ${record?.id}) could not be read: ${error.message}`);
    }
  }
  return { readable, unreadable: records.length - readable.length };
}

/**
 * "Your drawings": count, thumbnails, delete one, delete all, download as one stroke file.
 * Resolves to {store, refresh}, or null when this browser keeps nothing (the section says so).
 * Nothing here can stop the page: a failure is one line in the section.
 * @param {Promise<import('./drawings.js').DrawingStore>} storeReady
 */
async function setupYourDrawings(storeReady, onKeptChanged) {
  let store;
  try {
    store = await storeReady;
  } catch (error) {
    console.warn(error);
    setDrawingsUnavailable('This browser does not let the page keep drawings (private mode or blocked site data).');
    return null;
  }
  const refresh = async () => {
    const { readable, unreadable } = checkedRecords(await store.list());
    showDrawings(readable, unreadable);
    onKeptChanged(readable);
  };
  // After one drawing is kept or deleted: the thumbnails change one by one, what is learned from all.
  const changed = async () => onKeptChanged(checkedRecords(await store.list()).readable);
  // A failed IndexedDB call is logged and said in one line; the page goes on.
  const guarded = (action) => async (argument) => {
    try {
      await action(argument);
    } catch (error) {
      console.error(error);
      showDrawingsProblem(`Could not update your drawings: ${error.message}`);
    }
  };
  onDeleteDrawing(
    guarded(async (id) => {
      await store.remove(id);
      removeDrawing(id);
      await changed();
    }),
  );
  onDeleteAllDrawings(
    guarded(async () => {
      await store.clear();
      showDrawings([], 0);
      onKeptChanged([]);
    }),
  );
  onDownloadDrawings(
    guarded(async () => {
      const { readable } = checkedRecords(await store.list());
      if (!readable.length) return;
      const stamp = isoSeconds(new Date()).replace(/[-:]/g, '');
      saveFile(`mnist-draw-drawings-${stamp}.json`, strokeFileText(readable));
    }),
  );
  await guarded(refresh)();
  return { store, refresh, changed };
}

/**
 * "Which digit did you mean?": keeping a drawing puts its strokes, labelled with the digit
 * meant, into the store, adds its thumbnail, and clears the canvas for the next one. In number
 * mode it keeps the group picked (groupDrawing), and the number is read again, with it. Shown
 * only where the browser can keep drawings; at most DRAWING_LIMITS.maxDigitsPerFile, so the
 * download always stays one readable stroke file.
 * @param {Promise<{store, refresh}|null>} drawingsReady  from setupYourDrawings
 */
async function setupTeach(drawing, page, labels, drawingsReady, clearDrawing, number, predictor) {
  const drawings = await drawingsReady;
  if (!drawings) return;
  buildDigitChoices(labels);
  withdrawTeach();
  onKeepRequested(async (digit) => {
    const group = mode === 'number' ? number.picked() : null;
    if (group === undefined) return; // number mode keeps only a group picked
    const { strokes, side } = group ? groupDrawing(group, page.canvas_size) : { strokes: drawing.strokes() };
    if (!strokes.length) return;
    const { shown, unreadable } = drawingsKept();
    if (shown + unreadable >= DRAWING_LIMITS.maxDigitsPerFile) {
      showTeachNote(
        `You keep ${shown + unreadable} drawings, the most one download may hold: download them and delete some to keep more.`,
        'error',
      );
      return;
    }
    let record;
    try {
      const width = side ?? page.canvas_size;
      record = drawingRecord({ label: digit, strokes, width, height: width });
      checkRecord(record, DRAWING_LIMITS); // the canvas holds to the bound; this makes sure of it
      record = { ...record, id: await drawings.store.add(record) };
    } catch (error) {
      console.error(error);
      showTeachNote(`Could not keep it: ${error.message}`, 'error');
      return;
    }
    if (group) number.unpick();
    else clearDrawing();
    addDrawing(record);
    await drawings.changed();
    showTeachNote(`Kept as a ${labels[digit]} (${drawingsKept().shown} in this browser). Draw the next one.`);
    if (group) predictor.predict(); // the number again, now learning from it too
  });
}

/**
 * For tests and benchmarks (tests/test_web.py, bench/web.py): the same loaded model and the
 * same functions the page uses, nothing else.
 */
function exposeForTests({
  tf,
  metadata,
  backend,
  variantName,
  version,
  models,
  predictor,
  drawing,
  lookInside,
  learner,
}) {
  const { preprocess, input } = metadata;
  const { model, strokeModel } = models;
  globalThis.mnistDemo = {
    metadata,
    backend,
    variant: variantName,
    modelVersion: version, // the export's version (model.js modelVersion), also the model's cache key
    tf,
    preprocess: (rgba, width, height) => preprocessCanvas(rgba, width, height, preprocess),
    classifyBatch: (images) => classifyBatch(tf, model, images, input.shape),
    // Digits' strokes -> the stroke model's probabilities, concatenated (null without a stroke model).
    classifyStrokesBatch: async (digits) =>
      strokeModel &&
      classifyBatch(
        tf,
        strokeModel,
        Float32Array.from(digits.flatMap((strokes) => Array.from(penPathFeatures(strokes, metadata.stroke.pen_path)))),
        metadata.stroke.input.shape,
      ),
    fuse: (stroke, image) => fuse(stroke, image, metadata.stroke.fusion.stroke_weight),
    // Each model's 10 or 11 probabilities (stroke null: no pen path) -> {digits, notADigit}, as the page reads a digit.
    fuseReading: (stroke, image) => fuseReading(stroke, image, metadata.stroke?.fusion.stroke_weight),
    predictCanvas: predictor.predict,
    // True while a prediction runs or another waits for it; a stroke's end asks for one at once,
    // so once this is false after the last stroke the page shows its answer to the whole drawing.
    predicting: predictor.busy,
    readInk: () => drawing.readInk(), // what predictCanvas reads: {data, left, top, width, height} or null
    // (1, 28, 28, 1) image -> {block1: {shape, raw, maps}, block2: ...}; loads the activation model.
    blockActivations: lookInside.blockActivations,
    keptLearned: learner.learned, // how many kept drawings the answers learn from now
  };
}

async function start(drawingsReady, learner) {
  const { metadata, backend, model, strokeModel, variantName, variant, version } = await createClassifier();
  learner.start(strokeModel ? metadata.stroke.pen_path : null);
  const lookInside = setupLookInside(tf, metadata);
  // The predictor reads the canvas only on strokes, which the canvas made just below sends.
  const models = { model, strokeModel };
  const canvasReaders = {
    readInk: () => drawing.readInk(),
    readStrokes: () => drawing.strokes(),
    penWidth: () => drawing.penWidth(),
  };
  const number = createNumberView(metadata.page, canvasReaders.penWidth);
  const predictor = createPredictor(tf, models, metadata, canvasReaders, lookInside, learner, number);
  const drawing = setupDrawing(metadata.page, predictor);
  buildBars(metadata.output.labels);
  const clearDrawing = setupClear(drawing, predictor, lookInside, number);
  setupModes(drawing, metadata.page.canvas_size, clearDrawing);
  onAdaptSwitch((on) => {
    learner.use(on);
    predictor.predict(); // the drawing on the canvas, read again the other way
  });
  await setupTeach(drawing, metadata.page, metadata.output.labels, drawingsReady, clearDrawing, number, predictor);
  showModelInfo({
    testAccuracy: metadata.test_accuracy,
    variant: variantName,
    bytes: variant.bytes,
    backend,
    tfVersion: tf.version.tfjs,
  });
  exposeForTests({ tf, metadata, backend, variantName, version, models, predictor, drawing, lookInside, learner });
  setStatus('ready', 'Ready: draw a digit.');
  performance.mark('mnist-ready'); // bench/web.py reads the cold-load time from this
  registerServiceWorker(); // after ready, so its precaching never slows the first visit
}

// Drawings already kept stay reachable (and downloadable) even when the model cannot load.
const learner = createLearner();
const drawingsReady = setupYourDrawings(openDrawings(), learner.learn);
start(drawingsReady, learner).catch((error) => {
  console.error(error);
  const message =
    error instanceof ModelLoadError
      ? error.message
      : `${error.message}. If the model is missing, run \`${EXPORT_COMMAND}\`.`;
  setStatus('error', `Could not start: ${message}`);
});
