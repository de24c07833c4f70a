"""digit_data/mnist.py: the IDX reader on files the tests write, and the no-data error; train/data.py's split."""

from __future__ import annotations

import gzip
import hashlib
from pathlib import Path

import numpy as np
import pytest

from digit_data import mnist as data
from mnist_draw.config import DATA_DIR_ENV
from train.__main__ import main
from train.data import split_validation


def write_idx(path: Path, array: np.ndarray, *, magic: bytes | None = None, cut: int = 0) -> str:
    """Write `array` (uint8) as gzipped IDX; `cut` drops trailing bytes; returns the .gz SHA-256."""
    header = magic if magic is not None else bytes([0, 0, data.IDX_UBYTE, array.ndim])
    header += b"".join(size.to_bytes(4, "big") for size in array.shape)
    raw = header + array.astype(np.uint8).tobytes()
    path.write_bytes(gzip.compress(raw[: len(raw) - cut] if cut else raw))
    return hashlib.sha256(path.read_bytes()).hexdigest()


def fake_mnist_dir(directory: Path, *, count: int = 12) -> dict:
    """Four small IDX files with the canonical names; returns a checksum table for load_idx_dir."""
    rng = np.random.default_rng(0)
    files = {}
    for key, (filename, _) in data.MNIST_FILES.items():
        array = rng.integers(0, 256, (count, 28, 28)) if key.endswith("images") else rng.integers(0, 10, count)
        files[key] = (filename, write_idx(directory / filename, array))
    return files


def test_reads_images_and_labels_with_their_declared_shapes(tmp_path):
    checksums = fake_mnist_dir(tmp_path)
    (train_images, train_labels), (test_images, test_labels) = data.load_idx_dir(tmp_path, checksums)
    assert train_images.shape == (12, 28, 28) and train_images.dtype == np.uint8
    assert train_labels.shape == (12,) and test_images.shape == (12, 28, 28) and test_labels.shape == (12,)


def test_roundtrip_preserves_every_pixel(tmp_path):
    images = np.arange(3 * 28 * 28, dtype=np.int64).reshape(3, 28, 28) % 256
    checksum = write_idx(tmp_path / "images.gz", images)
    np.testing.assert_array_equal(data.read_idx(tmp_path / "images.gz", 3, checksum), images)


def test_truncated_file_is_refused_naming_the_file(tmp_path):
    path = tmp_path / "t10k-images-idx3-ubyte.gz"
    write_idx(path, np.zeros((4, 28, 28)), cut=100)
    with pytest.raises(data.DataError, match=r"t10k-images-idx3-ubyte.gz: truncated .* 3136 bytes, found 3036"):
        data.read_idx(path, 3)


def test_cut_gzip_stream_is_refused(tmp_path):
    path = tmp_path / "labels.gz"
    write_idx(path, np.zeros(50))
    path.write_bytes(path.read_bytes()[:20])
    with pytest.raises(data.DataError, match="labels.gz: not a complete gzip file"):
        data.read_idx(path, 1)


def test_wrong_magic_number_is_refused(tmp_path):
    path = tmp_path / "labels.gz"
    write_idx(path, np.zeros(5), magic=bytes([0, 0, 0x0D, 1]))  # 0x0D: float32, not MNIST's bytes
    with pytest.raises(data.DataError, match="labels.gz: wrong magic number 00000d01, expected 00000801"):
        data.read_idx(path, 1)


def test_checksum_mismatch_names_file_and_expected_value(tmp_path):
    path = tmp_path / "train-labels-idx1-ubyte.gz"
    write_idx(path, np.zeros(5))
    expected = data.MNIST_FILES["train_labels"][1]
    with pytest.raises(data.DataError, match=rf"train-labels-idx1-ubyte.gz: SHA-256 is .* expected {expected[:16]}"):
        data.read_idx(path, 1, expected)


def test_fake_files_fail_the_canonical_checksums(tmp_path):
    fake_mnist_dir(tmp_path)
    with pytest.raises(data.DataError, match="SHA-256"):
        data.load_mnist(tmp_path)


def test_no_data_anywhere_names_both_ways(monkeypatch):
    monkeypatch.delenv(DATA_DIR_ENV, raising=False)

    def offline():  # what Keras does on a machine with no network and no cache
        raise OSError("URL fetch failure: no network")

    import keras

    monkeypatch.setattr(keras.datasets.mnist, "load_data", offline)
    with pytest.raises(data.DataError) as raised:
        data.load_mnist()
    message = str(raised.value)
    assert "\n" not in message and "--data DIR" in message and DATA_DIR_ENV in message and "download" in message


def test_cli_prints_one_line_error_for_missing_folder(tmp_path, capsys):
    assert main(["--data", str(tmp_path / "nowhere"), "--out", str(tmp_path / "out")]) == 1
    error_lines = capsys.readouterr().err.strip().splitlines()
    assert error_lines == [f"error: MNIST folder {tmp_path / 'nowhere'} does not exist; {data.HOW_TO_PROVIDE}"]
    assert not (tmp_path / "out").exists()


def test_validation_split_is_disjoint_and_seeded():
    images, labels = np.arange(100).reshape(100, 1, 1), np.arange(100)
    (train, _), (validation, _) = split_validation(images, labels, 10, seed=1)
    (_, _), (again, _) = split_validation(images, labels, 10, seed=1)
    assert len(train) == 90 and len(validation) == 10
    assert not set(train.ravel()) & set(validation.ravel())
    np.testing.assert_array_equal(validation, again)


def test_real_mnist_loads_and_matches_published_checksums(mnist_dir):
    (train_images, train_labels), (test_images, test_labels) = data.load_mnist(mnist_dir)
    assert train_images.shape == (60000, 28, 28) and test_images.shape == (10000, 28, 28)
    assert np.bincount(test_labels).tolist() == [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]
