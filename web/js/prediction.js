/**
 * The prediction read-out: the digit, how sure, "not sure", ten probability bars, the image the
 * model saw and, under "Look inside", what each model read.
 */
import { byTestId } from './dom.js';
import { NOT_A_DIGIT_TEXT } from './numberParams.js'; // Python's, generated

const elements = {
  prediction: byTestId('prediction'),
  confidence: byTestId('confidence'),
  unsure: byTestId('unsure'),
  modelInput: byTestId('model-input'),
  bars: byTestId('probabilities'),
  parts: byTestId('model-parts'),
};

const IDLE_PROMPT = 'Draw something to see what the model thinks.';
let barRows = [];

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
 * @param {number|null} [result.notADigit]     p(not a digit) when the stroke model refused the drawing, else null
 * @returns {number}  the index of the top label
 */
export function showPrediction({ probabilities, labels, unsureBelow, image, imageSize, notADigit = null }) {
  let top = 0;
  for (let index = 1; index < probabilities.length; index++) if (probabilities[index] > probabilities[top]) top = index;
  const refused = notADigit !== null;
  const confidence = refused ? notADigit : probabilities[top];
  const unsure = !refused && confidence < unsureBelow;
  elements.prediction.textContent = refused ? NOT_A_DIGIT_TEXT : labels[top];
  elements.prediction.dataset.unsure = String(unsure);
  elements.prediction.dataset.state = refused ? 'not-a-digit' : 'digit';
  elements.prediction.setAttribute(
    'aria-label',
    refused ? 'Not a digit' : `Predicted digit ${labels[top]}${unsure ? ', not sure' : ''}`,
  );
  elements.confidence.textContent = refused
    ? `${percent(confidence)} sure it is not a digit (closest: ${labels[top]}).`
    : `${percent(confidence)} sure it is a ${labels[top]}.`;
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
  delete elements.prediction.dataset.state;
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
