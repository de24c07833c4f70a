"""mnist_draw/upload.py: photos and scans become canvas-like pixels; every bad upload is one UploadError."""

from __future__ import annotations

import io
import threading
import time

import numpy as np
import pytest
from PIL import Image

from mnist_draw import upload
from mnist_draw.config import CANVAS_SIZE
from mnist_draw.preprocess import preprocess_canvas
from mnist_draw.upload import MAX_UPLOAD_MB, UploadError, decode_upload
from tests.made_up_images import png_claiming_size, seven


def encode(pixels: np.ndarray, image_format: str = "PNG", **options) -> bytes:
    """uint8 (H, W) grey or (H, W, 4) RGBA array -> encoded image bytes."""
    buffer = io.BytesIO()
    Image.fromarray(pixels).save(buffer, format=image_format, **options)
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "empty"),
        (b"hello, this is a text file\n", "not an image"),
        (encode(seven(), "GIF"), "GIF images are not supported"),
        (png_claiming_size(100_000, 100_000), "too large"),  # PIL's own DecompressionBombError
        (png_claiming_size(8_000, 6_000), "too large (8000 x 6000"),  # our limit, below PIL's
        (encode(seven())[:200], "could not be decoded"),
        (encode(np.full((50, 50), 128, dtype=np.uint8)), "No digit found"),
    ],
    ids=["empty", "text", "gif", "pil-pixel-bomb", "over-our-pixel-limit", "truncated", "flat"],
)
def test_bad_upload_raises_one_line_upload_error(data, message):
    with pytest.raises(UploadError) as raised:
        decode_upload(data)
    assert message in str(raised.value) and "\n" not in str(raised.value)


def test_file_over_the_size_limit_is_refused_before_decoding():
    with pytest.raises(UploadError, match=f"at most {MAX_UPLOAD_MB} MB"):
        decode_upload(b"\x89PNG" + bytes(MAX_UPLOAD_MB * 1024 * 1024))


def test_white_on_black_comes_back_as_opaque_canvas_pixels():
    rgba = decode_upload(encode(seven()))
    assert rgba.shape == (112, 112, 4) and rgba.dtype == np.uint8
    assert (rgba[..., 3] == 255).all()
    np.testing.assert_array_equal(rgba[..., 0], seven())


def test_dark_on_light_is_inverted_to_match_white_on_black():
    dark_on_light = decode_upload(encode(seven(ink=0, background=255)))
    np.testing.assert_array_equal(dark_on_light, decode_upload(encode(seven())))


def test_grey_paper_and_grey_pencil_are_stretched_to_black_and_white():
    rgba = decode_upload(encode(seven(ink=60, background=200)))
    assert rgba[0, 0, 0] == 0 and rgba[..., 0].max() == 255
    np.testing.assert_array_equal(rgba[..., 0] > 0, seven() > 0)


def test_transparent_background_reads_the_strokes_from_alpha():
    alpha = seven()
    black_ink_on_transparent = np.stack([np.zeros_like(alpha)] * 3 + [alpha], axis=-1)
    np.testing.assert_array_equal(decode_upload(encode(black_ink_on_transparent))[..., 0], seven())


def test_large_photo_is_shrunk_to_the_canvas_size():
    rgba = decode_upload(encode(np.kron(seven(), np.ones((9, 6), dtype=np.uint8))))  # 1008 x 672
    assert rgba.shape[:2] == (CANVAS_SIZE, round(CANVAS_SIZE * 672 / 1008))  # aspect ratio kept


def test_jpeg_noise_does_not_change_the_model_input_much():
    from_png = preprocess_canvas(decode_upload(encode(seven(ink=0, background=255))))
    from_jpeg = preprocess_canvas(decode_upload(encode(seven(ink=0, background=255), "JPEG", quality=70)))
    assert np.abs(from_png - from_jpeg).mean() < 0.03


def test_sixteen_bit_greyscale_scan_is_scaled_to_eight_bits_not_clipped():
    scan = seven(ink=30, background=220).astype(np.uint16) * 257  # the same picture, 16 bits a pixel
    assert Image.open(io.BytesIO(encode(scan))).mode.startswith("I")
    np.testing.assert_array_equal(decode_upload(encode(scan)), decode_upload(encode(seven(ink=30, background=220))))


def test_photo_with_exif_rotation_comes_back_upright():
    exif = Image.Exif()
    exif[0x0112] = 6  # "rotate 90 degrees clockwise to display", as a phone held upright writes it
    stored_sideways = np.ascontiguousarray(np.rot90(seven(), k=1))
    buffer = io.BytesIO()
    Image.fromarray(stored_sideways).save(buffer, format="PNG", exif=exif)
    np.testing.assert_array_equal(decode_upload(buffer.getvalue()), decode_upload(encode(seven())))


def test_palette_image_with_a_transparent_background_reads_the_strokes_from_alpha():
    palette_image = Image.fromarray((seven() > 0).astype(np.uint8), mode="P")
    palette_image.putpalette([255, 255, 255, 0, 0, 0])  # index 0 white (and transparent), index 1 black ink
    buffer = io.BytesIO()
    palette_image.save(buffer, format="PNG", transparency=0)
    np.testing.assert_array_equal(decode_upload(buffer.getvalue())[..., 0], seven())


def test_decoding_in_strips_gives_the_same_pixels_as_in_one_piece(monkeypatch):
    photo = encode(np.kron(seven(ink=40, background=210), np.ones((9, 7), dtype=np.uint8)))  # 1008 x 784
    whole = decode_upload(photo)
    monkeypatch.setattr(upload, "STRIP_PIXELS", 784 * 10)  # 3 x 3 boxes, 9 rows a strip: 112 strips
    np.testing.assert_array_equal(decode_upload(photo), whole)


def test_large_jpeg_is_decoded_at_reduced_scale_with_the_same_result():
    big = np.kron(seven(ink=0, background=255), np.ones((20, 20), dtype=np.uint8))  # 2240 x 2240
    opened = Image.open(io.BytesIO(encode(big, "JPEG", quality=90)))
    opened.draft("L", (CANVAS_SIZE, CANVAS_SIZE))
    assert opened.size == (280, 280) and opened.mode == "L"  # libjpeg decodes 1/8 of each side, in grey
    from_jpeg = preprocess_canvas(decode_upload(encode(big, "JPEG", quality=90)))
    from_png = preprocess_canvas(decode_upload(encode(big)))
    assert np.abs(from_png - from_jpeg).mean() < 0.03


def test_decode_budget_makes_a_decode_that_does_not_fit_wait():
    order = []
    first_holds = threading.Event()

    def first():
        with upload.decode_budget(upload.DECODE_BUDGET_BYTES):
            first_holds.set()
            time.sleep(0.3)
            order.append("first done")

    thread = threading.Thread(target=first)
    thread.start()
    first_holds.wait()
    with upload.decode_budget(1):
        order.append("second started")
    thread.join()
    assert order == ["first done", "second started"]
