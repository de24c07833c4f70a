"""The built page: what `npm run build` ships, what `node web/serve.mjs` serves, and the page offline.

The build (web/build.mjs) is made once here from the exported model, into a temporary folder, and
served by the real web/serve.mjs (browser/static_page.py). Checked:
- the bundle: only tfjs-core, tfjs-converter and the wasm and cpu backends, no webgl or layers
  code, only the SIMD wasm binary, kernels that follow the exported graphs, the JS size budget;
- the server: one-line exit-2 errors for bad flags, nothing but the build and the model served,
  405 with Allow, ETag and 304, the CSP (no 'unsafe-eval', header and meta tag alike);
- in real Chromium: the service worker's precache, a reload with the network off and with the
  server stopped, every drawn digit offline after one visit, a new export replacing the cached
  model on the next online visit, and the manifest that makes the page installable.
"""

from __future__ import annotations

import gzip
import hashlib
import http.client
import json
import re
import shutil
import struct
import subprocess
from pathlib import Path
from urllib.parse import urljoin

import pytest

from browser import chromium
from browser.digits import PAGE_CENTRED, PAGE_DIGITS
from browser.mouse import draw_digit, surface_placement
from browser.static_page import CANVAS, CLEAR_BUTTON, READY, PageServer, ServerError, built_page
from mnist_draw.config import PROJECT_ROOT
from tests.conftest import MODEL_DIR, missing
from tests.web_page import (
    KEEP,
    LOAD_TIMEOUT_MS,
    PLACEMENTS,
    draw,
    draw_number,
    meant,
    set_stroke_width,
    settled_prediction,
    wait_for_count,
    wait_for_prediction,
)

JS_BUDGET_GZIP_BYTES = 120 * 1024  # all the page's JavaScript: its share of the 550 KB first visit
TFJS_PACKAGES = {
    "@tensorflow/tfjs-core",
    "@tensorflow/tfjs-converter",
    "@tensorflow/tfjs-backend-wasm",
    "@tensorflow/tfjs-backend-cpu",
}
# Strings only the left-out packages hold (a flag, shader source, format and class names); they
# survive minification. test_markers_are_in_the_left_out_packages keeps them honest.
LEFT_OUT_MARKERS = {
    "@tensorflow/tfjs-backend-webgl": ["WEBGL_VERSION", "#version 300 es"],
    "@tensorflow/tfjs-layers": ["layers-model", "LayersModel"],
}


# ---------------------------------------------------------------- build


@pytest.fixture(scope="module")
def dist(node_binary) -> Path:
    """The page built from MODEL_DIR by the real web/build.mjs; removed after the module."""
    if not (MODEL_DIR / "metadata.json").is_file():
        missing(f"no exported model in {MODEL_DIR}: run `python -m export`")
    try:
        with built_page(MODEL_DIR, node_binary) as folder:
            yield folder
    except ServerError as error:
        pytest.fail(str(error))


@pytest.fixture(scope="module")
def build_info(dist) -> dict:
    return json.loads((dist / "build.json").read_text())


def graph_ops(model_json: dict) -> set[str]:
    topology = model_json["modelTopology"]
    nodes = topology.get("node", []) + [
        node for function in topology.get("library", {}).get("function", []) for node in function.get("nodeDef", [])
    ]
    return {node["op"] for node in nodes}


def exported_graphs() -> list[str]:
    metadata = json.loads((MODEL_DIR / "metadata.json").read_text())
    stroke = [metadata["stroke"]["path"]] if metadata.get("stroke") else []
    return [variant["path"] for variant in metadata["variants"].values()] + [metadata["activations"]["path"], *stroke]


def test_bundle_holds_only_core_converter_and_the_two_backends(build_info):
    tensorflow = {package for package in build_info["packages"] if package.startswith("@tensorflow/")}
    assert tensorflow == TFJS_PACKAGES


def test_shipped_files_have_no_webgl_or_layers_code(dist):
    shipped = [path for path in dist.rglob("*") if path.is_file() and path.suffix in {".js", ".html"}]
    assert dist / "app.js" in shipped and dist / "sw.js" in shipped
    for path in shipped:
        text = path.read_text(errors="replace")
        for package, markers in LEFT_OUT_MARKERS.items():
            for marker in markers:
                assert marker not in text, f"{path.name} contains {package} code ({marker})"


@pytest.mark.parametrize("package", sorted(LEFT_OUT_MARKERS))
def test_markers_are_in_the_left_out_packages(package):
    dist = PROJECT_ROOT / "node_modules" / package / "dist"
    if not dist.is_dir():
        missing(f"{package} is not installed (it comes with @tensorflow/tfjs): run `npm ci`")
    bundle = next(dist.glob("*.es2017.min.js")).read_text(errors="replace")
    for marker in LEFT_OUT_MARKERS[package]:
        assert marker in bundle, f"{marker} no longer identifies {package}"


# A classic script, not an ES module: V8 keeps its compiled code when the service worker serves it.
CLASSIC_SCRIPT_CHECK = "new (require('node:vm').Script)(require('node:fs').readFileSync(process.argv[1], 'utf8'))"


def test_bundle_is_a_classic_deferred_script(dist, node_binary):
    html = (dist / "index.html").read_text()
    assert re.search(r'<script defer src="app\.js"></script>', html)
    assert 'type="module"' not in html
    bundle = (dist / "app.js").read_text()
    assert bundle.startswith('"use strict";') and "import.meta" not in bundle
    # vm.Script compiles a classic script: an import or export statement is a SyntaxError there.
    result = subprocess.run(
        [node_binary, "-e", CLASSIC_SCRIPT_CHECK, str(dist / "app.js")], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr.strip().splitlines()[-1:]


def test_only_the_simd_wasm_binary_ships(dist):
    page_files = [path for path in dist.rglob("*.wasm") if "model" not in path.relative_to(dist).parts]
    assert [path.relative_to(dist).as_posix() for path in page_files] == ["wasm/tfjs-backend-wasm-simd.wasm"]


def test_kernel_list_follows_the_exported_graphs(build_info):
    ops = set().union(*(graph_ops(json.loads((MODEL_DIR / path).read_text())) for path in exported_graphs()))
    assert set(build_info["graph_ops"]) == ops
    assert [graph["path"] for graph in build_info["graphs"]] == exported_graphs()
    kernels = set(build_info["kernels"])
    # What tfjs-converter turns the image graphs' fused ops into, and nothing unfused beside them
    # (the stroke model's 1-D convolutions keep a separate Relu after their Squeeze).
    image = set().union(
        *(graph["kernels"] for graph in build_info["graphs"] if not graph["path"].startswith("stroke/"))
    )
    assert {"FusedConv2D", "_FusedMatMul", "Softmax"} <= kernels
    assert not image & {"Conv2D", "MatMul", "BatchMatMul", "Relu", "Add"}
    # Each graph's kernels come from its own ops: the activation graph has no dense layer.
    activations = next(graph for graph in build_info["graphs"] if graph["path"].startswith("activations/"))
    assert "_FusedMatMul" not in activations["kernels"] and "FusedConv2D" in activations["kernels"]


def test_javascript_fits_the_budget(build_info):
    javascript = sum(facts["gzip_bytes"] for name, facts in build_info["files"].items() if name.endswith(".js"))
    assert javascript <= JS_BUDGET_GZIP_BYTES, f"{javascript / 1024:.0f} KB gzip of JavaScript"


# ---------------------------------------------------------------- server


@pytest.fixture(scope="module")
def server(dist, node_binary):
    """web/serve.mjs serving the built page and MODEL_DIR."""
    page_server = PageServer(MODEL_DIR, dist, node_binary)
    page_server.start()
    yield page_server
    page_server.stop()


def request(server, method: str, path: str, headers: dict | None = None) -> tuple[int, dict, bytes]:
    """One raw HTTP request (no automatic gzip or redirects) -> (status, lower-cased headers, body)."""
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    try:
        connection.request(method, path, headers=headers or {})
        response = connection.getresponse()
        return response.status, {name.lower(): value for name, value in response.getheaders()}, response.read()
    finally:
        connection.close()


@pytest.mark.parametrize(
    "flags", [["--port", "abc"], ["--port", "99999"], ["--port", "-1"], ["--no-such-flag"], ["--port"], ["stray"]]
)
def test_bad_flags_get_one_line_and_exit_code_2(node_binary, dist, flags):
    result = subprocess.run(
        [node_binary, "web/serve.mjs", "--dist", str(dist), *flags],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert result.returncode == 2, result
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
    assert result.stdout == ""


def test_missing_build_is_one_line_error(node_binary, tmp_path):
    result = subprocess.run(
        [node_binary, "web/serve.mjs", "--port", "0", "--dist", str(tmp_path)],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [
        f"error: no build in {tmp_path}: run `npm run build` (or `npm start`, which does it)"
    ]


def test_server_warns_when_the_export_has_graph_ops_the_build_lacks(node_binary, dist, tmp_path):
    model_dir = tmp_path / "model"
    shutil.copytree(MODEL_DIR, model_dir)
    model_json = json.loads((model_dir / "uint8" / "model.json").read_text())
    model_json["modelTopology"]["node"].append({"name": "extra", "op": "Erf", "input": []})
    (model_dir / "uint8" / "model.json").write_text(json.dumps(model_json))
    process = subprocess.Popen(
        [node_binary, "web/serve.mjs", "--port", "0", "--dist", str(dist), "--model-dir", str(model_dir)],
        cwd=PROJECT_ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        first_line = process.stdout.readline()
    finally:
        process.terminate()
        process.wait(timeout=10)
        process.stdout.close()
    assert first_line.startswith("warning: ") and "lacks graph ops Erf" in first_line and "npm run build" in first_line


@pytest.mark.parametrize(
    "path",
    [
        "/package.json",
        "/node_modules/@tensorflow/tfjs-core/package.json",
        "/web/js/main.js",
        "/js/main.js",
        "/serve.mjs",
        "/build.mjs",
        "/../package.json",
        "/%2e%2e/package.json",
        "/model/../../package.json",
        "/model/%2e%2e/%2e%2e/web/serve.mjs",
    ],
)
def test_only_the_build_and_the_model_are_served(server, path):
    status, _, _ = request(server, "GET", path)
    assert status == 404, path


@pytest.mark.parametrize(
    "path",
    ["/", "/app.js", "/sw.js", "/wasm/tfjs-backend-wasm-simd.wasm", "/model/metadata.json", "/model/uint8/model.json"],
)
def test_page_files_are_served(server, path):
    status, headers, body = request(server, "GET", path)
    assert status == 200 and body, path
    assert headers["cache-control"] == "no-cache"


@pytest.mark.parametrize("method", ["POST", "PUT", "DELETE", "PATCH", "OPTIONS"])
def test_other_methods_get_405_with_allow(server, method):
    status, headers, _ = request(server, method, "/")
    assert status == 405
    assert headers["allow"] == "GET, HEAD"


def test_etag_and_conditional_get(server):
    status, headers, body = request(server, "GET", "/app.js")
    assert status == 200 and headers["etag"].startswith('"')
    status, again, body304 = request(server, "GET", "/app.js", {"If-None-Match": headers["etag"]})
    assert (status, body304, again["etag"]) == (304, b"", headers["etag"])
    status, _, _ = request(server, "GET", "/app.js", {"If-None-Match": '"something-else"'})
    assert status == 200
    # The gzipped representation is a different one, with its own tag.
    status, zipped, zipped_body = request(server, "GET", "/app.js", {"Accept-Encoding": "gzip"})
    assert zipped["content-encoding"] == "gzip" and zipped["etag"] != headers["etag"]
    assert gzip.decompress(zipped_body) == body
    status, _, _ = request(server, "GET", "/app.js", {"Accept-Encoding": "gzip", "If-None-Match": zipped["etag"]})
    assert status == 304


def test_etag_changes_when_the_file_does(node_binary, dist, tmp_path):
    model_dir = tmp_path / "model"
    shutil.copytree(MODEL_DIR, model_dir)
    page_server = PageServer(model_dir, dist, node_binary)
    page_server.start()
    try:
        _, before, _ = request(page_server, "GET", "/model/metadata.json")
        metadata = json.loads((model_dir / "metadata.json").read_text())
        metadata["test_accuracy"] = 0.5
        (model_dir / "metadata.json").write_text(json.dumps(metadata))
        status, after, _ = request(page_server, "GET", "/model/metadata.json", {"If-None-Match": before["etag"]})
    finally:
        page_server.stop()
    assert status == 200 and after["etag"] != before["etag"]


def csp_directives(policy: str) -> dict[str, list[str]]:
    return {name: values for name, *values in (part.split() for part in policy.split(";") if part.strip())}


def test_csp_is_self_only_without_unsafe_eval_in_header_and_meta_tag(server):
    _, headers, body = request(server, "GET", "/")
    header = csp_directives(headers["content-security-policy"])
    meta = csp_directives(
        re.search(r'http-equiv="Content-Security-Policy"\s+content="([^"]+)"', body.decode()).group(1)
    )
    for policy in (header, meta):
        assert policy["default-src"] == ["'self'"]
        assert policy["script-src"] == ["'self'", "'wasm-unsafe-eval'"]
        assert not any("'unsafe-eval'" in values or "'unsafe-inline'" in values for values in policy.values())
    header.pop("frame-ancestors")  # a meta tag cannot carry it
    assert header == meta


# ---------------------------------------------------------------- offline, in Chromium


def wait_until_offline_ready(tab) -> None:
    """Wait until the service worker is active, which it becomes only after precaching everything."""
    tab.evaluate("async () => { await navigator.serviceWorker.ready; }")


def new_tab(context) -> tuple[object, list[str]]:
    """A new tab -> (tab, the list its page errors and console errors are collected in)."""
    tab = context.new_page()
    errors = []
    tab.on("pageerror", lambda error: errors.append(str(error)))
    tab.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    return tab, errors


def visit_once(browser, page_server):
    """A fresh context that has visited the page once, online, until the service worker is ready -> (context, tab, errors)."""
    context = browser.new_context(viewport={"width": 1000, "height": 900})
    tab, errors = new_tab(context)
    tab.goto(page_server.url)
    tab.wait_for_selector(READY, timeout=LOAD_TIMEOUT_MS)
    wait_until_offline_ready(tab)
    return context, tab, errors


def cache_contents(tab) -> dict[str, list[str]]:
    """Cache Storage as {cache name: [URL path?query, ...]}."""
    return tab.evaluate(
        """async () => {
            const out = {};
            for (const name of await caches.keys()) {
                const cache = await caches.open(name);
                out[name] = (await cache.keys()).map((request) => { const url = new URL(request.url); return url.pathname + url.search; }).sort();
            }
            return out;
        }"""
    )


def model_version(metadata: dict) -> str:
    """Python twin of web/js/model.js modelVersion."""
    entries = sorted(metadata["weights_sha256"].items())
    return hashlib.sha256(json.dumps(entries, separators=(",", ":")).encode()).hexdigest()[:16]


def test_first_visit_precaches_page_bundle_wasm_and_default_model(browser, server):
    context, tab, errors = visit_once(browser, server)
    contents = cache_contents(tab)
    context.close()
    metadata = json.loads((MODEL_DIR / "metadata.json").read_text())
    version = model_version(metadata)
    shells = [name for name in contents if name.startswith("shell-")]
    assert len(shells) == 1
    assert set(contents[shells[0]]) >= {
        "/",
        "/app.js",
        "/style.css",
        "/wasm/tfjs-backend-wasm-simd.wasm",
        "/manifest.webmanifest",
        "/icons/icon-192.png",
        "/icons/icon-512.png",
    }
    # What a prediction needs: the default variant and, when the export has one, the stroke model.
    graphs = [metadata["variants"][metadata["default_variant"]]["path"]]
    graphs += [metadata["stroke"]["path"]] if metadata.get("stroke") else []
    folders = [graph.split("/")[0] for graph in graphs]
    weights = [f"/model/{name}?v={version}" for name in metadata["weights_sha256"] if name.split("/")[0] in folders]
    assert set(contents[f"model-{version}"]) == {
        "/model/metadata.json",
        *(f"/model/{graph}?v={version}" for graph in graphs),
        *weights,
    }
    assert not errors, errors


def test_reload_with_the_network_off_comes_up_and_predicts(browser, server):
    context, tab, errors = visit_once(browser, server)
    context.set_offline(True)
    tab.reload()
    tab.wait_for_selector(READY, timeout=LOAD_TIMEOUT_MS)
    assert tab.evaluate("() => window.mnistDemo.backend") == "wasm"
    draw_digit(tab, CANVAS, PAGE_DIGITS["7"], PAGE_CENTRED["7"])
    wait_for_prediction(tab, "7")
    context.close()
    assert not errors, errors


def test_reload_with_the_server_stopped_comes_up_and_predicts(browser, dist, node_binary):
    page_server = PageServer(MODEL_DIR, dist, node_binary)
    page_server.start()
    try:
        context, tab, errors = visit_once(browser, page_server)
    finally:
        page_server.stop()
    with pytest.raises(ConnectionError):
        request(page_server, "GET", "/")
    tab.reload()
    tab.wait_for_selector(READY, timeout=LOAD_TIMEOUT_MS)
    draw_digit(tab, CANVAS, PAGE_DIGITS["3"], PAGE_CENTRED["3"])
    wait_for_prediction(tab, "3")
    context.close()
    assert not errors, errors


@pytest.fixture(scope="module")
def offline_context(browser, dist, node_binary):
    """A context after one online visit, then with its server stopped and its network off."""
    page_server = PageServer(MODEL_DIR, dist, node_binary)
    page_server.start()
    try:
        context, tab, errors = visit_once(browser, page_server)
        tab.close()
    finally:
        page_server.stop()
    assert not errors, errors
    context.set_offline(True)
    yield context, page_server.url
    context.close()


@pytest.fixture(scope="module")
def offline_tab(offline_context):
    """One tab of the page in the offline context, loaded from the service worker's cache -> (tab, its errors)."""
    context, url = offline_context
    tab, errors = new_tab(context)
    tab.goto(url)
    tab.wait_for_selector(READY, timeout=LOAD_TIMEOUT_MS)
    yield tab, errors
    tab.close()


@pytest.mark.parametrize("placement", PLACEMENTS, ids=lambda placement: placement[0])
@pytest.mark.parametrize("digit", sorted(PAGE_DIGITS))
def test_drawn_digit_is_recognised_offline(offline_tab, digit, placement):
    """Every page digit at every placement, drawn once, into the page visited once and now offline.

    The tab runs the same build and model the online page does (tests/test_web.py), from the
    service worker's cache: its answer shows the page reads the digit, and reads it offline.
    Each digit starts on a cleared canvas (Escape) with its own pen width, as a person's next one would.
    """
    _, scale, centre_x, centre_y, width = placement
    tab, errors = offline_tab
    tab.keyboard.press("Escape")
    wait_for_prediction(tab, "")
    set_stroke_width(
        tab, width if width is not None else tab.evaluate("() => window.mnistDemo.metadata.page.stroke_width")
    )
    drawn = PAGE_DIGITS[digit]
    draw_digit(tab, CANVAS, drawn, surface_placement(drawn, scale, centre_x, centre_y))
    got = settled_prediction(tab)
    assert got == digit
    assert not errors, errors


def test_a_number_is_read_offline(offline_tab, pen_digits):
    """Number mode from the service worker's cache: a held-out writer's 4071 written on the wide canvas."""
    from mnist_draw.held_out_writers import held_out

    tab, errors = offline_tab
    first = {}
    for digit in held_out(pen_digits):
        if digit.writer == "pendigits-5":
            first.setdefault(str(digit.label), digit)
    tab.click('[data-testid="mode-number"]')
    try:
        assert draw_number(tab, [first[label] for label in "4071"]) == "4071"
    finally:
        tab.click('[data-testid="mode-digit"]')  # the other offline tests draw single digits in this tab
    assert not errors, errors


def write_new_export(model_dir: Path) -> str:
    """Turn the export in model_dir into a different one: one weight byte of the default variant changed, its SHA-256 updated.

    Returns the new export's version. One quantised step in one weight leaves the predictions as they were.
    """
    metadata = json.loads((model_dir / "metadata.json").read_text())
    folder = metadata["variants"][metadata["default_variant"]]["path"].split("/")[0]
    name = next(name for name in metadata["weights_sha256"] if name.startswith(f"{folder}/"))
    weights = bytearray((model_dir / name).read_bytes())
    weights[-1] ^= 1
    (model_dir / name).write_bytes(weights)
    metadata["weights_sha256"][name] = hashlib.sha256(weights).hexdigest()
    (model_dir / "metadata.json").write_text(json.dumps(metadata, indent=2))
    return model_version(metadata)


def cached_weights_sha256(tab, cache_name: str) -> dict[str, str]:
    """{URL path: SHA-256} of every .bin in one cache."""
    return tab.evaluate(
        """async (name) => {
            const cache = await caches.open(name);
            const out = {};
            for (const request of await cache.keys()) {
                if (!new URL(request.url).pathname.endsWith('.bin')) continue;
                const bytes = await (await cache.match(request)).arrayBuffer();
                const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', bytes));
                out[new URL(request.url).pathname] = Array.from(digest, (b) => b.toString(16).padStart(2, '0')).join('');
            }
            return out;
        }""",
        cache_name,
    )


def test_new_export_replaces_the_cached_model_on_the_next_online_visit(browser, dist, node_binary, tmp_path):
    model_dir = tmp_path / "model"
    shutil.copytree(MODEL_DIR, model_dir)
    old = model_version(json.loads((model_dir / "metadata.json").read_text()))
    page_server = PageServer(model_dir, dist, node_binary)
    page_server.start()
    try:
        context, tab, errors = visit_once(browser, page_server)
        assert tab.evaluate("() => window.mnistDemo.modelVersion") == old
        new = write_new_export(model_dir)
        assert new != old
        tab.reload()  # the next online visit
        tab.wait_for_selector(READY, timeout=LOAD_TIMEOUT_MS)
        assert tab.evaluate("() => window.mnistDemo.modelVersion") == new
    finally:
        page_server.stop()
    models = sorted(name for name in cache_contents(tab) if name.startswith("model-"))
    assert models == [f"model-{new}"], "the old export's cache is still there"
    metadata = json.loads((model_dir / "metadata.json").read_text())
    cached = cached_weights_sha256(tab, f"model-{new}")
    assert cached and all(
        metadata["weights_sha256"][path.removeprefix("/model/")] == sha for path, sha in cached.items()
    )
    # With the server gone, the page comes back with the new export, not the old one.
    context.set_offline(True)
    tab.reload()
    tab.wait_for_selector(READY, timeout=LOAD_TIMEOUT_MS)
    assert tab.evaluate("() => window.mnistDemo.modelVersion") == new
    draw_digit(tab, CANVAS, PAGE_DIGITS["7"], PAGE_CENTRED["7"])
    wait_for_prediction(tab, "7")
    context.close()
    assert not errors, errors


def test_a_drawing_kept_offline_teaches_the_page_offline(browser, dist, node_binary):
    """Learning at once needs no network: with the server gone, a kept correction reads the same shape as kept, after a reload too."""
    page_server = PageServer(MODEL_DIR, dist, node_binary)
    page_server.start()
    try:
        context, tab, errors = visit_once(browser, page_server)
    finally:
        page_server.stop()
    context.set_offline(True)
    tab.reload()
    tab.wait_for_selector(READY, timeout=LOAD_TIMEOUT_MS)
    draw(tab, "1")
    meant(tab, "7").click()
    tab.locator(KEEP).click()
    wait_for_count(tab, 1)
    for visit in ("kept", "reloaded offline"):
        tab.wait_for_function("() => globalThis.mnistDemo?.keptLearned() === 1", timeout=5000)
        tab.locator(CLEAR_BUTTON).click()
        draw_digit(tab, CANVAS, PAGE_DIGITS["1"], PAGE_CENTRED["1"])
        assert settled_prediction(tab) == "7", visit
        tab.reload()
        tab.wait_for_selector(READY, timeout=LOAD_TIMEOUT_MS)
    context.close()
    assert not errors, errors


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR"
    return struct.unpack(">II", data[16:24])


def test_manifest_and_icons_make_the_page_installable(browser, server, tmp_path):
    # Chromium says nothing is installable in an incognito profile (every new_context is one),
    # so this runs in a real, temporary profile.
    context = browser.browser_type.launch_persistent_context(
        tmp_path / "profile", executable_path=chromium.chromium_path(), headless=True, args=chromium.CHROMIUM_ARGS
    )
    try:
        tab, errors = new_tab(context)
        tab.goto(server.url)
        tab.wait_for_selector(READY, timeout=LOAD_TIMEOUT_MS)
        wait_until_offline_ready(tab)
        manifest_url = tab.evaluate("() => document.querySelector('link[rel=manifest]').href")
        manifest = json.loads(tab.request.get(manifest_url).body())
        sizes = {
            icon["sizes"]: png_size(tab.request.get(urljoin(manifest_url, icon["src"])).body())
            for icon in manifest["icons"]
        }
        installability = context.new_cdp_session(tab).send("Page.getInstallabilityErrors")["installabilityErrors"]
    finally:
        context.close()
    assert manifest["display"] == "standalone" and manifest["start_url"] == "./" and manifest["name"]
    assert sizes == {"192x192": (192, 192), "512x512": (512, 512)}
    assert installability == [], installability  # Chromium's own verdict
    assert not errors, errors
