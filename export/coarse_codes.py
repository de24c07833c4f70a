"""Put a converted uint8 graph model's weight codes on a coarser grid, so gzip packs them smaller.

The tensorflowjs converter stores each uint8-quantized tensor as one code byte per weight plus a
per-tensor `min` and `scale` in model.json's weightsManifest; TF.js de-quantizes at load time as
`weight = min + code * scale`. It spreads the codes over all 256 levels, which leaves gzip little
to find (~15%). Here each tensor is re-rounded to at most 2**bits levels on a grid through
zero, at least 2**(8 - bits) old steps wide (coarsen_codes); model.json gets the tensor's new `min`
and `scale`. The files keep their format and size (one byte a weight, same manifest keys), so
TF.js loads them as before; only the bytes take fewer distinct values, which gzip's Huffman stage
turns into about one bit a weight saved per bit dropped.

The export (export/convert.py's build_web_model) rewrites the uint8 variant in place for each
setting on UINT8_CODE_BITS, coarsest first, and ships the first one whose top class still agrees
with Keras as often as the uint8 gate asks.
"""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import numpy as np

# Code bits the export tries for the image model's uint8 variant, coarsest first; 8 leaves the
# converter's codes as they are, so the ladder always ends on today's uint8 export.
UINT8_CODE_BITS = (6, 7, 8)
CODE_DTYPE = "uint8"  # the only quantized dtype re-rounded here; float16/float32 weights are left alone
# Bytes per element of each dtype a weightsManifest entry can hold (int32 shape constants, etc.).
DTYPE_BYTES = {"float32": 4, "int32": 4, "float16": 2, "uint16": 2, "uint8": 1, "bool": 1}


def coarsen_codes(codes: np.ndarray, quantization: dict, bits: int) -> tuple[np.ndarray, dict]:
    """One tensor's uint8 codes 0..255 and its {"min", "scale"} -> codes 0..2**bits - 1 and the new entry.

    codes: any shape, uint8. The new grid is step = max(scale * 2**(8 - bits), (hi - lo) / (2**bits - 2))
    wide, where lo..hi is the tensor's de-quantized range, and passes through 0: a weight of 0
    stays exactly 0 and rounding does not shift the many small weights one way. A grid kept on
    `min` instead moved every conv's weights by up to half a step in the same direction and cost
    0.1-0.2% agreement per tensor at 6 bits. Each weight goes to its nearest grid point, so no
    weight moves by more than half the new step, and the span is at most 2**bits levels. Returns
    the same-shape uint8 codes and a copy of `quantization` with the new "min" and "scale".
    bits == 8, or a tensor holding one value, comes back unchanged.
    """
    if not 1 < bits <= 8:
        raise ValueError(f"bits must be 2..8, got {bits}")
    codes = np.asarray(codes)
    if codes.dtype != np.uint8:
        raise ValueError(f"codes must be uint8, got {codes.dtype}")
    values = dequantize(codes, quantization)
    low, high = (float(values.min()), float(values.max())) if values.size else (0.0, 0.0)
    if bits == 8 or high == low:
        return codes, dict(quantization)
    # (hi - lo) / (2**bits - 2) keeps round(hi / step) - round(lo / step) + 1 <= 2**bits levels.
    step = max(quantization["scale"] * (1 << (8 - bits)), (high - low) / ((1 << bits) - 2))
    grid = np.round(values / step)
    lowest = grid.min()
    return (grid - lowest).astype(np.uint8), {**quantization, "min": float(lowest * step), "scale": float(step)}


def dequantize(codes: np.ndarray, quantization: dict) -> np.ndarray:
    """Codes + a manifest entry's {"min", "scale"} -> float64 weights, as TF.js computes them (in float32)."""
    return quantization["min"] + np.asarray(codes).astype(np.float64) * quantization["scale"]


def coarsen_model(model_dir: Path, bits: int) -> int:
    """Rewrite model_dir's uint8 weight codes on a 2**bits-level grid, in place -> how many tensors changed.

    Reads model.json's weightsManifest, walks each group's weights in manifest order over the
    concatenation of that group's shard files (the layout the converter writes and TF.js reads),
    re-rounds every uint8 tensor with coarsen_codes and multiplies its `scale`, then writes the
    shards (same sizes) and model.json (same key order) back. Other dtypes are copied untouched.
    """
    if bits == 8:
        return 0
    model_dir = Path(model_dir)
    model_json_path = model_dir / "model.json"
    model_json = json.loads(model_json_path.read_text())
    changed = 0
    for group in model_json["weightsManifest"]:
        shards = [model_dir / name for name in group["paths"]]
        sizes = [path.stat().st_size for path in shards]
        data = np.frombuffer(b"".join(path.read_bytes() for path in shards), dtype=np.uint8).copy()
        offset = 0
        for entry in group["weights"]:
            quantization = entry.get("quantization")
            dtype = quantization["dtype"] if quantization else entry["dtype"]
            if dtype not in DTYPE_BYTES:
                raise ValueError(f"{model_json_path}: weight {entry['name']} has an unknown dtype {dtype}")
            length = int(np.prod(entry["shape"], dtype=np.int64)) * DTYPE_BYTES[dtype]
            if quantization and dtype == CODE_DTYPE:
                codes, entry["quantization"] = coarsen_codes(data[offset : offset + length], quantization, bits)
                changed += int(not np.array_equal(codes, data[offset : offset + length]))
                data[offset : offset + length] = codes
            offset += length
        if offset != len(data):
            raise ValueError(f"{model_json_path}: the manifest covers {offset} bytes, the shards hold {len(data)}")
        start = 0
        for path, size in zip(shards, sizes):
            path.write_bytes(data[start : start + size].tobytes())
            start += size
    # The converter writes model.json as one line with json.dump's default separators.
    model_json_path.write_text(json.dumps(model_json))
    return changed


def gzip_bytes(model_dir: Path) -> int:
    """Bytes of model_dir's weight shards after gzip -9: roughly what a compressing server sends."""
    model_json = json.loads((Path(model_dir) / "model.json").read_text())
    shards = [name for group in model_json["weightsManifest"] for name in group["paths"]]
    return sum(len(gzip.compress((Path(model_dir) / name).read_bytes(), 9)) for name in shards)
