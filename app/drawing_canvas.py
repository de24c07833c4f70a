"""The Streamlit app's drawing canvas: a components-v2 component that draws with the page's own code.

The browser side is web/js/canvas.js (the static page's drawing surface) followed by
app/drawing_canvas.js (the glue to Streamlit), joined into one inline module, with the markup
below and the page's drawing-surface rule (web/canvas.css) ahead of app/drawing_canvas.css. It
renders in the app's document (a shadow root, no iframe).

What it sends back is the strokes, not pixels: on every pointer-up, at once, every stroke since
the last Clear as [[x, y], ...] canvas pixels (x right, y down), the way canvas.js records them;
mnist_draw.render.render_canvas_strokes draws them again in Python exactly as the canvas did.
Changing what canvas.js records changes this component too. The canvas holds to the drawing
bound of mnist_draw/config.py (handed over in `data`) and says so when a drawing reaches it.

It also sends, once per page load, the browser's visitor id: 128 random bits made with
crypto.getRandomValues the first time, then kept in that browser's localStorage, so the
drawings someone keeps stay theirs across reloads (mnist_draw/kept_drawings.py).
"""

from __future__ import annotations

from pathlib import Path
from typing import NamedTuple

import streamlit as st

from mnist_draw.config import (
    CANVAS_SIZE,
    MAX_POINTS_PER_DIGIT,
    MAX_STROKES_PER_DIGIT,
    MIN_POINT_DISTANCE,
    PROJECT_ROOT,
)
from mnist_draw.kept_drawings import is_visitor
from mnist_draw.strokes import Stroke, make_digit

HERE = Path(__file__).resolve().parent
# The test ids are how browser/app_driver.py (tests, benchmarks) finds the canvas and the button.
HTML = """
<div class="drawing-canvas">
  <canvas
    class="draw-canvas"
    data-testid="drawing-canvas"
    role="img"
    aria-label="Drawing area: draw one digit, 0 to 9, with mouse, finger or pen"
  ></canvas>
  <button type="button" data-testid="drawing-canvas-clear">Clear</button>
  <p data-testid="drawing-canvas-note" role="status" aria-live="polite"></p>
</div>
"""

_component = st.components.v2.component(
    "mnist_draw_drawing_canvas",
    html=HTML,
    css=(PROJECT_ROOT / "web" / "canvas.css").read_text(encoding="utf-8")
    + "\n"
    + (HERE / "drawing_canvas.css").read_text(encoding="utf-8"),
    js=(PROJECT_ROOT / "web" / "js" / "canvas.js").read_text(encoding="utf-8")
    + "\n"
    + (HERE / "drawing_canvas.js").read_text(encoding="utf-8"),
)


class CanvasValue(NamedTuple):
    strokes: tuple[Stroke, ...]  # since the last Clear, oldest first; () when nothing is drawn
    visitor: str | None  # this browser's id (mnist_draw.kept_drawings.is_visitor); None until it arrives


def drawing_canvas(
    pen_width: float, key: str = "canvas", size: int = CANVAS_SIZE, width: int | None = None, label: str | None = None
) -> CanvasValue:
    """Show the canvas (width x size CSS and canvas pixels, white ink of `pen_width` canvas pixels on black).

    width: None for a square (the digit canvas); number mode's is wider. A canvas keeps the shape
    it was first shown with, so give each shape its own `key`. label: what screen readers say the
    canvas is for (None: draw one digit).

    Returns the strokes drawn since the last Clear, oldest first: each a tuple of (x, y) float
    canvas pixels, x in [0, width) right and y in [0, size) down (a pointer dragged past the edge
    can go beyond), pen down first; and the browser's visitor id (None before the canvas has sent it,
    or when what it sent is not one). Every pointer-up and every Clear reruns the script (or the
    fragment that holds the canvas). Malformed strokes, or strokes past the drawing bound (not
    the canvas's own), raise mnist_draw.strokes.StrokeError.
    """
    result = _component(
        key=key,
        data={
            "size": size,
            "width": width or size,
            "label": label,
            "penWidth": pen_width,
            "limits": {
                "minPointDistance": MIN_POINT_DISTANCE,
                "maxPointsPerDigit": MAX_POINTS_PER_DIGIT,
                "maxStrokesPerDigit": MAX_STROKES_PER_DIGIT,
            },
        },
        default={"strokes": [], "visitor": None},
        on_strokes_change=lambda: None,  # the state is read on the rerun; nothing else to do then
        on_visitor_change=lambda: None,
        width="content",
    )
    visitor = result.visitor if is_visitor(result.visitor) else None
    strokes = result.strokes
    if not strokes:
        return CanvasValue((), visitor)
    return CanvasValue(make_digit(strokes, width=width or size, height=size).strokes, visitor)
