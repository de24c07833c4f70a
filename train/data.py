"""Training data as `tf.data` pipelines: splits, the MNIST + pen-digit mix, batches, augmentation.

MNIST is read by digit_data/mnist.py, pen trajectories by digit_data/pendigits.py (train/pen.py
renders them into model inputs). Augmentation (rotation, zoom, shift, stroke width) lives here, in the training pipeline, never
in the exported model: tfjs has no kernels for Keras's Random* layers, and the browser should
run only what predicts.
"""

from __future__ import annotations

import keras
import numpy as np
import tensorflow as tf
from keras import layers

from mnist_draw.config import NUM_CLASSES
from train import distill
from train.config import TrainConfig

# Where each training image comes from (`make_dataset`'s `sources`): a distilling fine-tune
# takes each one's targets from a different place.
MNIST, PEN, PEOPLE = 0, 1, 2


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


def steps_per_epoch(image_count: int, config: TrainConfig) -> int:
    """Batches in one epoch of `image_count` training images: every image about once, at least one batch."""
    return max(1, image_count // config.batch_size)


def make_dataset(
    images: np.ndarray,
    labels: np.ndarray,
    config: TrainConfig,
    *,
    training: bool,
    teacher: keras.Model | None = None,
    sources: np.ndarray | None = None,
    mnist_teacher: keras.Model | None = None,
    classes: int = NUM_CLASSES,
) -> tf.data.Dataset:
    """uint8 images (N, 28, 28) + labels (N,) -> batches of ((B, 28, 28, 1) float32 [0, 1], (B,) int).

    Training batches are shuffled (reshuffled on every pass), augmented and endless: fit reads
    `steps_per_epoch(N, config)` of them an epoch from one iterator, because destroying a tf.data
    iterator at each epoch's end can deadlock TensorFlow (seen once in a 20-epoch run: the main
    thread waiting forever in the iterator's destructor). Evaluation batches are one plain pass.

    With a `teacher` (a fine-tune's start model) or an `mnist_teacher` (a model trained on MNIST
    alone) the targets are (B, 2 * classes) label and teacher parts instead (train/distill.py): in
    training, `distill_targets` of each augmented batch, with `sources` (N,) saying where each
    image comes from (MNIST, PEN or PEOPLE); in evaluation, the labels alone.
    """
    distilling = teacher is not None or mnist_teacher is not None
    if distilling and training:
        columns = (images, labels.astype(np.int32), np.asarray(sources, np.int32))
    else:
        columns = (images, labels.astype(np.int32))
    dataset = tf.data.Dataset.from_tensor_slices(columns)
    if training:
        dataset = dataset.shuffle(len(images), seed=config.seed, reshuffle_each_iteration=True).repeat()
    dataset = dataset.batch(config.batch_size)
    dataset = dataset.map(
        lambda batch, *targets: (tf.cast(batch, tf.float32)[..., tf.newaxis] / 255.0, *targets),
        num_parallel_calls=tf.data.AUTOTUNE,
    )
    if training and config.augment:
        geometry = make_augmenter(config)
        dataset = dataset.map(
            lambda batch, *targets: (augment(batch, config, geometry), *targets), num_parallel_calls=tf.data.AUTOTUNE
        )
    if distilling and training:
        dataset = dataset.map(
            lambda batch, target, source: (
                batch,
                distill_targets(batch, target, source, teacher, config.distill, mnist_teacher, classes),
            ),
            num_parallel_calls=tf.data.AUTOTUNE,
        )
    elif distilling:
        dataset = dataset.map(lambda batch, target: (batch, distill.label_targets(target, classes)))
    return dataset.prefetch(tf.data.AUTOTUNE)


def distill_targets(
    images: tf.Tensor,
    labels: tf.Tensor,
    sources: tf.Tensor,
    teacher: keras.Model | None,
    share: float,
    mnist_teacher: keras.Model | None = None,
    classes: int = NUM_CLASSES,
) -> tf.Tensor:
    """(B, 28, 28, 1) images, (B,) labels, (B,) sources (MNIST, PEN, PEOPLE) -> (B, 2 * classes) targets (train/distill.py).

    People's drawings keep their one-hot labels. Every other image learns `share` (0 to 1) from
    the teacher's output on that same augmented image and the rest from its one-hot label: at
    share 1 a student that still equals its teacher gets no pull there, so a fine-tune changes
    the model where the drawings disagree with it and hardly anywhere else.

    With an `mnist_teacher` (a model trained on MNIST alone), MNIST images learn from it instead,
    while pen digits learn from `teacher`, or from their labels when there is none (a fresh
    run): the student takes each skill from where it is best taught.
    """
    one_hot = tf.one_hot(labels, classes)
    taught = one_hot if teacher is None else distill.widen(teacher(images, training=False), classes)
    if mnist_teacher is not None:
        from_mnist_teacher = distill.widen(mnist_teacher(images, training=False), classes)
        taught = tf.where((sources == MNIST)[:, tf.newaxis], from_mnist_teacher, taught)
    weight = share * tf.cast(sources != PEOPLE, tf.float32)[:, tf.newaxis]
    return distill.pack_targets(one_hot, taught, weight)


def augment(images: tf.Tensor, config: TrainConfig, geometry: keras.Sequential) -> tf.Tensor:
    """(B, 28, 28, 1) float32 in [0, 1] -> the same batch, each image randomly redrawn as a person might.

    Stroke width first (on the clean image), then `geometry` (make_augmenter: rotation, zoom
    and shift).
    """
    seed = config.seed
    if config.stroke_probability > 0:
        images = vary_stroke_width(images, config.stroke_probability, seed)
    return geometry(images, training=True)
