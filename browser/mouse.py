"""Draw a digit's strokes into a page's canvas with the real mouse, or a finger, as a person would.

One function serves the static page (`[data-testid="draw-canvas"]`), the Streamlit app
(`[data-testid="drawing-canvas"]`), the tests and the benchmarks; draw_digit_async is the same
drawing for Playwright's async API (the benchmark's sessions that draw at the same moment), and
touch_digit draws it with one finger on a touchscreen. Strokes are in
the project's stroke format (mnist_draw/strokes.py) and are placed on the canvas by the same
mnist_draw.render.to_canvas that the Python renderer uses, so a drawing made here and the
same digit rendered in Python start from identical canvas coordinates.
"""

from __future__ import annotations

import time

from mnist_draw.config import CANVAS_SIZE, STROKE_WIDTH
from mnist_draw.render import Placement, to_canvas
from mnist_draw.strokes import DrawnDigit

ScreenStroke = list[tuple[float, float]]


def surface_placement(
    digit: DrawnDigit, size: float, centre_x: float = 0.5, centre_y: float = 0.5, pen_width: float = STROKE_WIDTH
) -> Placement:
    """The Placement that puts the digit's whole drawing surface, not just its ink, on the canvas.

    The surface's longer side spans `size` of the canvas and its centre lands on (centre_x,
    centre_y), so where the ink sits inside the surface is kept: a thin "1" in a unit square
    stays thin and narrow instead of being stretched to `size`.
    """
    left, top, right, bottom = digit.bounds()
    side = max(digit.width, digit.height)
    return Placement(
        size=size * max(right - left, bottom - top) / side,
        centre_x=centre_x + ((left + right) / 2 - digit.width / 2) * size / side,
        centre_y=centre_y + ((top + bottom) / 2 - digit.height / 2) * size / side,
        pen_width=pen_width,
    )


def screen_strokes(
    box: dict, digit: DrawnDigit, placement: Placement, canvas_size: int = CANVAS_SIZE
) -> list[ScreenStroke]:
    """Each stroke as screen (x, y) points inside the canvas element's bounding box.

    Canvas-pixel points are mapped to the element's on-screen box (CSS scales the canvas), so the
    page's own CSS-to-canvas mapping brings them back to where the renderer puts them.
    """
    scale_x, scale_y = box["width"] / canvas_size, box["height"] / canvas_size
    return [
        [(box["x"] + x * scale_x, box["y"] + y * scale_y) for x, y in points]
        for points in to_canvas(digit, placement, canvas_size)
    ]


def draw_digit(
    page, canvas_selector: str, digit: DrawnDigit, placement: Placement = Placement(), *, canvas_size: int = CANVAS_SIZE
) -> float:
    """Draw every stroke (mouse down, one move per point, mouse up) -> time.perf_counter() at the last mouse-up.

    One pointermove per point, not Playwright's interpolated steps: the page then strokes exactly
    the points given (browser/digits.py's resample makes sparse polylines dense first).
    """
    for screen in screen_strokes(page.locator(canvas_selector).bounding_box(), digit, placement, canvas_size):
        page.mouse.move(*screen[0])
        page.mouse.down()
        for point in screen[1:]:
            page.mouse.move(*point)
        page.mouse.up()
    return time.perf_counter()


async def draw_digit_async(
    page, canvas_selector: str, digit: DrawnDigit, placement: Placement = Placement(), *, canvas_size: int = CANVAS_SIZE
) -> float:
    """draw_digit for a page of Playwright's async API: the same mouse moves, awaited."""
    for screen in screen_strokes(await page.locator(canvas_selector).bounding_box(), digit, placement, canvas_size):
        await page.mouse.move(*screen[0])
        await page.mouse.down()
        for point in screen[1:]:
            await page.mouse.move(*point)
        await page.mouse.up()
    return time.perf_counter()


def touch_digit(
    page, canvas_selector: str, digit: DrawnDigit, placement: Placement = Placement(), *, canvas_size: int = CANVAS_SIZE
) -> float:
    """draw_digit with one finger: touch start, one move per point, touch end -> time.perf_counter() at the last lift.

    Playwright's touchscreen can only tap, so the touches go through Chromium's DevTools protocol
    (Input.dispatchTouchEvent), which the page receives as a real touchscreen's: pointer events
    with pointerType "touch". Chromium only: the page's context needs has_touch=True.
    """
    canvas = page.locator(canvas_selector)
    canvas.scroll_into_view_if_needed()
    session = page.context.new_cdp_session(page)
    try:
        for screen in screen_strokes(canvas.bounding_box(), digit, placement, canvas_size):
            for kind, (x, y) in [("touchStart", screen[0]), *(("touchMove", point) for point in screen[1:])]:
                session.send("Input.dispatchTouchEvent", {"type": kind, "touchPoints": [{"x": x, "y": y}]})
            session.send("Input.dispatchTouchEvent", {"type": "touchEnd", "touchPoints": []})
        return time.perf_counter()
    finally:
        session.detach()


def draw_canvas_strokes(page, canvas_selector: str, strokes, canvas_width: float, canvas_height: float) -> float:
    """Strokes already in canvas pixels, on a canvas of any shape (the page's wide number canvas too),
    drawn with the mouse as draw_digit draws -> time.perf_counter() at the last mouse-up.

    `strokes`: (n, 2) [x, y] canvas-pixel points per stroke, mapped onto the element's on-screen box.
    """
    box = page.locator(canvas_selector).bounding_box()
    scale_x, scale_y = box["width"] / canvas_width, box["height"] / canvas_height
    for points in strokes:
        screen = [(box["x"] + x * scale_x, box["y"] + y * scale_y) for x, y in points]
        page.mouse.move(*screen[0])
        page.mouse.down()
        for point in screen[1:]:
            page.mouse.move(*point)
        page.mouse.up()
    return time.perf_counter()
