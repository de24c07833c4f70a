"""Write tests/golden/preprocess.json: synthetic canvases and what mnist_draw/preprocess.py makes of them.

    python -m tests.make_golden            # rewrite the file (a reviewed diff)
    python -m tests.make_golden --check    # exit 1 if the committed file is stale

Both preprocessing twins are tested against this one file: tests/test_preprocess.py (Python)
and tests/js/preprocess.test.mjs (Node, and in Chromium via tests/test_web.py). Format: cases
of inputs and expected outputs, plus the parameters the cases were made with so the JS side repeats no number:

    {"params": {"image_size", "fit_box", "ink_threshold", "luma_weights"},
     "cases": [{"name", "canvas": {"width", "height", "rgba_zlib_b64"}, "expected_zlib_b64", "shape"}]}

`rgba_zlib_b64` is the row-major (height, width, 4) uint8 canvas, `expected_zlib_b64` the
(28, 28, 1) float32 little-endian output; both are zlib-compressed, then base64. The canvases
are mostly background, so this keeps the file at tens of kilobytes instead of megabytes, and
both sides decode it with their standard library (Python zlib, Node node:zlib).
"""

from __future__ import annotations

import argparse
import base64
import json
import math
import sys
import zlib
from pathlib import Path

import numpy as np

from mnist_draw.config import CANVAS_SIZE, IMAGE_SIZE, INPUT_SHAPE, STROKE_WIDTH, STROKE_WIDTH_RANGE
from mnist_draw.preprocess import bounding_box, fit_to_box, preprocess_canvas, preprocess_parameters
from tests import adapt_golden, fusion_golden, number_golden, pen_path_golden
from tests.adapt_golden import ADAPT_GOLDEN_PATH
from tests.fusion_golden import FUSION_GOLDEN_PATH
from tests.number_golden import NUMBER_GOLDEN_PATH
from tests.pen_path_golden import PEN_PATH_GOLDEN_PATH

GOLDEN_PATH = Path(__file__).resolve().parent / "golden" / "preprocess.json"
THIN, THICK = STROKE_WIDTH_RANGE


def draw_strokes(
    width: int, height: int, strokes, stroke_width: float, colour=(255, 255, 255), alpha=255, background=None
) -> np.ndarray:
    """Anti-aliased round-capped polylines -> (height, width, 4) uint8 RGBA.

    `strokes` is a list of polylines in canvas pixels [(x, y), ...]. Coverage falls off over one
    pixel at the stroke edge, like a browser's anti-aliasing. Without a background the canvas is
    transparent (what the page reads); with one, the ink is composited over that opaque colour.
    """
    ys, xs = np.mgrid[0:height, 0:width] + 0.5
    distance = np.full((height, width), np.inf)
    for polyline in strokes:
        points = np.asarray(polyline, dtype=np.float64)
        segments = zip(points[:-1], points[1:]) if len(points) > 1 else [(points[0], points[0])]
        for start, end in segments:
            direction = end - start
            length_squared = float(direction @ direction) or 1.0
            along = np.clip(((xs - start[0]) * direction[0] + (ys - start[1]) * direction[1]) / length_squared, 0, 1)
            distance = np.minimum(
                distance, np.hypot(xs - start[0] - along * direction[0], ys - start[1] - along * direction[1])
            )
    coverage = np.clip(stroke_width / 2 + 0.5 - distance, 0.0, 1.0)
    rgba = np.zeros((height, width, 4), dtype=np.uint8)
    if background is None:
        rgba[..., :3] = colour
        rgba[..., 3] = np.floor(coverage * alpha + 0.5).astype(np.uint8)
    else:
        mixed = np.asarray(background) * (1 - coverage[..., None]) + np.asarray(colour) * coverage[..., None]
        rgba[..., :3] = np.floor(mixed + 0.5).astype(np.uint8)
        rgba[..., 3] = 255
    return rgba


def ellipse(centre_x: float, centre_y: float, radius_x: float, radius_y: float, points: int = 48):
    """A closed polyline approximating an ellipse (a drawn "0")."""
    return [
        (
            centre_x + radius_x * math.cos(2 * math.pi * step / points),
            centre_y + radius_y * math.sin(2 * math.pi * step / points),
        )
        for step in range(points + 1)
    ]


def golden_canvases() -> dict[str, np.ndarray]:
    """Name -> RGBA canvas. Most are smaller than the page's canvas to keep the file small."""
    size = CANVAS_SIZE
    seven = [[(30, 28), (112, 28), (62, 128)]]
    two = [[(40, 50), (60, 30), (90, 30), (105, 55), (40, 120), (110, 120)]]
    return {
        "blank": np.zeros((96, 96, 4), dtype=np.uint8),
        "dot": draw_strokes(96, 96, [[(40.3, 61.7)]], 9),
        "one_centred": draw_strokes(size, size, [[(141.3, 52.6), (138.2, 230.4)]], STROKE_WIDTH),
        "seven_off_centre": draw_strokes(size, size, seven, STROKE_WIDTH),
        "zero_touching_edges": draw_strokes(140, 140, [ellipse(61.3, 70.6, 70, 66)], 16),
        "two_thin_pen": draw_strokes(140, 140, two, THIN / 2),
        "two_thick_pen": draw_strokes(140, 140, two, THICK / 2),
        "minus_wide_flat": draw_strokes(140, 140, [[(12.4, 71.2), (128.9, 73.5)]], 10),
        "dark_partial_alpha": draw_strokes(
            140,
            140,
            [[(70.2, 20.7), (68.9, 118.4)], [(40.6, 60.1), (100.3, 61.8)]],
            12,
            colour=(90, 60, 200),
            alpha=160,
        ),
        "grey_on_black_opaque": draw_strokes(
            140,
            140,
            [[(x / 2 + 20.3, y / 2 + 10.6) for x, y in seven[0]]],
            11,
            colour=(200, 200, 200),
            background=(0, 0, 0),
        ),
        "non_square_canvas": draw_strokes(
            120, 200, [[(70.5, 30.2), (35.4, 110.8), (90.7, 110.3)], [(75.6, 80.4), (72.1, 175.9)]], 14
        ),
    }


def centring_margin(rgba: np.ndarray) -> float:
    """Distance of the centre-of-mass rounding from a tie (0.5 = safest, 0 = on a tie).

    A case whose rounding sits within float noise of a tie would pin down ulp-level arithmetic
    that no two implementations are obliged to share, so such cases are refused.
    """
    from mnist_draw.preprocess import ink_from_rgba

    ink = ink_from_rgba(rgba)
    box_bounds = bounding_box(ink)
    if box_bounds is None:
        return 0.5
    top, left, bottom, right = box_bounds
    box = fit_to_box(ink[top:bottom, left:right])
    rows, cols = np.indices(box.shape)
    margins = []
    for coordinates in (rows, cols):
        shifted = (IMAGE_SIZE - 1) / 2 - (coordinates * box).sum() / box.sum() + 0.5
        margins.append(min(shifted - math.floor(shifted), math.ceil(shifted) - shifted) if shifted % 1 else 0.0)
    return min(margins)


def pack(array: np.ndarray) -> str:
    """Array bytes (row-major) -> zlib-compressed base64 text."""
    return base64.b64encode(zlib.compress(np.ascontiguousarray(array).tobytes(), 9)).decode("ascii")


def unpack(text: str) -> bytes:
    """The inverse of pack: zlib-compressed base64 text -> the raw bytes."""
    return zlib.decompress(base64.b64decode(text))


def encode_case(name: str, rgba: np.ndarray) -> dict:
    """One golden case in the format above (inputs, expected outputs), arrays packed (see the module docstring)."""
    if centring_margin(rgba) < 1e-6:
        raise ValueError(f"golden case {name!r} sits on a centre-of-mass rounding tie; nudge its strokes")
    expected = preprocess_canvas(rgba)
    height, width = rgba.shape[:2]
    return {
        "name": name,
        "canvas": {"width": width, "height": height, "rgba_zlib_b64": pack(rgba.astype(np.uint8))},
        "expected_zlib_b64": pack(expected.astype("<f4")),
        "shape": list(expected.shape),
    }


def golden_document() -> dict:
    """The whole file: parameters and cases."""
    params = preprocess_parameters()
    cases = [encode_case(name, rgba) for name, rgba in golden_canvases().items()]
    if any(case["shape"] != list(INPUT_SHAPE) for case in cases):
        raise ValueError(f"preprocess_canvas must return {INPUT_SHAPE}")
    return {"params": params, "cases": cases}


def decode_canvas(canvas: dict) -> np.ndarray:
    """Golden "canvas" -> (height, width, 4) uint8."""
    raw = np.frombuffer(unpack(canvas["rgba_zlib_b64"]), dtype=np.uint8)
    return raw.reshape(canvas["height"], canvas["width"], 4)


def decode_expected(case: dict) -> np.ndarray:
    """Golden "expected_zlib_b64" -> float32 array of the case's shape."""
    return np.frombuffer(unpack(case["expected_zlib_b64"]), dtype="<f4").reshape(case["shape"])


def decoded(document: dict) -> tuple:
    """What a golden document means, independent of how zlib happened to compress it."""
    cases = [
        (case["name"], case["shape"], decode_canvas(case["canvas"]).tobytes(), decode_expected(case).tobytes())
        for case in document["cases"]
    ]
    return document["params"], cases


def is_up_to_date(path: Path, document: dict) -> bool:
    """Whether the file at `path` holds `document`, compared decoded: another zlib may pack it differently."""
    try:
        return decoded(json.loads(path.read_text())) == decoded(document)
    except (OSError, ValueError, KeyError, zlib.error):  # missing, not JSON, old format, corrupt
        return False


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m tests.make_golden",
        description="Write the preprocessing golden vectors shared by the Python and JavaScript tests.",
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    parser.add_argument("--out", type=Path, default=GOLDEN_PATH, help="where to write the JSON file")
    parser.add_argument("--check", action="store_true", help="do not write; exit 1 if --out differs from a fresh run")
    args = parser.parse_args(argv)
    document = golden_document()
    text = json.dumps(document, indent=1) + "\n"
    if args.check:
        fresh = is_up_to_date(args.out, document)
        print(f"{args.out}: {'up to date' if fresh else 'STALE: run python -m tests.make_golden'}")
        pen_path_fresh = pen_path_golden.is_up_to_date(PEN_PATH_GOLDEN_PATH, pen_path_golden.golden_document())
        print(f"{PEN_PATH_GOLDEN_PATH}: {'up to date' if pen_path_fresh else 'STALE: run python -m tests.make_golden'}")
        fusion_fresh = FUSION_GOLDEN_PATH.is_file() and FUSION_GOLDEN_PATH.read_text() == fusion_golden.text()
        print(f"{FUSION_GOLDEN_PATH}: {'up to date' if fusion_fresh else 'STALE: run python -m tests.make_golden'}")
        adapt_fresh = ADAPT_GOLDEN_PATH.is_file() and ADAPT_GOLDEN_PATH.read_text() == adapt_golden.text()
        print(f"{ADAPT_GOLDEN_PATH}: {'up to date' if adapt_fresh else 'STALE: run python -m tests.make_golden'}")
        number_fresh = NUMBER_GOLDEN_PATH.is_file() and NUMBER_GOLDEN_PATH.read_text() == number_golden.text()
        print(f"{NUMBER_GOLDEN_PATH}: {'up to date' if number_fresh else 'STALE: run python -m tests.make_golden'}")
        return 0 if fresh and pen_path_fresh and fusion_fresh and adapt_fresh and number_fresh else 1
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text)
    print(f"wrote {len(document['cases'])} cases to {args.out} ({len(text) / 1e3:.0f} kB)")
    # The pen-path twins' vectors (tests/pen_path_golden.py) are written alongside.
    print(pen_path_golden.write())
    FUSION_GOLDEN_PATH.write_text(fusion_golden.text())  # and the fusion twins' (tests/fusion_golden.py)
    print(f"wrote {len(fusion_golden.cases())} cases to {FUSION_GOLDEN_PATH}")
    ADAPT_GOLDEN_PATH.write_text(adapt_golden.text())  # and the adaptation twins' (tests/adapt_golden.py)
    print(f"wrote {len(adapt_golden.document()['cases'])} cases to {ADAPT_GOLDEN_PATH}")
    NUMBER_GOLDEN_PATH.write_text(number_golden.text())  # and the number-grouping twins' (tests/number_golden.py)
    print(f"wrote {len(number_golden.document()['cases'])} cases to {NUMBER_GOLDEN_PATH}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
