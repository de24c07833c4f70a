"""Benchmark: Keras vs TF.js in Node on the full MNIST test set, for every weight format.

Converts the model afresh (float32, float16, uint8, exactly as `python -m export` does), then runs
the real @tensorflow/tfjs from npm in Node (export/predict.mjs) on all 10k test digits per
variant, on two backends: cpu (pure JS, what plain @tensorflow/tfjs gives Node) and wasm
(@tensorflow/tfjs-backend-wasm, what the page uses). Prints and writes to bench/results/export.json:
  - argmax agreement with Keras and max |p_tfjs - p_keras| per variant,
  - bytes per variant (model.json + weight shards: what the page downloads),
  - Node start-up with the TF.js import, TF.js load time (read files + loadGraphModel) and the
    first prediction,
  - per-digit inference at batch 1 (median, p95, each awaited to the host) and batched throughput.

usage: uv run python -m bench.export_parity --data ~/data/mnist [--limit N] [--variants float32,uint8] [--backends wasm]
Takes ~5 minutes per variant on 2 cores for the cpu backend (pure-JS convolutions, ~30 ms a
digit) and seconds for wasm.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np  # noqa: E402

from bench.machine import machine_record  # noqa: E402
from bench.stats import percentile  # noqa: E402
from export.check import compare, predict_in_node, read_model_json, weight_files  # noqa: E402
from export.convert import (  # noqa: E402
    METADATA_FILENAME,
    MIN_QUANTIZED_AGREEMENT,
    QUANTIZATIONS,
    convert_variant,
    folder_bytes,
    load_source_model,
    sha256_of,
)
from mnist_draw.atomic import write_json_atomically  # noqa: E402
from mnist_draw.config import DATA_DIR_ENV, DEFAULT_MODEL_PATH, PROJECT_ROOT, WEB_MODEL_DIR  # noqa: E402

RESULTS_PATH = PROJECT_ROOT / "bench" / "results" / "export.json"


def measure_backend(
    model_dir: Path, images: np.ndarray, reference: np.ndarray, *, backend: str, batch_size: int, latency_samples: int
) -> dict:
    """One variant folder through TF.js in Node on one backend -> agreement and timings."""
    probabilities, report = predict_in_node(
        model_dir, images, backend=backend, batch_size=batch_size, latency_samples=latency_samples
    )
    agreement = compare(probabilities, reference)
    latencies = report["latenciesMs"]
    return {
        "argmax_agreement": agreement.argmax_agreement,
        "disagreements": int(round((1 - agreement.argmax_agreement) * agreement.digits)),
        "max_abs_diff": agreement.max_abs_diff,
        "node_startup_ms": report["startupMs"],
        "load_ms": report["loadMs"],
        "first_predict_ms": report["firstPredictMs"],
        "batch1_median_ms": percentile(latencies, 0.5) if latencies else None,
        "batch1_p95_ms": percentile(latencies, 0.95) if latencies else None,
        "batch1_samples": len(latencies),
        "batched_digits_per_s": len(images) / (report["batchedMs"] / 1000),
        "batch_size": batch_size,
        "tfjs": report["tfjsVersion"],
        "num_tensors": report["numTensors"],
    }


def measure_variant(
    model_dir: Path,
    images: np.ndarray,
    reference: np.ndarray,
    *,
    backends: list[str],
    batch_size: int,
    latency_samples: int,
) -> dict:
    """Sizes and hashes of one variant folder, plus measure_backend() for each backend."""
    shards = weight_files(read_model_json(model_dir))
    result = {
        "bytes": folder_bytes(model_dir),
        "model_json_bytes": (model_dir / "model.json").stat().st_size,
        "weights_bytes": sum((model_dir / shard).stat().st_size for shard in shards),
        "weights_sha256": {shard: sha256_of(model_dir / shard) for shard in shards},
    }
    for backend in backends:
        print(f"  {backend}: predicting {len(images)} digits in Node ...", flush=True)
        result[backend] = measure_backend(
            model_dir, images, reference, backend=backend, batch_size=batch_size, latency_samples=latency_samples
        )
    return result


def matches_committed_export(variant: str, result: dict) -> bool | None:
    """Whether this fresh conversion has the same weight bytes as the committed web/model (None: not shipped)."""
    try:
        committed = json.loads((WEB_MODEL_DIR / METADATA_FILENAME).read_text())["weights_sha256"]
    except (OSError, ValueError, KeyError):
        return None
    recorded = {
        shard.split("/", 1)[1]: digest for shard, digest in committed.items() if shard.startswith(f"{variant}/")
    }
    return (recorded == result["weights_sha256"]) if recorded else None


def print_table(results: dict, backends: list[str], digits: int) -> None:
    print(f"\nTF.js in Node vs Keras on {digits} MNIST test digits")
    print(
        f"{'variant':8} {'backend':7} {'bytes':>10} {'agreement':>10} {'max|diff|':>10} {'load ms':>8} {'b1 med ms':>10} {'b1 p95 ms':>10} {'digits/s':>9}"
    )
    for variant, result in results.items():
        for backend in backends:
            row = result[backend]
            print(
                f"{variant:8} {backend:7} {result['bytes']:>10,} {row['argmax_agreement']:>10.2%} {row['max_abs_diff']:>10.2e} {row['load_ms']:>8.1f} "
                f"{row['batch1_median_ms'] or float('nan'):>10.2f} {row['batch1_p95_ms'] or float('nan'):>10.2f} {row['batched_digits_per_s']:>9.1f}"
            )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.export_parity",
        description=__doc__.split("\n\n")[0],
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    parser.add_argument("--model", type=Path, default=DEFAULT_MODEL_PATH, help="the .keras file to convert and compare")
    parser.add_argument(
        "--data", type=Path, default=None, help=f"MNIST IDX folder (unset: ${DATA_DIR_ENV}, else the Keras cache)"
    )
    parser.add_argument("--variants", default="float32,uint8,float16", help="comma-separated weight formats to measure")
    parser.add_argument(
        "--backends",
        default="cpu,wasm",
        help="TF.js backends: cpu (plain @tensorflow/tfjs in Node) and wasm (the page's)",
    )
    parser.add_argument(
        "--limit", type=int, default=None, help="only the first N test digits (smoke runs; default: all 10k)"
    )
    parser.add_argument(
        "--batch-size", type=int, default=256, help="digits per TF.js predict call for the throughput figure"
    )
    parser.add_argument("--latency-samples", type=int, default=200, help="batch-1 predictions timed per variant")
    parser.add_argument("--out", type=Path, default=RESULTS_PATH, help="JSON file for the results")
    args = parser.parse_args(argv)
    variants, backends = args.variants.split(","), args.backends.split(",")
    if unknown := set(variants) - set(QUANTIZATIONS):
        parser.error(f"unknown variants {sorted(unknown)}; choose from {sorted(QUANTIZATIONS)}")
    if unknown := set(backends) - {"cpu", "wasm"}:
        parser.error(f"unknown backends {sorted(unknown)}; choose from cpu, wasm")

    from digit_data.mnist import load_mnist, to_model_input

    model = load_source_model(args.model)
    _, (test_images, _) = load_mnist(args.data)
    images = to_model_input(test_images[: args.limit])
    started = time.perf_counter()
    reference = model.predict(images, batch_size=500, verbose=0)
    keras_digits_per_s = len(images) / (time.perf_counter() - started)

    results = {}
    with tempfile.TemporaryDirectory(prefix="bench-export-") as scratch:
        model.export(str(Path(scratch) / "saved_model"), verbose=False)
        for variant in variants:
            convert_variant(Path(scratch) / "saved_model", Path(scratch) / variant, variant)
            print(f"{variant}:", flush=True)
            results[variant] = measure_variant(
                Path(scratch) / variant,
                images,
                reference,
                backends=backends,
                batch_size=args.batch_size,
                latency_samples=args.latency_samples,
            )
            results[variant]["passes_agreement_gate"] = all(
                results[variant][backend]["argmax_agreement"] >= MIN_QUANTIZED_AGREEMENT for backend in backends
            )
            results[variant]["matches_committed_export"] = matches_committed_export(variant, results[variant])
    print_table(results, backends, len(images))

    node_version = subprocess.run(["node", "--version"], capture_output=True, text=True).stdout.strip()
    record = {
        "measured_at": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "model": str(args.model),
        "model_sha256": sha256_of(args.model),
        "digits": len(images),
        "machine": machine_record(node=node_version),
        "keras_batched_digits_per_s": keras_digits_per_s,
        "agreement_gate": MIN_QUANTIZED_AGREEMENT,
        "variants": results,
    }
    write_json_atomically(args.out, record)
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
