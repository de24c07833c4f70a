"""mnist_draw/inference.py: loading the model with one-line errors, predicting one image, the unsure rule."""

from __future__ import annotations

import shutil
import zipfile
from pathlib import Path

import numpy as np
import pytest

from mnist_draw import inference, pixels
from mnist_draw.config import DEFAULT_MODEL_PATH, IMAGE_SIZE, INPUT_SHAPE, NUM_CLASSES, UNSURE_BELOW


@pytest.fixture(scope="module")
def untrained_model(untrained_model_path):
    """The session's seeded, untrained build_model() (tests/conftest.py) loaded back through inference.load_model."""
    return inference.load_model(untrained_model_path)


def test_load_model_missing_file_names_path_and_train_command(tmp_path):
    path = tmp_path / "nowhere.keras"
    with pytest.raises(inference.ModelNotFoundError) as raised:
        inference.load_model(path)
    message = str(raised.value)
    assert str(path) in message and "python -m train" in message and "\n" not in message


def test_load_model_corrupt_file_raises_one_line_model_error(tmp_path):
    path = tmp_path / "corrupt.keras"
    path.write_bytes(b"this is not a zip archive")
    with pytest.raises(inference.ModelError) as raised:
        inference.load_model(path)
    message = str(raised.value)
    assert "not a valid .keras file (bad zip" in message and "python -m train" in message and "\n" not in message
    assert "not found" not in message.lower()


def saved_untrained(directory: Path, untrained_model_path: Path) -> Path:
    """A copy of the session's untrained model in `directory`, for a test to damage."""
    return Path(shutil.copy2(untrained_model_path, directory / "untrained.keras"))


def test_load_model_truncated_file_is_reported_as_a_bad_zip(tmp_path, untrained_model_path):
    whole = saved_untrained(tmp_path, untrained_model_path).read_bytes()
    path = tmp_path / "truncated.keras"
    path.write_bytes(whole[: len(whole) // 2])  # an interrupted copy or download
    with pytest.raises(inference.ModelError, match=r"not a valid \.keras file \(bad zip"):
        inference.load_model(path)


def test_load_model_zip_without_a_keras_config_is_refused_by_name(tmp_path):
    path = tmp_path / "other.keras"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("notes.txt", "a zip, but not a Keras model")
    with pytest.raises(inference.ModelError, match=r"no config\.json in the zip"):
        inference.load_model(path)


def test_load_model_damaged_entry_is_reported_as_a_bad_zip(tmp_path, untrained_model_path):
    path = saved_untrained(tmp_path, untrained_model_path)
    data = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as archive:
        entry = archive.getinfo("model.weights.h5")
    # Flip bytes inside the stored weights (past the local header): the zip still opens, its CRC does not match.
    middle = entry.header_offset + 30 + len(entry.filename) + entry.compress_size // 2
    data[middle : middle + 16] = bytes(255 - byte for byte in data[middle : middle + 16])
    path.write_bytes(bytes(data))
    with pytest.raises(inference.ModelError, match=r"bad zip: model\.weights\.h5 fails its checksum"):
        inference.load_model(path)


def test_load_model_refuses_a_model_trained_with_a_nan_learning_rate(tmp_path):
    import keras

    from train.model import build_model

    keras.utils.set_random_seed(0)
    model = build_model()
    model.compile(optimizer=keras.optimizers.SGD(learning_rate=float("nan")), loss="sparse_categorical_crossentropy")
    images = np.random.default_rng(0).random((32, *INPUT_SHAPE), dtype=np.float32)
    model.fit(images, np.arange(32) % NUM_CLASSES, epochs=1, batch_size=32, verbose=0)
    model.save(tmp_path / "diverged.keras")
    with pytest.raises(inference.ModelError) as raised:
        inference.load_model(tmp_path / "diverged.keras")
    message = str(raised.value)
    assert "NaN or infinite weights" in message and "python -m train" in message and "\n" not in message


def test_load_model_refuses_outputs_that_are_not_probabilities(tmp_path):
    import keras

    keras.utils.set_random_seed(0)
    inputs = keras.Input(shape=INPUT_SHAPE)
    logits = keras.layers.Dense(NUM_CLASSES)(keras.layers.Flatten()(inputs))  # no softmax: raw scores
    keras.Model(inputs, logits).save(tmp_path / "logits.keras")
    with pytest.raises(inference.ModelError, match="not probabilities"):
        inference.load_model(tmp_path / "logits.keras")


@pytest.mark.parametrize(
    ("outputs", "problem"),
    [
        ([[np.nan] * NUM_CLASSES], "NaN or infinite"),
        ([[np.inf] + [0.0] * (NUM_CLASSES - 1)], "NaN or infinite"),
        ([[1.2, -0.2] + [0.0] * (NUM_CLASSES - 2)], "negative"),
        ([[0.5] + [0.0] * (NUM_CLASSES - 1)], "sum to 0.5"),
        ([[0.1] * NUM_CLASSES], None),
    ],
    ids=["nan", "inf", "negative", "half", "uniform"],
)
def test_probability_problem_names_what_is_wrong(outputs, problem):
    found = inference.probability_problem(np.array(outputs))
    assert found == problem if problem is None else problem in found


def test_load_model_rejects_a_model_with_other_shapes(tmp_path):
    import keras

    inputs = keras.Input(shape=(5,))
    keras.Model(inputs, keras.layers.Dense(3)(inputs)).save(tmp_path / "other.keras")
    with pytest.raises(inference.ModelError, match="expected"):
        inference.load_model(tmp_path / "other.keras")


def test_model_path_comes_from_the_environment_variable(monkeypatch, tmp_path):
    monkeypatch.setenv(inference.MODEL_PATH_ENV, str(tmp_path / "mine.keras"))
    assert inference.model_path_from_env() == tmp_path / "mine.keras"


def test_model_path_defaults_to_the_artifacts_model(monkeypatch):
    monkeypatch.delenv(inference.MODEL_PATH_ENV, raising=False)
    assert inference.model_path_from_env() == DEFAULT_MODEL_PATH


def test_predict_probabilities_returns_ten_probabilities_summing_to_one(untrained_model):
    image = np.random.default_rng(0).random(INPUT_SHAPE, dtype=np.float32)
    probabilities = inference.predict_probabilities(untrained_model, image)
    assert probabilities.shape == (NUM_CLASSES,) and probabilities.dtype == np.float32
    np.testing.assert_allclose(probabilities.sum(), 1.0, atol=1e-5)


def test_predict_probabilities_matches_keras_predict(untrained_model):
    image = np.random.default_rng(1).random(INPUT_SHAPE, dtype=np.float32)
    expected = untrained_model.predict(image[np.newaxis], verbose=0)[0]
    np.testing.assert_allclose(inference.predict_probabilities(untrained_model, image), expected, atol=1e-5)


def test_predict_probabilities_rejects_a_batch(untrained_model):
    with pytest.raises(ValueError, match="shape"):
        inference.predict_probabilities(untrained_model, np.zeros((1, *INPUT_SHAPE), dtype=np.float32))


@pytest.mark.parametrize(
    ("top", "unsure"),
    [(0.99, False), (UNSURE_BELOW, False), (UNSURE_BELOW - 0.01, True), (0.2, True)],
    ids=["confident", "at-threshold", "just-below", "flat"],
)
def test_top_prediction_is_unsure_below_the_threshold(top, unsure):
    probabilities = np.full(NUM_CLASSES, (1 - top) / (NUM_CLASSES - 1), dtype=np.float32)
    probabilities[7] = top
    prediction = inference.top_prediction(probabilities)
    assert (prediction.label, prediction.unsure) == ("7", unsure)
    assert prediction.confidence == pytest.approx(top)


def test_enlarge_turns_each_pixel_into_a_sharp_square():
    image = np.zeros(INPUT_SHAPE, dtype=np.float32)
    image[3, 5, 0] = 1.0
    big = pixels.enlarge(image, scale=4)
    assert big.shape == (IMAGE_SIZE * 4, IMAGE_SIZE * 4) and big.dtype == np.uint8
    assert (big[12:16, 20:24] == 255).all() and big.sum() == 16 * 255


@pytest.mark.slow
def test_shipped_model_classifies_real_test_digits(mnist_dir):
    """The committed artifacts/mnist.keras ($MNIST_MODEL_PATH picks another), through the app's predict path."""
    from digit_data.mnist import MNIST_FILES, read_idx, to_model_input

    model_path = inference.model_path_from_env()
    if not model_path.is_file():
        pytest.fail(f"{model_path} is missing: the trained model is committed; make it with `python -m train`")
    model = inference.load_model(model_path)
    images = to_model_input(read_idx(mnist_dir / MNIST_FILES["test_images"][0], 3)[:500])
    labels = read_idx(mnist_dir / MNIST_FILES["test_labels"][0], 1)[:500]
    predicted = [inference.top_prediction(inference.predict_probabilities(model, image)).label for image in images]
    accuracy = np.mean(np.array(predicted) == labels.astype(str))
    assert accuracy >= 0.98, f"accuracy {accuracy:.3f} on the first 500 test digits"


def test_an_image_model_with_the_not_a_digit_class_loads_and_reads_as_ten_digits(untrained_eleven_class_model_path):
    model = inference.load_model(untrained_eleven_class_model_path)
    image = np.random.default_rng(2).random(INPUT_SHAPE, dtype=np.float32)
    outputs = inference.predict_outputs(model, image)
    probabilities = inference.predict_probabilities(model, image)
    assert outputs.shape == (NUM_CLASSES + 1,) and probabilities.shape == (NUM_CLASSES,)
    np.testing.assert_allclose(probabilities, outputs[:NUM_CLASSES] / outputs[:NUM_CLASSES].sum(), rtol=1e-5)
    assert inference.top_prediction(probabilities).label in [str(digit) for digit in range(NUM_CLASSES)]


def test_load_model_refuses_twelve_outputs(tmp_path):
    import keras

    inputs = keras.Input(shape=INPUT_SHAPE)
    outputs = keras.layers.Dense(NUM_CLASSES + 2, activation="softmax")(keras.layers.Flatten()(inputs))
    keras.Model(inputs, outputs).save(tmp_path / "twelve.keras")
    with pytest.raises(inference.ModelError, match=r"\(None, 10 or 11\)"):
        inference.load_model(tmp_path / "twelve.keras")
