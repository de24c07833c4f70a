"""Run an exported TF.js graph model two ways, to check it against Keras.

- `TfjsGraph` rebuilds the converted graph in TensorFlow from the files on disk: the GraphDef in
  model.json plus the weights read back (and de-quantized, exactly as TF.js does at load time)
  with tensorflowjs's own reader. It is fast enough for all 10k test digits, so the quantized
  variants' argmax agreement is measured on the full test set.
- `predict_in_node` runs export/predict.mjs: the real @tensorflow/tfjs from npm loads the same
  files and predicts. Pure-JS CPU inference takes ~30 ms a digit here, so the export checks a
  sample in Node and requires it to match `TfjsGraph` within 1e-4, which ties the two together.

Twin files of the Node check (file 1/3 of the parity pipeline): export/predict.mjs (2/3) and
tests/test_export_parity.py / bench/export_parity.py (3/3).
"""

from __future__ import annotations

import dataclasses
import json
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import numpy as np

from mnist_draw.config import PROJECT_ROOT

# tensorflowjs imports tensorflow_decision_forests, whose import prints a ydf advert and, when
# stdout is not a terminal (pytest, pipes), tries to show it through IPython and fails.
os.environ.setdefault("TFDF_DISABLE_WELCOME_MESSAGE", "1")

PREDICT_SCRIPT = Path(__file__).with_name("predict.mjs")
TFJS_PACKAGE_DIR = PROJECT_ROOT / "node_modules" / "@tensorflow" / "tfjs"
WASM_BACKEND_DIR = PROJECT_ROOT / "node_modules" / "@tensorflow" / "tfjs-backend-wasm"


class CheckError(RuntimeError):
    """An exported model could not be run or does not match; the message is one line."""


@dataclasses.dataclass(frozen=True)
class Agreement:
    """How closely one model's probabilities follow a reference's on the same digits."""

    digits: int  # how many inputs were compared
    argmax_agreement: float  # share of digits with the same top class, 0..1
    max_abs_diff: float  # largest |p - p_ref| over all digits and classes

    def to_dict(self) -> dict:
        return {"digits": self.digits, "argmax_agreement": self.argmax_agreement, "max_abs_diff": self.max_abs_diff}


def compare(probabilities: np.ndarray, reference: np.ndarray) -> Agreement:
    """Two (N, 10 or 11) probability arrays -> their argmax agreement and max absolute difference."""
    if probabilities.shape != reference.shape:
        raise CheckError(f"output shape {probabilities.shape} differs from the reference {reference.shape}")
    same_top = probabilities.argmax(axis=1) == reference.argmax(axis=1)
    return Agreement(
        digits=len(reference),
        argmax_agreement=float(same_top.mean()),
        max_abs_diff=float(np.abs(probabilities.astype(np.float64) - reference).max()),
    )


def read_model_json(model_dir: Path) -> dict:
    """The parsed model.json of a TF.js graph model folder."""
    try:
        return json.loads((Path(model_dir) / "model.json").read_text())
    except (OSError, ValueError) as error:
        raise CheckError(f"cannot read {Path(model_dir) / 'model.json'}: {error}") from None


def signature_names(model_json: dict) -> tuple[str, str]:
    """The (input, output) signature keys, e.g. ("image", "output_0"); TF.js execute() accepts both."""
    signature = model_json.get("signature", {})
    inputs, outputs = list(signature.get("inputs", {})), list(signature.get("outputs", {}))
    if len(inputs) != 1 or len(outputs) != 1:
        raise CheckError(f"expected one signature input and output, got {inputs} -> {outputs}")
    return inputs[0], outputs[0]


def weight_files(model_json: dict) -> list[str]:
    """Every weight shard the manifest names, relative to the model folder."""
    return [shard for group in model_json["weightsManifest"] for shard in group["paths"]]


class TfjsGraph:
    """A TF.js graph model folder, run by TensorFlow: (N, 28, 28, 1) float32 -> (N, 10 or 11) float32."""

    def __init__(self, model_dir: Path, output_keys: list[str] | None = None):
        """output_keys: signature outputs to return (default: the one output); several -> run_all()."""
        import tensorflow as tf
        from google.protobuf import json_format
        from tensorflowjs.read_weights import read_weights

        model_json = read_model_json(model_dir)
        graph_def = json_format.ParseDict(model_json["modelTopology"], tf.compat.v1.GraphDef())
        # TF.js keeps weight values out of the topology; put the de-quantized ones back into the Consts.
        weights = {
            entry["name"]: entry["data"]
            for entry in read_weights(model_json["weightsManifest"], str(model_dir), flatten=True)
        }
        for node in graph_def.node:
            if node.name in weights:
                node.attr["value"].tensor.CopyFrom(tf.make_tensor_proto(weights.pop(node.name)))
        if weights:
            raise CheckError(f"{model_dir}: weights without a graph node: {sorted(weights)[:3]}")
        signature = model_json["signature"]
        if output_keys is None:
            input_key, output_key = signature_names(model_json)
            output_keys = [output_key]
        else:
            (input_key,) = signature["inputs"]
        self.output_keys = list(output_keys)
        input_tensor = signature["inputs"][input_key]["name"]
        output_tensors = [signature["outputs"][key]["name"] for key in self.output_keys]
        input_shape = [
            None if int(dim["size"]) < 0 else int(dim["size"])
            for dim in signature["inputs"][input_key]["tensorShape"]["dim"]
        ]

        def run(images):
            outputs = tf.graph_util.import_graph_def(
                graph_def, input_map={input_tensor: images}, return_elements=output_tensors
            )
            return outputs if len(outputs) > 1 else outputs[0]

        self._function = tf.compat.v1.wrap_function(run, [tf.TensorSpec(input_shape, tf.float32)])

    def predict(self, images: np.ndarray, batch_size: int = 1000) -> np.ndarray:
        """(N, 28, 28, 1) float32 in [0, 1] -> (N, 10 or 11) float32 probabilities."""
        batches = [
            self._function(np.ascontiguousarray(images[start : start + batch_size], dtype=np.float32)).numpy()
            for start in range(0, len(images), batch_size)
        ]
        return np.concatenate(batches)

    def run_all(self, images: np.ndarray) -> list[np.ndarray]:
        """(N, 28, 28, 1) float32 -> one array per output key, e.g. the block activations."""
        outputs = self._function(np.ascontiguousarray(images, dtype=np.float32))
        outputs = outputs if isinstance(outputs, (list, tuple)) else [outputs]
        return [output.numpy() for output in outputs]


def node_available() -> bool:
    """True when `node` is on PATH and `npm ci` has installed @tensorflow/tfjs."""
    return shutil.which("node") is not None and TFJS_PACKAGE_DIR.is_dir()


def predict_in_node(
    model_dir: Path,
    images: np.ndarray,
    *,
    backend: str = "cpu",
    batch_size: int = 256,
    latency_samples: int = 0,
    timeout: float = 1800,
) -> tuple[np.ndarray, dict]:
    """Real TF.js in Node: (N, 28, 28, 1) float32 -> ((N, 10 or 11) float32, report dict of export/predict.mjs).

    backend: "cpu" (plain @tensorflow/tfjs) or "wasm" (@tensorflow/tfjs-backend-wasm, the page's).

    Raises CheckError if Node fails or TF.js leaks tensors (the count after predicting must equal
    the count after loading, and disposing the model must return to the starting count).
    """
    node = shutil.which("node")
    if node is None or not TFJS_PACKAGE_DIR.is_dir():
        raise CheckError("TF.js in Node is not available: install Node.js and run `npm ci`")
    with tempfile.TemporaryDirectory(prefix="tfjs-predict-") as scratch:
        inputs_path, outputs_path = Path(scratch) / "inputs.bin", Path(scratch) / "outputs.bin"
        np.ascontiguousarray(images, dtype="<f4").tofile(inputs_path)
        command = [
            node,
            str(PREDICT_SCRIPT),
            str(model_dir),
            str(inputs_path),
            str(outputs_path),
            "--batch-size",
            str(batch_size),
            "--latency-samples",
            str(latency_samples),
            "--backend",
            backend,
        ]
        result = subprocess.run(command, capture_output=True, text=True, timeout=timeout, cwd=PROJECT_ROOT)
        if result.returncode != 0:
            message = (result.stderr.strip().splitlines() or ["no output"])[-1]
            raise CheckError(f"TF.js in Node failed on {model_dir}: {message}")
        report = json.loads([line for line in result.stdout.splitlines() if line.startswith("{")][-1])
        probabilities = np.fromfile(outputs_path, dtype="<f4").reshape(report["outputShape"])
    tensors = report["numTensors"]
    if tensors["afterPredict"] != tensors["afterLoad"] or tensors["afterDispose"] != tensors["atStart"]:
        raise CheckError(f"TF.js leaked tensors on {model_dir}: {tensors}")
    return probabilities, report
