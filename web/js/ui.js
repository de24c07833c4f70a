/**
 * Every DOM lookup and write of the page except the drawing canvas (web/js/canvas.js).
 *
 * Small verbs for web/js/main.js: set the status, configure the pen control, show or clear a
 * prediction, ask which digit was meant ("teach it"), list the kept drawings, show the model
 * facts. Selectors here are the page's test contract (data-testid = draw-canvas, clear,
 * prediction, status, stroke-width; meant-0..9, keep, drawings-count, drawing, download-drawings,
 * delete-all-drawings); tests/test_web*.py and outside tools rely on them.
 */
import { drawStrokes } from './canvas.js';

const byTestId = (id) => document.querySelector(`[data-testid="${id}"]`);

const elements = {
  status: byTestId('status'),
  statusText: document.querySelector('.status-text'),
  canvas: byTestId('draw-canvas'),
  canvasFrame: document.querySelector('.canvas-frame'),
  canvasNote: byTestId('canvas-note'),
  clear: byTestId('clear'),
  strokeWidth: byTestId('stroke-width'),
  strokeWidthValue: document.getElementById('stroke-width-value'),
  prediction: byTestId('prediction'),
  confidence: byTestId('confidence'),
  unsure: byTestId('unsure'),
  modelInput: byTestId('model-input'),
  bars: byTestId('probabilities'),
  modelInfo: byTestId('model-info'),
  parts: byTestId('model-parts'),
};

const IDLE_PROMPT = 'Draw something to see what the model thinks.';
let barRows = [];

/** The drawing canvas element (handed to web/js/canvas.js). */
export function drawCanvasElement() {
  return elements.canvas;
}

/** The line under the canvas: why it stopped taking ink (the drawing bound), or '' to clear it. */
export function showCanvasNote(message) {
  elements.canvasNote.textContent = message;
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

// Inputs that take no typed text, so the page's own keys (digits, Delete) still work in them.
const KEYLESS_INPUTS = new Set(['radio', 'checkbox', 'range', 'button', 'submit', 'reset', 'color', 'file']);

/** Whether a key press aimed at `target` is someone typing text. */
function isTyping(target) {
  if (target instanceof HTMLInputElement) return !KEYLESS_INPUTS.has(target.type);
  return target instanceof HTMLTextAreaElement || target instanceof HTMLSelectElement || !!target?.isContentEditable;
}

/**
 * Clear button plus keyboard shortcut (Escape, or Delete/Backspace outside text fields).
 * @param {() => void} onClear
 */
export function onClearRequested(onClear) {
  elements.clear.addEventListener('click', onClear);
  document.addEventListener('keydown', (event) => {
    const typing = isTyping(event.target);
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
 * @returns {number}  the index of the top label
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
  return top;
}

/**
 * What each model thought, under "Look inside": the picture's reading (the image CNN), the pen
 * path's (the stroke model) and the weight that mixed them; hidden when only the picture was read.
 * @param {{image: {digit: string, confidence: number}, stroke: {digit: string, confidence: number},
 *   strokeWeight: number}|null} parts
 */
export function showParts(parts) {
  const element = elements.parts;
  element.hidden = !parts;
  if (!parts) {
    element.textContent = '';
    for (const key of ['imageDigit', 'strokeDigit', 'imageConfidence', 'strokeConfidence']) delete element.dataset[key];
    return;
  }
  const { image, stroke, strokeWeight } = parts;
  Object.assign(element.dataset, {
    imageDigit: image.digit,
    imageConfidence: image.confidence.toFixed(4),
    strokeDigit: stroke.digit,
    strokeConfidence: stroke.confidence.toFixed(4),
  });
  element.textContent =
    `The picture reads ${image.digit} (${percent(image.confidence)}), the pen path ${stroke.digit} ` +
    `(${percent(stroke.confidence)}); the answer above weighs the pen path ${percent(strokeWeight)}.`;
}

/** Back to the empty state: no digit, empty bars, black model view. */
export function clearPrediction() {
  showParts(null);
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
  // Assigning a size reallocates the canvas even when it is unchanged: only on a change.
  if (canvas.width !== imageSize || canvas.height !== imageSize) {
    canvas.width = imageSize;
    canvas.height = imageSize;
  }
  const context = canvas.getContext('2d');
  const pixels = context.createImageData(imageSize, imageSize);
  const rgba = pixels.data;
  for (let index = 0; index < imageSize * imageSize; index++) {
    const offset = index * 4;
    rgba[offset] = rgba[offset + 1] = rgba[offset + 2] = Math.round(image[index] * 255);
    rgba[offset + 3] = 255;
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

// ---------------------------------------------------------------- teach it: which digit was meant

const teachElements = {
  form: byTestId('teach'),
  choices: document.querySelector('.teach-choices'),
  digits: byTestId('meant'),
  keep: byTestId('keep'),
  note: byTestId('teach-note'),
};
let digitInputs = [];
let digitLabels = [];
let chosenByPerson = false; // a digit picked by hand is never overridden by the next guess

/**
 * Ten radio buttons, one per label ("Which digit did you mean?"), built once. Arrow keys move
 * within the group, Tab leaves it; each looks like a button and is big enough for a finger.
 * @param {string[]} labels  metadata.output.labels; a label's index is the digit it stands for
 */
export function buildDigitChoices(labels) {
  digitInputs = labels.map((label, index) => {
    const choice = document.createElement('label');
    choice.className = 'digit-choice';
    const input = document.createElement('input');
    input.type = 'radio';
    input.name = 'meant';
    input.value = String(index);
    input.dataset.testid = `meant-${label}`;
    input.addEventListener('change', () => {
      chosenByPerson = true;
      showKeepLabel();
    });
    const text = document.createElement('span');
    text.textContent = label;
    choice.append(input, text);
    teachElements.digits.append(choice);
    return input;
  });
  digitLabels = labels;
  teachElements.form.hidden = false;
}

function checkedDigit() {
  const index = digitInputs.findIndex((input) => input.checked);
  return index < 0 ? null : index;
}

function showKeepLabel() {
  const digit = checkedDigit();
  teachElements.keep.textContent =
    digit === null ? 'Keep this drawing' : `Keep this drawing as a ${digitLabels[digit]}`;
}

/**
 * Ask which digit was meant, starting at the model's guess (unless the person already picked one
 * for this drawing), so confirming a right guess is one press of Keep.
 * @param {number} guess  index of the predicted label
 */
export function offerTeach(guess) {
  teachElements.choices.disabled = false;
  teachElements.keep.disabled = false;
  teachElements.note.textContent = '';
  if (!chosenByPerson) digitInputs[guess].checked = true;
  showKeepLabel();
}

/** Nothing to teach (a blank canvas): no choice, Keep disabled. The last note stays. */
export function withdrawTeach() {
  chosenByPerson = false;
  for (const input of digitInputs) input.checked = false;
  teachElements.choices.disabled = true;
  teachElements.keep.disabled = true;
  showKeepLabel();
}

/**
 * The line under Keep: what happened to the last drawing kept ("Kept as a 3."), or why not.
 * @param {string} message
 * @param {'ok'|'error'} [state]
 */
export function showTeachNote(message, state = 'ok') {
  teachElements.note.textContent = message;
  teachElements.note.dataset.state = state;
}

/**
 * Keep the drawing as the chosen digit: the Keep button (or Enter in the group), or a digit key
 * 0-9 pressed anywhere outside a text field, which picks that digit and keeps it at once.
 * @param {(digit: number) => void} onKeep  digit 0..9
 */
export function onKeepRequested(onKeep) {
  teachElements.form.addEventListener('submit', (event) => {
    event.preventDefault(); // nothing is ever submitted anywhere
    const digit = checkedDigit();
    if (!teachElements.keep.disabled && digit !== null) onKeep(digit);
  });
  document.addEventListener('keydown', (event) => {
    if (!/^[0-9]$/.test(event.key) || event.ctrlKey || event.metaKey || event.altKey || event.repeat) return;
    if (isTyping(event.target) || teachElements.keep.disabled) return;
    const digit = digitLabels.indexOf(event.key);
    if (digit < 0) return;
    event.preventDefault();
    digitInputs[digit].checked = true;
    onKeep(digit);
  });
}

// ---------------------------------------------------------------- your drawings

const drawingElements = {
  count: byTestId('drawings-count'),
  grid: byTestId('drawings-grid'),
  download: byTestId('download-drawings'),
  deleteAll: byTestId('delete-all-drawings'),
  confirm: byTestId('delete-all-confirm'),
  confirmQuestion: document.getElementById('delete-all-question'),
  confirmDelete: byTestId('confirm-delete-all'),
  cancelDelete: byTestId('cancel-delete-all'),
};
// Thumbnails only: the stroke format keeps no pen width, so they use this share of the canvas side.
const THUMBNAIL_PEN_SHARE = 0.07;
const THUMBNAIL_PIXELS = 112; // drawn at twice its CSS size, sharp on high-density screens

const drawingsWord = (count) => (count === 1 ? '1 drawing' : `${count} drawings`);

let unreadableDrawings = 0; // stored records that failed web/js/strokes.js checkRecord: counted, never shown

/**
 * Count, thumbnails (newest first) and the buttons' states for the kept drawings, all at once
 * (on opening the page and after Delete all); keeping and deleting one change one thumbnail
 * (addDrawing, removeDrawing), so a long list is never drawn again.
 * @param {Array<{id: number, label: number, canvas: {width: number, height: number}, drawn_at: string, strokes: number[][][]}>} records
 *   checked records (web/js/strokes.js checkRecord), oldest first
 * @param {number} [unreadable]  how many stored records failed that check and are left out
 */
export function showDrawings(records, unreadable = 0) {
  unreadableDrawings = unreadable;
  drawingElements.grid.replaceChildren(...[...records].reverse().map(drawingItem));
  showDrawingsCount();
}

/** One newly kept (checked) record, first in the grid. */
export function addDrawing(record) {
  drawingElements.grid.prepend(drawingItem(record));
  showDrawingsCount();
}

/** Take the thumbnail of the record with `id` out of the grid. */
export function removeDrawing(id) {
  drawingElements.grid.querySelector(`[data-id="${id}"]`)?.remove();
  showDrawingsCount();
}

/** How many drawings the grid shows, and how many stored ones could not be read. */
export function drawingsKept() {
  return { shown: drawingElements.grid.children.length, unreadable: unreadableDrawings };
}

function showDrawingsCount() {
  const count = drawingElements.grid.children.length;
  const unreadable = unreadableDrawings
    ? ` ${drawingsWord(unreadableDrawings)} could not be read (left out of the list and the download).`
    : '';
  drawingElements.count.textContent =
    (count
      ? `${drawingsWord(count)} kept in this browser.`
      : 'None kept yet: draw a digit, say which digit you meant and keep it.') + unreadable;
  drawingElements.download.disabled = count === 0;
  drawingElements.deleteAll.disabled = count === 0 && unreadableDrawings === 0;
  if (drawingElements.deleteAll.disabled) hideDeleteAllConfirm(false);
}

function drawingItem(record) {
  const item = document.createElement('li');
  item.className = 'drawing';
  item.dataset.testid = 'drawing';
  item.dataset.id = String(record.id);
  item.dataset.label = String(record.label);
  const when = new Date(record.drawn_at).toLocaleString();
  const thumbnail = document.createElement('canvas');
  thumbnail.className = 'drawing-thumbnail';
  thumbnail.width = thumbnail.height = THUMBNAIL_PIXELS;
  thumbnail.setAttribute('role', 'img');
  thumbnail.setAttribute('aria-label', `Your ${record.label}, drawn ${when}`);
  const context = thumbnail.getContext('2d');
  context.fillStyle = '#000';
  context.fillRect(0, 0, THUMBNAIL_PIXELS, THUMBNAIL_PIXELS);
  const side = Math.max(record.canvas.width, record.canvas.height);
  context.scale(THUMBNAIL_PIXELS / side, THUMBNAIL_PIXELS / side);
  drawStrokes(context, record.strokes, side * THUMBNAIL_PEN_SHARE);
  const label = document.createElement('span');
  label.className = 'drawing-label';
  label.textContent = String(record.label);
  label.setAttribute('aria-hidden', 'true'); // the thumbnail's name says it
  const remove = document.createElement('button');
  remove.type = 'button';
  remove.className = 'drawing-delete';
  remove.dataset.testid = 'delete-drawing';
  remove.textContent = '×';
  remove.setAttribute('aria-label', `Delete this ${record.label}, drawn ${when}`);
  item.append(thumbnail, label, remove);
  return item;
}

/**
 * The × on a thumbnail: `onDelete(id)`, then focus goes to the next thumbnail's ×, or the count.
 * @param {(id: number) => Promise<void>} onDelete
 */
export function onDeleteDrawing(onDelete) {
  drawingElements.grid.addEventListener('click', async (event) => {
    const button = event.target.closest('[data-testid="delete-drawing"]');
    if (!button) return;
    const item = button.closest('li');
    const index = [...drawingElements.grid.children].indexOf(item);
    await onDelete(Number(item.dataset.id));
    const next = drawingElements.grid.children[Math.min(index, drawingElements.grid.children.length - 1)];
    focusAfterDelete(next?.querySelector('button'));
  });
}

function focusAfterDelete(target) {
  if (target) return target.focus();
  drawingElements.count.tabIndex = -1;
  drawingElements.count.focus();
}

function showDeleteAllConfirm() {
  const count = drawingElements.grid.children.length + unreadableDrawings;
  drawingElements.confirmQuestion.textContent = `Delete all ${drawingsWord(count)} from this browser? This cannot be undone.`;
  drawingElements.confirmDelete.textContent = `Delete all ${count}`;
  drawingElements.confirm.hidden = false;
  drawingElements.deleteAll.setAttribute('aria-expanded', 'true');
  drawingElements.cancelDelete.focus(); // the safe answer is the one a stray Enter picks
}

function hideDeleteAllConfirm(refocus = true) {
  drawingElements.confirm.hidden = true;
  drawingElements.deleteAll.setAttribute('aria-expanded', 'false');
  if (refocus && !drawingElements.deleteAll.disabled) drawingElements.deleteAll.focus();
}

/**
 * "Delete all…" asks first (Delete all N / Cancel, Escape cancels); only the answer runs `onDeleteAll`.
 * @param {() => Promise<void>} onDeleteAll
 */
export function onDeleteAllDrawings(onDeleteAll) {
  drawingElements.deleteAll.addEventListener('click', showDeleteAllConfirm);
  drawingElements.cancelDelete.addEventListener('click', () => hideDeleteAllConfirm());
  drawingElements.confirm.addEventListener('keydown', (event) => {
    if (event.key !== 'Escape') return;
    event.stopPropagation(); // Escape here cancels the question; it does not clear the canvas
    hideDeleteAllConfirm();
  });
  drawingElements.confirmDelete.addEventListener('click', async () => {
    await onDeleteAll();
    hideDeleteAllConfirm(false);
    focusAfterDelete(null);
  });
}

/** @param {() => void} onDownload */
export function onDownloadDrawings(onDownload) {
  drawingElements.download.addEventListener('click', onDownload);
}

/** The drawings section when the browser keeps nothing (no IndexedDB, site data blocked). */
export function setDrawingsUnavailable(message) {
  drawingElements.count.textContent = message;
  drawingElements.download.disabled = drawingElements.deleteAll.disabled = true;
}

/** A failed delete or download, in one line where the count is. */
export function showDrawingsProblem(message) {
  drawingElements.count.textContent = message;
}

/**
 * Save `text` as a file called `name` through the browser's own download: a blob URL made
 * here, nothing fetched or sent.
 * @param {string} name
 * @param {string} text
 * @param {string} [type]
 */
export function saveFile(name, text, type = 'application/json') {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const link = document.createElement('a');
  link.href = url;
  link.download = name;
  link.hidden = true;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000); // some browsers read the blob after click returns
}
