"""bench/stroke_cv_page.py: which digits are drawn and where, the shipped recipe's settings, and the report's arithmetic.

The real run (training, export, Chromium) takes half an hour; these check the parts that decide
what its numbers mean, on made-up answers, in well under a second.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from bench import stroke_cv, stroke_cv_page
from mnist_draw.held_out_writers import PLACEMENTS
from train import recipe

# 10 writers (two per fold), 20 digits each, interleaved as the pen data is.
WRITERS = np.array([f"pendigits-{1 + index % 10}" for index in range(200)])
LABELS = np.arange(200) % 10
FOLDS = np.array([stroke_cv.fold_of(writer) for writer in WRITERS])


def test_each_of_the_folds_writers_gives_k_digits_spread_over_their_own():
    chosen = stroke_cv_page.drawn_sample(WRITERS, 2, 4)
    assert [WRITERS[index] for index in chosen] == ["pendigits-2"] * 4 + ["pendigits-7"] * 4
    assert chosen[:4] == [1, 51, 101, 151]  # every fifth of the writer's 20 digits
    assert set(FOLDS[chosen]) == {2}
    with pytest.raises(ValueError, match="pendigits-5 has 20 digits: cannot draw 21"):
        stroke_cv_page.drawn_sample(WRITERS, 0, 21)


def test_a_digit_is_drawn_at_the_placement_python_rendered_it_with():
    names = list(PLACEMENTS)
    assert [
        stroke_cv_page.placement_of(index) for index in range(6)
    ] == names + names  # in turn, as image_probabilities


def test_the_stroke_model_is_the_shipped_recipes():
    shipped = next(stage for stage in recipe.load(recipe.SHIPPED) if stage.model == recipe.STROKE).config.model
    assert stroke_cv_page.recipe_stroke_config() == shipped
    assert stroke_cv_page.recipe_stroke_config(epochs=1) == dataclasses.replace(shipped, epochs=1)


def test_a_blank_answer_is_wrong_and_folds_are_averaged_unweighted():
    predicted = LABELS.copy()
    predicted[FOLDS == 0] = -1  # the page showed nothing for fold 0's digits, label 0 included
    predicted[np.flatnonzero(WRITERS == "pendigits-1")[:5]] = 9  # 5 of writer 1's 20 zeros read as 9
    report = stroke_cv_page.answers_report(predicted, LABELS, WRITERS, FOLDS)
    assert report["errors"] == 40 + 5 and report["digits"] == 200
    assert report["per_fold"][0] == 0.0 and report["per_fold"][1] == 0.875  # writers 1 and 6
    assert report["fold_mean"] == pytest.approx((0 + 0.875 + 1 + 1 + 1) / 5)
    assert report["worst_writer"]["accuracy"] == 0.0 and report["per_writer"]["pendigits-1"] == 0.75


def test_agreement_counts_same_answers_per_fold():
    other = LABELS.copy()
    other[:3] = (other[:3] + 1) % 10  # writers 1, 2, 3: folds 1, 2, 3
    same = stroke_cv_page.agreement(LABELS, other, FOLDS)
    assert same["differ"] == 3 and same["share"] == pytest.approx(197 / 200)
    assert same["per_fold"] == {0: 1.0, 1: 0.975, 2: 0.975, 3: 0.975, 4: 1.0}


def test_python_fuses_each_fold_with_its_own_weight():
    image = np.full((2, 10), 0.01)
    image[:, 3] = 0.91
    stroke = np.full((2, 10), 0.01)
    stroke[:, 5] = 0.91
    answers = stroke_cv_page.python_answers(image, stroke, np.array([0, 1]), {0: 0.2, 1: 0.8})
    assert answers["image"].tolist() == [3, 3] and answers["stroke"].tolist() == [5, 5]
    assert answers["fused"].tolist() == [3, 5]


def test_results_line_up_python_and_page_on_the_same_digits(capsys):
    samples = {fold: stroke_cv_page.drawn_sample(WRITERS, fold, 2) for fold in range(5)}
    python = {part: LABELS.copy() for part in stroke_cv_page.PARTS}
    page_runs = {}
    for fold, indices in samples.items():
        answers = [int(LABELS[index]) for index in indices]
        parts = [[str(answer), str(answer)] for answer in answers]
        if fold == 3:
            answers[0], parts[1][1] = -1, None  # no answer shown; the stroke reading missing
        page_runs[fold] = {
            "answers": answers,
            "parts": parts,
            "stroke_export": {},
            "export_seconds": 1.0,
            "page_seconds": 2.0,
        }
    weights = dict.fromkeys(range(5), 0.5)
    document = stroke_cv_page.results(LABELS, WRITERS, FOLDS, weights, samples, python, page_runs)
    assert document["python_drawn"]["fused"]["digits"] == document["page"]["fused"]["digits"] == 20
    assert document["page"]["fused"]["errors"] == 1 and document["page"]["stroke"]["errors"] == 1
    assert document["page_equals_python"]["fused"]["differ"] == 1
    assert document["page_equals_python"]["image"]["share"] == 1.0
    first = document["drawn"]["rows"][0]
    assert dict(zip(document["drawn"]["columns"], first))["placement"] == stroke_cv_page.placement_of(first[0])
    stroke_cv_page.print_summary({**document, **{key: document[key] for key in stroke_cv_page.SOURCES}})
    assert "the page's answer = Python's" in capsys.readouterr().out
