"""export/coarse_codes.py: uint8 weight codes re-rounded to fewer levels, in the converter's file format."""

from __future__ import annotations

import gzip
import json

import numpy as np
import pytest

from export.coarse_codes import DTYPE_BYTES, UINT8_CODE_BITS, coarsen_codes, coarsen_model, dequantize
from mnist_draw.config import WEB_MODEL_DIR

# Like a converted conv kernel: a bell of small weights around zero, zero on a code (the converter's nudge).
KERNEL_QUANTIZATION = {"dtype": "uint8", "min": -0.30059967613687705, "scale": 0.0022601479408787747}


def kernel_codes(size: int = 20_000, seed: int = 0) -> np.ndarray:
    """Seeded uint8 codes of a bell-shaped weight tensor that uses the full 0..255 range."""
    rng = np.random.default_rng(seed)
    codes = np.clip(np.round(133 + rng.normal(0, 30, size)), 0, 255).astype(np.uint8)
    codes[:2] = [0, 255]
    return codes


@pytest.mark.parametrize("bits", [7, 6, 5, 4])
def test_coarse_codes_stay_in_range_and_use_at_most_2_to_the_bits_levels(bits):
    codes, _ = coarsen_codes(kernel_codes(), KERNEL_QUANTIZATION, bits)
    assert codes.dtype == np.uint8 and codes.shape == kernel_codes().shape
    assert codes.min() == 0 and codes.max() <= 2**bits - 1
    assert len(np.unique(codes)) <= 2**bits


@pytest.mark.parametrize("bits", [7, 6, 5, 4])
def test_coarse_weights_are_within_half_a_new_step_of_the_originals(bits):
    original = dequantize(kernel_codes(), KERNEL_QUANTIZATION)
    codes, quantization = coarsen_codes(kernel_codes(), KERNEL_QUANTIZATION, bits)
    assert quantization["scale"] >= KERNEL_QUANTIZATION["scale"] * 2 ** (8 - bits)
    error = np.abs(dequantize(codes, quantization) - original).max()
    assert error <= quantization["scale"] / 2 * (1 + 1e-9), (
        f"{bits} bits: off by {error / quantization['scale']:.3f} steps"
    )


def test_zero_stays_exactly_representable():
    zero_code = round(-KERNEL_QUANTIZATION["min"] / KERNEL_QUANTIZATION["scale"])
    codes, quantization = coarsen_codes(np.array([0, zero_code, 255], dtype=np.uint8), KERNEL_QUANTIZATION, 6)
    assert abs(dequantize(codes[1:2], quantization)[0]) < 1e-12


def test_eight_bits_and_constant_tensors_come_back_unchanged():
    codes = kernel_codes()
    same, quantization = coarsen_codes(codes, KERNEL_QUANTIZATION, 8)
    np.testing.assert_array_equal(same, codes)
    assert quantization == KERNEL_QUANTIZATION
    constant = np.full(10, 7, dtype=np.uint8)
    np.testing.assert_array_equal(coarsen_codes(constant, KERNEL_QUANTIZATION, 6)[0], constant)


@pytest.mark.parametrize("bits", [0, 1, 9])
def test_bits_outside_2_to_8_are_refused(bits):
    with pytest.raises(ValueError, match="bits"):
        coarsen_codes(kernel_codes(), KERNEL_QUANTIZATION, bits)


def test_the_ladder_is_coarsest_first_and_ends_on_the_converters_own_codes():
    assert list(UINT8_CODE_BITS) == sorted(UINT8_CODE_BITS) and UINT8_CODE_BITS[-1] == 8


def write_model(folder, weights: list[tuple[dict, bytes]]) -> None:
    """A converter-shaped model folder: model.json's manifest over one shard holding `weights` in order."""
    manifest = [{"paths": ["group1-shard1of1.bin"], "weights": [entry for entry, _ in weights]}]
    (folder / "model.json").write_text(json.dumps({"format": "graph-model", "weightsManifest": manifest}))
    (folder / "group1-shard1of1.bin").write_bytes(b"".join(data for _, data in weights))


def test_coarsen_model_rewrites_uint8_tensors_and_leaves_other_weights_alone(tmp_path):
    kernel = kernel_codes(4 * 5 * 10)
    shape_constant = np.array([-1, 128], dtype="<i4").tobytes()
    float_bias = np.linspace(-1, 1, 10, dtype="<f4").tobytes()
    write_model(
        tmp_path,
        [
            ({"name": "kernel", "shape": [4, 5, 10], "dtype": "float32", "quantization": {**KERNEL_QUANTIZATION, "original_dtype": "float32"}}, kernel.tobytes()),
            ({"name": "shape", "shape": [2], "dtype": "int32"}, shape_constant),
            ({"name": "bias", "shape": [10], "dtype": "float32"}, float_bias),
        ],
    )  # fmt: skip
    before = (tmp_path / "group1-shard1of1.bin").read_bytes()

    assert coarsen_model(tmp_path, 6) == 1

    after = (tmp_path / "group1-shard1of1.bin").read_bytes()
    entries = json.loads((tmp_path / "model.json").read_text())["weightsManifest"][0]["weights"]
    expected_codes, expected_quantization = coarsen_codes(kernel, KERNEL_QUANTIZATION, 6)
    assert len(after) == len(before)
    np.testing.assert_array_equal(np.frombuffer(after[: kernel.size], dtype=np.uint8), expected_codes)
    assert after[kernel.size :] == before[kernel.size :]
    assert entries[0]["quantization"] == {**expected_quantization, "original_dtype": "float32"}
    assert [entry["name"] for entry in entries] == ["kernel", "shape", "bias"]


def test_coarsen_model_refuses_a_manifest_that_does_not_cover_the_shard(tmp_path):
    write_model(tmp_path, [({"name": "bias", "shape": [10], "dtype": "float32"}, bytes(44))])
    with pytest.raises(ValueError, match="covers 40 bytes"):
        coarsen_model(tmp_path, 6)


def test_committed_uint8_codes_use_at_most_the_recorded_bits():
    # The page's weights must be the ones metadata.json says the gate measured.
    metadata = json.loads((WEB_MODEL_DIR / "metadata.json").read_text())
    bits = metadata["variants"]["uint8"]["code_bits"]
    (group,) = json.loads((WEB_MODEL_DIR / "uint8" / "model.json").read_text())["weightsManifest"]
    shard = (WEB_MODEL_DIR / "uint8" / "group1-shard1of1.bin").read_bytes()
    offset = 0
    for entry in group["weights"]:
        dtype = entry.get("quantization", {}).get("dtype", entry["dtype"])
        length = int(np.prod(entry["shape"])) * DTYPE_BYTES[dtype]
        if dtype == "uint8":
            assert max(shard[offset : offset + length]) < 2**bits, entry["name"]
        offset += length
    assert offset == len(shard)
    gzipped = len(gzip.compress(shard, 9))
    assert gzipped == metadata["quantization_trials"]["uint8"]["code_bit_trials"][str(bits)]["gzip_bytes"]
