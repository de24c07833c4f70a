/**
 * The drawing surface: pointer events (mouse, touch, pen) -> smooth white strokes on black.
 *
 * The canvas keeps a fixed internal size (metadata `page.canvas_size` square, or number mode's
 * wide one after `resize`) while CSS scales it to the screen, so pointer coordinates are mapped
 * from CSS pixels to canvas pixels, across and down each on its own. It is opaque
 * black, which web/js/preprocess.js (step 1) reads exactly like white-on-transparent ink.
 * It also records the strokes themselves, as the pointer moved (the stroke format of
 * web/js/strokes.js), so a labelled drawing is kept as the pen's path, not as pixels.
 * This module only draws and reads canvases; the page's other modules make every other DOM
 * write (web/js/main.js lists them).
 * mnist_draw/render.py is its Python twin: it makes the same draw calls for recorded strokes.
 * The Streamlit app draws with this module too: app/drawing_canvas.py inlines it ahead of its
 * glue, app/drawing_canvas.js, so it must stay free of imports.
 */

/**
 * @typedef {object} DrawingCanvas
 * @property {() => void} clear                  erase everything (black)
 * @property {(width: number, height: number) => void} resize  a new internal size in canvas
 *   pixels (number mode's wide canvas), erasing everything
 * @property {() => InkPixels | null} readInk     the pixels of the rectangle that holds every
 *   stroke drawn since the last clear, or null when nothing was (strokes drawn onto the canvas
 *   from outside, like the app's redraw with drawStrokes, are not tracked)
 * @property {(width: number) => void} setStrokeWidth  pen width in canvas pixels
 * @property {() => number[][][]} strokes        a copy of the strokes since the last clear: per
 *   stroke the [x, y] pointer positions in canvas pixels (x right, y down), pen down first; a
 *   pointer-up where the last move was is not repeated (mnist_draw/render.py adds it back)
 */

/**
 * @typedef {object} InkPixels
 * @property {Uint8ClampedArray} data  RGBA bytes of the rectangle, row-major
 * @property {number} left    its first column on the canvas
 * @property {number} top     its first row on the canvas
 * @property {number} width
 * @property {number} height
 */

// Antialiasing shades pixels up to about one pixel past a stroke's edge; two keep a safe margin.
const ANTIALIAS_MARGIN = 2;

// Recorded points keep 1/100 of a canvas pixel: far finer than a pointer reports, and short in a file.
const roundPoint = ({ x, y }) => [Math.round(x * 100) / 100, Math.round(y * 100) / 100];

/**
 * Ink whole recorded strokes onto `context` the way the drawing canvas inks them live: a dot at
 * pen down, then quadratic curves through the midpoints of the pointer positions.
 * @param {CanvasRenderingContext2D} context  already scaled to the strokes' canvas pixels
 * @param {number[][][]} strokes
 * @param {number} penWidth  in the strokes' canvas pixels
 */
export function drawStrokes(context, strokes, penWidth) {
  context.strokeStyle = context.fillStyle = '#fff';
  context.lineCap = context.lineJoin = 'round';
  context.lineWidth = penWidth;
  for (const stroke of strokes) {
    const [[x, y]] = stroke;
    context.beginPath();
    context.arc(x, y, penWidth / 2, 0, 2 * Math.PI);
    context.fill();
    context.beginPath();
    context.moveTo(x, y);
    for (let index = 1; index < stroke.length; index++) {
      const [controlX, controlY] = stroke[index - 1];
      const [nextX, nextY] = stroke[index];
      context.quadraticCurveTo(controlX, controlY, (controlX + nextX) / 2, (controlY + nextY) / 2);
    }
    const [lastX, lastY] = stroke[stroke.length - 1];
    context.lineTo(lastX, lastY);
    context.stroke();
  }
}

/**
 * Make `canvas` drawable.
 * @param {HTMLCanvasElement} canvas
 * @param {object} options
 * @param {number} options.size          internal width and height in pixels (resize changes them)
 * @param {number} options.strokeWidth   initial pen width in canvas pixels
 * @param {() => void} [options.onStrokeMove]  called (at most once per frame) while drawing
 * @param {() => void} [options.onStrokeEnd]   called when a stroke ends
 * @param {object} options.limits  the drawing bound (web/js/limits.js DRAWING_LIMITS, or the same
 *   numbers from the app): minPointDistance, maxPointsPerDigit, maxStrokesPerDigit
 * @param {(message: string) => void} [options.onLimit]  called with one line when the drawing
 *   reaches the bound: from then on it takes no more points (or strokes) until cleared
 * @returns {DrawingCanvas}
 */
export function createDrawingCanvas(
  canvas,
  { size, strokeWidth, limits, onStrokeMove = () => {}, onStrokeEnd = () => {}, onLimit = () => {} },
) {
  const { minPointDistance, maxPointsPerDigit, maxStrokesPerDigit } = limits;
  let width = (canvas.width = size);
  let height = (canvas.height = size);
  // Opaque (alpha: false) and read back often: keep it on the CPU so getImageData is cheap.
  const context = canvas.getContext('2d', { alpha: false, willReadFrequently: true });
  let penWidth = strokeWidth;
  let activePointer = null; // one finger or button at a time; a second touch is ignored
  let lastPoint = null;
  let lastMidpoint = null;
  let moveQueued = false;
  let strokes = []; // every stroke since the last clear, as [[x, y], ...] canvas pixels
  let pointCount = 0; // points in `strokes`
  let limitMessage = null; // set when the drawing reaches the bound: it takes nothing more until clear
  // Where ink can be since the last clear, in canvas pixels. A prediction reads back and
  // preprocesses only this rectangle: everything after the crop to the ink's bounding box
  // (web/js/preprocess.js step 2) is relative to that box, so the model input is the same as
  // from the whole canvas, for a fraction of the pixels.
  let inkLeft, inkTop, inkRight, inkBottom;

  /** Widen the ink rectangle to hold a pen stroke through `points`. */
  function cover(...points) {
    const reach = penWidth / 2 + ANTIALIAS_MARGIN;
    for (const { x, y } of points) {
      inkLeft = Math.min(inkLeft, x - reach);
      inkTop = Math.min(inkTop, y - reach);
      inkRight = Math.max(inkRight, x + reach);
      inkBottom = Math.max(inkBottom, y + reach);
    }
  }

  function styleContext() {
    context.strokeStyle = '#fff';
    context.fillStyle = '#fff';
    context.lineCap = 'round';
    context.lineJoin = 'round';
    context.lineWidth = penWidth;
  }

  function clear() {
    // Cleared mid-stroke (Escape while drawing): the rest of that stroke is a new one.
    strokes = activePointer !== null ? [[roundPoint(lastPoint)]] : [];
    pointCount = strokes.length;
    limitMessage = null;
    inkLeft = inkTop = Infinity;
    inkRight = inkBottom = -Infinity;
    context.fillStyle = '#000';
    context.fillRect(0, 0, width, height);
    styleContext();
  }

  /** CSS pixels of a pointer event -> canvas pixels. */
  function toCanvas(event) {
    const rect = canvas.getBoundingClientRect();
    return {
      x: ((event.clientX - rect.left) * width) / rect.width,
      y: ((event.clientY - rect.top) * height) / rect.height,
    };
  }

  function dot(point) {
    cover(point);
    context.beginPath();
    context.arc(point.x, point.y, penWidth / 2, 0, 2 * Math.PI);
    context.fill();
  }

  /**
   * Whether `point` adds ink: a move closer than minPointDistance to the last kept point does
   * not, and is neither drawn nor recorded (the next one is drawn from the last kept point), so
   * the recorded strokes stay exactly what was drawn. Measured between points rounded as they
   * are recorded, so mnist_draw/render.py `kept_points` makes the same choice from the record.
   */
  function addsInk(point) {
    const stroke = strokes[strokes.length - 1];
    const [lastX, lastY] = stroke[stroke.length - 1];
    const [x, y] = roundPoint(point);
    return Math.hypot(x - lastX, y - lastY) >= minPointDistance;
  }

  function reachLimit(message) {
    limitMessage = message;
    onLimit(message);
  }

  function countPoint() {
    pointCount++;
    if (pointCount >= maxPointsPerDigit) {
      reachLimit(
        `This drawing reached the limit of ${maxPointsPerDigit} points: it stops here (Clear to start again).`,
      );
    }
  }

  /** Quadratic segments through midpoints: smooth curves without lagging behind the pen. */
  function extendTo(point, record = true) {
    if (record) {
      strokes[strokes.length - 1].push(roundPoint(point));
      countPoint();
    }
    const midpoint = { x: (lastPoint.x + point.x) / 2, y: (lastPoint.y + point.y) / 2 };
    // A quadratic curve stays inside the triangle of its three points.
    cover(lastMidpoint, lastPoint, midpoint);
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
    if (limitMessage === null && strokes.length >= maxStrokesPerDigit) {
      reachLimit(`This drawing reached the limit of ${maxStrokesPerDigit} strokes (Clear to start again).`);
    }
    if (limitMessage !== null) {
      onLimit(limitMessage);
      return;
    }
    activePointer = event.pointerId;
    canvas.setPointerCapture(event.pointerId);
    styleContext();
    lastPoint = toCanvas(event);
    lastMidpoint = lastPoint;
    strokes.push([roundPoint(lastPoint)]);
    countPoint();
    dot(lastPoint); // a tap leaves a dot
    onStrokeMove();
  }

  function onPointerMove(event) {
    if (event.pointerId !== activePointer) return;
    event.preventDefault();
    // Coalesced events keep fast strokes smooth on high-rate pens and touchscreens.
    const events = typeof event.getCoalescedEvents === 'function' ? event.getCoalescedEvents() : [];
    for (const sample of events.length ? events : [event]) {
      const point = toCanvas(sample);
      if (limitMessage === null && addsInk(point)) extendTo(point);
    }
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
      const up = toCanvas(event);
      // A full drawing, or an up too close to add ink, ends where the last kept point is.
      const point = limitMessage === null && addsInk(up) ? up : lastPoint;
      const stroke = strokes[strokes.length - 1];
      const [[lastX, lastY], [upX, upY]] = [stroke[stroke.length - 1], roundPoint(point)];
      // A pointer-up where the last move was is implied by the stroke format (render.py redraws it).
      extendTo(point, upX !== lastX || upY !== lastY);
      cover(point);
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
    resize(newWidth, newHeight) {
      canvas.width = width = newWidth;
      canvas.height = height = newHeight;
      clear();
    },
    readInk() {
      const left = Math.max(0, Math.floor(inkLeft));
      const top = Math.max(0, Math.floor(inkTop));
      const inkWidth = Math.min(width, Math.ceil(inkRight)) - left;
      const inkHeight = Math.min(height, Math.ceil(inkBottom)) - top;
      if (!(inkWidth > 0 && inkHeight > 0)) return null; // nothing drawn, or only off the canvas
      return {
        data: context.getImageData(left, top, inkWidth, inkHeight).data,
        left,
        top,
        width: inkWidth,
        height: inkHeight,
      };
    },
    strokes: () => strokes.map((stroke) => stroke.map(([x, y]) => [x, y])),
    setStrokeWidth(width) {
      penWidth = width;
      styleContext();
    },
  };
}
