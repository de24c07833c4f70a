"""Hyperparameters of a training run: the frozen `TrainConfig`, one trailing comment per field.

A recipe (train/recipes/*.toml, read by train/recipe.py) sets some fields per stage and
`TrainConfig()`'s defaults fill in the rest, so each default is written once; `check()` is the one
place their ranges are enforced. Numbers shared with the app, the export and the page live in
mnist_draw/config.py.
`RunOptions` holds the rest of a run's command line: where data comes from and goes to, and
how the run is carried out, none of which changes what the model learns.
"""

from __future__ import annotations

import dataclasses
import math
from pathlib import Path

MNIST_TRAINING_IMAGES = 60_000  # the training set's size, which bounds validation_size


@dataclasses.dataclass(frozen=True)
class TrainConfig:
    """Hyperparameters of one training run (one stage of a recipe); `python -m train --set list` shows each one."""

    epochs: int = 16  # maximum epochs; early stopping may end sooner
    batch_size: int = 128  # images per gradient step
    learning_rate: float = 2e-3  # peak learning rate of the cosine schedule
    min_learning_rate: float = 1e-5  # where the cosine schedule ends
    weight_decay: float = 1e-4  # AdamW decoupled weight decay
    dropout_rate: float = 0.25  # dropout after each convolutional block
    validation_size: int = 5000  # images held out of the 60k training set for early stopping
    patience: int = 6  # epochs without val_loss improvement before stopping
    augment: bool = True  # random rotation, shift, zoom and stroke width while training
    rotation_degrees: float = 12.0  # augmentation: +- rotation
    shift_fraction: float = 0.1  # augmentation: +- shift, as a fraction of 28 pixels
    zoom_fraction: float = 0.1  # augmentation: +- zoom
    stroke_probability: float = 0.3  # augmentation: chance to thicken or thin the strokes
    pen_share: float = 0.2  # share of training images that are drawn pen digits; 0 trains on MNIST alone
    pen_renders: int = 3  # each training writer's digit is drawn this often (random size, place, pen)
    drawing_share: float = 0.1  # share of each epoch's images that are people's drawings, cycled to fill it
    drawing_renders: int = 20  # each of people's drawings is drawn this often (random size, place, pen)
    # What the start model misreads is what the person corrected. At weight 1 one such drawing among
    # fifty was hardly learnt; at 10 a writer's 3 that looks like a 2 made their own 2s read as 3.
    correction_weight: int = 5  # in a fine-tune, renders of drawings the start model misreads count this often
    fine_tune: bool = False  # start from a trained model (RunOptions.start_model) instead of random weights
    fine_tune_images: int = 12_000  # a fine-tune's MNIST images: a random subsample, so old skills are kept in minutes
    pen_labels: bool = False  # a fine-tune's pen digits learn their labels, not the start model's outputs
    # Weight-space ensembling (Wortsman et al., "Robust fine-tuning of zero-shot models"): a
    # fine-tune stays in its start model's basin and keeps its BatchNorm statistics, so the
    # average of the two is a model too, often better than either where each is best.
    blend_start: float = 0.0  # share of the start model's weights in the saved fine-tuned model, in [0, 1)
    # Learning without forgetting: a fine-tune that copies its teachers (the start model on pen
    # digits, the MNIST-only model on MNIST) moves only where people's drawings pull, not everywhere.
    distill: float = 0.0  # share of the teachers' outputs in the targets of all but people's drawings
    # Hinton et al.'s temperature (train/distill.py): softened, a teacher's small probabilities say
    # how near each digit is to the other classes, so a student keeps its margins, not only its
    # top guesses, and a person's fine-tune moves other writers' digits less.
    temperature: float = 1.0  # teachers' and student's probabilities are softened by this in the distilled part
    # Drawings of no digit (train/not_a_digit.py: real training digits turned on their side, and
    # made-up scribbles, letters, shapes, dots, lines and crammed digits), drawn like the pen digits
    # and labelled "not a digit": the picture shows what a pen path cannot, such as a tap being a
    # dot and not a 1. Above 0 a 10-output start model gets an 11th output (train/model.py).
    non_digit_share: float = 0.0  # share of the training images that are no digit (made from the pen digits)
    limit: int | None = None  # use only the first N MNIST images and N pen digits (smoke runs)
    seed: int = 42  # seeds Python, NumPy and TensorFlow

    def to_dict(self) -> dict:
        return dataclasses.asdict(self)

    def check(self) -> None:
        """ValueError, one line naming the setting, for any value out of range or settings that do not go together."""
        at_least = {
            "epochs": 1,
            "batch_size": 1,
            "validation_size": 1,
            "patience": 0,
            "pen_renders": 1,
            "drawing_renders": 1,
            "correction_weight": 1,
            "fine_tune_images": 1,
            "seed": 0,
        }
        for name, low in at_least.items():
            if getattr(self, name) < low:
                raise ValueError(f"{name} must be at least {low}, got {getattr(self, name)}")
        if self.limit is not None and self.limit < 1:
            raise ValueError(f"limit must be at least 1, got {self.limit}")
        in_range = {
            "dropout_rate": (0, 0.9),
            "zoom_fraction": (0, 0.5),
            "shift_fraction": (0, 0.5),
            "rotation_degrees": (0, 180),
            "stroke_probability": (0, 1),
            "distill": (0, 1),
            "weight_decay": (0, 1),
        }
        for name, (low, high) in in_range.items():
            value = getattr(self, name)
            if not (math.isfinite(value) and low <= value <= high):
                raise ValueError(f"{name} must be in [{low:g}, {high:g}], got {value}")
        if self.validation_size >= MNIST_TRAINING_IMAGES:
            raise ValueError(
                f"validation_size must be below MNIST's {MNIST_TRAINING_IMAGES:,} training images, got {self.validation_size}"
            )
        if self.seed >= 2**32:
            raise ValueError(f"seed must be below 2**32, got {self.seed}")
        for name in ("learning_rate", "min_learning_rate"):
            value = getattr(self, name)
            if not (math.isfinite(value) and 0 < value <= 1):
                raise ValueError(f"{name} must be a positive number up to 1, got {value}")
        if not 0 <= self.pen_share < 1:
            raise ValueError(f"pen_share must be in [0, 1), got {self.pen_share}")
        if not 0 <= self.non_digit_share < 1:
            raise ValueError(f"non_digit_share must be in [0, 1), got {self.non_digit_share}")
        if not 0 < self.drawing_share < 1:
            raise ValueError(f"drawing_share must be in (0, 1), got {self.drawing_share}")
        if not (math.isfinite(self.temperature) and 0 < self.temperature <= 100):
            raise ValueError(f"temperature must be a positive number up to 100, got {self.temperature}")
        if not (math.isfinite(self.blend_start) and 0 <= self.blend_start < 1):
            raise ValueError(f"blend_start must be in [0, 1), got {self.blend_start}")
        if self.distill and not self.fine_tune:
            raise ValueError("distill makes a start model's outputs the targets: it needs fine_tune = true")
        if self.temperature != 1 and not self.distill:
            raise ValueError("temperature softens a teacher's outputs: it needs distill above 0")
        if self.pen_labels and not (self.fine_tune and self.distill):
            raise ValueError(
                "pen_labels leaves MNIST to the start model's outputs: it needs fine_tune and distill above 0"
            )
        if self.blend_start and not self.fine_tune:
            raise ValueError("blend_start blends a fine-tune with the model it started from: it needs fine_tune = true")


@dataclasses.dataclass(frozen=True)
class RunOptions:
    """Where a run reads and writes, and how it is carried out; `python -m train --help` shows each one."""

    out: Path  # the artifacts set goes here (chief only), with checkpoints/ and tensorboard/
    data: Path | None = None  # MNIST IDX folder; None: $MNIST_DATA_DIR or Keras's download
    pen_data: Path | None = None  # UCI pen digits folder; None: $PENDIGITS_DATA_DIR or download
    baseline: Path | None = None  # another .keras model measured on the same digits, for comparison
    drawings: tuple[Path, ...] = ()  # people's stroke files, or folders of them, added to the mix
    start_model: Path | None = None  # fine-tune: the model training starts from
    strategy: str = "default"  # default | mirrored | multiworker (train/distribute.py)
    resume: bool = False  # continue from the last epoch's backup in out/checkpoints/resume
    force: bool = False  # replace the model even when the new one is clearly worse (train/gate.py)
