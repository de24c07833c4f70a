"""`python -m export`: argparse -> export.convert.convert(); nothing else."""

from __future__ import annotations

import argparse
import os
import sys
import textwrap
import time
from pathlib import Path

# TensorFlow's C++ start-up chatter (CUDA probing on a CPU machine) would bury the few lines
# this command prints; its real failures still surface as Python exceptions.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

from export import ExportError  # noqa: E402
from export.convert import (  # noqa: E402
    DEFAULT_SAVED_MODEL_DIR,
    MIN_QUANTIZED_AGREEMENT,
    MNIST_TEST,
    QUANTIZE_CHOICES,
    convert,
)
from mnist_draw.cli import HelpFormatter  # noqa: E402
from mnist_draw.config import DATA_DIR_ENV, DEFAULT_MODEL_PATH, WEB_MODEL_DIR, project_relative  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m export",
        formatter_class=HelpFormatter,
        description=textwrap.fill(
            "Convert the trained Keras model (from `python -m train`) into TensorFlow.js graph models "
            "for the web page, plus a TensorFlow SavedModel for TF Serving. Writes a float32 variant and, "
            f"if its top class agrees with float32 on >= {MIN_QUANTIZED_AGREEMENT:.1%} of the 10k MNIST test digits, "
            "a quantized one, with metadata.json (input, labels, preprocessing, versions, SHA-256 of each weight "
            "file). Everything is checked (reloaded in TensorFlow and in TF.js under Node when installed) before "
            "it replaces the previous export; a failure, or a kill at any moment, leaves the old one in place. "
            "An existing output folder that is not an earlier export is refused, never emptied. Takes under a minute.",
            width=88,
        ),
        epilog=(
            "examples:\n"
            "  python -m export --data ~/data/mnist\n"
            "  python -m export --model smoke.keras --out /tmp/web-model --saved-model /tmp/saved_model --quantize none"
        ),
    )
    parser.add_argument(
        "--model",
        type=Path,
        default=project_relative(DEFAULT_MODEL_PATH),
        metavar="PATH",
        help="the .keras file written by `python -m train`",
    )
    parser.add_argument(
        "--out",
        type=Path,
        default=project_relative(WEB_MODEL_DIR),
        metavar="DIR",
        help="TF.js output folder the page loads; replaced as a whole if it holds an earlier export, refused if it holds anything else",
    )
    parser.add_argument(
        "--saved-model",
        type=Path,
        default=project_relative(DEFAULT_SAVED_MODEL_DIR),
        metavar="DIR",
        help="SavedModel output folder (TF Serving format); replaced as a whole if it holds a SavedModel, refused if it holds anything else",
    )
    parser.add_argument(
        "--data",
        type=Path,
        default=argparse.SUPPRESS,  # the help says what "unset" means better than "None"
        metavar="DIR",
        help=f"folder with the four MNIST IDX .gz files for the quantization agreement check (default: ${DATA_DIR_ENV}, else the Keras cache; none found: float32 only)",
    )
    parser.add_argument(
        "--quantize",
        choices=QUANTIZE_CHOICES,
        default="auto",
        help="quantized variant to add: auto tries uint8 and float16 and keeps the smaller that passes; none writes float32 only",
    )
    args = parser.parse_args(argv)

    started = time.monotonic()
    try:
        metadata = convert(
            args.model, args.out, args.saved_model, data_dir=getattr(args, "data", None), quantize=args.quantize
        )
    except ExportError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    default = metadata["variants"][metadata["default_variant"]]
    print(
        f"exported {project_relative(args.out)} (page loads {metadata['default_variant']}: {default['bytes']:,} bytes"
        + (
            f", argmax agreement {default['argmax_agreement']:.2%}"
            if metadata["verification"]["inputs"] == MNIST_TEST
            else ""
        )
        + f") and {project_relative(args.saved_model)} in {time.monotonic() - started:.0f}s"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
