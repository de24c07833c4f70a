"""metadata.json: everything the page and the app need besides the weights.

Every number comes from mnist_draw/config.py or from the run's own record (metrics.json beside
the model); web/js/model.js and the app read it instead of repeating any.
"""

from __future__ import annotations

import json
from pathlib import Path

from export.check import read_model_json, signature_names, weight_files
from export.targets import ACTIVATIONS_DIR
from mnist_draw.checksums import sha256_of
from mnist_draw.config import (
    CANVAS_SIZE,
    CLASS_LABELS,
    INPUT_SHAPE,
    METRICS_FILENAME,
    NOT_A_DIGIT,
    PROJECT_ROOT,
    STROKE_DIR_NAME,
    STROKE_WIDTH,
    STROKE_WIDTH_RANGE,
    UNSURE_BELOW,
)
from mnist_draw.preprocess import preprocess_parameters


def tfjs_npm_version() -> str | None:
    """The exactly pinned @tensorflow/tfjs version from package.json, or None."""
    try:
        return json.loads((PROJECT_ROOT / "package.json").read_text())["dependencies"]["@tensorflow/tfjs"]
    except (OSError, ValueError, KeyError):
        return None


def training_record(model_path: Path) -> dict:
    """metrics.json written by `python -m train` beside the model, or {} if there is none."""
    try:
        return json.loads((Path(model_path).parent / METRICS_FILENAME).read_text())
    except (OSError, ValueError):
        return {}


def output_description(output_key: str, width: int) -> dict:
    """The image graph's output: its signature key, its width (10 digits, or 11 with "not a digit"
    last), the ten digit labels the page shows, and the index of "not a digit" (None without it)."""
    return {
        "name": output_key,
        "shape": [width],
        "labels": list(CLASS_LABELS),
        "not_a_digit": NOT_A_DIGIT if width == len(CLASS_LABELS) + 1 else None,
    }


def build_metadata(
    *,
    model,
    model_path: Path,
    web_dir: Path,
    shipped: dict,
    default_variant: str,
    trials: dict,
    verification: dict,
    activations: dict | None = None,
    stroke: dict | None = None,
) -> dict:
    """Everything the page and the app need besides the weights; every number from mnist_draw/config.py."""
    import keras
    import tensorflow as tf
    import tensorflowjs

    input_key, output_key = signature_names(read_model_json(web_dir / "float32"))
    weights_sha256 = {}
    folders = [*shipped, *([ACTIVATIONS_DIR] if activations else []), *([STROKE_DIR_NAME] if stroke else [])]
    for variant in folders:
        for shard in weight_files(read_model_json(web_dir / variant)):
            weights_sha256[f"{variant}/{shard}"] = sha256_of(web_dir / variant / shard)
    training = training_record(model_path)
    return {
        "format": "tfjs-graph-model",
        "default_variant": default_variant,
        "variants": shipped,
        "input": {
            "name": input_key,
            "shape": list(INPUT_SHAPE),
            "dtype": "float32",
            "range": [0, 1],
            "polarity": "white ink (1.0) on black (0.0)",
        },
        "output": output_description(output_key, int(model.output_shape[-1])),
        "preprocess": preprocess_parameters(),  # the model-input recipe: web/js/preprocess.js's params
        "page": {  # the drawing page's settings, not part of the recipe
            "canvas_size": CANVAS_SIZE,
            "stroke_width": STROKE_WIDTH,
            "stroke_width_range": list(STROKE_WIDTH_RANGE),
            "unsure_below": UNSURE_BELOW,
        },
        "activations": activations,  # the "Look inside" graph (export_activations); None if not exported
        "stroke": stroke,  # the pen-path model and its fusion weight (export/stroke.py); None: pictures alone
        "test_accuracy": training.get("test_accuracy"),
        "parameters": int(model.count_params()),
        "versions": {
            "tensorflow": tf.__version__,
            "keras": keras.__version__,
            "tensorflowjs": tensorflowjs.__version__,
            "tfjs": tfjs_npm_version(),
        },
        "training": training.get("config"),
        "quantization_trials": trials,
        "verification": verification,
        "weights_sha256": weights_sha256,
        "source_model_sha256": sha256_of(model_path),
    }
