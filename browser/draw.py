"""Draw a digit's strokes into a page's canvas with the real mouse, as a person would.

One function serves the static page (`[data-testid="draw-canvas"]`), the Streamlit app
(`canvas.upper-canvas`), the tests and the benchmarks. Strokes are in the project's stroke
format (mnist_draw/strokes.py) and are placed on the canvas by the same
mnist_draw.render.to_canvas that the Python renderer uses, so a drawing made here and the
same digit rendered in Python start from identical canvas coordinates.
"""

from __future__ import annotations

import time

from mnist_draw.config import CANVAS_SIZE
from mnist_draw.render import Placement, to_canvas
from mnist_draw.strokes import DrawnDigit


def draw_digit(page, canvas_selector: str, digit: DrawnDigit, placement: Placement = Placement(), *, canvas_size: int = CANVAS_SIZE) -> float:
    """Draw every stroke (mouse down, one move per point, mouse up) -> time.perf_counter() at the last mouse-up.

    Canvas-pixel points are mapped to the element's on-screen box (CSS scales the canvas), so the
    page's own CSS-to-canvas mapping brings them back to where the renderer puts them. One
    pointermove per point, not Playwright's interpolated steps: the page then strokes exactly
    the points given.
    """
    box = page.locator(canvas_selector).bounding_box()
    scale_x, scale_y = box["width"] / canvas_size, box["height"] / canvas_size
    for points in to_canvas(digit, placement, canvas_size):
        screen = [(box["x"] + x * scale_x, box["y"] + y * scale_y) for x, y in points]
        page.mouse.move(*screen[0])
        page.mouse.down()
        for point in screen[1:]:
            page.mouse.move(*point)
        page.mouse.up()
    return time.perf_counter()
