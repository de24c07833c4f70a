"""The random slant, stretch and turn that makes one writer's drawing look like another's.

The pen-digit augmentation (train/stroke_data.py) and the made-up non-digits (non_digits.py) draw
it the same way, so it lives here, where a data reader can import it without importing train/.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np


def random_affine(
    strokes: Sequence[np.ndarray],
    rng: np.random.Generator,
    slant: float,
    aspect: float,
    rotation_degrees: float,
) -> list[np.ndarray]:
    """Slant, stretch and turn strokes about their bounding box's centre, one draw for them all.

    strokes: each (k >= 1, 2) float64, x right, y down, any unit.
    slant: most x shear per unit of y (0.3: about 17 degrees of italic either way).
    aspect: log of the most width-to-height stretch (0.2: 0.82x to 1.22x).
    rotation_degrees: most turn either way, in degrees.
    Returns new (k, 2) float64 arrays, same shapes; the old box centre is the fixed point, so the
    strokes stay where they were, and zero ranges give them back unchanged.
    Draws three uniforms from rng, always, in this order (sets made from one seed depend on it):
    shear, log stretch, angle.
    """
    shear = rng.uniform(-slant, slant)
    stretch = math.exp(rng.uniform(-aspect, aspect))
    angle = math.radians(rng.uniform(-rotation_degrees, rotation_degrees))
    cos, sin = math.cos(angle), math.sin(angle)
    # Row vectors times this matrix: shear x by y, stretch x against y, then rotate.
    matrix = (
        np.array([[1.0, 0.0], [shear, 1.0]]) @ np.diag([stretch, 1 / stretch]) @ np.array([[cos, sin], [-sin, cos]])
    )
    points = np.concatenate(strokes)
    centre = (points.min(axis=0) + points.max(axis=0)) / 2
    return [(stroke - centre) @ matrix + centre for stroke in strokes]
