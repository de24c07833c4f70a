/**
 * The drawing surface: pointer events (mouse, touch, pen) -> smooth white strokes on black.
 *
 * The canvas keeps a fixed internal size (metadata `page.canvas_size`) while CSS scales it to the
 * screen, so pointer coordinates are mapped from CSS pixels to canvas pixels. It is opaque
 * black, which web/js/preprocess.js (step 1) reads exactly like white-on-transparent ink.
 * This module only draws and reads its own canvas; every other DOM write is in web/js/ui.js.
 */

/**
 * @typedef {object} DrawingCanvas
 * @property {() => void} clear                  erase everything (black)
 * @property {() => ImageData} readPixels         RGBA bytes, canvasSize x canvasSize
 * @property {(width: number) => void} setStrokeWidth  pen width in canvas pixels
 */

/**
 * Make `canvas` drawable.
 * @param {HTMLCanvasElement} canvas
 * @param {object} options
 * @param {number} options.size          internal width and height in pixels
 * @param {number} options.strokeWidth   initial pen width in canvas pixels
 * @param {() => void} [options.onStrokeMove]  called (at most once per frame) while drawing
 * @param {() => void} [options.onStrokeEnd]   called when a stroke ends
 * @returns {DrawingCanvas}
 */
export function createDrawingCanvas(canvas, { size, strokeWidth, onStrokeMove = () => {}, onStrokeEnd = () => {} }) {
  canvas.width = size;
  canvas.height = size;
  // Opaque (alpha: false) and read back often: keep it on the CPU so getImageData is cheap.
  const context = canvas.getContext('2d', { alpha: false, willReadFrequently: true });
  let penWidth = strokeWidth;
  let activePointer = null; // one finger or button at a time; a second touch is ignored
  let lastPoint = null;
  let lastMidpoint = null;
  let moveQueued = false;

  function styleContext() {
    context.strokeStyle = '#fff';
    context.fillStyle = '#fff';
    context.lineCap = 'round';
    context.lineJoin = 'round';
    context.lineWidth = penWidth;
  }

  function clear() {
    context.fillStyle = '#000';
    context.fillRect(0, 0, size, size);
    styleContext();
  }

  /** CSS pixels of a pointer event -> canvas pixels. */
  function toCanvas(event) {
    const rect = canvas.getBoundingClientRect();
    return {
      x: ((event.clientX - rect.left) * size) / rect.width,
      y: ((event.clientY - rect.top) * size) / rect.height,
    };
  }

  function dot(point) {
    context.beginPath();
    context.arc(point.x, point.y, penWidth / 2, 0, 2 * Math.PI);
    context.fill();
  }

  /** Quadratic segments through midpoints: smooth curves without lagging behind the pen. */
  function extendTo(point) {
    const midpoint = { x: (lastPoint.x + point.x) / 2, y: (lastPoint.y + point.y) / 2 };
    context.beginPath();
    context.moveTo(lastMidpoint.x, lastMidpoint.y);
    context.quadraticCurveTo(lastPoint.x, lastPoint.y, midpoint.x, midpoint.y);
    context.stroke();
    lastPoint = point;
    lastMidpoint = midpoint;
  }

  function onPointerDown(event) {
    if (activePointer !== null || (event.pointerType === 'mouse' && event.button !== 0)) return;
    event.preventDefault();
    activePointer = event.pointerId;
    canvas.setPointerCapture(event.pointerId);
    styleContext();
    lastPoint = toCanvas(event);
    lastMidpoint = lastPoint;
    dot(lastPoint); // a tap leaves a dot
    onStrokeMove();
  }

  function onPointerMove(event) {
    if (event.pointerId !== activePointer) return;
    event.preventDefault();
    // Coalesced events keep fast strokes smooth on high-rate pens and touchscreens.
    const events = typeof event.getCoalescedEvents === 'function' ? event.getCoalescedEvents() : [];
    for (const sample of events.length ? events : [event]) extendTo(toCanvas(sample));
    if (!moveQueued) {
      moveQueued = true;
      requestAnimationFrame(() => {
        moveQueued = false;
        if (activePointer !== null) onStrokeMove();
      });
    }
  }

  function onPointerEnd(event) {
    if (event.pointerId !== activePointer) return;
    if (event.type === 'pointerup') {
      const point = toCanvas(event);
      extendTo(point);
      context.beginPath();
      context.moveTo(lastMidpoint.x, lastMidpoint.y);
      context.lineTo(point.x, point.y);
      context.stroke();
    }
    activePointer = null;
    lastPoint = lastMidpoint = null;
    onStrokeEnd();
  }

  canvas.addEventListener('pointerdown', onPointerDown);
  canvas.addEventListener('pointermove', onPointerMove);
  canvas.addEventListener('pointerup', onPointerEnd);
  canvas.addEventListener('pointercancel', onPointerEnd);
  canvas.addEventListener('contextmenu', (event) => event.preventDefault());
  clear();

  return {
    clear,
    readPixels: () => context.getImageData(0, 0, size, size),
    setStrokeWidth(width) {
      penWidth = width;
      styleContext();
    },
  };
}
