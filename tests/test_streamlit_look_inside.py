"""The Streamlit app's "Look inside" view (AppTest): filters and activation maps after an upload.

Uses the AppTest helpers of tests/apptest.py (tests/test_streamlit_app.py uses them too); drawing is not possible in AppTest, but
the Draw tab calls the same show_prediction -> show_look_inside path.
"""

from __future__ import annotations

import numpy as np
from streamlit.testing.v1 import AppTest

from tests.apptest import PROMPT, png, predictions

LOOK_INSIDE = "Look inside the model"
CAPTIONS = (
    "First conv layer: its 32 learned 3 x 3 filters",
    "Block 1 output: 32 activation maps of 12 x 12",
    "Block 2 output: 64 activation maps of 4 x 4",
)


def look_inside(at: AppTest):
    """The look-inside expanders currently shown (one per prediction on screen)."""
    return [expander for expander in at.expander if expander.label.startswith(LOOK_INSIDE)]


def test_blank_app_shows_no_look_inside(trained_app):
    trained_app.run()
    assert not trained_app.exception
    assert any(PROMPT in info.value for info in trained_app.info)
    assert look_inside(trained_app) == []


def test_good_upload_shows_filters_and_activation_maps(trained_app, first_test_digits):
    trained_app.run()
    for digit, label in first_test_digits[:2]:  # a second upload updates the same view
        scan = np.kron(digit, np.ones((8, 8), dtype=np.uint8))
        trained_app.file_uploader(key="upload").set_value((f"{label}.png", png(scan), "image/png"))
        trained_app.run()
        assert not trained_app.exception
        assert predictions(trained_app) == [label]
        (expander,) = look_inside(trained_app)
        captions = [caption for image in expander.get("image") for caption in image.captions]
        assert len(captions) == len(CAPTIONS), captions
        assert all(caption.startswith(expected) for caption, expected in zip(captions, CAPTIONS)), captions
        assert all(image.value and image.value[0] for image in expander.get("image"))  # each has a picture
