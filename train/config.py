"""Hyperparameters of a training run: the frozen `TrainConfig`, one trailing comment per field.

`python -m train` takes its argparse defaults from `TrainConfig()`, so each default is written
once. Numbers shared with the app, the export and the page live in mnist_draw/config.py.
`RunOptions` holds the rest of a run's command line: where data comes from and goes to, and
how the run is carried out, none of which changes what the model learns.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path


@dataclasses.dataclass(frozen=True)
class TrainConfig:
    """Hyperparameters of one training run; `python -m train --help` shows each one."""

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
    # Off by default: a 12-epoch run with slant 0.3 and a 1.5-pixel warp underfit (98.8% on MNIST).
    slant: float = 0.0  # augmentation: +- horizontal shear, pixels sideways per pixel of height
    elastic_pixels: float = 0.0  # augmentation: +- displacement of a smooth random warp (28x28 pixels)
    pen_share: float = 0.2  # share of training images that are drawn pen digits; 0 trains on MNIST alone
    pen_renders: int = 3  # each training writer's digit is drawn this often (random size, place, pen)
    drawing_share: float = (
        0.1  # share of each epoch's images that are people's drawings (--drawings), cycled to fill it
    )
    drawing_renders: int = 20  # each of people's drawings is drawn this often (random size, place, pen)
    # What the start model misreads is what the person corrected. At weight 1 one such drawing among
    # fifty was hardly learnt; at 10 a writer's 3 that looks like a 2 made their own 2s read as 3.
    correction_weight: int = 5  # in a fine-tune, renders of drawings the start model misreads count this often
    fine_tune: bool = False  # start from a trained model (RunOptions.start_model) instead of random weights
    fine_tune_epochs: int = 3  # a fine-tune's default epochs: a short schedule
    fine_tune_learning_rate: float = (
        3e-4  # a fine-tune's default peak learning rate: small steps keep what the model knows
    )
    fine_tune_images: int = 12_000  # a fine-tune's MNIST images: a random subsample, so old skills are kept in minutes
    pen_labels: bool = False  # a fine-tune's pen digits learn their labels, not the start model's outputs
    # Weight-space ensembling (Wortsman et al., "Robust fine-tuning of zero-shot models"): a
    # fine-tune stays in its start model's basin and keeps its BatchNorm statistics, so the
    # average of the two is a model too, often better than either where each is best.
    blend_start: float = 0.0  # share of the start model's weights in the saved fine-tuned model, in [0, 1)
    # Learning without forgetting: a fine-tune that copies its teachers (the start model on pen
    # digits, the MNIST-only model on MNIST) moves only where people's drawings pull, not everywhere.
    distill: float = 0.0  # share of the teachers' outputs in the targets of all but people's drawings
    fine_tune_distill: float = 1.0  # the default distill of a fine-tune or a run with an MNIST teacher
    # Hinton et al.'s temperature (train/distill.py): softened, a teacher's small probabilities say
    # how near each digit is to the other classes, so a student keeps its margins, not only its
    # top guesses, and a person's fine-tune moves other writers' digits less.
    temperature: float = 1.0  # teachers' and student's probabilities are softened by this in the distilled part
    fine_tune_temperature: float = 4.0  # a fine-tune's default temperature
    limit: int | None = None  # use only the first N MNIST images and N pen digits (smoke runs)
    seed: int = 42  # seeds Python, NumPy and TensorFlow

    def to_dict(self) -> dict:
        return dataclasses.asdict(self)


@dataclasses.dataclass(frozen=True)
class RunOptions:
    """Where a run reads and writes, and how it is carried out; `python -m train --help` shows each one."""

    out: Path  # the artifacts set goes here (chief only), with checkpoints/ and tensorboard/
    data: Path | None = None  # MNIST IDX folder; None: $MNIST_DATA_DIR or Keras's download
    pen_data: Path | None = None  # UCI pen digits folder; None: $PENDIGITS_DATA_DIR or download
    baseline: Path | None = None  # another .keras model measured on the same digits, for comparison
    drawings: tuple[Path, ...] = ()  # people's stroke files, or folders of them, added to the mix
    start_model: Path | None = None  # fine-tune: the model training starts from
    mnist_teacher: Path | None = None  # distilling fine-tune: MNIST images learn this model's outputs instead
    strategy: str = "default"  # default | mirrored | multiworker (train/distribute.py)
    cpu_replicas: int | None = None  # mirrored: split the CPU into this many logical devices
    resume: bool = False  # continue from the last epoch's backup in out/checkpoints/resume
    force: bool = False  # replace the model even when the new one is clearly worse (train/gate.py)
