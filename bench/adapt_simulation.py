"""Choose the constants of mnist_draw/adapt.py: a leave-writers-out simulation of the teach-it loop on the pen writers.

    python -m bench.adapt_simulation                 # about 12 minutes on 2 busy cores (rendering the digits)
    python -m bench.adapt_simulation --cache /tmp/adapt-readings.npz   # reuse the models' readings

Each pen writer plays a person: they draw the first half of their digits, every misread one is
corrected and kept, right ones confirmed until --kept are kept (bench/fine_tune.py `lesson_for`,
the same seeded choice); their kept drawings then vote (mnist_draw/adapt.py) on the second half of
their digits, and on every other writer's digits (a browser taught by someone else).

The constants are chosen on the 24 training writers, read by the MNIST-only CNN (it never saw a
pen digit, so it errs there as on a stranger: 186 errors on the 30 writers) over a grid of
radius x half strength; the choice is then measured, untouched, on the 6 held-out writers read
by what the page shows (the shipped image CNN and stroke model fused, each digit at the three
placements of mnist_draw.held_out_writers). The adaptation sees only the writer's own kept
drawings, so no writer's digits teach another's numbers. Writes bench/results/adapt_simulation.json.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

from bench.fine_tune import choose_digits
from bench.machine import machine_record
from digit_data.pendigits import VALIDATION_WRITERS, is_validation_writer, load_pendigits, writer_name
from mnist_draw import adapt, held_out_writers, pen_path
from mnist_draw.atomic import write_json_atomically
from mnist_draw.config import (
    ADAPT_HALF_STRENGTH,
    ADAPT_RADIUS,
    DEFAULT_MODEL_PATH,
    MNIST_ONLY_MODEL_PATH,
    NUM_CLASSES,
    PROJECT_ROOT,
)
from mnist_draw.fusion import fuse, split_not_a_digit

RESULTS_PATH = PROJECT_ROOT / "bench" / "results" / "adapt_simulation.json"
RADII = (0.2, 0.25, 0.26, 0.28, 0.3, 0.32, 0.35, 0.38, 0.4)
HALF_STRENGTHS = (0.25, 0.5, 0.6, 0.75, 0.9, 1.0, 1.5, 2.0, 3.0)


def readings(cache: Path | None) -> dict:
    """Every pen digit's features and label, the MNIST-only CNN's reading of all of them (centred),
    and the shipped fused reading of the held-out writers' digits at the three placements."""
    if cache and cache.is_file():
        with np.load(cache) as saved:
            return dict(saved)
    from mnist_draw.inference import load_model
    from mnist_draw.stroke_inference import load_stroke_reader

    digits = load_pendigits()
    features = pen_path.batch_features(digits)
    held = np.flatnonzero([is_validation_writer(digit.writer) for digit in digits])
    placements = list(held_out_writers.PLACEMENTS.values())
    jobs = [(digit, placements[0]) for digit in digits]
    jobs += [(digits[index], placement) for placement in placements[1:] for index in held]
    images = held_out_writers.render_model_inputs(jobs).astype(np.float32)[..., None] / 255
    # The image models' ten digits ("not a digit" split off where a model has it): the vote picks digits.
    mnist_only = load_model(MNIST_ONLY_MODEL_PATH).predict(images[: len(digits)], batch_size=256, verbose=0)
    mnist_only = split_not_a_digit(mnist_only)[0]
    shipped_images = np.concatenate([images[held], images[len(digits) :]])
    shipped = split_not_a_digit(load_model(DEFAULT_MODEL_PATH).predict(shipped_images, batch_size=256, verbose=0))[0]
    reader = load_stroke_reader(DEFAULT_MODEL_PATH)
    stroke = split_not_a_digit(reader.model.predict(features[held], batch_size=256, verbose=0))[0]
    fused = np.stack([fuse(stroke, part, reader.stroke_weight) for part in shipped.reshape(3, len(held), -1)])
    result = {
        "features": features,
        "labels": np.array([digit.label for digit in digits]),
        "writers": np.array([int(digit.writer.rsplit("-", 1)[1]) for digit in digits]),
        "p_only": np.asarray(mnist_only),
        "held_idx": held,
        "p_fused": fused,
    }
    if cache:
        np.savez(cache, **result)
    return result


def lesson(labels: np.ndarray, misread: np.ndarray, kept: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """One writer's labels and which of their digits the model misreads -> (kept, measured) positions.

    The session is the first half: misread ones corrected first, then confirmed right ones
    (bench/fine_tune.py lesson_for); the second half is measured.
    """
    half = len(labels) // 2
    session = np.arange(half)
    corrected = [index for index in session if misread[index]][:kept]
    confirmed = [index for index in session if not misread[index]]
    fill = kept - len(corrected)
    chosen = choose_digits([int(labels[index]) for index in confirmed], fill, seed) if fill > 0 else []
    return np.array(sorted(corrected + [confirmed[index] for index in chosen])), np.arange(half, len(labels))


def adapted_top(
    probabilities, features, memory: dict, radius: float, half_strength: float, distance=None
) -> np.ndarray:
    """(n, 10) probabilities and (n, 160) features -> (n,) top classes after the blend.

    Vectorised mnist_draw.adapt.adapt (tests/test_adapt.py checks the two agree); `distance`, the
    (n, kept) distances, when already known.
    """
    if distance is None:
        distance = pairwise_distances(adapt.flat_features(features), memory["features"])
    weighted = adapt.kernel(distance, radius) * memory["weights"]
    votes = weighted @ np.eye(NUM_CLASSES)[memory["labels"]]
    strength = votes.sum(axis=1, keepdims=True)
    share = strength / (strength + half_strength)
    spread = np.divide(votes, strength, out=np.zeros_like(votes), where=strength > 0)
    return ((1 - share) * probabilities + share * spread).argmax(axis=1)


def pairwise_distances(queries: np.ndarray, kept: np.ndarray) -> np.ndarray:
    """(n, 160) and (k, 160) -> (n, k) root mean square differences (mnist_draw/adapt.py step 1)."""
    squared = (queries**2).sum(1)[:, None] + (kept**2).sum(1)[None] - 2 * queries @ kept.T
    return np.sqrt(np.maximum(squared, 0) / queries.shape[1])


def changes(labels, before, after) -> dict:
    wrong_before, wrong_after = before != labels, after != labels
    return {
        "errors_before": int(wrong_before.sum()),
        "errors_after": int(wrong_after.sum()),
        "fixed": int((wrong_before & ~wrong_after).sum()),
        "broken": int((~wrong_before & wrong_after).sum()),
    }


def total(rows: list[dict]) -> dict:
    return {key: sum(row[key] for row in rows) for key in ("errors_before", "errors_after", "fixed", "broken")}


def play(data: dict, probabilities: np.ndarray, positions: np.ndarray, writers, args, settings) -> list[dict]:
    """Each writer in `writers` taught on their own session and measured on their later digits and on
    the others' digits, for each (radius, half strength) in `settings`. `probabilities[placement, k]`
    reads digit `positions[k]`. -> per setting {"own", "others", "own_by_writer"}."""
    labels, writer_of = data["labels"], data["writers"]
    features = adapt.flat_features(data["features"][positions])
    truth = labels[positions]
    top = probabilities.argmax(axis=-1)
    results = [{"own": [], "others": []} for _ in settings]
    for writer in writers:
        mine = np.flatnonzero(writer_of[positions] == writer)
        theirs = np.flatnonzero(writer_of[positions] != writer)
        misread = (top[:, mine] != truth[mine]).any(axis=0)  # misread at any placement: corrected
        kept, measured = lesson(truth[mine], misread, args.kept, args.seed)
        taught = mine[kept]
        targets = {"own": mine[measured], "others": theirs}
        distance = {key: pairwise_distances(features[where], features[taught]) for key, where in targets.items()}
        for setting, result in zip(settings, results):
            radius, half_strength = setting
            memory = adapt.kept_memory(features[taught], truth[taught], radius)
            for key, where in targets.items():
                for placement in range(len(probabilities)):
                    after = adapted_top(
                        probabilities[placement, where], None, memory, radius, half_strength, distance[key]
                    )
                    result[key].append({"writer": int(writer), **changes(truth[where], top[placement, where], after)})
    return [
        {"own": total(result["own"]), "others": total(result["others"]), "own_by_writer": result["own"]}
        for result in results
    ]


CHOICE_RULE = (
    "half strength below 1, so one kept drawing drawn again the same way outweighs even a sure model; then "
    "the most of a person's own later errors fixed, with none of their own digits broken and, on other "
    "people's digits, at most 1 broken per 100 fixed; a tie goes to the smaller half strength"
)


def choose(grid: list[dict]) -> dict:
    """The grid row CHOICE_RULE picks."""
    allowed = [
        row
        for row in grid
        if row["half_strength"] < 1
        and row["own"]["broken"] == 0
        and row["others"]["broken"] * 100 <= row["others"]["fixed"]
    ]
    return max(allowed, key=lambda row: (row["own"]["fixed"], -row["half_strength"]))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.adapt_simulation", description=__doc__.split("\n\n")[0])
    parser.add_argument("--cache", type=Path, default=None, help="an .npz of the models' readings, made if missing")
    parser.add_argument("--kept", type=int, default=50, help="drawings kept per person")
    parser.add_argument("--seed", type=int, default=42, help="seed of the confirmed digits' choice")
    parser.add_argument("--out", type=Path, default=RESULTS_PATH, help="JSON results file")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    data = readings(args.cache)
    everyone = np.arange(len(data["labels"]))
    training = [writer for writer in np.unique(data["writers"]) if writer not in VALIDATION_WRITERS]
    in_training = np.isin(data["writers"], training)
    settings = [(radius, half_strength) for radius in RADII for half_strength in HALF_STRENGTHS]
    results = play(data, data["p_only"][None, in_training], everyone[in_training], training, args, settings)
    grid = []
    for (radius, half_strength), result in zip(settings, results):
        own, others = result["own"], result["others"]
        grid.append({"radius": radius, "half_strength": half_strength, "own": own, "others": others})
        print(
            f"radius {radius:.2f} half {half_strength:4.2f}: own {own['errors_before']} -> {own['errors_after']} "
            f"(fixed {own['fixed']}, broken {own['broken']}); others fixed {others['fixed']}, broken {others['broken']}",
            flush=True,
        )
    rule = choose(grid)
    if (rule["radius"], rule["half_strength"]) != (ADAPT_RADIUS, ADAPT_HALF_STRENGTH):
        print(
            f"note: the rule chooses radius {rule['radius']}, half strength {rule['half_strength']}; config.py has others"
        )
    chosen = [(ADAPT_RADIUS, ADAPT_HALF_STRENGTH)]
    held = play(data, data["p_fused"], data["held_idx"], VALIDATION_WRITERS, args, chosen)[0]
    by_writer = {}
    for row in held["own_by_writer"]:
        entry = by_writer.setdefault(
            writer_name(row["writer"]), {"errors_before": 0, "errors_after": 0, "fixed": 0, "broken": 0}
        )
        for key in entry:
            entry[key] += row[key]
    wrong = (data["p_fused"].argmax(-1) != data["labels"][data["held_idx"]]).sum(axis=0)
    errors_all = {
        writer_name(int(w)): int(wrong[data["writers"][data["held_idx"]] == w].sum()) for w in VALIDATION_WRITERS
    }
    worst = sorted(errors_all, key=lambda name: -errors_all[name])[:3]  # as bench/fine_tune.py: on all their digits
    report = {
        "chosen": {"radius": ADAPT_RADIUS, "half_strength": ADAPT_HALF_STRENGTH},
        "rule": CHOICE_RULE,
        "rule_chooses": {"radius": rule["radius"], "half_strength": rule["half_strength"]},
        "grid_training_writers_mnist_only_cnn": grid,
        "held_out_shipped_fused": {
            "own": held["own"],
            "others": held["others"],
            "by_writer": by_writer,
            "errors_on_all_their_digits": errors_all,
            "worst_three": {name: by_writer[name] for name in worst},
            "worst_three_total": total([by_writer[name] for name in worst]),
        },
        "kept_per_person": args.kept,
        "seconds": round(time.perf_counter() - started, 1),
        "machine": machine_record(),
    }
    write_json_atomically(args.out, report)
    print(json.dumps(report["held_out_shipped_fused"], indent=1))
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
