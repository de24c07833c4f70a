"""An uploaded photo or scan of a digit -> a canvas-like RGBA array for preprocess_canvas.

The drawing canvas gives white ink on black; a photo of paper is usually dark ink on a light
background, with a grey, uneven "white". decode_upload() turns either into the canvas
convention, then streamlit_app.py runs the same mnist_draw.preprocess.preprocess_canvas on it.
Every way an upload can be bad raises UploadError with a one-line message for the user.

Memory: the app decodes uploads in threads, one per session, so a few big photos at once must
not add up to gigabytes. The header is checked before any pixel is decoded; a JPEG is decoded
straight to a small greyscale image (libjpeg's DCT scaling); a PNG has to be decoded whole, so
it waits for room in DECODE_BUDGET_BYTES, shared by all threads, and is box-averaged down in
strips at once. What is left per upload is a few hundred kilobytes of float32.
"""

from __future__ import annotations

import contextlib
import ctypes
import io
import threading
import warnings

import numpy as np
from PIL import Image, UnidentifiedImageError

from mnist_draw.config import CANVAS_SIZE

ACCEPTED_FORMATS = {"PNG": "png", "JPEG": "jpg"}  # PIL format name -> the extension users know
MAX_UPLOAD_MB = 20  # the uploader refuses bigger files in the browser; decode_upload checks again
MAX_UPLOAD_PIXELS = 40_000_000  # a 48 MP phone photo is about 8000 x 6000; anything bigger is refused unread
MIN_CONTRAST = 0.15  # ink must differ from the background by this much (0..1) to count as a digit
BACKGROUND_MARGIN = 0.2  # fraction of the contrast treated as paper texture / JPEG noise, not ink
# Decoded pixels all threads may hold at once: two 40 MP RGB PNGs (PIL keeps 4 bytes a pixel);
# a bigger single image still decodes, alone.
DECODE_BUDGET_BYTES = 320 * 2**20
STRIP_PIXELS = 2_000_000  # the decoded image is converted and averaged this many pixels at a time
SIXTEEN_BIT_MODES = {"I;16", "I;16L", "I;16B", "I;16N", "I"}  # PIL's modes for a 16-bit greyscale PNG
EXIF_ORIENTATION = 0x0112
# EXIF orientation -> the transposition that undoes it (the same table as PIL.ImageOps.exif_transpose).
ORIENTATION_FIX = {
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_270,
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_90,
}


class UploadError(ValueError):
    """The upload cannot be classified; the message is one line meant for the user."""


def open_image(data: bytes) -> Image.Image:
    """Encoded bytes -> an opened, not yet decoded PNG or JPEG PIL image, or UploadError.

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
    return image


_budget = threading.Condition()
_budget_in_use = 0


@contextlib.contextmanager
def decode_budget(nbytes: int):
    """Wait until `nbytes` of DECODE_BUDGET_BYTES are free, hold them while decoding, then give them back."""
    global _budget_in_use
    nbytes = min(nbytes, DECODE_BUDGET_BYTES)
    with _budget:
        _budget.wait_for(lambda: _budget_in_use + nbytes <= DECODE_BUDGET_BYTES)
        _budget_in_use += nbytes
    try:
        yield
    finally:
        with _budget:
            _budget_in_use -= nbytes
            _budget.notify_all()
        release_freed_memory()


def release_freed_memory() -> None:
    """Hand freed heap pages back to the OS (glibc malloc_trim); elsewhere a no-op.

    glibc keeps freed blocks in its per-thread heaps, so without this a burst of big uploads
    leaves hundreds of megabytes behind and the next burst lands on top (40 mixed 40 MP uploads
    at once: 1.39 GB peak and 0.93 GB after, against 0.47 GB and 0.05 GB with it).
    """
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6").malloc_trim(0)


def decoded_bytes(image: Image.Image) -> int:
    """What PIL allocates to decode `image` in its current (possibly draft) mode and size."""
    width, height = image.size
    per_pixel = 1 if image.mode in ("1", "L", "P") else 2 if image.mode.startswith("I;16") else 4
    return width * height * per_pixel


def progressive_jpeg_bytes(image: Image.Image) -> int:
    """The DCT coefficients libjpeg keeps for a progressive JPEG (2 bytes each, at full size however small it decodes); 0 otherwise."""
    if image.format != "JPEG" or not (image.info.get("progressive") or image.info.get("progression")):
        return 0
    samplings = [
        horizontal * vertical for _, horizontal, vertical, _ in image.layer
    ]  # per component, e.g. Y 2x2, Cb and Cr 1x1
    return image.size[0] * image.size[1] * sum(samplings) * 2 // max(samplings)


def reduce_factor(size: tuple[int, int]) -> int:
    """The box size that brings the longer side down to CANVAS_SIZE..2*CANVAS_SIZE (1 if already smaller)."""
    return max(1, max(size) // CANVAS_SIZE)


def box_average(values: np.ndarray, factor: int) -> np.ndarray:
    """(H, W) float32 -> (ceil(H/f), ceil(W/f)) means of f x f blocks (partial blocks at the edges)."""
    if factor == 1:
        return values
    rows = np.add.reduceat(values, np.arange(0, values.shape[0], factor), axis=0)
    sums = np.add.reduceat(rows, np.arange(0, values.shape[1], factor), axis=1)
    heights = np.diff(np.append(np.arange(0, values.shape[0], factor), values.shape[0]))
    widths = np.diff(np.append(np.arange(0, values.shape[1], factor), values.shape[1]))
    return sums / np.outer(heights, widths).astype(np.float32)


def strip_channels(strip: Image.Image) -> tuple[np.ndarray, np.ndarray | None]:
    """A decoded strip in any PNG/JPEG mode -> (grey, alpha or None), (h, w) float32 in [0, 1].

    16-bit greyscale is scaled by 1/65535, not clipped to 255 as PIL's convert("L") does.
    """
    if strip.mode in SIXTEEN_BIT_MODES:
        return np.asarray(strip, dtype=np.float32) / 65535.0, None
    grey = np.asarray(strip.convert("L"), dtype=np.float32) / 255.0
    if "A" in strip.getbands():
        return grey, np.asarray(strip.getchannel("A"), dtype=np.float32) / 255.0
    if "transparency" in strip.info:  # a palette entry or one colour marked transparent (tRNS)
        return grey, np.asarray(strip.convert("RGBA").getchannel("A"), dtype=np.float32) / 255.0
    return grey, None


def reduce_decoded(image: Image.Image, factor: int) -> tuple[np.ndarray, np.ndarray | None]:
    """Decoded PIL image -> box-averaged (grey, alpha or None), converted STRIP_PIXELS at a time."""
    width, height = image.size
    rows = max(factor, STRIP_PIXELS // width // factor * factor)  # whole blocks per strip
    greys, alphas = [], []
    for top in range(0, height, rows):
        grey, alpha = strip_channels(image.crop((0, top, width, min(top + rows, height))))
        greys.append(box_average(grey, factor))
        if alpha is not None:
            alphas.append(box_average(alpha, factor))
    return np.concatenate(greys), np.concatenate(alphas) if alphas else None


def decode_small(image: Image.Image) -> tuple[np.ndarray, np.ndarray | None, int]:
    """Opened image -> (grey, alpha or None, EXIF orientation): float32 in [0, 1], longer side <= 2*CANVAS_SIZE.

    A JPEG is decoded at 1/2, 1/4 or 1/8 scale straight to greyscale where that still covers
    the canvas; everything else is decoded whole, within the shared decode budget, and freed
    as soon as it is averaged down.
    """
    coefficients = progressive_jpeg_bytes(image)
    if image.format == "JPEG":
        image.draft("L", (CANVAS_SIZE, CANVAS_SIZE))
    with decode_budget(decoded_bytes(image) + coefficients):
        try:
            image.load()
            orientation = image.getexif().get(EXIF_ORIENTATION, 1)
            grey, alpha = reduce_decoded(image, reduce_factor(image.size))
        except (OSError, SyntaxError, ValueError) as error:  # PIL's ways of saying truncated or corrupt
            raise UploadError(f"The image could not be decoded ({error}): is the file complete?") from None
        finally:
            image.close()  # frees the decoded pixels now, not whenever the garbage collector runs
    return grey, alpha, orientation


def fit_to_canvas(values: np.ndarray, orientation: int) -> np.ndarray:
    """(H, W) float32 -> upright (EXIF), shrunk with a box filter so the longer side is <= CANVAS_SIZE, float64."""
    image = Image.fromarray(np.ascontiguousarray(values, dtype=np.float32))
    if orientation in ORIENTATION_FIX:
        image = image.transpose(ORIENTATION_FIX[orientation])
    image.thumbnail((CANVAS_SIZE, CANVAS_SIZE), Image.Resampling.BOX)  # BOX averages, like preprocessing does
    return np.asarray(image, dtype=np.float64)


def border(values: np.ndarray) -> np.ndarray:
    """(H, W) array -> 1-D array of its outermost rows and columns (where the background is)."""
    return np.concatenate([values[0], values[-1], values[:, 0], values[:, -1]])


def ink_from_channels(grey: np.ndarray, alpha: np.ndarray | None) -> np.ndarray:
    """(H, W) grey and alpha (or None) in [0, 1] -> (H, W) ink in [0, 1], 1 = darkest-against-background ink.

    Transparent background: the opaque strokes are the ink, whatever their colour.
    Otherwise the border's median brightness tells the background: light -> invert.
    """
    if alpha is not None and np.median(border(alpha)) < 0.5:
        return alpha
    return 1.0 - grey if np.median(border(grey)) > 0.5 else grey


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
    grey, alpha, orientation = decode_small(open_image(data))
    grey = fit_to_canvas(grey, orientation)  # phone photos store their rotation in EXIF
    alpha = fit_to_canvas(alpha, orientation) if alpha is not None else None
    ink = normalise_ink(ink_from_channels(grey, alpha))
    grey = np.round(ink * 255).astype(np.uint8)
    opaque = np.full_like(grey, 255)
    return np.stack([grey, grey, grey, opaque], axis=-1)
