"""The one place every shared number is written down.

Image geometry, class labels, the canvas and preprocessing parameters, layer names and file
locations are read by the runtime (this package), `train/`, `export/` (which copies them into
`web/model/metadata.json` for the page), `bench/` and `streamlit_app.py`. Training
hyperparameters are not here: they live in train/config.py's frozen `TrainConfig`.
"""

from __future__ import annotations

from pathlib import Path

# --- The model's input and output -------------------------------------------------------
IMAGE_SIZE = 28  # MNIST images are 28x28 pixels, white ink (1.0) on black (0.0).
NUM_CLASSES = 10
CLASS_LABELS = tuple(str(digit) for digit in range(NUM_CLASSES))
# Either model may have one class more than the ten digits: "not a digit" (mnist_draw/fusion.py).
NOT_A_DIGIT = NUM_CLASSES  # its index in such a model's output
NOT_A_DIGIT_TEXT = "?"  # what every front end shows for it, alone and inside a number
INPUT_SHAPE = (IMAGE_SIZE, IMAGE_SIZE, 1)

# --- Drawing and preprocessing (twin: web/js/preprocess.js reads these from metadata) ---
CANVAS_SIZE = 280  # drawing surface in pixels; 10x the model input, so strokes stay smooth
STROKE_WIDTH = 22  # default pen width on that canvas; about MNIST's stroke once scaled down
STROKE_WIDTH_RANGE = (8, 40)  # what the pen-width slider offers
FIT_BOX = 20  # MNIST scales each digit's bounding box to fit 20x20 inside the 28x28 field
INK_THRESHOLD = 0.1  # ink below this (0..1) is anti-aliasing dust, not part of the digit
UNSURE_BELOW = 0.6  # a top probability under this is shown as "not sure"

# --- The bound on a drawing: every reader and writer of strokes holds to it ----------------
# Mirrored for the browser by web/js/limits.js, which `python -m mnist_draw.strokes` generates from
# these (tests/test_drawing_limits.py checks it is current). The canvases stop recording at the
# point and stroke bounds; readers refuse a file past any of them before parsing more of it.
MIN_POINT_DISTANCE = 0.5  # canvas pixels: a pointer move closer than this to the last kept point adds no ink
MAX_POINTS_PER_DIGIT = 2000  # about 10x a slow, careful digit; pen digits have at most 185
MAX_STROKES_PER_DIGIT = 50  # a digit is 1-3 strokes; dotted ones a few dozen
MAX_DIGITS_PER_FILE = 1000  # also how many drawings one visitor may keep, so their download stays readable
# Any file within the bounds above fits (2000 points of "[-500.25, -500.25], " are 40 kB a digit).
MAX_STROKE_FILE_BYTES = 48 * 1024 * 1024

# --- Learning at once from a person's kept drawings (mnist_draw/adapt.py; twin web/js/adapt.js) ---
# Mirrored for the browser by web/js/adaptParams.js, which `python -m mnist_draw.adapt` generates
# (tests/test_adapt.py checks it is current). Chosen by bench/adapt_simulation.py on the training
# writers (docs/teach-it.md, "Learns at once").
ADAPT_RADIUS = 0.28  # RMS pen-path feature distance at which a kept drawing stops counting at all
ADAPT_HALF_STRENGTH = 0.6  # the vote strength at which the kept drawings weigh as much as the models

# --- Layer names: the contract between train/model.py and the look-inside views -------------
FIRST_CONV_NAME = "block1_a_conv"  # the first Conv2D: 32 kernels of 3x3 on the grey channel
BLOCK_OUTPUT_NAMES = ("block1", "block2")  # ReLU outputs of the first two convolutional blocks

# --- Files ----------------------------------------------------------------------------
PROJECT_ROOT = Path(__file__).resolve().parent.parent


def project_relative(path: str | Path) -> str:
    """A path as the user would type it from the project root (absolute when outside it): what
    reports and metrics.json record, so that they read the same on every clone."""
    path = Path(path).resolve()
    return str(path.relative_to(PROJECT_ROOT)) if path.is_relative_to(PROJECT_ROOT) else str(path)


ARTIFACTS_DIR = PROJECT_ROOT / "artifacts"
MODEL_FILENAME = "mnist.keras"
METRICS_FILENAME = "metrics.json"
DEFAULT_MODEL_PATH = ARTIFACTS_DIR / MODEL_FILENAME
# A model trained on MNIST alone: the baseline of every table, and a fine-tune's MNIST teacher.
MNIST_ONLY_MODEL_PATH = ARTIFACTS_DIR / "mnist-only" / MODEL_FILENAME
# The stroke model's set (model, and metrics.json with the fusion weight) in a folder beside
# mnist.keras, so one --out holds both models (train/stroke_training.py, mnist_draw/fusion.py).
STROKE_DIR_NAME = "stroke"
STROKE_MODEL_FILENAME = "stroke.keras"
WEB_MODEL_DIR = PROJECT_ROOT / "web" / "model"
DATA_DIR_ENV = "MNIST_DATA_DIR"  # a folder with the four IDX .gz files; see digit_data/mnist.py
