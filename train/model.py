"""The network: exactly the inference graph that is saved, exported and run in the browser.

inference_copy and save_model_atomically save it as the app and the export load it: uncompiled,
without optimizer state, written aside and loaded back before it replaces anything.

Augmentation is not in here (it lives in the tf.data pipeline, train/data.py): tfjs has no
RandomRotation/RandomZoom kernels, and the browser should run only what predicts.
"""

from __future__ import annotations

from pathlib import Path

import keras
import numpy as np
from keras import layers

from mnist_draw.atomic import replace_file
from mnist_draw.config import BLOCK_OUTPUT_NAMES, FIRST_CONV_NAME, INPUT_SHAPE, NOT_A_DIGIT, NUM_CLASSES
from train.config import TrainConfig


def conv_bn_relu(inputs, num_filters: int, kernel_size: int, *, strides: int = 1, padding: str = "valid", name: str):
    """Convolution without bias (BatchNorm supplies the shift) -> BatchNorm -> ReLU."""
    features = layers.Conv2D(
        num_filters, kernel_size, strides=strides, padding=padding, use_bias=False, name=f"{name}_conv"
    )(inputs)
    features = layers.BatchNormalization(name=f"{name}_bn")(features)
    return layers.ReLU(name=name)(features)


def build_model(config: TrainConfig = TrainConfig()) -> keras.Model:
    """(batch, 28, 28, 1) float32 in [0, 1] -> (batch, 10) softmax probabilities.

    Two blocks of 3x3, 3x3, strided 5x5 convolutions (the strided conv learns its own
    downsampling, which beat max-pooling per parameter in the Kaggle MNIST ensembles), then a
    4x4 convolution to 1x1x128 and a softmax. About 330k parameters, 1.3 MB of float32.
    """
    inputs = keras.Input(shape=INPUT_SHAPE, name="image")
    features = conv_bn_relu(inputs, 32, 3, name=FIRST_CONV_NAME.removesuffix("_conv"))  # 26x26
    features = conv_bn_relu(features, 32, 3, name="block1_b")  # 24x24
    features = conv_bn_relu(features, 32, 5, strides=2, padding="same", name=BLOCK_OUTPUT_NAMES[0])  # 12x12
    features = layers.Dropout(config.dropout_rate, name="block1_dropout")(features)
    features = conv_bn_relu(features, 64, 3, name="block2_a")  # 10x10
    features = conv_bn_relu(features, 64, 3, name="block2_b")  # 8x8
    features = conv_bn_relu(features, 64, 5, strides=2, padding="same", name=BLOCK_OUTPUT_NAMES[1])  # 4x4
    features = layers.Dropout(config.dropout_rate, name="block2_dropout")(features)
    features = conv_bn_relu(features, 128, 4, name="block3")  # 1x1
    features = layers.Flatten(name="flatten")(features)
    features = layers.Dropout(config.dropout_rate, name="head_dropout")(features)
    outputs = layers.Dense(NUM_CLASSES, activation="softmax", name="probabilities")(features)
    return keras.Model(inputs, outputs, name="mnist_cnn")


# The new "not a digit" unit starts as rare as a digit the model is sure is wrong: e^-4 against
# the digits' logits, so the widened model reads every digit as before until training moves it.
NOT_A_DIGIT_START_BIAS = -4.0


def with_not_a_digit(model: keras.Model) -> keras.Model:
    """A (batch, 28, 28, 1) -> (batch, 10) model -> the same model ending in (batch, 11): "not a digit" added.

    The body's layers are shared, not copied; the new softmax keeps the ten digits' weights and
    gives the 11th unit (index NOT_A_DIGIT) zero weights and NOT_A_DIGIT_START_BIAS, so a fine-tune
    teaches the class without first unlearning the digits.
    """
    head = model.get_layer("probabilities")
    kernel, bias = head.get_weights()
    if kernel.shape[-1] != NUM_CLASSES:
        raise ValueError(f"the model already has {kernel.shape[-1]} outputs, not {NUM_CLASSES}")
    widened = layers.Dense(NOT_A_DIGIT + 1, activation="softmax", name="probabilities")
    outputs = widened(head.input)
    widened.set_weights(
        [
            np.concatenate([kernel, np.zeros((kernel.shape[0], 1), kernel.dtype)], axis=1),
            np.append(bias, np.asarray(NOT_A_DIGIT_START_BIAS, bias.dtype)),
        ]
    )
    return keras.Model(model.inputs, outputs, name=model.name)


def weight_bytes(model: keras.Model) -> int:
    """Bytes of all weights (trainable and BatchNorm statistics) at their stored dtype."""
    return sum(int(weight.numpy().nbytes) for weight in model.weights)


def set_batch_norm_trainable(model: keras.Model, trainable: bool) -> keras.Model:
    """Freeze (False) or release (True) every BatchNorm layer of `model`, in place; returns `model`.

    A frozen Keras BatchNorm also runs in inference mode: it normalises with the moving
    statistics learned on the full run and leaves them alone. A fine-tune's small, skewed mix
    would otherwise pull those statistics towards itself and cost accuracy on everything else.
    """
    for layer in model.layers:
        if isinstance(layer, layers.BatchNormalization):
            layer.trainable = trainable
    return model


def inference_copy(model: keras.Model) -> keras.Model:
    """A plain, uncompiled copy of `model` outside any distribution strategy, with its weights.

    It carries no AdamW moments (they would triple the file for nothing the app, the export or
    the page uses) and evaluates on this process alone, with no other worker involved.
    """
    copy = model.__class__.from_config(model.get_config())  # clone_model would compile the copy too
    set_batch_norm_trainable(copy, True)  # a fine-tune froze them; the saved model is as trainable as any
    copy.set_weights(model.get_weights())
    return copy


def save_model_atomically(model: keras.Model, path: Path) -> None:
    """Save an inference copy of `model` to `path` (.keras): written aside, loaded back to prove it is whole, renamed in."""

    def save_and_reload(temporary: Path) -> None:
        inference_copy(model).save(temporary)
        keras.saving.load_model(temporary, compile=False)

    replace_file(path, save_and_reload)
