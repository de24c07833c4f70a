"""Learn at once from a person's kept drawings: a vote of their nearest pen paths, blended into the answer.

    python -m mnist_draw.adapt     # rewrite web/js/adaptParams.js from mnist_draw/config.py

Twin: web/js/adapt.js implements the same numbered steps with the same names (`kept_memory` <->
`keptMemory`, `adapt` <-> `adapt`), held to this file by the golden vectors in
tests/golden/adapt.json (tests/adapt_golden.py, written by `python -m tests.make_golden`). The
numbers (ADAPT_RADIUS, ADAPT_HALF_STRENGTH) are written once, in mnist_draw/config.py; the page
reads them from web/js/adaptParams.js, which `python -m mnist_draw.adapt` generates
(tests/test_adapt.py checks it is current).

A fine-tune (train/, minutes) changes the model; this changes nothing but one answer, in well
under a millisecond, so a drawing kept a moment ago counts for the next one. It reads the (32, 5)
pen-path features the stroke model reads (mnist_draw/pen_path.py), which are normalised for size
and position, so the same shape drawn again lies close whatever its size and place.

The steps:
  1. distance: the root mean square difference of two drawings' features (all 160 numbers)
  2. kernel: (1 - (d / radius)^2)^2 below the radius, 0 from it on: only really similar
     drawings count, and one drawn almost the same counts almost 1
  3. consistency (once per set of kept drawings): a kept drawing's weight is
     (1 + kernel mass of its kept neighbours with its label) / (1 + kernel mass of all of them),
     leaving itself out: one that contradicts many close others of the person's counts little
  4. vote: per class, the sum over kept drawings of that label of weight * kernel(distance)
  5. blend: strength s = the votes' sum, a = s / (s + half_strength);
     p = (1 - a) * p_model + a * votes / s (p_model unchanged when s = 0)
  6. the answer is "from your drawings" when the blend's top class is not the model's

Pure NumPy, float64 throughout and float32 out, as the JavaScript: the two agree to 1e-6.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

import numpy as np

from mnist_draw.config import ADAPT_HALF_STRENGTH, ADAPT_RADIUS, NUM_CLASSES, PROJECT_ROOT
from mnist_draw.js_constants import constants_js, write_js

PARAMS_JS_PATH = PROJECT_ROOT / "web" / "js" / "adaptParams.js"  # the page's copy, generated below


def adapt_parameters(radius: float = ADAPT_RADIUS, half_strength: float = ADAPT_HALF_STRENGTH) -> dict:
    """The numbers the JS twin needs, under the names it reads them by."""
    return {"radius": radius, "halfStrength": half_strength}


def flat_features(features) -> np.ndarray:
    """(n, 32, 5) or (n, 160) features -> (n, 160) float64."""
    array = np.asarray(features, dtype=np.float64)
    return array.reshape(len(array), -1)


def distances(query, kept) -> np.ndarray:
    """Step 1. One drawing's features and (n, ...) kept ones -> (n,) root mean square differences."""
    query = np.asarray(query, dtype=np.float64).reshape(-1)
    kept = flat_features(kept)
    return np.sqrt(((kept - query) ** 2).sum(axis=1) / query.size)


def kernel(distance, radius: float = ADAPT_RADIUS) -> np.ndarray:
    """Step 2. Distances -> weights in [0, 1]: 1 at 0, falling smoothly to 0 at `radius` and beyond."""
    if not radius > 0:
        raise ValueError(f"radius must be positive, got {radius}")
    ratio = np.minimum(np.asarray(distance, dtype=np.float64) / radius, 1.0)
    return (1 - ratio * ratio) ** 2


def kept_memory(features, labels: Sequence[int], radius: float = ADAPT_RADIUS) -> dict:
    """Step 3. Kept drawings' features (n, 32, 5) and labels -> {"features", "labels", "weights"}.

    weights[i] in (0, 1]: how far kept drawing i agrees with the kept drawings close to it.
    """
    flat = flat_features(features) if len(features) else np.zeros((0, 0))
    labels = np.asarray(labels, dtype=np.int64)
    if len(labels) != len(flat):
        raise ValueError(f"{len(flat)} drawings but {len(labels)} labels")
    if len(labels) and not ((labels >= 0) & (labels < NUM_CLASSES)).all():
        raise ValueError(f"labels must be 0..{NUM_CLASSES - 1}")
    weights = np.ones(len(flat))
    for index in range(len(flat)):
        near = kernel(distances(flat[index], flat), radius)
        near[index] = 0.0  # leave itself out
        weights[index] = (1 + near[labels == labels[index]].sum()) / (1 + near.sum())
    return {"features": flat, "labels": labels, "weights": weights}


def votes(query, memory: dict, radius: float = ADAPT_RADIUS) -> np.ndarray:
    """Step 4. One drawing's features -> (10,) float64 votes of the kept drawings near it."""
    result = np.zeros(NUM_CLASSES)
    if len(memory["labels"]):
        np.add.at(result, memory["labels"], memory["weights"] * kernel(distances(query, memory["features"]), radius))
    return result


def adapt(
    probabilities,
    query,
    memory: dict,
    radius: float = ADAPT_RADIUS,
    half_strength: float = ADAPT_HALF_STRENGTH,
) -> tuple[np.ndarray, float, bool]:
    """Steps 4-6. The models' (10,) probabilities and the drawing's features ->
    (adapted (10,) float32 probabilities, strength a in [0, 1), whether the top class changed).
    """
    model = np.asarray(probabilities, dtype=np.float64)
    vote = votes(query, memory, radius)
    strength = vote.sum()
    if strength <= 0:
        return model.astype(np.float32), 0.0, False
    share = strength / (strength + half_strength)
    blended = ((1 - share) * model + share * (vote / strength)).astype(np.float32)
    return blended, float(share), int(blended.argmax()) != int(model.argmax())


def params_js() -> str:
    """The text of web/js/adaptParams.js: the adaptation's numbers, for the page."""
    return constants_js(
        "mnist_draw.adapt",
        "mnist_draw/config.py",
        "How kept drawings change the page's answers (tests/test_adapt.py checks it is current).",
        ADAPT_PARAMS=adapt_parameters(),
    )


def main() -> int:
    return write_js(PARAMS_JS_PATH, params_js())


if __name__ == "__main__":
    sys.exit(main())
