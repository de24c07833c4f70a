"""Ten 40-megapixel uploads decoded at once, in threads as Streamlit runs sessions, stay within memory.

A fresh child process decodes them (mnist_draw.upload.decode_upload) and reports its peak and
final resident memory from /proc/self/status (VmHWM, VmRSS), so nothing this test process did
before, like drawing the photos, counts.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from mnist_draw.config import CANVAS_SIZE, PROJECT_ROOT
from mnist_draw.upload import MAX_UPLOAD_PIXELS

pytestmark = pytest.mark.skipif(not Path("/proc/self/status").is_file(), reason="reads memory from Linux's /proc")

CONCURRENT_UPLOADS = 10
PEAK_LIMIT_MB = 1536
AFTER_LIMIT_MB = 1024
WIDTH, HEIGHT = 8000, 5000  # 40 MP, the most open_image accepts
assert WIDTH * HEIGHT == MAX_UPLOAD_PIXELS

MEASURE = """
import json, sys, threading
from mnist_draw.upload import decode_upload

def megabytes(key):
    for line in open("/proc/self/status"):
        if line.startswith(key + ":"):
            return int(line.split()[1]) // 1024

data = open(sys.argv[1], "rb").read()
copies = int(sys.argv[2])
start, shapes = threading.Barrier(copies), []

def decode():
    start.wait()
    shapes.append(decode_upload(data).shape)

threads = [threading.Thread(target=decode) for _ in range(copies)]
baseline = megabytes("VmRSS")
for thread in threads:
    thread.start()
for thread in threads:
    thread.join()
print(json.dumps({"baseline_mb": baseline, "peak_mb": megabytes("VmHWM"), "after_mb": megabytes("VmRSS"), "shapes": [list(shape) for shape in shapes]}))
"""


@pytest.fixture(scope="module")
def photo_pixels() -> np.ndarray:
    """(5000, 8000, 3) uint8: a dark "7" on light grey paper filling a 40 MP frame."""
    pixels = np.full((HEIGHT, WIDTH, 3), 235, dtype=np.uint8)
    pixels[1000:1400, 2000:6000] = 20
    for row in range(1400, 4500):
        column = 6000 - (row - 1400) * 3000 // 3100
        pixels[row, column - 200 : column + 200] = 20
    return pixels


def decode_concurrently(path: Path) -> dict:
    result = subprocess.run(
        [sys.executable, "-c", MEASURE, str(path), str(CONCURRENT_UPLOADS)],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize(
    ("image_format", "options"),
    [("PNG", {}), ("JPEG", {"quality": 90, "progressive": True})],
    ids=["png", "progressive-jpeg"],
)
def test_ten_concurrent_40_megapixel_uploads_stay_within_memory(tmp_path, photo_pixels, image_format, options):
    path = tmp_path / f"photo.{image_format.lower()}"
    Image.fromarray(photo_pixels).save(path, format=image_format, **options)
    report = decode_concurrently(path)
    numbers = f"{CONCURRENT_UPLOADS} x {path.stat().st_size:,}-byte {image_format}: {report}"
    assert len(report["shapes"]) == CONCURRENT_UPLOADS and all(
        max(shape[:2]) <= CANVAS_SIZE for shape in report["shapes"]
    ), numbers
    assert report["peak_mb"] <= PEAK_LIMIT_MB, numbers
    assert report["after_mb"] <= AFTER_LIMIT_MB, numbers
