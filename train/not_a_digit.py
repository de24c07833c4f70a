"""The "not a digit" class of both models: its training drawings, its threshold, and how it compares.

A softmax over ten digits must call a letter, a smiley or a stray dot one of them, often with high
confidence. So both models learn an 11th class (mnist_draw/config.py NOT_A_DIGIT) from drawings
made up by digit_data/non_digits.py: scribbles, letters, shapes, dots, lines, several digits
crammed into one box, and real digits turned on their side. The stroke model reads them as pen
paths, fresh ones every epoch (`non_digit_share` of each epoch's paths); the image model as
pictures, drawn like the pen digits (`render_training_images`). Each sees what the other misses:
how a drawing was made separates a hatched scribble from an 8, while the picture shows a tap as
the dot it is (its path, scaled up, is a 1) and an "e" as no 0. Fused, the two also disagree on
which digit a non-digit would be, which raises the fused p(not a digit) where neither is sure.

The answer is "not a digit" when the fused p(not a digit) (mnist_draw/fusion.py fuse_reading:
all eleven classes mixed by the same rule as the digits) reaches a threshold chosen on the held-out
writers' real digits: the lowest grid value that refuses at most `not_a_digit_refusals` of them,
so a person's digit is rarely refused. Then the same held-out writers' model reads non-digits of
kinds it never trained on (the "unseen" split: other letters, other shapes, another hand, the
held-out writers' own digits crammed), and two simple alternatives are measured beside it at the
same refusal budget:
  - a confidence threshold: "not a digit" when the fused answer's top probability is low;
  - an energy score of the fused pair: -log sum_k p_stroke[k] ** w * p_image[k] ** (1 - w), the
    fused answer's normaliser. It is 0 when the two models agree and grows as they disagree,
    which they tend to do on a drawing neither was made for.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from mnist_draw.config import NOT_A_DIGIT
from mnist_draw.fusion import PROBABILITY_FLOOR, fuse_reading, is_not_a_digit, split_not_a_digit

# The thresholds training chooses from. Below 0.5 too: p(not a digit) is a detector's score, and
# on the held-out writers a real digit seldom gets even 0.2 of it, while a letter often gets 0.3.
THRESHOLD_GRID = (
    *(0.01, 0.015, 0.02, 0.025, 0.03, 0.04, 0.05, 0.075, 0.1, 0.125, 0.15, 0.175, 0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5),
    *(0.6, 0.7, 0.8, 0.9, 0.95, 0.97, 0.98, 0.99, 0.995),
)
UNSEEN_COUNT = 1500  # unseen non-digits the validation report reads: about as many as held-out digits
# A 2-3 sample tap, blown up to full size by pen_path, is a straight line: upright, a 1. Only the
# canvas knows it was tiny, so training keeps the single-point taps and leaves the others out.
AMBIGUOUS_KIND = "tap"
# A 0 drawn slowly with a mouse is a near-perfect ellipse, which no pen writer's 0 is; the made-up
# non-digits are clean, regular curves. Without clean 0s among the digits the class learns "clean
# and round is no digit" and refuses them, so each epoch also gets this share of ellipse 0s.
CLEAN_ZERO_SHARE = 0.03
# Share of the training non-digits that are real digits turned on their side
# (digit_data/non_digits.py TURNS). Templates alone teach "clean, regular strokes are no digit";
# turned digits wobble as digits do, so only their shape can tell them apart, and that is what
# the class must learn. Chosen 2026-12-05 on the 6 held-out writers (docs/not-a-digit.md).
TURNED_SHARE = 0.5


def non_digit_count(share: float, digits_per_epoch: int) -> int:
    """Non-digit paths per epoch that make them `share` of the epoch (share in [0, 1))."""
    return round(share / (1 - share) * digits_per_epoch)


def unambiguous(items: Sequence) -> list:
    """Made-up non-digits without the multi-sample taps that are a 1 once pen_path scales them up."""
    return [item for item in items if not (item.kind == AMBIGUOUS_KIND and sum(len(s) for s in item.strokes) > 1)]


def training_items(digits: Sequence, count: int, rng: np.random.Generator) -> list:
    """`count` training non-digits (digit_data/non_digits.py NonDigit) from `digits` (pen digits).

    TURNED_SHARE of them are `digits` turned on their side, the rest training-split made-up ones,
    their crammed digits from `digits`' writers. Turned digits come first: only they are augmented
    as digits are (their strokes are a real writer's; the made-up ones have their own hand).
    """
    from digit_data.non_digits import make_non_digits, turned_digits

    turned = turned_digits(digits, round(TURNED_SHARE * count), rng)
    items: list = []
    while len(items) < count - len(turned):
        items += unambiguous(make_non_digits(max(count - len(turned) - len(items), 6) + 6, rng, "training", digits))
    return turned + items[: count - len(turned)]


def training_features(digits: Sequence, count: int, seed: int, n_points: int) -> np.ndarray:
    """`count` fresh training non-digits from `digits` (pen digits) -> (count, n_points, 5) float32, shuffled.

    The turned ones (`training_items`) are augmented as the digits are (train/stroke_data.py).
    """
    from mnist_draw.pen_path import path_features
    from train.stroke_data import augment

    rng = np.random.default_rng(seed)
    paths = [
        augment(item.strokes, rng) if item.family == "turned" else item.strokes
        for item in training_items(digits, count, rng)
    ]
    features = np.zeros((0, n_points, 5)) if not paths else np.stack([path_features(p, n_points) for p in paths])
    return features[rng.permutation(len(features))].astype(np.float32)


def render_training_images(digits: Sequence, count: int, seed: int, *, log=print) -> np.ndarray:
    """`count` training non-digits from `digits` (the training writers' pen digits) -> (count, 28, 28) uint8.

    Each is drawn as a pen digit is (train/pen.py random_placement: size, place and pen width), so
    the image model cannot tell them from digits by how they were drawn; rendered once and cached.
    Held-out writers' digits are refused, as train/pen.py refuses them: they are the measure.
    """
    from mnist_draw import held_out_writers
    from mnist_draw.strokes import make_digit
    from train import pen

    if held_out_writers.held_out(digits):
        raise ValueError("held-out writers' digits must not be turned or crammed for training")
    rng = np.random.default_rng(seed)
    jobs = [
        (make_digit([np.asarray(stroke, float).tolist() for stroke in item.strokes]), pen.random_placement(rng))
        for item in training_items(digits, count, rng)
    ]
    return pen.render_cached(jobs, "non-digit-training", log=log)


def clean_zero_strokes(count: int, seed: int) -> list[list[np.ndarray]]:
    """`count` ellipse 0s as a mouse draws them -> each one stroke, an (n, 2) float64 array of canvas pixels.

    Random aspect (0.45-1), tilt, starting angle, direction, overlap past the start (0-15%) and
    sampling (16-80 points), a little shake, about 200 pixels tall around the 280-pixel canvas's centre.
    """
    rng = np.random.default_rng(seed)
    zeros = []
    for _ in range(count):
        samples = int(rng.integers(16, 81))
        turn = 2 * np.pi * (1 + rng.uniform(0, 0.15)) * rng.choice([-1, 1])
        angles = rng.uniform(0, 2 * np.pi) + np.linspace(0, turn, samples)
        aspect, tilt = rng.uniform(0.45, 1.0), np.radians(rng.uniform(-20, 20))
        x, y = 80 * aspect * np.sin(angles), -100 * np.cos(angles)
        points = np.stack([x * np.cos(tilt) - y * np.sin(tilt), x * np.sin(tilt) + y * np.cos(tilt)], axis=1)
        zeros.append([140 + points + rng.normal(0, 0.6, points.shape)])
    return zeros


def clean_zeros(count: int, seed: int, n_points: int) -> np.ndarray:
    """`count` clean_zero_strokes -> (count, n_points, 5) float32 pen paths."""
    from mnist_draw.pen_path import path_features

    features = [np.zeros((0, n_points, 5), np.float32)]  # so that no zeros at all still stacks
    features += [path_features(strokes, n_points)[None] for strokes in clean_zero_strokes(count, seed)]
    return np.concatenate(features).astype(np.float32)


def choose_threshold(p_not_a_digit: np.ndarray, refusals: float) -> float:
    """Held-out digits' (N,) p(not a digit) -> the lowest THRESHOLD_GRID value refusing at most `refusals` of them.

    None on the grid does (a model that cannot tell digits from the rest): its top value.
    """
    for threshold in THRESHOLD_GRID:
        if float(np.mean(p_not_a_digit >= threshold)) <= refusals:
            return threshold
    return THRESHOLD_GRID[-1]


def energy(stroke: np.ndarray, image: np.ndarray, weight: float) -> np.ndarray:
    """(N, 10) digit probabilities of each model -> (N,) -log sum p_stroke ** w * p_image ** (1 - w), >= 0."""
    mixed = weight * np.log(np.maximum(stroke, PROBABILITY_FLOOR)) + (1 - weight) * np.log(
        np.maximum(image, PROBABILITY_FLOOR)
    )
    return -np.log(np.exp(mixed).sum(axis=-1))


def cut_refusing(scores: np.ndarray, refusals: float) -> float:
    """(N,) scores of real digits, higher meaning "less like a digit" -> the cut above which at most `refusals` lie."""
    return float(np.quantile(scores, 1 - refusals, method="higher")) if len(scores) else np.inf


def unseen_non_digits(held_out: Sequence, seed: int) -> list:
    """UNSEEN_COUNT non-digits of the unseen split, crammed from the held-out writers' digits."""
    from digit_data.non_digits import make_non_digits

    return make_non_digits(UNSEEN_COUNT, np.random.default_rng(seed), "unseen", held_out)


def image_readings(model, items: Sequence) -> np.ndarray:
    """Made-up drawings (canvas pixels) drawn on the canvas with the default pen -> the image model's (N, 10 or 11)."""
    from mnist_draw.preprocess import preprocess_ink
    from mnist_draw.render import render_canvas_strokes

    images = np.stack([preprocess_ink(render_canvas_strokes(item.strokes)) for item in items]).astype(np.float32)
    return model.predict(images, batch_size=512, verbose=0)


def report(
    digit_stroke: np.ndarray,
    digit_image: np.ndarray,
    non_digit_stroke: np.ndarray,
    non_digit_image: np.ndarray,
    families: Sequence[str],
    weight: float,
    refusals: float,
) -> dict:
    """Held-out digits' and unseen non-digits' readings -> the threshold and what each method catches.

    digit_stroke and digit_image (N, 10 or 11): the two models' readings of the held-out writers'
    digits; non_digit_* (M, 10 or 11): of the unseen non-digits, `families` (M,) their family
    names. The learnt class is the fused p(not a digit) (fuse_reading); each alternative's cut is
    set to refuse at most `refusals` of the digits, the budget the learnt threshold meets.
    """
    fused_digits, p_digits = fuse_reading(digit_stroke, digit_image, weight)
    fused_others, p_others = fuse_reading(non_digit_stroke, non_digit_image, weight)
    (stroke_digits, _), (stroke_others, _) = split_not_a_digit(digit_stroke), split_not_a_digit(non_digit_stroke)
    (image_digits, _), (image_others, _) = split_not_a_digit(digit_image), split_not_a_digit(non_digit_image)
    threshold = choose_threshold(p_digits, refusals)
    scores = {
        "learnt_class": (p_digits, p_others, threshold),
        "confidence": (-fused_digits.max(axis=1), -fused_others.max(axis=1), None),
        "energy": (
            energy(stroke_digits, image_digits, weight),
            energy(stroke_others, image_others, weight),
            None,
        ),
    }
    families = np.asarray(families)
    methods = {}
    for name, (on_digits, on_others, cut) in scores.items():
        if cut is None:
            cut = cut_refusing(on_digits, refusals)
            caught, refused = on_others > cut, on_digits > cut
        else:
            caught, refused = is_not_a_digit(on_others, cut), is_not_a_digit(on_digits, cut)
        methods[name] = {
            "cut": round(float(cut), 5),
            "digits_refused": round(float(refused.mean()), 5),
            "non_digits_caught": round(float(caught.mean()), 5),
            "caught_by_family": {
                family: round(float(caught[families == family].mean()), 4) for family in sorted(set(families))
            },
        }
    return {
        "class_index": NOT_A_DIGIT,
        "threshold": threshold,
        "threshold_rule": f"lowest of {list(THRESHOLD_GRID)} refusing at most {refusals:.2%} of the held-out digits",
        "held_out_digits": len(p_digits),
        "unseen_non_digits": len(p_others),
        "methods": methods,
    }
