"""An uploaded photo or scan of a digit -> a canvas-like RGBA array for preprocess_canvas.

The drawing canvas gives white ink on black; a photo of paper is usually dark ink on a light
background, with a grey, uneven "white". decode_upload() turns either into the canvas
convention, then streamlit_app.py runs the same mnist_draw.preprocess.preprocess_canvas on it.
Every way an upload can be bad raises UploadError with a one-line message for the user.
"""

from __future__ import annotations

import io
import warnings

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

from mnist_draw.config import CANVAS_SIZE

ACCEPTED_FORMATS = {"PNG": "png", "JPEG": "jpg"}  # PIL format name -> the extension users know
MAX_UPLOAD_MB = 20  # the uploader refuses bigger files in the browser; decode_upload checks again
MAX_UPLOAD_PIXELS = 40_000_000  # a 48 MP phone photo is about 8000 x 6000; anything bigger is refused unread
MIN_CONTRAST = 0.15  # ink must differ from the background by this much (0..1) to count as a digit
BACKGROUND_MARGIN = 0.2  # fraction of the contrast treated as paper texture / JPEG noise, not ink


class UploadError(ValueError):
    """The upload cannot be classified; the message is one line meant for the user."""


def open_image(data: bytes) -> Image.Image:
    """Encoded bytes -> a fully decoded PNG or JPEG PIL image, or UploadError.

    The size is checked from the header before any pixel is decoded, so a small file that
    claims a huge canvas (a "pixel bomb") never gets to allocate memory.
    """
    if not data:
        raise UploadError("The file is empty: upload a PNG or JPEG image of one digit.")
    if len(data) > MAX_UPLOAD_MB * 1024 * 1024:
        raise UploadError(f"The file is {len(data) / 2**20:.0f} MB: at most {MAX_UPLOAD_MB} MB.")
    try:
        # PIL only warns between MAX_IMAGE_PIXELS and twice that; treat the warning as the error it is.
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise UploadError(f"The image is too large: at most {MAX_UPLOAD_PIXELS / 1e6:.0f} megapixels.") from None
    except UnidentifiedImageError:
        raise UploadError("This file is not an image: upload a PNG or JPEG image of one digit.") from None
    if image.format not in ACCEPTED_FORMATS:
        raise UploadError(f"{image.format} images are not supported: upload a PNG or JPEG image.")
    width, height = image.size
    if width * height > MAX_UPLOAD_PIXELS:
        raise UploadError(
            f"The image is too large ({width} x {height} pixels): at most {MAX_UPLOAD_PIXELS / 1e6:.0f} megapixels."
        )
    try:
        image.load()
    except (OSError, SyntaxError, ValueError) as error:  # PIL's ways of saying truncated or corrupt
        raise UploadError(f"The image could not be decoded ({error}): is the file complete?") from None
    return image


def border(values: np.ndarray) -> np.ndarray:
    """(H, W) array -> 1-D array of its outermost rows and columns (where the background is)."""
    return np.concatenate([values[0], values[-1], values[:, 0], values[:, -1]])


def ink_from_image(image: Image.Image) -> np.ndarray:
    """Decoded PIL image -> (H, W) float64 ink in [0, 1], 1 = darkest-against-background ink.

    Transparent background: the opaque strokes are the ink, whatever their colour.
    Otherwise the border's median brightness tells the background: light -> invert.
    """
    if "A" in image.getbands() or "transparency" in image.info:
        alpha = np.asarray(image.convert("RGBA"), dtype=np.float64)[..., 3] / 255.0
        if np.median(border(alpha)) < 0.5:
            return alpha
    grey = np.asarray(image.convert("L"), dtype=np.float64) / 255.0
    if np.median(border(grey)) > 0.5:
        grey = 1.0 - grey
    return grey


def normalise_ink(ink: np.ndarray) -> np.ndarray:
    """(H, W) ink in [0, 1] on a grey, noisy background -> (H, W) ink with background 0, peak 1.

    The border median is the background level; a margin above it absorbs paper texture and
    JPEG noise so they do not widen the digit's bounding box in preprocessing.
    """
    background = float(np.median(border(ink)))
    contrast = float(ink.max()) - background
    if contrast < MIN_CONTRAST:
        raise UploadError("No digit found: the image is almost one flat colour.")
    floor = background + BACKGROUND_MARGIN * contrast
    return np.clip((ink - floor) / (ink.max() - floor), 0.0, 1.0)


def decode_upload(data: bytes) -> np.ndarray:
    """PNG/JPEG bytes -> (h, w, 4) uint8 RGBA, white ink on opaque black, max(h, w) <= CANVAS_SIZE.

    The result has the canvas's polarity and roughly its size, ready for preprocess_canvas.
    Raises UploadError (one line) for an empty, non-image, unsupported, huge or corrupt file.
    """
    image = ImageOps.exif_transpose(open_image(data))  # phone photos store their rotation in EXIF
    # Shrinking first keeps the work small for big photos; BOX averages, like preprocessing does.
    image.thumbnail((CANVAS_SIZE, CANVAS_SIZE), Image.Resampling.BOX)
    ink = normalise_ink(ink_from_image(image))
    grey = np.round(ink * 255).astype(np.uint8)
    opaque = np.full_like(grey, 255)
    return np.stack([grey, grey, grey, opaque], axis=-1)
