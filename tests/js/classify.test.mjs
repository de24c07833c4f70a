/**
 * web/js/classify.js under Node with the real @tensorflow/tfjs (CPU backend): probabilities
 * come back as plain arrays and no tensor is left behind (tfjs e2e's leak check).
 * The exported graph model itself is checked by tests/test_export_parity.py (Node) and
 * tests/test_web.py (Chromium, through the page's own loading code).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';

import * as tf from '@tensorflow/tfjs';

import { argmax, channelMaps, classify, classifyBatch } from '../../web/js/classify.js';

const INPUT_SHAPE = [28, 28, 1];
const IMAGE_LENGTH = 28 * 28;

/** A small seeded softmax classifier with the page model's input and output shapes. */
function tinyModel() {
  const model = tf.sequential();
  model.add(
    tf.layers.conv2d({
      inputShape: INPUT_SHAPE,
      filters: 4,
      kernelSize: 3,
      activation: 'relu',
      kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }),
    }),
  );
  model.add(tf.layers.flatten());
  model.add(
    tf.layers.dense({
      units: 10,
      activation: 'softmax',
      kernelInitializer: tf.initializers.glorotUniform({ seed: 2 }),
    }),
  );
  return model;
}

test('classify returns ten probabilities summing to one', async () => {
  const model = tinyModel();
  const image = Float32Array.from({ length: IMAGE_LENGTH }, (_, index) => (index % 7) / 7);
  const probabilities = await classify(tf, model, image, INPUT_SHAPE);
  assert.equal(probabilities.length, 10);
  assert.ok(Math.abs(probabilities.reduce((sum, value) => sum + value, 0) - 1) < 1e-5);
  assert.equal(argmax(probabilities), probabilities.indexOf(Math.max(...probabilities)));
  model.dispose();
});

test('batch and single predictions agree', async () => {
  const model = tinyModel();
  const images = Float32Array.from({ length: 3 * IMAGE_LENGTH }, (_, index) => ((index * 31) % 11) / 11);
  const batch = await classifyBatch(tf, model, images, INPUT_SHAPE);
  for (let image = 0; image < 3; image++) {
    const pixels = images.subarray(image * IMAGE_LENGTH, (image + 1) * IMAGE_LENGTH);
    const single = await classify(tf, model, pixels, INPUT_SHAPE);
    single.forEach((value, label) => assert.ok(Math.abs(value - batch[image * 10 + label]) < 1e-6));
  }
  model.dispose();
});

test('tensor count stays flat over many predictions', async () => {
  const model = tinyModel();
  const image = new Float32Array(IMAGE_LENGTH).fill(0.5);
  await classify(tf, model, image, INPUT_SHAPE);
  const before = tf.memory().numTensors;
  for (let run = 0; run < 50; run++) await classify(tf, model, image, INPUT_SHAPE);
  assert.equal(tf.memory().numTensors, before);
  model.dispose();
});

test('input of the wrong length is refused with the expected size', async () => {
  const model = tinyModel();
  await assert.rejects(classifyBatch(tf, model, new Float32Array(100), INPUT_SHAPE), /multiple of 784/);
  model.dispose();
});

test('channelMaps scales each channel to [0, 1] on its own, channel-first', () => {
  // 2x2 pixels, 2 channels, channel-last: channel 0 = 1, 2, 3, 5; channel 1 = constant 7.
  const raw = Float32Array.from([1, 7, 2, 7, 3, 7, 5, 7]);
  const maps = channelMaps(raw, [2, 2, 2]);
  assert.deepEqual(Array.from(maps), [0, 0.25, 0.5, 1, 0, 0, 0, 0]);
});
