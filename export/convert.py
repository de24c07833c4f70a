"""A trained .keras file -> TF.js graph models under web/model/ and a SavedModel, checked, swapped in.

Pipeline: Keras model -> `model.export()` SavedModel (the TF Serving format, kept at
--saved-model) -> tensorflowjs graph-model converter, once per weight format:

    web/model/float32/{model.json, group1-shard1of1.bin}   exact weights, always written
    web/model/uint8/ or web/model/float16/                 quantized weights, if they pass
    web/model/activations/{model.json, group1-shard1of1.bin}  float32 block1/block2 outputs, for
                                                            the page's "Look inside" view only
    web/model/metadata.json                                 what web/js/model.js and the app read

The activation model is a separate graph (same weights, outputs of train/model.py's
BLOCK_OUTPUT_NAMES), so the prediction variants stay single-output and exactly as fast as before;
the page loads it only when someone opens "Look inside".

A quantized variant ships only if its top class agrees with the float32 model on at least 99.9%
of the 10k MNIST test digits; `default_variant` names the one the page should load. The uint8
variant's codes are first re-rounded to the fewest bits on export/coarse_codes.py's ladder that
keep that agreement, which gzip sends in fewer bytes (coarsen_uint8). The
graph-model path, not `save_keras_model`: Keras 3 layers models don't load in TF.js 4.22
(tfjs#8328).

Nothing is replaced until everything checks out: both outputs are built in `.tmp-export-*`
folders beside their targets, reloaded and compared with Keras (export/check.py), then swapped
into place (export/targets.py's swap_in: one atomic exchange where the kernel offers it, so a
kill at any moment leaves a whole export, old or new, at the target, with everything on disk
first; its recover() finishes the job at the next start). Any failure raises ExportError with a
one-line message and leaves the old files alone. A target is only ever replaced if it is empty
or an earlier export of its kind: `--saved-model artifacts` or `--out web` is refused, never emptied.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import warnings
from pathlib import Path

import numpy as np

from export import ExportError
from export.check import (
    TfjsGraph,
    compare,
    node_available,
    predict_in_node,
    read_model_json,
)
from export.coarse_codes import UINT8_CODE_BITS, coarsen_model, gzip_bytes
from export.metadata import build_metadata
from export.source import check_finished_run, load_check_digits, load_source_model
from export.stroke import StrokeExportError, export_stroke_model
from export.targets import (
    ACTIVATIONS_DIR,
    METADATA_FILENAME,
    QUANTIZATIONS,
    check_replaceable,
    check_targets_apart,
    locked_parents,
    recover,
    saved_model_problem,
    staging_dir,
    swap_in,
    web_export_problem,
)
from mnist_draw.activations import activation_model
from mnist_draw.config import (
    ARTIFACTS_DIR,
    BLOCK_OUTPUT_NAMES,
    DEFAULT_MODEL_PATH,
    INPUT_SHAPE,
    WEB_MODEL_DIR,
)
from mnist_draw.errors import one_line
from mnist_draw.inference import probability_problem
from mnist_draw.stroke_inference import stroke_model_path

DEFAULT_SAVED_MODEL_DIR = ARTIFACTS_DIR / "saved_model"
QUANTIZE_CHOICES = ("auto", "uint8", "float16", "none")  # auto: measure both, keep the smaller that passes
MIN_QUANTIZED_AGREEMENT = 0.999  # a quantized model must pick the same digit as float32 on >= 99.9%
FLOAT32_TOLERANCE = 1e-4  # float32 TF.js differs from Keras by rounding only (a few 1e-6 measured)
NODE_CHECK_DIGITS = 256  # pure-JS TF.js takes ~30 ms a digit; the parity tests and the benchmark do more
MNIST_TEST = "MNIST test set"
ACTIVATION_CHECK_DIGITS = 64  # the activation graph is checked against Keras on this many inputs
PROBE_DIGITS = 64  # seeded noise images that stand in for digits when MNIST is unavailable


def export_saved_model(model, directory: Path, probes: np.ndarray, reference: np.ndarray) -> None:
    """Write the SavedModel and check its serving signature reproduces Keras on `probes`."""
    import tensorflow as tf

    model.export(str(directory), verbose=False)
    serving = tf.saved_model.load(str(directory)).signatures["serving_default"]
    (outputs,) = serving(tf.constant(probes)).values()
    agreement = compare(outputs.numpy(), reference)
    if agreement.max_abs_diff > FLOAT32_TOLERANCE or agreement.argmax_agreement < 1.0:
        raise ExportError(f"the reloaded SavedModel differs from Keras (max abs diff {agreement.max_abs_diff:.2e})")


def convert_variant(saved_model_dir: Path, out_dir: Path, variant: str, quantization: dict | None = None) -> None:
    """SavedModel -> TF.js graph model (model.json + shards) with `variant` weights in out_dir.

    `quantization`, when given, is the converter's own map (dtype -> weight-name patterns, one
    dtype `True` for every other weight) and replaces the variant's.
    """
    # tensorflow_hub, which the converter imports, warns that pkg_resources is deprecated.
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="pkg_resources is deprecated")
        try:
            from tensorflowjs.converters.tf_saved_model_conversion_v2 import convert_tf_saved_model
        except ImportError as error:  # setuptools >= 81 has no pkg_resources, which tensorflow_hub imports
            raise ExportError(f"cannot import the tensorflowjs converter ({error})") from None
    convert_tf_saved_model(
        str(saved_model_dir), str(out_dir), quantization_dtype_map=quantization or QUANTIZATIONS[variant]
    )


def folder_bytes(directory: Path) -> int:
    """Bytes of model.json plus weight shards: what the page downloads for one variant."""
    return sum(path.stat().st_size for path in directory.iterdir() if path.is_file())


def candidates_for(quantize: str) -> list[str]:
    """--quantize choice -> the quantized variants to try, smallest first."""
    if quantize not in QUANTIZE_CHOICES:
        raise ValueError(f"quantize must be one of {QUANTIZE_CHOICES}, got {quantize!r}")
    return {"auto": ["uint8", "float16"], "none": []}.get(quantize, [quantize])


def measure_variants(web_dir: Path, variants: list[str], images: np.ndarray, reference: np.ndarray) -> dict:
    """Run each variant's converted graph on all `images` -> {variant: (probabilities, Agreement)}."""
    results = {}
    for variant in variants:
        probabilities = TfjsGraph(web_dir / variant).predict(images)
        results[variant] = (probabilities, compare(probabilities, reference))
    return results


def check_in_node(web_dir: Path, expected: dict, images: np.ndarray) -> float:
    """Load each variant with real TF.js in Node; it must match `expected[variant]` within 1e-4.

    The float32 variant is held to Keras, a quantized one to its Python run (measure_variants):
    TF.js de-quantizes weights at load time, so this also checks the run that measured the
    agreement. Returns the largest difference seen.
    """
    worst = 0.0
    for variant, reference in expected.items():
        node_probabilities, _ = predict_in_node(web_dir / variant, images)
        agreement = compare(node_probabilities, reference[: len(images)])
        if agreement.max_abs_diff > FLOAT32_TOLERANCE or agreement.argmax_agreement < 1.0:
            raise ExportError(
                f"TF.js in Node disagrees with the {variant} reference (max abs diff {agreement.max_abs_diff:.2e})"
            )
        worst = max(worst, agreement.max_abs_diff)
    return worst


def export_activations(model, web_dir: Path, images: np.ndarray) -> dict:
    """Block activations graph -> web_dir/activations/, checked against Keras -> metadata entry.

    Keras model with outputs [block1, block2] -> SavedModel (a throwaway temp folder) -> float32
    graph model. Its signature outputs are output_0, output_1 in BLOCK_OUTPUT_NAMES order; the
    reloaded graph must reproduce Keras within FLOAT32_TOLERANCE on `images`, with the same shapes.
    Returns {"path", "outputs": {name: {"name": signature key, "shape": [H, W, C]}}, "bytes", ...}.
    """
    keras_activations = activation_model(model)
    expected = keras_activations.predict_on_batch(images)
    out_dir = web_dir / ACTIVATIONS_DIR
    with tempfile.TemporaryDirectory(prefix="activations-saved-model-") as scratch:
        keras_activations.export(str(Path(scratch) / "saved_model"), verbose=False)
        convert_variant(Path(scratch) / "saved_model", out_dir, "float32")
    keys = sorted(read_model_json(out_dir)["signature"]["outputs"], key=lambda key: int(key.rsplit("_", 1)[-1]))
    if len(keys) != len(BLOCK_OUTPUT_NAMES):
        raise ExportError(f"the activation graph has outputs {keys}, expected {len(BLOCK_OUTPUT_NAMES)}")
    got = TfjsGraph(out_dir, output_keys=keys).run_all(images)
    outputs, worst = {}, 0.0
    for name, key, want, have in zip(BLOCK_OUTPUT_NAMES, keys, expected, got):
        if have.shape != want.shape:
            raise ExportError(f"activation output {key} has shape {have.shape}, Keras {name} has {want.shape}")
        worst = max(worst, float(np.abs(have.astype(np.float64) - want).max()))
        outputs[name] = {"name": key, "shape": list(want.shape[1:])}
    if worst > FLOAT32_TOLERANCE:
        raise ExportError(f"the converted activation graph differs from Keras (max abs diff {worst:.2e})")
    return {
        "path": f"{ACTIVATIONS_DIR}/model.json",
        "outputs": outputs,
        "bytes": folder_bytes(out_dir),
        "digits": len(images),
        "max_abs_diff": worst,
    }


def coarsen_uint8(uint8_dir: Path, images: np.ndarray, reference: np.ndarray, log) -> dict:
    """Re-round the uint8 variant's codes to the fewest UINT8_CODE_BITS that keep the gate -> its record.

    Tries each setting, coarsest first, on a copy (export/coarse_codes.py) and keeps the first
    whose top class agrees with `reference` (Keras) on >= MIN_QUANTIZED_AGREEMENT of `images`;
    8 bits is the converter's own codes, so with none passing the folder is left as converted
    and the usual uint8 gate decides. Returns {"code_bits", "code_bit_trials": {bits: agreement
    fields + gzip_bytes of the weight shards}}.
    """
    trials = {}
    for bits in UINT8_CODE_BITS:
        trial_dir = uint8_dir.with_name(f"{uint8_dir.name}-{bits}-bit")
        shutil.copytree(uint8_dir, trial_dir)
        try:
            coarsen_model(trial_dir, bits)
            agreement = compare(TfjsGraph(trial_dir).predict(images), reference)
            trials[str(bits)] = {**agreement.to_dict(), "gzip_bytes": gzip_bytes(trial_dir)}
            passes = bits == 8 or agreement.argmax_agreement >= MIN_QUANTIZED_AGREEMENT
            log(
                f"uint8 at {bits} code bits: {trials[str(bits)]['gzip_bytes']:,} weight bytes gzipped, "
                f"argmax agreement {agreement.argmax_agreement:.2%}{'' if passes else ' (below the gate)'}"
            )
            if passes:
                shutil.rmtree(uint8_dir)
                trial_dir.rename(uint8_dir)
                return {"code_bits": bits, "code_bit_trials": trials}
        finally:
            shutil.rmtree(trial_dir, ignore_errors=True)
    raise ValueError(f"UINT8_CODE_BITS must end with 8, got {UINT8_CODE_BITS}")


def choose_quantized(trials: dict, candidates: list[str]) -> str | None:
    """The smallest candidate whose argmax agreement passes MIN_QUANTIZED_AGREEMENT, or None."""
    passing = [variant for variant in candidates if trials[variant]["argmax_agreement"] >= MIN_QUANTIZED_AGREEMENT]
    return min(passing, key=lambda variant: trials[variant]["bytes"], default=None)


def verify_in_node(
    web_dir: Path, shipped_variants: list[str], images: np.ndarray, reference: np.ndarray, outputs: dict, log
) -> dict:
    """Real TF.js load of each shipped variant on a sample, if Node is installed -> verification fields."""
    if not node_available():
        log("skipped the TF.js load check: Node.js or node_modules missing (run `npm ci`)")
        return {"node_tfjs_digits": 0, "node_tfjs_max_abs_diff": None}
    digits = min(NODE_CHECK_DIGITS, len(images))
    expected = {variant: reference if variant == "float32" else outputs[variant][0] for variant in shipped_variants}
    return {"node_tfjs_digits": digits, "node_tfjs_max_abs_diff": check_in_node(web_dir, expected, images[:digits])}


def build_web_model(
    *,
    model,
    model_path: Path,
    saved_model_dir: Path,
    web_dir: Path,
    candidates: list[str],
    images: np.ndarray,
    inputs: str,
    reference: np.ndarray,
    log,
) -> dict:
    """Convert, measure and verify every variant into web_dir, keep the ones that pass -> metadata."""
    for variant in ["float32", *candidates]:
        convert_variant(saved_model_dir, web_dir / variant, variant)
    coarse = coarsen_uint8(web_dir / "uint8", images, reference, log) if "uint8" in candidates else {}
    outputs = measure_variants(web_dir, ["float32", *candidates], images, reference)
    exact = outputs["float32"][1]
    if exact.max_abs_diff > FLOAT32_TOLERANCE or exact.argmax_agreement < 1.0:
        raise ExportError(f"the converted float32 graph differs from Keras (max abs diff {exact.max_abs_diff:.2e})")

    trials = {
        variant: {**agreement.to_dict(), "bytes": folder_bytes(web_dir / variant)}
        for variant, (_, agreement) in outputs.items()
    }
    trials.get("uint8", {}).update(coarse)
    quantized = choose_quantized(trials, candidates)
    for variant in trials:
        trials[variant]["shipped"] = variant in ("float32", quantized)
        if not trials[variant]["shipped"]:
            shutil.rmtree(web_dir / variant)
        if variant != "float32":
            verdict = (
                "shipped"
                if trials[variant]["shipped"]
                else "below the gate"
                if trials[variant]["argmax_agreement"] < MIN_QUANTIZED_AGREEMENT
                else f"larger than {quantized}"
            )
            log(
                f"{variant}: {trials[variant]['bytes']:,} bytes, argmax agreement {trials[variant]['argmax_agreement']:.2%} on {len(images)} digits ({verdict})"
            )
    shipped_variants = [variant for variant in trials if trials[variant]["shipped"]]

    verification = {
        "reference": "the Keras model's probabilities on the same inputs",
        "inputs": inputs,
        "digits": len(images),
    }
    verification.update(verify_in_node(web_dir, shipped_variants, images, reference, outputs, log))
    shipped = {
        variant: {
            "path": f"{variant}/model.json",
            **{
                key: trials[variant][key]
                for key in ("bytes", "argmax_agreement", "max_abs_diff", "code_bits")
                if key in trials[variant]
            },
        }
        for variant in shipped_variants
    }
    activations = export_activations(model, web_dir, images[:ACTIVATION_CHECK_DIGITS])
    log(
        f"activations: {activations['bytes']:,} bytes, max abs diff {activations['max_abs_diff']:.2e} vs Keras on {activations['digits']} digits"
    )
    try:
        stroke = export_stroke_model(stroke_model_path(model_path), web_dir, log)
    except StrokeExportError as error:
        raise ExportError(str(error)) from None
    metadata = build_metadata(
        model=model,
        model_path=model_path,
        web_dir=web_dir,
        shipped=shipped,
        default_variant=quantized or "float32",
        trials=trials,
        verification=verification,
        activations=activations,
        stroke=stroke,
    )
    (web_dir / METADATA_FILENAME).write_text(json.dumps(metadata, indent=2) + "\n")
    return metadata


def convert(
    model_path: Path = DEFAULT_MODEL_PATH,
    out_dir: Path = WEB_MODEL_DIR,
    saved_model_dir: Path = DEFAULT_SAVED_MODEL_DIR,
    *,
    data_dir: Path | None = None,
    quantize: str = "auto",
    log=print,
) -> dict:
    """Export `model_path` to `out_dir` (TF.js variants + metadata.json) and `saved_model_dir`.

    data_dir: MNIST IDX folder for the quantized agreement check (None: $MNIST_DATA_DIR, else the
    Keras cache); without test digits only float32 is exported. Returns the metadata written.
    A target that exists must be empty or an earlier export of its kind, else it is refused
    before any work. Raises ExportError (one line) and leaves both targets untouched on any failure.
    """
    # Absolute, so that a target given as "." or "web/model/" still has a parent and a name.
    model_path, out_dir, saved_model_dir = (
        Path(model_path),
        Path(os.path.abspath(out_dir)),
        Path(os.path.abspath(saved_model_dir)),
    )
    candidates = candidates_for(quantize)
    check_finished_run(model_path)
    check_targets_apart(out_dir, saved_model_dir)
    with locked_parents([saved_model_dir, out_dir]):
        try:
            check_replaceable(saved_model_dir, "--saved-model", saved_model_problem)
            check_replaceable(out_dir, "--out", web_export_problem)
            for target in (saved_model_dir, out_dir):
                recover(target, log)
        except OSError as error:  # an unreadable folder, or a leftover that cannot be removed
            raise ExportError(one_line(error)) from error
        return export_into(model_path, out_dir, saved_model_dir, data_dir=data_dir, candidates=candidates, log=log)


def export_into(
    model_path: Path, out_dir: Path, saved_model_dir: Path, *, data_dir: Path | None, candidates: list[str], log
) -> dict:
    """convert() once the targets are locked and known to be replaceable: build, check, swap in."""
    model = load_source_model(model_path)
    images, no_data_reason = load_check_digits(data_dir)
    inputs = MNIST_TEST
    if images is None:
        if candidates:
            log(
                f"float32 only: the quantized variants need the MNIST test digits to prove agreement ({no_data_reason})"
            )
        candidates, inputs = [], "seeded noise images (MNIST unavailable)"
        images = np.random.default_rng(0).random((PROBE_DIGITS, *INPUT_SHAPE), dtype=np.float32)
    reference = model.predict(images, batch_size=500, verbose=0)
    problem = probability_problem(reference)
    if problem is not None:
        raise ExportError(
            f"the model {model_path} gives {problem} on the check digits, not probabilities: retrain with `python -m train`"
        )

    staged_saved_model = staged_web = None
    try:
        staged_saved_model = staging_dir(saved_model_dir)
        staged_web = staging_dir(out_dir)
        export_saved_model(model, staged_saved_model, images[:PROBE_DIGITS], reference[:PROBE_DIGITS])
        metadata = build_web_model(
            model=model, model_path=model_path, saved_model_dir=staged_saved_model, web_dir=staged_web,
            candidates=candidates, images=images, inputs=inputs, reference=reference, log=log,
        )  # fmt: skip
        # Checked again: the minutes of converting are long enough for someone to put files there.
        check_replaceable(saved_model_dir, "--saved-model", saved_model_problem)
        check_replaceable(out_dir, "--out", web_export_problem)
        swap_in(staged_saved_model, saved_model_dir)
        swap_in(staged_web, out_dir)
    except ExportError:
        raise
    except Exception as error:  # converter, TensorFlow and file errors come in many types; report one line
        raise ExportError(one_line(error)) from error
    finally:
        for leftover in (staged_saved_model, staged_web):
            if leftover is not None:
                shutil.rmtree(leftover, ignore_errors=True)
    return metadata
