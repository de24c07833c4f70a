"""The one place every shared number is written down.

Image geometry, class labels, the canvas and preprocessing parameters are read by
`train/`, `export/` (which copies them into `web/model/metadata.json` for the page) and
`streamlit_app.py`. Hyperparameters live in the frozen `TrainConfig`; the CLI takes its
defaults from it, so each default is written once.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

# --- The model's input and output -------------------------------------------------------
IMAGE_SIZE = 28  # MNIST images are 28x28 pixels, white ink (1.0) on black (0.0).
NUM_CLASSES = 10
CLASS_LABELS = tuple(str(digit) for digit in range(NUM_CLASSES))
INPUT_SHAPE = (IMAGE_SIZE, IMAGE_SIZE, 1)

# --- Drawing and preprocessing (twin: web/js/preprocess.js reads these from metadata) ---
CANVAS_SIZE = 280  # drawing surface in pixels; 10x the model input, so strokes stay smooth
STROKE_WIDTH = 22  # default pen width on that canvas; about MNIST's stroke once scaled down
STROKE_WIDTH_RANGE = (8, 40)  # what the pen-width slider offers
FIT_BOX = 20  # MNIST scales each digit's bounding box to fit 20x20 inside the 28x28 field
INK_THRESHOLD = 0.1  # ink below this (0..1) is anti-aliasing dust, not part of the digit
UNSURE_BELOW = 0.6  # a top probability under this is shown as "not sure"

# --- Files ----------------------------------------------------------------------------
PROJECT_ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS_DIR = PROJECT_ROOT / "artifacts"
MODEL_FILENAME = "mnist.keras"
METRICS_FILENAME = "metrics.json"
DEFAULT_MODEL_PATH = ARTIFACTS_DIR / MODEL_FILENAME
WEB_MODEL_DIR = PROJECT_ROOT / "web" / "model"
DATA_DIR_ENV = "MNIST_DATA_DIR"  # a folder with the four IDX .gz files; see train/data.py


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
    limit: int | None = None  # use only the first N training images (smoke runs)
    seed: int = 42  # seeds Python, NumPy and TensorFlow

    def to_dict(self) -> dict:
        return dataclasses.asdict(self)
