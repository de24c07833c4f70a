"""Cross-validate the stroke model on held-out pen writers, alone and fused with the image CNN.

    uv run python -m bench.stroke_cv                                   # every variant, 5 folds (~20 min, 2 cores)
    uv run python -m bench.stroke_cv --variants n32_aug --epochs 2     # a quick look

The 30 pen writers (digit_data/pendigits.py) are split into 5 folds of 6, writer w in fold w % 5,
so fold 0 is exactly the shipped CNN's held-out writers (pendigits.VALIDATION_WRITERS). For each
test fold the stroke model (train/stroke_model.py on mnist_draw/pen_path.py features, augmented by
train/stroke_data.py) is trained twice: once on 3 of the other folds, to choose the fusion weight
on the 4th (writer-disjoint, never the test fold), then on all 4 for the test fold.

Fusion is a weighted mean of log-probabilities, w * log p_stroke + (1 - w) * log p_image, w on a
0.05 grid at the lowest validation log-loss (also reported: w at the best validation accuracy). The image CNN reads each digit rendered as the page draws it (mnist_draw/render.py and
preprocess.py, the placements of mnist_draw.held_out_writers.PLACEMENTS in turn). Cross-validation over all
folds uses the MNIST-only CNN (artifacts/mnist-only/mnist.keras, which never saw a pen digit); the
shipped CNN (artifacts/mnist.keras) trained on 24 of the writers, so it is fused and reported
only on fold 0, with a weight fixed beforehand (0.5) and with the MNIST-only weight of that fold.

Prints the numbers and writes bench/results/stroke_cv.json (commit, date, machine).
"""

from __future__ import annotations

import argparse
import datetime
import sys
import time
from pathlib import Path

import numpy as np

from bench.machine import commit, machine_record
from digit_data.pendigits import VALIDATION_WRITERS, PenDataError, load_pendigits
from mnist_draw.atomic import write_json_atomically
from mnist_draw.cli import HelpFormatter
from mnist_draw.config import ARTIFACTS_DIR, MODEL_FILENAME, PROJECT_ROOT
from train.stroke_data import BASIC_AUGMENTATION, Augmentation, training_arrays
from train.stroke_model import StrokeModelConfig, build_stroke_model, compile_stroke_model

RESULTS_PATH = PROJECT_ROOT / "bench" / "results" / "stroke_cv.json"
MNIST_ONLY_MODEL = ARTIFACTS_DIR / "mnist-only" / MODEL_FILENAME
SHIPPED_MODEL = ARTIFACTS_DIR / MODEL_FILENAME
FOLDS = 5
WEIGHT_GRID = np.round(np.linspace(0.0, 1.0, 21), 2)  # w of the stroke model; 0 is the image CNN alone
WEIGHT_RULES = ("log_loss", "accuracy")  # the first is the one reported as "fused"
FIXED_WEIGHT = 0.5  # the shipped CNN's fusion weight, fixed before looking: no writer-disjoint data to choose it
TARGETS = {"fused_accuracy": 0.995, "fused_worst_writer": 0.98}
# name -> (path points, augmentation or None)
VARIANTS = {
    "n32_aug": (32, Augmentation()),
    "n32_aug_basic": (32, BASIC_AUGMENTATION),
    "n64_aug": (64, Augmentation()),
    "n32_plain": (32, None),
}


def writer_number(writer: str) -> int:
    return int(writer.rpartition("-")[2])


def fold_of(writer: str) -> int:
    """Writer w -> fold w % 5: fold 0 holds writers 5, 10, ..., 30, the shipped CNN's held-out ones."""
    return writer_number(writer) % FOLDS


def image_probabilities(digits, model_paths: dict[str, Path], *, log=print) -> dict[str, np.ndarray]:
    """Each digit drawn on the page's canvas, placements in turn -> {name: (N, 10) probabilities}
    (the ten digits, "not a digit" split off where a model has it)."""
    import keras

    from mnist_draw.fusion import split_not_a_digit
    from mnist_draw.held_out_writers import PLACEMENTS
    from train.pen import render_cached

    names = list(PLACEMENTS)
    jobs = [(digit, PLACEMENTS[names[index % len(names)]]) for index, digit in enumerate(digits)]
    images = render_cached(jobs, "stroke-cv-cnn", log=log).astype(np.float32)[..., None] / 255.0
    return {
        name: split_not_a_digit(
            keras.models.load_model(path, compile=False).predict(images, batch_size=512, verbose=0)
        )[0]
        for name, path in model_paths.items()
    }


def train_stroke_model(digits, n_points: int, augmentation: Augmentation | None, config: StrokeModelConfig, seed: int):
    """Digits -> a trained stroke model; a fresh augmentation of every digit each epoch (or the plain features)."""
    import keras

    keras.utils.set_random_seed(seed)
    augmented = augmentation is not None
    features, labels = training_arrays(digits, config.epochs if augmented else 1, seed, augmentation, n_points)
    per_epoch = len(digits)
    model = build_stroke_model(StrokeModelConfig(**{**config.__dict__, "n_points": n_points}))
    compile_stroke_model(model, config, steps_per_epoch=-(-per_epoch // config.batch_size))
    for epoch in range(config.epochs):
        copy = epoch if augmented else 0
        model.fit(
            features[copy * per_epoch : (copy + 1) * per_epoch],
            labels[copy * per_epoch : (copy + 1) * per_epoch],
            batch_size=config.batch_size,
            epochs=1,
            shuffle=True,
            verbose=0,
        )
    return model


def predict_strokes(model, digits, n_points: int) -> np.ndarray:
    features, _ = training_arrays(digits, 1, 0, None, n_points)
    return model.predict(features, batch_size=1024, verbose=0)


def fuse(stroke: np.ndarray, image: np.ndarray, weight: float) -> np.ndarray:
    """Weighted mean of log-probabilities, renormalised -> (N, 10) probabilities."""
    logits = weight * np.log(np.maximum(stroke, 1e-7)) + (1 - weight) * np.log(np.maximum(image, 1e-7))
    logits -= logits.max(axis=1, keepdims=True)
    fused = np.exp(logits)
    return fused / fused.sum(axis=1, keepdims=True)


def log_loss(probabilities: np.ndarray, labels: np.ndarray) -> float:
    return float(-np.log(np.maximum(probabilities[np.arange(len(labels)), labels], 1e-12)).mean())


def choose_weight(stroke: np.ndarray, image: np.ndarray, labels: np.ndarray, rule: str) -> float:
    """The grid weight that fits validation writers best: rule "log_loss" (lowest), or "accuracy" (ties: log-loss)."""

    def score(weight):
        fused = fuse(stroke, image, weight)
        accuracy = float((fused.argmax(axis=1) == labels).mean())
        return (-log_loss(fused, labels),) if rule == "log_loss" else (accuracy, -log_loss(fused, labels))

    return float(max(WEIGHT_GRID, key=score))


def report(probabilities: np.ndarray, labels: np.ndarray, writers: np.ndarray) -> dict:
    """{"accuracy", "errors", "per_writer", "worst_writer", "confusions" (true->read: count, most first)}."""
    predicted = probabilities.argmax(axis=1)
    correct = predicted == labels
    per_writer = {
        writer: round(float(correct[writers == writer].mean()), 5) for writer in sorted(set(writers), key=writer_number)
    }
    worst = min(per_writer, key=per_writer.get)
    pairs: dict[str, int] = {}
    for truth, read in zip(labels[~correct], predicted[~correct]):
        pairs[f"{truth}->{read}"] = pairs.get(f"{truth}->{read}", 0) + 1
    return {
        "accuracy": round(float(correct.mean()), 5),
        "errors": int((~correct).sum()),
        "per_writer": per_writer,
        "worst_writer": {"writer": str(worst), "accuracy": per_writer[worst]},
        "confusions": dict(sorted(pairs.items(), key=lambda item: -item[1])[:12]),
    }


def run_variant(
    name: str, digits, labels, writers, images: dict, config: StrokeModelConfig, seed: int, log, after_fold=None
) -> tuple[dict, dict]:
    """One variant through all folds -> its results (stroke alone, fused, per fold and pooled), and its probabilities.

    The probabilities: "stroke" (N, 10), each digit read by the model of its test fold, and
    "fold<k>_validation_stroke", the weight chooser's on fold k's validation writers.
    after_fold(fold, model, weight), if given, runs once each fold's model and weight are final
    (bench/stroke_cv_page.py draws the fold's writers into the page with them).
    """
    n_points, augmentation = VARIANTS[name]
    folds = np.array([fold_of(writer) for writer in writers])
    stroke = np.zeros((len(digits), 10), np.float32)
    fused, by_accuracy = np.zeros_like(stroke), np.zeros_like(stroke)
    saved = {}
    per_fold = []
    for fold in range(FOLDS):
        started = time.perf_counter()
        validation_fold = (fold + 1) % FOLDS
        inner = [digit for digit, f in zip(digits, folds) if f not in (fold, validation_fold)]
        outer = [digit for digit, f in zip(digits, folds) if f != fold]
        validation, test = folds == validation_fold, folds == fold
        chooser = train_stroke_model(inner, n_points, augmentation, config, seed + 10 * fold)
        validation_stroke = predict_strokes(chooser, [d for d, v in zip(digits, validation) if v], n_points)
        weights = {
            rule: choose_weight(validation_stroke, images["mnist_only"][validation], labels[validation], rule)
            for rule in WEIGHT_RULES
        }
        weight = weights[WEIGHT_RULES[0]]
        model = train_stroke_model(outer, n_points, augmentation, config, seed + 10 * fold + 1)
        stroke[test] = predict_strokes(model, [d for d, t in zip(digits, test) if t], n_points)
        fused[test] = fuse(stroke[test], images["mnist_only"][test], weight)
        by_accuracy[test] = fuse(stroke[test], images["mnist_only"][test], weights["accuracy"])
        saved[f"fold{fold}_validation_stroke"] = validation_stroke
        entry = {
            "fold": fold,
            "test_writers": sorted({writer_number(w) for w in writers[test]}),
            "weight": weight,
            "weight_by_accuracy": weights["accuracy"],
            "stroke_accuracy": round(float((stroke[test].argmax(1) == labels[test]).mean()), 5),
            "fused_accuracy": round(float((fused[test].argmax(1) == labels[test]).mean()), 5),
            "seconds": round(time.perf_counter() - started, 1),
        }
        per_fold.append(entry)
        log(
            f"{name} fold {fold}: stroke {entry['stroke_accuracy']:.2%}, fused {entry['fused_accuracy']:.2%} "
            f"(w={weight:.2f}), {entry['seconds']:.0f}s"
        )
        if after_fold is not None:
            after_fold(fold, model, weight)
    held = folds == 0
    fold_zero_weight = per_fold[0]["weight"]
    shipped = {
        "writers": list(VALIDATION_WRITERS),
        "image_alone": report(images["shipped"][held], labels[held], writers[held]),
        "stroke_alone": report(stroke[held], labels[held], writers[held]),
        f"fused_w{FIXED_WEIGHT}": report(
            fuse(stroke[held], images["shipped"][held], FIXED_WEIGHT), labels[held], writers[held]
        ),
        "fused_mnist_only_weight": {
            "weight": fold_zero_weight,
            **report(fuse(stroke[held], images["shipped"][held], fold_zero_weight), labels[held], writers[held]),
        },
    }
    return {
        "n_points": n_points,
        "augmentation": None if augmentation is None else augmentation.__dict__,
        "folds": per_fold,
        "stroke_alone": report(stroke, labels, writers),
        "fused_mnist_only": report(fused, labels, writers),
        "fused_mnist_only_weight_by_accuracy": report(by_accuracy, labels, writers),
        "fold_spread": {
            key: {
                "mean": round(float(np.mean([entry[key] for entry in per_fold])), 5),
                "std": round(float(np.std([entry[key] for entry in per_fold])), 5),
                "min": min(entry[key] for entry in per_fold),
            }
            for key in ("stroke_accuracy", "fused_accuracy")
        },
        "shipped_cnn_fold0": shipped,
    }, {"stroke": stroke, **saved}


def cross_validation_digits(parser: argparse.ArgumentParser, pen_data: str | None) -> list | None:
    """Both image models there (parser.error if not) -> every pen writer's digits; None, with one line, when unreadable."""
    for path in (MNIST_ONLY_MODEL, SHIPPED_MODEL):
        if not path.is_file():
            parser.error(f"no image model at {path}: run `python -m train`")
    try:
        return load_pendigits(pen_data)
    except PenDataError as error:
        print(f"error: {error}", file=sys.stderr)
        return None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.stroke_cv", description=__doc__.split("\n\n")[2], formatter_class=HelpFormatter
    )
    parser.add_argument(
        "--variants", nargs="+", choices=list(VARIANTS), default=list(VARIANTS), help="variants to compare"
    )
    parser.add_argument(
        "--epochs", type=int, default=StrokeModelConfig().epochs, help="stroke-model epochs per training"
    )
    parser.add_argument(
        "--num-filters",
        type=int,
        default=StrokeModelConfig().num_filters,
        help="the stroke model's first block's filters (the shipped recipe's: train/recipes/shipped.toml)",
    )
    parser.add_argument("--seed", type=int, default=1, help="seed of augmentation and weights")
    parser.add_argument(
        "--pen-data", metavar="DIR", default=None, help="folder with the UCI pen digits (also $PENDIGITS_DATA_DIR)"
    )
    parser.add_argument("--out", type=Path, default=RESULTS_PATH, help="JSON results file")
    parser.add_argument(
        "--probabilities", type=Path, default=None, help="also save every probability as .npz here, for analysis"
    )
    args = parser.parse_args(argv)
    digits = cross_validation_digits(parser, args.pen_data)
    if digits is None:
        return 1
    started = time.perf_counter()
    labels = np.array([digit.label for digit in digits])
    writers = np.array([digit.writer for digit in digits])
    images = image_probabilities(digits, {"mnist_only": MNIST_ONLY_MODEL, "shipped": SHIPPED_MODEL})
    config = StrokeModelConfig(epochs=args.epochs, num_filters=args.num_filters)
    document = {
        "what": "stroke model on held-out pen writers, 5 folds of 6 writers, alone and fused with the image CNN",
        "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "commit": commit(),
        "machine": {**machine_record(), "note": "2 shared CPU cores"},
        "config": {**config.__dict__, "augmentation": Augmentation().__dict__, "seed": args.seed},
        "fusion": "w * log p_stroke + (1 - w) * log p_image; w chosen on a writer-disjoint validation fold inside the training folds",
        "targets": TARGETS,
        "image_mnist_only_alone": report(images["mnist_only"], labels, writers),
        "variants": {},
    }
    arrays = {f"image_{name}": probabilities for name, probabilities in images.items()}
    arrays.update(labels=labels, writers=writers.astype(str))
    for name in args.variants:
        document["variants"][name], probabilities = run_variant(
            name, digits, labels, writers, images, config, args.seed, print
        )
        arrays.update({f"{name}_{key}": value for key, value in probabilities.items()})
        write_json_atomically(args.out, document)  # a partial file survives a stopped run
        if args.probabilities:
            np.savez_compressed(args.probabilities, **arrays)
    document["seconds"] = round(time.perf_counter() - started)
    write_json_atomically(args.out, document)
    print_summary(document)
    print(f"wrote {args.out}")
    return 0


def print_summary(document: dict) -> None:
    alone = document["image_mnist_only_alone"]
    print(f"{'':<50}{'accuracy':>9}{'errors':>8}  worst writer")
    print(f"{'MNIST-only CNN alone':<50}{alone['accuracy']:>9.2%}{alone['errors']:>8}  {alone['worst_writer']}")
    for name, variant in document["variants"].items():
        for key in ("stroke_alone", "fused_mnist_only", "fused_mnist_only_weight_by_accuracy"):
            result = variant[key]
            print(f"{name + ' ' + key:<50}{result['accuracy']:>9.2%}{result['errors']:>8}  {result['worst_writer']}")
        for key, result in variant["shipped_cnn_fold0"].items():
            if isinstance(result, dict):
                print(
                    f"  fold 0 shipped {key:<20}{result['accuracy']:>9.2%}{result['errors']:>8}  {result['worst_writer']}"
                )


if __name__ == "__main__":
    sys.exit(main())
