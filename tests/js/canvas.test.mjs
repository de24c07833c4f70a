/**
 * web/js/canvas.js under Node with a stand-in canvas: what it records from pointer events.
 * It drops moves that add no ink (closer than minPointDistance to the last kept point) and stops
 * at the drawing bound of web/js/limits.js, saying so once through onLimit.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { createDrawingCanvas } from '../../web/js/canvas.js';
import { DRAWING_LIMITS } from '../../web/js/limits.js';

const SIZE = 280;

/** A canvas element that records listeners and ignores drawing calls; 1 CSS pixel = 1 canvas pixel. */
function fakeCanvas() {
  const listeners = {};
  const context = new Proxy({}, { get: (target, name) => (name in target ? target[name] : () => {}), set: () => true });
  globalThis.requestAnimationFrame ??= () => 0;
  return {
    listeners,
    addEventListener: (type, listener) => (listeners[type] = listener),
    getContext: () => context,
    getBoundingClientRect: () => ({ left: 0, top: 0, width: SIZE, height: SIZE }),
    setPointerCapture: () => {},
  };
}

function pointer(type, x, y) {
  return { type, pointerId: 1, pointerType: 'mouse', button: 0, clientX: x, clientY: y, preventDefault() {} };
}

function drawingWith(limits = DRAWING_LIMITS) {
  const canvas = fakeCanvas();
  const messages = [];
  const drawing = createDrawingCanvas(canvas, {
    size: SIZE,
    strokeWidth: 22,
    limits,
    onLimit: (message) => messages.push(message),
  });
  const stroke = (points) => {
    const [[x, y], ...rest] = points;
    canvas.listeners.pointerdown(pointer('pointerdown', x, y));
    for (const [moveX, moveY] of rest) canvas.listeners.pointermove(pointer('pointermove', moveX, moveY));
    const [upX, upY] = points[points.length - 1];
    canvas.listeners.pointerup(pointer('pointerup', upX, upY));
  };
  return { drawing, stroke, messages };
}

test('moves closer than minPointDistance to the last kept point are not recorded', () => {
  const { drawing, stroke } = drawingWith();
  const jitter = Array.from({ length: 100_000 }, (_, index) => [100 + (index % 3) * 0.1, 100]);
  stroke([...jitter, [110, 100]]);
  assert.deepEqual(drawing.strokes(), [
    [
      [100, 100],
      [110, 100],
    ],
  ]);
});

test('moves at least minPointDistance apart are all recorded', () => {
  const { drawing, stroke } = drawingWith();
  const line = Array.from({ length: 50 }, (_, index) => [20 + index * DRAWING_LIMITS.minPointDistance, 40]);
  stroke(line);
  assert.equal(drawing.strokes()[0].length, 50);
});

test('a drawing stops at maxPointsPerDigit and says so once', () => {
  const { drawing, stroke, messages } = drawingWith();
  const scribble = Array.from({ length: 100_000 }, (_, index) => [
    20 + (index % 200),
    20 + (Math.floor(index / 200) % 200),
  ]);
  stroke(scribble);
  stroke([
    [5, 5],
    [50, 50],
  ]); // refused: the drawing is full
  const points = drawing.strokes().flat().length;
  assert.equal(points, DRAWING_LIMITS.maxPointsPerDigit);
  assert.equal(drawing.strokes().length, 1);
  assert.match(messages[0], new RegExp(`limit of ${DRAWING_LIMITS.maxPointsPerDigit} points`));
  drawing.clear(); // Clear starts again
  stroke([
    [5, 5],
    [50, 50],
  ]);
  assert.deepEqual(drawing.strokes(), [
    [
      [5, 5],
      [50, 50],
    ],
  ]);
});

test('a drawing stops at maxStrokesPerDigit and says so', () => {
  const { drawing, stroke, messages } = drawingWith();
  for (let index = 0; index <= DRAWING_LIMITS.maxStrokesPerDigit; index++) stroke([[10 + index, 10]]);
  assert.equal(drawing.strokes().length, DRAWING_LIMITS.maxStrokesPerDigit);
  assert.match(messages[0], new RegExp(`limit of ${DRAWING_LIMITS.maxStrokesPerDigit} strokes`));
});
