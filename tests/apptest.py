"""What the Streamlit AppTest modules share: the app file, its prompt, reading its predictions, PNG bytes.

A plain helper module (no tests in it), used by tests/test_streamlit_app.py and
tests/test_streamlit_look_inside.py; their `trained_app` and `first_test_digits` fixtures are in
tests/conftest.py.
"""

from __future__ import annotations

import io

import numpy as np
from PIL import Image

from mnist_draw.config import PROJECT_ROOT

APP_FILE = str(PROJECT_ROOT / "streamlit_app.py")  # AppTest resolves relative paths against the test file
PROMPT = "Draw a digit (0-9)"


def predictions(at) -> list[str]:
    """The values of every st.metric labelled "Prediction" in an AppTest."""
    return [metric.value for metric in at.metric if metric.label == "Prediction"]


def png(pixels: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(pixels).save(buffer, format="PNG")
    return buffer.getvalue()
