"""The stroke model beside the image model: stroke/stroke.keras -> web/model/stroke/, checked like the image model.

`python -m train` keeps the stroke model (a 1-D CNN over the pen path, train/stroke_model.py) in
a `stroke/` folder beside mnist.keras, with the fusion weight its run chose in that folder's
metrics.json. The export converts it like the image model (SavedModel -> TF.js graph model),
keeps the smallest weights on STROKE_VARIANTS' ladder whose top digit agrees with the Keras
model's on every check path (float32 always does), checks the converted graph in
TensorFlow (all check paths, FLOAT32_TOLERANCE for float32) and in real TF.js under Node (a
sample, STROKE_NODE_TOLERANCE of the TensorFlow run), and returns metadata.json's "stroke" entry.

Check paths: the held-out pen writers' digits (mnist_draw/held_out_writers.py) when the pen digits are on
this machine ($PENDIGITS_DATA_DIR or the download cache), else seeded random scribbles.
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

import numpy as np

from export.check import TfjsGraph, compare, node_available, predict_in_node, read_model_json, signature_names
from mnist_draw import fusion, pen_path
from mnist_draw.config import METRICS_FILENAME, STROKE_DIR_NAME
from mnist_draw.errors import one_line
from mnist_draw.inference import ModelError
from mnist_draw.stroke_inference import load_stroke_model

STROKE_NODE_DIGITS = 128  # paths checked in real TF.js (pure-JS CPU, slow); TensorFlow checks them all
STROKE_NODE_TOLERANCE = 1e-4  # TF.js vs TensorFlow on the same converted graph, per probability
RANDOM_PATHS = 256  # seeded scribbles when no pen digits are on this machine
# Weights the export tries, smallest first, as the converter's quantization maps. The page and the
# app must give one person the same answer, so the stroke model is held to the same top digit as
# Keras on every check path, not the image model's 99.9%; keeping the small output layer in
# float16 buys that for ~300 bytes where all-uint8 misses a path or two.
STROKE_VARIANTS = {
    "uint8": {"uint8": "*"},
    "uint8, float16 output": {"float16": ["*/probabilities*"], "uint8": True},
    "float16": {"float16": "*"},
    "float32": None,
}
STROKE_MIN_AGREEMENT = 1.0  # share of check paths whose top digit must be Keras's


class StrokeExportError(RuntimeError):
    """The stroke model cannot be exported; the message is one line."""


def random_scribbles(count: int, seed: int = 0) -> list[list[np.ndarray]]:
    """`count` seeded digits of 1-3 wobbly strokes, for checking the export where no pen digits exist."""
    rng = np.random.default_rng(seed)
    digits = []
    for _ in range(count):
        strokes = []
        for _ in range(rng.integers(1, 4)):
            steps = rng.normal(0, 8, size=(rng.integers(2, 40), 2))
            strokes.append(np.cumsum(steps, axis=0) + rng.uniform(0, 280, size=2))
        digits.append(strokes)
    return digits


def check_paths(n_points: int, log) -> tuple[np.ndarray, str]:
    """(N, n_points, features) float32 path features to check the export on, and what they are."""
    from digit_data.pendigits import PenDataError, default_cache_dir, load_pendigits, resolve_pen_dir
    from mnist_draw import held_out_writers

    if resolve_pen_dir() is not None or (default_cache_dir() / "pendigits-orig.tra.gz").is_file():
        try:
            digits = held_out_writers.held_out(load_pendigits())
            return pen_path.batch_features(digits, n_points), f"the {len(digits):,} held-out pen writers' digits"
        except PenDataError as error:
            log(f"stroke model: checked on random scribbles: the pen digits are unreadable ({error})")
    scribbles = random_scribbles(RANDOM_PATHS)
    features = np.stack([pen_path.path_features(strokes, n_points) for strokes in scribbles])
    return features, "seeded random scribbles (no pen digits on this machine)"


def stroke_record(model_path: Path) -> dict:
    """The stroke run's metrics.json; StrokeExportError if it holds no usable fusion weight."""
    metrics_path = model_path.parent / METRICS_FILENAME
    try:
        metrics = json.loads(metrics_path.read_text(encoding="utf-8"))
    except (OSError, ValueError, RecursionError) as error:
        raise StrokeExportError(f"{metrics_path}: cannot read the stroke run's record ({one_line(error)})") from None
    weight = metrics.get("stroke_weight") if isinstance(metrics, dict) else None
    if not isinstance(weight, (int, float)) or not 0 <= weight <= 1:
        raise StrokeExportError(f"{metrics_path}: no stroke_weight in [0, 1]: retrain with `python -m train`")
    return metrics


def export_stroke_model(model_path: Path, web_dir: Path, log=print) -> dict | None:
    """stroke.keras -> web_dir/stroke/ (a TF.js graph model), checked -> metadata.json's "stroke" entry.

    Returns None, with a line in the log, when there is no stroke model: the page and the app then
    read the picture alone. Raises StrokeExportError (one line) when there is one that fails a check.
    """
    from export.convert import FLOAT32_TOLERANCE, convert_variant, folder_bytes

    if not model_path.is_file():
        log(f"no stroke model at {model_path}: the page will read the picture alone")
        return None
    record = stroke_record(model_path)
    try:
        model = load_stroke_model(model_path)
    except ModelError as error:
        raise StrokeExportError(str(error)) from None
    n_points, features = model.input_shape[1], model.input_shape[2]
    paths, described = check_paths(n_points, log)
    reference = model.predict(paths, batch_size=1024, verbose=0)
    out_dir = web_dir / STROKE_DIR_NAME
    with tempfile.TemporaryDirectory(prefix="stroke-saved-model-") as scratch:
        saved_model = Path(scratch) / "saved_model"
        model.export(str(saved_model), verbose=False)
        trials = {}
        for index, (variant, quantization) in enumerate(STROKE_VARIANTS.items()):
            folder = Path(scratch) / f"variant-{index}"
            convert_variant(saved_model, folder, "float32", quantization=quantization)
            trials[variant] = compare(TfjsGraph(folder).predict(paths), reference)
        exact = trials["float32"]
        if exact.max_abs_diff > FLOAT32_TOLERANCE or exact.argmax_agreement < 1.0:
            raise StrokeExportError(
                f"the converted stroke graph differs from Keras (max abs diff {exact.max_abs_diff:.2e})"
            )
        variant = next(name for name in STROKE_VARIANTS if trials[name].argmax_agreement >= STROKE_MIN_AGREEMENT)
        convert_variant(saved_model, out_dir, "float32", quantization=STROKE_VARIANTS[variant])
    converted = TfjsGraph(out_dir).predict(paths)
    verification = {"digits": len(paths), "inputs": described, **trials[variant].to_dict()}
    if node_available():
        sample = paths[:STROKE_NODE_DIGITS]
        in_node, _ = predict_in_node(out_dir, sample)
        worst = float(np.abs(in_node - converted[: len(sample)]).max())
        if worst > STROKE_NODE_TOLERANCE or not np.array_equal(in_node.argmax(1), converted[: len(sample)].argmax(1)):
            raise StrokeExportError(f"the stroke model in TF.js differs from TensorFlow (max abs diff {worst:.2e})")
        verification.update({"node_tfjs_digits": len(sample), "node_tfjs_max_abs_diff": worst})
    else:
        log("skipped the stroke model's TF.js load check: Node.js or node_modules missing (run `npm ci`)")
        verification.update({"node_tfjs_digits": 0, "node_tfjs_max_abs_diff": None})
    input_key, output_key = signature_names(read_model_json(out_dir))
    entry = {
        "path": f"{STROKE_DIR_NAME}/model.json",
        "weights": variant,
        "bytes": folder_bytes(out_dir),
        "input": {"name": input_key, "shape": [n_points, features], "dtype": "float32"},
        "output": {"name": output_key},
        "pen_path": pen_path.path_parameters(n_points),
        "fusion": {
            "stroke_weight": float(record["stroke_weight"]),
            "rule": fusion.FUSION_RULE,
            # p(not a digit) from which the page answers "not a digit"; None for a ten-class model
            fusion.NOT_A_DIGIT_THRESHOLD_KEY: record.get(fusion.NOT_A_DIGIT_THRESHOLD_KEY),
        },
        "parameters": int(model.count_params()),
        "validation": record.get("validation"),
        "verification": verification,
        "quantization_trials": {name: trial.to_dict() for name, trial in trials.items()},
    }
    log(
        f"stroke model: {entry['bytes']:,} bytes ({variant}), top digit as Keras on {trials[variant].argmax_agreement:.2%} of {described}, stroke weight {entry['fusion']['stroke_weight']:.2f}"
    )
    return entry
