/**
 * The Streamlit app's drawing canvas: the glue between web/js/canvas.js and Streamlit's
 * components v2 API (`export default function (component)`).
 *
 * app/drawing_canvas.py joins web/js/canvas.js and this file into one module, so the app draws
 * with the page's own code (createDrawingCanvas and drawStrokes are in scope, not imported: the
 * module is loaded from a blob URL, which has no folder to import from).
 *
 * Streamlit calls the default export on mount and again whenever the Python side sends new data
 * (every rerun of the fragment), always with the same parentElement, so the drawing is made once
 * per canvas element and later calls only hand over the newest pen width and setStateValue.
 *
 * data: {size: the height in canvas pixels (mnist_draw.config.CANVAS_SIZE), width: the width in
 *   canvas pixels (size for the square digit canvas, wider for number mode's; fixed per canvas
 *   element, as the app gives each mode its own), label: what the canvas is for, read out by
 *   screen readers (absent: the markup's, one digit), penWidth: canvas pixels,
 *   limits: the drawing bound (mnist_draw.config; canvas.js stops there and says so below it)}
 * state "strokes": every stroke since the last clear, [[x, y], ...] canvas pixels each
 *   (canvas.js `strokes()`); sent at once on every pointer-up, and as [] on Clear.
 * state "visitor": this browser's id (32 hex digits), sent once per mount; mnist_draw/kept_drawings.py
 *   keeps the drawings it is sent with apart from everyone else's.
 */

// localStorage key of the visitor id; the page (web/) keeps its drawings in IndexedDB instead.
const VISITOR_STORAGE_KEY = 'mnist-draw-visitor';

/** 128 random bits as 32 hex digits: unguessable, so only this browser finds its drawings. */
function newVisitorId() {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (byte) => byte.toString(16).padStart(2, '0')).join('');
}

/**
 * This browser's visitor id, made on its first visit and kept in localStorage. Where storage is
 * blocked (some private modes) the id lasts as long as the page: the drawings are still kept,
 * but a reload no longer finds them.
 */
function visitorId() {
  try {
    const kept = localStorage.getItem(VISITOR_STORAGE_KEY);
    if (kept && /^[0-9a-f]{32}$/.test(kept)) return kept;
    const made = newVisitorId();
    localStorage.setItem(VISITOR_STORAGE_KEY, made);
    return made;
  } catch {
    return newVisitorId();
  }
}

/** Per canvas element: the drawing, its pen width, and the newest setStateValue Streamlit gave. */
const mounted = new WeakMap();

function mount(canvas, clearButton, note, { size, width = size, label, penWidth, limits }) {
  if (label) canvas.setAttribute('aria-label', label);
  canvas.style.width = `${width}px`;
  canvas.style.aspectRatio = `${width} / ${size}`; // the drawing surface rule makes it square
  const state = { penWidth, setStateValue: () => {} };
  // No debounce: the app answers on pointer-up, and a stroke's end is rare enough to send each one.
  const send = () => state.setStateValue('strokes', state.drawing.strokes());
  state.drawing = createDrawingCanvas(canvas, {
    size,
    strokeWidth: penWidth,
    limits,
    onStrokeEnd: send,
    onLimit: (message) => (note.textContent = message),
  });
  if (width !== size) state.drawing.resize(width, size);
  clearButton.addEventListener('click', () => {
    state.drawing.clear();
    note.textContent = '';
    send();
  });
  return state;
}

/**
 * A new pen width redraws the strokes with it, so the canvas shows what the app renders for
 * the model (mnist_draw.render.render_canvas_strokes, one pen for the whole drawing).
 */
function setPenWidth(state, canvas, penWidth) {
  if (penWidth === state.penWidth) return;
  state.penWidth = penWidth;
  const context = canvas.getContext('2d'); // the same context createDrawingCanvas made
  context.fillStyle = '#000';
  context.fillRect(0, 0, canvas.width, canvas.height);
  drawStrokes(context, state.drawing.strokes(), penWidth);
  state.drawing.setStrokeWidth(penWidth); // also restores the live drawing style
}

export default function drawingCanvas({ data, parentElement, setStateValue }) {
  const canvas = parentElement.querySelector('canvas');
  const clearButton = parentElement.querySelector('button');
  const note = parentElement.querySelector('[data-testid="drawing-canvas-note"]');
  let state = mounted.get(canvas);
  const mounting = state === undefined;
  if (mounting) {
    state = mount(canvas, clearButton, note, data);
    mounted.set(canvas, state);
  }
  state.setStateValue = setStateValue;
  if (mounting) setStateValue('visitor', visitorId());
  setPenWidth(state, canvas, data.penWidth);
}
