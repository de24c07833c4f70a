/**
 * Every DOM lookup and write of the page except the drawing canvas (web/js/canvas.js).
 *
 * Small verbs for web/js/main.js: set the status, configure the pen control, show or clear a
 * prediction, show the model facts. Selectors here are the page's test contract
 * (data-testid = draw-canvas, clear, prediction, status, stroke-width); tests/test_web.py and
 * outside tools rely on them.
 */

const byTestId = (id) => document.querySelector(`[data-testid="${id}"]`);

const elements = {
  status: byTestId('status'),
  statusText: document.querySelector('.status-text'),
  canvas: byTestId('draw-canvas'),
  canvasFrame: document.querySelector('.canvas-frame'),
  clear: byTestId('clear'),
  strokeWidth: byTestId('stroke-width'),
  strokeWidthValue: document.getElementById('stroke-width-value'),
  prediction: byTestId('prediction'),
  confidence: byTestId('confidence'),
  unsure: byTestId('unsure'),
  modelInput: byTestId('model-input'),
  bars: byTestId('probabilities'),
  modelInfo: byTestId('model-info'),
};

const IDLE_PROMPT = 'Draw something to see what the model thinks.';
let barRows = [];

/** The drawing canvas element (handed to web/js/canvas.js). */
export function drawCanvasElement() {
  return elements.canvas;
}

/**
 * Status line: "loading" | "ready" | "error". Text may contain `code` spans written as
 * backticks, which are rendered as <code> (built with DOM nodes, never innerHTML).
 * @param {'loading'|'ready'|'error'} state
 * @param {string} message
 */
export function setStatus(state, message) {
  elements.status.dataset.state = state;
  elements.status.setAttribute('role', state === 'error' ? 'alert' : 'status');
  const parts = message.split('`');
  elements.statusText.replaceChildren(
    ...parts.map((part, index) => {
      if (index % 2 === 0) return document.createTextNode(part);
      const code = document.createElement('code');
      code.textContent = part;
      return code;
    }),
  );
}

/**
 * The pen-width slider, from metadata: range, default, and a callback on change.
 * @param {[number, number]} range  [min, max] canvas pixels
 * @param {number} value
 * @param {(width: number) => void} onChange
 */
export function setupStrokeWidth([minimum, maximum], value, onChange) {
  const input = elements.strokeWidth;
  input.min = String(minimum);
  input.max = String(maximum);
  input.value = String(value);
  input.disabled = false;
  const show = () => {
    elements.strokeWidthValue.textContent = `${input.value} px`;
    input.setAttribute('aria-valuetext', `${input.value} pixels`);
  };
  show();
  input.addEventListener('input', () => {
    show();
    onChange(Number(input.value));
  });
}

/**
 * Clear button plus keyboard shortcut (Escape, or Delete/Backspace outside form fields).
 * @param {() => void} onClear
 */
export function onClearRequested(onClear) {
  elements.clear.addEventListener('click', onClear);
  document.addEventListener('keydown', (event) => {
    const typing = event.target instanceof HTMLInputElement && event.target.type !== 'range';
    if (event.key === 'Escape' || (!typing && (event.key === 'Delete' || event.key === 'Backspace'))) {
      event.preventDefault();
      onClear();
    }
  });
}

/** Hide the "draw here" hint once there is ink. */
export function setCanvasEmpty(empty) {
  elements.canvasFrame.dataset.empty = String(empty);
}

/**
 * Ten probability rows, one per label, built once.
 * @param {string[]} labels  metadata.output.labels
 */
export function buildBars(labels) {
  barRows = labels.map((label) => {
    const row = document.createElement('li');
    row.className = 'bar';
    row.dataset.label = label;
    const name = document.createElement('span');
    name.className = 'bar-label';
    name.textContent = label;
    const track = document.createElement('span');
    track.className = 'bar-track';
    track.setAttribute('aria-hidden', 'true');
    const fill = document.createElement('span');
    fill.className = 'bar-fill';
    fill.style.display = 'block';
    track.append(fill);
    const value = document.createElement('span');
    value.className = 'bar-value';
    row.append(name, track, value);
    elements.bars.append(row);
    return { row, fill, value, label };
  });
  clearPrediction();
}

const percent = (probability) => `${(probability * 100).toFixed(probability >= 0.995 || probability < 0.001 ? 0 : 1)}%`;

/**
 * Show one prediction.
 * @param {object} result
 * @param {Float32Array} result.probabilities  one per label, summing to 1
 * @param {string[]} result.labels
 * @param {number} result.unsureBelow          top probability under this is "not sure"
 * @param {Float32Array} result.image          the model input, imageSize^2 values in [0, 1]
 * @param {number} result.imageSize
 */
export function showPrediction({ probabilities, labels, unsureBelow, image, imageSize }) {
  let top = 0;
  for (let index = 1; index < probabilities.length; index++) if (probabilities[index] > probabilities[top]) top = index;
  const confidence = probabilities[top];
  const unsure = confidence < unsureBelow;
  elements.prediction.textContent = labels[top];
  elements.prediction.dataset.unsure = String(unsure);
  elements.prediction.setAttribute('aria-label', `Predicted digit ${labels[top]}${unsure ? ', not sure' : ''}`);
  elements.confidence.textContent = `${percent(confidence)} sure it is a ${labels[top]}.`;
  elements.unsure.hidden = !unsure;
  barRows.forEach(({ row, fill, value, label }, index) => {
    fill.style.width = `${(probabilities[index] * 100).toFixed(1)}%`;
    value.textContent = percent(probabilities[index]);
    row.dataset.top = String(index === top);
    row.setAttribute('aria-label', `${label}: ${percent(probabilities[index])}`);
  });
  drawModelInput(image, imageSize);
}

/** Back to the empty state: no digit, empty bars, black model view. */
export function clearPrediction() {
  elements.prediction.textContent = '';
  delete elements.prediction.dataset.unsure;
  elements.prediction.setAttribute('aria-label', 'Predicted digit: none yet');
  elements.confidence.textContent = IDLE_PROMPT;
  elements.unsure.hidden = true;
  barRows.forEach(({ row, fill, value, label }) => {
    fill.style.width = '0%';
    value.textContent = '';
    row.dataset.top = 'false';
    row.setAttribute('aria-label', `${label}: no prediction`);
  });
  const canvas = elements.modelInput;
  canvas.getContext('2d').clearRect(0, 0, canvas.width, canvas.height); // CSS background is black
}

/** Grey imageSize^2 model input, scaled up by CSS with pixelated rendering. */
function drawModelInput(image, imageSize) {
  const canvas = elements.modelInput;
  canvas.width = imageSize;
  canvas.height = imageSize;
  const context = canvas.getContext('2d');
  const pixels = context.createImageData(imageSize, imageSize);
  for (let index = 0; index < imageSize * imageSize; index++) {
    const grey = Math.round(image[index] * 255);
    pixels.data.set([grey, grey, grey, 255], index * 4);
  }
  context.putImageData(pixels, 0, 0);
}

/**
 * Footer facts from metadata (accuracy, size) and the running backend.
 * @param {object} facts
 * @param {number|null} facts.testAccuracy  0..1
 * @param {string} facts.variant
 * @param {number|null} facts.bytes
 * @param {string} facts.backend
 * @param {string} facts.tfVersion
 */
export function showModelInfo({ testAccuracy, variant, bytes, backend, tfVersion }) {
  const parts = [];
  if (typeof testAccuracy === 'number') {
    parts.push(`Accuracy on the MNIST test set: ${(testAccuracy * 100).toFixed(2)}%.`);
  }
  const size = typeof bytes === 'number' ? `, ${(bytes / 1024).toFixed(0)} KB of weights` : '';
  parts.push(`Weights: ${variant}${size}. TensorFlow.js ${tfVersion}, ${backend} backend.`);
  elements.modelInfo.textContent = parts.join(' ');
}

const activationElements = {
  section: byTestId('activations'),
  grids: document.querySelector('.activation-grids'),
  note: document.querySelector('.activations-note'),
};
// Each map pixel becomes SCALE x SCALE canvas pixels (nearest neighbour), GAP pixels between maps.
const ACTIVATION_SCALE = { block1: 4, block2: 8 };
const ACTIVATION_GAP = 2;

/**
 * Call `onOpen` whenever the "Look inside" section is opened (the activation model loads lazily).
 * @param {() => void} onOpen
 */
export function onActivationsOpened(onOpen) {
  activationElements.section.addEventListener('toggle', () => {
    if (activationElements.section.open) onOpen();
  });
}

/** Whether "Look inside" is open (activations are only computed then). */
export function activationsOpen() {
  return activationElements.section.open;
}

/**
 * "Look inside" state: "idle" (nothing drawn), "loading", "ready" (maps drawn) or "error".
 * @param {'idle'|'loading'|'ready'|'error'} state
 * @param {string} [message]
 */
export function setActivationsState(state, message = '') {
  activationElements.section.dataset.state = state;
  activationElements.note.textContent = message;
  if (state === 'idle') activationElements.grids.replaceChildren();
}

/**
 * Draw each block's maps as one grey grid canvas: white = the map's own maximum, black = its minimum.
 * @param {Object<string, {shape: number[], maps: Float32Array}>} blocks  from classify.js blockActivations
 */
export function showActivations(blocks) {
  const figures = Object.entries(blocks).map(([name, { shape, maps }]) => {
    const [height, width, channels] = shape;
    const scale = ACTIVATION_SCALE[name] || 4;
    const columns = Math.ceil(Math.sqrt(channels));
    const rows = Math.ceil(channels / columns);
    const cellW = width * scale;
    const cellH = height * scale;
    const canvas = document.createElement('canvas');
    canvas.width = columns * cellW + (columns - 1) * ACTIVATION_GAP;
    canvas.height = rows * cellH + (rows - 1) * ACTIVATION_GAP;
    canvas.className = 'activation-grid';
    canvas.dataset.block = name;
    canvas.setAttribute('role', 'img');
    canvas.setAttribute('aria-label', `${name}: ${channels} activation maps of ${height} by ${width}`);
    const context = canvas.getContext('2d');
    const pixels = context.createImageData(canvas.width, canvas.height);
    pixels.data.fill(128); // mid-grey gaps keep mostly black maps apart
    for (let channel = 0; channel < channels; channel++) {
      const left = (channel % columns) * (cellW + ACTIVATION_GAP);
      const top = Math.floor(channel / columns) * (cellH + ACTIVATION_GAP);
      for (let y = 0; y < cellH; y++) {
        for (let x = 0; x < cellW; x++) {
          const value = maps[channel * height * width + Math.floor(y / scale) * width + Math.floor(x / scale)];
          const grey = Math.round(value * 255);
          pixels.data.set([grey, grey, grey, 255], ((top + y) * canvas.width + left + x) * 4);
        }
      }
    }
    context.putImageData(pixels, 0, 0);
    const figure = document.createElement('figure');
    figure.className = 'activation-figure';
    const caption = document.createElement('figcaption');
    caption.textContent = `${name}: ${channels} maps, ${height}×${width} each (${columns} per row)`;
    figure.append(canvas, caption);
    return figure;
  });
  activationElements.grids.replaceChildren(...figures);
}
