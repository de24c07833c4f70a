"""Draw a digit, or upload a photo of one, and the trained Keras CNN classifies it.

Run:   streamlit run streamlit_app.py
Model: artifacts/mnist.keras (made by `python -m train`), or the .keras file named by the
       MNIST_MODEL_PATH environment variable.

A thin UI over app.drawing_canvas (the canvas; it sends its strokes on every pointer-up) and the
runtime package: mnist_draw.render (strokes -> the canvas's ink), mnist_draw.preprocess (canvas
-> 28x28), mnist_draw.inference (model, prediction, unsure rule), mnist_draw.upload (photo ->
canvas-like pixels),
mnist_draw.activations (the "Look inside" filters and activation maps), mnist_draw.report (the
Model tab) and mnist_draw.kept_drawings (labelled drawings kept for training, in drawings/ or
$MNIST_DRAWINGS_DIR, each browser's apart: the canvas sends the browser's visitor id, and a
visitor sees, downloads and deletes only their own), whose pen paths also vote on the visitor's
next answers at once (mnist_draw.adapt; a toggle turns that off). Streamlit reruns this file top
to bottom on every interaction; the drawing area and the drawings list are fragments, so drawing
reruns only the drawing area.

Number mode (the "Mode" switch above the canvas) gives a canvas three times as wide: the strokes
written there are grouped into digits and each group read as a drawing of its own
(mnist_draw.number_reading, as the page's number mode reads them); the "Number" metric holds
the number read, "?" for a group that is not a digit. A digit read wrong can be corrected and
kept, as its own strokes, among the visitor's drawings, and the kept drawings vote on each group.
"""

import gc
import hashlib
import json

import numpy as np
import pandas as pd
import streamlit as st

from app.drawing_canvas import drawing_canvas
from mnist_draw import (
    activations,
    adapt,
    inference,
    kept_drawings,
    number_reading,
    pen_path,
    pixels,
    report,
    stroke_inference,
    upload,
)
from mnist_draw.config import (
    CANVAS_SIZE,
    CLASS_LABELS,
    INPUT_SHAPE,
    NOT_A_DIGIT_TEXT,
    STROKE_WIDTH,
    STROKE_WIDTH_RANGE,
    UNSURE_BELOW,
)
from mnist_draw.preprocess import is_blank, preprocess_canvas, preprocess_ink
from mnist_draw.render import render_canvas_strokes, render_ink
from mnist_draw.strokes import DrawnDigit, Stroke, StrokeError

st.set_page_config(page_title="Draw a digit", page_icon="✏️", layout="wide")

# The ten probabilities as bars on a fixed 0-100% axis. A Vega-Lite spec written once, not an Altair
# chart built per prediction: Altair's build and schema check took ~18 ms of CPU on every drawing.
PROBABILITY_CHART = {
    "mark": {"type": "bar"},
    "encoding": {
        "x": {"field": "digit", "type": "nominal", "axis": {"labelAngle": 0}},
        "y": {"field": "probability", "type": "quantitative", "scale": {"domain": [0, 1]}, "axis": {"format": "%"}},
        "tooltip": [
            {"field": "digit", "type": "nominal"},
            {"field": "probability", "type": "quantitative", "format": ".1%"},
        ],
    },
}


def freeze_long_lived_objects() -> None:
    """Leave every object alive now (TensorFlow, Keras, the models, Streamlit) out of the garbage collector's scans.

    Streamlit runs a full collection after every run of the script or a fragment
    (runner.postScriptGC). With TensorFlow loaded that scanned ~500,000 objects: 0.15-0.4 s of CPU
    a run, holding the GIL, so the messages still queued for the browser waited too. Objects whose
    last reference goes are still freed; only cycles among these would never be collected, and
    they live as long as the server anyway.
    """
    gc.collect()
    gc.freeze()


@st.cache_resource(show_spinner="Loading the model...")
def load_model(path: str):
    """One model per server process, shared by every session (Keras inference is thread-safe)."""
    model = inference.load_model(path)  # its predict function is traced by the load's own check
    freeze_long_lived_objects()
    return model


@st.cache_resource(show_spinner=False)
def load_stroke_reader(path: str):
    """The stroke model kept beside the model at `path` (None without one), warmed up, once per process."""
    reader = stroke_inference.load_stroke_reader(path)
    if reader is not None:
        stroke_inference.read_path(reader, [[(0.0, 0.0), (1.0, 1.0)]])  # traces its predict function
        freeze_long_lived_objects()
    return reader


@st.cache_resource(show_spinner=False)
def load_activation_model(path: str):
    """The block1/block2 activation model for the model at `path`, built once per process like load_model."""
    model = activations.activation_model(load_model(path))
    activations.block_activations(model, np.zeros(INPUT_SHAPE, dtype=np.float32))  # traces its predict function
    freeze_long_lived_objects()
    return model


@st.cache_resource(show_spinner=False)
def filter_grid(path: str) -> tuple[np.ndarray, int]:
    """The first conv layer's filters of the model at `path` as one enlarged grid image, and how many there are.

    The same for every drawing, so it is made once per process.
    """
    filters = activations.first_conv_filters(load_model(path))  # (32, 3, 3)
    return pixels.enlarge_grid(activations.tile(filters, columns=8, gap=5, scale=10), scale=1), len(filters)


# Keyed by the frozen dataclass's own hash: Streamlit's hashing of its thousands of floats took
# about as long as rendering.
@st.cache_data(show_spinner=False, max_entries=1000, hash_funcs={DrawnDigit: hash})
def thumbnail(digit: DrawnDigit) -> np.ndarray:
    """A kept drawing rendered like the canvas, preprocessed and enlarged 3x, made once per drawing.

    Rendering takes ~20 ms a drawing, and the list is drawn again on every run of the whole app.
    """
    return pixels.enlarge(preprocess_ink(render_ink(digit)), scale=3)


def visitor_memory() -> dict | None:
    """What this visitor's answers learn from: their kept drawings (mnist_draw/adapt.py), read once
    per change of them in this session; None before the canvas has said whose browser this is."""
    visitor = st.session_state.get("visitor")
    if not kept_drawings.is_visitor(visitor):
        return None
    memory = st.session_state.get("adapt_memory")
    if memory is None or memory["visitor"] != visitor:
        digits = [digit for _, digit in kept_drawings.list_drawings(visitor)[0]]
        labels = [digit.label for digit in digits]
        memory = {"visitor": visitor, **adapt.kept_memory(pen_path.batch_features(digits), labels)}
        st.session_state["adapt_memory"] = memory
    return memory


def forget_memory() -> None:
    """The kept drawings changed: read them again before the next answer."""
    st.session_state.pop("adapt_memory", None)


def show_prediction(model, image: np.ndarray, strokes=None) -> str:
    """Classify one (28, 28, 1) image, with its strokes' pen path where there is one, and show the
    digit, confidence, all ten bars and the input -> the digit."""
    reading = stroke_inference.read_digit(
        inference.predict_outputs(model, image), load_stroke_reader(str(model_path)), strokes
    )
    learning = st.session_state.get("adapt", True) and stroke_inference.has_ink(strokes)
    reading, adapted = stroke_inference.adapt_reading(reading, strokes, visitor_memory() if learning else None)
    probabilities = reading.probabilities
    prediction = inference.top_prediction(probabilities)
    digit_column, confidence_column, input_column = st.columns(3)
    # Outside tools read the "Prediction" metric: a digit, or NOT_A_DIGIT_TEXT.
    digit_column.metric("Prediction", prediction.label if reading.is_digit else NOT_A_DIGIT_TEXT)
    confidence_column.metric("Confidence", f"{reading.confidence:.0%}")
    input_column.image(pixels.enlarge(image, scale=4), caption="What the model sees (28 x 28)")
    if adapted:
        st.caption("From your drawings: ones you kept close to this one changed the answer.")
    if not reading.is_digit:
        st.info(
            f"That does not look like a digit ({reading.confidence:.0%} sure). Draw one digit, "
            f"or teach it below if it is one. The bars say which digit it would be closest to."
        )
    elif prediction.unsure:
        st.warning(
            f"Not sure: this looks most like a {prediction.label}, but only at {prediction.confidence:.0%} "
            f"(below {UNSURE_BELOW:.0%}). Try a larger, clearer digit."
        )
    table = pd.DataFrame({"digit": CLASS_LABELS, "probability": probabilities})
    st.vega_lite_chart(table, PROBABILITY_CHART, width="stretch", height=220)
    show_look_inside(image, reading)
    return prediction.label


def parts_caption(reading: stroke_inference.Reading) -> str:
    """What each model thought of one digit, in a sentence."""
    image = inference.top_prediction(reading.image)
    if reading.stroke is None:
        return f"The picture alone was read: {image.label} ({image.confidence:.0%})."
    stroke = inference.top_prediction(reading.stroke)
    weight = load_stroke_reader(str(model_path)).stroke_weight
    return (
        f"The picture reads {image.label} ({image.confidence:.0%}), the pen path {stroke.label} "
        f"({stroke.confidence:.0%}); the answer weighs the pen path {weight:.0%}."
    )


def show_look_inside(image: np.ndarray, reading: stroke_inference.Reading) -> None:
    """What each model thought, then the first layer's 32 learned 3x3 filters and the block1/block2
    activation maps for `image`.

    Grids of small grey images, 8 per row, numbered row by row from 0; each tile is scaled to its
    own min..max and enlarged nearest-neighbour so the pixels stay sharp, with grey gaps
    (wider between the filters, whose own pixels are grey too).
    """
    with st.expander("Look inside the model: what each model thought, learned filters and activations"):
        st.caption(parts_caption(reading))
        filters, filter_count = filter_grid(str(model_path))
        maps = activations.block_activations(load_activation_model(str(model_path)), image)
        block1, block2 = (np.moveaxis(maps[name], -1, 0) for name in ("block1", "block2"))  # (C, H, W)
        filter_column, block1_column, block2_column = st.columns(3)
        filter_column.image(
            filters,
            caption=f"First conv layer: its {filter_count} learned 3 x 3 filters, 8 per row (white = large weight, black = small)",
        )
        block1_column.image(
            pixels.enlarge_grid(activations.tile(block1, columns=8, gap=2, scale=3), scale=1),
            caption=f"Block 1 output: {len(block1)} activation maps of {block1.shape[1]} x {block1.shape[2]} (white = strong response)",
        )
        block2_column.image(
            pixels.enlarge_grid(activations.tile(block2, columns=8, gap=2, scale=7), scale=1),
            caption=f"Block 2 output: {len(block2)} activation maps of {block2.shape[1]} x {block2.shape[2]} (white = strong response)",
        )


st.title("Draw a digit")
model_path = inference.model_path_from_env()
try:
    model = load_model(str(model_path))
    load_stroke_reader(str(model_path))
except inference.ModelError as error:
    st.error(str(error))
    st.stop()

draw_tab, upload_tab, model_tab, drawings_tab = st.tabs(["Draw", "Upload a photo", "Model", "Your drawings"])


MODES = ("Digit", "Number")
MODE_PARAMETER, NUMBER_MODE_VALUE = "mode", "number"  # ?mode=number opens number mode, as on the page
NUMBER_CANVAS_ASPECT = 3  # number mode's canvas is this many digit canvases wide, as on the page
NUMBER_PROMPT = "Write a number on the black strip, digit by digit, left to right: it is read when you lift the pen."
BOX_COLOUR = np.array([255, 196, 64], dtype=np.float64)  # a group's box, faint over the ink
BOX_OPACITY = 0.45


@st.fragment
def draw_area() -> None:
    """The canvas and its answer. A fragment: drawing reruns only this, not the whole page."""
    # The address keeps the mode, as the page's ?mode=number does: a link or a reload opens it again.
    default = MODES[1] if st.query_params.get(MODE_PARAMETER) == NUMBER_MODE_VALUE else MODES[0]
    mode = st.segmented_control("Mode", MODES, default=default, required=True, key="mode")
    if mode == MODES[1]:
        st.query_params[MODE_PARAMETER] = NUMBER_MODE_VALUE
        number_area()
        return
    st.query_params.pop(MODE_PARAMETER, None)
    canvas_column, result_column = st.columns([1, 2])
    with canvas_column:
        stroke_width = st.slider("Pen width", *STROKE_WIDTH_RANGE, value=STROKE_WIDTH, key="stroke_width")
        st.toggle("Learn from my drawings", value=True, key="adapt", help="Off: the plain models' answer.")
        strokes = canvas_strokes(pen_width=stroke_width, key="canvas")  # sent on every pointer-up
        if strokes is None:
            return
    with result_column:
        # The strokes drawn again in Python as the canvas drew them (white on black, like MNIST).
        image = preprocess_ink(render_canvas_strokes(strokes, stroke_width)) if strokes else None
        if image is None or is_blank(image):
            st.info("Draw a digit (0-9) on the black square: the prediction appears when you lift the pen.")
        else:
            label = show_prediction(model, image, strokes)
            teach(strokes, label)


def canvas_strokes(**canvas_options) -> tuple[Stroke, ...] | None:
    """The drawing canvas (app/drawing_canvas.py) -> its strokes; None (an error shown) when they cannot be read."""
    try:
        canvas = drawing_canvas(**canvas_options)
    except StrokeError as error:
        st.error(f"The canvas sent strokes that cannot be read: {error}")
        return None
    if canvas.visitor != st.session_state.get("visitor"):
        # The id arrives once the canvas has mounted: the whole app again, so "Your drawings" lists theirs.
        st.session_state["visitor"] = canvas.visitor
        st.rerun()
    return canvas.strokes


def keep_drawing(strokes, label: int, visitor: str, what: str, canvas_size: int = CANVAS_SIZE) -> bool:
    """Keep canvas strokes as this visitor's drawing of `label` -> whether it was kept (else a one-line error
    naming `what`: "drawing" or "digit"). Their next answers learn from it (forget_memory)."""
    try:
        drawing = kept_drawings.drawing_from_strokes(strokes, label, canvas_size=canvas_size)
        kept_drawings.save_drawing(drawing, visitor)
    except (StrokeError, kept_drawings.DrawingsError) as error:
        st.error(f"Could not keep the {what}: {error}")
        return False
    except OSError as error:  # the server's disk: its path is not the visitor's business
        st.error(f"Could not keep the {what}: the server could not write it ({error.strerror}).")
        return False
    forget_memory()
    return True


def teach(strokes: tuple[Stroke, ...], predicted: str) -> None:
    """Say which digit was meant (confirming a right guess counts too): the strokes are kept for training."""
    # One key per drawing, so the choice starts at the prediction again for the next digit. The
    # stroke count leads it: a browser driver tells the answer to a whole drawing by it
    # (browser/app_driver.py answer_control).
    drawing_key = f"{len(strokes)}-{hashlib.sha256(json.dumps(strokes).encode()).hexdigest()[:12]}"
    kept = st.session_state.setdefault("kept_drawings", {})  # drawing key -> the digit it was kept as
    visitor = st.session_state.get("visitor")
    with st.container(border=True):
        meant = st.segmented_control(
            "Which digit did you mean?", CLASS_LABELS, default=predicted, key=f"meant-{drawing_key}"
        )
        if drawing_key in kept:
            st.success(f"Kept as a {kept[drawing_key]} (see the “Your drawings” tab).")
        elif st.button(
            f"Keep this drawing as a {meant}" if meant else "Keep this drawing",
            key=f"keep-{drawing_key}",
            disabled=meant is None or visitor is None,
        ):
            if keep_drawing(strokes, int(meant), visitor, "drawing"):
                kept[drawing_key] = meant
                st.rerun()  # the whole app: the "Your drawings" tab lists the new one too


def number_area() -> None:
    """Number mode: the wide canvas, the number read from it and a way to correct one digit."""
    controls_column, _ = st.columns([1, 2])
    with controls_column:
        stroke_width = st.slider("Pen width", *STROKE_WIDTH_RANGE, value=STROKE_WIDTH, key="stroke_width")
        st.toggle("Learn from my drawings", value=True, key="adapt", help="Off: the plain models' answer.")
    strokes = canvas_strokes(
        pen_width=stroke_width,
        key="number-canvas",  # its own canvas: a canvas keeps the shape it was made with
        width=NUMBER_CANVAS_ASPECT * CANVAS_SIZE,
        label="Drawing area: write a number, digit by digit from left to right, with mouse, finger or pen",
    )
    if strokes is None:
        return
    if not strokes:
        st.metric("Number", "")  # outside tools read this metric: empty while nothing is drawn
        st.info(NUMBER_PROMPT)
        return
    learning = st.session_state.get("adapt", True)
    read = number_reading.read_number(
        model,
        load_stroke_reader(str(model_path)),
        strokes,
        stroke_width,
        visitor_memory() if learning else None,
    )
    show_number(read, strokes, stroke_width)
    teach_number(read, strokes)


def show_number(read: number_reading.NumberReading, strokes, pen_width: float) -> None:
    """The number read, each digit with its confidence and what the model saw, and the drawing with its groups."""
    # Outside tools read the "Number" metric: one character per group, NOT_A_DIGIT_TEXT for not a digit.
    st.metric("Number", read.text)
    st.image(
        [pixels.enlarge(image, scale=3) for image in read.images],
        caption=[f"{character}: {reading.confidence:.0%}" for character, reading in zip(read.text, read.readings)],
    )
    changed = [str(position + 1) for position, adapted in enumerate(read.adapted) if adapted]
    if changed:
        st.caption(f"From your drawings: ones you kept close to digit {', '.join(changed)} changed the answer.")
    if NOT_A_DIGIT_TEXT in read.text:
        st.info(
            f"A {NOT_A_DIGIT_TEXT} is a part that does not look like a digit. Write each digit apart from its "
            "neighbours, or say below which digit it is."
        )
    st.image(
        boxed_drawing(strokes, read.groups, pen_width),
        caption="What was read: each box is one digit, read on its own, left to right",
    )


def boxed_drawing(strokes, groups, pen_width: float) -> np.ndarray:
    """The number canvas's strokes and their groups -> (CANVAS_SIZE, 3 * CANVAS_SIZE, 3) uint8: the ink
    white on black, as the canvas shows it, with a faint box around each group's ink."""
    width, height = NUMBER_CANVAS_ASPECT * CANVAS_SIZE, CANVAS_SIZE
    ink = render_canvas_strokes(strokes, pen_width, canvas_size=width)[:height]
    picture = np.repeat(ink[..., np.newaxis] * 255, 3, axis=2)
    box = np.zeros((height, width), dtype=bool)
    reach = pen_width / 2  # the box holds the ink, not only the points
    for group in groups:
        x0, y0, x1, y1 = group.box
        left, top = max(int(x0 - reach), 0), max(int(y0 - reach), 0)
        right, bottom = min(int(x1 + reach) + 1, width - 1), min(int(y1 + reach) + 1, height - 1)
        for row in (top, top + 1, bottom - 1, bottom):
            box[row, left : right + 1] = True
        for column in (left, left + 1, right - 1, right):
            box[top : bottom + 1, column] = True
    picture[box] = (1 - BOX_OPACITY) * picture[box] + BOX_OPACITY * BOX_COLOUR
    return np.round(picture).astype(np.uint8)


def teach_number(read: number_reading.NumberReading, strokes: tuple[Stroke, ...]) -> None:
    """Correct one digit: choose it, choose the digit it is, and its strokes are kept as a drawing of that digit."""
    # As in teach(): one key per drawing, led by the stroke count (browser/app_driver.py wait_for_number).
    drawing_key = f"{len(strokes)}-{hashlib.sha256(json.dumps(strokes).encode()).hexdigest()[:12]}"
    kept = st.session_state.setdefault("kept_drawings", {})  # drawing key -> the digit it was kept as
    visitor = st.session_state.get("visitor")
    with st.container(border=True):
        position = st.segmented_control(
            "Read one wrong? Choose it:",
            list(range(len(read.groups))),
            format_func=lambda index: f"#{index + 1}: {read.text[index]}",
            key=f"group-{drawing_key}",
        )
        if position is None:
            return
        group, digit = read.groups[position], read.digits[position]
        group_key = f"{drawing_key}/{','.join(map(str, group.stroke_indices))}"
        meant = st.segmented_control(
            f"Which digit is #{position + 1}?",
            CLASS_LABELS,
            default=None if digit is None else CLASS_LABELS[digit],
            key=f"group-meant-{group_key}",
        )
        if group_key in kept:
            st.success(f"Digit #{position + 1} kept as a {kept[group_key]} (see the “Your drawings” tab).")
        elif st.button(
            f"Keep digit #{position + 1} as a {meant}" if meant else f"Keep digit #{position + 1}",
            key=f"keep-group-{group_key}",
            disabled=meant is None or visitor is None,
        ):
            group_strokes, side = number_reading.group_drawing(strokes, group, CANVAS_SIZE)
            if keep_drawing(group_strokes, int(meant), visitor, "digit", canvas_size=side):
                kept[group_key] = meant
                st.rerun()  # the whole app: the number is read again with it, and "Your drawings" lists it


with draw_tab:
    draw_area()

with upload_tab:
    # No `type=` filter: Streamlit would raise on a wrong extension instead of letting us say what
    # is wrong, so decode_upload checks the content (PNG or JPEG) and answers in one line.
    uploaded = st.file_uploader(
        "A photo or scan of one digit (PNG or JPEG). Dark ink on light paper or white on black.",
        key="upload",
        max_upload_size=upload.MAX_UPLOAD_MB,
    )
    if uploaded is not None:
        try:
            photo = upload.decode_upload(uploaded.getvalue())
        except upload.UploadError as error:
            st.error(str(error))
        else:
            show_prediction(model, preprocess_canvas(photo))

with model_tab:
    artifacts_dir = model_path.parent
    st.caption(f"Model file: {model_path}")
    try:
        metrics = report.load_metrics(artifacts_dir)
    except report.ReportError as error:
        metrics = None
        st.error(str(error))
    if metrics is None:
        st.info(f"No metrics.json in {artifacts_dir}: `python -m train` writes it next to the model.")
    else:
        columns = st.columns(3)
        for index, (label, value) in enumerate(report.summary(metrics).items()):
            columns[index % len(columns)].metric(label, value)
        if lineage := report.lineage(metrics):
            st.caption(lineage)
        comparison = report.drawn_comparison(metrics)
        if comparison:
            baseline = (metrics.get("baseline") or {}).get("model", "no baseline measured")
            st.subheader("Drawn digits of writers the model never saw")
            st.caption(
                "Six pen writers' digits, drawn as on the page at three sizes and pen widths, are kept out of "
                f"training. Baseline: {baseline}."
            )
            st.dataframe(pd.DataFrame(comparison), hide_index=True, width="stretch")
    for name, path in report.plot_paths(artifacts_dir).items():
        if path is None:
            st.info(f"{name} is missing from {artifacts_dir / report.PLOTS_DIRNAME}: `python -m train` draws it.")
        else:
            st.image(str(path), caption=report.PLOTS[name])


@st.fragment
def your_drawings() -> None:
    """This browser's labelled drawings: count, thumbnails, delete, one-file download. Nobody else's."""
    visitor = st.session_state.get("visitor")
    if visitor is None:
        st.info("Loading your drawings...")  # until the canvas has sent this browser's id
        return
    kept, problems = kept_drawings.list_drawings(visitor)
    for problem in problems:
        st.warning(f"Skipped: {problem}")
    st.metric("Drawings kept", len(kept))
    if not kept:
        st.info("None yet. Draw a digit, say which digit you meant and keep it: it is kept for this browser.")
        return
    st.caption(
        "Kept on this server for this browser only. Download them to train on with "
        "`python -m train --fine-tune --drawings my-drawings.json`."
    )
    try:
        bundle = kept_drawings.bundle_bytes([digit for _, digit in kept])
    except StrokeError as error:
        st.error(f"Cannot download them as one file: {error}")
    else:
        st.download_button(
            "Download all as one stroke file",
            bundle,
            file_name="my-drawings.json",
            mime="application/json",
            key="download-drawings",
        )
    columns = st.columns(6)
    for index, (name, digit) in enumerate(reversed(kept)):
        with columns[index % len(columns)]:
            st.image(thumbnail(digit), caption=f"a {digit.label}")
            if st.button("Delete", key=f"delete-{index}-{name}"):
                try:
                    kept_drawings.delete_drawing(name, visitor)
                except kept_drawings.DrawingsError as error:
                    st.error(str(error))
                except OSError as error:
                    st.error(f"Could not delete it: the server refused ({error.strerror}).")
                else:
                    forget_memory()
                    st.rerun(scope="fragment")


with drawings_tab:
    your_drawings()
