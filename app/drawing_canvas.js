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
 * data: {size: canvas pixels (mnist_draw.config.CANVAS_SIZE), penWidth: canvas pixels}
 * state "strokes": every stroke since the last clear, [[x, y], ...] canvas pixels each
 *   (canvas.js `strokes()`); sent at once on every pointer-up, and as [] on Clear.
 */

/** Per canvas element: the drawing, its pen width, and the newest setStateValue Streamlit gave. */
const mounted = new WeakMap();

function mount(canvas, clearButton, { size, penWidth }) {
  canvas.style.width = `${size}px`;
  const state = { penWidth, setStateValue: () => {} };
  // No debounce: the app answers on pointer-up, and a stroke's end is rare enough to send each one.
  const send = () => state.setStateValue('strokes', state.drawing.strokes());
  state.drawing = createDrawingCanvas(canvas, { size, strokeWidth: penWidth, onStrokeEnd: send });
  clearButton.addEventListener('click', () => {
    state.drawing.clear();
    send();
  });
  return state;
}

/**
 * A new pen width redraws the strokes with it, so the canvas shows what the app renders for
 * the model (mnist_draw.render.render_canvas_strokes, one pen for the whole drawing).
 */
function setPenWidth(state, canvas, size, penWidth) {
  if (penWidth === state.penWidth) return;
  state.penWidth = penWidth;
  const context = canvas.getContext('2d'); // the same context createDrawingCanvas made
  context.fillStyle = '#000';
  context.fillRect(0, 0, size, size);
  drawStrokes(context, state.drawing.strokes(), penWidth);
  state.drawing.setStrokeWidth(penWidth); // also restores the live drawing style
}

export default function drawingCanvas({ data, parentElement, setStateValue }) {
  const canvas = parentElement.querySelector('canvas');
  const clearButton = parentElement.querySelector('button');
  let state = mounted.get(canvas);
  if (state === undefined) {
    state = mount(canvas, clearButton, data);
    mounted.set(canvas, state);
  }
  state.setStateValue = setStateValue;
  setPenWidth(state, canvas, data.size, data.penWidth);
}
