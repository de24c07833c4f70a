"""The stroke model: a small 1-D CNN over the pen path (mnist_draw/pen_path.py features).

Only Conv1D, pooling, Dense and Dropout, all of which TF.js graph models run; augmentation is in
train/stroke_data.py, never in here, for the same reason as the image model (train/model.py).
"""

from __future__ import annotations

import dataclasses

from mnist_draw.config import NUM_CLASSES
from mnist_draw.pen_path import FEATURE_NAMES, PATH_POINTS


@dataclasses.dataclass(frozen=True)
class StrokeModelConfig:
    """Size and training of the stroke model; bench/stroke_cv.py measures these on held-out writers."""

    n_points: int = PATH_POINTS  # resampled path points the model reads
    num_filters: int = 64  # first block's filters; the second block has twice as many
    dropout_rate: float = 0.3  # dropout before the dense head
    epochs: int = 12  # passes over the writers, each with a fresh augmentation of every digit
    batch_size: int = 128  # paths per gradient step
    learning_rate: float = 2e-3  # Adam's peak rate, decayed by a cosine over the run


def build_stroke_model(config: StrokeModelConfig = StrokeModelConfig(), num_classes: int = NUM_CLASSES):
    """(batch, n_points, 5) float32 path features -> (batch, num_classes) softmax probabilities.

    num_classes: 10 digits, or 11 with "not a digit" last (mnist_draw/config.py NOT_A_DIGIT).

    Two blocks of two 5-wide convolutions and a halving max-pool, then global average and max
    pooling (a digit's stroke pieces matter wherever along the path they fall) and a dense head.
    About 18k parameters at the shipped recipe's 20 filters, 180k at 64.
    """
    import keras  # here, not at the top: recipes read StrokeModelConfig without loading TensorFlow
    from keras import layers

    inputs = keras.Input(shape=(config.n_points, len(FEATURE_NAMES)), name="pen_path")
    features = inputs
    for block, num_filters in enumerate((config.num_filters, 2 * config.num_filters), start=1):
        for step in ("a", "b"):
            features = layers.Conv1D(
                num_filters, 5, padding="same", activation="relu", name=f"stroke_block{block}_{step}"
            )(features)
        features = layers.MaxPooling1D(2, name=f"stroke_block{block}_pool")(features)
    pooled = layers.Concatenate(name="stroke_pooled")(
        [
            layers.GlobalAveragePooling1D(name="stroke_mean")(features),
            layers.GlobalMaxPooling1D(name="stroke_max")(features),
        ]
    )
    pooled = layers.Dropout(config.dropout_rate, name="stroke_dropout")(pooled)
    hidden = layers.Dense(2 * config.num_filters, activation="relu", name="stroke_dense")(pooled)
    outputs = layers.Dense(num_classes, activation="softmax", name="probabilities")(hidden)
    return keras.Model(inputs, outputs, name="stroke_cnn")


def compile_stroke_model(model, config: StrokeModelConfig, steps_per_epoch: int, soft_targets: bool = False):
    """Adam with a cosine decay over the whole run (no validation-driven schedule: a fixed recipe per fold).

    Targets are labels (N,), or with `soft_targets` probabilities (N, classes), as a distilling fine-tune learns.
    """
    import keras

    schedule = keras.optimizers.schedules.CosineDecay(config.learning_rate, decay_steps=config.epochs * steps_per_epoch)
    loss = "categorical_crossentropy" if soft_targets else "sparse_categorical_crossentropy"
    model.compile(optimizer=keras.optimizers.Adam(schedule), loss=loss, metrics=["accuracy"])
    return model
