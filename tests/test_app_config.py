""".streamlit/config.toml: the app listens on this machine only and nothing leaves it.

One test reads the settings; the other starts the real `streamlit run streamlit_app.py` with
them (the project root is its working folder, where Streamlit looks for .streamlit/) and checks
the kernel's socket table and an HTTP proxy that records any request the server makes outward.
"""

from __future__ import annotations

import contextlib
import os
import socket
import tempfile
import threading
import time
from urllib.parse import urlsplit

import pytest
import tomllib

from browser.app_driver import streamlit_server
from mnist_draw.config import PROJECT_ROOT
from mnist_draw.inference import MODEL_PATH_ENV, model_path_from_env

CONFIG_PATH = PROJECT_ROOT / ".streamlit" / "config.toml"
LISTEN = "0A"  # the TCP state code for a listening socket in /proc/net/tcp
PROXY_VARIABLES = {"no_proxy", "http_proxy", "https_proxy", "all_proxy"}  # any case


def read_config() -> dict:
    return tomllib.loads(CONFIG_PATH.read_text())


def test_config_binds_to_loopback_and_sends_no_usage_statistics():
    config = read_config()
    assert config["server"]["address"] == "127.0.0.1"
    assert config["browser"]["gatherUsageStats"] is False
    # Set, it keeps Streamlit from asking an IP-check host for the "External URL" it prints.
    assert config["browser"]["serverAddress"] == "127.0.0.1"


def listening_addresses(port: int) -> set[str]:
    """Local addresses of the listening TCP sockets (IPv4 and IPv6) on `port`, e.g. {"127.0.0.1"}."""
    found = set()
    for table, family in (("/proc/net/tcp", socket.AF_INET), ("/proc/net/tcp6", socket.AF_INET6)):
        with contextlib.suppress(FileNotFoundError), open(table) as lines:
            for line in list(lines)[1:]:
                local, state = line.split()[1], line.split()[3]
                address, port_hex = local.split(":")
                if state == LISTEN and int(port_hex, 16) == port:
                    # The kernel prints each 32-bit word of the address in host (little-endian) order.
                    raw = b"".join(int(address[i : i + 8], 16).to_bytes(4, "little") for i in range(0, len(address), 8))
                    found.add(socket.inet_ntop(family, raw))
    return found


class RecordingProxy:
    """An HTTP proxy on 127.0.0.1 that answers nothing and remembers every request line it got."""

    def __init__(self):
        self.requests: list[str] = []
        self.server = socket.create_server(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self.server.getsockname()[1]}"
        threading.Thread(target=self.serve, daemon=True).start()

    def serve(self):
        with contextlib.suppress(OSError):
            while True:
                connection, _ = self.server.accept()
                with connection:
                    connection.settimeout(2)
                    with contextlib.suppress(OSError):
                        self.requests.append(connection.recv(4096).split(b"\r\n", 1)[0].decode(errors="replace"))

    def close(self):
        self.server.close()


def start_banner(log, timeout: float = 15) -> str:
    """The server's log once it has printed its URL, which comes after any external-IP lookup."""
    deadline = time.monotonic() + timeout
    while True:
        log.seek(0)
        text = log.read()
        if "URL:" in text or time.monotonic() > deadline:
            return text
        time.sleep(0.2)


@pytest.fixture(scope="module")
def started_app():
    """A real `streamlit run streamlit_app.py` on a free port, every outward HTTP(S) request routed to a RecordingProxy."""
    model_path = model_path_from_env()
    if not model_path.is_file():
        pytest.fail(f"{model_path} is missing: the trained model is committed; make it with `python -m train`")
    proxy = RecordingProxy()
    # Only the recording proxy: no inherited proxy, and no host exempted from it.
    environment = {key: None for key in os.environ if key.lower() in PROXY_VARIABLES}
    environment.update(
        {
            MODEL_PATH_ENV: str(model_path),
            "HTTP_PROXY": proxy.url,
            "HTTPS_PROXY": proxy.url,
            "http_proxy": proxy.url,
            "https_proxy": proxy.url,
        }
    )
    with tempfile.TemporaryFile("w+") as log:
        try:
            with streamlit_server(env=environment, log=log) as url:
                yield urlsplit(url).port, proxy, start_banner(log)
        finally:
            proxy.close()


def test_started_app_listens_only_on_loopback(started_app):
    port, _, _ = started_app
    assert listening_addresses(port) == {"127.0.0.1"}


def test_started_app_makes_no_outside_request(started_app):
    _, proxy, start_log = started_app
    assert proxy.requests == [], f"the server reached out: {proxy.requests}"
    assert "External URL" not in start_log and "Network URL" not in start_log, start_log
