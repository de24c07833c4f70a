/**
 * Around the drawing canvas (web/js/canvas.js draws on it): its element, the "draw here" hint,
 * the note under it, the pen-width slider and Clear with its keys.
 */
import { byTestId, isTyping } from './dom.js';

const elements = {
  canvas: byTestId('draw-canvas'),
  canvasFrame: document.querySelector('.canvas-frame'),
  canvasNote: byTestId('canvas-note'),
  clear: byTestId('clear'),
  strokeWidth: byTestId('stroke-width'),
  strokeWidthValue: document.getElementById('stroke-width-value'),
};

/** The drawing canvas element (handed to web/js/canvas.js). */
export function drawCanvasElement() {
  return elements.canvas;
}

/** The line under the canvas: why it stopped taking ink (the drawing bound), or '' to clear it. */
export function showCanvasNote(message) {
  elements.canvasNote.textContent = message;
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
