"""Hyperparameters of a training run: the frozen `TrainConfig`, one trailing comment per field.

`python -m train` takes its argparse defaults from `TrainConfig()`, so each default is written
once. Numbers shared with the app, the export and the page live in mnist_draw/config.py.
"""

from __future__ import annotations

import dataclasses


@dataclasses.dataclass(frozen=True)
class TrainConfig:
    """Hyperparameters of one training run; `python -m train --help` shows each one."""

    epochs: int = 20  # maximum epochs; early stopping may end sooner
    batch_size: int = 128  # images per gradient step
    learning_rate: float = 2e-3  # peak learning rate of the cosine schedule
    min_learning_rate: float = 1e-5  # where the cosine schedule ends
    weight_decay: float = 1e-4  # AdamW decoupled weight decay
    dropout_rate: float = 0.4  # dropout after each convolutional block
    validation_size: int = 5000  # images held out of the 60k training set for early stopping
    patience: int = 6  # epochs without val_loss improvement before stopping
    augment: bool = True  # random rotation, shift, zoom and stroke width while training
    rotation_degrees: float = 12.0  # augmentation: +- rotation
    shift_fraction: float = 0.12  # augmentation: +- shift, as a fraction of 28 pixels
    zoom_fraction: float = 0.15  # augmentation: +- zoom
    stroke_probability: float = 0.3  # augmentation: chance to thicken or thin the strokes
    slant: float = 0.3  # augmentation: +- horizontal shear, pixels sideways per pixel of height
    elastic_pixels: float = 1.5  # augmentation: +- displacement of a smooth random warp (28x28 pixels)
    pen_share: float = 0.25  # share of training images that are drawn pen digits; 0 trains on MNIST alone
    pen_renders: int = 3  # each training writer's digit is drawn this often (random size, place, pen)
    limit: int | None = None  # use only the first N MNIST images and N pen digits (smoke runs)
    seed: int = 42  # seeds Python, NumPy and TensorFlow

    def to_dict(self) -> dict:
        return dataclasses.asdict(self)
