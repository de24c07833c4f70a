"""The Streamlit app's drawing canvas: a components-v2 component that draws with the page's own code.

The browser side is web/js/canvas.js (the static page's drawing surface) followed by
app/drawing_canvas.js (the glue to Streamlit), joined into one inline module, with the markup
below and app/drawing_canvas.css. It renders in the app's document (a shadow root, no iframe).

What it sends back is the strokes, not pixels: on every pointer-up, at once, every stroke since
the last Clear as [[x, y], ...] canvas pixels (x right, y down), the way canvas.js records them;
mnist_draw.render.render_canvas_strokes draws them again in Python exactly as the canvas did.
Changing what canvas.js records changes this component too.
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from mnist_draw.config import CANVAS_SIZE, PROJECT_ROOT
from mnist_draw.strokes import Stroke, make_digit

HERE = Path(__file__).resolve().parent
# The test ids are how browser/streamlit_app.py (tests, benchmarks) finds the canvas and the button.
HTML = """
<div class="drawing-canvas">
  <canvas
    data-testid="drawing-canvas"
    role="img"
    aria-label="Drawing area: draw one digit, 0 to 9, with mouse, finger or pen"
  ></canvas>
  <button type="button" data-testid="drawing-canvas-clear">Clear</button>
</div>
"""

_component = st.components.v2.component(
    "mnist_draw_drawing_canvas",
    html=HTML,
    css=(HERE / "drawing_canvas.css").read_text(encoding="utf-8"),
    js=(PROJECT_ROOT / "web" / "js" / "canvas.js").read_text(encoding="utf-8")
    + "\n"
    + (HERE / "drawing_canvas.js").read_text(encoding="utf-8"),
)


def drawing_canvas(pen_width: float, key: str = "canvas", size: int = CANVAS_SIZE) -> tuple[Stroke, ...]:
    """Show the canvas (size x size CSS and canvas pixels, white ink of `pen_width` canvas pixels on black).

    Returns the strokes drawn since the last Clear, oldest first: each a tuple of (x, y) float
    canvas pixels, x in [0, size) right and y down (a pointer dragged past the edge can go
    beyond), pen down first; () when nothing is drawn. Every pointer-up and every Clear reruns
    the script (or the fragment that holds the canvas). Malformed strokes (not the canvas's own)
    raise mnist_draw.strokes.StrokeError.
    """
    result = _component(
        key=key,
        data={"size": size, "penWidth": pen_width},
        default={"strokes": []},
        on_strokes_change=lambda: None,  # the state is read on the rerun; nothing else to do then
        width="content",
    )
    strokes = result.strokes
    if not strokes:
        return ()
    return make_digit(strokes, width=size, height=size).strokes
