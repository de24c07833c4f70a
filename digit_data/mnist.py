"""MNIST as NumPy arrays, read by training, the export's checks, the tests and the benchmarks.

Where the digits come from, in order: `--data DIR` (or $MNIST_DATA_DIR) with the four
canonical IDX `.gz` files, each checked against its published SHA-256; otherwise Keras's
standard download and cache (~/.keras/datasets/mnist.npz). Every failure is a `DataError`
with a one-line message that the CLIs print as they are. Keras (and so TensorFlow) is imported
only for that download.
"""

from __future__ import annotations

import gzip
import os
from pathlib import Path

import numpy as np

from mnist_draw.checksums import sha256_of
from mnist_draw.config import DATA_DIR_ENV

# The canonical files and the SHA-256 of each .gz as published (yann.lecun.com published MD5s of the same files).
MNIST_FILES = {
    "train_images": ("train-images-idx3-ubyte.gz", "440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609"),
    "train_labels": ("train-labels-idx1-ubyte.gz", "3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c"),
    "test_images": ("t10k-images-idx3-ubyte.gz", "8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6"),
    "test_labels": ("t10k-labels-idx1-ubyte.gz", "f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6"),
}
IDX_UBYTE = 0x08  # IDX type code for unsigned bytes, the only type MNIST uses
HOW_TO_PROVIDE = (
    f"pass --data DIR (or set {DATA_DIR_ENV}) to a folder with the four MNIST IDX .gz files, "
    "or let Keras download it (needs internet)"
)


class DataError(Exception):
    """MNIST could not be read; the message is one line, fit to print as it is."""


def read_idx(path: Path, expected_ndim: int, expected_sha256: str | None = None) -> np.ndarray:
    """One gzipped IDX file -> uint8 array of its declared shape (images (N, 28, 28), labels (N,)).

    Checks, each with a one-line `DataError`: the checksum of the .gz, the gzip stream, the
    magic number (unsigned bytes, `expected_ndim` dimensions) and that the data fills the shape.
    """
    if not path.is_file():
        raise DataError(f"{path}: file not found; {HOW_TO_PROVIDE}")
    if expected_sha256 is not None and (actual := sha256_of(path)) != expected_sha256:
        raise DataError(
            f"{path.name}: SHA-256 is {actual[:16]}..., expected {expected_sha256[:16]}...; the file is corrupt or not the canonical MNIST file"
        )
    try:
        raw = gzip.decompress(path.read_bytes())
    except (OSError, EOFError) as error:
        raise DataError(f"{path.name}: not a complete gzip file ({error})") from None
    magic = raw[:4]
    if len(magic) < 4 or magic[:3] != bytes([0, 0, IDX_UBYTE]) or magic[3] != expected_ndim:
        raise DataError(
            f"{path.name}: wrong magic number {magic.hex()}, expected 000008{expected_ndim:02x} (IDX, unsigned bytes, {expected_ndim}-D)"
        )
    header_end = 4 + 4 * expected_ndim
    shape = tuple(int.from_bytes(raw[4 + 4 * axis : 8 + 4 * axis], "big") for axis in range(expected_ndim))
    payload = raw[header_end:]
    if len(raw) < header_end or len(payload) != int(np.prod(shape)):
        raise DataError(
            f"{path.name}: truncated or padded: header says {shape} = {int(np.prod(shape))} bytes, found {len(payload)}"
        )
    return np.frombuffer(payload, dtype=np.uint8).reshape(shape)


def load_idx_dir(
    directory: Path, files: dict = MNIST_FILES
) -> tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]:
    """Folder of the four IDX files -> ((x_train, y_train), (x_test, y_test)) like Keras returns."""
    arrays = {
        key: read_idx(Path(directory) / filename, 3 if key.endswith("images") else 1, checksum)
        for key, (filename, checksum) in files.items()
    }
    for split in ("train", "test"):
        if len(arrays[f"{split}_images"]) != len(arrays[f"{split}_labels"]):
            raise DataError(
                f"{split}: {len(arrays[f'{split}_images'])} images but {len(arrays[f'{split}_labels'])} labels"
            )
    return (arrays["train_images"], arrays["train_labels"]), (arrays["test_images"], arrays["test_labels"])


def resolve_data_dir(data_dir: Path | str | None = None) -> Path | None:
    """The IDX folder to read: the argument, else $MNIST_DATA_DIR, else None (Keras download)."""
    chosen = data_dir or os.environ.get(DATA_DIR_ENV)
    return Path(chosen) if chosen else None


def load_mnist(data_dir: Path | str | None = None):
    """-> ((x_train, y_train), (x_test, y_test)): uint8 images (N, 28, 28) in 0..255, uint8 labels (N,)."""
    directory = resolve_data_dir(data_dir)
    if directory is not None:
        if not directory.is_dir():
            raise DataError(f"MNIST folder {directory} does not exist; {HOW_TO_PROVIDE}")
        return load_idx_dir(directory)
    import keras  # only for the download: TensorFlow takes seconds to import

    try:
        return keras.datasets.mnist.load_data()
    except Exception as error:  # no network, no cache: Keras raises several types here
        raise DataError(
            f"MNIST not found: the Keras download failed ({type(error).__name__}); {HOW_TO_PROVIDE}"
        ) from None


def describe_source(data_dir: Path | str | None = None) -> dict:
    """Where the data came from and the SHA-256 of each file read, for metrics.json."""
    directory = resolve_data_dir(data_dir)
    if directory is not None:
        # The file names and checksums say what was read; the folder is one machine's business.
        return {
            "source": "MNIST IDX files",
            "sha256": {name: sha256_of(directory / name) for name, _ in MNIST_FILES.values()},
        }
    import keras

    cached = (
        Path(keras.config.keras_home() if hasattr(keras.config, "keras_home") else Path.home() / ".keras")
        / "datasets"
        / "mnist.npz"
    )
    return {"source": "keras.datasets.mnist", "sha256": {cached.name: sha256_of(cached)} if cached.is_file() else {}}


def to_model_input(images: np.ndarray) -> np.ndarray:
    """uint8 (N, 28, 28) in 0..255 -> float32 (N, 28, 28, 1) in [0, 1], the model's input."""
    return (images.astype(np.float32) / 255.0)[..., np.newaxis]
