"""Drive a real headless Chromium: what the browser tests and the benchmarks share.

    chromium.py       find and launch Chromium (the flags every launch uses)
    static_page.py    serve web/ with `node web/serve.mjs`; the page's selectors
    app_driver.py     run `streamlit run streamlit_app.py`; the app's selectors, prediction, clear
    mouse.py          draw a digit (mnist_draw.strokes.DrawnDigit) with the real mouse, or a finger
    digits.py         the hand-made digits the tests and benchmarks draw

Not part of the runtime (mnist_draw/): it needs Playwright, a development dependency. Imported
by tests/ and bench/, never by product code, and it imports neither of them.
"""
