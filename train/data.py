"""Training data as `tf.data` pipelines: splits, batches and augmentation.

MNIST itself is read by mnist_draw/mnist.py. Augmentation (rotation, shift, zoom, stroke width)
lives here, in the training pipeline, never in the exported model: tfjs has no kernels for
Keras's Random* layers.
"""

from __future__ import annotations

import keras
import numpy as np
import tensorflow as tf
from keras import layers

from train.config import TrainConfig


def split_validation(images: np.ndarray, labels: np.ndarray, validation_size: int, seed: int):
    """Shuffle once with `seed` and hold out `validation_size` images -> (train, validation) pairs."""
    if not 0 < validation_size < len(images):
        raise ValueError(f"validation_size must be between 1 and {len(images) - 1}, got {validation_size}")
    order = np.random.default_rng(seed).permutation(len(images))
    held_out, kept = order[:validation_size], order[validation_size:]
    return (images[kept], labels[kept]), (images[held_out], labels[held_out])


def make_augmenter(config: TrainConfig) -> keras.Sequential:
    """Random geometry for a batch (B, 28, 28, 1) in [0, 1]: how people's digits differ from MNIST's."""
    seed = config.seed
    return keras.Sequential(
        [
            layers.RandomRotation(config.rotation_degrees / 360.0, fill_mode="constant", seed=seed),
            layers.RandomZoom(config.zoom_fraction, fill_mode="constant", seed=seed + 1),
            layers.RandomTranslation(config.shift_fraction, config.shift_fraction, fill_mode="constant", seed=seed + 2),
        ],
        name="augment",
    )


def vary_stroke_width(images: tf.Tensor, probability: float, seed: int) -> tf.Tensor:
    """Thicken (2x2 dilation) or thin (2x2 erosion) a random `probability` share of (B, 28, 28, 1) images.

    Pens on the page and app are wider or thinner than MNIST's; this is the cheap stand-in.
    """
    dilated = tf.nn.max_pool2d(images, ksize=2, strides=1, padding="SAME")
    eroded = -tf.nn.max_pool2d(-images, ksize=2, strides=1, padding="SAME")
    draw = tf.random.uniform([tf.shape(images)[0], 1, 1, 1], seed=seed)
    return tf.where(draw < probability / 2, dilated, tf.where(draw < probability, eroded, images))


def make_dataset(images: np.ndarray, labels: np.ndarray, config: TrainConfig, *, training: bool) -> tf.data.Dataset:
    """uint8 images (N, 28, 28) + labels (N,) -> batches of ((B, 28, 28, 1) float32 [0, 1], (B,) int).

    Training batches are shuffled (reshuffled each epoch) and augmented; evaluation batches are not.
    """
    dataset = tf.data.Dataset.from_tensor_slices((images, labels.astype(np.int32)))
    if training:
        dataset = dataset.shuffle(len(images), seed=config.seed, reshuffle_each_iteration=True)
    dataset = dataset.batch(config.batch_size)
    dataset = dataset.map(lambda batch, target: (tf.cast(batch, tf.float32)[..., tf.newaxis] / 255.0, target), num_parallel_calls=tf.data.AUTOTUNE)
    if training and config.augment:
        augmenter = make_augmenter(config)
        if config.stroke_probability > 0:
            dataset = dataset.map(lambda batch, target: (vary_stroke_width(batch, config.stroke_probability, config.seed), target), num_parallel_calls=tf.data.AUTOTUNE)
        dataset = dataset.map(lambda batch, target: (augmenter(batch, training=True), target), num_parallel_calls=tf.data.AUTOTUNE)
    return dataset.prefetch(tf.data.AUTOTUNE)

