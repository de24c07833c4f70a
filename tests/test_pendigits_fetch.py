"""Fetching the pen digits from UCI (digit_data/pendigits.py fetch_pendigits) without a network.

The only stand-in is the URL opener: it serves a real zip built here from the real training file,
compressed to a real .Z, so the zip reading, the LZW decompression, the checksum and the cache
all run for real. The decompressor (unlzw) is checked against .Z streams from two encoders:
`lzw_compress` below, itself proven by gzip's own .Z reader, and ncompress's `compress` when it
is installed (apt-get install ncompress).
"""

from __future__ import annotations

import gzip
import hashlib
import http.client
import io
import shutil
import subprocess
import urllib.error
import urllib.request
import zipfile

import pytest

from digit_data.pendigits import (
    DIGIT_COUNT,
    PEN_DATA_ENV,
    TRAINING_FILE,
    TRAINING_TEXT_SHA256,
    UCI_MEMBER,
    UCI_URL,
    PenDataError,
    fetch_pendigits,
    load_pendigits,
    unlzw,
)
from tests.conftest import missing


def lzw_compress(data: bytes, max_bits: int = 16, block_mode: bool = True) -> bytes:
    """Bytes -> a .Z stream laid out as unix `compress` lays it out; CLEAR whenever the table fills.

    Widths follow the decoder: a code is read with the width its next free code needs, and a
    change of width (or a CLEAR) pads to the end of the current group of eight codes.
    """
    first = 257 if block_mode else 256  # block mode reserves 256 for CLEAR
    table_limit = 1 << max_bits
    out = bytearray([0x1F, 0x9D, max_bits | (0x80 if block_mode else 0)])
    accumulator = pending = written = 0  # bits waiting for a whole byte, their count, all bits so far
    width, group_start, codes_since_clear = 9, 0, 0

    def put(value: int, bits: int) -> None:
        nonlocal accumulator, pending, written
        accumulator |= value << pending
        pending += bits
        written += bits
        while pending >= 8:
            out.append(accumulator & 0xFF)
            accumulator >>= 8
            pending -= 8

    def pad_to_group_end() -> None:
        nonlocal group_start
        put(0, -(written - group_start) % (width * 8))
        group_start = written

    def emit(code: int) -> None:
        nonlocal width, codes_since_clear
        decoder_next_free = min(first + max(codes_since_clear - 1, 0), table_limit)
        needed = min(max(9, decoder_next_free.bit_length()), max_bits)
        if needed != width:
            pad_to_group_end()
            width = needed
        put(code, width)
        codes_since_clear += 1

    table: dict[int, int] = {}  # (code << 8 | next byte) -> code of that longer string
    next_code, current = first, None
    for byte in data:
        if current is None:
            current = byte
            continue
        key = current << 8 | byte
        if key in table:
            current = table[key]
            continue
        emit(current)
        if next_code < table_limit:
            table[key] = next_code
            next_code += 1
        elif block_mode:
            emit(256)
            pad_to_group_end()
            width, codes_since_clear, table, next_code = 9, 0, {}, first
        current = byte
    if current is not None:
        emit(current)
    if pending:
        out.append(accumulator)
    return bytes(out)


def compress_with_ncompress(data: bytes, max_bits: int = 16) -> bytes:
    return subprocess.run(["compress", "-c", f"-b{max_bits}"], input=data, capture_output=True, check=True).stdout


def real_dot_z(text: bytes) -> bytes:
    """The real file as a .Z: by `compress` when installed (fast), else by lzw_compress."""
    return compress_with_ncompress(text) if shutil.which("compress") else lzw_compress(text)


def build_zip(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as bundle:
        for name, data in members.items():
            bundle.writestr(name, data)
    return buffer.getvalue()


@pytest.fixture(scope="module")
def uci_zip(pen_text) -> bytes:
    """A zip laid out like UCI's: the training file as .Z beside a description file."""
    return build_zip({UCI_MEMBER: real_dot_z(pen_text), "pendigits-orig.names": b"a description, not digits\n"})


class CutOff(io.BytesIO):
    """A response whose connection drops before the body is complete."""

    def read(self, *size):
        raise http.client.IncompleteRead(super().read(100), 1000)


class Server:
    """What urllib.request.urlopen returns for each address asked, and what was asked."""

    def __init__(self, body: bytes | None, response=io.BytesIO):
        self.body, self.response, self.requested = body, response, []

    def urlopen(self, url, timeout=None):
        self.requested.append(url)
        if self.body is None:
            raise urllib.error.URLError("[Errno -3] Temporary failure in name resolution")
        return self.response(self.body)


@pytest.fixture
def serve(monkeypatch):
    """serve(body, response) -> Server: urlopen answers `body` (None: no network) for every address."""
    monkeypatch.delenv(PEN_DATA_ENV, raising=False)

    def install(body: bytes | None, response=io.BytesIO) -> Server:
        server = Server(body, response)
        monkeypatch.setattr(urllib.request, "urlopen", server.urlopen)
        return server

    return install


def one_line(error: pytest.ExceptionInfo) -> str:
    message = str(error.value)
    assert "\n" not in message, message
    return message


SAMPLE = b"".join(b"%d %d\n" % (index * 7 % 500, index * 13 % 500) for index in range(6000)) + bytes(range(256)) * 20


@pytest.mark.parametrize(("max_bits", "block_mode"), [(10, True), (12, True), (16, True), (10, False), (16, False)])
def test_unlzw_reads_what_the_reference_encoder_writes(max_bits, block_mode):
    # At 10 bits the table fills after ~800 codes: this covers widening, a full table and CLEAR.
    assert unlzw(lzw_compress(SAMPLE, max_bits, block_mode)) == SAMPLE


@pytest.mark.parametrize(("max_bits", "block_mode"), [(10, True), (16, True), (10, False)])
def test_reference_encoder_writes_what_gzip_reads(max_bits, block_mode):
    if shutil.which("gzip") is None:
        missing("gzip is not installed")
    read_back = subprocess.run(
        ["gzip", "-dc"], input=lzw_compress(SAMPLE, max_bits, block_mode), capture_output=True, check=True
    ).stdout
    assert read_back == SAMPLE


@pytest.mark.parametrize("max_bits", [10, 12, 16])
def test_unlzw_reads_what_ncompress_writes(max_bits):
    if shutil.which("compress") is None:
        missing("ncompress's `compress` is not installed (apt-get install ncompress)")
    assert unlzw(compress_with_ncompress(SAMPLE, max_bits)) == SAMPLE


def test_unlzw_reads_empty_and_one_byte_streams():
    assert unlzw(lzw_compress(b"")) == b""
    assert unlzw(lzw_compress(b"7")) == b"7"


@pytest.mark.parametrize(
    "stream",
    [b"", b"PK\x03\x04 a zip", b"\x1f\x9d\x95" + b"\x00" * 8, b"\x1f\x9d\x90" + b"\xff" * 16],
    ids=["empty", "wrong_magic", "max_bits_21", "undefined_code"],
)
def test_unlzw_refuses_what_is_not_a_whole_stream_with_one_line(stream):
    with pytest.raises(ValueError) as error:
        unlzw(stream)
    one_line(error)


def test_fetch_keeps_only_the_checked_training_file(tmp_path, serve, uci_zip):
    server = serve(uci_zip)
    cached = fetch_pendigits(tmp_path / "cache")
    assert server.requested == [UCI_URL]
    assert [path.name for path in (tmp_path / "cache").iterdir()] == [f"{TRAINING_FILE}.gz"] == [cached.name]
    assert hashlib.sha256(gzip.decompress(cached.read_bytes())).hexdigest() == TRAINING_TEXT_SHA256


def test_load_fetches_into_an_empty_cache_then_reads_it_offline(tmp_path, serve, uci_zip):
    serve(uci_zip)
    assert len(load_pendigits(cache_dir=tmp_path)) == DIGIT_COUNT
    offline = serve(None)
    assert len(load_pendigits(cache_dir=tmp_path)) == DIGIT_COUNT
    assert offline.requested == []


def test_no_network_and_no_cache_raises_one_line_saying_what_to_do(tmp_path, serve):
    serve(None)
    with pytest.raises(PenDataError) as error:
        load_pendigits(cache_dir=tmp_path)
    message = one_line(error)
    assert UCI_URL in message and "--pen-data" in message and PEN_DATA_ENV in message, message
    assert list(tmp_path.iterdir()) == []


def wrong_content(text: bytes) -> bytes:
    return build_zip({UCI_MEMBER: lzw_compress(text[:20000])})


BROKEN_DOWNLOADS = {
    "truncated_zip": lambda good, text: good[: len(good) // 2],
    "byte_flipped_in_zip": lambda good, text: good[:2000] + bytes([good[2000] ^ 0x55]) + good[2001:],
    "html_error_page": lambda good, text: b"<html><body>Service unavailable</body></html>",
    "zip_without_training_file": lambda good, text: build_zip({"pendigits.tra": b"1,2,3\n"}),
    "member_not_lzw": lambda good, text: build_zip({UCI_MEMBER: gzip.compress(b"digits")}),
    "member_lzw_garbage": lambda good, text: build_zip({UCI_MEMBER: b"\x1f\x9d\x90" + b"\xff" * 64}),
    "member_wrong_content": lambda good, text: wrong_content(text),
}


@pytest.mark.parametrize("breakage", sorted(BROKEN_DOWNLOADS))
def test_broken_download_raises_one_line_and_caches_nothing(tmp_path, serve, uci_zip, pen_text, breakage):
    serve(BROKEN_DOWNLOADS[breakage](uci_zip, pen_text))
    with pytest.raises(PenDataError) as error:
        fetch_pendigits(tmp_path)
    assert UCI_URL in one_line(error)
    assert list(tmp_path.iterdir()) == []


def test_damaged_cache_is_reported_naming_the_file(tmp_path, serve, pen_text):
    server = serve(None)
    cached = tmp_path / f"{TRAINING_FILE}.gz"
    cached.write_bytes(gzip.compress(pen_text[:100000], compresslevel=1))
    with pytest.raises(PenDataError) as error:
        load_pendigits(cache_dir=tmp_path)
    message = one_line(error)
    assert str(cached) in message and "delete" in message, message
    assert server.requested == []


def test_connection_dropped_mid_download_raises_one_line_and_caches_nothing(tmp_path, serve, uci_zip):
    serve(uci_zip, CutOff)
    with pytest.raises(PenDataError) as error:
        fetch_pendigits(tmp_path)
    assert UCI_URL in one_line(error)
    assert list(tmp_path.iterdir()) == []
